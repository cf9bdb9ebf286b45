"""Writes hostile_corpus.json next to this file: `python tests/comments/make_hostile_corpus.py`.

Each entry is one comment submission posted through the real view by
tests/comments/test_hostile_corpus.py. ``fields`` override the valid defaults; ``raw`` is a
request body sent as is (``{token}`` is replaced by a fresh form token, ``{email}`` by a fresh
address, ``{big}`` by ``big`` bytes of "x") with ``content_type``;
``expect`` is ``stored`` (with ``stored``: the expected stored values when normalised) or
``refused`` (with ``status`` and ``message``); ``token`` is ``forged``, ``replayed``,
``other_article`` or ``missing``; ``parent`` is ``foreign``, ``pending`` or a literal.
"""

import json
from pathlib import Path

E = []


def add(name, category, expect="stored", **entry):
    E.append({"name": name, "category": category, "expect": expect, **entry})


# Script and event-handler XSS, in the body, the name and the website.
for i, payload in enumerate(
    [
        "<script>xss()</script>",
        "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
        "<img src=x onerror=xss()>",
        '<img src="x" onerror="xss()">',
        "<body onload=xss()>",
        '<div onmouseover="xss()">hover</div>',
        "<iframe src=javascript:xss()></iframe>",
        '<a href="javascript:xss()">click</a>',
        "<a href='data:text/html,<script>xss()</script>'>x</a>",
        '<input autofocus onfocus="xss()">',
        "<details open ontoggle=xss()>",
        "<style>@import 'http://evil.example/xss.css';</style>",
        '<object data="javascript:xss()"></object>',
        '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9eHNzKCk+">',
        '"><script>xss()</script>',
        "'-xss()-'",
        "</textarea><script>xss()</script>",
        "</title><script>xss()</script>",
        "<math><mtext><table><mglyph><style><img src=x onerror=xss()>",
        '<noscript><p title="</noscript><img src=x onerror=xss()>">',
    ]
):
    add(f"xss body {i}", "xss", fields={"body": f"Nice story {payload} end"})
for i, payload in enumerate(
    ["<script>xss()</script>", '"><img src=x onerror=xss()>', "' onmouseover='xss()"]
):
    add(f"xss name {i}", "xss", fields={"name": f"Eve {payload}"[:100]})
add(
    "xss in website query",
    "xss",
    fields={"url": 'https://evil.example/?q="><script>xss()</script>'},
)
add(
    "javascript: website",
    "url",
    "refused",
    fields={"url": "javascript:xss()"},
    status=400,
    message="web address",
)
add(
    "JaVaScRiPt: website",
    "url",
    "refused",
    fields={"url": "JaVaScRiPt:xss()"},
    status=400,
    message="web address",
)
add(
    "data: website",
    "url",
    "refused",
    fields={"url": "data:text/html;base64,PHNjcmlwdD54c3MoKTwvc2NyaXB0Pg=="},
    status=400,
    message="web address",
)
add(
    "vbscript: website",
    "url",
    "refused",
    fields={"url": "vbscript:xss()"},
    status=400,
    message="web address",
)
add(
    "javascript: with tab",
    "url",
    "refused",
    fields={"url": "java\tscript:xss()"},
    status=400,
    message="web address",
)
add(
    "javascript link in body",
    "url",
    fields={"body": "see javascript:xss() and data:text/html,<b>x</b>"},
)
add(
    "www link in body",
    "url",
    fields={"body": "see www.example.org/<script>xss()</script>"},
)

# SVG.
add("svg onload", "svg", fields={"body": "<svg onload=xss()>"})
add("svg script", "svg", fields={"body": "<svg><script>xss()</script></svg>"})
add(
    "svg animate href",
    "svg",
    fields={
        "body": "<svg><a><animate attributeName=href values=javascript:xss() /><text x=20 y=20>X</text></a></svg>"
    },
)
add(
    "svg foreignObject",
    "svg",
    fields={
        "body": "<svg><foreignObject><iframe src=javascript:xss()></iframe></foreignObject></svg>"
    },
)

