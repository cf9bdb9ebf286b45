"""Reader comments are plain text: escaped, paragraphs kept, web addresses linked."""

import re

import nh3
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

LINK_PATTERN = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\n\s*\n")

# What a reader may not store (docs/moderation.md, "What the form does to what you type").
# Vertical tab and form feed are line breaks pasted from word processors; every other C0
# control (NUL included), DEL, the C1 controls and lone surrogates are dropped: no reader
# means them, XML 1.0 (feeds) forbids most of them and PostgreSQL refuses NUL and surrogates.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SINGLE_LINE_SPACES = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
# Names are shown next to the site's own words: no bidi embedding, override or isolate
# controls (a name could render reversed) and no zero-width characters (two names that look
# the same must be the same).
_NAME_INVISIBLES = re.compile(r"[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """A comment as it is stored: newlines as ``\\n`` (vertical tab and form feed too), tabs
    kept, every other control character and lone surrogate dropped."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text or ""))


def clean_line(text: str) -> str:
    """A one-line field (email, website): line breaks and tabs become one space, controls go."""
    return _CONTROLS.sub("", _SINGLE_LINE_SPACES.sub(" ", text or ""))


def clean_name(text: str) -> str:
    """A commenter's name: one line, no controls, no bidi controls, no zero-width characters."""
    return " ".join(_NAME_INVISIBLES.sub("", clean_line(text)).split())


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
