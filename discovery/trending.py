"""Trending: stories ranked by reader activity over the last week.

Score = page views + COMMENT_WEIGHT × approved comments, both counted over one window: the
last WINDOW_DAYS local calendar days, today included (``window()``).

Page views are counted without a database write per view and without touching the cached
page: the article page's script sends a beacon to ``count_view``, which increments a counter
in the shared cache. A beacon counts only when it names a published story (the cached set of
published ids: no query per beacon) and only once per reader IP per story per VIEW_THROTTLE,
so nobody can push a story up the list by repeating requests. At most once every
FLUSH_INTERVAL seconds (across all app servers, via an atomic ``cache.add`` lock) a beacon
request moves the counters into ArticleDailyViews rows; ``manage.py flush_trending_views``
does the same from cron.
"""

import hashlib
import ipaddress
from contextlib import suppress
from datetime import date, datetime, time, timedelta
from operator import attrgetter

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from articles.models import Article, ArticleDailyViews
from comments.models import Comment
from newsroom import sharedcache
from newsroom.counters import cache_count

WINDOW_DAYS = 7
COMMENT_WEIGHT = 20
LIST_LENGTH = 5
FLUSH_INTERVAL = 300
FLUSH_CHUNK = 1000
COUNTER_TTL = 7 * 24 * 3600
VIEW_THROTTLE = 30 * 60
FLUSH_LOCK = "trending:flush-lock"  # taken once per FLUSH_INTERVAL: "a flush is due"
FLUSHING_LOCK = "trending:flushing"  # held while a flush runs, so two never overlap
FLUSHING_TIMEOUT = 600  # frees the lock should a flushing process die
# The two cached blocks; saves drop them (discovery/signals.py), but only from a cache every
# process shares: with the per-process default (locmem) another worker would keep its copy,
# so each also expires on its own. Activity and scheduled stories change with time anyway.
TRENDING_KEY = "blocks:trending"
PUBLISHED_IDS_KEY = "blocks:published-ids"
TRENDING_TTL = 300
PUBLISHED_IDS_TTL = 300


def view_key(article_id: int) -> str:
    return f"trending:views:{article_id}"


def seen_key(article_id: int, ip: str) -> str:
    """The throttle key for one reader and one story.

    IPv6 readers are keyed by their /64 network, which one household or phone can fill with
    addresses at will. Hashed, so any string a proxy forwards makes a valid cache key.
    """
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        reader = ip
    else:
        if address.version == 6:
            reader = str(ipaddress.ip_network(f"{address}/64", strict=False))
        else:
            reader = str(address)
    digest = hashlib.sha256(reader.encode()).hexdigest()[:20]
    return f"trending:seen:{article_id}:{digest}"


def window(now=None) -> tuple[date, datetime]:
    """The Trending window: its first local day and the moment that day starts.

    The last WINDOW_DAYS local calendar days, today included; page views (stored per day) and
    comments (stored with a time) are both counted from that first day's local midnight.
    """
    first_day = timezone.localdate(now) - timedelta(days=WINDOW_DAYS - 1)
    return first_day, timezone.make_aware(datetime.combine(first_day, time.min))


def count_view(article_id: int, ip: str | None) -> bool:
    """Count one page view in the shared cache; return whether it counted.

    No database query, except one per PUBLISHED_IDS_TTL to refresh the published ids. Not
    counted: ids of stories that are not published, requests without an IP, and a reader who
    already counted for this story within VIEW_THROTTLE seconds.
    """
    # A view counted while the shared cache is down would never reach the database: not counted.
    if sharedcache.is_down() or article_id not in published_ids() or not ip:
        return False
    try:
        if not cache.add(seen_key(article_id, ip), 1, timeout=VIEW_THROTTLE):
            return False
        cache_count(view_key(article_id), timeout=COUNTER_TTL)
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed(exc)
        return False
    return True


def flush_due() -> bool:
    """True for exactly one caller per FLUSH_INTERVAL, whichever app server asks."""
    return sharedcache.call("add", FLUSH_LOCK, 1, timeout=FLUSH_INTERVAL, default=False)


def flush_views(today=None) -> int | None:
    """Move counted views from the cache into today's ArticleDailyViews rows; return how many.

    None when another flush is running (a beacon's and cron's at once): it moves them.
    Rows are written first, in one transaction per chunk, and the cache counters are only
    decremented afterwards, so a database error leaves every view counted for the next flush.
    """
    if not cache.add(FLUSHING_LOCK, 1, timeout=FLUSHING_TIMEOUT):
        return None
    try:
        return _flush(today or timezone.localdate())
    finally:
        cache.delete(FLUSHING_LOCK)


