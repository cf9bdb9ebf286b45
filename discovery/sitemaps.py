"""Sitemaps for crawlers: an index at /sitemap.xml, one sitemap per kind of page, and a
Google News sitemap of the last 48 hours.

contrib.sitemaps takes the host from the Sites framework or the request; we install
neither Sites nor trust the Host header, so every URL is built on ``settings.SITE_URL``.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from articles.models import Article, Author, Section, StandingPage
from discovery import seo
from newsroom.links import absolute_url

NEWS_WINDOW = timedelta(hours=48)


class SiteSitemap(Sitemap):
    """A sitemap whose locations start with ``SITE_URL``, whatever host the crawler asked."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        # "https://example.org" -> "example.org"; Sitemap puts the scheme back in front.
        return settings.SITE_URL.split("://", 1)[-1]


class PagesSitemap(SiteSitemap):
    """The home page, then the standing pages that are written (About, Contact, Privacy…).

    Undated, as before: the index's Last-Modified follows the stories, and a standing page
    changes too rarely to need one.
    """

    changefreq = "hourly"

    def items(self):
        order = {kind: index for index, kind in enumerate(StandingPage.Kind.values)}
        pages = sorted(StandingPage.objects.only("slug"), key=lambda p: order[p.slug])
        return ["articles:home", *pages]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()

    def priority(self, item):
        return 1.0 if isinstance(item, str) else 0.3


def _latest_story(**match):
    """Subquery: publication time of the newest published story matching ``match``."""
    return Subquery(
        Article.objects.published()
        .filter(**match)
        .order_by("-published_at")
        .values("published_at")[:1]
    )


class SectionSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return (
            Section.objects.annotate(latest_at=_latest_story(section=OuterRef("pk")))
            .only("slug")
            .order_by("order", "name")
        )

    def lastmod(self, item):
        return item.latest_at


class AuthorSitemap(SiteSitemap):
    """Authors with at least one published story."""

    changefreq = "daily"

    def items(self):
        return (
            Author.objects.annotate(latest_at=_latest_story(author=OuterRef("pk")))
            .filter(latest_at__isnull=False)
            .only("slug")
            .order_by("name", "pk")
        )

    def lastmod(self, item):
        return item.latest_at


class ArticleSitemap(SiteSitemap):
    """Every published story, oldest first so that pages stay stable as stories are added."""

    limit = 5000  # well under the protocol's 50,000; 100,000 stories make 20 pages

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "revised_at")
            .order_by("published_at", "pk")
        )

    def lastmod(self, item):
        return seo.modified_at(item)

    def get_latest_lastmod(self):
        # The default walks every item; one aggregate does the same.
        return Article.objects.published().aggregate(
            # The latest of seo.modified_at(): revised_at is NULL for unrevised stories.
            latest=Max(Greatest("published_at", Coalesce("revised_at", "published_at")))
        )["latest"]


class NewsSitemap(SiteSitemap):
    """Stories published in the last 48 hours, for Google News (at most 1,000 per file)."""

    limit = 1000

    def items(self):
        return (
            Article.objects.published()
            .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
            .only("headline", "slug", "published_at", "revised_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return seo.modified_at(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "articles": ArticleSitemap,
}
NEWS_SITEMAPS = {"news": NewsSitemap}


@x_robots_tag
@require_safe
def index(request):
    """The sitemap index at /sitemap.xml: every page of every sitemap, on ``SITE_URL``.

    contrib's own index view takes the host from the request, hence this twin. Like contrib's,
    it sends ``Last-Modified`` (the latest change any sitemap reports) only when every sitemap
    that dates its entries reported one; the pages sitemap dates nothing and lists one fixed
    address, so it never changes the index.
    """
    entries = []
    latest, all_dated = None, True
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = absolute_url(
            reverse("discovery:sitemap-section", kwargs={"section": section})
        )
        lastmod = sitemap.get_latest_lastmod()
        if hasattr(sitemap, "lastmod"):
            if lastmod is None:
                all_dated = False
            else:
                latest = lastmod if latest is None else max(latest, lastmod)
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [
            SitemapIndexItem(f"{location}?p={page}", lastmod)
            for page in range(2, sitemap.paginator.num_pages + 1)
        ]
    headers = None
    if all_dated and latest is not None:
        headers = {"Last-Modified": http_date(latest.timestamp())}
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
        headers=headers,
    )
