"""What makes pages change with time alone: a scheduled story going live, an ad slot's window.

Registered with the page cache (newsroom/pagecache.py) in ``DiscoveryConfig.ready()``: the
cache keeps the next such moment beside the content version, and the first anonymous request
after it bumps the version, so the story is on the home page, its section, the feeds and the
sitemaps on the very next request, with no write and no cron job.
"""

from django.core.cache import cache
from django.utils import timezone

from articles import blocks
from articles.models import AdSlot, Article
from discovery import trending


def next_page_change():
    """The next moment a story is published or an ad slot starts or ends (None: nothing planned).

    One query: the future moments of all three kinds (there are few), the earliest kept.
    """
    now = timezone.now()
    moments = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by()
        .values_list("published_at")
        .union(
            AdSlot.objects.filter(is_active=True, starts_at__gt=now)
            .order_by()
            .values_list("starts_at"),
            AdSlot.objects.filter(is_active=True, ends_at__gt=now)
            .order_by()
            .values_list("ends_at"),
            all=True,
        )
    )
    return min((moment for (moment,) in moments), default=None)


def page_change_due() -> None:
    """Drop the cached blocks that would still show the past (live ads, published ids, Trending)."""
    blocks.forget(blocks.ADS_KEY)
    cache.delete_many([trending.TRENDING_KEY, trending.PUBLISHED_IDS_KEY])
