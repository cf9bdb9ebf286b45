"""The moderation policy: plain functions deciding what happens to a new comment.

Every rule reads its setting at call time (so tests and env overrides apply) and every
hold or spam verdict carries a reason moderators can filter by.
"""

import contextlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comments import blocks
from comments.models import Block, BlockedTerm, Comment, TrustedCommenter
from comments.text import count_links


class ModerationMode(models.TextChoices):
    """``COMMENTS_MODERATION``: which new comments wait for a moderator (checked by comments/checks.py)."""

    ALL = "all", gettext_lazy("Hold every comment")
    FIRST_TIME = "first_time", gettext_lazy("Hold first-time commenters")
    NONE = "none", gettext_lazy("Hold none")


class DiscussionState(models.TextChoices):
    """Where one story's discussion stands now."""

    OPEN = "open", gettext_lazy("Open")
    MODERATED = "moderated", gettext_lazy("Every new comment held")
    CLOSED = "closed", gettext_lazy("Closed")


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""
    detail: str = ""

    @property
    def is_held(self) -> bool:
        return self.status == Comment.Status.PENDING


APPROVE = Verdict(Comment.Status.APPROVED)


def discussion_state(article, now=None) -> DiscussionState:
    """Open, moderated (every new comment held) or closed, for this article, now."""
    now = now or timezone.now()
    if not article.comments_open:
        return DiscussionState.CLOSED
    age = now - article.published_at if article.published_at else timedelta(0)
    close_after = settings.COMMENTS_CLOSE_AFTER_DAYS
    if close_after is not None and age > timedelta(days=close_after):
        return DiscussionState.CLOSED
    moderate_after = settings.COMMENTS_MODERATE_AFTER_DAYS
    if moderate_after is not None and age > timedelta(days=moderate_after):
        return DiscussionState.MODERATED
    return DiscussionState.OPEN


def comments_closed(article) -> bool:
    """True when the story takes no new comments."""
    return discussion_state(article) == DiscussionState.CLOSED


def blocked_term_in(*values: str) -> str | None:
    """The first blocked term found in any of the values, or None.

    A term matches as a whole token, ignoring case: "ass" does not block "class", the IP
    "1.2.3.4" does not block "11.2.3.45", "bob@x.example" does not block "jimbob@x.example";
    a domain such as "bad.example" does block "https://bad.example/offer" and "me@bad.example".
    """
    haystack = "\n".join(v for v in values if v).casefold()
    for term in BlockedTerm.objects.values_list("term", flat=True):
        needle = term.strip().casefold()
        # Not inside a longer word, number, address or domain; a full stop ending a sentence is fine.
        if needle and re.search(
            rf"(?<![\w.-]){re.escape(needle)}(?![\w-]|\.\w)", haystack
        ):
            return term
    return None


def block_on(*, email: str, url: str, ip_address: str | None) -> Block | None:
    """The block in force on this email address, its domain, the website's domain or the IP, or None.

    One indexed query. A domain block also covers subdomains (``spam.example`` blocks
    ``mail.spam.example``); an expired block no longer counts, with nothing to clean up.
    """
    email = (email or "").strip().lower()
    wanted = Q(kind=Block.Kind.EMAIL, value=email) if email else Q(pk__in=[])
    domains = blocks.domain_candidates(
        *(d for d in (blocks.email_domain(email), blocks.website_domain(url)) if d)
    )
    if domains:
        wanted |= Q(kind=Block.Kind.DOMAIN, value__in=domains)
    if ip_address:
        with contextlib.suppress(ValueError):  # a stored IP is valid; be safe anyway
            wanted |= Q(kind=Block.Kind.IP, value=blocks.normalise_ip(ip_address))
    return Block.objects.active().filter(wanted).order_by("created_at").first()


def is_known_commenter(name: str, email: str, *, count_approved: bool = True) -> bool:
    """True when moderators trust the name+email or (``count_approved``) it has an approved comment already.

    The one trusted-commenter lookup: "hold every comment" asks only about trust, "hold
    first-time commenters" also accepts an earlier approved comment.
    """
    email = email.casefold()
    if TrustedCommenter.objects.filter(name__iexact=name, email__iexact=email).exists():
        return True
    # Comment emails are stored lower-cased: an exact match can use the author-history index.
    return (
        count_approved
        and Comment.objects.approved().filter(email=email, name__iexact=name).exists()
    )


def initial_verdict(
    *,
    article,
    name: str,
    email: str,
    url: str,
    body: str,
    ip_address: str | None,
    is_staff: bool = False,
    honeypot_filled: bool = False,
    too_fast: bool = False,
    form_reused: bool = False,
) -> Verdict:
    """Decide the status of a new comment, and why. Spam checks first, then holds."""
    if is_staff:
        return APPROVE
    if honeypot_filled:
        return Verdict(Comment.Status.SPAM, Comment.Reason.HONEYPOT)
    term = blocked_term_in(name, email, url, body, ip_address or "")
    if term:
        return Verdict(Comment.Status.SPAM, Comment.Reason.BLOCKED_TERM, term)
    block = block_on(email=email, url=url, ip_address=ip_address)
    if block is not None:
        return Verdict(Comment.Status.SPAM, Comment.Reason.BLOCKED, str(block))
    if too_fast:
        return Verdict(Comment.Status.PENDING, Comment.Reason.TOO_FAST)
    if form_reused:
        # One page load used for a second comment by the same client or email: a bot replaying
        # the signed time (docs/decisions.md). Held, not refused: nothing a reader wrote is lost.
        return Verdict(
            Comment.Status.PENDING, Comment.Reason.TOO_FAST, _("form already used")
        )
    if discussion_state(article) == DiscussionState.MODERATED:
        return Verdict(
            Comment.Status.PENDING,
            Comment.Reason.LATE,
            _("older than %(days)s days")
            % {"days": settings.COMMENTS_MODERATE_AFTER_DAYS},
        )
    links = count_links(body)
    if links > settings.COMMENTS_MAX_LINKS:
        return Verdict(
            Comment.Status.PENDING,
            Comment.Reason.TOO_MANY_LINKS,
            _("%(n)s links (limit %(max)s)")
            % {"n": links, "max": settings.COMMENTS_MAX_LINKS},
        )
    mode = settings.COMMENTS_MODERATION
    if mode == ModerationMode.NONE:
        return APPROVE
    hold_all = mode == ModerationMode.ALL
    if is_known_commenter(name, email, count_approved=not hold_all):
        return APPROVE
    return Verdict(
        Comment.Status.PENDING,
        Comment.Reason.HOLD_ALL if hold_all else Comment.Reason.FIRST_TIME,
    )


def reply_parent(parent: Comment) -> Comment:
    """Where a reply to ``parent`` attaches: deeper than the maximum depth joins the deepest level."""
    max_depth = max(1, settings.COMMENTS_MAX_DEPTH)
    while parent.depth >= max_depth and parent.parent_id:
        parent = parent.parent
    return parent
