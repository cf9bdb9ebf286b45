"""Writes with rules: the comment pipeline, moderators' decisions and the stored comment counts."""

import logging
import re
from dataclasses import dataclass, field, fields
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments import blocks, moderation, notices, spam
from comments.audit import additions_log, decisions_log
from comments.models import (
    Block,
    BlockedTerm,
    Comment,
    CommentReport,
    NoticeLog,
    Subscriber,
    TrustedCommenter,
)
from comments.notifications import NotifyMode, notify_moderators
from comments.text import render_comment
from newsroom.net import client_ip, reader_network
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
        # Digest and off: no email per comment (send_moderation_digest covers the digest).
        if verdict.is_held and settings.COMMENTS_NOTIFY == NotifyMode.IMMEDIATE:
            transaction.on_commit(lambda: _enqueue_notification(comment.pk))
        wants_email = comment.notify_replies or comment.notify_on_publish
        if wants_email and comment.email and comment.status != Comment.Status.SPAM:
            # The confirmation email (double opt-in) may go before a moderator decides: it is
            # about the address, and the IP it came from counts towards its daily limit.
            ip_address = client.ip_address
            transaction.on_commit(
                lambda: notices.comment_posted(comment.pk, ip_address=ip_address)
            )
    return comment


def _enqueue_notification(comment_id: int) -> None:
    try:
        notify_moderators.enqueue(comment_id)
    except Exception:  # a broken queue must never lose or block the comment
        logger.exception(
            "Could not queue the moderator notification for comment %s", comment_id
        )


class NotYourComment(CommentRefused):
    """The browser asking did not post this comment (no, an old or a forged ``comments_mine`` cookie)."""

    status = 403
    code = "not_yours"
    message_text = _(
        "A comment can only be changed from the browser that posted it, "
        "shortly after posting."
    )


class EditWindowClosed(CommentRefused):
    status = 403
    code = "edit_window"

    def __init__(self, message=None):
        minutes = settings.COMMENTS_EDIT_WINDOW
        super().__init__(
            message
            or ngettext(
                "A comment can be changed for %(n)s minute after posting; that time is over for this one.",
                "A comment can be changed for %(n)s minutes after posting; that time is over for this one.",
                minutes,
            )
            % {"n": minutes}
        )


class CommentHasReplies(CommentRefused):
    status = 403
    code = "has_replies"
    message_text = _(
        "Someone has replied to this comment, so it can no longer be changed."
    )


def comment_change_check(*, comment: Comment, owned: bool, now=None) -> None:
    """Refuse (403) unless the comment's author may still edit or delete it.

    ``owned``: this browser posted it (``personal.owns``, a signed cookie; a name or an email
    proves nothing). Then: still held or published, inside ``COMMENTS_EDIT_WINDOW`` minutes of
    posting (the stored time, not the cookie's), and no published reply yet — once others
    have answered, the words they answered stay. One query (the replies).
    """
    if not owned or comment.status not in (
        Comment.Status.APPROVED,
        Comment.Status.PENDING,
    ):
        raise NotYourComment
    if not moderation.in_edit_window(comment.created_at, now):
        raise EditWindowClosed
    if comment.replies.filter(status=Comment.Status.APPROVED).exists():
        raise CommentHasReplies


