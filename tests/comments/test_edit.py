"""Issue 11, sections 2 and 3: authors edit and delete their own comment for a few minutes,
recognised by a signed cookie only, and a held comment tells its author why."""

import re
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments import moderation, personal
from comments.models import BlockedTerm, Comment
from newsroom.pagecache import pages_changed
from tests.factories import comment_form_data, make_article, make_comment
from tests.pages import forget_page
from tests.test_html_validity import java  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed (pytest-django's tests never commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def published(settings):
    """New comments are published at once (other rules still apply)."""
    settings.COMMENTS_MODERATION = "none"


def post(client, article, headers=None, **data) -> Comment:
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, **data),
        **(headers or {}),
    )
    assert response.status_code == 302
    return Comment.objects.latest("pk")


def edit(client, comment, body, **headers):
    return client.post(
        reverse("comments:edit", args=[comment.pk]), {"body": body}, **headers
    )


def delete(client, comment, **headers):
    return client.post(reverse("comments:delete", args=[comment.pk]), **headers)


def shared_thread(html: str) -> str:
    """The part of the story page every reader shares: the thread list."""
    return html[html.index('<ol class="comment-list">') : html.index("</ol>")]


def written_long_ago(comment, minutes=11):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


# --- Who sees the controls ------------------------------------------------------------------


def test_the_author_sees_edit_and_delete_and_the_shared_thread_stays_the_same(
    client, published
):
    article = make_article()
    comment = post(client, article, body="Ferry times are wrong.")
    stranger_html = Client().get(article.get_absolute_url()).content.decode()

    own_html = client.get(article.get_absolute_url()).content.decode()

    edit_url = reverse("comments:edit", args=[comment.pk])
    delete_url = reverse("comments:delete", args=[comment.pk])
    assert "Your recent comment" in own_html
    assert f'href="{edit_url}"' in own_html and f'href="{delete_url}"' in own_html
    assert edit_url not in stranger_html and delete_url not in stranger_html
    assert shared_thread(own_html) == shared_thread(stranger_html)
    assert "Ferry times are wrong." in shared_thread(stranger_html)


def test_the_posting_cookie_is_signed_httponly_and_lasts_the_edit_window(
    client, published, settings
):
    settings.COMMENTS_EDIT_WINDOW = 10
    article = make_article()

    response = client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article)
    )

    cookie = response.cookies[personal.MINE_COOKIE]
    comment = Comment.objects.get()
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 600
    assert cookie.value.startswith(f"{comment.pk}:")
    assert personal.MINE_COOKIE in settings.PAGE_CACHE_BYPASS_COOKIES


def test_a_held_comment_gets_the_controls_in_its_own_block(client):
    article = make_article()
    comment = post(client, article, body="First time here.")

    own = client.get(article.get_absolute_url())

    assert comment.status == Comment.Status.PENDING
    assertContains(own, "Your comment is awaiting moderation.")
    assertContains(own, reverse("comments:edit", args=[comment.pk]))
    assertNotContains(
        own, "Your recent comment"
    )  # only published ones are listed there


def test_no_controls_once_the_window_has_passed(client, published):
    article = make_article()
    comment = post(client, article)
    written_long_ago(comment)

    own = client.get(article.get_absolute_url())

    assertNotContains(own, reverse("comments:edit", args=[comment.pk]))


def test_the_cookie_forgets_comments_older_than_the_window(rf, settings):
    settings.COMMENTS_EDIT_WINDOW = 10
    response = HttpResponse()
    request = rf.get("/")
    personal.remember_own(request, response, 7, timezone.now())
    request.COOKIES[personal.MINE_COOKIE] = response.cookies[personal.MINE_COOKIE].value

    now = timezone.now().timestamp()
    assert personal.own_ids(request, now=now) == [7]
    assert personal.own_ids(request, now=now + 601) == []


# --- Editing ----------------------------------------------------------------------------------


def test_an_edit_inside_the_window_shows_everyone_the_new_text_marked_edited(
    client, published, committed
):
    article = make_article()
    comment = post(client, article, body="The ferry leaves at 6.04am.")
    reader = Client()
    url = article.get_absolute_url()
    reader.get(url)
    assert reader.get(url)["X-Page-Cache"] == "hit"  # a reader's cached copy

    with committed():
        response = edit(client, comment, "The ferry leaves at 6.40am.", **ORIGIN)

    comment.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert comment.body == "The ferry leaves at 6.40am."
    assert "6.40am" in comment.body_html and comment.edited_at is not None
    assert comment.status == Comment.Status.APPROVED
    page = reader.get(url)
    assert page["X-Page-Cache"] == "miss"  # the cached copy was dropped
    html = shared_thread(page.content.decode())
    assert "6.40am" in html and "6.04am" not in html
    assert '<span class="comment__edited">edited</span>' in html


