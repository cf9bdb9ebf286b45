"""Issue 11 §1: a refused post is impossible to miss, and nothing the reader wrote is lost."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, StandingPage
from articles.services import standing_page_save
from comments.models import Comment
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db

LIMIT = Comment._meta.get_field("body").max_length


def post(client, article, **data):
    return client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article, **data)
    )


def title_of(response) -> str:
    return unescape(
        re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
    )


def summary_of(response) -> str:
    """The error summary's HTML (fails the test when there is none)."""
    html = response.content.decode()
    match = re.search(r'<div class="[^"]*error-summary[^"]*".*?</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def textarea_value(response, field_id="id_body") -> str:
    html = response.content.decode()
    match = re.search(
        rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert match, f"no textarea #{field_id}"
    # Django writes one newline after the opening tag; the browser drops it.
    return unescape(match.group(1).removeprefix("\n"))


@pytest.fixture
def stopped_clock(monkeypatch):
    """Rate limits count per clock minute; a test must not straddle two minutes."""
    import time

    now = time.time()
    monkeypatch.setattr("comments.spam.clock", lambda: now)


def _invalid(client, article, settings):
    return post(client, article, name="", body="Words kept after a 400.")


def _closed(client, article, settings):
    # The page was open when the reader loaded it; the story closed before they posted.
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    article.refresh_from_db()
    return post(client, article, body="Words kept after a 403.")


def _duplicate(client, article, settings):
    post(client, article, body="Words kept after a 409.")
    return post(client, article, body="Words kept after a 409.")


def _rate_limited(client, article, settings):
    settings.COMMENTS_RATE_LIMIT = 1
    post(client, article, body="The first one.")
    return post(client, article, body="Words kept after a 429.")


@pytest.fixture
def policy_pages():
    """The comment guidelines and the privacy notice, written by an editor."""
    for slug, title in [
        ("comment-guidelines", "Comment guidelines"),
        ("privacy", "Privacy notice"),
    ]:
        standing_page_save(page=StandingPage(slug=slug, title=title, body="Text."))


@pytest.mark.parametrize(
    ("refuse", "status", "message"),
    [
        (_invalid, 400, "Please enter your name."),
        (_closed, 403, "Comments are closed."),
        (_duplicate, 409, "Duplicate comment detected"),
        (_rate_limited, 429, "You are posting comments too quickly. Slow down."),
    ],
    ids=["invalid-400", "closed-403", "duplicate-409", "rate-limited-429"],
)
def test_every_refusal_opens_at_the_form_with_a_focusable_summary_and_keeps_the_text(
    client, settings, stopped_clock, refuse, status, message
):
    article = make_article(headline="Harbour wall repairs")

    response = refuse(client, article, settings)

    assert response.status_code == status
    assert title_of(response).startswith("Error: Harbour wall repairs")
    summary = summary_of(response)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'id="form-errors"' in summary
    assert "There is a problem" in summary
    assert message in unescape(summary)
    html = response.content.decode()
    # The summary sits at the top of what the page sends back at #respond.
    assert html.index('id="respond"') < html.index('id="form-errors"')
    if status == 403:
        # No form on a closed story: the text comes back in a read-only box to copy.
        assert f"Words kept after a {status}." in textarea_value(
            response, "unsent-body"
        )
        assert 'href="#id_' not in summary
    else:
        assert f'action="{reverse("comments:post", args=[article.pk])}#respond"' in html
        assert textarea_value(response) == f"Words kept after a {status}."


def test_the_summary_links_each_field_error_to_its_field_after_the_refusal_itself(
    client, settings, stopped_clock
):
    settings.COMMENTS_RATE_LIMIT = 1
    article = make_article()
    post(client, article, body="The first one.")

    response = post(client, article, name="", email="not-an-email", body="")

    assert response.status_code == 429
    items = re.findall(r"<li>(.*?)</li>", summary_of(response), re.S)
    assert [unescape(item) for item in items] == [
        "You are posting comments too quickly. Slow down.",
        '<a href="#id_body">Please write a comment.</a>',
        '<a href="#id_name">Please enter your name.</a>',
        '<a href="#id_email">Enter an email address like name@example.org.</a>',
    ]
    for field_id in ("id_body", "id_name", "id_email"):
        assert f'id="{field_id}"' in response.content.decode()


def test_an_expired_form_and_a_bad_parent_are_in_the_summary_too(client):
    article = make_article()

    expired = post(client, article, age_seconds=3 * 86400, body="Slow writer")
    orphan = post(client, article, parent="999999", body="Orphan")

    assert "This form has expired" in summary_of(expired)
    assert "You can only reply to a published comment" in summary_of(orphan)


def test_the_story_page_itself_has_no_summary_and_no_error_title(client):
    article = make_article(headline="Harbour wall repairs")

    response = client.get(article.get_absolute_url())

    assert title_of(response).startswith("Harbour wall repairs")
    assertNotContains(response, "There is a problem")
    assertNotContains(response, 'role="alert"')
    # The form posts to #respond, so whatever comes back opens at the form.
    assertContains(
        response, f'action="{reverse("comments:post", args=[article.pk])}#respond"'
    )


def test_a_comment_over_the_limit_is_refused_with_its_length_and_kept_whole(client):
    article = make_article()
    # Accents, an emoji and line breaks: counted as characters, the way the reader sees them.
    text = ("Café ☕ — a long, considered answer.\n\n" * 200)[:5321]
    assert len(text) == 5321

    response = post(client, article, body=text)

    assert response.status_code == 400
    message = f"Your comment is 5,321 characters; the limit is {LIMIT:,}."
    assert message == "Your comment is 5,321 characters; the limit is 5,000."
    assertContains(response, f'<a href="#id_body">{message}</a>', status_code=400)
    assertContains(
        response,
        f'<span class="field-error" id="id_body_error">{message}</span>',
        status_code=400,
    )
    assert textarea_value(response) == text
    assert not Comment.objects.exists()


def test_the_comment_box_never_cuts_text_and_says_its_limit(client):
    article = make_article()

    response = client.get(article.get_absolute_url())

    box = re.search(r'<textarea[^>]*id="id_body"[^>]*>', response.content.decode())
    assert "maxlength" not in box.group(0)
    assert 'data-limit="5000"' in box.group(0)
    assertContains(
        response,
        '<span class="field-help" id="id_body_helptext">Up to 5,000 characters.</span>',
    )


def test_a_comment_at_the_limit_is_taken_counting_characters_not_bytes(
    client, settings
):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()

    response = post(client, article, body="☕" * LIMIT)

    assert response.status_code == 302
    assert Comment.objects.get().body == "☕" * LIMIT


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        (
            "first_time",
            "Comments are moderated. Your first comment appears once a moderator approves it.",
        ),
        (
            "all",
            "Comments are moderated. Every comment appears once a moderator approves it.",
        ),
        (
            "none",
            "Comments appear as soon as they are posted; one with more than 2 links waits for a moderator first.",
        ),
    ],
)
def test_the_form_says_before_posting_how_comments_are_moderated(
    client, settings, mode, note, policy_pages
):
    settings.COMMENTS_MODERATION = mode
    article = make_article()

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert note in html
    # Before the fields, so it is read before anything is typed.
    assert html.index(note) < html.index('id="id_body"')
    assertContains(
        response,
        f'<a href="{reverse("articles:page", args=["comment-guidelines"])}">comment guidelines</a>',
    )
    assertContains(
        response,
        f'<a href="{reverse("articles:page", args=["privacy"])}">privacy notice</a>',
    )


