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

from django.conf import settings

AUTHOR_COOKIE = "comment_author"
HELD_COOKIE = "comments_held"
# Set for a short while after a post, so the author's next pages skip every shared cache
# (ours, nginx's, a CDN's) and show their comment at once.
POSTED_COOKIE = "comments_posted"
# A random id for a browser that has reported a comment: one report per reader per comment
# without an account. Set only by a report, so readers who never report keep shared pages.
REPORTER_COOKIE = "comments_reporter"
# Every cookie this module sets: each must make the page cache step aside (comments/checks.py).
COOKIES = (AUTHOR_COOKIE, HELD_COOKIE, POSTED_COOKIE, REPORTER_COOKIE)
HELD_SALT = "comments.held"
AUTHOR_SALT = "comments.author"
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