def test_the_edit_form_shows_the_text_and_what_stays(client, published):
    article = make_article()
    comment = post(client, article, name="Nia", body="Tpyo here.")

    response = client.get(reverse("comments:edit", args=[comment.pk]))

    assertContains(response, "Edit your comment")
    assertContains(response, "Tpyo here.</textarea>")
    assertContains(response, "<bdi>Nia</bdi>")
    assertNotContains(response, 'name="email"')
    assert response["Cache-Control"] == "private, no-store"


def test_an_unchanged_text_is_not_marked_edited(client, published):
    article = make_article()
    comment = post(client, article, body="Same words.")

    edit(client, comment, "Same words.", **ORIGIN)

    comment.refresh_from_db()
    assert comment.edited_at is None


def test_an_edit_adding_links_is_held_again_with_its_reason(
    client, published, settings, committed
):
    settings.COMMENTS_MAX_LINKS = 2
    article = make_article()
    comment = post(client, article, body="See the timetable.")
    assert Comment.objects.get().status == Comment.Status.APPROVED

    with committed():
        response = edit(
            client,
            comment,
            "See https://a.example https://b.example https://c.example",
            **ORIGIN,
        )

    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.reason == Comment.Reason.TOO_MANY_LINKS
    assert article.comment_count == 0
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    own = client.get(article.get_absolute_url())
    assertContains(own, "Your comment is awaiting moderation.")
    assertContains(own, "Held because it has more than 2 links.")
    stranger = Client().get(article.get_absolute_url())
    assertNotContains(stranger, "c.example")


def test_an_edit_adding_a_blocked_term_goes_to_spam_silently(client, published):
    BlockedTerm.objects.create(term="cheapwatches")
    article = make_article()
    comment = post(client, article, body="Nice story.")

    response = edit(client, comment, "Buy cheapwatches now", **ORIGIN)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.reason == Comment.Reason.BLOCKED_TERM
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    own = client.get(article.get_absolute_url())
    assertNotContains(own, "cheapwatches")


def test_a_held_comment_whose_edit_passes_the_rules_is_published(
    client, settings, committed
):
    settings.COMMENTS_MAX_LINKS = 0
    article = make_article()
    make_comment(article=article, name="Pat Reader", email="pat@example.org")
    comment = post(client, article, body="Details at https://a.example")
    assert comment.reason == Comment.Reason.TOO_MANY_LINKS

    with committed():
        response = edit(client, comment, "Details on the council's site.", **ORIGIN)

    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert (
        comment.reason == Comment.Reason.TOO_MANY_LINKS
    )  # why it was held stays on record
    assert article.comment_count == 2
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assertContains(
        Client().get(article.get_absolute_url()), "Details on the council's site."
    )


def test_a_held_comment_whose_edit_is_still_held_says_the_new_reason(client, settings):
    settings.COMMENTS_MAX_LINKS = 0
    article = make_article()
    comment = post(client, article, body="Details at https://a.example")

    edit(client, comment, "Details on the council's site.", **ORIGIN)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.reason == Comment.Reason.FIRST_TIME
    own = client.get(article.get_absolute_url())
    assertContains(own, "Held because it is your first comment here.")
    assertNotContains(own, "Held because it contains a link.")


def test_a_comment_a_moderator_held_stays_held_through_an_edit(client, published):
    from comments.services import comments_moderate

    article = make_article()
    comment = post(client, article, body="Published, then held by a moderator.")
    comments_moderate(
        Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.PENDING,
        moderator=None,
    )

    edit(client, comment, "Published, then held, then edited.", **ORIGIN)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.body == "Published, then held, then edited."


def test_a_comment_held_as_too_fast_keeps_that_reason_through_an_edit(client):
    article = make_article()
    comment = post(client, article, age_seconds=0, body="Quick!")
    assert comment.reason == Comment.Reason.TOO_FAST

    edit(client, comment, "Quick, but edited.", **ORIGIN)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.reason == Comment.Reason.TOO_FAST
    assert comment.body == "Quick, but edited."


