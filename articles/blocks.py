"""Page furniture shared by every page, cached so it costs no query on a warm cache.

Each block is read through the shared cache (Redis in production), so every app server
sees the same data (built from the database when the cache does not answer: newsroom/sharedcache.py), and saving the underlying rows drops the cached copy (articles/signals.py).
Trending, which needs comments too, is cached the same way by discovery/trending.py.
"""

from articles.models import AdSlot, Publication, Section
from newsroom.sharedcache import cached, call

NAV_KEY = "blocks:nav-sections"
ADS_KEY = "blocks:live-ads"
PUBLICATION_KEY = "blocks:publication"
# Saves drop these at once, but only from a cache every process shares: with the per-process
# default (locmem) another worker would keep its copy, so every block also expires on its own.
NAV_TTL = 600
PUBLICATION_TTL = 600
# Ad windows change with time, not only with saves.
ADS_TTL = 60


def nav_sections() -> list[Section]:
    """All sections in navigation order."""
    return cached(NAV_KEY, lambda: list(Section.objects.all()), timeout=NAV_TTL)


def publication() -> Publication | None:
    """The paper's details (logo, tagline, address, news desk), or None before an editor saves them.

    The masthead and the footer read it on every page: from the cache, no query once warm.
    """
    return cached(
        PUBLICATION_KEY,
        lambda: Publication.objects.order_by("pk").first(),
        timeout=PUBLICATION_TTL,
    )


def live_ads() -> dict[str, list[AdSlot]]:
    """Live ad slots grouped by placement."""

    def load():
        grouped = {placement: [] for placement in AdSlot.Placement.values}
        for slot in AdSlot.objects.live():
            grouped[slot.placement].append(slot)
        return grouped

    return cached(ADS_KEY, load, timeout=ADS_TTL)


def forget(*keys: str) -> None:
    # With the cache down there is nothing to drop; the blocks expire on their own (TTLs above).
    call("delete_many", keys)
