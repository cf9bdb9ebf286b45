"""Spam defences that never bother a real reader: the signed form time and the per-IP rate limit.

The client's IP address comes from ``newsroom.net.client_ip`` (via ``comments.services.Client``).
"""

import hashlib
import logging
import secrets
import time
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from newsroom.counters import cache_count
from newsroom.net import reader_network

logger = logging.getLogger(__name__)

FORM_SALT = "comments.form-timestamp"
USED_KEY = "comments:form-used:"


def clock() -> float:
    """Seconds since the epoch; one place for tests to stop the clock."""
    return time.time()


def form_token(article_id: int, now: float | None = None) -> str:
    """A signed token recording which article's form was rendered, when, and a random nonce."""
    return signing.dumps(
        {
            "a": article_id,
            "t": int(now if now is not None else clock()),
            "n": secrets.token_urlsafe(9),
        },
        salt=FORM_SALT,
    )


class FormToken(NamedTuple):
    age: float  # seconds since the form was rendered
    # One per rendered form (tokens made before nonces: their article and time).
    nonce: str


class FormExpired(Exception):
    """The form is older than COMMENTS_FORM_MAX_AGE_DAYS, or its token was tampered with."""


def form_age(token: str, article_id: int, now: float | None = None) -> float:
    """Seconds since the form was rendered; raise FormExpired if too old, forged or for another article."""
    return read_form_token(token, article_id, now).age


def read_form_token(token: str, article_id: int, now: float | None = None) -> FormToken:
    """The form's age and nonce; raise FormExpired if too old, forged or for another article."""
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
    nonce = data.get("n")
    if not isinstance(nonce, str):
        nonce = f"{article_id}-{data['t']}"
    return FormToken(age, nonce)


def form_claim(
    nonce: str, *, ip_address: str | None, email: str
) -> tuple[bool, list[str]]:
    """Mark one rendered form as used by this client and this email; ``(reused, keys_claimed)``.

    A token is good for one comment per IP address and per email (docs/decisions.md): a
    replay from the same address or under the same email is ``reused``. Readers who share a
    cached page (one token) each post once with it. ``cache.add`` is atomic in the shared
    cache, so concurrent replays cannot all pass. Give the keys back with ``form_release``
    when the comment is then not stored: a failed post must not burn the token.
    """
    ttl = settings.COMMENTS_FORM_MAX_AGE_DAYS * 86400 + 60
    reused, claimed = False, []
    for kind, value in (("ip", ip_address), ("email", (email or "").lower())):
        if not value:
            continue
        digest = hashlib.sha256(f"{nonce}|{kind}|{value}".encode()).hexdigest()[:40]
        key = USED_KEY + digest
        try:
            added = cache.add(key, 1, timeout=ttl)
        except Exception:
            # The cache is down: fail open, the rate limit and the other holds still apply.
            logger.warning("Could not check form reuse in the cache", exc_info=True)
            return False, claimed
        if added:
            claimed.append(key)
        else:
            reused = True
    return reused, claimed


def form_release(keys: list[str]) -> None:
    """Forget claims made by ``form_claim`` for a comment that was not stored."""
    if keys:
        try:
            cache.delete_many(keys)
        except Exception:
            logger.warning("Could not release form claims in the cache", exc_info=True)


def rate_limited(ip_address: str | None, now: float | None = None) -> bool:
    """Count one post from this IP (an IPv6 address counts as its /64); True once it has posted more than the limit this minute.

    Counted in the shared cache (Redis in production) so every app server sees the same count.
    """
    if not ip_address:
        return False
    minute = int((now if now is not None else clock()) // 60)
    key = f"comments:rate:{reader_network(ip_address)}:{minute}"
    return cache_count(key, timeout=120) > settings.COMMENTS_RATE_LIMIT


def reports_rate_limited(ip_address: str | None, now: float | None = None) -> bool:
    """Count one report from this IP; True once it has sent more than COMMENTS_REPORTS_PER_HOUR this hour.

    Counted like ``rate_limited`` (the shared cache; this process's memory while the cache is
    down, so an outage never turns a report into an error).
    """
    if not ip_address:
        return False
    hour = int((now if now is not None else clock()) // 3600)
    key = f"comments:reports:{reader_network(ip_address)}:{hour}"
    return cache_count(key, timeout=3700) > settings.COMMENTS_REPORTS_PER_HOUR
