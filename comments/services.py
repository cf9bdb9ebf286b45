"""Writes with rules: creating comments and moderators' decisions."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import moderation
from comments.models import BlockedTerm, Comment, TrustedCommenter
from comments.text import render_comment

logger = logging.getLogger(__name__)


class DuplicateComment(ValidationError):
    """The same person already said exactly this on this article."""


def comment_create(
    *,
    article,
    name: str,
    email: str,
    body: str,
    url: str = "",
    parent: Comment | None = None,
    user=None,
    ip_address: str | None = None,
    user_agent: str = "",
    honeypot_filled: bool = False,
    too_fast: bool = False,
) -> Comment:
    """Validate and save a comment with the status the moderation rules give it.

    Signed-in staff comment under their own account's name and email. Held comments
    notify the moderators once the transaction commits.
    """
    is_staff = bool(user and user.is_authenticated and user.is_staff)
    if is_staff:
        name = user.get_full_name() or user.get_username()
        email = user.email  # may be blank: staff are known without one
    email = (email or "").strip().lower()
    body = (body or "").strip()
    if parent is not None:
        parent = moderation.reply_parent(parent)
        if settings.COMMENTS_MAX_DEPTH <= 1:
            parent = None
    verdict = moderation.initial_verdict(
        article=article,
        name=name,
        email=email,
        url=url,
        body=body,
        ip_address=ip_address,
        is_staff=is_staff,
        honeypot_filled=honeypot_filled,
        too_fast=too_fast,
    )
    comment = Comment(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        name=name.strip(),
        email=email,
        url=url,
        body=body,
        body_html=render_comment(body),
        status=verdict.status,
        reason=verdict.reason,
        reason_detail=verdict.detail[:200],
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
        user=user if user and user.is_authenticated else None,
    )
    comment.full_clean(exclude=["parent", "user"])
    with transaction.atomic():
        # Lock the story's row so a double-clicked "Post Comment" cannot slip two copies past
        # the duplicate check (PostgreSQL; SQLite serialises writers anyway).
        type(article).objects.select_for_update().filter(pk=article.pk).first()
        duplicate = Comment.objects.filter(
            article=article, email=email, body=body
        ).exclude(status=Comment.Status.REMOVED)
        if duplicate.exists():
            raise DuplicateComment(
                _(
                    "Duplicate comment detected; it looks as though you’ve already said that!"
                ),
                code="duplicate",
            )
        comment.save()
        if verdict.is_held:
            transaction.on_commit(lambda: _enqueue_notification(comment.pk))
    return comment


def _enqueue_notification(comment_id: int) -> None:
    from comments.tasks import notify_moderators

    try:
        notify_moderators.enqueue(comment_id)
    except Exception:  # a broken queue must never lose or block the comment
        logger.exception(
            "Could not queue the moderator notification for comment %s", comment_id
        )


def comments_moderate(comments, *, status: str, moderator) -> int:
    """Set ``status`` on the given comments, recording who decided and when. Returns how many changed."""
    # The reason it was held stays: moderators can still filter decided comments by it.
    return comments.exclude(status=status).update(
        status=status,
        moderated_by=moderator,
        moderated_at=timezone.now(),
    )


def comments_approve_and_trust(comments, *, moderator) -> int:
    """Approve the comments and trust their authors (name + email) from now on."""
    with transaction.atomic():
        for name, email in comments.values_list("name", "email").distinct():
            TrustedCommenter.objects.get_or_create(
                name=name, email=email, defaults={"created_by": moderator}
            )
        return comments_moderate(
            comments, status=Comment.Status.APPROVED, moderator=moderator
        )


def comments_spam_and_block(comments, *, moderator) -> int:
    """Mark the comments as spam and block their email addresses and IP addresses."""
    with transaction.atomic():
        for email, ip in comments.values_list("email", "ip_address").distinct():
            for term in (email, ip):
                if term:
                    BlockedTerm.objects.get_or_create(
                        term=term,
                        defaults={
                            "created_by": moderator,
                            "note": _("Blocked from the comment list"),
                        },
                    )
        return comments_moderate(
            comments, status=Comment.Status.SPAM, moderator=moderator
        )


def comment_ips_anonymise(*, older_than_days: int) -> int:
    """Blank the IP address and browser of comments older than the given number of days."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(ip_address__isnull=True, user_agent="")
        .update(ip_address=None, user_agent="")
    )


def comment_import(
    *,
    article,
    name: str,
    email: str,
    body: str,
    created_at,
    url: str = "",
    parent: Comment | None = None,
    status: str = Comment.Status.APPROVED,
) -> Comment:
    """Store an already-moderated comment as posted at ``created_at``: the documented bypass.

    For back-dated threads (demo content, an import from another system): the moderation
    rules, spam defences and notifications do not run, because the comment was decided
    elsewhere. Its text is validated and rendered exactly like a posted comment's.
    """
    if parent is not None:
        parent = moderation.reply_parent(parent)
    comment = Comment(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        name=name.strip(),
        email=(email or "").strip().lower(),
        url=url,
        body=body.strip(),
        body_html=render_comment(body),
        status=status,
    )
    comment.full_clean(exclude=["parent", "user"])
    comment.save()
    # created_at is auto_now_add: the stored time is set in a second write.
    Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
    comment.created_at = created_at
    return comment
