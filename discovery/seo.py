"""Page metadata for search engines, feed readers and link previews.

Plain functions returning plain data: ``*_meta()`` build what ``templates/discovery/_meta.html``
renders (description, canonical, feed links, Open Graph, Twitter card, JSON-LD), the
``*_data()`` functions build schema.org dicts. Every URL here is absolute and starts with
``settings.SITE_URL``, never with the Host header of the request. Nothing here runs a query:
callers pass objects that already carry what is needed (section and author loaded with
the article; on a story page the comment count and the comments come from the thread the
discussion loads anyway, through the ``comment_schema`` tag).
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from newsroom.links import absolute_url

SCHEMA = "https://schema.org"
LOGO_PATH = "img/logo.png"
LOGO_SIZE = (600, 60)
DESCRIPTION_MAX_CHARS = 300
# What json_script escapes: "<", ">" and "&" can never end the <script> element early.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# --- Building blocks ----------------------------------------------------------------------


def site_description() -> str:
    return getattr(settings, "SITE_DESCRIPTION", "") or (
        f"Independent local news from {settings.SITE_NAME}: the latest stories, "
        "sections and reader discussion."
    )


def section_description(section) -> str:
    return describe(
        section.description,
        f"The latest {section.name} stories from {settings.SITE_NAME}.",
    )


def describe(text: str, fallback: str = "") -> str:
    """One line of text for a description tag: whitespace collapsed, at most 300 characters."""
    text = " ".join((text or "").split()) or fallback
    return Truncator(text).chars(DESCRIPTION_MAX_CHARS)


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def lead_image(article) -> dict | None:
    """The largest JPEG rendition of the lead image (``url`` absolute, ``name`` in storage), or None."""
    if not article.image_renditions:
        return None
    largest = max(article.image_renditions, key=lambda item: item["width"])
    return {
        "name": largest["jpeg"],
        "url": absolute_url(article.image.storage.url(largest["jpeg"])),
        "width": largest["width"],
        "height": largest["height"],
        "type": "image/jpeg",
        "alt": article.image_alt,
    }


def author_photo(author) -> dict | None:
    if not author.photo:
        return None
    return {
        "url": absolute_url(author.photo.url),
        "width": author.photo_width,
        "height": author.photo_height,
        "alt": "",
    }


def logo() -> dict:
    return {
        "url": absolute_url(static(LOGO_PATH)),
        "width": LOGO_SIZE[0],
        "height": LOGO_SIZE[1],
    }


def page_path(path: str, page_obj=None, **params) -> str:
    """``path`` with its query: pagination pages are canonical to themselves (``?page=N``)."""
    query = {key: value for key, value in params.items() if value}
    if page_obj is not None and page_obj.number > 1:
        query["page"] = page_obj.number
    return f"{path}?{urlencode(query)}" if query else path


# --- Feeds ----------------------------------------------------------------------------------


def site_feed_title() -> str:
    return f"{settings.SITE_NAME}: latest stories"


def section_feed_title(section) -> str:
    return f"{settings.SITE_NAME}: {section.name}"


def feed_links(section=None) -> list[dict]:
    """``<link rel="alternate">`` targets: the site's feeds, then the section's when given."""
    links = [
        _feed_link("RSS", site_feed_title(), reverse("discovery:feed")),
        _feed_link("Atom", site_feed_title(), reverse("discovery:feed-atom")),
    ]
    if section is not None:
        links += [
            _feed_link(
                "RSS",
                section_feed_title(section),
                reverse("discovery:section-feed", kwargs={"slug": section.slug}),
            ),
            _feed_link(
                "Atom",
                section_feed_title(section),
                reverse("discovery:section-feed-atom", kwargs={"slug": section.slug}),
            ),
        ]
    return links


def comments_feed_link(article) -> dict:
    """The story's own comment feed (discovery/feeds.py)."""
    local = timezone.localtime(article.published_at)
    path = reverse(
        "discovery:comments-feed",
        kwargs={
            "year": local.year,
            "month": local.month,
            "day": local.day,
            "slug": article.slug,
        },
    )
    return _feed_link("RSS", f"Comments on {article.headline}", path)


def _feed_link(kind, title, path):
    mime = {"RSS": "application/rss+xml", "Atom": "application/atom+xml"}[kind]
    return {"type": mime, "title": f"{title} ({kind})", "href": absolute_url(path)}


# --- schema.org data --------------------------------------------------------------------------


def publisher_data() -> dict:
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "logo": {"@type": "ImageObject", **logo()},
    }


def person_data(author) -> dict:
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }


def news_article_data(article, *, comment_count=None, comments=None) -> dict:
    """schema.org ``NewsArticle`` for one story.

    ``comment_count``: approved comments (omitted when None). ``comments``: schema.org
    ``Comment`` dicts (discovery/schema.py), included as ``comment`` when given.
    """
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": describe(article.standfirst),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": article.section.name,
        "author": person_data(article.author),
        "publisher": publisher_data(),
        "isAccessibleForFree": True,
        "discussionUrl": f"{url}#comments",
    }
    if article.published_at:
        data["datePublished"] = iso(article.published_at)
        data["dateModified"] = iso(modified_at(article))
    image = lead_image(article)
    if image:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": image["url"],
                "width": image["width"],
                "height": image["height"],
            }
        ]
    if comment_count is not None:
        data["commentCount"] = int(comment_count)
    if comments is not None:
        data["comment"] = list(comments)
    return data


