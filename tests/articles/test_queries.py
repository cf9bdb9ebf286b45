"""Every reading page runs a fixed number of queries, however many stories exist.

Measured when a page is rendered (the page cache did not have it; a page the page cache
has costs no query at all), three ways: warm (navigation, Trending and ad slots come from
the cache, and so do the story's shared fragments: head, body, related stories, comment
thread; see newsroom/fragments.py), changed (something was published or approved since, so
the content version moved and the story's fragments are rendered again from their queries)
and cold (the cache was just cleared: a restart, an eviction), where navigation, the paper's
details, Trending and ad slots cost one query each and the page cache looks up the next scheduled change once.
"""

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from newsroom.pagecache import pages_changed
from tests.factories import image_file, make_ad, make_article, make_author, make_section
from tests.pages import forget_page

pytestmark = pytest.mark.django_db

# Warm: home = count, page, lead, section blocks; article = the story alone (its related
# stories and comments are in fragments); section/author = owner, count, page.
# Changed: the article adds related stories and comments. Cold adds navigation, the paper's
# details (the masthead's logo: articles.blocks.publication), Trending and ad slots, and the
# page cache's look-up of the next scheduled story or ad change (discovery/schedule.py).
COUNTS = {
    "warm": {"home": 4, "article": 1, "section": 3, "author": 3},
    "changed": {"home": 4, "article": 3, "section": 3, "author": 3},
    "cold": {"home": 9, "article": 8, "section": 8, "author": 8},
}


def _fill(n, section, author):
    for i in range(n):
        make_article(
            section=section, author=author, image=image_file() if i == 0 else None
        )


def _queries_for(client, url, django_assert_num_queries, expected, *, state):
    # Warm the shared cache (navigation, Trending, ad slots, fragments) and store the page.
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"
    if state == "changed":  # the version moves: the stored page is stale as well
        with TestCase.captureOnCommitCallbacks(execute=True):
            pages_changed()
    elif state == "cold":
        cache.clear()
    else:
        forget_page(url)  # rendered again: what a page costs to make
    with django_assert_num_queries(expected) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("state", ["warm", "changed", "cold"])
@pytest.mark.parametrize("page", ["home", "article", "section", "author"])
def test_query_count_does_not_grow_with_articles(
    client, django_assert_num_queries, page, state
):
    section, author = make_section(), make_author()
    make_ad(), make_ad(placement="sidebar")
    _fill(3, section, author)
    article = make_article(section=section, author=author)
    urls = {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "section": section.get_absolute_url(),
        "author": author.get_absolute_url(),
    }
    expected = COUNTS[state][page]
    small = _queries_for(
        client, urls[page], django_assert_num_queries, expected, state=state
    )

    _fill(30, section, author)
    for _ in range(5):
        make_section()
    large = _queries_for(
        client, urls[page], django_assert_num_queries, expected, state=state
    )

    assert len(small) == len(large) == expected