# Broken markup.
for i, payload in enumerate(
    [
        "<b>unclosed",
        "</div></section></main></body></html>",
        "<!-- comment never closed",
        "<![CDATA[ xss() ]]>",
        "<<script>script>xss()<</script>/script>",
        '<a href="https://example.org" <script>xss()</script>',
        "<p",
        "&lt;script&gt;xss()&lt;/script&gt;",
    ]
):
    add(f"broken markup {i}", "broken", fields={"body": f"Text {payload}"})

# Encoded variants.
for i, payload in enumerate(
    [
        "%3Cscript%3Exss()%3C/script%3E",
        "&#60;script&#62;xss()&#60;/script&#62;",
        "&#x3C;img src=x onerror=xss()&#x3E;",
        "\\u003cscript\\u003exss()\\u003c/script\\u003e",
        "＜script＞xss()＜/script＞",
        "PHNjcmlwdD54c3MoKTwvc2NyaXB0Pg==",
        "%253Cscript%253E",
    ]
):
    add(f"encoded {i}", "encoded", fields={"body": f"Look {payload}"})

# SQL strings.
for i, payload in enumerate(
    [
        "'; DROP TABLE comments_comment; --",
        '" OR 1=1 --',
        "1' UNION SELECT email, ip_address FROM comments_comment --",
        "%' AND 1=0 UNION ALL SELECT NULL --",
        "\\'; SELECT pg_sleep(10); --",
    ]
):
    add(f"sql body {i}", "sql", fields={"body": f"Query {payload}"})
add("sql name", "sql", fields={"name": "Robert'); DROP TABLE articles_article;--"})

# CR/LF, NUL and other controls.
add(
    "crlf body",
    "controls",
    fields={"body": "one\r\ntwo\rthree\nfour"},
    stored={"body": "one\ntwo\nthree\nfour"},
)
add(
    "crlf name",
    "controls",
    fields={"name": "Eve\r\nBcc: victim@example.org"},
    stored={"name": "Eve Bcc: victim@example.org"},
)
add(
    "crlf email header",
    "controls",
    "refused",
    fields={"email": "eve@example.org\r\nBcc: victim@example.org"},
    status=400,
    message="Enter an email address",
)
add(
    "nul body",
    "controls",
    fields={"body": "before\u0000after"},
    stored={"body": "beforeafter"},
)
add("nul name", "controls", fields={"name": "Ev\u0000e"}, stored={"name": "Eve"})
add(
    "vertical tab body",
    "controls",
    fields={"body": "a\u000bb\u000cc"},
    stored={"body": "a\nb\nc"},
)
add(
    "escape sequences",
    "controls",
    fields={"body": "\u001b[2J\u001b[31mred\u0007\u0008"},
    stored={"body": "[2J[31mred"},
)
add(
    "c1 controls",
    "controls",
    fields={"body": "x\u0085y\u009bz\u007f"},
    stored={"body": "xyz"},
)
add(
    "only controls",
    "controls",
    "refused",
    fields={"body": "\u0001\u0002\u0003"},
    status=400,
    message="Please write a comment",
)
add("tab kept", "controls", fields={"body": "col1\tcol2"})

# Invalid UTF-8 and lone surrogates, as raw bytes (browsers cannot send lone surrogates).
BASE = "name=Raw+Reader&email={email}&url=&parent=&leave_empty=&timestamp={token}"
add(
    "invalid utf-8 bytes",
    "utf8",
    raw="body=%FF%FE%FDbad+bytes&" + BASE,
    content_type="application/x-www-form-urlencoded",
    stored={"body": "\ufffd\ufffd\ufffdbad bytes"},
)
add(
    "overlong utf-8",
    "utf8",
    raw="body=%C0%BCscript%C0%BE&" + BASE,
    content_type="application/x-www-form-urlencoded",
    stored={"body": "\ufffd\ufffdscript\ufffd\ufffd"},
)
add(
    "lone surrogate (WTF-8)",
    "utf8",
    raw="body=%ED%A0%80lone&" + BASE,
    content_type="application/x-www-form-urlencoded",
    stored={"body": "\ufffd\ufffd\ufffdlone"},
)
add(
    "truncated sequence",
    "utf8",
    raw="body=caf%C3&" + BASE,
    content_type="application/x-www-form-urlencoded",
    stored={"body": "caf\ufffd"},
)
add(
    "invalid utf-8 in name",
    "utf8",
    raw="body=hello&name=%FFEve&email={email}&url=&parent=&leave_empty=&timestamp={token}",
    content_type="application/x-www-form-urlencoded",
    stored={"name": "\ufffdEve"},
)

