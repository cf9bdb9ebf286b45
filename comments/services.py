"""Writes with rules: the comment pipeline, moderators' decisions and the stored comment counts."""

import logging
from dataclasses import dataclass, fields
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments import moderation, notices, spam
from comments.models import BlockedTerm, Comment, CommentReport, TrustedCommenter
from comments.notifications import notify_moderators
from comments.text import render_comment
from newsroom.net import client_ip
from newsroom.pagecache import pages_changed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """What a reader sent with the Leave a Reply form, checked and cleaned (``CommentForm.submission()``).

    ``name``, ``email``, ``url`` and ``body`` are stored on the comment as they are named here;
    the rest are signals for the pipeline. A new form field is a model field, a form field
    and a field here.
    """

    body: str
    name: str = ""
    email: str = ""
    url: str = ""
    notify_on_publish: bool = False
    notify_replies: bool = False
    parent: Comment | None = None
    honeypot_filled: bool = False
    form_age: float | None = None  # seconds between showing the form and posting it
    # One per rendered form: a token is good for one comment per client and email.
    form_nonce: str | None = None

    SIGNALS = frozenset({"parent", "honeypot_filled", "form_age", "form_nonce"})

    def comment_values(self) -> dict:
        """The values stored on the Comment under the same names."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in self.SIGNALS
        }


@dataclass(frozen=True)
class Client:
    """Where a submission came from: the reader's IP address (or None) and browser."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request) -> "Client":
        return cls(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )


class CommentRefused(ValidationError):
    """The pipeline would not take the comment: carries the HTTP status and the reader's message."""

    status = 400
    code = "refused"
    message_text = _("Your comment could not be posted.")

    def __init__(self, message=None):
        super().__init__(message or self.message_text, code=self.code)


class DiscussionClosed(CommentRefused):
    status = 403
    code = "closed"
    message_text = _("Comments are closed.")


class RateLimited(CommentRefused):
    status = 429
    code = "rate"
    message_text = _("You are posting comments too quickly. Slow down.")


class DuplicateComment(CommentRefused):
    """The same person already said exactly this on this article."""

    status = 409
    code = "duplicate"
    message_text = _(
        "Duplicate comment detected; it looks as though you’ve already said that!"
    )


class InvalidComment(CommentRefused):
    """A model rule failed on something the form does not show (e.g. the IP address)."""

    status = 400
    code = "invalid"


def comment_attempt_check(*, article, client: Client) -> None:
    """Count one POST from ``client`` and refuse it if the story is closed or the client over its rate limit.

    Every comment POST to an open story counts once, valid or not (docs/decisions.md):
    ``comment_submit`` calls this first, and the view calls it for a form that did not validate.
    """
    if moderation.comments_closed(article):
        raise DiscussionClosed
    if spam.rate_limited(client.ip_address):
        raise RateLimited


def comment_submit(
    *, article, submission: Submission, user=None, client: Client = Client()
) -> Comment:
    """Store a reader's comment with the status the moderation rules give it, or raise ``CommentRefused``.

    The one way in for a new comment: closed stories and the rate limit (``comment_attempt_check``),
    the moderation verdict, model validation and the duplicate check, in that order. Signed-in
    staff comment under their own account's name and email. Held comments notify the
    moderators once the transaction commits; approved ones update the story's count.
    """
    comment_attempt_check(article=article, client=client)
    values = submission.comment_values()
    is_staff = bool(user and user.is_authenticated and user.is_staff)
    if is_staff:
        values["name"] = user.get_full_name() or user.get_username()
        values["email"] = user.email  # may be blank: staff are known without one
    values["name"] = (values["name"] or "").strip()
    values["email"] = (values["email"] or "").strip().lower()
    values["body"] = (values["body"] or "").strip()
    parent = submission.parent
    if parent is not None:
        parent = moderation.reply_parent(parent)
        if settings.COMMENTS_MAX_DEPTH <= 1:
            parent = None
    too_fast = (
        submission.form_age is not None
        and submission.form_age < settings.COMMENTS_MIN_SECONDS
    )
    form_reused, claims = False, []
    if submission.form_nonce and not is_staff:
        form_reused, claims = spam.form_claim(
            submission.form_nonce, ip_address=client.ip_address, email=values["email"]
        )
    try:
        return _comment_store(
            article=article,
            values=values,
            parent=parent,
            submission=submission,
            user=user,
            client=client,
            is_staff=is_staff,
            too_fast=too_fast,
            form_reused=form_reused,
        )
    except BaseException:
        # Not stored: posting again with this form still works.
        spam.form_release(claims)
        raise


