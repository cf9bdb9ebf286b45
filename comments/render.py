"""Render a page of approved comments to HTML in one pass over a prepared list.

Django's template engine costs about half a millisecond per comment here (a dozen variable
lookups, two date filters), so a 200-comment discussion would spend ~100 ms in the loop.
This builds the same markup with one format string per comment instead (a few µs each).
The output is the same for every reader: a reader's own held comments are rendered
separately, from templates/personal/.

Safety: every value interpolated below goes through ``escape`` (or is an integer or a
date we format), except ``body_html``, which was escaped by urlize and sanitised by nh3 when
the comment was posted (comments/text.py). tests/comments/test_render.py feeds it hostile
names, sites and text.
"""

from html import (
    escape,
)  # the standard library's: same escaping as Django's, without the lazy-string wrapper

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from comments.thread import OLDEST, thread_query

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# Every byte here is sent 200 times on a busy story, so the markup carries only what a
# reader, a screen reader, the stylesheet or site.js uses: the script finds a comment's id
# and name from id="comment-<id>" and .comment__author, and the header names the article
# for assistive technology without an id reference per comment.
COMMENT = (
    '<li id="comment-{id}" class="comment depth-{depth}">'
    '<article class="comment__body">'
    '<header class="comment__meta">'
    '<span class="avatar avatar--{hue}" aria-hidden="true">{initials}</span>'
    '<span class="comment__author">{author}</span>'
    '<a class="comment__date" href="{page_url}#comment-{id}"><time datetime="{iso}">{when}</time></a>{edited}'
    "{pick}</header>"
    '<div class="comment__text">{body}</div>{reply}{report}'
    "</article>{after}\n"
)
# The author changed the text inside the edit window (comments.services.comment_edit).
EDITED = '<span class="comment__edited">edited</span>'
REPLY = (
    '<p class="comment__reply"><a class="comment-reply-link" rel="nofollow" '
    'href="{reply_url}replytocom={id}#respond" aria-label="Reply to {name}">Reply</a></p>'
)
# The same link for every reader (no account, no token), so it fits the shared thread; the
# report page itself is never cached (comments/views.py report_comment).
REPORT = (
    '<p class="comment__report"><a rel="nofollow" href="{report_url}" '
    'aria-label="Report the comment by {name}">Report</a></p>'
)
# Plain text, not an icon: it is seen and it is heard (docs/decisions.md).
PICK_LABEL = '<span class="comment__pick">Editor’s pick</span>'
# An editor's pick in the block above the thread: no id (the comment keeps its own in the
# thread, where the link leads) and no Reply link (replying happens in the thread).
PICK = (
    '<li class="comment comment--pick">'
    '<article class="comment__body">'
    '<header class="comment__meta">'
    '<span class="avatar avatar--{hue}" aria-hidden="true">{initials}</span>'
    '<span class="comment__author">{author}</span>'
    '<time class="comment__date" datetime="{iso}">{when}</time>'
    "</header>"
    '<div class="comment__text">{body}</div>'
    '<p class="comment__in-thread"><a href="{url}#comment-{id}">See it in the thread'
    '<span class="visually-hidden"> (the comment by {name})</span></a></p>'
    "</article></li>\n"
)


def when(moment, zone=None) -> tuple[str, str]:
    """``(ISO 8601, "27 November 2026 at 14:05")`` in the site's time zone."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return (
        local.isoformat(timespec="seconds"),
        f"{local.day} {MONTHS[local.month - 1]} {local.year} at {local.hour:02d}:{local.minute:02d}",
    )


def author_html(name: str, url: str) -> str:
    """The commenter's name in ``<bdi>``, linked to their website when they gave one.

    ``<bdi>`` isolates the name's writing direction: a right-to-left name (or a bidi control
    stored before names were cleaned, comments/text.py) cannot reorder the words around it.
    """
    if url:
        return f'<a href="{escape(url)}" rel="ugc nofollow noopener"><bdi>{escape(name)}</bdi></a>'
    return f"<bdi>{escape(name)}</bdi>"


def page_address(article_url: str, *, order: str = OLDEST, page: int = 1) -> str:
    """The escaped address of one thread page in one order (``thread_query``), for an ``href``."""
    return escape(article_url + thread_query(order=order, page=page))


def _report_url_pattern() -> tuple[str, str]:
    # One reverse() per render, not per comment: the address around the comment's id.
    marker = 987654321
    before, after = reverse("comments:report", args=[marker]).split(str(marker))
    return escape(before), escape(after)


def render_comments(
    items,
    *,
    article_url: str,
    page_number: int,
    can_reply: bool,
    order: str = OLDEST,
    held_id: int | None = None,
    held_note: str = "",
) -> SafeString:
    """The ``<li>`` elements of one page of threads (see comments/thread.py for ``items``).

    Links carry the story's own address, so they also work on a page sent back after a
    failed post (which lives at the posting address), and the thread order being read.
    ``held_id``/``held_note``: the staff preview (comments.views.preview) marks the one
    comment readers cannot see (it gets no Report link: it cannot be reported).
    """
    page_url = page_address(article_url, order=order, page=page_number)
    reply_url = f"{page_url}&amp;" if "?" in page_url else f"{page_url}?"
    report_before, report_after = _report_url_pattern()
    zone = timezone.get_current_timezone()
    parts = []
    for item in items:
        c = item.comment
        iso, stamp = when(c.created_at, zone)
        name = escape(c.name)
        if item.has_children:
            after = '<ol class="children">'
        else:
            after = "</li>" + "</ol></li>" * len(item.closes)
        part = COMMENT.format(
            id=c.id,
            depth=item.depth,
            hue=item.hue,
            initials=escape(item.initials),
            author=author_html(c.name, c.url),
            page_url=page_url,
            iso=iso,
            when=stamp,
            edited=EDITED if c.edited_at else "",
            pick=PICK_LABEL if c.is_pick else "",
            body=c.body_html,
            reply=REPLY.format(reply_url=reply_url, id=c.id, name=name)
            if can_reply
            else "",
            report=REPORT.format(
                report_url=f"{report_before}{c.id}{report_after}", name=name
            )
            if c.id != held_id
            else "",
            after=after,
        )
        if c.id == held_id:
            part = _marked_held(part, held_note)
        parts.append(part)
    return mark_safe("".join(parts))  # noqa: S308 - see the module docstring


def _marked_held(part: str, note: str) -> str:
    """One comment's markup flagged as not public: the held style and a note above its text."""
    part = part.replace('class="comment ', 'class="comment comment--held ', 1)
    return part.replace(
        '<div class="comment__text">',
        f'<p class="comment__held" role="note"><strong>{escape(note)}</strong></p>'
        '<div class="comment__text">',
        1,
    )


def render_picks(picks, *, article_url: str, order: str = OLDEST) -> SafeString:
    """The ``<li>`` elements of the editor's picks block (``ThreadPage.picks``), each linked to its place."""
    zone = timezone.get_current_timezone()
    parts = []
    for pick in picks:
        c = pick.comment
        iso, stamp = when(c.created_at, zone)
        parts.append(
            PICK.format(
                id=c.id,
                hue=pick.hue,
                initials=escape(pick.initials),
                author=author_html(c.name, c.url),
                iso=iso,
                when=stamp,
                body=c.body_html,
                url=page_address(article_url, order=order, page=pick.page),
                name=escape(c.name),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - see the module docstring
