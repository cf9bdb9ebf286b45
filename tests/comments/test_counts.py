"""``Article.comment_count``: stored, and right after every write that changes which comments are approved."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.test import Client as SignedInClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments import services
from comments.groups import MODERATORS_GROUP
from comments.models import Comment
from comments.services import Client, Submission
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def stored(article) -> int:
    return Article.objects.values_list("comment_count", flat=True).get(pk=article.pk)


def staff(group_name):
    user = User.objects.create_user(f"{group_name}-u", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client = SignedInClient()
    client.force_login(user)
    return client


def act(client, action, comments):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


@pytest.mark.parametrize(
    ("mode", "expected"), [("none", 1), ("first_time", 0)], ids=["approved", "held"]
)
def test_comment_submit_counts_only_an_approved_comment(settings, mode, expected):
    settings.COMMENTS_MODERATION = mode
    article = make_article()

    services.comment_submit(
        article=article,
        submission=Submission(body="Hi", name="Pat", email="pat@example.org"),
        client=Client(),
    )

    assert stored(article) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("approve", 2),
        ("approve_and_trust", 2),
        ("mark_spam", 0),
        ("spam_and_block", 0),
        ("remove", 0),
    ],
)
def test_every_moderation_action_keeps_the_count(action, expected):
    article = make_article()
    approved = make_comment(article=article)
    held = make_comment(article=article, status=Comment.Status.PENDING)
    target = [approved, held] if expected == 0 else [held]

    act(staff(MODERATORS_GROUP), action, target)

    assert stored(article) == expected


def test_a_status_change_in_the_change_form_keeps_the_count():
    article = make_article()
    comment = make_comment(article=article)

    staff(MODERATORS_GROUP).post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": Comment.Status.REMOVED},
    )

    assert stored(article) == 0


def test_superuser_deletes_keep_the_count(admin_client):
    article = make_article()
    one, two, three = (make_comment(article=article) for _ in range(3))

    admin_client.post(
        reverse("admin:comments_comment_delete", args=[one.pk]), {"post": "yes"}
    )
    assert stored(article) == 2
    admin_client.post(
        reverse(CHANGELIST),
        {
            "action": "delete_selected",
            "_selected_action": [two.pk, three.pk],
            "post": "yes",
        },
    )

    assert not Comment.objects.exists()
    assert stored(article) == 0


def test_comments_delete_counts_every_story_it_touches():
    first, second = make_article(), make_article()
    make_comment(article=first)
    make_comment(article=second)
    make_comment(article=second)

    deleted = services.comments_delete(
        comments=Comment.objects.filter(article__in=[first, second])
    )

    assert deleted == 3
    assert (stored(first), stored(second)) == (0, 0)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(Comment.Status.APPROVED, 1), (Comment.Status.PENDING, 0)],
)
def test_comment_import_keeps_the_count(status, expected):
    article = make_article()

    services.comment_import(
        article=article,
        name="Old Reader",
        email="old@example.org",
        body="From the archive.",
        created_at=timezone.now(),
        status=status,
    )

    assert stored(article) == expected


def test_the_data_migration_backfills_every_story():
    backfill = importlib.import_module(
        "comments.migrations.0003_backfill_article_comment_count"
    ).backfill
    article, quiet = make_article(), make_article()
    make_comment(article=article)
    make_comment(article=article, status=Comment.Status.SPAM)
    Article.objects.update(comment_count=7)

    backfill(apps, None)

    assert (stored(article), stored(quiet)) == (1, 0)


def test_the_articles_list_shows_counts_as_plain_text_to_editors():
    article = make_article(headline="Counted story")
    make_comment(article=article)
    make_comment(article=article, status=Comment.Status.PENDING)

    response = staff("Editors").get(reverse("admin:articles_article_changelist"))

    assertContains(response, "1 (+1 waiting)")
    assertNotContains(response, f"?article__id__exact={article.pk}")
