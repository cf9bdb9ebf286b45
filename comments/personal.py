"""The per-reader parts of the discussion, all read from and written to cookies here.

Everything that makes one reader's page differ from another's — the remembered name and
email, the reader's own held comments — passes through this module and is rendered only by
templates in templates/personal/. A request carrying any cookie named in ``COOKIES`` gets
its own page, never the shared one: each is in ``PAGE_CACHE_BYPASS_COOKIES`` (with Django's
``sessionid``, ``csrftoken`` and ``messages``), and the comments.E002 check makes sure of it.
"""

import json
import re
import secrets
import time

from django.conf import settings
from django.utils import timezone

from comments import moderation
from comments.render import when

AUTHOR_COOKIE = "comment_author"
HELD_COOKIE = "comments_held"
# Set for a short while after a post, so the author's next pages skip every shared cache
# (ours, nginx's, a CDN's) and show their comment at once.
POSTED_COOKIE = "comments_posted"
# The comments this browser posted in the last COMMENTS_EDIT_WINDOW minutes, with their post
# times: the only proof that a reader wrote a comment (never the name or email they typed).
MINE_COOKIE = "comments_mine"
# A random id for a browser that has reported a comment: one report per reader per comment
# without an account. Set only by a report, so readers who never report keep shared pages.
REPORTER_COOKIE = "comments_reporter"
# Every cookie this module sets: each must make the page cache step aside (comments/checks.py).
COOKIES = (AUTHOR_COOKIE, HELD_COOKIE, POSTED_COOKIE, MINE_COOKIE, REPORTER_COOKIE)
HELD_SALT = "comments.held"
AUTHOR_SALT = "comments.author"
MINE_SALT = "comments.mine"
MINE_MAX = 20
REPORTER_SALT = "comments.reporter"
REPORTER_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
HELD_MAX = 20
ONE_YEAR = 365 * 24 * 3600
THIRTY_DAYS = 30 * 24 * 3600


def _cookie_options():
    return {
        "httponly": True,
        "samesite": "Lax",
        "secure": settings.SESSION_COOKIE_SECURE,
    }


def held_ids(request) -> list[int]:
    """Ids of comments this browser posted that are still awaiting moderation (maybe)."""
    raw = request.get_signed_cookie(
        HELD_COOKIE, default="", salt=HELD_SALT, max_age=THIRTY_DAYS
    )
    return [int(part) for part in raw.split(",") if part.isdigit()][-HELD_MAX:]


def remember_held(request, response, comment_id: int) -> None:
    ids = [i for i in held_ids(request) if i != comment_id] + [comment_id]
    response.set_signed_cookie(
        HELD_COOKIE,
        ",".join(map(str, ids[-HELD_MAX:])),
        salt=HELD_SALT,
        max_age=THIRTY_DAYS,
        **_cookie_options(),
    )


def forget_held(request, response, comment_id: int) -> None:
    """Drop ``comment_id`` from this browser's held comments (it was deleted)."""
    ids = [i for i in held_ids(request) if i != comment_id]
    if ids:
        response.set_signed_cookie(
            HELD_COOKIE,
            ",".join(map(str, ids)),
            salt=HELD_SALT,
            max_age=THIRTY_DAYS,
            **_cookie_options(),
        )
    elif HELD_COOKIE in request.COOKIES:
        response.delete_cookie(HELD_COOKIE, samesite="Lax")


def edit_window_seconds() -> int:
    """``COMMENTS_EDIT_WINDOW`` in seconds (0: authors cannot change their comments)."""
    return max(0, settings.COMMENTS_EDIT_WINDOW) * 60


def _mine(request, now: float) -> dict[int, int]:
    """``{comment id: posted at (Unix time)}`` from the signed cookie, still inside the window."""
    window = edit_window_seconds()
    if not window or MINE_COOKIE not in request.COOKIES:
        return {}
    raw = request.get_signed_cookie(
        MINE_COOKIE, default="", salt=MINE_SALT, max_age=window
    )
    found = {}
    for part in raw.split(","):
        comment_id, _, posted = part.partition(":")
        if comment_id.isdigit() and posted.isdigit() and now - int(posted) < window:
            found[int(comment_id)] = int(posted)
    return found


def own_ids(request, now: float | None = None) -> list[int]:
    """Ids of comments this browser posted less than ``COMMENTS_EDIT_WINDOW`` minutes ago.

    Read from a signed cookie only: no query. Whether a comment may still be changed is
    decided from the database (``comments.services.comment_change_check``); the time in the
    cookie only lets old entries drop out.
    """
    return list(_mine(request, time.time() if now is None else now))


def owns(request, comment_id: int) -> bool:
    """True when this browser posted ``comment_id`` inside the edit window (signed cookie)."""
    return comment_id in own_ids(request)


