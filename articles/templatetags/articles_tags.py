from django import template
from django.template.loader_tags import IncludeNode

from articles import blocks
from articles.models import Publication
from articles.share import share_links
from articles.typography import curly as make_curly
from newsroom.fragments import cached_fragment
from newsroom.links import absolute_url

register = template.Library()


@register.filter
def curly(text):
    """Curly quotes, apostrophes and dashes in a headline or standfirst (articles/typography.py).

    Plain text out, so the template still escapes it: ``{{ article.headline|curly }}``.
    """
    return make_curly(text)


@register.inclusion_tag("articles/_share.html")
def share(article):
    """Share links for a story, and a "Copy link" button that static/js/site.js switches on."""
    return {
        "links": share_links(article.get_absolute_url(), make_curly(article.headline)),
        "url": absolute_url(article.get_absolute_url()),
    }


@register.inclusion_tag("articles/_nav.html", takes_context=True)
def section_nav(context):
    """The section navigation; read from the cache, so no query once warm."""
    return {"sections": blocks.nav_sections(), "request": context.get("request")}


@register.simple_tag
def publication():
    """``{% publication as paper %}``: the paper's details (``Publication.current()``, cached)."""
    return Publication.current()


@register.inclusion_tag("articles/_footer.html", takes_context=True)
def site_footer(context):
    """The footer: the paper's name and address, the written standing pages, the feeds.

    The same for every reader; no query once ``Publication.current()`` is cached.
    """
    return {"paper": Publication.current(), "SITE_NAME": context.get("SITE_NAME")}


class FragmentNode(template.Node):
    def __init__(self, name, parts, nodelist):
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context):
        parts = [part.resolve(context) for part in self.parts]
        return cached_fragment(
            context.get("request"),
            self.name,
            *parts,
            render=lambda: self.nodelist.render(context),
        )


@register.tag
def fragment(parser, token):
    """``{% fragment "name" part… %}…{% endfragment %}``: the enclosed HTML, shared by every
    reader and cached under the content version (newsroom/fragments.py).

    The parts name whatever the HTML depends on besides stored content. Nothing per reader
    may go inside: including a template from templates/personal/ is refused here.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    name = bits[1].strip("\"'")
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    for node in nodelist.get_nodes_by_type(IncludeNode):
        included = str(getattr(node.template, "var", ""))
        if included.strip("\"'").startswith("personal/"):
            raise template.TemplateSyntaxError(
                f"{{% fragment {name} %}} is shared by every reader: it cannot include {included}"
            )
    return FragmentNode(name, parts, nodelist)
