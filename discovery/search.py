"""Reader search over published stories.

PostgreSQL: full-text search on ``Article.search_vector`` (kept up to date by a database
trigger, GIN-indexed; see migration 0003), ranked with headline > standfirst > body, and a
snippet from ``ts_headline`` over the rendered body. SQLite (development, small sites): every word must appear
somewhere in the story, headline matches first, snippet built in Python.
"""

import html
import re
from dataclasses import dataclass

import nh3
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
SEARCH_CONFIG = "english"  # must match the trigger in migration 0003
SNIPPET_WORDS = 30
# Control characters (NUL above all: PostgreSQL text cannot hold it) are never searchable;
# nor are lone surrogates (a query string declared as UTF-7 or UTF-16 decodes to them), which
# no UTF-8 database, page or log can encode.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Result:
    article: Article
    snippet: SafeString


def clean_query(raw: str | None) -> str:
    """The reader's query made safe to search for: no control characters or lone surrogates,
    single spaces, at most 200 characters."""
    text = _CONTROL_CHARS.sub("", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_articles(query: str) -> QuerySet[Article]:
    """Published articles matching ``query`` (already cleaned), best first, with ``search_snippet`` on PostgreSQL."""
    articles = Article.objects.published().select_related("section", "author")
    if not query:
        return articles.none()
    if uses_full_text():
        return full_text_search(articles, query)
    return word_search(articles, query)


def results(articles, query: str) -> list[Result]:
    """Pair each article of a result page with its highlighted snippet (HTML, safe to render)."""
    if uses_full_text():
        return [Result(a, sanitise_headline(a.search_snippet)) for a in articles]
    return [Result(a, snippet(a, query)) for a in articles]


def full_text_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    """PostgreSQL: ``articles`` matching ``query`` (websearch syntax), best rank first."""
    # websearch syntax never raises on odd input: quotes, "or", "-word", stray brackets.
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        articles.filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            # Computed only for the rows of the page: PostgreSQL evaluates it after LIMIT.
            # From the rendered body, not the Markdown, so no "##" or "**" reaches readers;
            # ts_headline keeps HTML tags whole and sanitise_headline() drops all but <mark>.
            search_snippet=SearchHeadline(
                Concat(
                    "standfirst", Value("\n\n"), "body_html", output_field=TextField()
                ),
                search_query,
                config=SEARCH_CONFIG,
                start_sel="<mark>",
                stop_sel="</mark>",
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def word_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Any database: ``articles`` containing every word, headline matches first, then newest."""
    words = query_words(query)
    for word in words:
        articles = articles.filter(
            Q(headline__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(body__icontains=word)
        )
    headline_hits = sum(
        (
            Case(
                When(headline__icontains=word, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for word in words
        ),
        start=Value(0),
    )
    return articles.annotate(headline_hits=headline_hits).order_by(
        "-headline_hits", "-published_at", "-pk"
    )


def query_words(query: str) -> list[str]:
    """The distinct words of ``query`` the SQLite fallback looks for (at most ten)."""
    words = []
    for word in query.split():
        if word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return words[:MAX_WORDS]


def sanitise_headline(fragment: str | None) -> SafeString:
    """``ts_headline`` output is the story's own text with ``<mark>`` added: keep only the marks."""
    return mark_safe(nh3.clean(fragment or "", tags={"mark"}, attributes={}))


def snippet(article: Article, query: str) -> SafeString:
    """Plain-text extract of the story around the first matching word, the words wrapped in ``<mark>``."""
    text = " ".join(
        f"{article.standfirst} {html.unescape(strip_tags(article.body_html))}".split()
    )
    words = query_words(query)
    if not words:
        return escape(_shorten(text.split()))
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
        re.IGNORECASE,
    )
    first = pattern.search(text)
    tokens = text.split(" ")
    if first:
        start_token = text[: first.start()].count(" ")
        begin = max(0, start_token - SNIPPET_WORDS // 3)
    else:
        begin = 0
    extract = _shorten(tokens[begin:], leading=begin > 0)
    # Escape each piece first, then add our own markup around the matches.
    pieces = pattern.split(extract)
    matches = pattern.findall(extract)
    out = [escape(pieces[0])]
    for match, piece in zip(matches, pieces[1:], strict=True):
        out.append(f"<mark>{escape(match)}</mark>{escape(piece)}")
    return mark_safe("".join(out))


def _shorten(tokens: list[str], *, leading: bool = False) -> str:
    text = " ".join(tokens[:SNIPPET_WORDS])
    if leading:
        text = "… " + text
    if len(tokens) > SNIPPET_WORDS:
        text += " …"
    return text
