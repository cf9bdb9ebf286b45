from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles import trending
from articles.models import Article, ArticleDailyViews
from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def views(article, n, days_ago=0):
    ArticleDailyViews.objects.create(
        article=article, day=timezone.localdate() - timedelta(days=days_ago), views=n
    )


def test_trending_orders_by_views_plus_weighted_comments():
    quiet, viewed, discussed = make_article(), make_article(), make_article()
    views(viewed, 30)
    views(discussed, 5)
    make_comment(article=discussed)  # 5 + 20 = 25
    make_comment(article=discussed)  # 5 + 40 = 45

    result = trending.compute_trending()

    assert result["trending"] == [discussed, viewed]
    assert quiet not in result["trending"]
    assert result["most_commented"] == [discussed]


def test_old_and_unapproved_activity_is_ignored():
    article = make_article()
    views(article, 500, days_ago=8)
    old = make_comment(article=article)
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=9)
    )
    make_comment(article=article, status=Comment.Status.PENDING)
    make_comment(article=article, status=Comment.Status.SPAM)

    assert trending.compute_trending() == {"trending": [], "most_commented": []}


def test_drafts_and_scheduled_never_trend():
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    views(draft, 100)
    views(scheduled, 100)

    assert trending.compute_trending()["trending"] == []


def test_ranking_is_one_query(django_assert_num_queries):
    for _ in range(8):
        article = make_article()
        views(article, 3)
        make_comment(article=article)

    with django_assert_num_queries(1):
        result = trending.compute_trending()

    assert len(result["trending"]) == 5


def test_beacon_counts_in_the_cache_without_a_query(client, django_assert_num_queries):
    article = make_article()
    client.post(
        reverse("articles:count-view", args=[article.pk])
    )  # takes the flush turn

    with django_assert_num_queries(0):
        response = client.post(reverse("articles:count-view", args=[article.pk]))

    assert response.status_code == 204
    assert (
        client.get(reverse("articles:count-view", args=[article.pk])).status_code == 405
    )


def test_flush_moves_counted_views_into_the_database_once():
    article = make_article()
    for _ in range(3):
        trending.count_view(article.pk)

    assert trending.flush_views() == 3
    assert trending.flush_views() == 0
    trending.count_view(article.pk)
    trending.flush_views()

    assert ArticleDailyViews.objects.get(article=article).views == 4


def test_only_one_flush_per_interval():
    assert trending.flush_due() is True
    assert trending.flush_due() is False


def test_viewed_story_appears_in_the_sidebar(client):
    story = make_article(headline="Everyone is reading this")
    for _ in range(4):
        client.post(reverse("articles:count-view", args=[story.pk]))
    trending.flush_views()

    response = client.get(reverse("articles:home"))

    assertContains(response, "Trending")
    assertContains(response, "Everyone is reading this")


def test_article_page_carries_the_beacon_but_previews_do_not(client, admin_client):
    story = make_article()
    draft = make_article(status=Article.Status.DRAFT, published_at=None)

    assertContains(
        client.get(story.get_absolute_url()),
        reverse("articles:count-view", args=[story.pk]),
    )
    preview = admin_client.get(reverse("articles:preview", args=[draft.pk]))
    assert "data-view-beacon" not in preview.content.decode()
