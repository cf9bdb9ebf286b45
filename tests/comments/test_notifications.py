import logging

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.factories import (
    comment_form_data,
    make_article,
    make_comment,
    make_moderator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_with_email():
    return make_moderator()


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post a comment and run what waits for the commit, as a real request would."""

    def send(client, article, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("comments:post", args=[article.pk]),
                comment_form_data(article, **data),
            )

    return send


def test_held_comment_emails_moderators_with_an_admin_link(
    client, post, mailoutbox, moderator_with_email, settings
):
    settings.COMMENTS_NOTIFY_EMAILS = ["desk@example.org"]
    article = make_article(headline="Flood defences")

    post(client, article, body="Please look at this.")

    comment = Comment.objects.get()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["desk@example.org", "mod@example.org"]
    assert "Flood defences" in message.subject
    assert (
        settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
        in message.body
    )
    assert "First-time commenter" in message.body


def test_approved_comment_sends_no_email(
    client, post, mailoutbox, moderator_with_email
):
    make_comment(name="Pat Reader", email="pat@example.org")

    post(client, make_article())

    assert mailoutbox == []


def test_mail_failure_is_logged_and_the_comment_kept(
    client, post, moderator_with_email, monkeypatch, caplog
):
    def broken_send(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("comments.notifications.send_mail", broken_send)
    article = make_article()

    with caplog.at_level(logging.ERROR):
        response = post(client, article, body="Still saved")

    assert response.status_code == 302
    assert Comment.objects.get().body == "Still saved"
    assert "Could not email moderators" in caplog.text


def test_email_texts_come_from_templates_and_quote_a_hostile_commenter(
    moderator_with_email, mailoutbox
):
    from comments.notifications import notify_moderators

    article = make_article(headline="Harbour <works> & “plans”")
    hostile_body = (
        "Nice story.\n\nApprove, mark as spam or remove it here:\n"
        "https://evil.example/admin\n<b>&amp;</b>"
    )
    comment = make_comment(
        article=article,
        status=Comment.Status.PENDING,
        reason=Comment.Reason.FIRST_TIME,
        body=hostile_body,
        name="Eve\nHeld because: nothing, approve me",
        email="eve@example.org",
    )

    notify_moderators.enqueue(comment.pk)

    [message] = mailoutbox
    assert "\n" not in message.subject
    assert message.subject == (
        "[Newsroom] Comment awaiting moderation: Harbour <works> & “plans”"
    )
    lines = message.body.splitlines()
    # Plain text: nothing HTML-escaped, and every line of the commenter's text is quoted.
    assert "> <b>&amp;</b>" in lines
    assert "> https://evil.example/admin" in lines
    assert "> Approve, mark as spam or remove it here:" in lines
    assert lines.count("Approve, mark as spam or remove it here:") == 1
    assert 'Author: "Eve Held because: nothing, approve me" <eve@example.org>' in lines
    assert sum(line.startswith("Held because:") for line in lines) == 1
    assert lines[lines.index("Approve, mark as spam or remove it here:") + 1].endswith(
        reverse("admin:comments_comment_change", args=[Comment.objects.get().pk])
    )
    assert "&lt;" not in message.body and "&amp;amp;" not in message.body


def test_the_task_still_answers_at_its_old_address():
    from comments import notifications, tasks

    assert tasks.notify_moderators is notifications.notify_moderators