def test_an_empty_edit_is_400_with_the_message_by_the_field(client, published):
    article = make_article()
    comment = post(client, article, body="Keep me.")

    response = edit(client, comment, "   ", **ORIGIN)

    assert response.status_code == 400
    assertContains(response, 'id="id_body_error"', status_code=400)
    assertContains(response, "Please write a comment.", status_code=400)
    assertContains(response, "<title>Error:", status_code=400)
    comment.refresh_from_db()
    assert comment.body == "Keep me."


def test_a_too_long_edit_is_refused_whole_with_its_length(client, published):
    article = make_article()
    comment = post(client, article)
    long_text = "a" * 5001

    response = edit(client, comment, long_text, **ORIGIN)

    assert response.status_code == 400
    assertContains(
        response,
        "Your comment is 5,001 characters; the limit is 5,000.",
        status_code=400,
    )
    assertContains(response, f"\n{long_text}</textarea>", status_code=400)
    textarea = re.search(r"<textarea[^>]*>", response.content.decode()).group(0)
    assert "maxlength" not in textarea  # the browser would cut a paste short unseen


# --- Refusals: 403 with a clear page -----------------------------------------------------------


def test_after_the_window_editing_and_deleting_are_refused(client, published):
    article = make_article()
    comment = post(client, article, body="Old words.")
    written_long_ago(comment)

    page = client.get(reverse("comments:edit", args=[comment.pk]))
    posted = edit(client, comment, "New words.", **ORIGIN)
    deleted = delete(client, comment, **ORIGIN)

    for response in (page, posted, deleted):
        assert response.status_code == 403
        assertContains(
            response, "can be changed for 10 minutes after posting", status_code=403
        )
    comment.refresh_from_db()
    assert comment.body == "Old words."


def test_another_browser_cannot_edit_or_delete(client, published):
    article = make_article()
    comment = post(client, article, body="Mine.")
    other = Client()

    for response in (
        other.get(reverse("comments:edit", args=[comment.pk])),
        edit(other, comment, "Yours now.", **ORIGIN),
        delete(other, comment, **ORIGIN),
    ):
        assert response.status_code == 403
        assertContains(response, "from the browser that posted it", status_code=403)
    comment.refresh_from_db()
    assert comment.body == "Mine."


@pytest.mark.parametrize(
    "forge",
    [
        lambda pk, now: f"{pk}:{now}",  # unsigned
        lambda pk, now: f"{pk}:{now}:1abcDE:forgedsignature",  # bad signature
        "other salt",
    ],
)
def test_a_forged_cookie_is_refused(client, published, forge):
    article = make_article()
    victim = post(Client(), article, body="Not yours.", email="v@example.org")
    now = int(timezone.now().timestamp())
    if forge == "other salt":
        # Signed by the site, but as another cookie (the held-comments list).
        signer = HttpResponse()
        signer.set_signed_cookie(
            personal.MINE_COOKIE, f"{victim.pk}:{now}", salt=personal.HELD_SALT
        )
        value = signer.cookies[personal.MINE_COOKIE].value
    else:
        value = forge(victim.pk, now)
    client.cookies[personal.MINE_COOKIE] = value

    response = edit(client, victim, "Defaced.", **ORIGIN)

    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.body == "Not yours."


def test_the_same_name_and_email_prove_nothing(client, published):
    article = make_article()
    comment = post(Client(), article, name="Pat", email="pat@example.org")
    client.post(  # the impostor comments too, with the same details
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, name="Pat", email="pat@example.org", body="Hi"),
    )

    assert edit(client, comment, "Defaced.", **ORIGIN).status_code == 403


def test_once_a_reply_is_published_the_comment_cannot_change(client, published):
    article = make_article()
    comment = post(client, article, body="Start of a conversation.")
    make_comment(article=article, parent=comment, status=Comment.Status.PENDING)

    assert edit(client, comment, "Still mine.", **ORIGIN).status_code == 302

    make_comment(article=article, parent=comment)
    response = edit(client, comment, "Changed under the reply.", **ORIGIN)

    assert response.status_code == 403
    assertContains(response, "Someone has replied to this comment", status_code=403)
    own = client.get(article.get_absolute_url())
    assertNotContains(own, reverse("comments:edit", args=[comment.pk]))


