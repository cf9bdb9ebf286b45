"""The comment parts of Discovery: the per-story comment feed and comments in the JSON-LD."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def feed_url(article):
    return article.get_absolute_url() + "comments/feed/"


def json_ld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return [json.loads(block) for block in blocks]


def test_comment_feed_lists_approved_comments_newest_first(client, settings):
    article = make_article(headline="Harbour wall repairs")
    old = make_comment(article=article, name="Ann", body="First thoughts")
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    make_comment(article=article, name="Ben", body="Later <b>view</b>")
    make_comment(
        article=article, name="Held", body="Not yet", status=Comment.Status.PENDING
    )
    make_comment(
        article=article, name="Bot", body="Spam text", status=Comment.Status.SPAM
    )

    response = client.get(feed_url(article))
    feed = feedparser.parse(response.content)

    assert response.status_code == 200
    assert not feed.bozo, feed.bozo_exception
    assert "Harbour wall repairs" in feed.feed.title
    assert [entry.author for entry in feed.entries] == ["Ben", "Ann"]
    assert (
        "&lt;b&gt;view&lt;/b&gt;" in feed.entries[0].summary
    )  # still text, never markup
    assert feed.entries[0].link.startswith(settings.SITE_URL + "/comments/")
    assert (
        "Not yet" not in response.content.decode()
        and "Spam text" not in response.content.decode()
    )
    assert "@example.org" not in response.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_comment_feed_of_an_unpublished_story_is_404(client, fields):
    article = make_article(**fields)

    assert client.get(feed_url(article)).status_code == 404


def test_comment_feed_has_fixed_query_count(client, django_assert_num_queries):
    article = make_article()
    for _ in range(10):
        make_comment(article=article)

    with django_assert_num_queries(2):  # the story, its comments
        client.get(feed_url(article))


def test_article_head_advertises_its_comment_feed(client):
    article = make_article()

    html = client.get(article.get_absolute_url()).content.decode()

    assert (
        f'type="application/rss+xml" title="Comments on {article.headline} (RSS)"'
        in html
    )
    assert feed_url(article) in html


def test_json_ld_carries_comment_count_and_first_approved_comments(client, settings):
    article = make_article()
    first = make_comment(
        article=article,
        name="Ann",
        url="https://ann.example",
        body="Good <news> & more",
    )
    for _ in range(6):
        make_comment(article=article)
    make_comment(article=article, status=Comment.Status.PENDING, body="Held one")

    news = next(
        d
        for d in json_ld(client.get(article.get_absolute_url()))
        if d["@type"] == "NewsArticle"
    )

    assert news["commentCount"] == 7
    assert len(news["comment"]) == 5
    assert news["comment"][0] == {
        "@type": "Comment",
        "text": "Good <news> & more",
        "dateCreated": first.created_at.isoformat(timespec="seconds"),
        "author": {"@type": "Person", "name": "Ann", "url": "https://ann.example"},
        "url": f"{settings.SITE_URL}{article.get_absolute_url()}#comment-{first.pk}",
    }
    assert news["discussionUrl"].endswith("#comments")
    assert all(c["text"] != "Held one" for c in news["comment"])


def test_hostile_comment_cannot_break_out_of_the_json_ld(client):
    article = make_article()
    make_comment(
        article=article,
        name="</script><script>alert(1)</script>",
        body="</script><script>alert(2)</script>",
    )

    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert "<script>alert(" not in html
    news = next(d for d in json_ld(response) if d["@type"] == "NewsArticle")
    assert news["comment"][0]["text"] == "</script><script>alert(2)</script>"


def test_comments_in_the_head_cost_no_extra_query(
    client, django_assert_max_num_queries
):
    article = make_article()
    make_comment(article=article)
    client.get(article.get_absolute_url())

    with django_assert_max_num_queries(
        3
    ):  # story, related, one thread query shared by head and body
        client.get(article.get_absolute_url())
