from django import template

from articles import blocks

register = template.Library()


@register.inclusion_tag("articles/_nav.html", takes_context=True)
def section_nav(context):
    """The section navigation; read from the cache, so no query once warm."""
    return {"sections": blocks.nav_sections(), "request": context.get("request")}