def comment_edit(
    *, comment: Comment, body: str, owned: bool, client: Client = Client()
) -> Comment:
    """Change the text of the author's own comment under the posting rules, or raise ``CommentRefused``.

    ``comment_change_check`` first (and closed stories refuse, as for a new comment). The new
    text gets the moderation verdict a new comment with it would get (``initial_verdict``,
    with the comment's own name, email and website and the editor's IP): more links than
    ``COMMENTS_MAX_LINKS`` holds it again, a blocked term sends it to spam, each with its
    reason, and a held comment whose new text passes is published — unless a moderator held
    it or its reason cannot be judged again (``moderation.edit_verdict``).
    Name, email and website are not editable. The text is rendered again and ``edited_at``
    set; counts and pages follow when public comments change, under the story's row lock.
    An unchanged text changes nothing.
    """
    body = (body or "").strip()
    with transaction.atomic():
        _articles_lock([comment.article_id])
        # Read again under the lock: a moderator's decision or a reply may just have landed.
        comment = Comment.objects.select_related("article").get(pk=comment.pk)
        comment_change_check(comment=comment, owned=owned)
        if moderation.comments_closed(comment.article):
            raise DiscussionClosed
        if body == comment.body:
            return comment
        was_public = comment.status == Comment.Status.APPROVED
        verdict = moderation.initial_verdict(
            article=comment.article,
            name=comment.name,
            email=comment.email,
            url=comment.url,
            body=body,
            ip_address=client.ip_address,
        )
        change = moderation.edit_verdict(
            status=comment.status,
            reason=comment.reason,
            # A moderator's decision since the last edit (an edit's own hold is not theirs).
            moderated=comment.moderated_at is not None
            and (comment.edited_at is None or comment.moderated_at > comment.edited_at),
            verdict=verdict,
        )
        comment.body = body
        comment.body_html = render_comment(body)
        comment.edited_at = timezone.now()
        if change is not None:
            comment.status = change.status
            if change.status != Comment.Status.APPROVED:
                comment.reason = change.reason
                comment.reason_detail = change.detail[:200]
        try:
            comment.clean_fields(
                exclude=[f.name for f in Comment._meta.fields if f.name != "body"]
            )
        except ValidationError as exc:
            raise InvalidComment(
                [ValidationError(m, code="invalid") for m in exc.messages]
            ) from None
        comment.save(
            update_fields=[
                "body",
                "body_html",
                "edited_at",
                "status",
                "reason",
                "reason_detail",
            ]
        )
        is_public = comment.status == Comment.Status.APPROVED
        if was_public or is_public:
            # Its words changed on the page, or it left or joined the page.
            if was_public != is_public:
                article_comment_counts_refresh(article_ids=[comment.article_id])
            pages_changed()
        if is_public and not was_public:
            transaction.on_commit(lambda: notices.comments_published([comment.pk]))
        if was_public and comment.status == Comment.Status.PENDING:
            transaction.on_commit(lambda: _enqueue_notification(comment.pk))
    return comment


def comment_withdraw(*, comment: Comment, owned: bool) -> None:
    """Delete the author's own comment for good, or raise ``CommentRefused`` (``comment_change_check``).

    Deleted, not marked removed: inside the edit window, with nobody's published reply
    depending on it, the author's wish is simply honoured and nothing of theirs is kept
    (docs/decisions.md). Counts and pages follow through ``comments_delete``.
    """
    with transaction.atomic():
        _articles_lock([comment.article_id])
        fresh = Comment.objects.filter(pk=comment.pk).first()
        if fresh is None:
            raise NotYourComment
        comment_change_check(comment=fresh, owned=owned)
        comments_delete(comments=Comment.objects.filter(pk=fresh.pk))


# What the admin log says for each decision (History of a comment, Recent actions).
DECISION_MESSAGES = {
    Comment.Status.APPROVED: _("Approved."),
    Comment.Status.SPAM: _("Marked as spam."),
    Comment.Status.REMOVED: _("Removed."),
    Comment.Status.PENDING: _("Held for moderation again."),
}


def comments_moderate(
    comments, *, status: str, moderator, log_message: str | None = None
) -> int:
    """Set ``status`` on the given comments, recording who decided and when. Returns how many changed.

    Each changed comment gets an entry in the admin log (comments/audit.py), worded
    ``log_message`` or the plain decision ("Approved.").
    """
    with transaction.atomic():
        changed = _status_set(comments, status=status, moderator=moderator)
        decisions_log(
            comments=changed,
            moderator=moderator,
            message=log_message or DECISION_MESSAGES[status],
        )
    return len(changed)