def test_a_closed_discussion_takes_no_edits(client, published):
    article = make_article()
    comment = post(client, article, body="Before closing.")
    article.comments_open = False
    article.save(update_fields=["comments_open"])

    response = edit(client, comment, "After closing.", **ORIGIN)

    assert response.status_code == 403
    assertContains(response, "Comments are closed.", status_code=403)


def test_a_post_from_another_site_is_refused(published):
    article = make_article()
    author = Client(enforce_csrf_checks=True)
    comment = post(author, article, headers=ORIGIN)

    response = edit(author, comment, "Defaced.", HTTP_ORIGIN="https://evil.example")
    gone = delete(author, comment, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == gone.status_code == 403
    assert Comment.objects.filter(pk=comment.pk, body=comment.body).exists()


# --- Deleting ----------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_for_good(client, published, committed):
    article = make_article()
    comment = post(client, article, body="Regret this.")
    reader = Client()
    reader.get(article.get_absolute_url())

    confirm = client.get(reverse("comments:delete", args=[comment.pk]))
    assertContains(confirm, "Delete your comment?")
    assertContains(confirm, "Regret this.")
    assert Comment.objects.filter(pk=comment.pk).exists()

    with committed():
        response = delete(client, comment, **ORIGIN)

    assertContains(response, "Your comment has been deleted")
    assert not Comment.objects.filter(pk=comment.pk).exists()
    article.refresh_from_db()
    assert article.comment_count == 0
    assertNotContains(reader.get(article.get_absolute_url()), "Regret this.")
    assert response.cookies[personal.MINE_COOKIE]["max-age"] == 0  # forgotten


def test_deleting_a_held_comment(client):
    article = make_article()
    comment = post(client, article, body="Held, then withdrawn.")

    response = delete(client, comment, **ORIGIN)

    assert response.status_code == 200
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assertNotContains(client.get(article.get_absolute_url()), "Held, then withdrawn.")


# --- Query counts ------------------------------------------------------------------------------


def _warm_count(client, url, django_assert_max_num_queries):
    client.get(url)
    forget_page(url)
    with django_assert_max_num_queries(3) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_readers_without_the_cookie_pay_nothing_and_the_author_one_query(
    client, published, django_assert_max_num_queries
):
    article = make_article()
    for _ in range(5):
        make_comment(article=article)
    post(client, article, body="My own.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        pages_changed()
    url = article.get_absolute_url()

    reader_count, _ = _warm_count(Client(), url, django_assert_max_num_queries)
    author_count, own = _warm_count(client, url, django_assert_max_num_queries)

    assert reader_count == 1  # the story; thread and the rest from fragments
    assert author_count == 2  # and the thread query that finds their own comment
    assertContains(own, "Your recent comment")


# --- Why a comment is held ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (Comment.Reason.FIRST_TIME, "Held because it is your first comment here."),
        (Comment.Reason.TOO_MANY_LINKS, "Held because it has more than 2 links."),
        (Comment.Reason.LATE, "Held because this discussion is older than 7 days."),
        (
            Comment.Reason.HOLD_ALL,
            "Held: every comment here is checked by a moderator.",
        ),
        (Comment.Reason.TOO_FAST, "Held for review."),
        (Comment.Reason.REPORTED, "Held for review."),
        (Comment.Reason.BLOCKED_TERM, "Held for review."),
        (Comment.Reason.NONE, "Held for review."),
        ("something_new", "Held for review."),
    ],
)
def test_held_reasons_in_plain_words(settings, reason, words):
    settings.COMMENTS_MAX_LINKS = 2
    settings.COMMENTS_MODERATE_AFTER_DAYS = 7

    assert moderation.held_reason_text(reason) == words


def test_the_link_limit_in_the_words_follows_the_setting(settings):
    settings.COMMENTS_MAX_LINKS = 1
    assert moderation.held_reason_text(Comment.Reason.TOO_MANY_LINKS) == (
        "Held because it has more than 1 link."
    )
    settings.COMMENTS_MAX_LINKS = 0
    assert moderation.held_reason_text(Comment.Reason.TOO_MANY_LINKS) == (
        "Held because it contains a link."
    )


def test_the_author_reads_why_their_comment_is_held(client):
    article = make_article()

    post(client, article, body="My first words here.")

    assertContains(
        client.get(article.get_absolute_url()),
        "Held because it is your first comment here.",
    )


