"""Plain factory functions for test data: every call makes fresh, valid rows."""

import itertools
from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from articles.models import AdSlot, Article, Author, Section
from articles.services import article_save

_ids = itertools.count(1)


def image_file(
    name="photo.jpg", size=(1600, 900), fmt="JPEG", color=(200, 80, 40)
) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def make_section(**fields) -> Section:
    n = next(_ids)
    fields.setdefault("name", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    fields.setdefault("order", n)
    return Section.objects.create(**fields)


def make_author(**fields) -> Author:
    n = next(_ids)
    fields.setdefault("name", f"Author {n}")
    fields.setdefault("slug", f"author-{n}")
    return Author.objects.create(**fields)


def make_article(**fields) -> Article:
    n = next(_ids)
    fields.setdefault("headline", f"Article {n}")
    fields.setdefault("slug", f"article-{n}")
    fields.setdefault("standfirst", f"Standfirst of article {n}.")
    fields.setdefault(
        "body", f"First paragraph of {n}.\n\nSecond paragraph.\n\nThird paragraph."
    )
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
    if "section" not in fields:  # setdefault would create a section on every call
        fields["section"] = make_section()
    if "author" not in fields:
        fields["author"] = make_author()
    if fields.get("image"):
        fields.setdefault("image_alt", "A test picture")
    return save_article(Article(**fields))


def save_article(article: Article) -> Article:
    """Save through the service as the admin does, running its after-commit work (renditions) now."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        article_save(article)
    article.refresh_from_db(fields=["image_renditions"])
    return article


def make_ad(**fields) -> AdSlot:
    n = next(_ids)
    fields.setdefault("name", f"Ad {n}")
    fields.setdefault("placement", AdSlot.Placement.ARTICLE)
    fields.setdefault("image", image_file(f"ad-{n}.png", size=(728, 180), fmt="PNG"))
    fields.setdefault("alt_text", f"Advert {n}: buy local")
    fields.setdefault("link", f"https://example.org/ad-{n}")
    fields.setdefault("starts_at", timezone.now() - timedelta(days=1))
    return AdSlot.objects.create(**fields)


def make_comment(**fields):
    """A comment saved directly (bypassing the moderation rules); approved unless told otherwise.

    The story's stored comment count is refreshed, as every real write does.
    """
    from comments.models import Comment
    from comments.services import article_comment_counts_refresh
    from comments.text import render_comment

    n = next(_ids)
    if "article" not in fields:
        fields["article"] = make_article()
    parent = fields.get("parent")
    if parent is not None:
        fields.setdefault("depth", parent.depth + 1)
    fields.setdefault("name", f"Reader {n}")
    fields.setdefault("email", f"reader{n}@example.org")
    fields.setdefault("body", f"Comment number {n}.")
    fields.setdefault("status", Comment.Status.APPROVED)
    fields["body_html"] = render_comment(fields["body"])
    comment = Comment.objects.create(**fields)
    article_comment_counts_refresh(article_ids=[comment.article_id])
    return comment


def comment_form_data(article, *, age_seconds=60, **overrides):
    """POST data for the Leave a Reply form, as a browser would send it after reading for a while."""
    import time

    from comments.spam import form_token

    data = {
        "name": "Pat Reader",
        "email": "pat@example.org",
        "url": "",
        "body": "A thoughtful comment about the story.",
        "timestamp": form_token(article.pk, now=time.time() - age_seconds),
        "parent": "",
        "leave_empty": "",
    }
    data.update(overrides)
    return data


def make_moderator(username="mod", email="mod@example.org", password="pw"):
    """A staff account in the Moderators group, with the group's permissions from the migrations.

    A live-server (browser) test runs on a database emptied after each test, groups
    included; the group is then made again with the same permissions the migrations grant.
    """
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission, User

    from comments.groups import MODERATORS_GROUP

    group, created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    if created:
        codenames = [
            codename
            for module in (
                "0002_moderator_permissions",
                "0005_moderators_blocks_reports",
            )
            for codename in import_module(
                f"comments.migrations.{module}"
            ).MODERATOR_PERMISSIONS
        ]
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="comments", codename__in=codenames
            )
        )
    user = User.objects.create_user(
        username, email=email, password=password, is_staff=True
    )
    user.groups.add(group)
    return user
