from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from articles import demo_content
from articles.management.commands.seed_demo import NON_PARAGRAPH_PREFIXES, build_body
from articles.models import AdSlot, Article, Author, Section
from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # The command writes real image files; keep them out of the project's media folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    # One small rendition width still exercises Article.save() but keeps each seed quick.
    settings.IMAGE_RENDITION_WIDTHS = [240]


def seed():
    out = StringIO()
    # As on a real database: work queued for after commit (image renditions) runs.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        "sections": Section.objects.count(),
        "authors": Author.objects.count(),
        "articles": Article.objects.count(),
        "published": Article.objects.published().count(),
        "ad_slots": AdSlot.objects.count(),
        "comments": Comment.objects.count(),
        "approved_comments": Comment.objects.approved().count(),
        "pending_comments": Comment.objects.pending().count(),
    }


def test_seed_demo_creates_a_complete_site():
    output = seed()

    assert "Articles: 37 created" in output
    assert Section.objects.count() >= 5
    assert Author.objects.count() >= 4
    assert Article.objects.published().count() >= 30
    assert Article.objects.filter(is_featured=True).count() == 1
    assert Article.objects.get(is_featured=True).image
    assert (
        Article.objects.filter(
            status=Article.Status.DRAFT, published_at__isnull=True
        ).count()
        == 1
    )
    assert Article.objects.filter(comments_open=False).count() >= 2
    # Threaded approved discussions and a few comments held for the moderator to try.
    assert Comment.objects.approved().filter(depth=3).exists()
    assert Comment.objects.pending().count() >= 2


def test_seed_demo_schedules_one_article_out_of_public_view():
    seed()

    scheduled = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    )

    assert scheduled.count() == 1
    assert not Article.objects.published().filter(pk=scheduled.get().pk).exists()


def test_seed_demo_draws_images_with_renditions():
    seed()

    illustrated = Article.objects.exclude(image="")

    assert illustrated.count() >= 8
    assert all(article.image_renditions for article in illustrated)
    assert all(article.image_alt and article.image_credit for article in illustrated)


def test_seed_demo_marks_only_a_few_stories_as_updated():
    seed()

    updated = [
        article for article in Article.objects.published() if article.was_updated
    ]

    assert len(updated) == 2


def test_seed_demo_creates_live_ad_slots_for_each_placement():
    seed()

    live = AdSlot.objects.live()

    assert {slot.placement for slot in live} == set(AdSlot.Placement.values)
    assert sorted(
        s.after_paragraph for s in live.filter(placement=AdSlot.Placement.ARTICLE)
    ) == [2, 5]
    assert all(slot.image and slot.alt_text for slot in live)


def test_seed_demo_twice_creates_nothing_new():
    seed()
    first = counts()

    output = seed()

    assert counts() == first
    assert "Articles: 0 created" in output


def test_demo_articles_have_unique_slugs_and_reasonable_length():
    slugs = [entry["slug"] for entry in demo_content.ARTICLES]

    assert len(slugs) == len(set(slugs))
    for index, entry in enumerate(demo_content.ARTICLES):
        blocks = build_body(entry, index).split("\n\n")
        paragraphs = [b for b in blocks if not b.startswith(NON_PARAGRAPH_PREFIXES)]
        assert 5 <= len(paragraphs) <= 9, entry["slug"]
        assert len(entry["standfirst"]) < 300, entry["slug"]
