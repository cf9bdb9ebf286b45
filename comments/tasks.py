"""Background work for comments, run through django-tasks (docs/moderation.md)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from comments.models import Comment
from newsroom.links import absolute_url

logger = logging.getLogger(__name__)


def moderator_emails() -> list[str]:
    """Active members of the Moderators group with an email, plus COMMENTS_NOTIFY_EMAILS."""
    members = (
        get_user_model()
        .objects.filter(is_active=True, groups__name="Moderators")
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted({*members, *settings.COMMENTS_NOTIFY_EMAILS})


@task()
def notify_moderators(comment_id: int) -> int:
    """Email the moderators about one held comment; returns how many were told.

    A failure is logged and raised again, so a queue backend records the task as failed
    (the immediate backend records it too, and never lets it reach the reader's request).
    """
    try:
        comment = Comment.objects.select_related("article").get(pk=comment_id)
        recipients = moderator_emails()
        if not recipients or comment.status != Comment.Status.PENDING:
            return 0
        admin_url = absolute_url(
            reverse("admin:comments_comment_change", args=[comment.pk])
        )
        body = (
            f"A new comment on “{comment.article.headline}” is waiting for moderation.\n\n"
            f"Author: {comment.name} <{comment.email}>\n"
            f"Held because: {comment.get_reason_display()} {comment.reason_detail}\n\n"
            f"{comment.body}\n\n"
            f"Approve, mark as spam or remove it here:\n{admin_url}\n"
        )
        send_mail(
            f"[{settings.SITE_NAME}] Comment awaiting moderation: {comment.article.headline}"[
                :150
            ],
            body,
            None,
            recipients,
        )
        return len(recipients)
    except Exception:
        logger.exception("Could not email moderators about comment %s", comment_id)
        raise
