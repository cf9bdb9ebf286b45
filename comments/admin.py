from django.contrib import admin, messages
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin import ArticleAdmin
from articles.models import Article
from comments import services
from comments.models import BlockedTerm, Comment, TrustedCommenter


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "name",
        "email",
        "ip_address",
        "article_link",
        "status",
        "reason",
        "created_at",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        "reason",
        ("article__section", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["name", "email", "body", "ip_address"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["approve", "mark_spam", "remove", "approve_and_trust", "spam_and_block"]
    fields = [
        "status",
        "reason",
        "reason_detail",
        "article_link",
        "on_site",
        "parent_comment",
        "name",
        "email",
        "url",
        "body",
        "created_at",
        "ip_address",
        "user_agent",
        "user",
        "moderated_by",
        "moderated_at",
    ]
    readonly_fields = [f for f in fields if f != "status"]

    def get_ordering(self, request):
        # Pending first, newest first within each group.
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1)
        )
        return [pending_first.asc(), "-created_at", "-id"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article", "parent", "moderated_by", "user")
        )

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_add_permission(self, request):
        return False  # comments come from readers, through the site

    def has_delete_permission(self, request, obj=None):
        # Moderators change the status; spam and removed comments stay on record. Only a
        # superuser may delete (which also lets them delete a story that has comments).
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(
            request, obj
        ) and self.has_moderate_permission(request)

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        # Whole words: a cut-off "defen…" reads as a different word.
        return Truncator(obj.body).words(14)

    @admin.display(description=_("article"), ordering="article__headline")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.article.get_absolute_url(), obj.article.headline
        )

    @admin.display(description=_("on the site"))
    def on_site(self, obj):
        if not obj.is_public:
            return _("Not shown to readers (%(status)s)") % {
                "status": obj.get_status_display()
            }
        return format_html(
            '<a href="{}">{}</a>',
            obj.get_absolute_url(),
            _("View this comment on the site"),
        )

    @admin.display(description=_("in reply to"))
    def parent_comment(self, obj):
        if not obj.parent:
            return "—"
        url = reverse("admin:comments_comment_change", args=[obj.parent.pk])
        return format_html(
            '<a href="{}">{}</a>: {}',
            url,
            obj.parent.name,
            Truncator(obj.parent.body).words(35),
        )

    def save_model(self, request, obj, form, change):
        # A status change from the change form is a moderation decision like the actions.
        if change and "status" in form.changed_data:
            services.comments_moderate(
                Comment.objects.filter(pk=obj.pk),
                status=obj.status,
                moderator=request.user,
            )
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.comments_delete(comments=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.comments_delete(comments=queryset)

    def _done(self, request, message):
        self.message_user(request, message, messages.SUCCESS)

    # Each message is a literal in its own ngettext() call, so makemessages extracts it.
    @admin.action(description=_("Approve"), permissions=["moderate"])
    def approve(self, request, queryset):
        n = services.comments_moderate(
            queryset, status=Comment.Status.APPROVED, moderator=request.user
        )
        self._done(
            request,
            ngettext("%(count)d comment approved.", "%(count)d comments approved.", n)
            % {"count": n},
        )

    @admin.action(description=_("Mark as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        n = services.comments_moderate(
            queryset, status=Comment.Status.SPAM, moderator=request.user
        )
        self._done(
            request,
            ngettext(
                "%(count)d comment marked as spam.",
                "%(count)d comments marked as spam.",
                n,
            )
            % {"count": n},
        )

    @admin.action(description=_("Remove"), permissions=["moderate"])
    def remove(self, request, queryset):
        n = services.comments_moderate(
            queryset, status=Comment.Status.REMOVED, moderator=request.user
        )
        self._done(
            request,
            ngettext("%(count)d comment removed.", "%(count)d comments removed.", n)
            % {"count": n},
        )

    @admin.action(
        description=_("Approve and trust this author"), permissions=["moderate"]
    )
    def approve_and_trust(self, request, queryset):
        n = services.comments_approve_and_trust(queryset, moderator=request.user)
        self._done(
            request,
            ngettext(
                "%(count)d comment approved; its author is trusted.",
                "%(count)d comments approved; their authors are trusted.",
                n,
            )
            % {"count": n},
        )

    @admin.action(
        description=_("Mark as spam and block this email/IP"), permissions=["moderate"]
    )
    def spam_and_block(self, request, queryset):
        n = services.comments_spam_and_block(queryset, moderator=request.user)
        self._done(
            request,
            ngettext(
                "%(count)d comment marked as spam; its email and IP are blocked.",
                "%(count)d comments marked as spam; their emails and IPs are blocked.",
                n,
            )
            % {"count": n},
        )


class _ModeratorListAdmin(admin.ModelAdmin):
    """Blocked terms and trusted commenters: lists moderators keep, each entry signed by its author."""

    list_filter = ["created_at"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BlockedTerm)
class BlockedTermAdmin(_ModeratorListAdmin):
    list_display = ["term", "note", "created_at", "created_by"]
    search_fields = ["term", "note"]


@admin.register(TrustedCommenter)
class TrustedCommenterAdmin(_ModeratorListAdmin):
    list_display = ["name", "email", "created_at", "created_by"]
    search_fields = ["name", "email"]


# The articles list gets its Comments column from here: articles knows nothing of comments.
admin.site.unregister(Article)


@admin.register(Article)
class ArticleWithCommentsAdmin(ArticleAdmin):
    """The article admin plus a Comments column: the stored count and how many wait."""

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        # Only people who may read comments get the link to them.
        column = (
            "comments"
            if request.user.has_perm("comments.view_comment")
            else "comment_count_plain"
        )
        at = (
            columns.index("preview_link") if "preview_link" in columns else len(columns)
        )
        return [*columns[:at], column, *columns[at:]]

    def get_queryset(self, request):
        waiting = (
            Comment.objects.pending()
            .filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=Coalesce(
                    Subquery(waiting, output_field=IntegerField()), 0
                )
            )
        )

    def _comment_label(self, obj):
        label = str(obj.comment_count)
        if obj.pending_count:
            label += _(" (+%(n)d waiting)") % {"n": obj.pending_count}
        return label

    @admin.display(description=_("Comments"), ordering="comment_count")
    def comment_count_plain(self, obj):
        return self._comment_label(obj)

    @admin.display(description=_("Comments"), ordering="comment_count")
    def comments(self, obj):
        """Approved (and waiting) comments, linked to the moderation list for this story."""
        url = (
            reverse("admin:comments_comment_changelist")
            + f"?article__id__exact={obj.pk}"
        )
        return format_html('<a href="{}">{}</a>', url, self._comment_label(obj))
