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

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

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
    "</header>"
    '<div class="comment__text">{body}</div>{reply}'
    "</article>{after}\n"
)
# The author changed the text inside the edit window (comments.services.comment_edit).
EDITED = '<span class="comment__edited">edited</span>'
REPLY = (
    '<p class="comment__reply"><a class="comment-reply-link" rel="nofollow" '
    'href="{reply_url}replytocom={id}#respond" aria-label="Reply to {name}">Reply</a></p>'
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


def render_comments(
    items,
    *,
    article_url: str,
    page_number: int,
    can_reply: bool,
    held_id: int | None = None,
    held_note: str = "",
) -> SafeString:
    """The ``<li>`` elements of one page of threads (see comments/thread.py for ``items``).

    Links carry the story's own address, so they also work on a page sent back after a
    failed post (which lives at the posting address). ``held_id``/``held_note``: the staff
    preview (comments.views.preview) marks the one comment readers cannot see.
    """
    page_url = (
        f"{escape(article_url)}?cpage={page_number}"
        if page_number > 1
        else escape(article_url)
    )
    reply_url = f"{page_url}&amp;" if page_number > 1 else f"{page_url}?"
    zone = timezone.get_current_timezone()
    parts = []
    for item in items:
        c = item.comment
        iso, stamp = when(c.created_at, zone)
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
            body=c.body_html,
            reply=REPLY.format(reply_url=reply_url, id=c.id, name=escape(c.name))
            if can_reply
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