def test_a_late_story_says_how_old(client, settings):
    settings.COMMENTS_MODERATE_AFTER_DAYS = 7
    article = make_article(published_at=timezone.now() - timedelta(days=9))

    post(client, article, body="Catching up.")

    assertContains(
        client.get(article.get_absolute_url()),
        "Held because this discussion is older than 7 days.",
    )


def test_hold_all_mode_says_every_comment_is_checked(client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = make_article()

    post(client, article)

    assertContains(
        client.get(article.get_absolute_url()),
        "Held: every comment here is checked by a moderator.",
    )


def test_a_blocked_term_is_never_named_to_the_author(client, rf):
    article = make_article()
    held = make_comment(
        article=article,
        status=Comment.Status.PENDING,
        reason=Comment.Reason.BLOCKED_TERM,
        reason_detail="zqxblockedterm",
        body="Innocent looking text.",
    )
    signer = HttpResponse()
    personal.remember_held(rf.get("/"), signer, held.pk)
    client.cookies[personal.HELD_COOKIE] = signer.cookies[personal.HELD_COOKIE].value

    own = client.get(article.get_absolute_url())

    assertContains(own, "Innocent looking text.")
    assertContains(own, "Held for review.")
    assertNotContains(own, "zqxblockedterm")
    assertNotContains(own, "blocked")


def test_moderators_hear_of_a_published_comment_held_again_by_its_edit(
    client, published, mailoutbox, committed
):
    from tests.factories import make_moderator

    make_moderator()
    article = make_article()
    comment = post(client, article, body="Plain words.")
    assert mailoutbox == []

    with committed():
        edit(
            client,
            comment,
            "Now https://a.example https://b.example https://c.example",
            **ORIGIN,
        )

    assert len(mailoutbox) == 1
    assert "mod@example.org" in mailoutbox[0].to


# --- The pages are valid HTML --------------------------------------------------------------------


def test_the_edit_and_delete_pages_are_valid_html(client, java, tmp_path):  # noqa: F811
    from tests.test_html_validity import vnu_check

    article = make_article()
    first = post(client, article, body="Held, with controls.")
    make_comment(article=article, name="Owen", email="owen@example.org")
    post(client, article, name="Owen", email="owen@example.org", body="Published.")
    published = Comment.objects.latest("pk")
    assert published.status == Comment.Status.APPROVED
    pages = {
        "own-comments": client.get(article.get_absolute_url()),
        "edit": client.get(reverse("comments:edit", args=[published.pk])),
        "edit-errors": edit(client, published, "", **ORIGIN),
        "delete": client.get(reverse("comments:delete", args=[first.pk])),
        "refused": Client().get(reverse("comments:edit", args=[first.pk])),
        "deleted": delete(client, first, **ORIGIN),
    }
    result = vnu_check(java, tmp_path, pages)

    assert result.returncode == 0, result.stderr or result.stdout
    assert b"Your recent comment" in pages["own-comments"].content
    assert pages["refused"].status_code == 403


def test_a_window_of_zero_turns_editing_off(client, published, settings):
    settings.COMMENTS_EDIT_WINDOW = 0
    article = make_article()

    response = client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article)
    )
    comment = Comment.objects.get()

    assert personal.MINE_COOKIE not in response.cookies
    assert edit(client, comment, "Changed.", **ORIGIN).status_code == 403


def test_a_hold_from_an_edit_is_lifted_by_the_next_edit(client, settings):
    from comments.services import comments_moderate

    settings.COMMENTS_MAX_LINKS = 0
    article = make_article()
    comment = post(client, article, body="Plain words.")
    assert comment.status == Comment.Status.PENDING
    make_comment(article=article, name="Pat Reader", email="pat@example.org")
    comments_moderate(  # approved by a moderator before the edits
        Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.APPROVED,
        moderator=None,
    )

    edit(client, comment, "Plain words, https://a.example", **ORIGIN)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_at is not None
    edit(client, comment, "Plain words again.", **ORIGIN)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_hostile_text_stays_text_on_the_edit_and_delete_pages(client, published):
    from tests.comments.test_render import HOSTILE_BODY, HOSTILE_NAME

    article = make_article()
    comment = post(client, article, name=HOSTILE_NAME, body=HOSTILE_BODY)

    pages = [
        client.get(reverse("comments:edit", args=[comment.pk])),
        client.get(reverse("comments:delete", args=[comment.pk])),
        edit(client, comment, HOSTILE_BODY + "\n\n" + "x" * 5000, **ORIGIN),
    ]

    for response in pages:
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html
