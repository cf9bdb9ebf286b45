"""Emails to commenters: "published", the reply-notice double opt-in, reply notices, picks,
unsubscribing (link and RFC 8058 one-click), the throttles, and that no address leaks."""

import logging
import re
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import signing
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from comments import notices, services
from comments.models import Comment, NoticeLog, Subscriber
from tests.factories import (
    comment_form_data,
    make_article,
    make_comment,
    make_moderator,
)
from tests.test_html_validity import java  # noqa: F401  (the Nu checker's fixture)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/comments/notices/(confirm|unsubscribe)/([^/\s]+)/")
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.COMMENTS_RATE_LIMIT = 100
    settings.COMMENTS_MODERATION = "all"  # every comment waits for a moderator
    settings.COMMENTS_NOTIFY_EMAILS = []  # only commenters' emails in the outbox
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 60
    settings.COMMENTS_CONFIRMATIONS_PER_DAY = 3


@pytest.fixture
def moderator():
    # No email address: the moderators' own "held comment" emails stay out of these outboxes.
    return make_moderator(email="")


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Post a comment and run what waits for the commit, as a real request would."""

    def send(article, *, http=client, ip="127.0.0.1", **data):
        with django_capture_on_commit_callbacks(execute=True):
            response = http.post(
                reverse("comments:post", args=[article.pk]),
                comment_form_data(article, **data),
                REMOTE_ADDR=ip,
            )
        assert response.status_code == 302, response.content[:500]
        return Comment.objects.latest("pk")

    return send


@pytest.fixture
def approve(moderator, django_capture_on_commit_callbacks):
    def decide(comment, status=Comment.Status.APPROVED):
        with django_capture_on_commit_callbacks(execute=True):
            services.comments_moderate(
                Comment.objects.filter(pk=comment.pk),
                status=status,
                moderator=moderator,
            )
        comment.refresh_from_db()
        return comment

    return decide


def links(message, kind):
    return [m.group(0) for m in LINK.finditer(message.body) if m.group(1) == kind]


def confirm(client, message):
    (url,) = links(message, "confirm")
    return client.post(url, HTTP_ORIGIN="http://testserver")


def confirmed_parent(
    post, approve, client, mailoutbox, article, email="ann@example.org"
):
    """Ann's approved comment, her ticked "email me about replies" and her confirmed address."""
    parent = post(article, name="Ann", email=email, body="First!", notify_replies="on")
    approve(parent)
    (confirmation,) = [m for m in mailoutbox if "Confirm" in m.subject]
    assert confirm(client, confirmation).status_code == 200
    mailoutbox.clear()
    return parent


# --- "Email me when my comment is published" --------------------------------------------


