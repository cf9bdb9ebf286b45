"""comments/render.py builds HTML by hand: hostile names, sites and text must come out inert."""

from datetime import UTC, datetime

from django.utils import timezone

from comments.models import THREAD_FIELDS
from comments.render import render_comments
from comments.text import render_comment
from comments.thread import build_thread

HOSTILE_NAME = '"><script>alert(1)</script>'
HOSTILE_URL = 'https://x.example/"onmouseover="alert(2)'
HOSTILE_BODY = (
    "<img src=x onerror=alert(3)>\n\n</div></li></ol><script>alert(4)</script>"
)


def row(**fields):
    from collections import namedtuple

    Row = namedtuple("Row", THREAD_FIELDS)
    values = {
        **dict.fromkeys(THREAD_FIELDS),  # columns a test does not care about are None
        "id": 1,
        "parent_id": None,
        "depth": 1,
        "name": "Ann",
        "url": "",
        "body_html": render_comment("Hello"),
        "status": "approved",
        "created_at": datetime(2026, 11, 27, 14, 5, tzinfo=UTC),
        "is_pick": False,
    }
    values.update(fields)
    return Row(**values)


def render(*rows, page=1, can_reply=True):
    thread = build_thread(list(rows), page=page, per_page=50)
    return render_comments(
        thread.items,
        article_url="/2026/11/27/story/",
        page_number=page,
        can_reply=can_reply,
    )


def test_hostile_name_url_and_text_are_inert():
    html = render(
        row(name=HOSTILE_NAME, url=HOSTILE_URL, body_html=render_comment(HOSTILE_BODY))
    )

    assert "<script" not in html
    assert "<img" not in html
    assert 'onmouseover="' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://x.example/&quot;onmouseover=&quot;alert(2)"' in html
    assert (
        html.count("<li") == 1 and html.count("</li>") == 1
    )  # the text cannot close our markup


def test_nesting_opens_and_closes_reply_lists_in_balance():
    html = render(
        row(id=1),
        row(id=2, parent_id=1, depth=2),
        row(id=3, parent_id=2, depth=3),
        row(id=4),
    )

    assert html.count("<ol") == html.count("</ol>") == 2
    assert html.count("<li") == html.count("</li>") == 4
    assert html.index('id="comment-3"') < html.index('id="comment-4"')


def test_dates_are_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    with timezone.override("America/New_York"):
        html = render(row(created_at=datetime(2026, 11, 27, 14, 5, tzinfo=UTC)))

    assert "27 November 2026 at 09:05" in html
    assert 'datetime="2026-11-27T09:05:00-05:00"' in html


def test_reply_links_and_page_links_carry_the_story_address():
    html = render(row(id=7), page=2)

    assert 'href="/2026/11/27/story/?cpage=2#comment-7"' in html
    assert 'href="/2026/11/27/story/?cpage=2&amp;replytocom=7#respond"' in html


def test_no_reply_links_when_replies_are_off():
    assert "replytocom" not in render(row(), can_reply=False)


def test_an_edited_comment_says_so_and_others_do_not():
    html = render(
        row(id=1),
        row(id=2, edited_at=datetime(2026, 11, 27, 14, 9, tzinfo=UTC)),
    )

    first, second = html.split('id="comment-2"')
    assert "edited" not in first
    assert '<span class="comment__edited">edited</span>' in second
