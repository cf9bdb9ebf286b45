"""What makes pages change with time alone: a scheduled story going live, an ad slot's window,
and the date: the masthead prints today's date on every page.

Registered with the page cache (newsroom/pagecache.py) in ``DiscoveryConfig.ready()``: the
cache keeps the next such moment beside the content version, and the first anonymous request
after it bumps the version, so the story is on the home page, its section, the feeds and the
sitemaps on the very next request, with no write and no cron job.
"""

from datetime import datetime, time, timedelta

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


def next_date_change():
    """The next local midnight (``TIME_ZONE``): every page's masthead shows a new date from then.

    No query. Pages stored before midnight are made stale at midnight, not up to
    PAGE_CACHE_SECONDS later (a proxy in front may keep its copy s-maxage plus
    stale-while-revalidate seconds longer: docs/decisions.md, "Newspaper front page").
    """
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))
