"""Discovery in templates: page metadata (each ``*_meta`` tag renders discovery/_meta.html
from discovery/seo.py), the comments' structured data, and the Trending block."""

from django import template

from comments.templatetags.comments_tags import thread_comments
from discovery import schema, seo, trending

register = template.Library()
META_TEMPLATE = "discovery/_meta.html"


def _page(page_obj):
    # An unknown template variable arrives as "", and an empty Page is falsy: test for both.
    return None if page_obj is None or isinstance(page_obj, str) else page_obj


@register.inclusion_tag(META_TEMPLATE)
def default_meta():
    """Description and feed links, for pages without metadata of their own."""
    return {"meta": seo.default_meta()}


@register.inclusion_tag(META_TEMPLATE)
def home_meta(page_obj=None):
    return {"meta": seo.home_meta(_page(page_obj))}


@register.inclusion_tag(META_TEMPLATE)
def section_meta(section, page_obj=None):
    return {"meta": seo.section_meta(section, _page(page_obj))}


@register.inclusion_tag(META_TEMPLATE)
def author_meta(author, page_obj=None):
    return {"meta": seo.author_meta(author, _page(page_obj))}


@register.inclusion_tag(META_TEMPLATE)
def article_meta(article, comment_count=None, comments=None):
    """Story metadata; ``comment_count`` defaults to the story's stored count of approved comments.

    ``comments``: schema.org ``Comment`` dicts, from ``comment_schema``.
    """
    if comment_count in (None, ""):  # "" is what an unknown template variable gives
        comment_count = getattr(article, "comment_count", None)
    return {
        "meta": seo.article_meta(
            article, comment_count=comment_count, comments=comments or None
        )
    }


@register.inclusion_tag(META_TEMPLATE)
def standing_page_meta(page):
    return {"meta": seo.standing_page_meta(page)}


@register.inclusion_tag(META_TEMPLATE)
def search_meta(query, page_obj=None):
    return {"meta": seo.search_meta(query, _page(page_obj))}


@register.filter
def json_ld(data):
    """A schema.org dict as a ``<script type="application/ld+json">`` element, safely escaped."""
    return seo.json_ld_script(data)


@register.simple_tag(takes_context=True)
def comment_schema(context, article, limit=5):
    """``{"count": n, "items": [...]}``: approved comments as schema.org data, for the page's JSON-LD.

    Only approved comments, so the head is the same for every reader; shares the thread query.
    """
    approved, _ = thread_comments(context["request"], article)
    return {
        "count": len(approved),
        "items": [schema.comment_data(article, c) for c in approved[:limit]],
    }


@register.inclusion_tag("discovery/_trending.html")
def trending_list():
    """Trending and Most commented; cached, at most one query when the cache is cold."""
    return trending.activity()
