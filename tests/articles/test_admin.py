"""The admin as an editor uses it: a staff account in the "Editors" group from the data migration."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from tests.factories import make_ad, make_article, make_author, make_section

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."
DAMAGED_IMAGE = (
    "This image file is damaged or incomplete. Export it again and re-upload."
)


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "not-a-real-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _changelist(model):
    return reverse(f"admin:articles_{model}_changelist")


@pytest.mark.parametrize(
    ("model", "make_row"),
    [
        ("article", lambda: make_article(headline="Ferry returns to service")),
        ("section", lambda: make_section(name="Weather")),
        ("author", lambda: make_author(name="Priya Natarajan")),
        ("adslot", lambda: make_ad(name="Bakery spring offer")),
    ],
    ids=["article", "section", "author", "adslot"],
)
def test_editor_sees_each_changelist_with_its_rows(editor_client, model, make_row):
    row = make_row()

    response = editor_client.get(_changelist(model))

    assert response.status_code == 200
    assertContains(response, f"Select {row._meta.verbose_name} to change")
    assertContains(response, str(row))
    assertContains(response, reverse(f"admin:articles_{model}_add"))


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("article", ["headline", "slug", "section", "author", "body", "image", "image_alt", "status"]),
        ("section", ["name", "slug", "order", "description"]),
        ("author", ["name", "slug", "bio", "photo"]),
        ("adslot", ["name", "placement", "after_paragraph", "image", "alt_text", "link"]),
    ],
)  # fmt: skip
def test_editor_gets_each_add_form(editor_client, model, fields):
    response = editor_client.get(reverse(f"admin:articles_{model}_add"))

    assert response.status_code == 200
    assertContains(response, f"Add {response.context['opts'].verbose_name}")
    for field in fields:
        assertContains(response, f'name="{field}"')
    assertContains(response, 'name="_save"')


def test_article_changelist_search_finds_a_story_by_its_headline(editor_client):
    make_article(headline="Bridge reopens after repairs")
    make_article(headline="Council tax rises by four per cent")

    response = editor_client.get(_changelist("article"), {"q": "bridge"})

    assertContains(response, "Bridge reopens after repairs")
    assertNotContains(response, "Council tax rises by four per cent")
    assertContains(response, "1 result")


def test_article_changelist_filters_drafts(editor_client):
    make_article(headline="Draft: school league tables", status=Article.Status.DRAFT)
    make_article(headline="Published: new cycle lane opens")

    response = editor_client.get(_changelist("article"), {"status__exact": "draft"})

    assertContains(response, "Draft: school league tables")
    assertNotContains(response, "Published: new cycle lane opens")


def _article_form(image, **fields):
    section, author = make_section(), make_author()
    now = timezone.localtime()
    return {
        "headline": "Harbour wall repaired",
        "slug": "harbour-wall-repaired",
        "section": section.pk,
        "author": author.pk,
        "standfirst": "Work finished a week early.",
        "body": "The harbour wall is whole again.",
        "image": image,
        "image_alt": "The repaired harbour wall at low tide",
        "status": Article.Status.PUBLISHED,
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "comments_open": "on",
        "_save": "Save",
        **fields,
    }


def _change_form(article, **fields):
    """The change form as the browser sends it back: textareas with CRLF line endings."""
    published = timezone.localtime(article.published_at)
    return {
        "headline": article.headline,
        "slug": article.slug,
        "section": article.section_id,
        "author": article.author_id,
        "standfirst": article.standfirst,
        "body": article.body.replace("\n", "\r\n"),
        "image_alt": article.image_alt,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        **({"comments_open": "on"} if article.comments_open else {}),
        "_save": "Save",
        **fields,
    }


def test_ticking_featured_in_the_admin_does_not_mark_the_story_updated(
    editor_client, client
):
    article = make_article(published_at=timezone.now() - timedelta(days=1))

    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _change_form(article, is_featured="on"),
    )

    assert response.status_code == 302, "the change form was rejected"
    article.refresh_from_db()
    assert article.is_featured and article.revised_at is None
    assertNotContains(client.get(article.get_absolute_url()), "Updated")


def test_editing_the_body_in_the_admin_marks_the_story_updated(editor_client, client):
    article = make_article(published_at=timezone.now() - timedelta(days=1))

    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _change_form(article, body=article.body + "\r\n\r\nA late correction."),
    )

    assert response.status_code == 302, "the change form was rejected"
    assertContains(client.get(article.get_absolute_url()), " · Updated <time")


def _truncated_jpeg():
    buffer = BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(buffer, "JPEG")
    data = buffer.getvalue()
    return SimpleUploadedFile("harbour.jpg", data[: len(data) // 2], "image/jpeg")


def _text_file(name="harbour.jpg"):
    return SimpleUploadedFile(name, b"Minutes of the harbour board.", "image/jpeg")


def test_a_real_lead_image_is_accepted_through_the_admin(
    editor_client, django_capture_on_commit_callbacks
):
    buffer = BytesIO()
    Image.new("RGB", (1200, 675), (40, 90, 160)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("harbour.jpg", buffer.getvalue(), "image/jpeg")

    # The renditions are made once the admin's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_article_add"), _article_form(upload)
        )

    assert response.status_code == 302, "the add form was rejected"
    article = Article.objects.get(slug="harbour-wall-repaired")
    assert (article.image_width, article.image_height) == (1200, 675)
    assert article.image_renditions, "no resized copies were made"


def test_truncated_jpeg_lead_image_is_refused_with_a_clear_message(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_add"), _article_form(_truncated_jpeg())
    )

    assert response.status_code == 200
    assertContains(response, "Please correct the error below.")
    assertContains(response, DAMAGED_IMAGE)
    assert not Article.objects.exists()


@pytest.mark.parametrize("name", ["harbour.jpg", "harbour.txt"])
def test_non_image_lead_image_is_refused_without_creating_the_story(
    editor_client, name
):
    response = editor_client.post(
        reverse("admin:articles_article_add"), _article_form(_text_file(name))
    )

    assert response.status_code == 200
    assertContains(response, "Please correct the error below.")
    assert "image" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_non_image_lead_image_gets_the_newsroom_message(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_add"), _article_form(_text_file())
    )

    assertContains(response, NOT_AN_IMAGE)


def test_publish_action_publishes_a_draft(editor_client, client):
    draft = make_article(
        headline="Market hall to reopen", status=Article.Status.DRAFT, published_at=None
    )
    before = timezone.now()

    response = editor_client.post(
        _changelist("article"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )

    assertContains(response, "1 article published.")
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert before <= draft.published_at <= timezone.now()
    client.logout()
    assertContains(client.get(draft.get_absolute_url()), "Market hall to reopen")


def test_publish_action_skips_a_draft_whose_address_is_taken_that_day(
    editor_client,
):
    existing = make_article(
        headline="Road closed", slug="road-closed", published_at=timezone.now()
    )
    clash = make_article(
        headline="Road closed again",
        slug="road-closed",
        status=Article.Status.DRAFT,
        published_at=None,
    )
    other = make_article(status=Article.Status.DRAFT, published_at=None)

    response = editor_client.post(
        _changelist("article"),
        {"action": "publish", "_selected_action": [clash.pk, other.pk]},
        follow=True,
    )

    assertContains(response, "1 article published.")
    assertContains(
        response,
        "“Road closed again” not published: another story that day already uses "
        f"the address {existing.get_absolute_url()}.",
    )
    clash.refresh_from_db()
    other.refresh_from_db()
    assert clash.status == Article.Status.DRAFT
    assert other.status == Article.Status.PUBLISHED


def test_draft_preview_link_opens_the_marked_preview(editor_client):
    draft = make_article(headline="Budget leak", status=Article.Status.DRAFT)
    public = make_article(headline="Fun run raises £3,000")

    changelist = editor_client.get(_changelist("article")).content.decode()

    row_links = r'<a href="([^"]+)">(Preview|View on site)</a>'
    links = {text: href for href, text in re.findall(row_links, changelist)}
    assert links == {
        "Preview": reverse("articles:preview", args=[draft.pk]),
        "View on site": public.get_absolute_url(),
    }
    preview = editor_client.get(links["Preview"])
    assertContains(preview, "Draft preview")
    assertContains(preview, "Budget leak")


def test_editor_sees_the_author_account_link_read_only(editor_client, admin_client):
    editor_form = editor_client.get(reverse("admin:articles_author_add"))
    admin_form = admin_client.get(reverse("admin:articles_author_add"))

    assert "user" not in editor_form.context["adminform"].form.fields
    assert "user" in admin_form.context["adminform"].form.fields