def _for_log(comments) -> list[Comment]:
    """The comments as light instances: what a log entry names (``str(comment)``) and the status."""
    return list(comments.select_related(None).only("pk", "name", "body", "status"))


def _status_set(comments, *, status: str, moderator) -> list[Comment]:
    """The status write behind every decision; returns the comments it changed (for the log)."""
    with transaction.atomic():
        article_ids = _articles_lock(comments.values_list("article_id", flat=True))
        changing = _for_log(comments.exclude(status=status))
        # Pages show approved comments only: holding or binning an unseen one changes none.
        shown_change = status == Comment.Status.APPROVED or any(
            c.status == Comment.Status.APPROVED for c in changing
        )
        ids = [c.pk for c in changing]
        now = timezone.now()
        # A decision deals with the readers' reports that led to it: approving a reported
        # comment again must not leave it one report away from being held again.
        CommentReport.objects.filter(
            comment_id__in=ids, resolved_at__isnull=True
        ).update(resolved_at=now, resolved_by=moderator)
        # The reason it was held stays: moderators can still filter decided comments by it.
        Comment.objects.filter(pk__in=ids).update(
            status=status,
            moderated_by=moderator,
            moderated_at=now,
            report_count=0,
        )
        article_comment_counts_refresh(article_ids=article_ids)
        if ids and shown_change:
            pages_changed()
        if ids and status == Comment.Status.APPROVED:
            transaction.on_commit(lambda: notices.comments_published(ids))
    return changing


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
        # Read before anything changes: the caller's queryset may filter on status.
        selected = _for_log(comments)
        for name, email in comments.values_list("name", "email").distinct():
            TrustedCommenter.objects.get_or_create(
                name=name, email=email, defaults={"created_by": moderator}
            )
        changed = _status_set(
            comments, status=Comment.Status.APPROVED, moderator=moderator
        )
        # Trusting is a decision on every selected comment, approved already or not.
        decisions_log(
            comments=selected,
            moderator=moderator,
            message=gettext("Approved; its author is trusted."),
        )
    return len(changed)


# "Mark as spam and block": a spammer's address and IP are kept out for a month, long enough
# to end a run, short enough that a reassigned IP or a misjudged reader is not shut out for
# good (docs/decisions.md). Longer blocks, or a domain, come from "Block the commenter…".
SPAM_BLOCK_DURATION = blocks.BlockDuration.MONTH


def comments_spam_and_block(comments, *, moderator) -> int:
    """Mark the comments as spam and block their email addresses and IP addresses for 30 days."""
    with transaction.atomic():
        selected = _for_log(comments)
        result = commenters_block(
            comments=comments,
            kinds=[Block.Kind.EMAIL, Block.Kind.IP],
            duration=SPAM_BLOCK_DURATION,
            reason=gettext("Spam, blocked from the comments list"),
            hide_earlier=False,
            moderator=moderator,
            log=False,
        )
        changed = _status_set(comments, status=Comment.Status.SPAM, moderator=moderator)
        decisions_log(
            comments=selected,
            moderator=moderator,
            message=gettext("Marked as spam; blocked for 30 days: %(blocked)s.")
            % {"blocked": result.summary() or gettext("nothing new")},
        )
    return len(changed)


@dataclass(frozen=True)
class BlockTargets:
    """What blocking some comments' authors would block: ``(kind, value)`` pairs, and the
    shared domains (gmail.com…) left out."""

    values: list = field(default_factory=list)
    shared_domains: list = field(default_factory=list)


