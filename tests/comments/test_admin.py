from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.groups import MODERATORS_GROUP
from comments.models import Block, BlockedTerm, Comment, TrustedCommenter
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def staff_client(group_name):
    user = User.objects.create_user(
        f"{group_name.lower()}-user", password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def moderator():
    return staff_client(MODERATORS_GROUP)


def act(client, action, comments):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_changelist_lists_pending_first_with_reason_and_article_not_email_or_ip(
    moderator,
):
    client, _ = moderator
    make_comment(body="Older and approved")
    old_pending = make_comment(
        status=Comment.Status.PENDING,
        reason=Comment.Reason.FIRST_TIME,
        ip_address="203.0.113.9",
    )
    new_pending = make_comment(status=Comment.Status.PENDING)
    make_comment(body="Newest but approved")

    response = client.get(reverse(CHANGELIST))

    rows = list(response.context["cl"].result_list)
    assert rows[:2] == [new_pending, old_pending]
    assert [c.body for c in rows[2:]] == ["Newest but approved", "Older and approved"]
    # Email and IP are on the comment's page; the list leaves the room to the text.
    assertNotContains(response, old_pending.email)
    assertNotContains(response, "203.0.113.9")
    assertContains(response, "First-time commenter")
    assertContains(response, old_pending.article.get_absolute_url())


def test_filter_by_reason_and_search_by_ip(moderator):
    client, _ = moderator
    linky = make_comment(
        status=Comment.Status.PENDING,
        reason=Comment.Reason.TOO_MANY_LINKS,
        body="links galore",
    )
    make_comment(
        status=Comment.Status.PENDING,
        reason=Comment.Reason.FIRST_TIME,
        body="just new",
        ip_address="192.0.2.44",
    )

    by_reason = client.get(reverse(CHANGELIST) + "?reason__exact=too_many_links")
    by_ip = client.get(reverse(CHANGELIST) + "?q=192.0.2.44")

    assert list(by_reason.context["cl"].result_list) == [linky]
    assert [c.body for c in by_ip.context["cl"].result_list] == ["just new"]


def test_approve_publishes_and_records_who_and_when(moderator):
    client, user = moderator
    comment = make_comment(status=Comment.Status.PENDING, body="Now visible")

    response = act(client, "approve", [comment])

    assertContains(response, "1 comment approved.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == user and comment.moderated_at is not None
    assertContains(Client().get(comment.article.get_absolute_url()), "Now visible")


@pytest.mark.parametrize(
    ("action", "status"), [("mark_spam", "spam"), ("remove", "removed")]
)
def test_spam_and_remove_keep_the_comment_but_hide_it(moderator, action, status):
    client, _ = moderator
    comment = make_comment(body="Hide me", reason=Comment.Reason.FIRST_TIME)

    act(client, action, [comment])

    comment.refresh_from_db()
    assert comment.status == status
    assert (
        comment.reason == Comment.Reason.FIRST_TIME
    )  # why it was held is kept after the decision
    assertNotContains(Client().get(comment.article.get_absolute_url()), "Hide me")


def test_approve_and_trust_lets_future_comments_skip_the_first_time_hold(
    moderator, settings
):
    settings.COMMENTS_MODERATION = "all"
    client, _ = moderator
    comment = make_comment(
        status=Comment.Status.PENDING, name="Tess", email="tess@example.org"
    )

    act(client, "approve_and_trust", [comment])
    reader = Client()
    reader.post(
        reverse("comments:post", args=[comment.article.pk]),
        comment_form_data(
            comment.article,
            name="Tess",
            email="tess@example.org",
            body="Straight through",
        ),
    )

    assert TrustedCommenter.objects.filter(
        name="Tess", email="tess@example.org"
    ).exists()
    assert (
        Comment.objects.get(body="Straight through").status == Comment.Status.APPROVED
    )


def test_spam_and_block_blocks_the_email_and_ip_for_30_days(moderator):
    client, user = moderator
    comment = make_comment(email="bot@spam.example", ip_address="198.51.100.66")

    act(client, "spam_and_block", [comment])

    blocks = Block.objects.order_by("kind")
    assert [(b.kind, b.value, b.created_by) for b in blocks] == [
        ("email", "bot@spam.example", user),
        ("ip", "198.51.100.66", user),
    ]
    for block in blocks:
        assert (
            timedelta(days=29, hours=23)
            < block.expires_at - timezone.now()
            <= (timedelta(days=30))
        )
    assert not BlockedTerm.objects.exists()  # blocked terms are for words and phrases
    reader = Client(REMOTE_ADDR="198.51.100.66")
    reader.post(
        reverse("comments:post", args=[comment.article.pk]),
        comment_form_data(
            comment.article, email="fresh@example.org", body="From the same IP"
        ),
    )
    assert Comment.objects.get(body="From the same IP").status == Comment.Status.SPAM


def test_change_view_shows_whole_comment_parent_and_site_link(moderator):
    client, _ = moderator
    parent = make_comment(body="The parent text")
    reply = make_comment(
        article=parent.article, parent=parent, body="The reply text " * 20
    )

    response = client.get(reverse("admin:comments_comment_change", args=[reply.pk]))

    assertContains(response, ("The reply text " * 20).strip())
    assertContains(response, "The parent text")
    assertContains(response, reverse("comments:permalink", args=[reply.pk]))


def test_status_change_in_the_form_is_recorded(moderator):
    client, user = moderator
    comment = make_comment(status=Comment.Status.PENDING)

    client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": "approved"},
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED and comment.moderated_by == user


def test_moderators_cannot_delete_or_touch_articles(moderator):
    client, _ = moderator
    comment = make_comment()

    assert (
        client.get(
            reverse("admin:comments_comment_delete", args=[comment.pk])
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_editors_cannot_see_or_moderate_comments():
    # Commenters' emails and IPs are for moderators only; editors get counts, not the list.
    client, _ = staff_client("Editors")
    comment = make_comment(status=Comment.Status.PENDING, email="private@example.org")

    listing = client.get(reverse(CHANGELIST))
    act(client, "approve", [comment])
    client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": "approved"},
    )
    articles = client.get(reverse("admin:articles_article_changelist"))

    assert listing.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assertNotContains(articles, reverse(CHANGELIST))
    assertNotContains(articles, "private@example.org")


def test_admin_index_shows_how_many_comments_wait(moderator):
    client, _ = moderator
    make_comment(status=Comment.Status.PENDING)
    make_comment(status=Comment.Status.PENDING)
    make_comment()

    response = client.get(reverse("admin:index"))

    assertContains(response, "2 waiting · oldest under a minute · 0 reports open")
    assertContains(response, reverse("admin:comments_comment_queue"))


def test_article_admin_shows_comment_counts_linked_to_the_comments(admin_client):
    article = make_article(headline="Counted story")
    make_comment(article=article)
    make_comment(article=article, status=Comment.Status.PENDING)

    response = admin_client.get(reverse("admin:articles_article_changelist"))

    assertContains(response, f"?article__id__exact={article.pk}")
    assertContains(response, "1 (+1 waiting)")


def test_hostile_comment_is_escaped_in_the_admin(admin_client):
    comment = make_comment(
        body="<script>alert(1)</script>",
        name="<b>bold</b>",
        url='https://x.example/"onmouseover=alert(1)',
    )

    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    change = admin_client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()

    for page in (html, change):
        assert "<script>alert(1)</script>" not in page
        assert "<b>bold</b>" not in page


def test_moderator_adds_a_blocked_term_signed_with_their_name(moderator):
    client, user = moderator

    response = client.post(
        reverse("admin:comments_blockedterm_add"),
        {"term": "miracle cure", "note": "pill spam"},
    )

    assert response.status_code == 302
    assert BlockedTerm.objects.get(term="miracle cure").created_by == user
