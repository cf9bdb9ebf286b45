from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import AdSlot, Article, Author, Section
from comments.models import Comment
from demo import data
from demo.management.commands.seed_demo import NON_PARAGRAPH_PREFIXES, build_body
from tests.factories import make_article, make_comment

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
    content = data.load()
    slugs = [entry["slug"] for entry in content.articles]

    assert len(slugs) == len(set(slugs))
    for index, entry in enumerate(content.articles):
        blocks = build_body(entry, index, content.paragraphs).split("\n\n")
        paragraphs = [b for b in blocks if not b.startswith(NON_PARAGRAPH_PREFIXES)]
        assert 5 <= len(paragraphs) <= 9, entry["slug"]
        assert len(entry["standfirst"]) < 300, entry["slug"]


def test_each_storys_comments_are_its_own_thread_from_the_data():
    seed()
    content = data.load()

    def bodies(comments):
        for comment in comments:
            yield comment["body"].strip()
            yield from bodies(comment["reply"])

    for slug, thread in content.threads.items():
        article = Article.objects.get(slug=slug)
        stored = sorted(article.comments.values_list("body", flat=True))
        assert stored == sorted(bodies(thread)), slug
    # Stories the data leaves out keep the "No comments yet" state.
    assert (
        Article.objects.published()
        .filter(comments_open=True, comments__isnull=True)
        .exclude(slug__in=content.threads)
        .exists()
    )


def test_seeded_replies_follow_their_parents_and_none_is_in_the_future():
    seed()
    now = timezone.now()

    for comment in Comment.objects.select_related("parent", "article"):
        assert comment.article.published_at < comment.created_at < now
        if comment.parent:
            assert comment.parent.created_at < comment.created_at
            assert comment.depth == comment.parent.depth + 1
    assert Comment.objects.exclude(url="").exists()


def test_seeded_comments_read_under_their_story(client):
    seed()
    flood = Article.objects.get(slug="ferry-lane-flood-gates-hold-as-wend-peaks")
    quiet = Article.objects.get(slug="credit-union-passes-one-million")

    flood_page = client.get(flood.get_absolute_url())
    quiet_page = client.get(quiet.get_absolute_url())

    assertContains(flood_page, "drains came up in the kitchen again")
    assertNotContains(flood_page, "Pike goal")
    assertNotContains(flood_page, "First time commenting")  # held, not public
    assertContains(quiet_page, "No comments yet")


def test_seed_demo_leaves_a_story_that_already_has_comments_alone():
    # The story exists already (same slug), published, and a reader has commented on it.
    story = make_article(slug="otters-recorded-at-ashby-meadows")
    make_comment(article=story, body="A reader got here first.")

    output = seed()

    assert list(story.comments.values_list("body", flat=True)) == [
        "A reader got here first."
    ]
    assert Article.objects.get(slug="school-solar-panels-first-year").comments.exists()
    assert "Articles: 36 created" in output