def block_targets(*, comments, kinds) -> BlockTargets:
    """The emails, domains (of the email and the website) and IPs of ``comments`` for the given kinds."""
    values, shared = [], []

    def add(kind, value):
        if value and (kind, value) not in values:
            values.append((kind, value))

    rows = comments.order_by("created_at", "pk").values_list(
        "email", "url", "ip_address"
    )
    for email, url, ip in rows:
        if Block.Kind.EMAIL in kinds:
            add(Block.Kind.EMAIL, (email or "").strip().lower())
        if Block.Kind.DOMAIN in kinds:
            for domain in (blocks.email_domain(email), blocks.website_domain(url)):
                if domain in blocks.SHARED_DOMAINS:
                    if domain not in shared:
                        shared.append(domain)
                elif domain and "." in domain:
                    add(Block.Kind.DOMAIN, domain)
        if Block.Kind.IP in kinds and ip:
            add(Block.Kind.IP, blocks.normalise_ip(ip))
    return BlockTargets(values=values, shared_domains=shared)


@dataclass(frozen=True)
class BlockResult:
    created: list  # the new Block rows
    extended: list  # blocks in force that now last longer
    already: list  # (kind, value) pairs blocked at least as long already
    shared_domains: list  # domains left out because many people share them
    hidden: int = 0  # earlier comments removed

    def summary(self) -> str:
        """The new and lengthened blocks in one line: "Email address: a@b.example, IP address: 192.0.2.1"."""
        return ", ".join(str(b) for b in [*self.created, *self.extended])


def _lasts_as_long(current, wanted) -> bool:
    """True when a block ending at ``current`` (None: never) lasts at least until ``wanted``."""
    return current is None or (wanted is not None and current >= wanted)


def commenters_block(
    *,
    comments,
    kinds,
    duration: str,
    reason: str,
    hide_earlier: bool,
    moderator,
    log: bool = True,
) -> BlockResult:
    """Block the authors of ``comments`` by email, domain and/or IP for ``duration`` (a ``BlockDuration``).

    A value already blocked gets no second block: the one in force is lengthened if this one
    lasts longer, and left alone otherwise. With ``hide_earlier``, every approved or waiting
    comment from a blocked email, domain or IP is removed (``comments_moderate``: counts,
    pages and log kept right). New comments from them go to spam (``moderation.block_on``)
    until the block expires. Each selected comment's History says what was blocked (unless
    ``log`` is off: the caller words it), and each block's History who set or lengthened it.
    """
    now = timezone.now()
    expires_at = blocks.expiry(duration, now)
    reason = (reason or "").strip()[:200]
    for_how_long = DURATION_WORDS[blocks.BlockDuration(duration)]
    why = f" ({reason})" if reason else ""
    created, already = [], []
    with transaction.atomic():
        # Read before anything changes: the caller's queryset may filter on status.
        selected = _for_log(comments)
        targets = block_targets(comments=comments, kinds=kinds)
        extended = []
        for kind, value in targets.values:
            current = (
                Block.objects.active(now)
                .filter(kind=kind, value=value)
                .order_by(F("expires_at").desc(nulls_first=True), "-pk")
                .first()
            )
            if current is not None and _lasts_as_long(current.expires_at, expires_at):
                already.append((kind, value))
                continue
            if current is not None:
                # One block per value: the one in force lasts longer now (its History says who).
                current.expires_at = expires_at
                current.save(update_fields=["expires_at"])
                extended.append(current)
                continue
            block = Block(
                kind=kind,
                value=value,
                reason=reason,
                expires_at=expires_at,
                created_by=moderator,
            )
            block.full_clean()
            block.save()
            created.append(block)
        decisions_log(
            comments=extended,
            moderator=moderator,
            message=gettext("Lengthened: now %(duration)s from now%(reason)s.")
            % {"duration": for_how_long, "reason": why},
        )
        hidden = 0
        if hide_earlier and targets.values:
            hidden = comments_moderate(
                Comment.objects.filter(_written_by(targets.values)).filter(
                    status__in=[Comment.Status.APPROVED, Comment.Status.PENDING]
                ),
                status=Comment.Status.REMOVED,
                moderator=moderator,
                log_message=gettext("Removed: its author was blocked."),
            )
        result = BlockResult(
            created=created,
            extended=extended,
            already=already,
            shared_domains=targets.shared_domains,
            hidden=hidden,
        )
        additions_log(objects=created, moderator=moderator)
        if log:
            decisions_log(
                comments=selected,
                moderator=moderator,
                message=gettext(
                    "Blocked its author %(duration)s: %(blocked)s%(reason)s."
                )
                % {
                    "duration": for_how_long,
                    "blocked": result.summary() or gettext("already blocked"),
                    "reason": why,
                },
            )
    return result


