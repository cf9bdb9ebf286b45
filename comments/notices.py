"""Emails to commenters (not moderators): "your comment is published", reply notices, picks.

Hooks the comment services call once a transaction has committed. Each queues its emails
through django-tasks and never raises: a mail or queue failure must not block or lose a
comment or a moderator's decision.

Every email a commenter can get (docs/moderation.md, "Emails to commenters"):

- **confirm** — "confirm emails about your comments": the double opt-in, sent when an address
  first asks for reply notices (or asks for any email after unsubscribing). At most
  ``COMMENTS_CONFIRMATIONS_PER_DAY`` per address and per requesting IP in 24 hours.
- **published** — "your comment is published": once per comment, when a moderator approves a
  held comment whose author ticked the box.
- **reply** — "someone replied": an approved reply to a comment whose author ticked the box
  and confirmed their address; never about one's own reply.
- **pick** — "your comment is an editor's pick": to an author who ticked either box.

published, reply and pick are *notices*: at most one per address per story in
``COMMENTS_NOTIFY_MIN_MINUTES`` (a notice over the limit is dropped, not delayed), never to
an address that unsubscribed and has not confirmed again, and each carries a one-click
unsubscribe link with the RFC 8058 headers. What was sent is recorded in ``NoticeLog``:
the throttles count there, and a notice already recorded for a comment is never sent again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from comments.models import Comment, NoticeLog, Subscriber
from comments.notifications import SUBJECT_MAX, one_line, quoted, retry_delay
from newsroom.links import absolute_url

logger = logging.getLogger(__name__)

# Signed links: the address inside, each purpose with its own salt (a confirmation link can
# never be used as an unsubscribe link, nor the other way round).
CONFIRM_SALT = "comments.notices.confirm"
UNSUBSCRIBE_SALT = "comments.notices.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
# An unsubscribe link must keep working long after the email arrived (mail clients offer the
# List-Unsubscribe button on old mail too); a year, then the next email's link works.
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)

NOTICE_KINDS = (NoticeLog.Kind.PUBLISHED, NoticeLog.Kind.REPLY, NoticeLog.Kind.PICK)


class BadLink(Exception):
    """A confirmation or unsubscribe link that was tampered with or has expired (HTTP 400)."""

    status = 400

    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


# --- Signed links ------------------------------------------------------------------------


def link_token(email: str, *, salt: str) -> str:
    """A URL-safe token that names ``email``, signed with the secret key and timestamped."""
    return signing.dumps(email.strip().lower(), salt=salt)


def link_email(token: str, *, salt: str, max_age: timedelta) -> str:
    """The address a token was made for, or ``BadLink`` (forged, for another purpose, expired)."""
    try:
        email = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(expired=True) from None
    except signing.BadSignature:
        raise BadLink(expired=False) from None
    if not isinstance(email, str) or "@" not in email:
        raise BadLink(expired=False)
    return email


def confirm_link_email(token: str) -> str:
    return link_email(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def unsubscribe_link_email(token: str) -> str:
    return link_email(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)


def confirm_url(email: str) -> str:
    token = link_token(email, salt=CONFIRM_SALT)
    return absolute_url(reverse("comments:notice_confirm", args=[token]))


def unsubscribe_url(email: str) -> str:
    token = link_token(email, salt=UNSUBSCRIBE_SALT)
    return absolute_url(reverse("comments:notice_unsubscribe", args=[token]))


# --- Who may be mailed -------------------------------------------------------------------


def _since(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def address_unsubscribed(email: str) -> bool:
    """The address unsubscribed and has not confirmed again since: it gets no notice."""
    return Subscriber.objects.filter(
        email=email, unsubscribed_at__isnull=False
    ).exists()


def address_confirmed(email: str) -> bool:
    return Subscriber.objects.filter(
        email=email, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).exists()


def thread_throttled(email: str, article_id: int) -> bool:
    """A notice about this story went to this address less than COMMENTS_NOTIFY_MIN_MINUTES ago."""
    return NoticeLog.objects.filter(
        email=email,
        article_id=article_id,
        kind__in=NOTICE_KINDS,
        sent_at__gte=_since(settings.COMMENTS_NOTIFY_MIN_MINUTES),
    ).exists()


def confirmations_exhausted(email: str, ip_address: str | None) -> bool:
    """COMMENTS_CONFIRMATIONS_PER_DAY confirmation emails already went to this address, or
    were asked for from this IP, in the last 24 hours."""
    limit = settings.COMMENTS_CONFIRMATIONS_PER_DAY
    sent = NoticeLog.objects.filter(
        kind=NoticeLog.Kind.CONFIRM, sent_at__gte=_since(24 * 60)
    )
    if sent.filter(email=email).count() >= limit:
        return True
    return bool(ip_address) and sent.filter(ip_address=ip_address).count() >= limit


def _already_sent(kind: str, *, email: str, comment_id: int) -> bool:
    return NoticeLog.objects.filter(
        kind=kind, email=email, comment_id=comment_id
    ).exists()


# --- Composing and sending ---------------------------------------------------------------


def notice_email(
    kind: str, *, email: str, context: dict, unsubscribe: bool = True
) -> EmailMessage:
    """The email of one kind to one address, from templates/comments/email/<kind>_*.txt.

    Every notice carries its unsubscribe link in the body and in the ``List-Unsubscribe``
    headers (RFC 2369, RFC 8058 one-click: the mail client POSTs ``List-Unsubscribe=One-Click``
    to the https address, no login, no token other than the signed link itself).
    """
    context = {"site_name": settings.SITE_NAME, **context}
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe:
        url = unsubscribe_url(email)
        context["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject = render_to_string(f"comments/email/{kind}_subject.txt", context)
    body = render_to_string(f"comments/email/{kind}_body.txt", context)
    return EmailMessage(
        subject=one_line(subject)[:SUBJECT_MAX],
        body=body,
        to=[email],
        headers=headers,
    )


def _send(kind, *, email, context, comment, ip_address=None, unsubscribe=True) -> int:
    """Send one email and record it in NoticeLog (after the send: a failed send counts nothing)."""
    notice_email(kind, email=email, context=context, unsubscribe=unsubscribe).send()
    NoticeLog.objects.create(
        kind=kind,
        email=email,
        article_id=comment.article_id,
        comment=comment,
        ip_address=ip_address,
    )
    return 1


def _comment_context(comment) -> dict:
    return {
        "headline": one_line(comment.article.headline),
        "author_name": one_line(comment.name),
        "quoted_body": quoted(comment.body),
        "comment_url": absolute_url(reverse("comments:permalink", args=[comment.pk])),
    }


def _may_notify(email: str, article_id: int) -> bool:
    if address_unsubscribed(email):
        return False
    if thread_throttled(email, article_id):
        logger.info("Notice about story %s dropped: address throttled", article_id)
        return False
    return True


def confirmation_send(comment, *, ip_address=None) -> int:
    """Ask the comment's author to confirm their address, if they need to and the limits allow."""
    email = comment.email
    if not email or comment.status in (Comment.Status.SPAM, Comment.Status.REMOVED):
        return 0
    subscriber = Subscriber.objects.filter(email=email).first()
    left = subscriber is not None and subscriber.unsubscribed_at is not None
    wanted = (
        comment.notify_replies and (subscriber is None or not subscriber.is_confirmed)
    ) or (comment.notify_on_publish and left)
    if not wanted:
        return 0
    if confirmations_exhausted(email, ip_address):
        logger.info(
            "Confirmation email for comment %s not sent: daily limit", comment.pk
        )
        return 0
    if subscriber is None:  # "asked at": the first confirmation sent
        Subscriber.objects.get_or_create(email=email)
    context = {
        "headline": one_line(comment.article.headline),
        "confirm_url": confirm_url(email),
        "days": CONFIRM_MAX_AGE.days,
    }
    # The confirmation carries an unsubscribe link too: a stranger mailed with someone else's
    # opt-in can say "never again" in one click.
    return _send(
        NoticeLog.Kind.CONFIRM,
        email=email,
        context=context,
        comment=comment,
        ip_address=ip_address,
    )


