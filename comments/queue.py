"""The moderation queue's rules: what waits, in which order, the commenters' records and the decisions.

Plain functions the queue page (``comments/desk.py``) and the admin index tag
(``comments_tags.moderation_summary``) call. Every decision goes through the moderation
services in ``comments/services.py`` (which record who and when, keep the counts and the
pages right, and write the admin log); nothing here writes a comment itself.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Min, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Section
from comments import services
from comments.models import Comment, CommentReport

PER_PAGE = 50
SEARCH_MAX = 100

HELD = "held"
REPORTED = "reported"
TABS = (HELD, REPORTED)


@dataclass(frozen=True)
class Decision:
    key: str  # the POST value and, on the page, the keyboard shortcut's action
    label: str
    shortcut: str


APPROVE = Decision("approve", _("Approve"), "a")
SPAM = Decision("spam", _("Spam"), "s")
REMOVE = Decision("remove", _("Remove"), "r")
TRUST = Decision("trust", _("Approve and trust"), "t")
KEEP = Decision("keep", _("Keep (dismiss reports)"), "d")
DECISIONS = {d.key: d for d in (APPROVE, SPAM, REMOVE, TRUST, KEEP)}
# Which decisions each tab offers, in button order.
TAB_DECISIONS = {HELD: (APPROVE, SPAM, REMOVE, TRUST), REPORTED: (KEEP, REMOVE, SPAM)}


@dataclass(frozen=True)
class QueueFilters:
    """What the moderator narrowed the queue to (from the page's query string; bad values are ignored)."""

    tab: str = HELD
    story: int | None = None
    section: int | None = None
    reason: str | None = None
    q: str = ""
    page: str = "1"

    @classmethod
    def from_query(cls, query) -> "QueueFilters":
        def number(name):
            raw = (query.get(name) or "").strip()
            return int(raw) if raw.isdigit() and len(raw) < 10 else None

        reason = query.get("reason") or None
        tab = query.get("tab")
        page = (query.get("page") or "1").strip()
        return cls(
            tab=tab if tab in TABS else HELD,
            story=number("story"),
            section=number("section"),
            reason=reason if reason in Comment.Reason.values and reason else None,
            q=(query.get("q") or "").strip()[:SEARCH_MAX],
            page=page if page.isdigit() and len(page) < 7 else "1",
        )

    def query_items(self, *, page=True) -> list[tuple[str, str]]:
        """The filters as query-string pairs (only those set), to keep them across decisions."""
        items = [
            ("tab", self.tab if self.tab != HELD else ""),
            ("story", str(self.story or "")),
            ("section", str(self.section or "")),
            ("reason", self.reason or ""),
            ("q", self.q),
            ("page", self.page if page and self.page != "1" else ""),
        ]
        return [(k, v) for k, v in items if v]

    @property
    def narrowed(self) -> bool:
        return bool(self.story or self.section or self.reason or self.q)


def tab_comments(tab: str):
    """Everything a tab holds, before filters: held comments, or comments with open reports."""
    if tab == REPORTED:
        return Comment.objects.filter(report_count__gt=0)
    return Comment.objects.pending()


def queue_comments(filters: QueueFilters):
    """The tab's comments matching the filters, oldest first, with what a card shows loaded alongside.

    One query for the page of comments (story, section and the comment replied to joined in)
    and one for their open reports, whatever the number of cards.
    """
    comments = tab_comments(filters.tab)
    if filters.story:
        comments = comments.filter(article_id=filters.story)
    if filters.section:
        comments = comments.filter(article__section_id=filters.section)
    if filters.reason:
        comments = comments.filter(reason=filters.reason)
    if filters.q:
        q = filters.q
        comments = comments.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(body__icontains=q)
            | Q(ip_address__icontains=q)
        )
    open_reports = CommentReport.objects.filter(resolved_at__isnull=True).order_by(
        "created_at", "id"
    )
    return (
        comments.select_related("article", "article__section", "parent")
        .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="open"))
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class Record:
    """What a commenter (by email) has had decided before."""

    approved: int = 0
    spam: int = 0
    removed: int = 0

    @property
    def is_new(self) -> bool:
        return not (self.approved or self.spam or self.removed)


def commenter_records(emails) -> dict[str, Record]:
    """Each email's approved, spam and removed comments, from one aggregate query."""
    emails = {e for e in emails if e}
    if not emails:
        return {}
    rows = (
        Comment.objects.filter(email__in=emails)
        .order_by()
        .values("email")
        .annotate(
            approved=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
            spam=Count("pk", filter=Q(status=Comment.Status.SPAM)),
            removed=Count("pk", filter=Q(status=Comment.Status.REMOVED)),
        )
    )
    return {
        row["email"]: Record(row["approved"], row["spam"], row["removed"])
        for row in rows
    }