def _flush(today: date) -> int:
    moved = 0
    ids = sorted(published_ids())
    for start in range(0, len(ids), FLUSH_CHUNK):
        keys = {pk: view_key(pk) for pk in ids[start : start + FLUSH_CHUNK]}
        counts = cache.get_many(list(keys.values()))
        pending = {pk: counts.get(key) or 0 for pk, key in keys.items()}
        pending = {pk: n for pk, n in pending.items() if n > 0}
        if not pending:
            continue
        # The id set may be up to PUBLISHED_IDS_TTL old: a story deleted since has no row to add to.
        existing = set(
            Article.objects.filter(pk__in=pending).values_list("pk", flat=True)
        )
        with transaction.atomic():
            for pk in existing:
                n = pending[pk]
                updated = ArticleDailyViews.objects.filter(
                    article_id=pk, day=today
                ).update(views=F("views") + n)
                if not updated:
                    ArticleDailyViews.objects.create(article_id=pk, day=today, views=n)
        # decr, not delete: views counted meanwhile (by other servers) stay for the next flush.
        # ValueError: the counter was evicted or expired since it was read; its views are stored.
        for pk, n in pending.items():
            with suppress(ValueError):
                cache.decr(keys[pk], n)
        moved += sum(pending[pk] for pk in existing)
    return moved


def ranked_activity(limit: int = LIST_LENGTH, now=None) -> list[Article]:
    """Every story in the top ``limit`` by score or in the top ``limit`` by comments, from one query.

    Each carries ``views_week``, ``comments_week``, ``score``, and its place in both rankings
    (``score_rank``, ``comment_rank``; ties go to the newer story). Only published stories
    with activity in the window are ranked at all.
    """
    first_day, start = window(now)
    recent_views = ArticleDailyViews.objects.filter(day__gte=first_day)
    recent_comments = Comment.objects.approved().filter(created_at__gte=start)
    views_week = (
        recent_views.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    comments_week = (
        recent_comments.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    newest_first = [F("published_at").desc(), F("pk").desc()]
    return list(
        Article.objects.published()
        .filter(
            Q(pk__in=recent_views.values("article"))
            | Q(pk__in=recent_comments.values("article"))
        )
        .annotate(
            views_week=Coalesce(Subquery(views_week, output_field=IntegerField()), 0),
            comments_week=Coalesce(
                Subquery(comments_week, output_field=IntegerField()), 0
            ),
        )
        .annotate(score=F("views_week") + COMMENT_WEIGHT * F("comments_week"))
        .filter(score__gt=0)
        .annotate(
            score_rank=Window(RowNumber(), order_by=[F("score").desc(), *newest_first]),
            comment_rank=Window(
                RowNumber(), order_by=[F("comments_week").desc(), *newest_first]
            ),
        )
        # Django wraps the query so the database filters on the finished window values.
        .filter(Q(score_rank__lte=limit) | Q(comment_rank__lte=limit))
        .order_by("score_rank")
        .only("pk", "headline", "slug", "published_at")
    )


def compute_trending(limit: int = LIST_LENGTH) -> dict[str, list[Article]]:
    """The Trending and Most commented lists, from one query."""
    ranked = ranked_activity(limit)
    trending = sorted(
        (a for a in ranked if a.score_rank <= limit), key=attrgetter("score_rank")
    )
    most_commented = sorted(
        (a for a in ranked if a.comment_rank <= limit and a.comments_week > 0),
        key=attrgetter("comment_rank"),
    )
    return {"trending": trending, "most_commented": most_commented}


def activity() -> dict[str, list[Article]]:
    """Trending and Most commented lists, cached: one query per TRENDING_TTL."""
    return sharedcache.cached(TRENDING_KEY, compute_trending, timeout=TRENDING_TTL)


def published_ids() -> frozenset[int]:
    """Ids of the stories readers can see, for the view counter: one query per PUBLISHED_IDS_TTL.

    A scheduled story joins the set at most PUBLISHED_IDS_TTL after its publication time.
    """
    return sharedcache.cached(
        PUBLISHED_IDS_KEY,
        lambda: frozenset(Article.objects.published().values_list("pk", flat=True)),
        timeout=PUBLISHED_IDS_TTL,
    )
