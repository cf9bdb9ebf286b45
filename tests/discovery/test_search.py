import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from discovery import search
from tests.factories import make_article

pytestmark = pytest.mark.django_db
only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="full-text search runs on PostgreSQL (CI runs the suite on both backends)",
)
HOSTILE_QUERIES = [
    '"',
    "'",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "(((",
    "a) | (b",
    "!!! :* && | <->",
    "café\x00 NUL",
    "\x00",
    "-",
    "or",
    "x" * 5000,
    "word " * 300,
]


def _search(client, q, **params):
    return client.get(reverse("discovery:search"), {"q": q, **params})


def _titles(response):
    return [r.article.headline for r in response.context["results"]]


# --- Query cleaning (no database) --------------------------------------------------------------


def test_clean_query_strips_nul_and_control_characters_and_collapses_space():
    assert search.clean_query(" flood\x00 \x07warning\n\tnow ") == "flood warning now"


def test_clean_query_truncates_to_200_characters():
    assert len(search.clean_query("x" * 5000)) == search.MAX_QUERY_LENGTH == 200


def test_clean_query_of_nothing_is_empty():
    assert search.clean_query(None) == ""
    assert search.clean_query("  \x00 ") == ""


def test_query_words_are_distinct_and_at_most_ten():
    words = search.query_words("Bridge bridge " + " ".join(f"w{i}" for i in range(20)))

    assert words[0] == "Bridge"
    assert "bridge" not in words
    assert len(words) == 10


# --- The page -------------------------------------------------------------------------------------


def test_empty_query_shows_the_search_box_and_runs_no_query(
    client, django_assert_num_queries
):
    client.get(reverse("discovery:search"))  # warm the shared cache (navigation, ads)

    with django_assert_num_queries(0):
        response = client.get(reverse("discovery:search"), {"q": "   "})

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assertContains(response, 'role="search"')
    assertContains(response, 'name="q"')
    assertNotContains(response, "search-results")


def test_search_page_is_not_indexed(client):
    response = _search(client, "anything")

    assertContains(response, '<meta name="robots" content="noindex">', html=True)


def test_every_page_has_a_search_form_in_the_header(client):
    response = client.get(reverse("articles:home"))
    html = response.content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]

    assert 'role="search"' in header
    assert f'action="{reverse("discovery:search")}"' in header
    assert 'type="search"' in header and 'name="q"' in header
    assert re.search(r'<label class="visually-hidden" for="site-search">', header)


def test_results_come_only_from_published_stories(client):
    make_article(headline="Harbour wall repaired")
    make_article(
        headline="Harbour draft", status=Article.Status.DRAFT, published_at=None
    )
    make_article(
        headline="Harbour scheduled",
        published_at=timezone.now() + timedelta(days=1),
    )

    response = _search(client, "harbour")

    assert _titles(response) == ["Harbour wall repaired"]
    assertNotContains(response, "Harbour draft")
    assertNotContains(response, "Harbour scheduled")


def test_results_are_paginated_ten_per_page_keeping_the_query(client):
    for n in range(11):
        make_article(headline=f"Allotment news {n}")

    first = _search(client, "allotment")
    second = _search(client, "allotment", page=2)

    assert len(first.context["results"]) == 10
    assert len(second.context["results"]) == 1
    assertContains(first, 'href="?q=allotment&amp;page=2"')
    assertContains(first, "11 stories matching")
    assert _search(client, "allotment", page=3).status_code == 404
    assert _search(client, "allotment", page="abc").status_code == 404


def test_no_match_says_so(client):
    make_article(headline="Library hours")

    response = _search(client, "zeppelin")

    assert response.status_code == 200
    assert response.context["results"] == []
    assertContains(response, "No stories match")


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_or_odd_queries_never_fail(client, query):
    make_article(headline="Council meeting", body="Quotes ' and \" and <b>tags</b>.")

    response = _search(client, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert len(response.context["query"]) <= 200
    assert "\x00" not in response.context["query"]


def test_query_count_is_fixed_however_many_stories_match(
    client, django_assert_num_queries
):
    for _ in range(3):
        make_article(headline="Ferry timetable")
    client.get(reverse("discovery:search"))  # warm the shared cache

    with django_assert_num_queries(2):  # count, page of results
        few = _search(client, "ferry")
    for _ in range(25):
        make_article(headline="Ferry timetable")
    client.get(reverse("discovery:search"))  # new sections: warm the navigation again
    with django_assert_num_queries(2):
        many = _search(client, "ferry")

    assert len(few.context["results"]) == 3
    assert len(many.context["results"]) == 10


# --- The word-matching fallback (what SQLite uses; plain ORM, so tested on both backends) -------


def _word_search(query):
    return list(search.word_search(Article.objects.published(), query))


def test_fallback_needs_every_word_somewhere_in_the_story():
    both = make_article(headline="Flood warning", body="The river may burst.")
    make_article(headline="Flood defences", body="Nothing about the water.")
    in_standfirst = make_article(
        headline="Weather", standfirst="River levels rise.", body="A flood is likely."
    )

    assert set(_word_search("flood river")) == {both, in_standfirst}


def test_fallback_puts_headline_matches_first_then_newest():
    now = timezone.now()
    old_headline = make_article(
        headline="Market reopens", published_at=now - timedelta(days=3)
    )
    new_body = make_article(
        headline="Town news",
        body="The market reopens on Friday.",
        published_at=now - timedelta(hours=1),
    )
    new_headline = make_article(
        headline="Market stalls", published_at=now - timedelta(hours=2)
    )

    assert _word_search("market") == [new_headline, old_headline, new_body]


def test_fallback_is_case_insensitive_and_treats_wildcards_literally():
    story = make_article(headline="Budget: 5% rise in COUNCIL tax")
    make_article(headline="Budget: 5 rise")

    assert _word_search("council 5%") == [story]
    assert _word_search("budget_") == []


def test_fallback_snippet_highlights_words_around_the_first_match_escaped():
    article = make_article(
        standfirst="A <b>bold</b> claim.",
        body=" ".join(["filler"] * 40)
        + " The bridge <script>alert(1)</script> & BRIDGE again. "
        + " ".join(["tail"] * 40),
    )

    snippet = search.snippet(article, "bridge")

    assert "<mark>bridge</mark>" in snippet and "<mark>BRIDGE</mark>" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet.split()) < 40


