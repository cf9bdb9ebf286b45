import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article
from discovery import sitemaps
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db
SITE_URL = "https://news.example.org"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.SITE_NAME = "Eastbrook Gazette"
    settings.ALLOWED_HOSTS = ["testserver", "other-host.example"]


def _xml(client, url):
    response = client.get(url, HTTP_HOST="other-host.example")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert b"other-host.example" not in response.content
    return ET.fromstring(response.content)


def _locations(root):
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


def _section_url(section, page=None):
    url = SITE_URL + reverse("discovery:sitemap-section", kwargs={"section": section})
    return f"{url}?p={page}" if page else url


@pytest.fixture
def stories():
    """Two public stories and every kind of hidden one."""
    public = [
        make_article(published_at=timezone.now() - timedelta(days=3)),
        make_article(),
    ]
    hidden = [
        make_article(status=Article.Status.DRAFT, published_at=None),
        make_article(
            status=Article.Status.DRAFT,
            published_at=timezone.now() - timedelta(hours=1),
        ),
        make_article(published_at=timezone.now() + timedelta(days=1)),
    ]
    return public, hidden


def test_index_lists_every_sitemap_on_site_url(client, stories):
    root = _xml(client, reverse("discovery:sitemap"))

    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    assert _locations(root) == [
        _section_url(name) for name in ("pages", "sections", "authors", "articles")
    ]
    lastmods = {
        entry.find("sm:loc", NS).text: entry.find("sm:lastmod", NS)
        for entry in root.iterfind("sm:sitemap", NS)
    }
    assert lastmods[_section_url("articles")] is not None


def test_index_is_last_modified_at_the_latest_change_to_any_story(client):
    now = timezone.now().replace(microsecond=0)
    older = make_article(published_at=now - timedelta(days=3))
    make_article(published_at=now - timedelta(days=2))
    # A revision after the newest publication is the site's latest change.
    Article.objects.filter(pk=older.pk).update(revised_at=now - timedelta(hours=1))

    response = client.get(reverse("discovery:sitemap"))

    assert response.status_code == 200
    assert response["Last-Modified"] == http_date(
        (now - timedelta(hours=1)).timestamp()
    )


def test_index_has_no_last_modified_when_a_sitemap_cannot_date_itself(client):
    # As contrib's index: a section without a published story has no date, so neither
    # does the sections sitemap, and the index does not claim one.
    make_article()
    make_section(name="Empty")

    response = client.get(reverse("discovery:sitemap"))

    assert response.status_code == 200
    assert "Last-Modified" not in response


def test_index_of_an_empty_site_has_no_last_modified(client):
    response = client.get(reverse("discovery:sitemap"))

    assert response.status_code == 200
    assert "Last-Modified" not in response


def test_index_lists_every_page_of_a_long_sitemap(client, stories, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)

    locations = _locations(_xml(client, reverse("discovery:sitemap")))

    assert _section_url("articles", page=2) in locations
    assert _section_url("articles", page=3) not in locations
    second = _xml(
        client, reverse("discovery:sitemap-section", args=["articles"]) + "?p=2"
    )
    assert len(_locations(second)) == 1


def test_article_sitemap_has_only_public_stories_with_lastmod(client, stories):
    public, hidden = stories

    root = _xml(client, reverse("discovery:sitemap-section", args=["articles"]))

    assert root.tag == f"{{{NS['sm']}}}urlset"
    assert sorted(_locations(root)) == sorted(
        SITE_URL + a.get_absolute_url() for a in public
    )
    for article in hidden:
        assert SITE_URL + article.get_absolute_url() not in _locations(root)
    for url in root.iterfind("sm:url", NS):
        datetime.strptime(url.find("sm:lastmod", NS).text, "%Y-%m-%d")


def test_sections_authors_and_pages_sitemaps(client):
    busy, empty = make_section(name="Busy"), make_section(name="Empty")
    writer, newcomer = make_author(), make_author()
    make_article(section=busy, author=writer)
    make_article(
        section=empty, author=newcomer, status=Article.Status.DRAFT, published_at=None
    )

    sections = _locations(
        _xml(client, reverse("discovery:sitemap-section", args=["sections"]))
    )
    authors = _locations(
        _xml(client, reverse("discovery:sitemap-section", args=["authors"]))
    )
    pages = _locations(
        _xml(client, reverse("discovery:sitemap-section", args=["pages"]))
    )

    assert SITE_URL + busy.get_absolute_url() in sections
    assert (
        SITE_URL + empty.get_absolute_url() in sections
    )  # section fronts always exist
    assert authors == [
        SITE_URL + writer.get_absolute_url()
    ]  # a drafts-only author waits
    assert pages == [f"{SITE_URL}/"]


def test_unknown_sitemap_section_is_404(client):
    assert (
        client.get(reverse("discovery:sitemap-section", args=["nope"])).status_code
        == 404
    )


def test_news_sitemap_lists_the_last_48_hours_in_google_news_format(client):
    fresh = make_article(
        headline="Fresh & <new>", published_at=timezone.now() - timedelta(hours=47)
    )
    old = make_article(published_at=timezone.now() - timedelta(hours=49))
    draft = make_article(
        status=Article.Status.DRAFT, published_at=timezone.now() - timedelta(hours=2)
    )
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=2))

    root = _xml(client, reverse("discovery:news-sitemap"))

    assert _locations(root) == [SITE_URL + fresh.get_absolute_url()]
    for article in (old, draft, scheduled):
        assert SITE_URL + article.get_absolute_url() not in _locations(root)
    news = root.find("sm:url/news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "Eastbrook Gazette"
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:title", NS).text == "Fresh & <new>"
    published = datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert published == fresh.published_at


def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out_of_admin_and_search(
    client,
):
    response = client.get(reverse("discovery:robots"), HTTP_HOST="other-host.example")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert f"Disallow: {reverse('admin:index')}" in lines
    assert f"Disallow: {reverse('discovery:search')}" in lines
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {SITE_URL}/news-sitemap.xml" in lines


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # latest change + page count for 3 sitemaps, the pages sitemap's standing pages
        (reverse("discovery:sitemap"), 7),
        (reverse("discovery:sitemap-section", args=["articles"]), 2),  # count, page
        (reverse("discovery:sitemap-section", args=["sections"]), 2),
        (reverse("discovery:sitemap-section", args=["authors"]), 2),
        (reverse("discovery:news-sitemap"), 2),
        (reverse("discovery:sitemap-section", args=["pages"]), 1),  # standing pages
    ],
)
def test_sitemap_query_count_is_fixed(client, django_assert_num_queries, url, queries):
    recent = timezone.now() - timedelta(hours=1)  # inside the news window
    make_article(published_at=recent)

    with django_assert_num_queries(queries):
        client.get(url)
    for _ in range(10):
        make_article(published_at=recent)
    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