def test_an_old_story_says_every_comment_waits_whatever_the_mode(client, settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MODERATE_AFTER_DAYS = 7
    article = make_article(published_at=timezone.now() - timedelta(days=8))

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        "Comments are moderated. On a story this old, every comment appears once a moderator approves it.",
    )
    assertNotContains(response, "as soon as they are posted")


def test_the_note_keeps_its_links_after_a_refused_post(client, policy_pages):
    article = make_article()

    response = post(client, article, name="")

    assertContains(response, "Your first comment appears once", status_code=400)
    assertContains(
        response,
        reverse("articles:page", args=["comment-guidelines"]),
        status_code=400,
    )


def test_the_note_links_only_the_pages_an_editor_has_written(
    client, django_capture_on_commit_callbacks
):
    article = make_article()
    guidelines = reverse("articles:page", args=["comment-guidelines"])
    privacy = reverse("articles:page", args=["privacy"])

    unwritten = client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):  # as the admin saves it
        standing_page_save(
            page=StandingPage(
                slug="privacy", title="Privacy notice", body="What we keep."
            )
        )
    privacy_only = client.get(article.get_absolute_url())

    # A fresh site links no page that would answer 404.
    assertNotContains(unwritten, guidelines)
    assertNotContains(unwritten, privacy)
    assertContains(unwritten, "Your first comment appears once")
    assertContains(privacy_only, f'See the <a href="{privacy}">privacy notice</a>.')
    assertNotContains(privacy_only, guidelines)


@pytest.fixture
def deep_thread(settings):
    """Ann ← Ben ← Cat: Cat's comment is as deep as replies go (COMMENTS_MAX_DEPTH = 3)."""
    settings.COMMENTS_MAX_DEPTH = 3
    article = make_article()
    ann = make_comment(article=article, name="Ann")
    ben = make_comment(article=article, name="Ben", parent=ann)
    cat = make_comment(article=article, name="Cat", parent=ben)
    return article, ann, ben, cat


