"""The comment pipeline: the form's submission, comment_submit and its refusals, through the real view."""

import dataclasses

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from comments import services, spam
from comments.forms import CommentForm
from comments.models import Comment
from comments.services import Client, Submission
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db


def post(client, article, **data):
    return client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article, **data)
    )


@pytest.fixture
def stopped_clock(monkeypatch):
    """Rate limits count per clock minute; a test must not straddle two minutes."""
    import time

    now = time.time()
    monkeypatch.setattr("comments.spam.clock", lambda: now)


def test_the_form_hands_over_a_frozen_submission_and_sets_no_side_attributes():
    article = make_article()
    parent = make_comment(article=article)
    form = CommentForm(
        comment_form_data(
            article,
            age_seconds=90,
            parent=str(parent.pk),
            leave_empty="bot was here",
            url="https://pat.example",
        ),
        article=article,
    )

    assert form.is_valid(), form.errors
    submission = form.submission()
    nonce = spam.read_form_token(form.data["timestamp"], article.pk).nonce

    assert submission == Submission(
        body="A thoughtful comment about the story.",
        name="Pat Reader",
        email="pat@example.org",
        url="https://pat.example",
        parent=parent,
        honeypot_filled=True,
        form_age=pytest.approx(90, abs=5),
        form_nonce=nonce,
    )
    assert len(nonce) >= 12
    with pytest.raises(dataclasses.FrozenInstanceError):
        submission.body = "changed"
    for old in ("honeypot_filled", "too_fast", "parent_comment"):
        assert not hasattr(form, old)


def test_a_staff_form_has_no_reader_fields_and_submits_only_the_text(admin_user):
    article = make_article()
    form = CommentForm(
        comment_form_data(article, name="Ignored"), article=article, user=admin_user
    )

    assert form.is_valid(), form.errors
    assert set(form.fields) == {"body", "parent", "timestamp", "leave_empty"}
    assert form.submission().name == ""


def test_length_limits_come_from_the_model():
    form = CommentForm(article=make_article())

    for name in ("name", "email", "url", "body"):
        limit = Comment._meta.get_field(name).max_length
        assert form.fields[name].max_length == limit
        # The comment box has no maxlength (it would cut pasted text): the counter reads data-limit.
        attr = "data-limit" if name == "body" else "maxlength"
        assert form.fields[name].widget.attrs[attr] == str(limit)
    assert "maxlength" not in form.fields["body"].widget.attrs


