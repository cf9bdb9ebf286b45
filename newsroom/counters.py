"""Counters in the shared cache (Redis in production), so every app server counts together."""

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from newsroom import sharedcache

# Where counting goes on while the shared cache is down: this process's memory. A limit
# counted here holds per app server instead of across all of them (docs/reliability.md).
_local = LocMemCache("newsroom-counters-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


def _count(store, key: str, timeout: int) -> int:
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:
        store.set(key, 1, timeout=timeout)
        return 1


def cache_count(key: str, *, timeout: int) -> int:
    """Add one to the counter at ``key`` (created with ``timeout`` seconds to live); return its new value.

    ``add`` then ``incr`` is atomic on Redis and locmem; a counter evicted between the two
    starts again at 1 rather than failing. When the shared cache does not answer, the count
    is kept in this process's memory until it does.
    """
    if sharedcache.is_down():
        return _count(_local, key, timeout)
    try:
        value = _count(cache, key, timeout)
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed(exc)
        return _count(_local, key, timeout)
    sharedcache.answered()
    return value
