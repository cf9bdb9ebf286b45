from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.forms import CheckedImageField, StoredFilesForm
from articles.models import AdSlot, Article, Author, Publication, Section, StandingPage
from articles.services import (
    article_save,
    articles_publish,
    publication_save,
    standing_page_delete,
    standing_page_save,
)

# Every image upload in the admin gets Newsroom's specific messages (articles/images.py).
IMAGE_FIELDS = {models.ImageField: {"form_class": CheckedImageField}}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    list_filter = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = StoredFilesForm  # a full disk is a form error, not a 500
    list_display = ["name", "slug", "user"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = IMAGE_FIELDS
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # Linking a staff account means browsing accounts: only for those allowed to see them.
        # (Editors would otherwise get a picker whose search they may not use.)
        if request.user.has_perm("auth.view_user"):
            return self.readonly_fields
        return [*self.readonly_fields, "user"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = StoredFilesForm  # a full disk is a form error, not a 500
    list_display = [
        "headline",
        "section",
        "author",
        "status",
        "published_at",
        "is_featured",
        "preview_link",
    ]
    list_filter = [
        "status",
        "section",
        "author",
        "is_featured",
        "comments_open",
        "published_at",
    ]
    search_fields = ["headline", "standfirst", "body"]
    prepopulated_fields = {"slug": ["headline"]}
    formfield_overrides = IMAGE_FIELDS
    autocomplete_fields = ["author", "section"]
    list_select_related = ["section", "author"]
    date_hierarchy = "published_at"
    actions = ["publish"]
    save_on_top = True

    class Media:
        # Headlines are shown whole and wrap between words: a column wide enough to read.
        css = {"all": ["css/admin-lists.css"]}

    fieldsets = [
        (
            None,
            {"fields": ["headline", "slug", "section", "author", "standfirst", "body"]},
        ),
        (
            _("Lead image"),
            {"fields": ["image", "image_alt", "image_caption", "image_credit"]},
        ),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "is_featured", "comments_open"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        # Renditions of a new lead image are made by the service once the save commits.
        article_save(obj)

    @admin.display(description=_("Reader view"))
    def preview_link(self, obj):
        if obj.is_public:
            return format_html(
                '<a href="{}">{}</a>', obj.get_absolute_url(), _("View on site")
            )
        return format_html(
            '<a href="{}">{}</a>',
            reverse("articles:preview", args=[obj.pk]),
            _("Preview"),
        )

    def view_on_site(self, obj):
        # Drafts and scheduled stories have no public page yet; the preview shows them to staff.
        return (
            obj.get_absolute_url()
            if obj.is_public
            else reverse("articles:preview", args=[obj.pk])
        )

    @admin.action(description=_("Publish selected drafts now"), permissions=["change"])
    def publish(self, request, queryset):
        result = articles_publish(queryset, now=timezone.now())
        count = len(result.published)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS if count else messages.INFO,
        )
        for article, taken_by in result.skipped:
            self.message_user(
                request,
                _(
                    "“%(headline)s” not published: another story that day already uses "
                    "the address %(url)s. Change its slug, then publish it."
                )
                % {
                    "headline": article.headline,
                    "url": taken_by.get_absolute_url(),
                },
                messages.WARNING,
            )


@admin.register(AdSlot)
class AdSlotAdmin(admin.ModelAdmin):
    form = StoredFilesForm  # a full disk is a form error, not a 500
    list_display = [
        "name",
        "placement",
        "after_paragraph",
        "image_size",
        "small_image_size",
        "is_active",
        "starts_at",
        "ends_at",
    ]
    list_filter = ["placement", "is_active"]
    search_fields = ["name", "alt_text", "link"]
    fieldsets = [
        (None, {"fields": ["name", "placement", "after_paragraph"]}),
        (
            _("Advert"),
            {
                "fields": ["image", "small_image", "alt_text", "link"],
                "description": _(
                    "Phones (screens up to 640 px wide) get the small-screen image when there "
                    "is one, so a wide banner is not shrunk into unreadable text; other "
                    "screens get the image. Both are shown at their own size."
                ),
            },
        ),
        (_("When"), {"fields": ["is_active", "starts_at", "ends_at"]}),
    ]
    date_hierarchy = "starts_at"

    class Media:
        css = {"all": ["css/admin-lists.css"]}

    # Django 6 makes https the assumed scheme for typed-in addresses; opt in now.
    formfield_overrides = {**IMAGE_FIELDS, models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("image"))
    def image_size(self, obj):
        # No-break spaces: "728 × 180" stays on one line in a narrow column.
        return f"{obj.image_width}\u00a0×\u00a0{obj.image_height}" if obj.image else "—"

    @admin.display(description=_("phones"))
    def small_image_size(self, obj):
        if not obj.small_image:
            return _("same image")
        return f"{obj.small_image_width}\u00a0×\u00a0{obj.small_image_height}"


@admin.register(StandingPage)
class StandingPageAdmin(admin.ModelAdmin):
    """About, Contact, Privacy, Comment guidelines, Terms: one page of each kind (Editors)."""

    list_display = ["title", "slug", "updated_at", "reader_link"]
    search_fields = ["title", "summary", "body"]
    readonly_fields = ["updated_at"]
    fields = ["slug", "title", "summary", "body", "updated_at"]
    save_on_top = True

    def get_readonly_fields(self, request, obj=None):
        # The kind is the page's address: fixed once the page exists.
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        standing_page_save(page=obj)

    def delete_model(self, request, obj):
        standing_page_delete(page=obj)

    def delete_queryset(self, request, queryset):
        for page in queryset:
            standing_page_delete(page=page)

    @admin.display(description=_("Reader view"))
    def reader_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.get_absolute_url(), _("View on site")
        )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """The paper's details: one row, added once, never deleted (Editors); the masthead shows the logo."""

    form = StoredFilesForm  # a full disk is a form error, not a 500
    formfield_overrides = IMAGE_FIELDS
    list_display = ["__str__", "tagline", "news_desk_email", "phone", "updated_at"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (
            _("Masthead"),
            {
                "fields": ["logo", "tagline"],
                "description": _(
                    "The paper’s name is set in type at the top of every page unless a logo is "
                    "uploaded: a wide JPEG, PNG or WebP image, about 600 × 100 px, that reads on "
                    "a light and a dark background. Its name comes from the "
                    "SITE_NAME setting and is the logo’s alt text."
                ),
            },
        ),
        (_("Contact"), {"fields": ["address", "news_desk_email", "phone"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Publication.objects.exists()

    def changelist_view(self, request, extra_context=None):
        # One row: the list would be a one-line detour, so open the row itself.
        publication = Publication.objects.order_by("pk").first()
        if publication is not None and self.has_view_or_change_permission(
            request, publication
        ):
            return redirect("admin:articles_publication_change", publication.pk)
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        publication_save(publication=obj)
