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
from django.utils.translation import gettext_lazy, ngettext

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


def reply_parent(parent, parent_of=None):
    """Where a reply to ``parent`` attaches: deeper than the maximum depth joins the deepest level.

    ``parent_of`` finds a comment's own parent (default: ``comment.parent``); the form's
    heading passes a lookup in the thread it already loaded, so it names the same comment
    the pipeline will attach the reply to.
    """
    parent_of = parent_of or (lambda comment: comment.parent)
    max_depth = max(1, settings.COMMENTS_MAX_DEPTH)
    while parent.depth >= max_depth and parent.parent_id:
        above = parent_of(parent)
        if above is None:
            break
        parent = above
    return parent


def posting_notice(state) -> str:
    """What the form tells a reader before they post: when a new comment appears, true to the settings."""
    if state == DiscussionState.MODERATED:
        return _(
            "Comments are moderated. On a story this old, every comment appears once "
            "a moderator approves it."
        )
    mode = settings.COMMENTS_MODERATION
    if mode == ModerationMode.ALL:
        return _(
            "Comments are moderated. Every comment appears once a moderator approves it."
        )
    if mode == ModerationMode.FIRST_TIME:
        return _(
            "Comments are moderated. Your first comment appears once a moderator approves it."
        )
    links = settings.COMMENTS_MAX_LINKS
    return ngettext(
        "Comments appear as soon as they are posted; one with more than %(max)s link "
        "waits for a moderator first.",
        "Comments appear as soon as they are posted; one with more than %(max)s links "
        "waits for a moderator first.",
        links,
    ) % {"max": links}


def held_reason_text(reason: str) -> str:
    """Why a held comment waits, in plain words for its author (templates/personal/_held_notice.html).

    Only the holds a reader can understand and act on are named; everything else — a form
    sent too fast or reused, readers' reports, and anything new — is "Held for review.", so
    the words never tell a spammer which check caught them. Blocked terms and the honeypot
    send comments to spam, which is never shown, but they get the generic words too.
    """
    if reason == Comment.Reason.FIRST_TIME:
        return _("Held because it is your first comment here.")
    if reason == Comment.Reason.TOO_MANY_LINKS:
        limit = settings.COMMENTS_MAX_LINKS
        if limit < 1:
            return _("Held because it contains a link.")
        return ngettext(
            "Held because it has more than %(n)s link.",
            "Held because it has more than %(n)s links.",
            limit,
        ) % {"n": limit}
    if reason == Comment.Reason.LATE and settings.COMMENTS_MODERATE_AFTER_DAYS:
        days = settings.COMMENTS_MODERATE_AFTER_DAYS
        return ngettext(
            "Held because this discussion is older than %(n)s day.",
            "Held because this discussion is older than %(n)s days.",
            days,
        ) % {"n": days}
    if reason == Comment.Reason.HOLD_ALL:
        return _("Held: every comment here is checked by a moderator.")
    return _("Held for review.")


def edit_deadline(created_at):
    """Until when the author may edit or delete a comment posted at ``created_at``."""
    return created_at + timedelta(minutes=max(0, settings.COMMENTS_EDIT_WINDOW))


def in_edit_window(created_at, now=None) -> bool:
    """True while a comment posted at ``created_at`` may still be changed by its author."""
    return (now or timezone.now()) < edit_deadline(created_at)


# Holds an edit cannot judge again (the form's timing, readers' reports): a held comment keeps them.
EDIT_KEEPS_REASONS = frozenset({Comment.Reason.TOO_FAST, Comment.Reason.REPORTED})


def edit_verdict(
    *, status: str, reason: str, moderated: bool, verdict: Verdict
) -> Verdict | None:
    """What an author's edit does to a comment, given the posting rules' verdict on the new text.

    The posting rules decide, as for a new comment with this text: spam is spam, a hold is a
    hold with its reason, and a held comment whose new text passes (links taken out, say) is
    published. Except that a held comment stays held, with its reason, when the edit cannot
    judge that reason again (``EDIT_KEEPS_REASONS``) or a moderator put it there
    (``moderated``): an edit never overrules a moderator or a spam signal. ``None`` means
    "leave status and reason as they are"; an approving verdict changes the status only (the
    reason it was held stays on record, as after a moderator's approval).
    """
    if status == Comment.Status.PENDING and (moderated or reason in EDIT_KEEPS_REASONS):
        return verdict if verdict.status == Comment.Status.SPAM else None
    if verdict.status == status == Comment.Status.APPROVED:
        return None
    return verdict
