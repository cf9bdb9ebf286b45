"""A real mail server that hangs, in process: the comment POST never waits for it, the worker's
attempt is bounded by EMAIL_TIMEOUT and retried, and a server that comes back gets one email.

The servers are the ones ``make faults`` uses (tests/faults/services.py): a socket that accepts
and never answers, and a tiny SMTP sink. Django's real SMTP backend talks to them.
"""

import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.groups import MODERATORS_GROUP
from comments.models import Comment
from tests.factories import comment_form_data, make_article
from tests.faults.services import silent_smtp, smtp_sink

pytestmark = pytest.mark.django_db

EMAIL_TIMEOUT = 1


@pytest.fixture
def hung_mail_server(settings, monkeypatch):
    """Production's mail path (SMTP backend, database task queue) at a server that never answers."""
    with silent_smtp() as hung:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = hung.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        settings.COMMENTS_MODERATION = "all"
        settings.COMMENTS_NOTIFY_ATTEMPTS = 3
        # The worker closes "old" connections between tasks; inside the test's transaction
        # that would close the test's own connection (PostgreSQL).
        monkeypatch.setattr(
            "django_tasks_db.management.commands.db_worker.close_old_connections",
            lambda: None,
        )
        moderator = User.objects.create_user("mod", email="mod@example.org")
        moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        yield hung


def _post_held_comment(client, django_capture_on_commit_callbacks, article):
    # The after-commit work (queueing the email) runs inside the timed request, as it does live.
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:post", args=[article.pk]),
            comment_form_data(article, body="Posted while the mail server hangs."),
        )
    return response, time.monotonic() - started


def _run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_comment_posted_with_a_hanging_mail_server_answers_at_once_and_queues_the_email(
    client, django_capture_on_commit_callbacks, hung_mail_server
):
    article = make_article()

    response, elapsed = _post_held_comment(
        client, django_capture_on_commit_callbacks, article
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.body == "Posted while the mail server hangs."
    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    assert task.task_path.endswith("notify_moderators")
    assert task.args_kwargs["args"][0] == comment.pk
    # Mail is not sent in the request: the request never reached the mail server, so it
    # could not wait for it (a send would have taken EMAIL_TIMEOUT and then failed).
    assert hung_mail_server.connections == []
    assert elapsed < EMAIL_TIMEOUT


def test_the_worker_gives_up_on_a_hanging_server_after_email_timeout_and_a_retry_delivers_once(
    client, django_capture_on_commit_callbacks, hung_mail_server
):
    response, _ = _post_held_comment(
        client, django_capture_on_commit_callbacks, make_article()
    )
    assert response.status_code == 302

    _run_worker()  # attempt 1: the server accepts, never answers

    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert len(hung_mail_server.connections) == 1
    assert first.status == "FAILED"
    assert first.exception_class_path == "smtplib.SMTPServerDisconnected"  # "timed out"
    assert (first.finished_at - first.started_at).total_seconds() < EMAIL_TIMEOUT + 2
    assert retry.status == "READY" and retry.run_after > first.finished_at
    assert Comment.objects.get().status == Comment.Status.PENDING

    # The mail server comes back on the same address; the retry is made due and runs.
    port = hung_mail_server.port
    hung_mail_server.close()
    with smtp_sink(port) as sink:
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        _run_worker()
        _run_worker()

    assert len(sink.messages) == 1
    assert sink.messages[0]["to"] == ["<mod@example.org>"]
    assert b"> Posted while the mail server hangs." in sink.messages[0]["data"]
    assert list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)
    ) == ["FAILED", "SUCCESSFUL"]
