from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles.admin import ArticleAdmin
from articles.models import Article
from comments import desk, services
from comments.admin_forms import BlockAdminForm, BlockCommentersForm
from comments.blocks import BlockDuration
from comments.models import Block, BlockedTerm, Comment, TrustedCommenter

# How many of the commenter's other comments a comment's page lists (newest first).
OTHER_COMMENTS_SHOWN = 20


class OpenReportsFilter(admin.SimpleListFilter):
    """Comments readers have reported and no moderator has dealt with yet (``report_count``)."""

    title = _("readers’ reports")
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [("open", _("Open reports"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(report_count__gt=0)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # Email and IP are on each comment's page, and why a comment was held sits under its
    # status: the list gives the text the room and fits at 1280 px (admin-comments.css).
    list_display = [
        "excerpt",
        "name",
        "article_link",
        "status_and_reason",
        "created_at",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        "status",
        "reason",
        OpenReportsFilter,
        "is_pick",
        ("article__section", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["name", "email", "body", "ip_address"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = [
        "approve",
        "mark_spam",
        "remove",
        "approve_and_trust",
        "spam_and_block",
        "pick",
        "unpick",
        "block_commenters",
    ]
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
        "other_comments",
        "created_at",
        "ip_address",
        "user_agent",
        "user",
        "moderated_by",
        "moderated_at",
        "is_pick",
        "picked_at",
        "report_count",
        "readers_reports",
    ]
    readonly_fields = [f for f in fields if f != "status"]

    class Media:
        css = {"all": ["css/admin-comments.css"]}

    def get_urls(self):
        # The moderation queue (comments/desk.py): admin pages, behind the admin's login.
        site = self.admin_site
        return [
            path(
                "queue/",
                site.admin_view(self.queue_view),
                name="comments_comment_queue",
            ),
            path(
                "queue/decide/",
                site.admin_view(self.queue_decide_view),
                name="comments_comment_queue_decide",
            ),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        return desk.queue_page(request, admin_site=self.admin_site)

    def queue_decide_view(self, request):
        return desk.queue_decide(request, admin_site=self.admin_site)

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

    def has_block_permission(self, request):
        return request.user.has_perm(
            "comments.add_block"
        ) and self.has_moderate_permission(request)

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        # Whole words: a cut-off "defen…" reads as a different word.
        return Truncator(obj.body).words(30)

    @admin.display(description=_("article"), ordering="article__headline")
    def article_link(self, obj):
        # A new tab: the moderator keeps their place (and selection) in the list.
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}'
            '<span aria-hidden="true"> ↗</span>'
            '<span class="visually-hidden"> {}</span></a>',
            obj.article.get_absolute_url(),
            obj.article.headline,
            _("(opens in a new tab)"),
        )

    @admin.display(description=_("status · why held"), ordering="status")
    def status_and_reason(self, obj):
        if not obj.reason:
            return obj.get_status_display()
        return format_html(
            '{}<span class="why-held">{}</span>',
            obj.get_status_display(),
            obj.get_reason_display(),
        )

    def view_on_site(self, obj):
        """Approved: the comment on the site. Otherwise the staff-only preview of it in its thread."""
        return obj.get_staff_url()

    @admin.display(description=_("on the site"))
    def on_site(self, obj):
        if not obj.is_public:
            return format_html(
                '{} · <a href="{}">{}</a>',
                _("Not shown to readers (%(status)s)")
                % {"status": obj.get_status_display()},
                self.view_on_site(obj),
                _("Preview it in its thread (staff only)"),
            )
        return format_html(
            '<a href="{}">{}</a>',
            obj.get_absolute_url(),
            _("View this comment on the site"),
        )

    @admin.display(description=_("their other comments"))
    def other_comments(self, obj):
        """The commenter's other comments (same email), newest first, with statuses and links."""
        if not obj.email:
            return "—"
        theirs = Comment.objects.filter(email=obj.email).exclude(pk=obj.pk)
        counts = dict(
            theirs.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        total = sum(counts.values())
        if not total:
            return _("None: this is their only comment.")
        shown = list(
            theirs.select_related("article").order_by("-created_at", "-pk")[
                :OTHER_COMMENTS_SHOWN
            ]
        )
        summary = ", ".join(
            f"{counts[status]} {label.lower()}"
            for status, label in Comment.Status.choices
            if counts.get(status)
        )
        all_url = (
            reverse("admin:comments_comment_changelist")
            + "?"
            + urlencode({"email": obj.email})
        )
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td class="status-{}">{}</td>'
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:comments_comment_change", args=[c.pk]),
                    Truncator(c.body).words(16),
                    c.status,
                    c.get_status_display(),
                    c.article.headline,
                    timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
                )
                for c in shown
            ),
        )
        return format_html(
            '<p class="other-comments__summary">{} <a href="{}">{}</a></p>'
            '<table class="other-comments"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            ngettext(
                "%(count)d other comment from this email (%(summary)s).",
                "%(count)d other comments from this email (%(summary)s).",
                total,
            )
            % {"count": total, "summary": summary},
            all_url,
            _("List them all"),
            _("comment"),
            _("status"),
            _("article"),
            _("submitted"),
            rows,
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

    @admin.display(description=_("readers’ reports"))
    def readers_reports(self, obj):
        """Every report of the comment, oldest first: when, why, the note, whether dealt with (all escaped)."""
        reports = obj.reports.all()
        if not reports:
            return "—"
        return format_html(
            '<ul class="comment-reports">{}</ul>',
            format_html_join(
                "",
                "<li>{}: <strong>{}</strong> {}{}</li>",
                (
                    (
                        date_format(localtime(r.created_at), "DATETIME_FORMAT"),
                        r.get_reason_display(),
                        r.note or "",
                        _(" (dealt with)") if r.resolved_at else "",
                    )
                    for r in reports
                ),
            ),
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

    def construct_change_message(self, request, form, formsets, add=False):
        # A status change is a decision comments_moderate has logged in its own words
        # ("Approved."); Django's "Changed Status." would record it twice.
        message = super().construct_change_message(request, form, formsets, add)
        if add or "status" not in form.changed_data:
            return message
        status_label = str(form.fields["status"].label)
        kept = []
        for part in message:
            changed = part.get("changed")
            if changed is not None:
                fields = [f for f in changed["fields"] if f != status_label]
                if not fields:
                    continue
                part = {"changed": {**changed, "fields": fields}}
            kept.append(part)
        return kept

    def log_change(self, request, obj, message):
        if message == []:  # only the status changed, and the service has logged it
            return None
        return super().log_change(request, obj, message)

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
        description=_("Mark as spam and block this email/IP for 30 days"),
        permissions=["block"],
    )
    def spam_and_block(self, request, queryset):
        n = services.comments_spam_and_block(queryset, moderator=request.user)
        self._done(
            request,
            ngettext(
                "%(count)d comment marked as spam; its email and IP are blocked for 30 days.",
                "%(count)d comments marked as spam; their emails and IPs are blocked for 30 days.",
                n,
            )
            % {"count": n},
        )

    @admin.action(description=_("Mark as editor’s pick"), permissions=["moderate"])
    def pick(self, request, queryset):
        n = services.comments_pick(queryset, moderator=request.user)
        self._done(
            request,
            ngettext(
                "%(count)d comment is now an editor’s pick.",
                "%(count)d comments are now editor’s picks.",
                n,
            )
            % {"count": n},
        )

    @admin.action(description=_("Remove editor’s pick"), permissions=["moderate"])
    def unpick(self, request, queryset):
        n = services.comments_unpick(queryset, moderator=request.user)
        self._done(
            request,
            ngettext(
                "%(count)d comment is no longer an editor’s pick.",
                "%(count)d comments are no longer editor’s picks.",
                n,
            )
            % {"count": n},
        )

    @admin.action(description=_("Block the commenter…"), permissions=["block"])
    def block_commenters(self, request, queryset):
        """A confirmation page (what, how long, why, hide earlier?), then the block."""
        form = BlockCommentersForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            result = services.commenters_block(
                comments=queryset, moderator=request.user, **form.cleaned_data
            )
            self._report_block(request, result, form.cleaned_data["duration"])
            return None  # back to the list
        context = {
            **self.admin_site.each_context(request),
            "title": _("Block the commenter"),
            "opts": self.opts,
            "form": form,
            "queryset": queryset,
            "targets": {
                kind: services.block_targets(comments=queryset, kinds=[kind])
                for kind in Block.Kind
            },
            "kinds": Block.Kind,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request,
            "admin/comments/comment/block_commenters.html",
            context,
            status=400 if form.is_bound else 200,
        )

    def _report_block(self, request, result, duration):
        parts = []
        if result.created:
            parts.append(
                gettext("Blocked %(duration)s: %(blocked)s.")
                % {
                    "duration": services.DURATION_WORDS[BlockDuration(duration)],
                    "blocked": result.summary(),
                }
            )
        if result.already:
            parts.append(
                gettext("Already blocked at least as long: %(values)s.")
                % {"values": ", ".join(value for _kind, value in result.already)}
            )
        if result.shared_domains:
            parts.append(
                gettext(
                    "Not blocked as domains, because many people share them: %(domains)s."
                )
                % {"domains": ", ".join(result.shared_domains)}
            )
        if result.hidden:
            parts.append(
                ngettext(
                    "%(count)d earlier comment removed.",
                    "%(count)d earlier comments removed.",
                    result.hidden,
                )
                % {"count": result.hidden}
            )
        done = result.created or result.extended or result.hidden
        level = messages.SUCCESS if done else messages.WARNING
        self.message_user(
            request, " ".join(parts) or gettext("Nothing to block."), level
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


class BlockActiveFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Expired"))]

    def queryset(self, request, queryset):
        active = Block.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Block)
class BlockAdmin(_ModeratorListAdmin):
    """Who is kept out, until when, why, and who decided (blocks set here or from the comments list)."""

    list_display = [
        "kind",
        "value",
        "reason",
        "created_by",
        "created_at",
        "expires_at",
        "in_force",
    ]
    list_filter = ["kind", BlockActiveFilter, "created_at"]
    search_fields = ["value", "reason"]
    actions = ["end_now"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:  # adding: choose a duration, as on the comments list
            kwargs["form"] = BlockAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "value", "duration", "reason"]
        return ["kind", "value", "reason", "expires_at", "created_by", "created_at"]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.is_active

    @admin.action(description=_("End the selected blocks now"), permissions=["change"])
    def end_now(self, request, queryset):
        n = services.blocks_end(blocks_to_end=queryset, moderator=request.user)
        self.message_user(
            request,
            ngettext("%(count)d block ended.", "%(count)d blocks ended.", n)
            % {"count": n},
            messages.SUCCESS,
        )


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
