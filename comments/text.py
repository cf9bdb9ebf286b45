"""Reader comments are plain text: escaped, paragraphs kept, web addresses linked."""

import re

import nh3
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

LINK_PATTERN = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\n\s*\n")


def count_links(*texts: str) -> int:
    """How many web addresses appear in the given texts."""
    return sum(len(LINK_PATTERN.findall(text or "")) for text in texts)


def render_comment(text: str) -> SafeString:
    """Return the reader's text as HTML: every character escaped, then paragraphs and links added.

    The result is run through nh3 as well, so only <p>, <br> and <a href rel> can ever come out.
    """
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = []
    for block in _PARAGRAPHS.split(normalised):
        linked = urlize(block.strip(), nofollow=True, autoescape=True)
        paragraphs.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    html = "\n".join(paragraphs).replace(
        'rel="nofollow"', 'rel="ugc nofollow noopener"'
    )
    clean = nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href", "rel"}},
        url_schemes={"http", "https"},
        link_rel=None,
    )
    return mark_safe(clean)  # noqa: S308 - escaped by urlize, then sanitised by nh3


def initials(name: str) -> str:
    """Up to two initials for the avatar: "Ada Lovelace" -> "AL"."""
    words = [w for w in re.split(r"[\s\-_.]+", name or "") if w and w[0].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def avatar_hue(name: str) -> int:
    """A stable colour bucket (0–7) for the avatar, cheap enough to compute per comment."""
    return sum(map(ord, name or "")) % 8