def test_the_author_who_asked_gets_one_email_when_a_moderator_approves_and_never_again(
    post, approve, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 0  # only the once-per-comment rule applies
    article = make_article(headline="Bridge reopens")
    comment = post(article, body="Good news at last.", notify_on_publish="on")
    assert mailoutbox == []  # held: nothing yet

    approve(comment)

    (message,) = mailoutbox
    assert message.to == ["pat@example.org"]
    assert "Your comment is published" in message.subject
    assert "Bridge reopens" in message.subject
    permalink = settings.SITE_URL + reverse("comments:permalink", args=[comment.pk])
    assert permalink in message.body
    assert "> Good news at last." in message.body
    (unsubscribe,) = links(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )

    # Taken down and approved again (or approved twice): no second email.
    approve(comment, Comment.Status.REMOVED)
    approve(comment)
    approve(comment)
    assert len(mailoutbox) == 1


def test_no_published_email_unless_asked_or_when_it_was_published_at_once(
    post, approve, mailoutbox, settings
):
    article = make_article()
    approve(post(article, body="Did not tick the box."))
    assert mailoutbox == []

    settings.COMMENTS_MODERATION = "none"  # published at once: the author saw it appear
    comment = post(article, body="Published straight away.", notify_on_publish="on")
    assert comment.status == Comment.Status.APPROVED
    assert mailoutbox == []


# --- "Email me when someone replies": double opt-in, then notices -----------------------


def test_reply_notices_start_only_once_the_address_is_confirmed(
    post, approve, client, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 0
    article = make_article(headline="Council budget")
    parent = post(
        article,
        name="Ann",
        email="ann@example.org",
        body="Too high.",
        notify_replies="on",
    )

    # The confirmation goes at once, while the comment is still held.
    (confirmation,) = mailoutbox
    assert confirmation.to == ["ann@example.org"]
    assert "Confirm" in confirmation.subject
    assert parent.status == Comment.Status.PENDING
    (confirm_link,) = links(confirmation, "confirm")
    mailoutbox.clear()

    approve(parent)
    early = post(
        article,
        name="Bob",
        email="bob@example.org",
        body="Not at all.",
        parent=str(parent.pk),
    )
    approve(early)
    assert mailoutbox == []  # not confirmed: no notice

    # A link scanner's GET shows the button and confirms nothing.
    page = client.get(confirm_link)
    assert page.status_code == 200
    assert b"Yes, email me about replies" in page.content
    assert not Subscriber.objects.get(email="ann@example.org").is_confirmed

    done = client.post(confirm_link, HTTP_ORIGIN="http://testserver")
    assert done.status_code == 200
    assert b"Confirmed" in done.content
    assert Subscriber.objects.get(email="ann@example.org").is_confirmed

    late = post(
        article,
        name="Bob",
        email="bob@example.org",
        body="Still not.",
        parent=str(parent.pk),
    )
    assert mailoutbox == []  # held: notices are only about approved replies
    approve(late)

    (notice,) = mailoutbox
    assert notice.to == ["ann@example.org"]
    assert "New reply" in notice.subject and "Council budget" in notice.subject
    assert '"Bob" replied' in notice.body
    assert "> Still not." in notice.body
    assert (
        settings.SITE_URL + reverse("comments:permalink", args=[late.pk]) in notice.body
    )
    assert "bob@example.org" not in str(notice.message())
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    approve(late, Comment.Status.REMOVED)
    approve(late)
    assert len(mailoutbox) == 1  # one notice per reply, whatever the moderators do


def test_a_confirmation_page_posted_from_another_site_confirms_nothing(
    post, client, mailoutbox
):
    post(make_article(), email="ann@example.org", notify_replies="on")
    (url,) = links(mailoutbox[0], "confirm")

    response = Browser(enforce_csrf_checks=True).post(
        url, HTTP_ORIGIN="https://evil.example"
    )

    assert response.status_code == 403
    assert not Subscriber.objects.get(email="ann@example.org").is_confirmed


def test_nobody_is_told_about_their_own_reply(
    post, approve, client, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 0
    article = make_article()
    parent = confirmed_parent(post, approve, client, mailoutbox, article)

    approve(
        post(
            article,
            name="Ann",
            email="ANN@example.org",
            body="And another thing.",
            parent=str(parent.pk),
        )
    )

    assert mailoutbox == []


def test_a_confirmed_address_asks_for_nothing_more_and_a_reply_to_an_unticked_comment_sends_nothing(
    post, approve, client, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 0
    article = make_article()
    confirmed_parent(post, approve, client, mailoutbox, article)
    unticked = post(
        article, name="Ann", email="ann@example.org", body="No box this time."
    )
    ticked = post(
        article,
        name="Ann",
        email="ann@example.org",
        body="Box again.",
        notify_replies="on",
    )
    approve(unticked)
    approve(ticked)
    assert mailoutbox == []  # confirmed already: no second confirmation

    approve(
        post(
            article,
            name="Bob",
            email="bob@example.org",
            body="Re: no box",
            parent=str(unticked.pk),
        )
    )
    assert mailoutbox == []
    approve(
        post(
            article,
            name="Bob",
            email="bob@example.org",
            body="Re: box",
            parent=str(ticked.pk),
        )
    )
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]


# --- Unsubscribing ----------------------------------------------------------------------


def _reply_to(post, approve, parent, body):
    return approve(
        post(
            parent.article,
            name="Bob",
            email="bob@example.org",
            body=body,
            parent=str(parent.pk),
        )
    )


def test_unsubscribe_by_the_link_in_the_email(
    post, approve, client, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 0
    parent = confirmed_parent(post, approve, client, mailoutbox, make_article())
    _reply_to(post, approve, parent, "One reply.")
    (url,) = links(mailoutbox[0], "unsubscribe")

    page = client.get(url)  # what a link scanner or a preview sees: a button, no change
    assert page.status_code == 200
    assert b"Unsubscribe</button>" in page.content
    assert Subscriber.objects.get(email="ann@example.org").is_confirmed

    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert b"Unsubscribed" in done.content
    subscriber = Subscriber.objects.get(email="ann@example.org")
    assert not subscriber.is_confirmed and subscriber.unsubscribed_at is not None

    _reply_to(post, approve, parent, "Another reply.")
    assert len(mailoutbox) == 1


def test_rfc_8058_one_click_post_unsubscribes_with_no_cookie_token_or_origin(
    post, approve, client, mailoutbox
):
    # A published email's List-Unsubscribe header, POSTed the way a mail provider does it.
    comment = post(make_article(), body="Tick.", notify_on_publish="on")
    approve(comment)
    header = mailoutbox[0].extra_headers["List-Unsubscribe"]
    url = header.strip("<>")
    provider = Browser(enforce_csrf_checks=True)

    response = provider.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not response.cookies
    assert Subscriber.objects.get(email="pat@example.org").unsubscribed_at is not None
    comment.refresh_from_db()
    assert not comment.notify_on_publish

    # Nothing more to this address, even for a comment ticked afterwards (a stranger's
    # address cannot be mailed again), until it confirms: only a confirmation email goes.
    mailoutbox.clear()
    later = post(make_article(), body="Ticked after leaving.", notify_on_publish="on")
    assert ["Confirm" in m.subject for m in mailoutbox] == [True]
    approve(later)
    assert len(mailoutbox) == 1


def test_the_link_pages_are_never_cached_or_shared(post, client, mailoutbox):
    post(make_article(), email="ann@example.org", notify_replies="on")
    (url,) = links(mailoutbox[0], "confirm")
    unsubscribe = links(mailoutbox[0], "unsubscribe")[0]

    for address in (url, unsubscribe, url, unsubscribe):
        response = client.get(address)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response.get("X-Page-Cache") != "hit"
        assert response["Referrer-Policy"] == "same-origin"
        assert b"ann@example.org" not in response.content


# --- Forged and expired links -----------------------------------------------------------


def _token(email, salt):
    return notices.link_token(email, salt=salt)


@pytest.mark.parametrize(
    "view", ["comments:notice_confirm", "comments:notice_unsubscribe"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_links_get_a_clear_400_page_and_change_nothing(client, view, method):
    real = _token("ann@example.org", notices.UNSUBSCRIBE_SALT)
    value, signature = real.rsplit(":", 1)
    forged = [
        "not-a-token",
        # Someone else's address with Ann's signature.
        signing.b64_encode(b'"bob@example.org"').decode() + real[real.index(":") :],
        value + ":" + signature[::-1],
        # A confirmation link used to unsubscribe, and the other way round.
        _token("ann@example.org", notices.CONFIRM_SALT)
        if view.endswith("unsubscribe")
        else real,
        # Signed with another key.
        signing.dumps("ann@example.org", key="x" * 50, salt=notices.UNSUBSCRIBE_SALT),
    ]
    for token in forged:
        response = getattr(client, method)(reverse(view, args=[token]))
        assert response.status_code == 400, token
        assert b"This link does not work" in response.content
        assert b"Error: this link does not work" in response.content
    assert Subscriber.objects.count() == 0


@pytest.mark.parametrize(
    ("view", "salt", "age"),
    [
        ("comments:notice_confirm", notices.CONFIRM_SALT, timedelta(days=8)),
        ("comments:notice_unsubscribe", notices.UNSUBSCRIBE_SALT, timedelta(days=366)),
    ],
)
def test_expired_links_say_so_with_a_400(client, monkeypatch, view, salt, age):
    then = timezone.now() - age
    monkeypatch.setattr(signing.time, "time", lambda: then.timestamp())
    token = _token("ann@example.org", salt)
    monkeypatch.undo()

    for method in ("get", "post"):
        response = getattr(client, method)(reverse(view, args=[token]))
        assert response.status_code == 400
        assert b"This link has expired" in response.content
    assert Subscriber.objects.count() == 0


# --- Throttles ----------------------------------------------------------------------------


def test_at_most_one_notice_per_address_per_story_in_the_window(
    post, approve, client, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 30
    article = make_article()
    parent = confirmed_parent(post, approve, client, mailoutbox, article)
    other = post(
        make_article(),
        name="Ann",
        email="ann@example.org",
        body="Elsewhere.",
        notify_replies="on",
    )
    approve(other)

    _reply_to(post, approve, parent, "Reply one.")
    _reply_to(post, approve, parent, "Reply two.")
    assert len(mailoutbox) == 1  # the second, inside the window, is dropped

    _reply_to(post, approve, other, "On the other story.")
    assert len(mailoutbox) == 2  # another story: its own window

    NoticeLog.objects.update(sent_at=timezone.now() - timedelta(minutes=31))
    _reply_to(post, approve, parent, "Reply three.")
    assert len(mailoutbox) == 3
    assert "> Reply three." in mailoutbox[-1].body


def test_confirmation_emails_are_limited_per_address_per_day(post, mailoutbox):
    article = make_article()
    for n in range(5):
        post(
            article,
            email="target@example.org",
            body=f"Try {n}",
            notify_replies="on",
            ip=f"203.0.113.{n + 1}",
        )

    assert [m.to for m in mailoutbox] == [["target@example.org"]] * 3
    assert Comment.objects.count() == 5  # every comment is kept

    NoticeLog.objects.update(sent_at=timezone.now() - timedelta(hours=25))
    post(article, email="target@example.org", body="Next day", notify_replies="on")
    assert len(mailoutbox) == 4


def test_confirmation_emails_are_limited_per_ip_per_day(post, mailoutbox):
    article = make_article()
    for n in range(5):
        post(
            article,
            email=f"stranger{n}@example.org",
            body=f"Try {n}",
            notify_replies="on",
            ip="198.51.100.7",
        )
    assert len(mailoutbox) == 3
    assert set(NoticeLog.objects.values_list("ip_address", flat=True)) == {
        "198.51.100.7"
    }

    post(
        article,
        email="someone@example.org",
        body="Elsewhere",
        notify_replies="on",
        ip="198.51.100.8",
    )
    assert len(mailoutbox) == 4


def test_no_confirmation_for_a_comment_that_went_to_spam(post, mailoutbox):
    post(
        make_article(),
        email="stranger@example.org",
        notify_replies="on",
        leave_empty="I am a bot",
    )

    assert Comment.objects.get().status == Comment.Status.SPAM
    assert mailoutbox == []


# --- Editor's pick ----------------------------------------------------------------------


def test_an_editors_pick_emails_the_author_only_if_they_opted_in(
    mailoutbox, settings, django_capture_on_commit_callbacks
):
    article = make_article(headline="Harbour plans")
    asked = make_comment(article=article, email="ann@example.org", notify_replies=True)
    silent = make_comment(article=article, email="bob@example.org")
    Comment.objects.update(is_pick=True, picked_at=timezone.now())

    notices.comment_picked(asked.pk)
    notices.comment_picked(silent.pk)
    notices.comment_picked(asked.pk)  # picked again: no second email

    (message,) = mailoutbox
    assert message.to == ["ann@example.org"]
    assert "editor’s pick" in message.subject and "Harbour plans" in message.subject
    assert "chosen as an editor’s pick" in message.body
    assert (
        settings.SITE_URL + reverse("comments:permalink", args=[asked.pk])
        in message.body
    )
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )


# --- No address leaks -------------------------------------------------------------------


def test_no_email_address_leaks_into_emails_pages_or_feeds(
    post, approve, client, mailoutbox, settings
):
    settings.COMMENTS_NOTIFY_MIN_MINUTES = 0
    article = make_article()
    parent = confirmed_parent(post, approve, client, mailoutbox, article)
    mailoutbox.clear()
    reply = post(
        article,
        name="Bob",
        email="bob@example.org",
        body="Reply.",
        parent=str(parent.pk),
        notify_on_publish="on",
        notify_replies="on",
    )
    approve(reply)
    pick = make_comment(
        article=article, email="cy@example.org", notify_on_publish=True, is_pick=True
    )
    notices.comment_picked(pick.pk)

    assert len(mailoutbox) == 4  # Bob: confirm + published; Ann: reply; Cy: pick
    for message in mailoutbox:
        mime = message.message()
        del mime["Message-ID"]  # the sending host's name, not an address
        raw = mime.as_string()
        assert set(EMAIL_PATTERN.findall(raw)) <= {
            *message.to,
            settings.DEFAULT_FROM_EMAIL,
        }, raw
        # The signed links name only the recipient.
        for _kind, token in LINK.findall(raw):
            payload = signing.b64_decode(token.split(":")[0].encode())
            assert payload.decode().strip('"') in message.to

    for url in (
        article.get_absolute_url(),
        article.get_absolute_url() + "comments/feed/",
    ):
        body = Browser().get(url).content.decode()
        assert "Reply." in body
        for address in ("ann@example.org", "bob@example.org", "cy@example.org"):
            assert address not in body


# --- Failures never lose a comment ------------------------------------------------------


def test_a_mail_server_that_is_down_loses_no_comment_and_blocks_no_decision(
    post, approve, client, mailoutbox, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.comments.test_notices.FailingBackend"
    article = make_article()

    with caplog.at_level(logging.ERROR):
        comment = post(
            article,
            body="Kept whatever the mail does.",
            notify_on_publish="on",
            notify_replies="on",
        )
        approved = approve(comment)

    assert approved.status == Comment.Status.APPROVED
    assert Comment.objects.get().body == "Kept whatever the mail does."
    assert "Could not send the confirmation email" in caplog.text
    assert "Could not send the published/reply email" in caplog.text
    assert NoticeLog.objects.count() == 0  # nothing counted as sent


def test_a_broken_queue_loses_no_comment(post, approve, monkeypatch, caplog):
    def queue_down(*args, **kwargs):
        raise ConnectionError("queue down")

    class BrokenTask:
        name = "broken"
        enqueue = staticmethod(queue_down)

    for name in ("send_confirmation", "send_comment_notices"):
        monkeypatch.setattr(notices, name, BrokenTask())

    with caplog.at_level(logging.ERROR):
        comment = post(
            make_article(),
            body="Still here.",
            notify_on_publish="on",
            notify_replies="on",
        )
        approve(comment)

    assert Comment.objects.get().status == Comment.Status.APPROVED
    assert "Could not queue" in caplog.text


# --- In production the worker sends, and retries --------------------------------------


@pytest.fixture
def database_tasks(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_NOTIFY_ATTEMPTS = 3
    # The worker closes "old" connections between tasks; inside the test's transaction that
    # would close the test's own connection (PostgreSQL).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )


def _run_worker():
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_worker_sends_a_failed_notice_once_on_a_retry(
    post, approve, mailoutbox, settings, database_tasks
):
    from django_tasks_db.models import DBTaskResult

    comment = post(make_article(), body="Queued.", notify_on_publish="on")
    _run_worker()  # the moderators' (empty) notification
    DBTaskResult.objects.all().delete()
    settings.EMAIL_BACKEND = "tests.comments.test_notices.FailingBackend"
    approve(comment)
    assert mailoutbox == []  # queued: the moderator's click never waits for mail

    _run_worker()  # attempt 1 fails; attempt 2 is queued for later
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "FAILED" and retry.status == "READY"
    assert first.task_path.endswith("send_comment_notices")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    _run_worker()
    _run_worker()

    assert [m.to for m in mailoutbox] == [["pat@example.org"]]
    assert NoticeLog.objects.get().kind == NoticeLog.Kind.PUBLISHED


def test_the_link_pages_are_valid_html(client, java, tmp_path):  # noqa: F811
    from tests.test_html_validity import vnu_check

    token = notices.link_token("ann@example.org", salt=notices.CONFIRM_SALT)
    out = notices.link_token("ann@example.org", salt=notices.UNSUBSCRIBE_SALT)
    confirm_url = reverse("comments:notice_confirm", args=[token])
    unsubscribe_url = reverse("comments:notice_unsubscribe", args=[out])
    responses = {
        "confirm": client.get(confirm_url),
        "confirmed": client.post(confirm_url, HTTP_ORIGIN="http://testserver"),
        "unsubscribe": client.get(unsubscribe_url),
        "unsubscribed": client.post(unsubscribe_url),
        "bad-link": client.get(reverse("comments:notice_confirm", args=["x:y"])),
    }
    result = vnu_check(java, tmp_path, responses)

    assert result.returncode == 0, result.stderr or result.stdout


def test_export_and_erase_cover_the_email_notices(
    post, approve, client, mailoutbox, settings
):
    article = make_article()
    confirmed_parent(post, approve, client, mailoutbox, article)
    post(article, name="Bob", email="bob@example.org", notify_replies="on")

    data = services.commenter_data_export(email="ANN@example.org")
    (subscriber,) = data["email_notices"]["subscriber"]
    assert subscriber["confirmed"] and subscriber["unsubscribed"] is None
    assert [n["kind"] for n in data["email_notices"]["sent"]] == ["confirm"]
    assert data["email_notices"]["sent"][0]["ip_address"] == "127.0.0.1"

    counts = services.commenter_data_erase(email="ann@example.org")

    assert counts["notices_removed"] == 1
    assert not Subscriber.objects.filter(email="ann@example.org").exists()
    assert not NoticeLog.objects.filter(email="ann@example.org").exists()
    # Other addresses keep theirs.
    assert NoticeLog.objects.filter(email="bob@example.org").count() == 1
