"""Editors' image saves: an unchanged picture is not checked again, a full disk loses nothing."""

import errno

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from articles.models import AdSlot, Article, Author
from tests.factories import image_file, make_ad, make_article, make_author

STORAGE_FULL = (
    "The picture could not be saved: the media storage is full (or not writable). "
    "Your other changes are below; nothing was saved."
)


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "not-a-real-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def _ad_form(ad, **fields):
    return {
        "name": ad.name,
        "placement": ad.placement,
        "after_paragraph": ad.after_paragraph or "",
        "alt_text": ad.alt_text,
        "link": ad.link,
        "starts_at_0": timezone.localtime(ad.starts_at).strftime("%Y-%m-%d"),
        "starts_at_1": timezone.localtime(ad.starts_at).strftime("%H:%M:%S"),
        "is_active": "on",
        "_save": "Save",
        **fields,
    }


def test_saving_an_ad_slot_without_a_new_image_keeps_the_image(editor_client):
    ad = make_ad(name="Bakery spring offer")
    image_name = ad.image.name

    response = editor_client.post(
        reverse("admin:articles_adslot_change", args=[ad.pk]),
        _ad_form(ad, name="Bakery summer offer"),
    )

    assert response.status_code == 302, response.content[:2000]
    ad.refresh_from_db()
    assert ad.name == "Bakery summer offer"
    assert ad.image.name == image_name


def test_saving_an_author_without_a_new_photo_keeps_the_photo(editor_client):
    author = make_author(name="Priya Natarajan", photo=image_file("priya.jpg"))
    photo_name = author.photo.name

    response = editor_client.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"name": "Priya N.", "slug": author.slug, "bio": "", "_save": "Save"},
    )

    assert response.status_code == 302
    author.refresh_from_db()
    assert (author.name, author.photo.name) == ("Priya N.", photo_name)


class FullStorage(FileSystemStorage):
    """A disk with no room left: every write fails the way the kernel says so."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


class ReadOnlyStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.EROFS, "Read-only file system")


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return (
        sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


@pytest.fixture(params=[FullStorage, ReadOnlyStorage], ids=["full", "read-only"])
def broken_storage(request, monkeypatch):
    """Every image field writes through a storage that refuses to write."""
    storage = request.param()
    for model, name in ((Article, "image"), (AdSlot, "image"), (Author, "photo")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return storage


def test_a_new_lead_image_on_a_full_disk_gives_the_form_back_and_saves_nothing(
    editor_client, broken_storage, settings
):
    article = make_article(headline="Harbour wall repaired")
    published = timezone.localtime(article.published_at)
    before = _media_files(settings)

    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "headline": "Harbour wall repaired at last",
            "slug": article.slug,
            "section": article.section_id,
            "author": article.author_id,
            "standfirst": article.standfirst,
            "body": article.body,
            "image": image_file("harbour.jpg"),
            "image_alt": "The harbour wall",
            "status": article.status,
            "published_at_0": published.strftime("%Y-%m-%d"),
            "published_at_1": published.strftime("%H:%M:%S"),
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    assert STORAGE_FULL in response.content.decode()
    # The editor's other changes are in the form they got back.
    assert "Harbour wall repaired at last" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Harbour wall repaired"
    assert not article.image
    assert _media_files(settings) == before


def test_a_new_ad_on_a_full_disk_is_not_created(
    editor_client, broken_storage, settings
):
    now = timezone.localtime()
    response = editor_client.post(
        reverse("admin:articles_adslot_add"),
        {
            "name": "Bakery spring offer",
            "placement": AdSlot.Placement.SIDEBAR,
            "after_paragraph": 2,
            "image": image_file("ad.png", size=(300, 250), fmt="PNG"),
            "alt_text": "Fresh bread",
            "link": "https://example.org/bread",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": now.strftime("%H:%M:%S"),
            "is_active": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"image": [STORAGE_FULL]}
    assert not AdSlot.objects.exists()
    assert _media_files(settings) == []


def test_a_new_author_photo_on_a_full_disk_is_not_saved(editor_client, broken_storage):
    response = editor_client.post(
        reverse("admin:articles_author_add"),
        {"name": "Priya Natarajan", "slug": "priya-natarajan", "photo": image_file()},
    )

    assert response.status_code == 200
    assert STORAGE_FULL in response.content.decode()
    assert not Author.objects.filter(slug="priya-natarajan").exists()


def test_a_write_that_fails_half_way_leaves_no_truncated_file(settings, tmp_path):
    """FileSystemStorage writes in chunks: a disk that fills up mid-file must not keep the part."""
    from articles.storage import MediaStorage

    storage = MediaStorage(location=tmp_path / "m")
    upload = image_file("big.jpg")
    data = upload.read()

    def failing_chunks(chunk_size=None):
        yield data[:100]
        raise OSError(errno.ENOSPC, "No space left on device")

    upload.chunks = failing_chunks

    with pytest.raises(OSError):
        storage.save("lead/big.jpg", upload)
    assert [p for p in (tmp_path / "m").rglob("*") if p.is_file()] == []