def test_fallback_snippet_escapes_before_marking():
    article = make_article(standfirst='Quote " and <i>tag</i>', body="Nothing.")

    snippet = search.snippet(article, "<i>tag</i>")

    assert "<i>" not in snippet
    assert "<mark>&lt;i&gt;tag&lt;/i&gt;</mark>" in snippet


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite fallback")
def test_sqlite_page_uses_the_fallback_with_highlighted_snippets(client):
    make_article(headline="Swimming pool", body="The pool opens at 7 <em>sharp</em>.")

    response = _search(client, "pool")

    snippet = response.context["results"][0].snippet
    assert "<mark>pool</mark>" in snippet
    assert "<em>" not in snippet
    assertContains(response, "<mark>pool</mark>")


# --- PostgreSQL full-text search ------------------------------------------------------------------


@only_postgresql
def test_headline_match_ranks_above_newer_body_match(client):
    now = timezone.now()
    body_match = make_article(
        headline="Town news",
        body="Parking charges rise. Parking is dearer. More parking news.",
        published_at=now - timedelta(hours=1),
    )
    headline_match = make_article(
        headline="Parking charges to rise", published_at=now - timedelta(days=5)
    )
    standfirst_match = make_article(
        headline="Council", standfirst="New parking rules.", published_at=now
    )

    response = _search(client, "parking")

    assert [r.article for r in response.context["results"]] == [
        headline_match,
        standfirst_match,
        body_match,
    ]


@only_postgresql
def test_full_text_understands_word_forms_and_websearch_syntax(client):
    make_article(headline="Cyclists demand safer junctions")
    make_article(headline="Cycling club wins award")

    assert len(_search(client, "cyclist").context["results"]) == 1
    assert _titles(_search(client, '"cycling club"')) == ["Cycling club wins award"]
    assert _titles(_search(client, "cycling -award")) == []


@only_postgresql
def test_search_vector_follows_edits_made_with_update():
    article = make_article(headline="Old title")

    Article.objects.filter(pk=article.pk).update(headline="Lighthouse restored")

    assert list(search.search_articles("lighthouse")) == [article]


@only_postgresql
def test_full_text_snippet_is_highlighted_and_sanitised(client):
    make_article(
        headline="Gallery",
        body='The mural <img src=x onerror="alert(1)"> shows the <script>alert(2)</script> '
        "harbour at dusk. <mark onclick=alert(3)>x</mark>",
    )

    response = _search(client, "harbour")

    snippet = response.context["results"][0].snippet
    assert "<mark>harbour</mark>" in snippet
    for hostile in ("<img", "onerror", "<script", "onclick"):
        assert hostile not in snippet
    assertContains(response, "<mark>harbour</mark>")


@only_postgresql
def test_full_text_snippet_shows_text_not_markdown_syntax(client):
    make_article(
        headline="Harbour",
        standfirst="Works begin.",
        body="## Harbour works\n\nThe **harbour** wall is _finally_ repaired.\n\n"
        "* new `lights` on the harbour steps",
    )

    snippet = _search(client, "harbour").context["results"][0].snippet

    assert "<mark>harbour</mark>" in snippet.lower()
    for markdown in ("##", "**", "_finally_", "`", "* new"):
        assert markdown not in snippet
    assert "<strong>" not in snippet and "<h2>" not in snippet and "<li>" not in snippet
    assert "finally" in snippet


@only_postgresql
def test_nul_byte_never_reaches_postgresql(client):
    make_article(headline="Quay")

    response = client.get(reverse("discovery:search") + "?q=qu%00ay")

    assert response.status_code == 200
    assert _titles(response) == ["Quay"]
