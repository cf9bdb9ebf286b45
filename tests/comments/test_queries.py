import pytest
from django.test import Client, TestCase

from comments.models import Comment
from newsroom.pagecache import pages_changed
from tests.factories import make_article, make_comment
from tests.pages import forget_page

pytestmark = pytest.mark.django_db


def _three_level_threads(article, total):
    made = 0
    while made < total:
        top = make_comment(article=article)
        child = make_comment(article=article, parent=top)
        make_comment(article=article, parent=child)
        made += 3


def _count(client, url, django_assert_max_num_queries, *, changed=True):
    """Queries of one request with the shared cache warm.

    ``changed``: the content version moved first (as after any approval), so the thread is
    rendered from its query rather than served from its fragment (newsroom/fragments.py).
    """
    client.get(url)  # warm the shared cache
    if changed:
        with TestCase.captureOnCommitCallbacks(execute=True):
            pages_changed()
    else:
        forget_page(
            url
        )  # rendered again (the page cache would answer with no query at all)
    with django_assert_max_num_queries(3) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_article_page_queries_are_the_same_with_5_and_500_comments(
    client, settings, django_assert_max_num_queries
):
    settings.COMMENTS_PER_PAGE = 500
    small, big = make_article(), make_article()
    _three_level_threads(small, 5)
    _three_level_threads(big, 500)

    small_count, _ = _count(
        client, small.get_absolute_url(), django_assert_max_num_queries
    )
    big_count, response = _count(
        client, big.get_absolute_url(), django_assert_max_num_queries
    )

    assert (
        small_count == big_count == 3
    )  # story, related stories, the whole comment thread
    assert Comment.objects.filter(article=big).count() == 501
    assert response.content.decode().count('class="comment depth-3') == 167


def test_a_held_comment_for_its_author_costs_no_extra_query(
    settings, django_assert_max_num_queries
):
    from comments.personal import HELD_COOKIE, HELD_SALT

    article = make_article()
    held = make_comment(article=article, status=Comment.Status.PENDING)
    client = Client()
    response = client.get(article.get_absolute_url())
    from django.http import HttpResponse

    signer_response = HttpResponse()
    signer_response.set_signed_cookie(HELD_COOKIE, str(held.pk), salt=HELD_SALT)
    client.cookies[HELD_COOKIE] = signer_response.cookies[HELD_COOKIE].value

    count, response = _count(
        client, article.get_absolute_url(), django_assert_max_num_queries
    )

    assert count == 3
    assert "Your comment is awaiting moderation." in response.content.decode()


def test_warm_fragments_leave_only_the_story_query_with_5_and_500_comments(
    client, settings, django_assert_max_num_queries
):
    settings.COMMENTS_PER_PAGE = 500
    small, big = make_article(), make_article()
    _three_level_threads(small, 5)
    _three_level_threads(big, 500)

    small_count, _ = _count(
        client, small.get_absolute_url(), django_assert_max_num_queries, changed=False
    )
    big_count, response = _count(
        client, big.get_absolute_url(), django_assert_max_num_queries, changed=False
    )

    assert small_count == big_count == 1  # the story; the rest comes from its fragments
    assert response.content.decode().count('class="comment depth-3') == 167


def test_with_warm_fragments_a_held_comment_costs_its_author_one_query(
    settings, django_assert_max_num_queries
):
    from django.http import HttpResponse

    from comments.personal import HELD_COOKIE, HELD_SALT

    article = make_article()
    held = make_comment(article=article, status=Comment.Status.PENDING)
    client = Client()
    client.get(article.get_absolute_url())
    signer_response = HttpResponse()
    signer_response.set_signed_cookie(HELD_COOKIE, str(held.pk), salt=HELD_SALT)
    client.cookies[HELD_COOKIE] = signer_response.cookies[HELD_COOKIE].value

    count, response = _count(
        client, article.get_absolute_url(), django_assert_max_num_queries, changed=False
    )

    assert count == 2  # the story, and the thread query that finds the held comment
    assert "Your comment is awaiting moderation." in response.content.decode()
