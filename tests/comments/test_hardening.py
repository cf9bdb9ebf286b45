"""Issue 10, part 10b: findings 3, 4, 9 and 10, each reproduced first."""

import time
from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from comments.models import Comment
from comments.spam import form_token
from tests.factories import (
    comment_form_data,
    make_article,
    make_comment,
    make_moderator,
)
from tests.test_settings import STRONG_KEY, _start_django

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return make_moderator()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST the Leave a Reply form and run the after-commit work (the email), as a request does."""

    def send(article, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("comments:post", args=[article.pk]),
                comment_form_data(article, **data),
            )

    return send


def comment_feed(client, article):
    return client.get(article.get_absolute_url() + "comments/feed/")


# --- Finding 3: no mail in a request in production; bounded retries with backoff ------------


def test_production_defaults_queue_tasks_in_the_database_and_time_out_mail():
    result = _start_django(
        "from django.conf import settings as s; "
        "print(s.TASKS['default']['BACKEND'], s.EMAIL_TIMEOUT)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=STRONG_KEY,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_tasks_db.DatabaseBackend", "10"]


def test_debug_runs_tasks_at_once_and_the_mail_timeout_is_configurable():
    result = _start_django(
        "from django.conf import settings as s; "
        "print(s.TASKS['default']['BACKEND'], s.EMAIL_TIMEOUT)",
        DJANGO_DEBUG="1",
        EMAIL_TIMEOUT="3",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django_tasks.backends.immediate.ImmediateBackend",
        "3",
    ]


@pytest.fixture
def database_tasks(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_NOTIFY_ATTEMPTS = 3
    # The worker closes "old" connections between tasks; inside the test's transaction that
    # would close the test's own connection (PostgreSQL). The rest of the worker runs as is.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )


def _run_worker():
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_held_comment_posted_in_production_sends_no_mail_in_the_request(
    post, mailoutbox, moderator, database_tasks
):
    from django_tasks_db.models import DBTaskResult

    response = post(make_article())

    assert response.status_code == 302
    assert mailoutbox == []  # queued, not sent in the request
    assert DBTaskResult.objects.get().status == "READY"
    _run_worker()
    assert len(mailoutbox) == 1


def test_failed_notification_is_retried_with_backoff_then_recorded_as_failed(
    post, mailoutbox, moderator, database_tasks, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    def smtp_down(*args, **kwargs):
        raise TimeoutError("SMTP server did not answer")

    monkeypatch.setattr("comments.notifications.send_mail", smtp_down)
    post(make_article())

    before = timezone.now()
    _run_worker()  # attempt 1 fails: attempt 2 is queued for later
    first, second = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "FAILED"
    assert second.status == "READY"
    assert second.args_kwargs["args"][1:] == [2] or second.args_kwargs["kwargs"] == {
        "attempt": 2
    }
    delay = second.run_after - before
    assert timedelta(seconds=30) <= delay <= timedelta(minutes=5)

    # Later attempts wait longer, and after COMMENTS_NOTIFY_ATTEMPTS nothing more is queued.
    DBTaskResult.objects.filter(pk=second.pk).update(run_after=timezone.now())
    _run_worker()
    third = DBTaskResult.objects.order_by("enqueued_at").last()
    assert third.status == "READY"
    assert third.run_after - timezone.now() > delay
    DBTaskResult.objects.filter(pk=third.pk).update(run_after=timezone.now())
    _run_worker()

    statuses = list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)
    )
    assert statuses == ["FAILED", "FAILED", "FAILED"]
    assert mailoutbox == []
    assert Comment.objects.count() == 1  # the comment is never lost


def test_a_retry_that_succeeds_sends_the_email_once(
    post, mailoutbox, moderator, database_tasks, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    calls = []
    real_send = __import__("django.core.mail", fromlist=["send_mail"]).send_mail

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("SMTP briefly down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr("comments.notifications.send_mail", flaky)
    post(make_article())
    _run_worker()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    _run_worker()

    assert len(mailoutbox) == 1
    assert list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)
    ) == ["FAILED", "SUCCESSFUL"]


# --- Finding 4: control characters ------------------------------------------------------


def test_a_stored_vertical_tab_does_not_break_the_comment_feed(client):
    article = make_article(headline="Storm\x0bwarning")
    make_comment(
        article=article,
        name="Word\x0bProcessor\x01",  # (PostgreSQL refuses NUL outright)
        body="Pasted\x0bfrom a word processor\x1b[31m \x7f\x85 \ufffe end",
    )

    response = comment_feed(client, article)

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert "Pasted" in feed.entries[0].description
    assert "Processor" in feed.entries[0].title
    for url in (reverse("discovery:feed"), reverse("discovery:feed-atom")):
        story_feed = client.get(url)
        assert story_feed.status_code == 200
        assert not feedparser.parse(story_feed.content).bozo


def test_control_characters_are_normalised_in_every_form_field(client, post, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()

    response = post(
        article,
        name="Ann\x0bBell\x07",
        email="ann\x00@example.org",
        url="https://example.org/\x1fpage",
        body="Line one\x0bline two\r\nline three\x0c\x00\x1b[0m\x85\x9f\tend",
    )

    assert response.status_code == 302, response.content[:2000]
    comment = Comment.objects.get()
    assert comment.name == "Ann Bell"
    assert comment.email == "ann@example.org"
    assert comment.url == "https://example.org/page"
    assert comment.body == "Line one\nline two\nline three\n[0m\tend"
    assert comment_feed(client, article).status_code == 200


# --- Finding 9: hostile names ------------------------------------------------------------

HOSTILE_NAME = (
    "Eve\r\nBcc: victim@example.org\r\n\u202eTrusted\u200b Moderator\ufeff\u2066"
)


def test_hostile_names_are_normalised_isolated_on_the_page_and_quoted_in_the_email(
    client, post, mailoutbox, moderator
):
    article = make_article()

    response = post(article, name=HOSTILE_NAME, body="Line\r\nBcc: other@example.org")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.name == "Eve Bcc: victim@example.org Trusted Moderator"
    page = client.get(article.get_absolute_url())
    assertContains(page, "<bdi>Eve Bcc: victim@example.org Trusted Moderator</bdi>")
    body = mailoutbox[0].body
    lines = body.splitlines()
    assert not any(line.startswith("Bcc:") for line in lines)
    assert "\u202e" not in body and "\u200b" not in body
    assert 'Author: "Eve Bcc: victim@example.org Trusted Moderator"' in body
    assert "> Bcc: other@example.org" in lines
    assert "\r" not in mailoutbox[0].subject and "\n" not in mailoutbox[0].subject


def test_approved_names_render_inside_bdi_in_the_thread(client):
    comment = make_comment(name="\u202eevil", url="https://example.org/")
    page = client.get(comment.article.get_absolute_url())

    # Stored before names were cleaned: still isolated.
    assertContains(page, "<bdi>\u202eevil</bdi>")


# --- Finding 10: replayed form tokens ------------------------------------------------------


def test_one_page_load_cannot_post_many_comments_past_the_too_fast_hold(
    client, settings
):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_RATE_LIMIT = 100
    article = make_article()
    token = form_token(article.pk, now=time.time() - 60)

    for n in range(25):
        client.post(
            reverse("comments:post", args=[article.pk]),
            comment_form_data(
                article, timestamp=token, email=f"bot{n}@example.org", body=f"Buy {n}"
            ),
        )

    statuses = list(Comment.objects.order_by("pk").values_list("status", "reason"))
    assert statuses[0] == (Comment.Status.APPROVED, "")
    assert all(
        s == (Comment.Status.PENDING, Comment.Reason.TOO_FAST) for s in statuses[1:]
    )
    assert len(statuses) == 25  # held, never lost


def test_readers_sharing_a_cached_page_each_post_once_with_its_token(settings):
    from django.test import Client

    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    token = form_token(article.pk, now=time.time() - 60)

    for n in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(
            reverse("comments:post", args=[article.pk]),
            comment_form_data(
                article,
                timestamp=token,
                name=f"Reader {n}",
                email=f"r{n}@example.org",
                body=f"My view number {n}",
            ),
        )

    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}


def test_a_failed_post_does_not_burn_the_token(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    token = form_token(article.pk, now=time.time() - 60)
    url = reverse("comments:post", args=[article.pk])

    bad = client.post(url, comment_form_data(article, timestamp=token, email="nope"))
    assert bad.status_code == 400
    again = bad.context["comment_form"].data["timestamp"]
    make_comment(
        article=article, email="pat@example.org", body="Same words", status="approved"
    )
    duplicate = client.post(
        url, comment_form_data(article, timestamp=again, body="Same words")
    )
    assert duplicate.status_code == 409
    again = duplicate.context["comment_form"].data["timestamp"]

    ok = client.post(url, comment_form_data(article, timestamp=again))

    assert ok.status_code == 302
    assert Comment.objects.get(body__startswith="A thoughtful").status == "approved"
