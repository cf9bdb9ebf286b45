"""Page metadata in templates: each tag renders includes/_meta.html from articles/seo.py."""

from django import template

from articles import seo

register = template.Library()
META_TEMPLATE = "includes/_meta.html"


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
    """Story metadata; ``comment_count`` defaults to the ``comment_count`` annotation.

    ``comments``: schema.org ``Comment`` dicts, for the comments app to pass in.
    """
    if comment_count in (None, ""):  # "" is what an unknown template variable gives
        comment_count = getattr(article, "comment_count", None)
    return {
        "meta": seo.article_meta(
            article, comment_count=comment_count, comments=comments or None
        )
    }


@register.inclusion_tag(META_TEMPLATE)
def search_meta(query, page_obj=None):
    return {"meta": seo.search_meta(query, _page(page_obj))}


@register.filter
def json_ld(data):
    """A schema.org dict as a ``<script type="application/ld+json">`` element, safely escaped."""
    return seo.json_ld_script(data)
