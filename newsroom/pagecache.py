"""The content version: one number in the shared cache that every cached page is keyed on.

Anything that changes what a page shows (a story published, edited or unpublished; a comment
approved, removed or edited; an ad slot, section, author or standing page saved) calls
``pages_changed()``, which bumps the version once the transaction commits. A page stored
under an older version is never served again, on any app server, so the next request
renders it fresh: exact invalidation without knowing which pages showed what.

A cache that does not answer never breaks a page: ``content_version()`` then returns None,
which means "do not use the page cache for this request".
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
# The version never expires on its own; pages stored under it do (PAGE_CACHE_SECONDS).
VERSION_TTL = None


def content_version() -> int | None:
    """The current content version, or None when the cache cannot be reached.

    A fresh cache starts from the clock in milliseconds, so a cache that was emptied (or a
    new per-process cache) never reuses a number that pages were once stored under.
    """
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, int(time.time() * 1000), timeout=VERSION_TTL)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:  # any cache failure: serve uncached rather than fail
        logger.warning("Page cache: the cache did not answer", exc_info=True)
        return None


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or evicted): start one
            cache.add(VERSION_KEY, int(time.time() * 1000), timeout=VERSION_TTL)
    except Exception:
        logger.warning("Page cache: could not bump the content version", exc_info=True)


def pages_changed() -> None:
    """Make every cached page stale, once the current transaction (if any) commits.

    After commit, not before: a page rendered in between would otherwise be stored under
    the new version with the old content.
    """
    transaction.on_commit(_bump, robust=True)