def _comment_store(
    *,
    article,
    values,
    parent,
    submission,
    user,
    client,
    is_staff,
    too_fast,
    form_reused,
) -> Comment:
    verdict = moderation.initial_verdict(
        article=article,
        name=values["name"],
        email=values["email"],
        url=values["url"],
        body=values["body"],
        ip_address=client.ip_address,
        is_staff=is_staff,
        honeypot_filled=submission.honeypot_filled,
        too_fast=too_fast,
        form_reused=form_reused,
    )
    comment = Comment(
        **values,
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        body_html=render_comment(values["body"]),
        status=verdict.status,
        reason=verdict.reason,
        reason_detail=verdict.detail[:200],
        ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:300],
        user=user if user and user.is_authenticated else None,
    )
    try:
        comment.full_clean(exclude=["parent", "user"])
    except ValidationError as exc:
        raise InvalidComment(
            [ValidationError(m, code="invalid") for m in exc.messages]
        ) from None
    with transaction.atomic():
        # Lock the story's row so a double-clicked "Post Comment" cannot slip two copies past
        # the duplicate check, and the stored count stays right (PostgreSQL; SQLite
        # serialises writers anyway).
        _articles_lock([article.pk])
        duplicate = Comment.objects.filter(
            article=article, email=comment.email, body=comment.body
        ).exclude(status=Comment.Status.REMOVED)
        if duplicate.exists():
            raise DuplicateComment
        comment.save()
        if comment.status == Comment.Status.APPROVED:
            article_comment_counts_refresh(article_ids=[article.pk])
            pages_changed()
            transaction.on_commit(lambda: notices.comments_published([comment.pk]))
        if verdict.is_held:
            transaction.on_commit(lambda: _enqueue_notification(comment.pk))
    return comment


def _enqueue_notification(comment_id: int) -> None:
    try:
        notify_moderators.enqueue(comment_id)
    except Exception:  # a broken queue must never lose or block the comment
        logger.exception(
            "Could not queue the moderator notification for comment %s", comment_id
        )


def comments_moderate(comments, *, status: str, moderator) -> int:
    """Set ``status`` on the given comments, recording who decided and when. Returns how many changed."""
    with transaction.atomic():
        article_ids = _articles_lock(comments.values_list("article_id", flat=True))
        changing = comments.exclude(status=status)
        # Pages show approved comments only: holding or binning an unseen one changes none.
        shown_change = status == Comment.Status.APPROVED or _any_approved(changing)
        published = (
            list(changing.values_list("pk", flat=True))
            if status == Comment.Status.APPROVED
            else []
        )
        # The reason it was held stays: moderators can still filter decided comments by it.
        changed = changing.update(
            status=status,
            moderated_by=moderator,
            moderated_at=timezone.now(),
        )
        article_comment_counts_refresh(article_ids=article_ids)
        if changed and shown_change:
            pages_changed()
        if published:
            transaction.on_commit(lambda: notices.comments_published(published))
    return changed


def _any_approved(comments) -> bool:
    return comments.filter(status=Comment.Status.APPROVED).exists()


def comments_delete(*, comments) -> int:
    """Delete the comments for good (superusers only, from the admin); returns how many went."""
    with transaction.atomic():
        article_ids = _articles_lock(comments.values_list("article_id", flat=True))
        shown_change = _any_approved(comments)
        deleted, per_model = comments.delete()
        article_comment_counts_refresh(article_ids=article_ids)
        if shown_change:
            pages_changed()
    return per_model.get(Comment._meta.label, 0)


