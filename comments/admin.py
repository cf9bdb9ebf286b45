from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
        return truncatechars(obj.body, 80)

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
            truncatechars(obj.parent.body, 200),
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

    def _decide(self, request, count, singular, plural):
        self.message_user(
            request,
            ngettext(singular, plural, count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve"), permissions=["moderate"])
    def approve(self, request, queryset):
        n = services.comments_moderate(
            queryset, status=Comment.Status.APPROVED, moderator=request.user
        )
        self._decide(
            request, n, "%(count)d comment approved.", "%(count)d comments approved."
        )

    @admin.action(description=_("Mark as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        n = services.comments_moderate(
            queryset, status=Comment.Status.SPAM, moderator=request.user
        )
        self._decide(
            request,
            n,
            "%(count)d comment marked as spam.",
            "%(count)d comments marked as spam.",
        )

    @admin.action(description=_("Remove"), permissions=["moderate"])
    def remove(self, request, queryset):
        n = services.comments_moderate(
            queryset, status=Comment.Status.REMOVED, moderator=request.user
        )
        self._decide(
            request, n, "%(count)d comment removed.", "%(count)d comments removed."
        )

    @admin.action(
        description=_("Approve and trust this author"), permissions=["moderate"]
    )
    def approve_and_trust(self, request, queryset):
        n = services.comments_approve_and_trust(queryset, moderator=request.user)
        self._decide(
            request,
            n,
            "%(count)d comment approved; its author is trusted.",
            "%(count)d comments approved; their authors are trusted.",
        )

    @admin.action(
        description=_("Mark as spam and block this email/IP"), permissions=["moderate"]
    )
    def spam_and_block(self, request, queryset):
        n = services.comments_spam_and_block(queryset, moderator=request.user)
        self._decide(
            request,
            n,
            "%(count)d comment marked as spam; its email and IP are blocked.",
            "%(count)d comments marked as spam; their emails and IPs are blocked.",
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
