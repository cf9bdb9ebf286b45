"""COMMENTS_NOTIFY: an email per held comment, one digest from cron, or nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comments.checks import check_notify_mode
from comments.models import Comment
from comments.notifications import queue_url
from tests.factories import (
    comment_form_data,
    make_article,
    make_comment,
    make_moderator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(article, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("comments:post", args=[article.pk]),
                comment_form_data(article, **data),
            )

    return send


def waiting(minutes_ago, **fields):
    comment = make_comment(status=Comment.Status.PENDING, **fields)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return comment


def digest(**options):
    out = StringIO()
    call_command("send_moderation_digest", stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mode", "emails"), [("immediate", 1), ("digest", 0), ("off", 0)]
)
def test_a_held_comment_emails_moderators_only_in_immediate_mode(
    post, mailoutbox, settings, mode, emails
):
    settings.COMMENTS_NOTIFY = mode
    make_moderator()

    post(make_article(), body="Held for a first-timer.")

    assert Comment.objects.get().status == Comment.Status.PENDING
    assert len(mailoutbox) == emails


def test_the_digest_lists_what_waits_oldest_first_with_a_link_to_the_queue(
    mailoutbox, settings
):
    settings.COMMENTS_NOTIFY = "digest"
    make_moderator()
    settings.COMMENTS_NOTIFY_EMAILS = ["desk@example.org"]
    newer = waiting(12, name="Newer Nell", body="Second in line")
    older = waiting(9 * 60, name="Older Olle", body="First in line\nwith two lines",
                    reason=Comment.Reason.FIRST_TIME)  # fmt: skip
    make_comment(body="Already published")

    out = digest()

    assert "Digest sent to 2 moderator(s)." in out
    [message] = mailoutbox
    assert sorted(message.to) == ["desk@example.org", "mod@example.org"]
    assert message.subject == "[Newsroom] 2 comments waiting · oldest 9 h"
    body = message.body
    assert body.index("Older Olle") < body.index("Newer Nell")
    assert "> First in line with two lines" in body  # quoted, one line
    assert "held because: First-time commenter" in body
    assert settings.SITE_URL + queue_url() in body
    assert (
        settings.SITE_URL + reverse("admin:comments_comment_change", args=[older.pk])
        in body
    )
    assert (
        settings.SITE_URL + reverse("admin:comments_comment_change", args=[newer.pk])
        in body
    )
    assert "Already published" not in body


def test_the_digest_links_the_moderation_queue():
    assert queue_url() == reverse("admin:comments_comment_queue")


def test_the_digest_sends_nothing_when_nothing_waits(mailoutbox, settings):
    settings.COMMENTS_NOTIFY = "digest"
    make_moderator()
    make_comment()

    out = digest()

    assert mailoutbox == []
    assert "nothing sent" in out


@pytest.mark.parametrize("mode", ["immediate", "off"])
def test_the_digest_command_sends_nothing_in_other_modes(mailoutbox, settings, mode):
    settings.COMMENTS_NOTIFY = mode
    make_moderator()
    waiting(30)

    out = digest()

    assert mailoutbox == []
    assert f"COMMENTS_NOTIFY is '{mode}'" in out


def test_a_dry_run_prints_the_digest_without_sending_it(mailoutbox, settings):
    settings.COMMENTS_NOTIFY = "off"
    waiting(5, body="Look at me")

    out = digest(dry_run=True)

    assert "Subject: [Newsroom] 1 comment waiting · oldest 5 min" in out
    assert "> Look at me" in out
    assert mailoutbox == []


def test_a_long_queue_lists_the_oldest_fifty_and_counts_the_rest(mailoutbox, settings):
    settings.COMMENTS_NOTIFY = "digest"
    make_moderator()
    article = make_article()
    for minutes in range(52, 0, -1):
        waiting(minutes, article=article, name=f"Reader {minutes:02d}")

    digest()

    body = mailoutbox[0].body
    assert "52 comments are waiting" in body
    assert "… and 2 more in the queue." in body
    assert "Reader 52" in body and "Reader 01" not in body


@pytest.mark.parametrize("mode", ["immediate", "digest", "off"])
def test_every_notify_mode_passes_the_check(settings, mode):
    settings.COMMENTS_NOTIFY = mode

    assert check_notify_mode() == []


def test_an_unknown_notify_mode_is_reported_by_manage_py_check(settings):
    settings.COMMENTS_NOTIFY = "daily"

    errors = [m for m in run_checks() if m.id == "comments.E003"]

    assert len(errors) == 1
    assert "'daily'" in errors[0].msg
    assert "immediate, digest, off" in errors[0].hint
