"""Article bodies: Markdown written by editors, rendered to sanitised HTML.

``smarty`` makes straight quotes curly, "--" an en dash, "---" an em dash and "..." an
ellipsis (never inside code). It writes named entities (``&rsquo;``); nh3 turns them into the
characters themselves, keeping only ``&amp;``, ``&lt;`` and ``&gt;`` as references.
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr", "figure", "figcaption", "table", "thead",
    "tbody", "tr", "th", "td", "abbr", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    """Return the Markdown ``text`` as HTML safe to mark safe: no script, style or handler survives."""
    html = markdown.markdown(
        text or "", extensions=["extra", "sane_lists", "smarty"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
