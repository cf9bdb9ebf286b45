import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from comments import blocks


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments the public may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        """Comments waiting for a moderator."""
        return self.filter(status=Comment.Status.PENDING)

    def for_thread(self, article, held_ids=()):
        """Everything one article's discussion shows, as light named tuples from one query, oldest first.

        Approved comments for everyone, plus the reader's own held comments (``held_ids``).
        Private columns (email, IP, user agent) are never loaded for the public page.
        """
        visible = Q(status=Comment.Status.APPROVED)
        if held_ids:
            visible |= Q(pk__in=list(held_ids), status=Comment.Status.PENDING)
        return (
            self.filter(visible, article=article)
            .order_by("created_at", "id")
            .values_list(*THREAD_FIELDS, named=True)
        )


# Named tuples instead of model instances: a 200-comment thread loads ~10x faster.
THREAD_FIELDS = (
    "id",
    "parent_id",
    "depth",
    "name",
    "url",
    "body_html",
    "status",
    "created_at",
    # "edited" in the shared thread; why a held comment waits, for its author only (never the
    # detail, which can name a blocked term).
    "edited_at",
    "reason",
    "is_pick",
)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        HOLD_ALL = "hold_all", _("Site holds every comment")
        FIRST_TIME = "first_time", _("First-time commenter")
        TOO_MANY_LINKS = "too_many_links", _("Too many links")
        LATE = "late", _("Story older than the hold-after limit")
        TOO_FAST = "too_fast", _("Form sent too fast")
        HONEYPOT = "honeypot", _("Honeypot field filled in")
        BLOCKED_TERM = "blocked_term", _("Blocked term")
        BLOCKED = "blocked", _("Blocked commenter (email, domain or IP)")
        REPORTED = "reported", _("Reported by readers")

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("article"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1)
    name = models.CharField(_("name"), max_length=100)
    # Required on the public form; blank only for staff whose account has no email address.
    email = models.EmailField(_("email"), max_length=254, blank=True)
    url = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("comment"), max_length=5000)
    # The text rendered once at posting time (escaped, linked, sanitised): pages never re-render it.
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    reason = models.CharField(
        _("why held"), max_length=20, choices=Reason, blank=True, default=""
    )
    reason_detail = models.CharField(
        _("details"), max_length=200, blank=True, default=""
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("signed-in user"),
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    # Set when the author edits the text inside COMMENTS_EDIT_WINDOW; an edited approved comment says so.
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # The author's opt-ins on the form: one email when a moderator approves the comment, and
    # (once the address is confirmed, see Subscriber) an email for each reply.
    notify_on_publish = models.BooleanField(
        _("email the author when published"), default=False
    )
    notify_replies = models.BooleanField(
        _("email the author about replies"), default=False
    )
    # An editor's pick shows first in its thread, labelled.
    is_pick = models.BooleanField(_("editor’s pick"), default=False, db_index=True)
    picked_at = models.DateTimeField(_("picked at"), null=True, blank=True)
    # Readers' reports not yet dealt with (CommentReport rows with resolved_at empty), stored
    # so the queue and the admin never count per row.
    report_count = models.PositiveIntegerField(_("open reports"), default=0)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            models.Index(
                fields=["article", "status", "created_at"], name="comment_thread"
            ),
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
            models.Index(fields=["email", "status"], name="comment_author_history"),
        ]

    def __str__(self):
        return f"{self.name}: {Truncator(self.body).words(7)}"

    def get_absolute_url(self):
        return reverse("comments:permalink", args=[self.pk])

    def get_staff_url(self):
        """Where staff see the comment: on the site once approved, else the staff-only preview in its thread."""
        if self.is_public:
            return self.get_absolute_url()
        return reverse("comments:preview", args=[self.pk]) + f"#comment-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED


class ModeratorListEntry(models.Model):
    """An entry moderators add to one of their lists, signed by whoever added it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class BlockedTerm(ModeratorListEntry):
    term = models.CharField(
        _("term"),
        max_length=200,
        unique=True,
        help_text=_(
            "A word, phrase, email address, web address or IP address. A comment containing it "
            "(in name, email, website, text or IP) goes to spam. Not case sensitive."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("blocked term")
        verbose_name_plural = _("blocked terms")

    def __str__(self):
        return self.term


class TrustedCommenter(ModeratorListEntry):
    """A commenter moderators vouched for: their comments skip the first-time and hold-all rules."""

    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254)
    created_at = models.DateTimeField(_("trusted since"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("trusted commenter")
        verbose_name_plural = _("trusted commenters")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "email"], name="trusted_commenter_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class CommentReport(models.Model):
    """One reader's report of one approved comment ("Report" under each comment)."""

    class Reason(models.TextChoices):
        NONE = "", _("No reason given")
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse or harassment")
        OFF_TOPIC = "off_topic", _("Off-topic")
        ILLEGAL = "illegal", _("Illegal content")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=Reason, blank=True, default=""
    )
    note = models.TextField(_("note"), max_length=1000, blank=True, default="")
    # Who reported, without an account: a random id from a signed cookie, and the IP.
    reporter = models.CharField(_("reporter id"), max_length=64)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("dealt with at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dealt with by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="comment_report_once"
            )
        ]
        indexes = [
            models.Index(fields=["comment", "resolved_at"], name="report_open"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class Subscriber(models.Model):
    """An email address that asked for reply notices: confirmed by a signed link (double opt-in)."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Unsubscribing keeps the row (so a later opt-in asks for confirmation again, and the
    # address is never mailed by mistake); confirmed_at is cleared at the same time.
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("reply-notice subscriber")
        verbose_name_plural = _("reply-notice subscribers")

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class NoticeLog(models.Model):
    """One email sent to a commenter: the record the throttles count (never shown to anyone)."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirm reply notices")
        PUBLISHED = "published", _("Your comment is published")
        REPLY = "reply", _("Someone replied")
        PICK = "pick", _("Editor’s pick")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    email = models.EmailField(_("email"), max_length=254)
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Where the request that caused it came from (confirmation emails: the per-IP daily limit).
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("notice sent")
        verbose_name_plural = _("notices sent")
        indexes = [
            models.Index(fields=["email", "kind", "sent_at"], name="notice_throttle"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.email}"


class BlockQuerySet(models.QuerySet):
    def active(self, now=None):
        """Blocks still in force: no expiry, or an expiry in the future."""
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Block(ModeratorListEntry):
    """A commenter kept out for a while: an email address, a whole domain or an IP address."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        DOMAIN = "domain", _("Email or website domain")
        IP = "ip", _("IP address")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    value = models.CharField(_("blocked"), max_length=254)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("blocked at"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to block for good."),
    )

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        indexes = [models.Index(fields=["kind", "value"], name="block_lookup")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        """Store the value the way the verdict compares it: lower case, canonical IP, bare domain."""
        value = (self.value or "").strip()
        if self.kind == self.Kind.EMAIL:
            value = value.lower()
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(
                    {"value": _("Enter an email address, such as bob@example.org.")},
                    code="invalid_email",
                ) from None
        elif self.kind == self.Kind.DOMAIN:
            value = blocks.normalise_domain(value.rpartition("@")[2])
            if not re.fullmatch(r"[\w-]+(\.[\w-]+)+", value):
                raise ValidationError(
                    {"value": _("Enter a domain, such as spam.example.")},
                    code="invalid_domain",
                )
        elif self.kind == self.Kind.IP:
            try:
                value = blocks.normalise_ip(value)
            except ValueError:
                raise ValidationError(
                    {"value": _("Enter an IP address, such as 203.0.113.7.")},
                    code="invalid_ip",
                ) from None
        self.value = value

    @property
    def is_active(self) -> bool:
        """True while the block is in force (the same rule as ``BlockQuerySet.active()``)."""
        return self.expires_at is None or self.expires_at > timezone.now()