def remember_own(request, response, comment_id: int, posted_at) -> None:
    """Record that this browser posted ``comment_id`` at ``posted_at``: it may change it for a while."""
    window = edit_window_seconds()
    if not window:
        return
    now = time.time()
    mine = {k: v for k, v in _mine(request, now).items() if k != comment_id}
    mine[comment_id] = int(posted_at.timestamp())
    _set_mine(response, mine, window)


def forget_own(request, response, comment_id: int) -> None:
    """Drop ``comment_id`` from this browser's own comments (it was deleted)."""
    mine = {k: v for k, v in _mine(request, time.time()).items() if k != comment_id}
    if mine:
        _set_mine(response, mine, edit_window_seconds())
    elif MINE_COOKIE in request.COOKIES:
        response.delete_cookie(MINE_COOKIE, samesite="Lax")


def _set_mine(response, mine: dict[int, int], window: int) -> None:
    newest = sorted(mine.items(), key=lambda item: item[1])[-MINE_MAX:]
    response.set_signed_cookie(
        MINE_COOKIE,
        ",".join(f"{k}:{v}" for k, v in newest),
        salt=MINE_SALT,
        # The cookie goes when the newest comment's window closes.
        max_age=window,
        **_cookie_options(),
    )


def change_deadlines(request, rows, approved) -> dict[int, object]:
    """``{id: until when}`` for this browser's own comments among ``rows`` that it may still change.

    The rules of ``comments.services.comment_change_check`` (inside the window, no published
    reply), read from the thread rows the page loaded anyway: no query. The views check
    again against the database before changing anything.
    """
    own = set(own_ids(request))
    if not own:
        return {}
    answered = {c.parent_id for c in approved}
    now = timezone.now()
    return {
        c.id: moderation.edit_deadline(c.created_at)
        for c in rows
        if c.id in own
        and c.id not in answered
        and moderation.in_edit_window(c.created_at, now)
    }


def own_published(request, approved) -> list[dict]:
    """This browser's published comments it may still edit or delete, for "Your recent comments"."""
    deadlines = change_deadlines(request, approved, approved)
    items = []
    for c in approved:
        if c.id in deadlines:
            iso, stamp = when(c.created_at)
            items.append(
                {
                    "id": c.id,
                    "iso": iso,
                    "when": stamp,
                    "change": change_until(deadlines[c.id]),
                }
            )
    return items


def change_until(deadline) -> dict:
    """``{"until": "14:15", "until_iso": ...}``: a change deadline as the templates show it."""
    local = timezone.localtime(deadline)
    return {"until_iso": local.isoformat(timespec="seconds"), "until": f"{local:%H:%M}"}


def held_controls(request, held, approved) -> dict[int, dict]:
    """``{id: {"until", "until_iso"}}`` for the held comments this browser may still change."""
    return {
        cid: change_until(deadline)
        for cid, deadline in change_deadlines(request, held, approved).items()
    }


def remembered_author(request) -> dict:
    """The name, email and website saved by "Save my name, email, and website…", or {}."""
    raw = request.get_signed_cookie(AUTHOR_COOKIE, default="", salt=AUTHOR_SALT)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return (
        {key: str(data[key]) for key in ("name", "email", "url") if key in data}
        if isinstance(data, dict)
        else {}
    )


def remember_author(response, *, name: str, email: str, url: str) -> None:
    value = json.dumps({"name": name, "email": email, "url": url})
    response.set_signed_cookie(
        AUTHOR_COOKIE, value, salt=AUTHOR_SALT, max_age=ONE_YEAR, **_cookie_options()
    )


def posted_max_age() -> int:
    """Long enough for every shared copy of a page, stale ones included, to have been replaced."""
    return settings.PAGE_S_MAXAGE + settings.PAGE_STALE_SECONDS


def remember_posted(response) -> None:
    """Mark this browser as having just posted: its pages bypass shared caches for a while."""
    response.set_cookie(
        POSTED_COOKIE, "1", max_age=posted_max_age(), **_cookie_options()
    )


def forget_author(response) -> None:
    response.delete_cookie(AUTHOR_COOKIE, samesite="Lax")


def reporter_id(request) -> str:
    """This browser's reporter id from its signed cookie, or a new random one (not yet stored)."""
    raw = request.get_signed_cookie(
        REPORTER_COOKIE, default="", salt=REPORTER_SALT, max_age=ONE_YEAR
    )
    return raw if REPORTER_ID.fullmatch(raw) else secrets.token_urlsafe(18)


def remember_reporter(response, reporter: str) -> None:
    """Keep the reporter id in this browser (after a report): its next report of the same comment is refused."""
    response.set_signed_cookie(
        REPORTER_COOKIE,
        reporter,
        salt=REPORTER_SALT,
        max_age=ONE_YEAR,
        **_cookie_options(),
    )
