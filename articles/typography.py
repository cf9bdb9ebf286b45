"""Typographer's quotes for the short texts editors type as plain text: headlines, standfirsts.

Story bodies get the same treatment from Markdown's own ``smarty`` extension
(articles/markup.py); this applies the same SmartyPants rules (the ``smartypants`` package) to
text that is not Markdown. The text is stored as typed — search, slugs and the admin see the
straight quotes — and made curly when shown: ``{{ article.headline|curly }}``.
"""

import html
import re
from functools import lru_cache

import smartypants

# Quotes, ``backticks'', "--" as an en dash and "---" as an em dash (as Markdown's smarty
# extension does), "..." as an ellipsis; characters out, not entities.
RULES = smartypants.Attr.set2 | smartypants.Attr.u
# SmartyPants only sees "'90s" as an abbreviation after a letter; after a space or at the
# start it would open a quote. Markdown's extension gets this right; so do we.
DECADE = re.compile(r"(?<!\w)'(?=\d0s\b)")


# SmartyPants takes some 60 µs a headline; a front page shows fifty. The same headlines are
# shown again and again (Trending, section blocks, every page render), so each process keeps
# the last few thousand results: a pure function of the text, nothing to invalidate.
@lru_cache(maxsize=4096)
def _curly(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return html.unescape(smartypants.smartypants(DECADE.sub("\u2019", escaped), RULES))


def curly(text: str) -> str:
    """``text`` with curly quotes, apostrophes, dashes and ellipses; plain text in, plain text out.

    SmartyPants reads HTML, so the text is escaped first (a ``<`` in a headline is not the start
    of a tag whose quotes it would skip) and unescaped after (which also turns the character
    references it writes for backslash escapes back into characters). The result is as plain
    as the input: templates escape it as usual.
    """
    if not text:
        return text or ""
    return _curly(str(text))
