"""The one stylesheet stays well formed: several parts append to it, and merges can drop a brace."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "site.css"


def test_every_block_of_the_stylesheet_is_closed_where_it_opens():
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for line_number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"site.css line {line_number}: a '}}' closes nothing"
    assert depth == 0, "site.css: a block is never closed (a missing '}')"


def test_each_parts_section_starts_at_the_top_level():
    # A rule after an unclosed @media block only applies inside that media query.
    raw = CSS.read_text(encoding="utf-8")
    for match in re.finditer(r"/\* --- .*? --- \*/", raw):
        before = re.sub(r"/\*.*?\*/", "", raw[: match.start()], flags=re.S)
        assert before.count("{") == before.count("}"), (
            f"{match.group(0)} starts inside an unclosed block"
        )