# Other charsets.
# Django 5.2 refuses urlencoded forms in any charset but UTF-8 (400; the branded 400 page
# is finding 7, part 10a).
add(
    "latin-1 declared",
    "charset",
    "refused",
    raw="body=caf%E9+cr%E8me&" + BASE,
    content_type="application/x-www-form-urlencoded; charset=iso-8859-1",
    status=400,
    message="We could not read what your browser sent",
)
add(
    "shift_jis declared",
    "charset",
    "refused",
    raw="body=%93%FA%96%7B&" + BASE,
    content_type="application/x-www-form-urlencoded; charset=shift_jis",
    status=400,
    message="We could not read what your browser sent",
)
# An unknown charset name: Django ignores it and reads UTF-8.
add(
    "unknown charset declared",
    "charset",
    raw="body=x&" + BASE,
    content_type="application/x-www-form-urlencoded; charset=no-such-charset",
    stored={"body": "x"},
)
add(
    "utf-8 declared",
    "charset",
    raw="body=%E2%82%AC5&" + BASE,
    content_type="application/x-www-form-urlencoded; charset=utf-8",
    stored={"body": "€5"},
)
add("cyrillic", "charset", fields={"body": "Привет, мир"})
add("arabic", "charset", fields={"name": "مريم", "body": "مرحبا بالعالم"})
add("chinese", "charset", fields={"name": "李雷", "body": "你好，世界"})

# RTL and zero-width characters.
add("rlo in name", "bidi", fields={"name": "\u202eKCITS"}, stored={"name": "KCITS"})
add(
    "isolates in name",
    "bidi",
    fields={"name": "\u2066Ann\u2069 \u2067Bell\u2068"},
    stored={"name": "Ann Bell"},
)
add(
    "zero-width in name",
    "bidi",
    fields={"name": "Ad\u200bmin\u200c\u200d\u2060\ufeff"},
    stored={"name": "Admin"},
)
add("rlo in body", "bidi", fields={"body": "price \u202e0001$ deal"})
add("rlm in name kept", "bidi", fields={"name": "Dana\u200f"})
add(
    "name only invisibles",
    "bidi",
    "refused",
    fields={"name": "\u200b\u202e\u2066"},
    status=400,
    message="Please enter your name",
)

# Long words and sizes.
add(
    "10,000-character word",
    "size",
    "refused",
    fields={"body": "A" * 10000},
    status=400,
    message="5000",
)
add("4,999-character word", "size", fields={"body": "B" * 4999})
add(
    "5,001 characters",
    "size",
    "refused",
    fields={"body": "word " * 1000 + "x"},
    status=400,
    message="5000",
)
add("long url-ish word", "size", fields={"body": "https://example.org/" + "a" * 3000})
add(
    "101-character name",
    "size",
    "refused",
    fields={"name": "N" * 101},
    status=400,
    message="under 100",
)
add(
    "long email",
    "size",
    "refused",
    fields={"email": "e" * 250 + "@example.org"},
    status=400,
    message="",
)
add(
    "long website",
    "size",
    "refused",
    fields={"url": "https://example.org/" + "p" * 300},
    status=400,
    message="",
)
add(
    "oversized body 6 MB",
    "size",
    "refused",
    raw="body={big}&" + BASE,
    big=6 * 1024 * 1024,
    content_type="application/x-www-form-urlencoded",
    status=400,
    message="",
)
add(
    "many fields",
    "size",
    "refused",
    raw="&".join(f"f{i}=1" for i in range(1200)) + "&body=x&" + BASE,
    content_type="application/x-www-form-urlencoded",
    status=400,
    message="",
)

