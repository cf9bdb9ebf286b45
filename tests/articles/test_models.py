from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import AdSlot, Article
from tests.factories import (
    image_file,
    make_ad,
    make_article,
    make_comment,
    make_section,
    save_article,
)

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_scheduled():
    visible = make_article()
    make_article(status=Article.Status.DRAFT, published_at=None)
    make_article(published_at=timezone.now() + timedelta(days=1))

    assert list(Article.objects.published()) == [visible]


def test_scheduled_article_becomes_visible_when_its_time_comes():
    article = make_article(published_at=timezone.now() + timedelta(seconds=1))
    assert not Article.objects.published().filter(pk=article.pk).exists()

    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )

    assert Article.objects.published().filter(pk=article.pk).exists()


def test_published_article_without_date_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(status=Article.Status.PUBLISHED, published_at=None)


def test_clean_requires_alt_text_with_an_image():
    article = make_article()
    article.image = image_file()
    article.image_alt = ""

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert "image_alt" in excinfo.value.message_dict


def test_body_markdown_is_rendered_and_sanitised_on_save():
    article = make_article(
        body="Hello **world**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))"
    )

    assert "<strong>world</strong>" in article.body_html
    assert "<script" not in article.body_html
    assert "javascript:" not in article.body_html


def test_lead_image_gets_webp_and_jpeg_renditions(settings):
    article = make_article(image=image_file(size=(1600, 900)))

    widths = [item["width"] for item in article.image_renditions]
    assert widths == settings.IMAGE_RENDITION_WIDTHS
    storage = article.image.storage
    for item in article.image_renditions:
        assert item["webp"].endswith(".webp") and storage.exists(item["webp"])
        assert item["jpeg"].endswith(".jpg") and storage.exists(item["jpeg"])
    assert article.image_sources["width"] == 1200
    assert article.image_sources["height"] == 675


def test_small_image_is_never_upscaled():
    article = make_article(image=image_file(size=(600, 400)))

    assert [item["width"] for item in article.image_renditions] == [480, 600]


def test_renditions_are_made_once_not_on_every_save():
    article = make_article(image=image_file())
    first = article.image_renditions

    article.headline = "Edited"
    save_article(article)

    assert Article.objects.get(pk=article.pk).image_renditions == first


def test_replacing_the_lead_image_deletes_the_old_renditions():
    article = make_article(image=image_file("first.jpg"))
    storage = article.image.storage
    old_files = [
        item[kind] for item in article.image_renditions for kind in ("webp", "jpeg")
    ]

    article.image = image_file("second.jpg", color=(0, 90, 200))
    save_article(article)

    assert not any(storage.exists(name) for name in old_files)
    new_files = [
        item[kind] for item in article.image_renditions for kind in ("webp", "jpeg")
    ]
    assert new_files and all(storage.exists(name) for name in new_files)
    assert (
        Article.objects.get(pk=article.pk).image_renditions == article.image_renditions
    )


def test_clearing_the_lead_image_deletes_its_renditions():
    article = make_article(image=image_file())
    storage = article.image.storage
    old_files = [
        item[kind] for item in article.image_renditions for kind in ("webp", "jpeg")
    ]

    article.image = ""
    save_article(article)

    assert not any(storage.exists(name) for name in old_files)
    assert Article.objects.get(pk=article.pk).image_renditions == []


def test_was_updated_only_after_a_revision_of_what_readers_read():
    # Replaces a test that simulated an edit through updated_at, which every save moves.
    article = make_article(published_at=timezone.now() - timedelta(days=1))
    assert not article.was_updated  # creating a story is no revision

    article.is_featured = True
    article.comments_open = False
    article.save()
    assert article.revised_at is None and not article.was_updated

    article.headline = "Bridge reopens on Friday"
    article.save()
    article.refresh_from_db()
    assert article.revised_at is not None and article.was_updated


