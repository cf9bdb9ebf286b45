"""Around the moderation queue: the audit log, blocks in the admin, the staff preview of a held
comment, a comment's page and the comments list."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments import services
from comments.audit import decisions_log
from comments.groups import MODERATORS_GROUP
from comments.models import Block, Comment
from tests.factories import make_article, make_comment, make_moderator

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


@pytest.fixture
def moderator():
    return make_moderator()


@pytest.fixture
def desk(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def act(client, action, comments, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in comments], **extra},
        follow=True,
    )


def log_of(comment):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            object_id=str(comment.pk),
        ).order_by("pk")
    )


# --- The admin log --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("approve", "Approved."),
        ("mark_spam", "Marked as spam."),
        ("remove", "Removed."),
        ("approve_and_trust", "Approved; its author is trusted."),
        ("spam_and_block", "Marked as spam; blocked for 30 days"),
    ],
)
def test_each_decision_from_the_list_is_logged_once_with_who_and_when(
    desk, moderator, action, message
):
    comments = [
        make_comment(status=Comment.Status.PENDING, ip_address="192.0.2.1")
        for _ in range(2)
    ]
    before = timezone.now()

    act(desk, action, comments)

    for comment in comments:
        [entry] = log_of(comment)  # exactly one: the admin action adds none of its own
        assert entry.user == moderator
        assert entry.action_flag == CHANGE
        assert before <= entry.action_time <= timezone.now()
        assert entry.get_change_message().startswith(message)


def test_a_comments_history_page_shows_the_decision(desk, moderator):
    comment = make_comment(status=Comment.Status.PENDING)
    act(desk, "approve", [comment])

    history = desk.get(reverse("admin:comments_comment_history", args=[comment.pk]))

    assertContains(history, "Approved.")
    assertContains(history, moderator.username)


def test_a_status_change_in_the_change_form_is_logged_once(desk, moderator):
    comment = make_comment(status=Comment.Status.PENDING)

    desk.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": "spam"},
    )

    comment.refresh_from_db()
    assert comment.status == "spam"
    assert [e.get_change_message() for e in log_of(comment)] == ["Marked as spam."]


def test_services_log_for_any_caller_such_as_the_queue(moderator):
    comments = [make_comment(status=Comment.Status.PENDING) for _ in range(3)]

    services.comments_moderate(
        Comment.objects.pending(), status=Comment.Status.APPROVED, moderator=moderator
    )

    assert [len(log_of(c)) for c in comments] == [1, 1, 1]


def test_decisions_log_writes_all_entries_in_one_query(
    moderator, django_assert_num_queries
):
    comments = [make_comment() for _ in range(5)]
    ContentType.objects.get_for_model(Comment)  # cached, as in any running site

    with django_assert_num_queries(1):
        decisions_log(comments=comments, moderator=moderator, message="Picked.")

    assert LogEntry.objects.filter(change_message="Picked.").count() == 5


def test_nothing_is_logged_without_a_moderator():
    comment = make_comment(status=Comment.Status.PENDING)

    services.comments_moderate(
        Comment.objects.filter(pk=comment.pk), status="approved", moderator=None
    )

    assert log_of(comment) == []


# --- Blocking from the comments list -------------------------------------------------------


def test_block_the_commenter_asks_first_showing_what_would_be_blocked(desk):
    comment = make_comment(
        email="troll@bad.example", url="https://bad.example", ip_address="192.0.2.8"
    )

    page = act(desk, "block_commenters", [comment])

    assert page.status_code == 200
    assertContains(page, "Block the author of this comment")
    assertContains(page, "troll@bad.example")
    assertContains(page, "192.0.2.8")
    assertContains(page, "bad.example")
    assert not Block.objects.exists()


def test_block_the_commenter_without_a_reason_is_sent_back_with_a_message(desk):
    comment = make_comment()

    page = act(
        desk,
        "block_commenters",
        [comment],
        apply="Block",
        kinds=["email"],
        duration="7d",
    )

    assert page.status_code == 400
    assertContains(page, "Say why, for the other moderators.", status_code=400)
    assert not Block.objects.exists()


def test_block_the_commenter_blocks_logs_and_hides(desk, moderator):
    comment = make_comment(email="troll@bad.example", ip_address="192.0.2.8")
    earlier = make_comment(email="troll@bad.example", body="Earlier jab")

    page = act(
        desk,
        "block_commenters",
        [comment],
        apply="Block",
        kinds=["email", "ip"],
        duration="forever",
        reason="Harassment",
        hide_earlier="on",
    )

    assertContains(
        page,
        "Blocked for good: Email address: troll@bad.example, IP address: 192.0.2.8.",
    )
    assertContains(page, "2 earlier comments removed.")
    assert {
        (b.kind, b.value, b.expires_at, b.created_by) for b in Block.objects.all()
    } == {
        ("email", "troll@bad.example", None, moderator),
        ("ip", "192.0.2.8", None, moderator),
    }
    earlier.refresh_from_db()
    assert earlier.status == "removed"
    messages = [e.get_change_message() for e in log_of(comment)]
    assert messages == [
        "Removed: its author was blocked.",
        "Blocked its author for good: Email address: troll@bad.example, IP address: 192.0.2.8 (Harassment).",
    ]
    block_log = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Block)
    )
    assert {(e.action_flag, e.user_id) for e in block_log} == {(ADDITION, moderator.pk)}


def test_an_editor_can_reach_neither_blocks_nor_the_block_action():
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    comment = make_comment()

    action = act(client, "block_commenters", [comment], apply="Block", kinds=["ip"], duration="7d", reason="x")  # fmt: skip
    blocks = client.get(reverse("admin:comments_block_changelist"))

    assert action.status_code == 403
    assert blocks.status_code == 403
    assert not Block.objects.exists()


def test_a_moderator_without_the_block_permission_does_not_get_the_block_actions():
    user = User.objects.create_user("limited", password="pw", is_staff=True)
    group = Group.objects.get(name=MODERATORS_GROUP)
    user.user_permissions.add(*group.permissions.exclude(codename="add_block"))
    client = Client()
    client.force_login(user)
    comment = make_comment()

    listing = client.get(reverse(CHANGELIST))
    act(client, "block_commenters", [comment], apply="Block", kinds=["email"], duration="7d", reason="x")  # fmt: skip

    assertContains(listing, 'value="approve"')
    assertNotContains(listing, 'value="block_commenters"')
    assertNotContains(listing, 'value="spam_and_block"')
    assert not Block.objects.exists()


# --- The Blocks page ------------------------------------------------------------------------


def test_the_blocks_list_shows_who_why_until_when_and_whether_in_force(desk, moderator):
    Block.objects.create(
        kind="email", value="a@x.example", reason="Spam run", created_by=moderator
    )
    Block.objects.create(
        kind="ip",
        value="192.0.2.3",
        reason="Flood",
        expires_at=timezone.now() - timedelta(hours=1),
    )

    page = desk.get(reverse("admin:comments_block_changelist"))
    in_force = desk.get(reverse("admin:comments_block_changelist") + "?active=yes")

    assertContains(page, "a@x.example")
    assertContains(page, "Spam run")
    assertContains(page, moderator.username)
    assertContains(page, 'alt="True"')
    assertContains(page, 'alt="False"')
    assert [b.value for b in in_force.context["cl"].result_list] == ["a@x.example"]


def test_adding_a_block_by_hand_signs_it_and_sets_the_expiry(desk, moderator):
    desk.post(
        reverse("admin:comments_block_add"),
        {
            "kind": "domain",
            "value": "WWW.Spam.Example",
            "duration": "30d",
            "reason": "Link farm",
        },
    )

    block = Block.objects.get()
    assert (block.value, block.created_by, block.reason) == (
        "spam.example",
        moderator,
        "Link farm",
    )
    assert timedelta(days=29) < block.expires_at - timezone.now() <= timedelta(days=30)


def test_ending_a_block_now_keeps_it_listed_and_logs_it(desk, moderator):
    block = Block.objects.create(kind="ip", value="192.0.2.3")

    desk.post(
        reverse("admin:comments_block_changelist"),
        {"action": "end_now", "_selected_action": [block.pk]},
    )

    block.refresh_from_db()
    assert block.is_active is False
    assert LogEntry.objects.get(object_id=str(block.pk)).user == moderator


# --- View on site and the staff preview ----------------------------------------------------


def test_view_on_site_is_the_preview_for_a_held_comment_and_the_comment_when_approved(
    desk,
):
    held = make_comment(status=Comment.Status.PENDING)
    shown = make_comment()

    held_page = desk.get(reverse("admin:comments_comment_change", args=[held.pk]))
    shown_page = desk.get(reverse("admin:comments_comment_change", args=[shown.pk]))

    assertContains(
        held_page, reverse("comments:preview", args=[held.pk]) + f"#comment-{held.pk}"
    )
    assertContains(shown_page, reverse("comments:permalink", args=[shown.pk]))
    assert desk.get(reverse("comments:permalink", args=[shown.pk])).status_code == 302


def test_the_preview_shows_the_held_comment_in_its_thread_marked_for_staff_only(desk):
    article = make_article()
    parent = make_comment(article=article, name="Ann", body="The first word.")
    held = make_comment(
        article=article,
        parent=parent,
        status=Comment.Status.PENDING,
        body="A <b>held</b> reply",
    )
    make_comment(article=article, body="A later comment.")

    page = desk.get(reverse("comments:preview", args=[held.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    html = html[
        html.index('<ol class="comment-list">') :
    ]  # the thread, not the head's data
    assert "Held — only staff see this" in html
    assert "&lt;b&gt;held&lt;/b&gt;" in html  # escaped like any comment
    # In its place: inside the parent's replies, before the later top-level comment.
    assert (
        html.index("The first word.")
        < html.index("held&lt;/b&gt; reply")
        < html.index("A later comment.")
    )
    assert f'id="comment-{held.pk}" class="comment comment--held depth-2"' in html
    assert "no-cache" in page["Cache-Control"] or "private" in page["Cache-Control"]
    assertContains(page, "2 Comments")  # the readers' count: the held one is not in it


def test_the_preview_is_never_shared_with_readers(desk, client):
    held = make_comment(status=Comment.Status.PENDING, body="Secret held words")

    desk.get(reverse("comments:preview", args=[held.pk]))
    reader_page = client.get(held.article.get_absolute_url())

    assertNotContains(reader_page, "Secret held words")
    assertNotContains(reader_page, "only staff see this")


def test_the_preview_is_404_for_readers_and_for_editors(client):
    held = make_comment(status=Comment.Status.PENDING)
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    as_editor = Client()
    as_editor.force_login(editor)

    url = reverse("comments:preview", args=[held.pk])

    assert client.get(url).status_code == 404
    assert as_editor.get(url).status_code == 404


# --- A comment's page and the list ---------------------------------------------------------


def test_a_comments_page_lists_the_commenters_other_comments_with_statuses(desk):
    comment = make_comment(email="sam@example.org", status=Comment.Status.PENDING)
    spam = make_comment(email="sam@example.org", status="spam", body="Buy now")
    approved = make_comment(email="sam@example.org", body="Good point")
    make_comment(email="someone@example.org", body="Not theirs")

    page = desk.get(reverse("admin:comments_comment_change", args=[comment.pk]))

    assertContains(page, "2 other comments from this email (1 approved, 1 spam).")
    assertContains(page, reverse("admin:comments_comment_change", args=[spam.pk]))
    assertContains(page, reverse("admin:comments_comment_change", args=[approved.pk]))
    assertContains(page, '<td class="status-spam">Spam</td>', html=True)
    assertContains(page, "?email=sam%40example.org")
    assertNotContains(page, "Not theirs")
    assertContains(page, "sam@example.org")  # the email is on the page…


def test_the_list_leaves_email_and_ip_to_the_comments_page_and_opens_stories_in_a_new_tab(
    desk,
):
    comment = make_comment(email="sam@example.org", ip_address="192.0.2.77")

    listing = desk.get(reverse(CHANGELIST))
    by_email = desk.get(reverse(CHANGELIST) + "?email=sam%40example.org")

    assert [c.name for c in by_email.context["cl"].result_list] == [comment.name]
    assert listing.context["cl"].list_display[1:] == [
        "excerpt",
        "name",
        "article_link",
        "status_and_reason",
        "created_at",
    ]
    assertNotContains(listing, "192.0.2.77")
    assertNotContains(listing, "sam@example.org")
    assertContains(
        listing,
        f'<a href="{comment.article.get_absolute_url()}" target="_blank" rel="noopener">',
    )
    assertContains(listing, "(opens in a new tab)")


def test_why_a_comment_was_held_shows_under_its_status_in_the_list(desk):
    make_comment(status=Comment.Status.PENDING, reason=Comment.Reason.TOO_MANY_LINKS)

    listing = desk.get(reverse(CHANGELIST))

    assertContains(
        listing, 'Pending<span class="why-held">Too many links</span>', html=False
    )


@pytest.mark.parametrize("extra", [0, 25])
def test_the_preview_runs_the_same_queries_however_long_the_thread(
    desk, extra, django_assert_num_queries
):
    article = make_article()
    for _ in range(2 + extra):
        make_comment(article=article)
    held = make_comment(article=article, status=Comment.Status.PENDING)
    desk.get(reverse("comments:preview", args=[held.pk]))  # warm the session and caches

    # session, user, the comment and its story, the thread, the held row, ad slots
    with django_assert_num_queries(7):
        desk.get(reverse("comments:preview", args=[held.pk]))


@pytest.mark.parametrize("others", [1, 30])
def test_a_comments_page_runs_the_same_queries_however_many_other_comments(
    desk, others, django_assert_num_queries
):
    comment = make_comment(email="busy@example.org", status=Comment.Status.PENDING)
    for _ in range(others):
        make_comment(email="busy@example.org")
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    desk.get(url)

    # The list of their comments is two queries (counts by status, the newest 20) at any size;
    # the readers' reports of the comment one more.
    with django_assert_num_queries(8):
        desk.get(url)


def test_hostile_text_in_other_comments_and_the_preview_is_shown_as_text(desk):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    comment = make_comment(
        email="h@example.org", name=hostile, status=Comment.Status.PENDING, body=hostile
    )
    make_comment(email="h@example.org", body=hostile)

    change = desk.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    preview = desk.get(reverse("comments:preview", args=[comment.pk]))

    for page in (change, preview):
        assertNotContains(page, "<script>alert(1)")
        assertNotContains(page, "<img src=x")
        assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")
