"""Rendered HTML fragments every reader shares, cached under the content version.

A page the page cache cannot serve (a reader with a cookie, a cache miss, a comment page
never asked for before) is still built mostly from pieces that are the same for everyone:
the story's head metadata, its body and related stories, the thread of approved comments.
Each is rendered once and stored under ``newsroom.pagecache.content_version()``, so every
write that calls ``pages_changed()`` makes all of them stale at once, on every app server,
exactly as it does for whole pages. ``FRAGMENT_CACHE_SECONDS`` bounds how long an unused
one is kept; 0 turns fragments off.

Only what is the same for every reader may go in a fragment: never anything from
templates/personal/ or comments/personal.py (tests/test_fragments.py checks it). When the
cache does not answer, fragments are rendered fresh: a page never fails for their sake.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from newsroom.pagecache import content_version

logger = logging.getLogger(__name__)

KEY_PREFIX = "fragment"
_UNSET = object()


def request_version(request) -> int | None:
    """The content version for this request, read from the cache once per request.

    One version for the whole page, so its fragments always belong together.
    """
    version = getattr(request, "_fragment_version", _UNSET)
    if version is _UNSET:
        version = content_version()
        if request is not None:
            request._fragment_version = version
    return version


def fragment_key(version: int, name: str, *parts) -> str:
    return ":".join([KEY_PREFIX, str(version), name, *map(str, parts)])


def cached_fragment(
    request, name: str, *parts, render: Callable[[], str]
) -> SafeString:
    """``render()``'s HTML, stored as fragment ``name`` + ``parts`` under the content version.

    ``parts`` must name everything the HTML depends on besides stored content (an id, a
    page number, a state that changes with time): the version covers the rest.
    """
    seconds = settings.FRAGMENT_CACHE_SECONDS
    version = request_version(request) if seconds > 0 else None
    if version is None:
        return mark_safe(render())  # noqa: S308 - render() returns template output
    key = fragment_key(version, name, *parts)
    try:
        html = cache.get(key)
    except Exception:  # an unreachable cache: render fresh rather than fail
        logger.warning("Fragment cache: the cache did not answer", exc_info=True)
        return mark_safe(render())  # noqa: S308 - render() returns template output
    if html is None:
        html = str(render())
        try:
            cache.set(key, html, timeout=seconds)
        except Exception:
            logger.warning("Fragment cache: could not store %s", name, exc_info=True)
    return mark_safe(html)  # noqa: S308 - stored from render(), template output