def modified_at(article):
    """When the story's content last changed (its last revision), never before it was published.

    ``revised_at``, not ``updated_at``: ticking "featured" or closing comments saves the story
    but changes nothing a reader or a search engine reads.
    """
    if article.published_at and article.revised_at:
        return max(article.published_at, article.revised_at)
    return article.revised_at or article.published_at


def breadcrumb_data(*trail: tuple[str, str]) -> dict:
    """schema.org ``BreadcrumbList`` from ``(name, path)`` pairs, Home first."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def website_data() -> dict:
    """schema.org ``WebSite`` with the site search as a ``SearchAction``."""
    search_url = absolute_url(reverse("discovery:search"))
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "description": site_description(),
        "publisher": publisher_data(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{search_url}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def profile_page_data(author) -> dict:
    person = person_data(author)
    if author.bio:
        person["description"] = describe(author.bio)
    return {"@context": SCHEMA, "@type": "ProfilePage", "mainEntity": person}


def json_ld_script(data: dict) -> SafeString:
    """``<script type="application/ld+json">`` holding ``data``; no value can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


# --- Whole-page metadata ----------------------------------------------------------------------


def page_meta(
    *,
    title: str,
    description: str,
    path: str | None,
    og_type: str = "website",
    image: dict | None = None,
    section=None,
    json_ld=(),
    extra_og=(),
    extra_feeds=(),
    robots: str = "",
) -> dict:
    """Everything ``discovery/_meta.html`` renders for one page."""
    canonical = absolute_url(path) if path is not None else None
    og = [
        ("og:type", og_type),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", title),
        ("og:description", description),
        ("og:locale", "en_GB"),
    ]
    if canonical:
        og.append(("og:url", canonical))
    twitter = [
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", title),
        ("twitter:description", description),
    ]
    if image:
        og += [
            ("og:image", image["url"]),
            ("og:image:width", str(image["width"])),
            ("og:image:height", str(image["height"])),
        ]
        twitter.append(("twitter:image", image["url"]))
        if image.get("alt"):
            og.append(("og:image:alt", image["alt"]))
            twitter.append(("twitter:image:alt", image["alt"]))
    return {
        "description": description,
        "canonical": canonical,
        "robots": robots,
        "feeds": feed_links(section) + list(extra_feeds),
        "og": og + list(extra_og),
        "twitter": twitter,
        "json_ld": list(json_ld),
    }


def default_meta() -> dict:
    """Pages without their own metadata (errors): description and feed links only."""
    return {
        "description": site_description(),
        "canonical": None,
        "robots": "",
        "feeds": feed_links(),
        "og": [],
        "twitter": [],
        "json_ld": [],
    }


def home_meta(page_obj=None) -> dict:
    first_page = page_obj is None or page_obj.number == 1
    return page_meta(
        title=settings.SITE_NAME,
        description=site_description(),
        path=page_path(reverse("articles:home"), page_obj),
        json_ld=[website_data()] if first_page else [],
    )


def section_meta(section, page_obj=None) -> dict:
    path = section.get_absolute_url()
    return page_meta(
        title=section.name,
        description=section_description(section),
        path=page_path(path, page_obj),
        section=section,
        json_ld=[
            breadcrumb_data(("Home", reverse("articles:home")), (section.name, path))
        ],
    )


def author_meta(author, page_obj=None) -> dict:
    return page_meta(
        title=author.name,
        description=describe(
            author.bio, f"Stories by {author.name} for {settings.SITE_NAME}."
        ),
        path=page_path(author.get_absolute_url(), page_obj),
        image=author_photo(author),
        json_ld=[profile_page_data(author)],
    )


def article_meta(article, *, comment_count=None, comments=None) -> dict:
    """Metadata for a story page; a preview of an unpublished story is never indexed."""
    extra_og = []
    if article.published_at:
        extra_og += [
            ("article:published_time", iso(article.published_at)),
            ("article:modified_time", iso(modified_at(article))),
        ]
    extra_og += [
        ("article:section", article.section.name),
        ("article:author", absolute_url(article.author.get_absolute_url())),
    ]
    path = article.get_absolute_url()
    return page_meta(
        title=article.headline,
        description=describe(article.standfirst),
        path=path,
        og_type="article",
        image=lead_image(article),
        section=article.section,
        json_ld=[
            news_article_data(article, comment_count=comment_count, comments=comments),
            breadcrumb_data(
                ("Home", reverse("articles:home")),
                (article.section.name, article.section.get_absolute_url()),
                (article.headline, path),
            ),
        ],
        extra_og=extra_og,
        extra_feeds=[comments_feed_link(article)] if article.is_public else [],
        robots="" if article.is_public else "noindex",
    )


def search_meta(query: str, page_obj=None) -> dict:
    return page_meta(
        title=f"Search: {query}" if query else f"Search {settings.SITE_NAME}",
        description=f"Search the stories of {settings.SITE_NAME}.",
        path=page_path(reverse("discovery:search"), page_obj, q=query),
        robots="noindex",
    )


def standing_page_meta(page) -> dict:
    """About, Contact, Privacy…: the page's summary as its description, a breadcrumb from Home."""
    path = page.get_absolute_url()
    return page_meta(
        title=page.title,
        description=describe(page.summary, f"{page.title} — {settings.SITE_NAME}."),
        path=path,
        json_ld=[
            breadcrumb_data(("Home", reverse("articles:home")), (page.title, path))
        ],
    )