@pytest.mark.parametrize(
    "change",
    [
        {"headline": "New headline"},
        {"standfirst": "New standfirst."},
        {"body": "A new body."},
        {"image": "replace"},
    ],
    ids=["headline", "standfirst", "body", "image"],
)
def test_each_reader_visible_field_is_a_revision(change):
    article = make_article(published_at=timezone.now() - timedelta(days=1))
    for name, value in change.items():
        if value == "replace":
            article.image, article.image_alt = image_file(), "A picture"
        else:
            setattr(article, name, value)

    article.save()

    assert Article.objects.get(pk=article.pk).revised_at is not None


def test_resaving_the_same_text_with_crlf_line_endings_is_no_revision():
    # Browsers send textareas back with CRLF: an unchanged admin form must not count as an edit.
    article = make_article(
        body="One.\n\nTwo.", published_at=timezone.now() - timedelta(days=1)
    )

    article.body = "One.\r\n\r\nTwo.\r\n"
    article.save()

    assert Article.objects.get(pk=article.pk).revised_at is None


def test_edits_before_publication_or_within_the_grace_period_show_no_update():
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    fresh = make_article(published_at=timezone.now() - timedelta(minutes=2))
    for article in (draft, scheduled, fresh):
        article.body = "Fixed a typo."
        article.save()

    draft.refresh_from_db()
    scheduled.refresh_from_db()
    fresh.refresh_from_db()
    assert draft.revised_at is None and scheduled.revised_at is None
    assert fresh.revised_at is not None and not fresh.was_updated


def test_save_with_update_fields_stores_the_revision_too():
    article = make_article(published_at=timezone.now() - timedelta(days=1))

    article.body = "A new body."
    article.save(update_fields=["body"])

    assert Article.objects.get(pk=article.pk).revised_at is not None


def test_section_blocks_are_grouped_and_limited_per_section(django_assert_num_queries):
    news, sport = (
        make_section(name="News", order=1),
        make_section(name="Sport", order=2),
    )
    for _ in range(5):
        make_article(section=news)
    make_article(section=sport)

    with django_assert_num_queries(1):
        blocks = Article.objects.section_blocks(per_section=3)

    assert [(section.name, len(items)) for section, items in blocks] == [
        ("News", 3),
        ("Sport", 1),
    ]


def test_section_blocks_and_related_stories_never_read_the_comments_table(
    django_assert_num_queries,
):
    # Neither list shows comment counts, so neither may pay for counting them.
    article = make_article()
    make_article(section=article.section)

    with django_assert_num_queries(1) as captured:
        Article.objects.section_blocks()
    related = Article.objects.related_to(article)

    assert "comments_comment" not in captured.captured_queries[0]["sql"]
    assert "comments_comment" not in str(related.query)
    assert len(related) == 1


def test_listing_reads_the_stored_comment_count_and_no_comments_table():
    from comments import services
    from comments.models import Comment

    discussed, quiet = make_article(), make_article()
    first = make_comment(article=discussed)
    second = make_comment(article=discussed)
    held = make_comment(article=discussed, status=Comment.Status.PENDING)

    def counts():
        listing = Article.objects.for_listing()
        assert "comments_comment" not in str(
            listing.query
        )  # a stored column, no subquery
        return {a.pk: a.comment_count for a in listing}

    assert counts() == {discussed.pk: 2, quiet.pk: 0}
    services.comments_moderate(
        Comment.objects.filter(pk=held.pk),
        status=Comment.Status.APPROVED,
        moderator=None,
    )
    assert counts()[discussed.pk] == 3
    services.comments_moderate(
        Comment.objects.filter(pk=first.pk),
        status=Comment.Status.REMOVED,
        moderator=None,
    )
    assert counts()[discussed.pk] == 2
    services.comments_spam_and_block(Comment.objects.filter(pk=held.pk), moderator=None)
    assert counts()[discussed.pk] == 1
    services.comments_delete(comments=Comment.objects.filter(pk=second.pk))
    assert counts() == {discussed.pk: 0, quiet.pk: 0}


def test_live_ads_respect_the_date_window():
    now = timezone.now()
    live = make_ad()
    make_ad(is_active=False)
    make_ad(starts_at=now + timedelta(days=1))
    make_ad(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))

    assert list(AdSlot.objects.live()) == [live]
