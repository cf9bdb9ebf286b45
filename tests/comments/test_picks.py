"""Editor's picks: moderators mark them in the admin; the thread shows them first, labelled."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments import services
from comments.models import Comment
from tests.factories import make_article, make_comment, make_moderator

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"
BLOCK = "Editor’s picks</h3>"
LABEL = '<span class="comment__pick">Editor’s pick</span>'


@pytest.fixture
def moderator_client():
    client = Client()
    client.force_login(make_moderator())
    return client


@pytest.fixture
def picked_calls(monkeypatch):
    """The comment ids handed to the pick-email hook (comments.notices.comment_picked)."""
    calls = []
    monkeypatch.setattr("comments.notices.comment_picked", calls.append)
    return calls


def discussion(response) -> str:
    """The page's discussion section (the head's structured data quotes comments too)."""
    html = response.content.decode()
    return html[html.index('<section id="comments"') :]


def act(client, action, comments):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def pick(*comments):
    services.comments_pick(
        Comment.objects.filter(pk__in=[c.pk for c in comments]), moderator=None
    )


def test_a_moderator_marks_a_pick_in_the_admin_and_its_author_may_be_told(
    moderator_client, picked_calls, django_capture_on_commit_callbacks
):
    comment = make_comment()

    with django_capture_on_commit_callbacks(execute=True):
        response = act(moderator_client, "pick", [comment])

    assertContains(response, "1 comment is now an editor’s pick.")
    comment.refresh_from_db()
    assert comment.is_pick and comment.picked_at is not None
    assert picked_calls == [comment.pk]


def test_picking_a_pick_again_changes_nothing_and_sends_nothing(
    moderator_client, picked_calls, django_capture_on_commit_callbacks
):
    already, new = make_comment(), make_comment()
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "pick", [already])
    first_picked_at = Comment.objects.get(pk=already.pk).picked_at

    with django_capture_on_commit_callbacks(execute=True):
        response = act(moderator_client, "pick", [already, new])

    assertContains(response, "1 comment is now an editor’s pick.")
    assert picked_calls == [already.pk, new.pk]
    assert Comment.objects.get(pk=already.pk).picked_at == first_picked_at


def test_the_hook_runs_only_after_commit(
    picked_calls, django_capture_on_commit_callbacks
):
    comment = make_comment()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pick(comment)
        assert picked_calls == []

    assert callbacks  # queued for after the commit, not run inside the transaction


def test_removing_a_pick_in_the_admin(moderator_client, picked_calls):
    comment = make_comment()
    pick(comment)

    response = act(moderator_client, "unpick", [comment])

    assertContains(response, "1 comment is no longer an editor’s pick.")
    comment.refresh_from_db()
    assert not comment.is_pick and comment.picked_at is None


def test_only_moderators_see_the_pick_actions(moderator_client):
    from django.contrib.auth.models import Permission, User

    make_comment()
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    reader = Client()
    reader.force_login(viewer)

    for_moderator = moderator_client.get(reverse(CHANGELIST))
    for_viewer = reader.get(reverse(CHANGELIST))

    assertContains(for_moderator, "Mark as editor’s pick")
    assertContains(for_moderator, "Remove editor’s pick")
    assert for_viewer.status_code == 200
    assertNotContains(for_viewer, "Mark as editor’s pick")


# --- On the page ---------------------------------------------------------------------------


def test_picks_show_first_labelled_and_linked_to_their_place(
    client, picked_calls, settings
):
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    tops = [make_comment(article=article, body=f"Top {n}.") for n in range(3)]
    reply = make_comment(article=article, parent=tops[2], body="The best reply.")
    pick(reply)

    page = discussion(client.get(article.get_absolute_url()))

    block = page.index(BLOCK)
    assert block < page.index('id="comment-') < page.index("Top 0.")
    assert (
        page.count("The best reply.") == 1
    )  # on page 1 only in the block; it lives on page 2
    assert f'href="{article.get_absolute_url()}?cpage=2#comment-{reply.pk}"' in page
    assert "See it in the thread" in page
    second = discussion(client.get(article.get_absolute_url() + "?cpage=2"))
    assert BLOCK not in second  # the block is the thread's first page's
    # In its place the comment carries the label too: a visible word, heard by screen readers.
    assert LABEL in second[second.index(f'id="comment-{reply.pk}"') :]


def test_only_approved_picks_show(client, picked_calls):
    article = make_article()
    shown = make_comment(article=article, body="Approved pick.")
    held = make_comment(
        article=article, body="Held pick.", status=Comment.Status.PENDING
    )
    pick(shown, held)

    page = discussion(client.get(article.get_absolute_url()))

    assert page.count("Approved pick.") == 2  # the block, and its place in the thread
    assert "Held pick." not in page
    assert page.count(LABEL) == 1


def test_no_picks_no_block(client):
    article = make_article()
    make_comment(article=article)

    page = client.get(article.get_absolute_url())

    assertNotContains(page, BLOCK)
    assertNotContains(page, "comment__pick")


def test_picking_and_unpicking_make_the_stored_page_fresh(
    client, moderator_client, picked_calls, django_capture_on_commit_callbacks
):
    article = make_article()
    comment = make_comment(article=article)
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "pick", [comment])
    picked = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "unpick", [comment])
    unpicked = client.get(url)

    assert picked["X-Page-Cache"] == "miss"
    assertContains(picked, BLOCK)
    assert unpicked["X-Page-Cache"] == "miss"
    assertNotContains(unpicked, BLOCK)


def test_picking_a_held_comment_leaves_the_pages_alone(
    client, picked_calls, django_capture_on_commit_callbacks
):
    article = make_article()
    make_comment(article=article)
    held = make_comment(article=article, status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        pick(held)

    assert client.get(url)["X-Page-Cache"] == "hit"
    # Only a published comment can be picked: approving it later makes no silent pick (and
    # sends no pick email), a moderator picks it then.
    held.refresh_from_db()
    assert not held.is_pick
    assert picked_calls == []


def test_picks_cost_no_extra_query(client, picked_calls, django_assert_num_queries):
    from newsroom.pagecache import pages_changed
    from tests.pages import forget_page

    plain, with_picks = make_article(), make_article()
    for article in (plain, with_picks):
        for _ in range(6):
            make_comment(article=article, parent=make_comment(article=article))
    pick(*Comment.objects.filter(article=with_picks)[:4])
    counts = []
    for article in (plain, with_picks):
        url = article.get_absolute_url()
        client.get(url)
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            pages_changed()
        forget_page(url)
        with django_assert_num_queries(3) as captured:
            response = client.get(url)
        counts.append(len(captured.captured_queries))
        assert response.status_code == 200

    assert counts == [3, 3]


def test_a_hostile_name_in_a_pick_is_inert(client, picked_calls):
    article = make_article()
    comment = make_comment(
        article=article,
        name='"><script>alert(1)</script>',
        url='https://x.example/"onmouseover="alert(2)',
        body="<img src=x onerror=alert(3)>",
    )
    pick(comment)

    html = client.get(article.get_absolute_url()).content.decode()

    assert BLOCK in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'onmouseover="' not in html


def test_the_author_who_asked_for_emails_hears_once_when_picked(
    moderator_client, django_capture_on_commit_callbacks, mailoutbox
):
    asked = make_comment(email="ann@example.org", notify_on_publish=True)
    silent = make_comment(email="bo@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "pick", [asked, silent])
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "unpick", [asked])
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, "pick", [asked])

    assert [m.to for m in mailoutbox] == [["ann@example.org"]]
    assert "editor’s pick" in mailoutbox[0].subject


def test_picks_are_in_the_comments_history(
    moderator_client, picked_calls, django_capture_on_commit_callbacks
):
    from django.contrib.admin.models import LogEntry

    comment = make_comment()

    act(moderator_client, "pick", [comment])
    act(moderator_client, "pick", [comment])  # already a pick: nothing new to log
    act(moderator_client, "unpick", [comment])

    assert list(
        LogEntry.objects.filter(object_id=str(comment.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    ) == ["Made an editor’s pick.", "No longer an editor’s pick."]