def filter_choices(tab: str) -> dict:
    """The stories and sections that have comments in the tab (two queries), for the filter menus."""
    ids = tab_comments(tab).order_by()
    stories = (
        Article.objects.filter(pk__in=ids.values("article_id"))
        .order_by("headline", "pk")
        .values_list("pk", "headline")
    )
    sections = (
        Section.objects.filter(pk__in=ids.values("article__section_id"))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return {
        "stories": list(stories),
        "sections": list(sections),
        "reasons": [(v, label) for v, label in Comment.Reason.choices if v],
    }


@dataclass(frozen=True)
class Summary:
    """The queue at a glance: "7 waiting · oldest 9 h · 2 reports open"."""

    waiting: int = 0
    oldest_at: object = None
    open_reports: int = 0
    reported_comments: int = 0
    now: object = field(default_factory=timezone.now)

    @property
    def oldest_age(self) -> str:
        return age(self.now - self.oldest_at) if self.oldest_at else ""

    @property
    def text(self) -> str:
        """ "7 waiting · oldest 9 h · 2 reports open" (the parts that apply)."""
        parts = [
            ngettext("%(n)d waiting", "%(n)d waiting", self.waiting)
            % {"n": self.waiting}
        ]
        if self.oldest_at:
            parts.append(gettext("oldest %(age)s") % {"age": self.oldest_age})
        parts.append(
            ngettext("%(n)d report open", "%(n)d reports open", self.open_reports)
            % {"n": self.open_reports}
        )
        return " · ".join(parts)

    def as_json(self) -> dict:
        return {
            "waiting": self.waiting,
            "open_reports": self.open_reports,
            "reported_comments": self.reported_comments,
            "text": self.text,
        }


def queue_summary() -> Summary:
    """How many wait, since when, and the open reports: one aggregate query."""
    totals = Comment.objects.order_by().aggregate(
        waiting=Count("pk", filter=Q(status=Comment.Status.PENDING)),
        oldest_at=Min("created_at", filter=Q(status=Comment.Status.PENDING)),
        open_reports=Sum("report_count", filter=Q(report_count__gt=0)),
        reported_comments=Count("pk", filter=Q(report_count__gt=0)),
    )
    return Summary(
        waiting=totals["waiting"] or 0,
        oldest_at=totals["oldest_at"],
        open_reports=totals["open_reports"] or 0,
        reported_comments=totals["reported_comments"] or 0,
    )


def last_decision():
    """The most recently decided comment (for "Last decision 12 min ago by sam"), or None."""
    return (
        Comment.objects.filter(moderated_at__isnull=False)
        .select_related("moderated_by")
        .order_by("-moderated_at", "-pk")
        .first()
    )


def age(delta: timedelta) -> str:
    """A short duration: "just now", "12 min", "9 h", "3 d"."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return gettext("under a minute")
    if seconds < 3600:
        return gettext("%(n)d min") % {"n": seconds // 60}
    if seconds < 2 * 86400:
        return gettext("%(n)d h") % {"n": seconds // 3600}
    return gettext("%(n)d d") % {"n": seconds // 86400}


def ago(moment, now=None) -> str:
    """ "3 h ago" (or "just now")."""
    delta = (now or timezone.now()) - moment
    if delta.total_seconds() < 60:
        return gettext("just now")
    return gettext("%(age)s ago") % {"age": age(delta)}


def decidable(ids, *, tab: str):
    """The given comments that are still in the tab (someone else may have decided them meanwhile)."""
    return list(
        tab_comments(tab)
        .filter(pk__in=list(ids))
        .order_by()
        .values_list("pk", flat=True)
    )


def decide(*, decision: Decision, ids, moderator) -> int:
    """Apply one decision to the given comments through the moderation services; returns how many.

    Open reports on each decided comment are resolved too. "Keep" resolves the reports and
    puts back a comment the reports had held (reason "Reported by readers").
    """
    ids = list(ids)
    if not ids:
        return 0
    comments = Comment.objects.filter(pk__in=ids)
    with transaction.atomic():
        resolved = services.comment_reports_resolve(
            comments=comments, moderator=moderator
        )
        if decision == KEEP:
            services.comments_moderate(
                comments.filter(
                    status=Comment.Status.PENDING, reason=Comment.Reason.REPORTED
                ),
                status=Comment.Status.APPROVED,
                moderator=moderator,
            )
            return resolved
        if decision == TRUST:
            return services.comments_approve_and_trust(comments, moderator=moderator)
        status = {
            APPROVE: Comment.Status.APPROVED,
            SPAM: Comment.Status.SPAM,
            REMOVE: Comment.Status.REMOVED,
        }[decision]
        changed = services.comments_moderate(
            comments, status=status, moderator=moderator
        )
        # A reported comment already approved is "decided" by approving it: its reports went.
        return max(changed, resolved)