# "Blocked for 7 days…": the durations as the log and the admin's messages say them.
DURATION_WORDS = {
    blocks.BlockDuration.DAY: _("for 1 day"),
    blocks.BlockDuration.WEEK: _("for 7 days"),
    blocks.BlockDuration.MONTH: _("for 30 days"),
    blocks.BlockDuration.FOREVER: _("for good"),
}


def _written_by(values) -> Q:
    """Comments from any of the blocked ``(kind, value)`` pairs (a domain covers its subdomains)."""
    found = Q(pk__in=[])
    for kind, value in values:
        if kind == Block.Kind.EMAIL:
            found |= Q(email=value)
        elif kind == Block.Kind.IP:
            found |= Q(ip_address=value)
        else:
            found |= (
                Q(email__iendswith=f"@{value}")
                | Q(email__iendswith=f".{value}")
                | Q(url__iregex=rf"^https?://([^/?#@]*\.)?{re.escape(value)}([:/?#]|$)")
            )
    return found


def blocks_end(*, blocks_to_end, moderator) -> int:
    """End the given blocks now (they stay listed, expired); returns how many were in force."""
    with transaction.atomic():
        ending = list(blocks_to_end.active())
        Block.objects.filter(pk__in=[b.pk for b in ending]).update(
            expires_at=timezone.now()
        )
        decisions_log(
            comments=ending, moderator=moderator, message=gettext("Block ended early.")
        )
    return len(ending)


# --- Readers' reports -----------------------------------------------------------------------


class NotReportable(CommentRefused):
    """The comment is not (or no longer) on the site: there is nothing to report."""

    status = 404
    code = "not_reportable"
    message_text = _("This comment is no longer on the site.")


class AlreadyReported(CommentRefused):
    """This browser, or another reader on the same IP address, already reported the comment."""

    status = 409
    code = "already_reported"
    message_text = _(
        "This comment has already been reported from this browser or this internet "
        "connection. The moderators have it."
    )


class ReportsRateLimited(CommentRefused):
    status = 429
    code = "report_rate"
    message_text = _(
        "You have sent a lot of reports in the last hour. Please try again later."
    )


class InvalidReport(CommentRefused):
    status = 400
    code = "invalid_report"


