from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import image_file, make_article, make_author, make_section

pytestmark = pytest.mark.django_db
SITE_URL = "https://news.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.SITE_NAME = "Eastbrook Gazette"
    # A crawler may reach us through any host name; links must still use SITE_URL.
    settings.ALLOWED_HOSTS = ["testserver", "other-host.example"]


def _parse(client, url):
    response = client.get(url, HTTP_HOST="other-host.example")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert b"other-host.example" not in response.content
    return response, feed


def _hidden_stories(section=None):
    extra = {"section": section} if section else {}
    make_article(
        headline="Secret draft", status=Article.Status.DRAFT, published_at=None, **extra
    )
    make_article(
        headline="Scheduled story",
        published_at=timezone.now() + timedelta(hours=3),
        **extra,
    )


def test_rss_lists_the_latest_public_stories_with_full_details(client):
    section = make_section(name="Transport")
    author = make_author(name="Ada Reporter")
    older = make_article(
        headline="Older story", published_at=timezone.now() - timedelta(days=1)
    )
    story = make_article(
        headline="Bus lane opens",
        published_at=timezone.now() - timedelta(hours=1),
        standfirst="The new lane cuts journeys by ten minutes.",
        section=section,
        author=author,
        image=image_file(),
    )
    _hidden_stories()

    response, feed = _parse(client, reverse("discovery:feed"))

    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert feed.feed.title == "Eastbrook Gazette: latest stories"
    assert feed.feed.link == f"{SITE_URL}/"
    assert [e.title for e in feed.entries] == ["Bus lane opens", "Older story"]
    entry = feed.entries[0]
    assert entry.link == SITE_URL + story.get_absolute_url()
    assert entry.summary == "The new lane cuts journeys by ten minutes."
    assert entry.author == "Ada Reporter"
    assert [t.term for t in entry.tags] == ["Transport"]
    assert entry.published_parsed[:5] == story.published_at.utctimetuple()[:5]
    assert entry.comments == SITE_URL + story.get_absolute_url() + "#comments"
    [enclosure] = entry.enclosures
    largest = story.image_renditions[-1]
    assert enclosure.href == f"{SITE_URL}/media/{largest['jpeg']}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == story.image.storage.size(largest["jpeg"])
    assert feed.entries[1].link == SITE_URL + older.get_absolute_url()
    assert feed.entries[1].enclosures == []


def test_atom_feed_carries_the_same_stories(client):
    story = make_article(headline="Library extends hours", image=image_file())
    _hidden_stories()

    response, feed = _parse(client, reverse("discovery:feed-atom"))

    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Library extends hours"]
    entry = feed.entries[0]
    assert entry.link == SITE_URL + story.get_absolute_url()
    assert entry.summary == story.standfirst
    assert entry.author_detail.name == story.author.name
    assert entry.author_detail.href == SITE_URL + story.author.get_absolute_url()
    assert entry.tags[0].term == story.section.name
    assert any(link.rel == "enclosure" for link in entry.links)
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert self_link.href == SITE_URL + reverse("discovery:feed-atom")


def test_feed_holds_at_most_twenty_stories_newest_first(client):
    section, author = make_section(), make_author()
    for hours in range(25):
        make_article(
            headline=f"Story {hours}",
            section=section,
            author=author,
            published_at=timezone.now() - timedelta(hours=hours + 1),
        )

    _, feed = _parse(client, reverse("discovery:feed"))

    assert len(feed.entries) == 20
    assert feed.entries[0].title == "Story 0"


@pytest.mark.parametrize(
    "url_name", ["discovery:section-feed", "discovery:section-feed-atom"]
)
def test_section_feeds_list_only_that_sections_public_stories(client, url_name):
    sport = make_section(name="Sport", description="Results and fixtures.")
    make_article(headline="Cup final", section=sport)
    make_article(headline="Elsewhere")
    _hidden_stories(section=sport)

    _, feed = _parse(client, reverse(url_name, args=[sport.slug]))

    assert [e.title for e in feed.entries] == ["Cup final"]
    assert feed.feed.title == "Eastbrook Gazette: Sport"
    assert feed.feed.link == SITE_URL + sport.get_absolute_url()
    assert feed.feed.subtitle == "Results and fixtures."


def test_unknown_section_feed_is_404(client):
    assert (
        client.get(reverse("discovery:section-feed", args=["nope"])).status_code == 404
    )


def test_missing_image_file_drops_the_enclosure_not_the_feed(client):
    story = make_article(image=image_file())
    for item in story.image_renditions:
        story.image.storage.delete(item["jpeg"])

    _, feed = _parse(client, reverse("discovery:feed"))

    assert feed.entries[0].enclosures == []


def test_hostile_headline_stays_text_in_the_feed(client):
    make_article(headline="</title><script>alert(1)</script> & more")

    response, feed = _parse(client, reverse("discovery:feed"))

    assert feed.entries[0].title == "</title><script>alert(1)</script> & more"
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [("discovery:feed", 1), ("discovery:feed-atom", 1), ("discovery:section-feed", 2)],
)
def test_feed_query_count_is_fixed(
    client, django_assert_num_queries, url_name, queries
):
    section, author = make_section(), make_author()
    kwargs = {"slug": section.slug} if "section" in url_name else {}
    url = reverse(url_name, kwargs=kwargs)
    make_article(section=section, author=author, image=image_file())

    with django_assert_num_queries(queries):
        small = client.get(url)
    for _ in range(15):
        make_article(section=section, author=make_author())
    with django_assert_num_queries(queries):
        large = client.get(url)

    assert len(feedparser.parse(small.content).entries) == 1
    assert len(feedparser.parse(large.content).entries) == 16