def article_comment_counts_refresh(*, article_ids) -> int:
    """Store each given story's approved-comment count in ``Article.comment_count``: one UPDATE.

    Call it, inside the transaction, from every write that changes which comments are approved.
    """
    approved = (
        Comment.objects.approved()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Article.objects.filter(pk__in=set(article_ids)).update(
        comment_count=Coalesce(Subquery(approved, output_field=IntegerField()), 0)
    )


def _articles_lock(article_ids) -> list[int]:
    """Lock the stories' rows, in id order, until the transaction ends; returns their ids.

    Every write that changes a story's approved comments takes this lock first, so on
    PostgreSQL two moderators' decisions (or a decision and a new comment) cannot both count
    from the same snapshot and store a wrong ``comment_count``.
    """
    return list(
        Article.objects.select_for_update()
        .filter(pk__in=set(article_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
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
                            "note": gettext("Blocked from the comment list"),
                        },
                    )
        return comments_moderate(
            comments, status=Comment.Status.SPAM, moderator=moderator
        )


def comment_reports_resolve(*, comments, moderator) -> int:
    """Mark the open reports on the given comments as dealt with, by ``moderator`` now.

    Sets ``resolved_at``/``resolved_by`` on each open ``CommentReport`` and the comments'
    stored ``report_count`` back to 0. The comments' status is not touched: the caller
    decides that (the moderation queue's Keep, Approve, Spam, Remove). Returns how many
    comments had open reports.
    """
    with transaction.atomic():
        ids = list(comments.order_by().values_list("pk", flat=True))
        CommentReport.objects.filter(
            comment_id__in=ids, resolved_at__isnull=True
        ).update(resolved_at=timezone.now(), resolved_by=moderator)
        return Comment.objects.filter(pk__in=ids, report_count__gt=0).update(
            report_count=0
        )


def comment_ips_anonymise(*, older_than_days: int) -> int:
    """Blank the IP address and browser of comments older than the given number of days."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
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
    with transaction.atomic():
        _articles_lock([article.pk])
        comment.save()
        # created_at is auto_now_add: the stored time is set in a second write.
        Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        article_comment_counts_refresh(article_ids=[article.pk])
        if comment.status == Comment.Status.APPROVED:
            pages_changed()
    comment.created_at = created_at
    return comment


ERASED_NAME = _("Former commenter")
ERASED_BODY = _("[This comment was removed at its author’s request.]")


def commenter_data_export(*, email: str) -> dict:
    """Everything stored about one email address, as plain JSON-ready values.

    Their comments (text, names, websites, IPs, browsers, dates, statuses), the
    trusted-commenter entries for the address, and the blocked terms naming the address or
    one of the IPs their comments came from.
    """
    email = (email or "").strip().lower()
    comments = list(
        Comment.objects.filter(email=email)
        .select_related("article")
        .order_by("created_at", "pk")
    )
    ips = {c.ip_address for c in comments if c.ip_address}
    return {
        "email": email,
        "comments": [
            {
                "id": c.pk,
                "story": c.article.headline,
                "story_url": c.article.get_absolute_url(),
                "in_reply_to": c.parent_id,
                "name": c.name,
                "email": c.email,
                "website": c.url,
                "text": c.body,
                "ip_address": c.ip_address,
                "browser": c.user_agent,
                "submitted": c.created_at.isoformat(),
                "status": c.status,
                "why_held": c.reason,
                "moderated_at": c.moderated_at.isoformat() if c.moderated_at else None,
            }
            for c in comments
        ],
        "trusted_commenter": [
            {"name": t.name, "email": t.email, "since": t.created_at.isoformat()}
            for t in TrustedCommenter.objects.filter(email__iexact=email)
        ],
        "blocked_terms": [
            {"term": b.term, "note": b.note, "added": b.created_at.isoformat()}
            for b in BlockedTerm.objects.filter(
                Q(term__iexact=email) | Q(term__in=ips)
            ).order_by("term")
        ],
    }


def commenter_data_erase(*, email: str, mode: str | None = None) -> dict:
    """Erase what is stored about one email address; returns counts (never the address).

    ``mode`` (default ``COMMENTS_ERASE_MODE``): ``anonymise`` keeps each comment's text and
    blanks who wrote it (name, email, website, IP, browser, account); ``delete`` deletes
    their comments, except those with replies, whose text and identity are replaced so the
    replies stay attached and the thread readable. Trusted-commenter entries go; blocked
    terms stay (they protect the site; moderators can remove them). Stored counts are
    refreshed through ``comments_delete``.
    """
    mode = mode or settings.COMMENTS_ERASE_MODE
    if mode not in ("anonymise", "delete"):
        raise ValueError(f"Unknown erase mode {mode!r}: use anonymise or delete")
    email = (email or "").strip().lower()
    blank = {"email": "", "url": "", "ip_address": None, "user_agent": "", "user": None}
    with transaction.atomic():
        theirs = Comment.objects.filter(email=email)
        _articles_lock(theirs.values_list("article_id", flat=True))
        deleted = 0
        if mode == "delete":
            with_replies = theirs.filter(replies__isnull=False).distinct()
            replaced = Comment.objects.filter(
                pk__in=list(with_replies.values_list("pk", flat=True))
            )
            kept = replaced.update(
                **blank, name=str(ERASED_NAME), body=str(ERASED_BODY),
                body_html=render_comment(str(ERASED_BODY)),
            )  # fmt: skip
            deleted = comments_delete(comments=theirs.exclude(pk__in=replaced))
        else:
            kept = theirs.update(**blank, name=str(ERASED_NAME))
        trusted, _per_model = TrustedCommenter.objects.filter(
            email__iexact=email
        ).delete()
    return {"deleted": deleted, "anonymised": kept, "trusted_removed": trusted}