def published_send(comment) -> int:
    """Tell the author a moderator approved their comment: once per comment, if they asked."""
    email = comment.email
    if (
        not email
        or not comment.notify_on_publish
        or comment.status != Comment.Status.APPROVED
        # Published at once (no moderator): the author saw it appear. Back after readers'
        # reports: it was published before, and its author was told then (or saw it).
        or comment.moderated_at is None
        or comment.reason == Comment.Reason.REPORTED
        or _already_sent(NoticeLog.Kind.PUBLISHED, email=email, comment_id=comment.pk)
        or not _may_notify(email, comment.article_id)
    ):
        return 0
    return _send(
        NoticeLog.Kind.PUBLISHED,
        email=email,
        context=_comment_context(comment),
        comment=comment,
    )


def reply_send(reply) -> int:
    """Tell the parent comment's author about an approved reply, if they asked and confirmed."""
    parent = reply.parent
    if parent is None or reply.status != Comment.Status.APPROVED:
        return 0
    email = parent.email
    if (
        not email
        or not parent.notify_replies
        or parent.status != Comment.Status.APPROVED
        or email == (reply.email or "").lower()  # never about one's own reply
        or not address_confirmed(email)
        or _already_sent(NoticeLog.Kind.REPLY, email=email, comment_id=reply.pk)
        or not _may_notify(email, reply.article_id)
    ):
        return 0
    context = {
        **_comment_context(reply),
        # The replier is named by name only: their address is theirs.
        "replier_name": one_line(reply.name),
        "quoted_parent": quoted(parent.body),
    }
    return _send(NoticeLog.Kind.REPLY, email=email, context=context, comment=reply)


