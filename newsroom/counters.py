"""Counters in the shared cache (Redis in production), so every app server counts together."""

from django.core.cache import cache


def cache_count(key: str, *, timeout: int) -> int:
    """Add one to the counter at ``key`` (created with ``timeout`` seconds to live); return its new value.

    ``add`` then ``incr`` is atomic on Redis and locmem; a counter evicted between the two
    starts again at 1 rather than failing.
    """
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=timeout)
        return 1
