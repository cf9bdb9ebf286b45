from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article
from articles.services import article_save, articles_publish
from tests.factories import image_file, make_article, save_article

pytestmark = pytest.mark.django_db


def _draft(**fields):
    return make_article(status=Article.Status.DRAFT, published_at=None, **fields)


def test_publishes_drafts_at_the_given_time_and_leaves_published_stories_alone():
    now = timezone.now()
    draft = _draft()
    public = make_article(published_at=now - timedelta(days=2))

    result = articles_publish(Article.objects.all(), now=now)

    assert result.published == [draft] and result.skipped == []
    draft.refresh_from_db()
    public.refresh_from_db()
    assert (draft.status, draft.published_at) == (Article.Status.PUBLISHED, now)
    assert public.published_at == now - timedelta(days=2)


def test_draft_whose_address_is_taken_that_day_is_skipped():
    now = timezone.now()
    existing = make_article(
        slug="flood-warning", published_at=now - timedelta(seconds=5)
    )
    draft = _draft(slug="flood-warning")

    result = articles_publish(Article.objects.filter(pk=draft.pk), now=now)

    assert result.published == []
    assert result.skipped == [(draft, existing)]
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and draft.published_at is None


def test_same_slug_on_another_day_is_no_collision():
    now = timezone.now()
    make_article(slug="flood-warning", published_at=now - timedelta(days=1))
    draft = _draft(slug="flood-warning")

    result = articles_publish(Article.objects.filter(pk=draft.pk), now=now)

    assert result.published == [draft]


def test_of_two_drafts_with_one_slug_only_the_first_is_published():
    first, second = _draft(slug="fete"), _draft(slug="fete")

    result = articles_publish(Article.objects.filter(pk__in=[first.pk, second.pk]))

    assert result.published == [first]
    assert result.skipped == [(second, first)]
    assert Article.objects.published().filter(slug="fete").count() == 1


def test_saving_a_story_writes_no_files_until_the_service_commits(tmp_path):
    article = make_article()
    article.image, article.image_alt = image_file("later.jpg"), "A picture"

    article.save()  # the model's save: the row only

    renditions = Path(article.image.storage.location) / "renditions"
    assert article.image_renditions == [] and not renditions.exists()
    assert save_article(article).image_renditions, "the service makes them after commit"
    assert any(renditions.rglob("later-*.webp"))


def test_a_rolled_back_save_leaves_no_rendition_files(
    django_capture_on_commit_callbacks,
):
    article = make_article()
    article.image, article.image_alt = image_file("rolled.jpg"), "A picture"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article_save(article)
    # The transaction never commits: the callbacks are dropped, as the database would.

    # The renditions, and the page cache's version bump (newsroom/pagecache.py), wait for it.
    assert len(callbacks) == 2
    assert not (Path(article.image.storage.location) / "renditions").exists()
