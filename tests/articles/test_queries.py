"""Every reading page runs a fixed number of queries, however many stories exist."""

import pytest
from django.urls import reverse

from tests.factories import image_file, make_ad, make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def _fill(n, section, author):
    for i in range(n):
        make_article(
            section=section, author=author, image=image_file() if i == 0 else None
        )


def _queries_for(client, url, django_assert_max_num_queries, expected):
    client.get(url)  # warm the shared cache (navigation, Trending, ad slots)
    with django_assert_max_num_queries(expected) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["home", "article", "section", "author"])
def test_query_count_does_not_grow_with_articles(
    client, django_assert_max_num_queries, page
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
    limits = {
        "home": 4,
        "article": 3,
        "section": 3,
        "author": 3,
    }  # article: story, related, comments
    small = _queries_for(
        client, urls[page], django_assert_max_num_queries, limits[page]
    )

    _fill(30, section, author)
    for _ in range(5):
        make_section()
    large = _queries_for(
        client, urls[page], django_assert_max_num_queries, limits[page]
    )

    assert small == large
