import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.views import HOME_PER_PAGE
from discovery import seo
from tests.factories import (
    image_file,
    make_article,
    make_author,
    make_comment,
    make_section,
)

pytestmark = pytest.mark.django_db
SITE_URL = "https://news.example.org"
HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.SITE_NAME = "Eastbrook Gazette"
    settings.ALLOWED_HOSTS = ["testserver", "other-host.example"]


class _Head(HTMLParser):
    """Collects <meta>, <link> and JSON-LD from a page's <head>."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld = {}, [], []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, attrs["content"])
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json = True

    def handle_data(self, data):
        if self._in_json:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False


def _head(client, url):
    response = client.get(url, HTTP_HOST="other-host.example")
    assert response.status_code == 200
    html = response.content.decode()
    assert "other-host.example" not in html
    parser = _Head()
    parser.feed(html[: html.index("</head>")])
    return parser


def _ld(head, kind):
    [item] = [item for item in head.json_ld if item["@type"] == kind]
    return item


def _canonical(head):
    [link] = [link for link in head.links if link["rel"] == "canonical"]
    return link["href"]


def _feeds(head):
    return [link["href"] for link in head.links if link["rel"] == "alternate"]


@pytest.fixture
def story():
    return make_article(
        headline="Harbour wall repaired",
        standfirst="Work finished two weeks early.",
        section=make_section(name="Coast"),
        author=make_author(name="Ada Reporter"),
        image=image_file(),
        image_alt="The new harbour wall",
        published_at=timezone.now() - timedelta(hours=2),
    )


# --- Articles -------------------------------------------------------------------------------------


def test_article_json_ld_is_a_complete_news_article(client, story):
    for status in ("approved", "approved", "pending", "spam"):
        make_comment(article=story, status=status)
    url = SITE_URL + story.get_absolute_url()

    data = _ld(_head(client, story.get_absolute_url()), "NewsArticle")

    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Harbour wall repaired"
    assert data["description"] == "Work finished two weeks early."
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["discussionUrl"] == url + "#comments"
    assert data["commentCount"] == 2  # approved only
    assert data["articleSection"] == "Coast"
    assert datetime.fromisoformat(data["datePublished"]) == story.published_at.replace(
        microsecond=0
    )
    assert datetime.fromisoformat(data["dateModified"]) >= datetime.fromisoformat(
        data["datePublished"]
    )
    assert data["author"] == {
        "@type": "Person",
        "name": "Ada Reporter",
        "url": SITE_URL + story.author.get_absolute_url(),
    }
    largest = story.image_renditions[-1]
    assert data["image"] == [
        {
            "@type": "ImageObject",
            "url": f"{SITE_URL}/media/{largest['jpeg']}",
            "width": largest["width"],
            "height": largest["height"],
        }
    ]
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "Eastbrook Gazette"
    assert publisher["logo"]["@type"] == "ImageObject"
    assert publisher["logo"]["url"] == f"{SITE_URL}/static/img/logo.png"
    assert (publisher["logo"]["width"], publisher["logo"]["height"]) == (600, 60)


def test_logo_file_matches_what_the_json_ld_says():
    from django.contrib.staticfiles import finders
    from PIL import Image

    with Image.open(finders.find(seo.LOGO_PATH)) as logo:
        assert logo.format == "PNG"
        assert logo.size == seo.LOGO_SIZE


def test_article_breadcrumbs_run_home_section_story(client, story):
    data = _ld(_head(client, story.get_absolute_url()), "BreadcrumbList")

    assert [(i["position"], i["name"], i["item"]) for i in data["itemListElement"]] == [
        (1, "Home", f"{SITE_URL}/"),
        (2, "Coast", SITE_URL + story.section.get_absolute_url()),
        (3, "Harbour wall repaired", SITE_URL + story.get_absolute_url()),
    ]


def test_hostile_headline_cannot_break_out_of_json_ld(client):
    article = make_article(headline=HOSTILE, standfirst=f"Standfirst {HOSTILE} &")

    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    head = _head(client, article.get_absolute_url())

    assert "<script>alert(1)" not in html
    assert _ld(head, "NewsArticle")["headline"] == HOSTILE
    assert _ld(head, "NewsArticle")["description"] == f"Standfirst {HOSTILE} &"
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL
    )
    assert len(blocks) == 2
    assert all(json.loads(block) for block in blocks)


def test_json_ld_script_escapes_markup_characters():
    html = seo.json_ld_script({"a": "</script><!-- & -->"})

    assert html.count("</script>") == 1
    assert "<!--" not in html and "&" not in html
    body = html.removeprefix('<script type="application/ld+json">').removesuffix(
        "</script>"
    )
    assert json.loads(body) == {"a": "</script><!-- & -->"}


def test_article_open_graph_and_twitter_tags(client, story):
    head = _head(client, story.get_absolute_url())
    meta = head.meta
    largest = story.image_renditions[-1]
    image_url = f"{SITE_URL}/media/{largest['jpeg']}"

    assert meta["description"] == "Work finished two weeks early."
    assert _canonical(head) == SITE_URL + story.get_absolute_url()
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Harbour wall repaired"
    assert meta["og:description"] == "Work finished two weeks early."
    assert meta["og:url"] == SITE_URL + story.get_absolute_url()
    assert meta["og:site_name"] == "Eastbrook Gazette"
    assert meta["og:image"] == image_url
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "675")
    assert meta["og:image:alt"] == "The new harbour wall"
    assert datetime.fromisoformat(meta["article:published_time"]) == (
        story.published_at.replace(microsecond=0)
    )
    assert "article:modified_time" in meta
    assert meta["article:section"] == "Coast"
    assert meta["article:author"] == SITE_URL + story.author.get_absolute_url()
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == image_url
    assert "robots" not in meta


def test_modified_time_is_the_last_revision_not_the_last_save(
    client, django_capture_on_commit_callbacks
):
    article = make_article(published_at=timezone.now() - timedelta(days=1))
    published = seo.iso(article.published_at)

    article.is_featured = True
    article.save()
    head = _head(client, article.get_absolute_url())
    assert head.meta["article:modified_time"] == published
    assert _ld(head, "NewsArticle")["dateModified"] == published

    article.standfirst = "A corrected standfirst."
    # Committed, as in real use: the cached page is replaced once the save commits.
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    article.refresh_from_db()
    head = _head(client, article.get_absolute_url())
    assert head.meta["article:modified_time"] == seo.iso(article.revised_at)
    assert _ld(head, "NewsArticle")["dateModified"] == seo.iso(article.revised_at)
    assert article.revised_at > article.published_at


def test_article_without_image_gets_a_summary_card_and_no_image_tags(client):
    article = make_article()

    head = _head(client, article.get_absolute_url())

    assert head.meta["twitter:card"] == "summary"
    assert "og:image" not in head.meta
    assert "image" not in _ld(head, "NewsArticle")


def test_staff_preview_of_a_draft_is_not_indexed(admin_client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)

    response = admin_client.get(reverse("articles:preview", args=[draft.pk]))

    parser = _Head()
    parser.feed(response.content.decode())
    assert parser.meta["robots"] == "noindex"


def test_article_advertises_site_section_and_comment_feeds(client, story):
    feeds = _feeds(_head(client, story.get_absolute_url()))

    slug = story.section.slug
    assert feeds == [
        SITE_URL + reverse("discovery:feed"),
        SITE_URL + reverse("discovery:feed-atom"),
        SITE_URL + reverse("discovery:section-feed", args=[slug]),
        SITE_URL + reverse("discovery:section-feed-atom", args=[slug]),
        SITE_URL + story.get_absolute_url() + "comments/feed/",
    ]


def test_news_article_data_accepts_comments_from_the_comments_app(story):
    comment = {"@type": "Comment", "text": "Well done", "author": {"name": "Bo"}}

    data = seo.news_article_data(story, comment_count=1, comments=[comment])
    without = seo.news_article_data(story)

    assert data["commentCount"] == 1
    assert data["comment"] == [comment]
    assert "commentCount" not in without and "comment" not in without


# --- Other pages ------------------------------------------------------------------------------


def test_home_describes_the_site_and_offers_a_search_action(client):
    make_article()

    head = _head(client, reverse("articles:home"))

    assert head.meta["description"]
    assert head.meta["og:type"] == "website"
    assert head.meta["og:url"] == _canonical(head) == f"{SITE_URL}/"
    website = _ld(head, "WebSite")
    assert website["url"] == f"{SITE_URL}/"
    assert website["name"] == "Eastbrook Gazette"
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert (
        action["target"]["urlTemplate"]
        == f"{SITE_URL}/search/?q={{search_term_string}}"
    )
    assert action["query-input"] == "required name=search_term_string"
    assert _feeds(head) == [
        SITE_URL + reverse("discovery:feed"),
        SITE_URL + reverse("discovery:feed-atom"),
    ]


def test_home_page_two_is_canonical_to_itself(client):
    section, author = make_section(), make_author()
    for _ in range(HOME_PER_PAGE + 2):
        make_article(section=section, author=author)

    head = _head(client, reverse("articles:home") + "?page=2")

    assert _canonical(head) == f"{SITE_URL}/?page=2"
    assert not any(item["@type"] == "WebSite" for item in head.json_ld)


def test_section_page_metadata(client):
    section = make_section(name="Sport", description="Results and fixtures.")
    for _ in range(13):
        make_article(section=section)

    head = _head(client, section.get_absolute_url())
    second = _head(client, section.get_absolute_url() + "?page=2")

    assert head.meta["description"] == "Results and fixtures."
    assert head.meta["og:title"] == "Sport"
    assert head.meta["og:type"] == "website"
    assert _canonical(head) == SITE_URL + section.get_absolute_url()
    assert _canonical(second) == SITE_URL + section.get_absolute_url() + "?page=2"
    assert SITE_URL + reverse("discovery:section-feed", args=[section.slug]) in (
        _feeds(head)
    )
    crumbs = _ld(head, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Sport"]


def test_section_without_description_gets_a_sensible_one(client):
    section = make_section(name="Weather")

    head = _head(client, section.get_absolute_url())

    assert (
        head.meta["description"] == "The latest Weather stories from Eastbrook Gazette."
    )


def test_author_page_metadata(client):
    author = make_author(
        name="Ada Reporter", bio="Covers the council.\nAnd the courts."
    )
    make_article(author=author)

    head = _head(client, author.get_absolute_url())

    assert head.meta["description"] == "Covers the council. And the courts."
    assert head.meta["og:title"] == "Ada Reporter"
    assert _canonical(head) == SITE_URL + author.get_absolute_url()
    profile = _ld(head, "ProfilePage")
    assert profile["mainEntity"]["name"] == "Ada Reporter"
    assert len(_feeds(head)) == 2  # the site feeds only


def test_every_page_advertises_the_site_feed(client, story):
    urls = [
        reverse("articles:home"),
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        story.author.get_absolute_url(),
        reverse("discovery:search") + "?q=harbour",
    ]

    for url in urls:
        assert SITE_URL + reverse("discovery:feed") in _feeds(_head(client, url)), url
    not_found = client.get("/no-such-page/")
    assert f'href="{SITE_URL}{reverse("discovery:feed")}"' in not_found.content.decode()


def test_long_text_is_cut_for_descriptions():
    assert len(seo.describe("word " * 200)) <= seo.DESCRIPTION_MAX_CHARS
