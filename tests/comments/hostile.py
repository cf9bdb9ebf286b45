"""Checks shared by the hostile-input tests: nothing a reader sent may become live markup."""

import re
from html.parser import HTMLParser

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
BAD_SCHEME = re.compile(r"\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)
ACTIVE_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "style", "base"}
MARKERS = ("xss", "evil.example")


class MarkupAudit(HTMLParser):
    """Collects every way the page could run or load something the commenter wrote."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._script = None
        self._active = []

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text() or ""
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler: {raw}")
            if (
                name in URL_ATTRS
                and BAD_SCHEME.match(value)
                and not (tag == "img" and value.startswith("data:image/"))
            ):
                self.problems.append(f"bad scheme: {raw}")
        if tag in ACTIVE_TAGS and any(m in raw.lower() for m in MARKERS):
            self.problems.append(f"active tag: {raw}")
        if tag in ACTIVE_TAGS - {"script"}:
            self._active.append(tag)
        if tag == "img" and ("xss" in raw or dict(attrs).get("src") == "x"):
            self.problems.append(f"injected image: {raw}")
        if tag == "script":
            self._script = dict(attrs).get("type") or ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
        self._active = []
        if tag in self._active:
            self._active.remove(tag)

    def handle_data(self, data):
        if self._active and any(m in data for m in MARKERS):
            self.problems.append(f"inside <{self._active[-1]}>: {data[:80]}")
        if self._script is None:
            return
        if self._script in ("application/ld+json", "application/json"):
            if "</" in data or "<script" in data.lower():
                self.problems.append(f"markup inside JSON: {data[:80]}")
        elif any(m in data for m in MARKERS):
            self.problems.append(f"script text: {data[:80]}")


def markup_problems(html: str) -> list[str]:
    audit = MarkupAudit()
    audit.feed(html)
    audit.close()
    return audit.problems


# The site's own lines in the moderator email; anything else must be quoted ("> ").
EMAIL_LINE = re.compile(
    r"^(A new comment on “.*” is waiting for moderation\."
    r'|Author: ".*" <.*>'
    r"|Held because: .*"
    r"|Approve, mark as spam or remove it here:"
    r"|https?://\S+"
    r"|>( .*)?"
    r"|)$"
)
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\r]")


def email_problems(message) -> list[str]:
    problems = []
    if "\n" in message.subject or "\r" in message.subject:
        problems.append(f"subject spans lines: {message.subject!r}")
    lines = message.body.split("\n")
    for line in lines:
        if not EMAIL_LINE.match(line):
            problems.append(f"unquoted line: {line!r}")
        if not line.startswith(">") and INVISIBLE.search(line):
            problems.append(f"invisible character in a site line: {line!r}")
    for prefix in ("Author: ", "Held because: "):
        if sum(line.startswith(prefix) for line in lines) != 1:
            problems.append(f"{prefix!r} lines: not exactly one")
    return problems