VIA = (
    '<span class="respond__via">Replies go 3 levels deep, so your reply to '
    "<bdi>Cat</bdi> joins <bdi>Ben</bdi>’s thread.</span>"
)


def test_replying_at_the_maximum_depth_names_the_thread_the_reply_joins(
    client, deep_thread
):
    article, _, ben, cat = deep_thread

    response = client.get(f"{article.get_absolute_url()}?replytocom={cat.pk}")

    assertContains(response, 'Leave a Reply to <bdi class="respond__to">Ben</bdi>')
    assertContains(response, VIA)
    # The form still names the comment the reader chose; the pipeline moves the reply up.
    assertContains(response, f'name="parent" value="{cat.pk}"')


def test_replying_above_the_maximum_depth_says_nothing_extra(client, deep_thread):
    article, _, ben, _ = deep_thread

    response = client.get(f"{article.get_absolute_url()}?replytocom={ben.pk}")

    assertContains(response, 'Leave a Reply to <bdi class="respond__to">Ben</bdi>')
    assertNotContains(response, "respond__via")


def test_a_refused_reply_at_the_maximum_depth_keeps_the_same_heading(
    client, deep_thread
):
    article, _, _, cat = deep_thread

    response = post(client, article, parent=str(cat.pk), name="", body="Me too")

    assert response.status_code == 400
    assertContains(
        response,
        'Leave a Reply to <bdi class="respond__to">Ben</bdi>',
        status_code=400,
    )
    assertContains(response, VIA, status_code=400)


def test_a_held_reply_at_the_maximum_depth_says_the_same_after_posting(
    client, deep_thread
):
    article, _, ben, cat = deep_thread

    response = post(client, article, parent=str(cat.pk), body="Late to this thread")

    reply = Comment.objects.get(body="Late to this thread")
    assert (reply.status, reply.parent, reply.depth) == (
        Comment.Status.PENDING,
        ben,
        3,
    )
    page = client.get(response["Location"])
    held = re.search(
        rf'<li id="comment-{reply.pk}".*?</li>', page.content.decode(), re.S
    ).group(0)
    assert (
        f'In reply to <a href="{article.get_absolute_url()}#comment-{ben.pk}"><bdi>Ben</bdi></a>'
        in held
    )


def test_an_approved_reply_at_the_maximum_depth_shows_in_the_thread_it_joined(
    client, settings, deep_thread
):
    settings.COMMENTS_MODERATION = "none"
    article, _, ben, cat = deep_thread

    response = post(client, article, parent=str(cat.pk), body="Joining in")

    reply = Comment.objects.get(body="Joining in")
    assert reply.parent == ben
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    html = Client().get(article.get_absolute_url()).content.decode()
    # Under Ben, after Cat: in Ben's list of replies, at Cat's level.
    ben_at = html.index(f'id="comment-{ben.pk}"')
    cat_at = html.index(f'id="comment-{cat.pk}"')
    assert ben_at < cat_at < html.index(f'id="comment-{reply.pk}"')
    assert f'<li id="comment-{reply.pk}" class="comment depth-3">' in html


def test_the_reply_heading_at_the_maximum_depth_costs_no_extra_query(
    client, deep_thread
):
    article, _, ben, cat = deep_thread
    url = article.get_absolute_url()
    client.get(url)  # warm the fragments both requests share

    with CaptureQueriesContext(connection) as shallow:
        client.get(f"{url}?replytocom={ben.pk}")
    with CaptureQueriesContext(connection) as deep:
        client.get(f"{url}?replytocom={cat.pk}")

    assert len(deep) == len(shallow)


def test_the_two_opt_ins_render_after_the_website_and_before_save_my_details(client):
    article = make_article()

    html = client.get(article.get_absolute_url()).content.decode()

    order = [
        html.index('id="id_url"'),
        html.index('<input type="checkbox" name="notify_on_publish"'),
        html.index('<input type="checkbox" name="notify_replies"'),
        html.index('<input type="checkbox" name="remember"'),
    ]
    assert order == sorted(order)
    assert (
        '<label for="id_notify_on_publish">Email me when my comment is published.'
        in html
    )
    assert '<label for="id_notify_replies">Email me when someone replies.' in html
    assert "checked" not in html[order[1] : order[3]]


def test_ticked_opt_ins_stay_ticked_on_a_refused_post(client):
    article = make_article()

    response = post(client, article, name="", notify_on_publish="on")

    html = response.content.decode()
    assert re.search(r'name="notify_on_publish"[^>]*checked', html)
    assert not re.search(r'name="notify_replies"[^>]*checked', html)