def test_comment_submit_stores_the_comment_with_the_client_it_came_from(settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()

    comment = services.comment_submit(
        article=article,
        submission=Submission(body=" Hello ", name=" Pat ", email="PAT@Example.org"),
        user=None,
        client=Client(ip_address="203.0.113.9", user_agent="Browser/1.0"),
    )

    comment.refresh_from_db()
    assert (comment.name, comment.email, comment.body) == (
        "Pat",
        "pat@example.org",
        "Hello",
    )
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.9", "Browser/1.0")
    assert comment.status == Comment.Status.APPROVED


def test_a_form_sent_too_fast_is_held_by_the_pipeline_not_the_form(settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MIN_SECONDS = 3

    comment = services.comment_submit(
        article=make_article(),
        submission=Submission(
            body="Quick", name="Q", email="q@example.org", form_age=1
        ),
        client=Client(),
    )

    assert (comment.status, comment.reason) == (
        Comment.Status.PENDING,
        Comment.Reason.TOO_FAST,
    )


@pytest.mark.parametrize(
    ("refusal", "status", "message"),
    [
        (services.DiscussionClosed, 403, "Comments are closed."),
        (
            services.RateLimited,
            429,
            "You are posting comments too quickly. Slow down.",
        ),
        (
            services.DuplicateComment,
            409,
            "Duplicate comment detected; it looks as though you’ve already said that!",
        ),
        (services.InvalidComment, 400, "Your comment could not be posted."),
    ],
)
def test_each_refusal_carries_its_status_message_and_code(refusal, status, message):
    error = refusal()

    assert isinstance(error, services.CommentRefused)
    assert error.status == status
    assert error.messages == [message]
    assert error.code


def test_closed_story_refuses_with_403_and_the_text_back(client):
    article = make_article(comments_open=False)

    response = post(client, article, body="Closed but kept")

    assert response.status_code == 403
    assertContains(response, "Comments are closed.", status_code=403)
    assertContains(response, "Closed but kept", status_code=403)
    assert not Comment.objects.exists()


def test_closed_story_refuses_an_invalid_form_with_403_too(client):
    article = make_article(comments_open=False)

    response = post(client, article, name="", body="Invalid and closed")

    assert response.status_code == 403
    assertContains(response, "Invalid and closed", status_code=403)


def test_rate_limit_counts_invalid_posts_too(client, settings, stopped_clock):
    settings.COMMENTS_RATE_LIMIT = 2
    article = make_article()
    assert post(client, article, name="").status_code == 400
    assert post(client, article, email="nope").status_code == 400

    response = post(client, article, body="Third try, valid, kept")

    assert response.status_code == 429
    assertContains(
        response, "You are posting comments too quickly. Slow down.", status_code=429
    )
    assertContains(response, "Third try, valid, kept", status_code=429)
    assert not Comment.objects.exists()


def test_an_invalid_form_over_the_limit_is_429_with_its_field_errors(
    client, settings, stopped_clock
):
    settings.COMMENTS_RATE_LIMIT = 1
    article = make_article()
    post(client, article, body="one")

    response = post(client, article, name="", body="Second, no name")

    assert response.status_code == 429
    assertContains(response, "Please enter your name.", status_code=429)
    assertContains(response, "Second, no name", status_code=429)


def test_duplicate_is_409_with_the_text_back(client):
    article = make_article()
    post(client, article, body="Said once.")

    response = post(client, article, body="Said once.")

    assert response.status_code == 409
    assertContains(response, "Said once.", status_code=409)
    assertContains(response, 'id="form-errors"', status_code=409)


def test_a_model_rule_the_form_does_not_show_is_400_above_the_form(client, monkeypatch):
    monkeypatch.setattr(
        Client,
        "from_request",
        classmethod(lambda cls, request: cls(ip_address="not-an-ip")),
    )
    article = make_article()

    response = post(client, article, body="Kept despite the odd address")

    assert response.status_code == 400
    assertContains(response, 'id="form-errors"', status_code=400)
    assertContains(response, "IP", status_code=400)
    assertContains(response, "Kept despite the odd address", status_code=400)
    assert not Comment.objects.exists()


def test_the_form_is_rendered_from_its_fields_with_accessible_markup(client):
    article = make_article()

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assertContains(response, "Required fields are marked")
    assertContains(
        response,
        '<span class="field-help" id="id_email_helptext">Your email address will not be published.</span>',
    )
    assert 'aria-describedby="id_email_helptext"' in html
    assert 'autocomplete="name" maxlength="100" required' in html
    assert (
        'rows="7" data-limit="5000" required aria-describedby="id_body_helptext" id="id_body"'
        in html
    )
    assert '<div hidden>\n  <label for="id_leave_empty">' in html
    assert 'id="id_parent"' in html
    assert html.count('<span class="required" aria-hidden="true">*</span>') == 3


def test_an_invalid_field_names_its_error_first_then_its_help(client):
    article = make_article()

    response = post(client, article, email="not-an-email")

    assertContains(
        response,
        'aria-invalid="true" aria-describedby="id_email_error id_email_helptext"',
        status_code=400,
    )
    assertContains(
        response,
        '<span class="field-error" id="id_email_error">Enter an email address like name@example.org.</span>',
        status_code=400,
    )


def test_the_honeypot_never_echoes_what_a_bot_typed(client):
    article = make_article()

    response = post(client, article, name="", leave_empty="bot-signature-123")

    assert response.status_code == 400
    assert "bot-signature-123" not in response.content.decode()


def test_staff_see_the_signed_in_note_and_no_name_or_email(admin_client):
    article = make_article()

    response = admin_client.get(article.get_absolute_url())

    assertContains(response, "Signed in as")
    assert 'name="name"' not in response.content.decode()
    assert 'name="email"' not in response.content.decode()
    assertContains(response, 'id="id_body"')