def pick_send(comment) -> int:
    """Tell the author their comment is an editor's pick, if they opted in to any email."""
    email = comment.email
    if (
        not email
        or not (comment.notify_on_publish or comment.notify_replies)
        or not comment.is_pick
        or comment.status != Comment.Status.APPROVED
        or _already_sent(NoticeLog.Kind.PICK, email=email, comment_id=comment.pk)
        or not _may_notify(email, comment.article_id)
    ):
        return 0
    return _send(
        NoticeLog.Kind.PICK,
        email=email,
        context=_comment_context(comment),
        comment=comment,
    )


# --- Tasks: run by the django-tasks worker, retried like the moderators' email -----------


def _comment(comment_id: int):
    return (
        Comment.objects.select_related("article", "parent")
        .filter(pk=comment_id)
        .first()
    )


def _failed(task_obj, what: str, comment_id: int, attempt: int, **kwargs) -> None:
    """Log a failed attempt and, on a queue that can wait, queue the next one (notifications.py)."""
    logger.exception(
        "Could not send the %s email for comment %s (attempt %s of %s)",
        what,
        comment_id,
        attempt,
        settings.COMMENTS_NOTIFY_ATTEMPTS,
    )
    if attempt >= settings.COMMENTS_NOTIFY_ATTEMPTS:
        logger.error(
            "Gave up the %s email for comment %s after %s attempts",
            what,
            comment_id,
            attempt,
        )
        return
    if not task_obj.get_backend().supports_defer:
        return
    try:
        task_obj.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            comment_id, attempt=attempt + 1, **kwargs
        )
    except Exception:
        logger.exception("Could not queue a retry for comment %s", comment_id)


@task()
def send_confirmation(comment_id: int, ip_address: str | None = None, attempt: int = 1):
    """The double opt-in email for one comment's author; returns how many were sent (0 or 1)."""
    try:
        comment = _comment(comment_id)
        return confirmation_send(comment, ip_address=ip_address) if comment else 0
    except Exception:
        _failed(
            send_confirmation,
            "confirmation",
            comment_id,
            attempt,
            ip_address=ip_address,
        )
        raise


@task()
def send_comment_notices(comment_id: int, attempt: int = 1) -> int:
    """The emails one newly approved comment causes: "published" to its author, "reply" to its
    parent's author. A retry sends only what is not in NoticeLog yet."""
    try:
        comment = _comment(comment_id)
        if comment is None:
            return 0
        return published_send(comment) + reply_send(comment)
    except Exception:
        _failed(send_comment_notices, "published/reply", comment_id, attempt)
        raise


@task()
def send_pick_notice(comment_id: int, attempt: int = 1) -> int:
    try:
        comment = _comment(comment_id)
        return pick_send(comment) if comment else 0
    except Exception:
        _failed(send_pick_notice, "editor's pick", comment_id, attempt)
        raise


# --- Hooks the services call after commit: they queue, and never raise ------------------


def _enqueue(task_obj, *args, **kwargs) -> None:
    try:
        task_obj.enqueue(*args, **kwargs)
    except Exception:  # a broken queue must never lose or block the comment
        logger.exception("Could not queue %s%r", task_obj.name, args)


def comments_published(comment_ids) -> None:
    """The comments became approved: tell authors who asked, and confirmed subscribers replied to."""
    try:
        # Only comments that may cause an email are queued (most cause none).
        wanted = list(
            Comment.objects.filter(pk__in=list(comment_ids))
            .filter(
                Q(notify_on_publish=True, moderated_at__isnull=False)
                | Q(parent__notify_replies=True)
            )
            .values_list("pk", flat=True)
        )
    except Exception:
        logger.exception("Could not look up the notices for comments %s", comment_ids)
        return
    for pk in wanted:
        _enqueue(send_comment_notices, pk)


def comment_picked(comment_id: int) -> None:
    """A moderator made the comment an editor's pick: tell its author if they opted in to notices."""
    _enqueue(send_pick_notice, comment_id)


def comment_posted(comment_id: int, *, ip_address: str | None = None) -> None:
    """A reader posted a comment with an email box ticked: ask them to confirm their address
    when it needs confirming (the comment may still be held)."""
    _enqueue(send_confirmation, comment_id, ip_address=ip_address)
