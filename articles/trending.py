"""Trending: stories ranked by reader activity over the last week.

Score = page views in the last 7 days + COMMENT_WEIGHT × approved comments in the last 7 days.

Page views are counted without a database write per view and without touching the cached
page: the article page's script sends a beacon to ``count_view``, which increments a counter
in the shared cache. At most once every FLUSH_INTERVAL seconds (across all app servers, via
an atomic ``cache.add`` lock) a beacon request moves the counters into ArticleDailyViews rows.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article, ArticleDailyViews

WINDOW_DAYS = 7
COMMENT_WEIGHT = 20
FLUSH_INTERVAL = 300
COUNTER_TTL = 7 * 24 * 3600
CANDIDATES = 100
FLUSH_LOCK = "trending:flush-lock"


def view_key(article_id: int) -> str:
    return f"trending:views:{article_id}"


def count_view(article_id: int) -> None:
    """Count one page view in the shared cache; no database query."""
    key = view_key(article_id)
    cache.add(key, 0, timeout=COUNTER_TTL)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=COUNTER_TTL)


def flush_due() -> bool:
    """True for exactly one caller per FLUSH_INTERVAL, whichever app server asks."""
    return cache.add(FLUSH_LOCK, 1, timeout=FLUSH_INTERVAL)


def flush_views(today=None) -> int:
    """Move counted views from the cache into today's ArticleDailyViews rows; return how many."""
    today = today or timezone.localdate()
    moved = 0
    ids = list(Article.objects.published().values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        counts = cache.get_many([view_key(pk) for pk in chunk])
        for pk in chunk:
            n = counts.get(view_key(pk)) or 0
            if n <= 0:
                continue
            # decr, not delete: views counted meanwhile by other servers stay for the next flush.
            cache.decr(view_key(pk), n)
            updated = ArticleDailyViews.objects.filter(article_id=pk, day=today).update(
                views=F("views") + n
            )
            if not updated:
                ArticleDailyViews.objects.create(article_id=pk, day=today, views=n)
            moved += n
    return moved


def activity_ranking(limit: int = CANDIDATES, now=None) -> list[Article]:
    """Published stories with any activity in the window, most active first, from one query.

    Each carries ``views_week``, ``comments_week`` and ``score``.
    """
    now = now or timezone.now()
    since = now - timedelta(days=WINDOW_DAYS)
    views = (
        ArticleDailyViews.objects.filter(article=OuterRef("pk"), day__gt=since.date())
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return list(
        Article.objects.published()
        .annotate(
            views_week=Coalesce(Subquery(views, output_field=IntegerField()), Value(0)),
            comments_week=Count(
                "comments",
                filter=Q(comments__status="approved", comments__created_at__gte=since),
            ),
        )
        .annotate(score=F("views_week") + COMMENT_WEIGHT * F("comments_week"))
        .filter(score__gt=0)
        .order_by("-score", "-published_at")
        .only("pk", "headline", "slug", "published_at")[:limit]
    )


def compute_trending(limit: int = 5) -> dict[str, list[Article]]:
    """The Trending and Most commented lists, from one query."""
    ranked = activity_ranking()
    most_commented = sorted(
        (a for a in ranked if a.comments_week),
        key=lambda a: (-a.comments_week, -a.published_at.timestamp()),
    )
    return {"trending": ranked[:limit], "most_commented": most_commented[:limit]}
