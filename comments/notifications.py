"""Telling moderators about held comments: who is told, what the email says, the background task.

The email's subject and body are templates (templates/comments/email/); the task runs through
django-tasks (docs/moderation.md).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from comments.groups import MODERATORS_GROUP
from comments.models import Comment
from comments.text import clean_name
from newsroom.links import absolute_url

logger = logging.getLogger(__name__)

SUBJECT_MAX = 150
# The digest lists this many waiting comments at most (oldest first), then says how many more.
DIGEST_MAX_ITEMS = 50
DIGEST_EXCERPT = 200


class NotifyMode(models.TextChoices):
    """``COMMENTS_NOTIFY``: how moderators hear about held comments (checked by comments/checks.py)."""

    IMMEDIATE = "immediate", _("An email for each held comment")
    DIGEST = "digest", _("One digest email from manage.py send_moderation_digest")
    OFF = "off", _("No email")


def moderator_emails() -> list[str]:
    """Active members of the Moderators group with an email, plus COMMENTS_NOTIFY_EMAILS."""
    members = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted({*members, *settings.COMMENTS_NOTIFY_EMAILS})


def quoted(text: str) -> str:
    """``text`` with every line prefixed "> ": a commenter's words can never pass for the site's own lines."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) made one space, and no control
    or bidi/zero-width character (a name stored before names were cleaned is still safe)."""
    return clean_name(text)


def held_comment_email(comment) -> tuple[str, str]:
    """``(subject, body)`` of the email about one held comment, from the templates."""
    context = {
        "site_name": settings.SITE_NAME,
        "headline": one_line(comment.article.headline),
        "author_name": one_line(comment.name),
        "author_email": one_line(comment.email),
        "reason": comment.get_reason_display(),
        "reason_detail": one_line(comment.reason_detail),
        "quoted_body": quoted(comment.body),
        "admin_url": absolute_url(
            reverse("admin:comments_comment_change", args=[comment.pk])
        ),
    }
    subject = render_to_string("comments/email/held_subject.txt", context)
    body = render_to_string("comments/email/held_body.txt", context)
    # A header is one line: whatever the template or the headline holds.
    return one_line(subject)[:SUBJECT_MAX], body


def retry_delay(attempt: int) -> timedelta:
    """How long the worker waits before attempt ``attempt + 1``: 1, 2, 4, 8… minutes."""
    return timedelta(
        seconds=settings.COMMENTS_NOTIFY_BACKOFF_SECONDS * 2 ** (attempt - 1)
    )


@task()
def notify_moderators(comment_id: int, attempt: int = 1) -> int:
    """Email the moderators about one held comment; returns how many were told.

    A failure is logged and raised again, so the backend records this attempt as failed. On a
    queue backend (``django_tasks_db.DatabaseBackend`` run by ``manage.py db_worker``) a failed
    attempt first queues the next one, ``retry_delay`` later, until
    ``COMMENTS_NOTIFY_ATTEMPTS`` attempts have failed; the last one stays recorded as failed.
    The immediate backend (development) never retries: it would wait inside a request.
    """
    try:
        comment = Comment.objects.select_related("article").get(pk=comment_id)
        recipients = moderator_emails()
        if not recipients or comment.status != Comment.Status.PENDING:
            return 0
        subject, body = held_comment_email(comment)
        send_mail(subject, body, None, recipients)
        return len(recipients)
    except Exception:
        logger.exception(
            "Could not email moderators about comment %s (attempt %s of %s)",
            comment_id,
            attempt,
            settings.COMMENTS_NOTIFY_ATTEMPTS,
        )
        _retry_later(comment_id, attempt)
        raise


def _retry_later(comment_id: int, attempt: int) -> None:
    if attempt >= settings.COMMENTS_NOTIFY_ATTEMPTS:
        logger.error(
            "Gave up emailing moderators about comment %s after %s attempts",
            comment_id,
            attempt,
        )
        return
    if not notify_moderators.get_backend().supports_defer:
        return
    try:
        notify_moderators.using(
            run_after=timezone.now() + retry_delay(attempt)
        ).enqueue(comment_id, attempt=attempt + 1)
    except Exception:
        logger.exception("Could not queue a retry for comment %s", comment_id)


def queue_url() -> str:
    """The moderation queue's address in the admin."""
    return reverse("admin:comments_comment_queue")


def waited(delta: timedelta) -> str:
    """A short age for people scanning a list: "12 min", "9 h", "3 d"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def moderation_digest(now=None) -> tuple[str, str] | None:
    """``(subject, body)`` of the digest of what waits for a moderator, or None when nothing does.

    Waiting comments oldest first (at most ``DIGEST_MAX_ITEMS``, then how many more), how many
    approved comments readers have reported, and a link to the queue.
    """
    now = now or timezone.now()
    pending = Comment.objects.pending()
    total = pending.count()
    reported = Comment.objects.approved().filter(report_count__gt=0).count()
    if not total and not reported:
        return None
    rows = list(
        pending.select_related("article").order_by("created_at", "pk")[
            :DIGEST_MAX_ITEMS
        ]
    )
    items = [
        {
            "age": waited(now - c.created_at),
            "headline": one_line(c.article.headline),
            "author_name": one_line(c.name),
            "reason": c.get_reason_display() if c.reason else "",
            "excerpt": quoted(one_line(c.body)[:DIGEST_EXCERPT]),
            "admin_url": absolute_url(
                reverse("admin:comments_comment_change", args=[c.pk])
            ),
        }
        for c in rows
    ]
    context = {
        "site_name": settings.SITE_NAME,
        "total": total,
        "oldest": items[0]["age"] if items else "",
        "items": items,
        "more": total - len(items),
        "reported": reported,
        "queue_url": absolute_url(queue_url()),
    }
    subject = render_to_string("comments/email/digest_subject.txt", context)
    body = render_to_string("comments/email/digest_body.txt", context)
    return one_line(subject)[:SUBJECT_MAX], body


def moderation_digest_send(now=None) -> int:
    """Email the digest to the moderators; returns how many were sent it (0: nothing waits, or nobody to tell)."""
    digest = moderation_digest(now)
    recipients = moderator_emails()
    if digest is None or not recipients:
        return 0
    subject, body = digest
    send_mail(subject, body, None, recipients)
    return len(recipients)
