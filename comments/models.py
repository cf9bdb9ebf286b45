from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        return f"{self.name}: {self.body[:40]}"

    def get_absolute_url(self):
        return reverse("comments:permalink", args=[self.pk])

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
