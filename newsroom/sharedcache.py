"""The shared cache (Redis in production), used so that a cache that does not answer never breaks a page.

Every block read through ``cached()`` is built from the database when the cache fails, and
``call()`` gives a default instead of raising. While the cache is down each process skips it
for RETRY_SECONDS after a failure (no connection attempt per block, per request), then tries
again: the first answer closes the outage, so the site recovers without a restart. The outage
is logged when it starts, at most once per LOG_INTERVAL while it lasts, and when it ends —
never once per request. The state is per process on purpose: each app server finds out for
itself, and none needs another's.
"""

import logging
import threading
import time

from django.core.cache import cache

try:
    from redis.exceptions import RedisError
except (
    ImportError
):  # pragma: no cover - redis is a dependency; memcached users need not have it
    RedisError = OSError

logger = logging.getLogger(__name__)

# What a cache that is down, refusing or timing out raises (redis-py; memcached clients raise
# socket errors, which are OSErrors).
CACHE_ERRORS = (RedisError, OSError)
RETRY_SECONDS = 2.0
LOG_INTERVAL = 60.0

_lock = threading.Lock()
_state = {"down_since": None, "retry_at": 0.0, "logged_at": None}


def clock() -> float:
    return time.monotonic()


def is_down() -> bool:
    """True while this process skips the cache after a failure (for at most RETRY_SECONDS)."""
    return clock() < _state["retry_at"]


def failed(exc: BaseException) -> None:
    """Record that the cache did not answer; logged once per LOG_INTERVAL, not per call."""
    now = clock()
    with _lock:
        first = _state["down_since"] is None
        if first:
            _state["down_since"] = now
        _state["retry_at"] = now + RETRY_SECONDS
        due = _state["logged_at"] is None or now - _state["logged_at"] >= LOG_INTERVAL
        if due:
            _state["logged_at"] = now
    if due:
        logger.error(
            "The shared cache is not answering (%s: %s); pages are built without it, "
            "retrying every %.0f s",
            type(exc).__name__,
            exc,
            RETRY_SECONDS,
        )


def answered() -> None:
    """Record that the cache answered; closes an outage (logged once)."""
    if _state["down_since"] is None:
        return
    with _lock:
        since = _state["down_since"]
        _state.update(down_since=None, retry_at=0.0, logged_at=None)
    if since is not None:
        logger.warning(
            "The shared cache answers again after %.1f s", max(0.0, clock() - since)
        )


def reset() -> None:
    """Forget any outage (tests)."""
    _state.update(down_since=None, retry_at=0.0, logged_at=None)


_MISSING = object()


def cached(key: str, build, *, timeout: int):
    """``cache.get_or_set(key, build, timeout)``, or ``build()`` when the cache does not answer."""
    if is_down():
        return build()
    try:
        value = cache.get(key, _MISSING)
    except CACHE_ERRORS as exc:
        failed(exc)
        return build()
    answered()
    if value is _MISSING:
        # Built outside the cache call: an error of the build itself (a missing file, say) is
        # that error, not "the cache is not answering".
        value = build()
        call("set", key, value, timeout=timeout)
    return value


def call(method: str, *args, default=None, **kwargs):
    """``cache.<method>(*args, **kwargs)``, or ``default`` when the cache does not answer."""
    if is_down():
        return default
    try:
        value = getattr(cache, method)(*args, **kwargs)
    except CACHE_ERRORS as exc:
        failed(exc)
        return default
    answered()
    return value


def probe() -> bool:
    """Whether the cache answers a write and a read now (for /healthz): always really asks."""
    try:
        cache.set("healthz:probe", "1", timeout=10)
        ok = cache.get("healthz:probe") == "1"
    except CACHE_ERRORS as exc:
        failed(exc)
        return False
    if ok:
        answered()
    return ok
