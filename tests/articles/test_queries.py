"""Every reading page runs a fixed number of queries, however many stories exist.

Measured when a page is rendered (the page cache did not have it), twice: warm
(navigation, Trending and ad slots come from the cache, as on nearly every request) and
cold (the cache was just cleared: a restart, an eviction), where those three blocks cost
one query each and the page cache looks up the next scheduled change once. A page the
page cache has costs no query at all.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import image_file, make_ad, make_article, make_author, make_section
from tests.pages import forget_page

pytestmark = pytest.mark.django_db

# Warm: home = count, page, lead, section blocks; article = story, related, comments;
# section/author = owner, count, page. Cold adds navigation, Trending and ad slots, and the
# page cache's look-up of the next scheduled story or ad change (discovery/schedule.py).
WARM = {"home": 4, "article": 3, "section": 3, "author": 3}
COLD = {"home": 8, "article": 7, "section": 7, "author": 7}


def _fill(n, section, author):
    for i in range(n):
        make_article(
            section=section, author=author, image=image_file() if i == 0 else None
        )


def _queries_for(client, url, django_assert_num_queries, expected, *, cold):
    client.get(
        url
    )  # warm the shared cache (navigation, Trending, ad slots), store the page
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"
    if cold:
        cache.clear()
    else:
        forget_page(url)  # rendered again: what a page costs to make
    with django_assert_num_queries(expected) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cold"])
@pytest.mark.parametrize("page", ["home", "article", "section", "author"])
def test_query_count_does_not_grow_with_articles(
    client, django_assert_num_queries, page, cold
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
    expected = (COLD if cold else WARM)[page]
    small = _queries_for(
        client, urls[page], django_assert_num_queries, expected, cold=cold
    )

    _fill(30, section, author)
    for _ in range(5):
        make_section()
    large = _queries_for(
        client, urls[page], django_assert_num_queries, expected, cold=cold
    )

    assert len(small) == len(large) == expected