def comment_report(
    *, comment, reason: str, note: str, reporter: str, client: Client = Client()
) -> CommentReport:
    """Store one reader's report of an approved comment, or raise ``CommentRefused``.

    Refused: over ``COMMENTS_REPORTS_PER_HOUR`` from this IP (429, counted first, every try);
    the comment not approved (404); already reported by this ``reporter`` id or from this IP
    address (409, docs/decisions.md). Once its open reports reach ``COMMENTS_REPORTS_TO_HOLD``
    the comment goes back to the moderators (pending, reason "reported"), leaves the public
    pages and the moderators are told, as for any held comment.
    """
    if spam.reports_rate_limited(client.ip_address):
        raise ReportsRateLimited
    report = CommentReport(
        comment=comment,
        reason=reason or CommentReport.Reason.NONE,
        note=(note or "").strip(),
        reporter=reporter,
        # The reader's network, not the exact address: an IPv6 home has a whole /64 to
        # choose from, and one reader must count once (newsroom.net.reader_network).
        ip_address=reader_network(client.ip_address),
    )
    note_limit = CommentReport._meta.get_field("note").max_length
    try:
        if (
            len(report.note) > note_limit
        ):  # a TextField's max_length is the form's alone
            raise ValidationError(
                gettext("The note is %(n)d characters; the limit is %(limit)d.")
                % {"n": len(report.note), "limit": note_limit}
            )
        report.full_clean(exclude=["comment"], validate_constraints=False)
    except ValidationError as exc:
        raise InvalidReport(
            [ValidationError(m, code="invalid") for m in exc.messages]
        ) from None
    with transaction.atomic():
        # The story's row lock, as every write that may change its public comments takes
        # (_articles_lock): two readers' reports cannot both count from the same snapshot,
        # and a moderator's decision cannot cross the hold.
        _articles_lock([comment.article_id])
        status = (
            Comment.objects.filter(pk=comment.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status != Comment.Status.APPROVED:
            raise NotReportable
        same = Q(reporter=reporter)
        if report.ip_address:
            same |= Q(ip_address=report.ip_address)
        if CommentReport.objects.filter(same, comment_id=comment.pk).exists():
            raise AlreadyReported
        report.save()
        open_reports = CommentReport.objects.filter(
            comment_id=comment.pk, resolved_at__isnull=True
        ).count()
        changes = {"report_count": open_reports}
        hold = open_reports >= settings.COMMENTS_REPORTS_TO_HOLD
        if hold:
            changes.update(
                status=Comment.Status.PENDING,
                reason=Comment.Reason.REPORTED,
                reason_detail=ngettext(
                    "%(count)d open report", "%(count)d open reports", open_reports
                )
                % {"count": open_reports},
            )
        Comment.objects.filter(pk=comment.pk).update(**changes)
        for name, value in changes.items():  # the caller's instance says what is stored
            setattr(comment, name, value)
        if hold:
            article_comment_counts_refresh(article_ids=[comment.article_id])
            pages_changed()
            transaction.on_commit(lambda: _enqueue_notification(comment.pk))
    return report


# --- Editor's picks ---------------------------------------------------------------------------


def comments_pick(comments, *, moderator) -> int:
    """Make the comments editor's picks (first in their thread, labelled); returns how many became picks.

    Only published comments can be picked (a pick vouches for what readers see; a held one is
    approved first); each newly picked comment is handed to ``notices.comment_picked`` once
    the transaction commits (its author may have asked to hear). Each is logged as
    ``moderator``'s decision (comments/audit.py).
    """
    with transaction.atomic():
        newly = _for_log(comments.filter(is_pick=False).approved())
        shown = bool(newly)
        picked = [c.pk for c in newly]
        changed = Comment.objects.filter(pk__in=picked).update(
            is_pick=True, picked_at=timezone.now()
        )
        if changed and shown:
            pages_changed()
        decisions_log(
            comments=newly,
            moderator=moderator,
            message=gettext("Made an editor’s pick."),
        )
        for pk in picked:
            transaction.on_commit(lambda pk=pk: notices.comment_picked(pk), robust=True)
    return changed


def comments_unpick(comments, *, moderator) -> int:
    """Take the comments out of the editor's picks; returns how many were picks."""
    with transaction.atomic():
        picks = _for_log(comments.filter(is_pick=True))
        shown = any(c.status == Comment.Status.APPROVED for c in picks)
        changed = Comment.objects.filter(pk__in=[c.pk for c in picks]).update(
            is_pick=False, picked_at=None
        )
        if changed and shown:
            pages_changed()
        decisions_log(
            comments=picks,
            moderator=moderator,
            message=gettext("No longer an editor’s pick."),
        )
    return changed


def subscriber_confirm(*, email: str) -> Subscriber:
    """The address clicked its confirmation link: it gets reply notices (and notices again
    after an unsubscribe) from now on."""
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email
        )
        if not subscriber.is_confirmed:
            subscriber.confirmed_at = now
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscriber


def subscriber_unsubscribe(*, email: str) -> int:
    """Stop every email to the address about its comments; returns how many comments had a box ticked.

    The Subscriber row stays, marked unsubscribed (it is created if the address only ever
    asked for "published" emails): until the address confirms again, nothing but a
    (rate-limited) confirmation email is sent to it. No public page changes.
    """
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email
        )
        if subscriber.unsubscribed_at is None or subscriber.confirmed_at is not None:
            subscriber.unsubscribed_at = subscriber.unsubscribed_at or now
            subscriber.confirmed_at = None
            subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
        return (
            Comment.objects.filter(email=email)
            .filter(Q(notify_on_publish=True) | Q(notify_replies=True))
            .update(notify_on_publish=False, notify_replies=False)
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
        reported = _for_log(
            Comment.objects.filter(
                pk__in=ids, reports__resolved_at__isnull=True
            ).distinct()
        )
        CommentReport.objects.filter(
            comment_id__in=ids, resolved_at__isnull=True
        ).update(resolved_at=timezone.now(), resolved_by=moderator)
        # In the comment's History like every decision (comments/audit.py).
        decisions_log(
            comments=reported,
            moderator=moderator,
            message=gettext("Readers’ reports dealt with."),
        )
        return Comment.objects.filter(pk__in=ids, report_count__gt=0).update(
            report_count=0
        )


def comment_ips_anonymise(*, older_than_days: int) -> int:
    """Blank the IP address and browser of comments older than the given number of days.

    Readers' reports that old lose their IP address too (it only served the one-report-per-IP
    rule); the count returned is the comments'.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    CommentReport.objects.filter(
        created_at__lt=cutoff, ip_address__isnull=False
    ).update(ip_address=None)
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
    trusted-commenter entries for the address, the blocked terms and blocks naming the
    address or one of the IPs their comments came from, and its email notices (the
    reply-notice subscription and every email sent to it).
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
        "email_notices": {
            "subscriber": [
                {
                    "asked": sub.created_at.isoformat(),
                    "confirmed": _iso(sub.confirmed_at),
                    "unsubscribed": _iso(sub.unsubscribed_at),
                }
                for sub in Subscriber.objects.filter(email=email)
            ],
            "sent": [
                {
                    "kind": n.kind,
                    "comment": n.comment_id,
                    "ip_address": n.ip_address,
                    "sent": n.sent_at.isoformat(),
                }
                for n in NoticeLog.objects.filter(email=email).order_by("sent_at")
            ],
        },
        "blocks": [
            {
                "kind": b.kind,
                "value": b.value,
                "reason": b.reason,
                "since": b.created_at.isoformat(),
                "until": b.expires_at.isoformat() if b.expires_at else None,
            }
            for b in Block.objects.filter(
                Q(kind=Block.Kind.EMAIL, value=email)
                | Q(kind=Block.Kind.IP, value__in=ips)
            ).order_by("created_at", "pk")
        ],
    }


def _iso(moment):
    return moment.isoformat() if moment else None


def commenter_data_erase(*, email: str, mode: str | None = None) -> dict:
    """Erase what is stored about one email address; returns counts (never the address).

    ``mode`` (default ``COMMENTS_ERASE_MODE``): ``anonymise`` keeps each comment's text and
    blanks who wrote it (name, email, website, IP, browser, account); ``delete`` deletes
    their comments, except those with replies, whose text and identity are replaced so the
    replies stay attached and the thread readable. Trusted-commenter entries go; blocked
    terms stay (they protect the site; moderators can remove them). The address's
    reply-notice subscription and its NoticeLog rows are deleted. Stored counts are
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
        # The reply-notice opt-in and the record of emails sent to the address go too.
        notices_removed, _per_model = NoticeLog.objects.filter(email=email).delete()
        Subscriber.objects.filter(email=email).delete()
    return {
        "deleted": deleted,
        "anonymised": kept,
        "trusted_removed": trusted,
        "notices_removed": notices_removed,
    }
