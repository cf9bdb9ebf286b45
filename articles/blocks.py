"""Page furniture shared by every page, cached so it costs no query on a warm cache.

Each block is read through the shared cache (Redis in production), so every app server
sees the same data, and saving the underlying rows drops the cached copy (articles/signals.py).
"""

from django.core.cache import cache

from articles.models import AdSlot, Article, Section

NAV_KEY = "blocks:nav-sections"
ADS_KEY = "blocks:live-ads"
TRENDING_KEY = "blocks:trending"
PUBLISHED_IDS_KEY = "blocks:published-ids"
# Saves drop these at once, but only from a cache every process shares: with the per-process
# default (locmem) another worker would keep its copy, so every block also expires on its own.
NAV_TTL = 600
# Ad windows, trending activity and scheduled stories change with time, not only with saves.
ADS_TTL = 60
TRENDING_TTL = 300
PUBLISHED_IDS_TTL = 300


def nav_sections() -> list[Section]:
    """All sections in navigation order."""
    return cache.get_or_set(
        NAV_KEY, lambda: list(Section.objects.all()), timeout=NAV_TTL
    )


def live_ads() -> dict[str, list[AdSlot]]:
    """Live ad slots grouped by placement."""

    def load():
        grouped = {placement: [] for placement in AdSlot.Placement.values}
        for slot in AdSlot.objects.live():
            grouped[slot.placement].append(slot)
        return grouped

    return cache.get_or_set(ADS_KEY, load, timeout=ADS_TTL)


def activity() -> dict[str, list[Article]]:
    """Trending and Most commented lists (articles/trending.py): one query per TRENDING_TTL."""
    from articles.trending import compute_trending

    return cache.get_or_set(TRENDING_KEY, compute_trending, timeout=TRENDING_TTL)


def published_ids() -> frozenset[int]:
    """Ids of the stories readers can see, for Trending's view counter: one query per PUBLISHED_IDS_TTL.

    A scheduled story joins the set at most PUBLISHED_IDS_TTL after its publication time.
    """
    return cache.get_or_set(
        PUBLISHED_IDS_KEY,
        lambda: frozenset(Article.objects.published().values_list("pk", flat=True)),
        timeout=PUBLISHED_IDS_TTL,
    )


def forget(*keys: str) -> None:
    cache.delete_many(keys)
