from datetime import timedelta
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.images import validate_image
from articles.markup import render_markdown
from newsroom import sharedcache

# A revision this long after publication shows readers an "Updated" line.
UPDATE_GRACE = timedelta(minutes=10)
# What readers read: a change to one of these after publication is a revision.
REVISION_FIELDS = ("headline", "standfirst", "body", "image")


class Section(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_("Sections are listed in the navigation from low to high."),
    )
    description = models.TextField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown on the section page."),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="authors/",
        blank=True,
        validators=[validate_image],
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        verbose_name=_("user account"),
        help_text=_("Optional: the staff account this author signs in with."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, with a publication time already past."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__lte=timezone.now()
        )

    def for_listing(self):
        """Published articles with what a list shows (section, author), newest first, in one query.

        The comment count is the stored ``comment_count`` column: a list never reads comments.
        """
        return (
            self.published()
            .select_related("section", "author")
            .order_by("-published_at", "-pk")
        )

    def related_to(self, article, limit=4):
        """Other published stories from the same section, newest first (no comment counts)."""
        return (
            self.published()
            .select_related("section")
            .filter(section_id=article.section_id)
            .exclude(pk=article.pk)
            .order_by("-published_at", "-pk")[:limit]
        )

    def section_blocks(self, per_section=4):
        """``[(section, [article, ...]), ...]``: each section's newest stories, from one query (no comment counts)."""
        ranked = (
            self.published()
            .select_related("section")
            .annotate(
                section_rank=Window(
                    RowNumber(),
                    partition_by=F("section_id"),
                    order_by=[F("published_at").desc(), F("pk").desc()],
                )
            )
            .filter(section_rank__lte=per_section)
            .order_by("section__order", "section__name", "section_rank")
        )
        return [
            (section, list(items))
            for section, items in groupby(ranked, key=attrgetter("section"))
        ]


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The search vector is as big as the body and only the database reads it.
        return super().get_queryset().defer("search_vector")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    headline = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique_for_date="published_at",
        help_text=_("Part of the story's address; unique per publication day."),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("section"),
    )
    author = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("author"),
    )
    standfirst = models.TextField(
        _("standfirst"),
        max_length=300,
        help_text=_("The one- or two-sentence summary under the headline."),
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Blank lines separate paragraphs.")
    )
    body_html = models.TextField(editable=False, default="")
    image = models.ImageField(
        _("lead image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[validate_image],
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_renditions = models.JSONField(default=list, blank=True, editable=False)
    image_alt = models.CharField(
        _("image alt text"),
        max_length=250,
        blank=True,
        help_text=_(
            "Required with an image: what the picture shows, for readers who cannot see it."
        ),
    )
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "A time in the future schedules the story: readers see it from then on."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    revised_at = models.DateTimeField(
        _("revised at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when the headline, standfirst, body or lead image changes after publication; "
            "readers then see an “Updated” line. Ticking boxes such as “featured” does not count."
        ),
    )
    comments_open = models.BooleanField(
        _("comments open"),
        default=True,
        help_text=_("Untick to close the discussion on this story."),
    )
    comment_count = models.PositiveIntegerField(
        _("comments"),
        default=0,
        editable=False,
        help_text=_(
            "How many approved comments the story has. Kept by the comments app whenever a "
            "comment is approved, removed, marked as spam or deleted."
        ),
    )
    is_featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("The newest featured story leads the home page."),
    )
    # Full-text search on PostgreSQL: a database trigger keeps it in step with headline,
    # standfirst and body (migration 0003; discovery/search.py). Always NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub"),
            models.Index(
                fields=["section", "status", "-published_at"],
                name="article_section_pub",
            ),
            GinIndex(fields=["search_vector"], name="article_search_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_article_has_date",
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""),
                name="article_image_has_alt",
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # body_html is derived data, kept in step with the Markdown source on every save.
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if self._is_revision(update_fields):
            self.revised_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "revised_at"}
        super().save(*args, **kwargs)
        # Writes the row only: image renditions are files, made after commit by
        # articles.services.article_save().

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at or timezone.now())
        return reverse(
            "articles:detail",
            kwargs={
                "year": local.year,
                "month": local.month,
                "day": local.day,
                "slug": self.slug,
            },
        )

    def _is_revision(self, update_fields=None) -> bool:
        """True when this save changes what readers read of a story that is already public.

        Compared with the stored row, not with the form, so saving a story unchanged (or only
        ticking "featured" or "comments open") is no revision. Whitespace is ignored: browsers
        send textareas back with CRLF line endings.
        """
        if self._state.adding or self.pk is None:
            return False
        if update_fields is not None and not set(update_fields) & set(REVISION_FIELDS):
            return False
        stored = (
            type(self)
            ._base_manager.filter(pk=self.pk)
            .values("status", "published_at", *REVISION_FIELDS)
            .first()
        )
        if (
            stored is None
            or stored["status"] != self.Status.PUBLISHED
            or stored["published_at"] is None
            or stored["published_at"] > timezone.now()
        ):
            return False
        current = {
            "headline": self.headline,
            "standfirst": self.standfirst,
            "body": self.body,
            "image": self.image.name if self.image else "",
        }
        return any(
            " ".join((stored[name] or "").split())
            != " ".join((current[name] or "").split())
            for name in REVISION_FIELDS
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = ValidationError(
                _("Describe the image for readers who cannot see it."),
                code="alt_required",
            )
        if self.status == self.Status.PUBLISHED and not self.published_at:
            errors["published_at"] = ValidationError(
                _("A published story needs a publication time."),
                code="published_at_required",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        """True when readers can see this article (the row-level twin of ``published()``)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def was_updated(self) -> bool:
        """True when the story was revised more than UPDATE_GRACE after its publication time."""
        return bool(
            self.published_at
            and self.revised_at
            and self.revised_at > self.published_at + UPDATE_GRACE
        )

    @cached_property
    def image_sources(self) -> dict | None:
        """srcset strings and the fallback for the lead image, or None without one."""
        if not self.image_renditions:
            return None
        storage = self.image.storage
        items = self.image_renditions
        largest = items[-1]
        return {
            "webp": ", ".join(f"{storage.url(i['webp'])} {i['width']}w" for i in items),
            "jpeg": ", ".join(f"{storage.url(i['jpeg'])} {i['width']}w" for i in items),
            "src": storage.url(largest["jpeg"]),
            "width": largest["width"],
            "height": largest["height"],
        }


class AdSlotQuerySet(models.QuerySet):
    def live(self):
        """Ad slots switched on whose date window includes now."""
        now = timezone.now()
        # No main image, no advert: a slot written without one (a fixture, an import; the
        # admin requires it) never breaks a page.
        return (
            self.filter(is_active=True, starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .exclude(image="")
        )


class AdSlot(models.Model):
    class Placement(models.TextChoices):
        ARTICLE = "article", _("In article, after a paragraph")
        SIDEBAR = "sidebar", _("Sidebar")
        HOME = "home", _("Home page")

    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("For editors only; readers never see it."),
    )
    placement = models.CharField(
        _("placement"), max_length=10, choices=Placement, default=Placement.ARTICLE
    )
    after_paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"),
        default=3,
        help_text=_(
            "In-article slots only: shown after this paragraph (skipped if the story is shorter)."
        ),
    )
    image = models.ImageField(
        _("image"),
        upload_to="ads/",
        validators=[validate_image],
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Served instead of ``image`` on small screens (<picture>): a wide banner shrunk to a
    # phone's width would be illegible.
    small_image = models.ImageField(
        _("small-screen image"),
        upload_to="ads/",
        blank=True,
        validators=[validate_image],
        width_field="small_image_width",
        height_field="small_image_height",
        help_text=_(
            "Optional: shown on phones instead of the image, e.g. 320 × 100 for a 970 × 150 banner."
        ),
    )
    small_image_width = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    small_image_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    alt_text = models.CharField(
        _("alt text"), max_length=200, help_text=_("What the advert says or shows.")
    )
    link = models.URLField(_("link"), max_length=500)
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to run until switched off."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = AdSlotQuerySet.as_manager()

    class Meta:
        ordering = ["placement", "after_paragraph", "name"]
        verbose_name = _("ad slot")
        verbose_name_plural = _("ad slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="adslot_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class ArticleDailyViews(models.Model):
    """Page views of one story on one day, flushed in batches from the cache (discovery/trending.py)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_views"
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], name="article_day_views_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "article"], name="views_day_article")]

    def __str__(self):
        return f"{self.article_id} on {self.day}: {self.views}"


class StandingPage(models.Model):
    """A page editors keep up to date outside the news: About, Contact, Privacy, Guidelines, Terms."""

    class Kind(models.TextChoices):
        ABOUT = "about", _("About us")
        CONTACT = "contact", _("Contact")
        PRIVACY = "privacy", _("Privacy notice")
        GUIDELINES = "comment-guidelines", _("Comment guidelines")
        TERMS = "terms", _("Terms of use")

    # The page's address: /<slug>/ (one page of each kind).
    slug = models.SlugField(_("page"), max_length=40, choices=Kind, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One sentence for search engines and link previews."),
    )
    body = models.TextField(
        _("text"),
        help_text=_("Markdown, like a story: headings with ##, links, lists."),
    )
    body_html = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("standing page")
        verbose_name_plural = _("standing pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Rendered and sanitised once, like a story's body (articles/markup.py).
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:page", kwargs={"slug": self.slug})

    @property
    def body_safe(self):
        return mark_safe(self.body_html)  # noqa: S308 - nh3-sanitised in save()


class Publication(models.Model):
    """The paper's own details, one row edited in the admin: logo, address, news desk contacts.

    The paper's name is ``SITE_NAME``; everything here is optional, and the masthead falls
    back to a wordmark of the name when there is no logo.
    """

    logo = models.ImageField(
        _("logo"),
        upload_to="masthead/",
        blank=True,
        validators=[validate_image],
        width_field="logo_width",
        height_field="logo_height",
        help_text=_(
            "Optional: a wide image of the paper’s name; without one the name is set in type."
        ),
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    address = models.TextField(
        _("postal address"),
        max_length=400,
        blank=True,
        help_text=_("One line per line."),
    )
    news_desk_email = models.EmailField(_("news desk email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    # What current() keeps in the shared cache; forget_current() drops it after a save.
    CACHE_KEY = "articles:publication"
    # A save drops the copy at once, but only from a cache every process shares: with the
    # per-process default (locmem) another worker keeps its copy until this runs out.
    CACHE_TTL = 600

    class Meta:
        verbose_name = _("paper details")
        verbose_name_plural = _("paper details")

    def __str__(self):
        return str(_("Paper details"))

    @classmethod
    def current(cls) -> "Publication":
        """The paper's details for every page (masthead logo, footer), from the shared cache.

        One query when the cache is cold, none when warm. With no row yet, an unsaved
        ``Publication()`` (every field empty). Either way ``.pages`` lists the standing pages
        that are written, in menu order, as ``(slug, title)`` pairs: the footer links only
        those, so it never links a 404. The copy is dropped after a save of either model
        (``forget_current()``, called by the services in articles/services.py).
        """
        return sharedcache.cached(
            cls.CACHE_KEY, cls._load_current, timeout=cls.CACHE_TTL
        )

    @classmethod
    def _load_current(cls) -> "Publication":
        # The written pages' titles ride along as scalar subqueries: one query, not two.
        titles = {
            f"page_{index}": Subquery(
                StandingPage.objects.filter(slug=kind).values("title")[:1]
            )
            for index, kind in enumerate(StandingPage.Kind.values)
        }
        publication = cls.objects.annotate(**titles).order_by("pk").first()
        if publication is None:
            publication = cls()
            written = dict(StandingPage.objects.values_list("slug", "title"))
            found = [written.get(kind) for kind in StandingPage.Kind.values]
        else:
            found = [getattr(publication, name) for name in titles]
            for name in titles:
                delattr(publication, name)
        publication.pages = [
            (kind, title)
            for kind, title in zip(StandingPage.Kind.values, found, strict=True)
            if title
        ]
        return publication

    @classmethod
    def forget_current(cls) -> None:
        """Drop the cached ``current()`` (with the cache down there is nothing to drop)."""
        sharedcache.call("delete", cls.CACHE_KEY)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]
