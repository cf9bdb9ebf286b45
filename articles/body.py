"""Split an article body into pieces so in-article ad slots can sit between paragraphs."""

from html.parser import HTMLParser

from django.utils.safestring import mark_safe


class _ParagraphEnds(HTMLParser):
    """Collect the offsets just after each top-level ``</p>``."""

    VOID = {"br", "hr", "img", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.ends: list[int] = []
        self._line_starts = [0]
        for line in html.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self.depth -= 1
        if tag == "p" and self.depth == 0:
            self.ends.append(self._offset() + len("</p>"))


def split_body(body_html: str, slots) -> list[tuple[str, object]]:
    """Return ``[(html, slot_or_None), ...]``: the body cut after each slot's paragraph.

    ``body_html`` must already be sanitised (it is, see ``Article.save``). Slots asking for a
    paragraph the story does not have are left out rather than piled up at the end.
    """
    ends = _ParagraphEnds(body_html).ends
    placed = sorted(
        (slot for slot in slots if 1 <= slot.after_paragraph <= len(ends)),
        key=lambda slot: slot.after_paragraph,
    )
    pieces, start = [], 0
    for slot in placed:
        cut = ends[slot.after_paragraph - 1]
        pieces.append((mark_safe(body_html[start:cut]), slot))  # noqa: S308 - sanitised by nh3 on save
        start = cut
    pieces.append((mark_safe(body_html[start:]), None))  # noqa: S308 - sanitised by nh3 on save
    return pieces
