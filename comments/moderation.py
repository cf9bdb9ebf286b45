"""The moderation policy: plain functions deciding what happens to a new comment.

Every rule reads its setting at call time (so tests and env overrides apply) and every
hold or spam verdict carries a reason moderators can filter by.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import BlockedTerm, Comment, TrustedCommenter
from comments.text import count_links

ALL, FIRST_TIME, NONE = "all", "first_time", "none"


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""
    detail: str = ""

    @property
    def is_held(self) -> bool:
        return self.status == Comment.Status.PENDING


APPROVE = Verdict(Comment.Status.APPROVED)


def discussion_state(article, now=None) -> str:
    """ "open", "moderated" (every new comment held) or "closed" for this article, now."""
    now = now or timezone.now()
    if not article.comments_open:
        return "closed"
    age = now - article.published_at if article.published_at else timedelta(0)
    close_after = settings.COMMENTS_CLOSE_AFTER_DAYS
    if close_after is not None and age > timedelta(days=close_after):
        return "closed"
    moderate_after = settings.COMMENTS_MODERATE_AFTER_DAYS
    if moderate_after is not None and age > timedelta(days=moderate_after):
        return "moderated"
    return "open"


def comments_closed(article) -> bool:
    return discussion_state(article) == "closed"


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


def is_known_commenter(name: str, email: str) -> bool:
    """True when the name+email is trusted or has an approved comment already."""
    email = email.casefold()
    # Comment emails are stored lower-cased: an exact match can use the author-history index.
    return (
        TrustedCommenter.objects.filter(name__iexact=name, email__iexact=email).exists()
        or Comment.objects.approved().filter(email=email, name__iexact=name).exists()
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
) -> Verdict:
    """Decide the status of a new comment, and why. Spam checks first, then holds."""
    if is_staff:
        return APPROVE
    if honeypot_filled:
        return Verdict(Comment.Status.SPAM, Comment.Reason.HONEYPOT)
    term = blocked_term_in(name, email, url, body, ip_address or "")
    if term:
        return Verdict(Comment.Status.SPAM, Comment.Reason.BLOCKED_TERM, term)
    if too_fast:
        return Verdict(Comment.Status.PENDING, Comment.Reason.TOO_FAST)
    if discussion_state(article) == "moderated":
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
    if mode == NONE:
        return APPROVE
    if mode == ALL:
        trusted = TrustedCommenter.objects.filter(
            name__iexact=name, email__iexact=email
        ).exists()
        return (
            APPROVE
            if trusted
            else Verdict(Comment.Status.PENDING, Comment.Reason.HOLD_ALL)
        )
    if is_known_commenter(name, email):
        return APPROVE
    return Verdict(Comment.Status.PENDING, Comment.Reason.FIRST_TIME)


def reply_parent(parent: Comment) -> Comment:
    """Where a reply to ``parent`` attaches: deeper than the maximum depth joins the deepest level."""
    max_depth = max(1, settings.COMMENTS_MAX_DEPTH)
    while parent.depth >= max_depth and parent.parent_id:
        parent = parent.parent
    return parent
