"""The thread reads oldest first (default) or newest first (?corder=newest), each a cacheable page."""

import pytest
from django.test import TestCase
from django.urls import reverse

from comments.models import Comment
from comments.thread import build_thread, page_number_of
from newsroom.pagecache import pages_changed
from tests.factories import make_article, make_comment
from tests.pages import forget_page

pytestmark = pytest.mark.django_db

NEWEST = "?corder=newest"


def discussion(response) -> str:
    """The page's discussion section (the head's structured data quotes comments too)."""
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<section id="comments"') :]


def positions(html, *texts):
    return [html.index(t) for t in texts]


@pytest.fixture
def story():
    """Three top-level comments (oldest first: A, B, C); B has two replies (B1 then B2)."""
    article = make_article()
    a = make_comment(article=article, body="Comment A.")
    b = make_comment(article=article, body="Comment B.")
    make_comment(article=article, parent=b, body="Reply B1.")
    make_comment(article=article, parent=b, body="Reply B2.")
    c = make_comment(article=article, body="Comment C.")
    article.tops = (a, b, c)
    return article


def test_the_default_order_is_oldest_first(client, story):
    html = discussion(client.get(story.get_absolute_url()))

    a, b, b1, b2, c = positions(
        html, "Comment A.", "Comment B.", "Reply B1.", "Reply B2.", "Comment C."
    )
    assert a < b < b1 < b2 < c


def test_newest_first_reverses_the_top_level_and_keeps_replies_in_order(client, story):
    url = story.get_absolute_url()
    client.get(
        url
    )  # the oldest-first thread is now a stored fragment: it must not be reused

    html = discussion(client.get(url + NEWEST))

    c, b, b1, b2, a = positions(
        html, "Comment C.", "Comment B.", "Reply B1.", "Reply B2.", "Comment A."
    )
    assert c < b < b1 < b2 < a


def test_the_order_links_work_without_javascript_and_say_which_is_current(
    client, story
):
    url = story.get_absolute_url()

    oldest = discussion(client.get(url))
    newest = discussion(client.get(url + NEWEST))

    assert f'<a href="{url}#comments" aria-current="true">Oldest first</a>' in oldest
    assert f'<a href="{url}?corder=newest#comments">Newest first</a>' in oldest
    assert f'<a href="{url}#comments">Oldest first</a>' in newest
    assert (
        f'<a href="{url}?corder=newest#comments" aria-current="true">Newest first</a>'
        in newest
    )
    assert 'aria-label="Comment order"' in oldest


def test_one_comment_needs_no_order_links(client):
    article = make_article()
    make_comment(article=article)

    assert "Newest first" not in discussion(client.get(article.get_absolute_url()))


@pytest.mark.parametrize("junk", ["bogus", "", "NEWEST", "1", "newest%00"])
def test_an_unknown_order_falls_back_to_oldest_first_and_is_not_stored(
    client, story, junk
):
    url = story.get_absolute_url() + f"?corder={junk}"

    response = client.get(url)
    again = client.get(url)

    html = discussion(response)
    assert html.index("Comment A.") < html.index("Comment C.")
    assert again["X-Page-Cache"] == "miss" and again["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("query", [NEWEST, "?corder=oldest", "?corder=newest&cpage=1"])
def test_each_order_is_its_own_cacheable_page(client, story, query):
    url = story.get_absolute_url() + query

    client.get(url)
    again = client.get(url)

    assert again["X-Page-Cache"] == "hit"
    assert again["Cache-Control"].startswith("public")


def test_newest_first_paginates_from_the_newest(client, story, settings):
    settings.COMMENTS_PER_PAGE = 2
    url = story.get_absolute_url()

    first = discussion(client.get(url + NEWEST))
    second = discussion(client.get(url + NEWEST + "&cpage=2"))

    assert "Comment C." in first and "Comment B." in first
    assert "Comment A." not in first
    assert "Comment A." in second and "Comment C." not in second
    assert f'<a rel="next" href="{url}?corder=newest&amp;cpage=2#comments">' in first
    assert "Older comments →" in first
    assert f'<a rel="prev" href="{url}?corder=newest#comments">' in second
    assert "← Newer comments" in second


def test_links_inside_a_newest_first_page_keep_the_order(client, story, settings):
    settings.COMMENTS_PER_PAGE = 2
    url = story.get_absolute_url()
    a = story.tops[0]

    html = discussion(client.get(url + NEWEST + "&cpage=2"))

    assert f'href="{url}?corder=newest&amp;cpage=2#comment-{a.pk}"' in html
    assert (
        f'href="{url}?corder=newest&amp;cpage=2&amp;replytocom={a.pk}#respond"' in html
    )


def test_a_reply_form_in_newest_order_shows_the_newest_first_thread(client, story):
    a = story.tops[0]
    url = story.get_absolute_url() + f"{NEWEST}&replytocom={a.pk}"

    response = client.get(url)

    html = discussion(response)
    assert html.index("Comment C.") < html.index("Comment A.")
    assert "Leave a Reply to" in html


def test_the_permalink_lands_on_the_right_page_in_either_order(client, story, settings):
    settings.COMMENTS_PER_PAGE = 2
    a, b, c = story.tops
    url = story.get_absolute_url()
    reply = Comment.objects.get(body="Reply B2.")

    def landing(comment, query=""):
        return client.get(reverse("comments:permalink", args=[comment.pk]) + query)[
            "Location"
        ]

    assert landing(a) == f"{url}#comment-{a.pk}"
    assert landing(c) == f"{url}?cpage=2#comment-{c.pk}"
    assert landing(a, NEWEST) == f"{url}?corder=newest&cpage=2#comment-{a.pk}"
    assert landing(c, NEWEST) == f"{url}?corder=newest#comment-{c.pk}"
    assert landing(reply, NEWEST) == f"{url}?corder=newest#comment-{reply.pk}"
    assert landing(c, "?corder=junk") == f"{url}?cpage=2#comment-{c.pk}"


def test_page_number_of_and_build_thread_agree_in_both_orders(story):
    rows = list(
        Comment.objects.for_thread(story).filter(status=Comment.Status.APPROVED)
    )
    for order in ("oldest", "newest"):
        for page in (1, 2, 3):
            shown = build_thread(rows, page=page, per_page=1, order=order)
            for item in shown.items:
                assert page_number_of(rows, item.comment.id, 1, order) == page


def test_newest_first_costs_the_same_queries(
    client, story, django_assert_max_num_queries
):
    counts = []
    for query in ("", NEWEST):
        url = story.get_absolute_url() + query
        client.get(url)
        with TestCase.captureOnCommitCallbacks(execute=True):
            pages_changed()
        forget_page(url)
        with django_assert_max_num_queries(3) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts == [3, 3]