# Emoji and combining marks.
add("emoji", "emoji", fields={"name": "Zoë 🦊", "body": "👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽 family"})
add("zalgo", "emoji", fields={"body": "Z̵̡̢̛̗̘̙̜̝̞̟̠̀́̂̃̄̅̆̇̉̊̋̌̍̎̏̐̑̒̓̔̕̚ͅa̷l̶g̸o"})
add(
    "combining only",
    "emoji",
    fields={"name": "\u0301\u0302\u0303", "body": "\u0301\u0302"},
)
add("astral plane", "emoji", fields={"body": "𝕳𝖊𝖑𝖑𝖔 𓀀 \U0010fffd"})
add("noncharacters", "emoji", fields={"body": "a\ufffeb\uffffc"})

# Wrong content types.
add(
    "json body",
    "content-type",
    "refused",
    raw='{"body": "hello", "name": "x"}',
    content_type="application/json",
    status=400,
    message="Please write a comment",
)
add(
    "text/plain body",
    "content-type",
    "refused",
    raw="body=hello",
    content_type="text/plain",
    status=400,
    message="Please write a comment",
)
add(
    "multipart without boundary",
    "content-type",
    "refused",
    raw="body=hello",
    content_type="multipart/form-data",
    status=400,
    message="",
)
add(
    "multipart garbage boundary",
    "content-type",
    "refused",
    raw="--xx\r\nnot a part\r\n--xx--",
    content_type="multipart/form-data; boundary=xx",
    status=400,
    message="",
)
add(
    "xml body",
    "content-type",
    "refused",
    raw="<comment><body>x</body></comment>",
    content_type="application/xml",
    status=400,
    message="Please write a comment",
)
add(
    "no content type",
    "content-type",
    "refused",
    raw="body=hello",
    content_type="",
    status=400,
    message="Please write a comment",
)

# Forged and replayed tokens.
add(
    "forged token",
    "token",
    "refused",
    token="forged",
    status=400,
    message="This form has expired",
)
add(
    "token for another article",
    "token",
    "refused",
    token="other_article",
    status=400,
    message="This form has expired",
)
add(
    "missing token",
    "token",
    "refused",
    token="missing",
    status=400,
    message="This form has expired",
)
add(
    "token with a tampered signature",
    "token",
    "refused",
    token="tampered",
    status=400,
    message="This form has expired",
)
add("replayed token", "token", token="replayed", held_reason="too_fast")
add(
    "honeypot filled",
    "token",
    fields={"leave_empty": "http://spam.example"},
    status_after="spam",
)

# Foreign and odd parents.
add(
    "parent on another story",
    "parent",
    "refused",
    parent="foreign",
    status=400,
    message="You can only reply",
)
add(
    "parent not published",
    "parent",
    "refused",
    parent="pending",
    status=400,
    message="You can only reply",
)
add(
    "parent not a number",
    "parent",
    "refused",
    fields={"parent": "1 OR 1=1"},
    status=400,
    message="You can only reply",
)
add(
    "parent huge number",
    "parent",
    "refused",
    fields={"parent": "9" * 30},
    status=400,
    message="You can only reply",
)
add(
    "parent negative",
    "parent",
    "refused",
    fields={"parent": "-1"},
    status=400,
    message="You can only reply",
)
add(
    "parent missing row",
    "parent",
    "refused",
    fields={"parent": "987654321"},
    status=400,
    message="You can only reply",
)

# Emails and other fields.
add(
    "email with display name",
    "email",
    "refused",
    fields={"email": "Eve <eve@example.org>"},
    status=400,
    message="Enter an email address",
)
add("idn email", "email", fields={"email": "zoe@exämple.org"})
add(
    "non-ascii local part",
    "email",
    "refused",
    fields={"email": "zoë@example.org"},
    status=400,
    message="Enter an email address",
)
add("website with credentials", "url", fields={"url": "https://user:pass@example.org/"})
add(
    "website without scheme",
    "url",
    fields={"url": "example.org/<b>"},
    stored={"url": "https://example.org/<b>"},
)

out = Path(__file__).with_name("hostile_corpus.json")
out.write_text(json.dumps(E, ensure_ascii=True, indent=1) + "\n")
print(f"{len(E)} entries -> {out}")
