"""Spam defences that never bother a real reader: the signed form time and the per-IP rate limit.

The client's IP address comes from ``newsroom.net.client_ip`` (via ``comments.services.Client``).
"""

import time

from django.conf import settings
from django.core import signing

from newsroom.counters import cache_count

FORM_SALT = "comments.form-timestamp"


def clock() -> float:
    """Seconds since the epoch; one place for tests to stop the clock."""
    return time.time()


def form_token(article_id: int, now: float | None = None) -> str:
    """A signed token recording which article's form was rendered, and when."""
    return signing.dumps(
        {"a": article_id, "t": int(now if now is not None else clock())},
        salt=FORM_SALT,
    )


class FormExpired(Exception):
    """The form is older than COMMENTS_FORM_MAX_AGE_DAYS, or its token was tampered with."""


def form_age(token: str, article_id: int, now: float | None = None) -> float:
    """Seconds since the form was rendered; raise FormExpired if too old, forged or for another article."""
    try:
        data = signing.loads(token or "", salt=FORM_SALT)
    except signing.BadSignature:
        raise FormExpired from None
    if (
        not isinstance(data, dict)
        or data.get("a") != article_id
        or not isinstance(data.get("t"), int)
    ):
        raise FormExpired
    age = (now if now is not None else clock()) - data["t"]
    if age > settings.COMMENTS_FORM_MAX_AGE_DAYS * 86400:
        raise FormExpired
    return age


def rate_limited(ip_address: str | None, now: float | None = None) -> bool:
    """Count one post from this IP; True once it has posted more than the limit this minute.

    Counted in the shared cache (Redis in production) so every app server sees the same count.
    """
    if not ip_address:
        return False
    minute = int((now if now is not None else clock()) // 60)
    key = f"comments:rate:{ip_address}:{minute}"
    return cache_count(key, timeout=120) > settings.COMMENTS_RATE_LIMIT
