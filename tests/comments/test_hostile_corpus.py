"""Every submission in hostile_corpus.json, posted through the real view and then rendered in
the story page (thread and the author's held block), the comment feed, the admin list and
change view and the moderator email: never a 5xx, never live markup, stored as sent (or as
documented in docs/moderation.md) or refused with a clear message."""

import json
import time
from pathlib import Path

import feedparser
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from comments import services
from comments.groups import MODERATORS_GROUP
from comments.models import Comment
from comments.spam import form_token
from tests.comments.hostile import email_problems, markup_problems
from tests.factories import comment_form_data, make_article, make_comment

CORPUS = json.loads(
    (Path(__file__).with_name("hostile_corpus.json")).read_text(encoding="utf-8")
)

pytestmark = pytest.mark.django_db


def test_the_corpus_is_big_and_covers_every_kind():
    assert len(CORPUS) >= 80
    assert {e["category"] for e in CORPUS} >= {
        "xss", "url", "svg", "broken", "encoded", "sql", "controls", "utf8", "charset",
        "bidi", "size", "emoji", "content-type", "token", "parent",
    }  # fmt: skip


def _token(kind, article, other):
    fresh = form_token(article.pk, now=time.time() - 60)
    return {
        "forged": "forged-value",
        "other_article": form_token(other.pk, now=time.time() - 60),
        "missing": "",
        "tampered": fresh[:-4] + "AAAA",
    }.get(kind, fresh)


def _check_html(response, where):
    assert response.status_code < 500, where
    problems = markup_problems(response.content.decode())
    assert problems == [], where


@pytest.mark.parametrize("entry", CORPUS, ids=[e["name"] for e in CORPUS])
def test_hostile_submission(
    entry, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.COMMENTS_RATE_LIMIT = 100
    admin = User.objects.create_superuser("boss", "boss@example.org", "pw")
    admin.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    article, other = make_article(), make_article()
    fields = {"email": f"hostile{CORPUS.index(entry)}@example.org"}
    fields |= entry.get("fields", {})
    email = fields["email"]
    data = comment_form_data(article, **fields)
    data["timestamp"] = _token(entry.get("token"), article, other)
    if entry.get("parent") == "foreign":
        data["parent"] = str(make_comment(article=other).pk)
    elif entry.get("parent") == "pending":
        data["parent"] = str(make_comment(article=article, status="pending").pk)
    before = set(Comment.objects.values_list("pk", flat=True))
    reader = Client(REMOTE_ADDR="198.51.100.7")
    url = reverse("comments:post", args=[article.pk])
    if entry.get("token") == "replayed":
        reader.post(url, {**data, "email": "first@example.org", "body": "First one."})
        before = set(Comment.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        if "raw" in entry:
            raw = (
                entry["raw"]
                .replace("{token}", data["timestamp"])
                .replace("{email}", email)
                .replace("{big}", "x" * entry.get("big", 0))
            )
            response = reader.generic(
                "POST", url, raw.encode("ascii"), content_type=entry["content_type"]
            )
        else:
            response = reader.post(url, data)

    assert response.status_code < 500
    new = Comment.objects.exclude(pk__in=before)
    if entry["expect"] == "refused":
        assert response.status_code == entry["status"], response.content[:300]
        assert not new.exists()
        if response.get("Content-Type", "").startswith("text/html"):
            assert entry["message"] in response.content.decode()
            _check_html(response, "refusal page")
        return

    assert response.status_code == 302, response.content.decode()[:3000]
    comment = new.get()
    expected = {
        k: v for k, v in entry.get("fields", {}).items() if k in ("body", "name", "url")
    }
    expected = {k: v.strip() for k, v in expected.items()} | entry.get("stored", {})
    for field, value in expected.items():
        assert getattr(comment, field) == value, field
    if entry.get("held_reason"):
        assert comment.reason == entry["held_reason"]
    if entry.get("status_after"):
        assert comment.status == entry["status_after"]

    if comment.status == Comment.Status.PENDING:
        _check_html(reader.get(article.get_absolute_url()), "held block")
        [message] = mailoutbox
        assert email_problems(message) == []
        services.comments_moderate(
            Comment.objects.filter(pk=comment.pk), status="approved", moderator=admin
        )

    anonymous = Client()
    _check_html(anonymous.get(article.get_absolute_url()), "story page")
    feed_response = anonymous.get(article.get_absolute_url() + "comments/feed/")
    assert feed_response.status_code == 200
    feed = feedparser.parse(feed_response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    # Titles and names are text (escaped); descriptions are HTML to feed readers.
    assert "<script" not in feed_response.content.decode().lower()
    for item in feed.entries:
        assert markup_problems(item.description) == []
    staff = Client()
    staff.force_login(admin)
    _check_html(staff.get(reverse("admin:comments_comment_changelist")), "admin list")
    _check_html(
        staff.get(reverse("admin:comments_comment_change", args=[comment.pk])),
        "admin change",
    )


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>xss()</script></p>",
        '<img src=x onerror="1">',
        '<a href=" javascript:xss()">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg><a>xss</a></svg>",
        "<textarea></textarea><script>xss()</script>",
        '<script type="application/ld+json">{"a": "</script><script>xss()</script>',
    ],
)
def test_the_markup_audit_catches_live_markup(html):
    assert markup_problems(html) != []


def test_the_markup_audit_passes_escaped_text():
    escaped = '<p>&lt;script&gt;xss()&lt;/script&gt; <a href="https://evil.example/?q=&quot;">x</a></p>'
    assert markup_problems(escaped) == []


def test_the_email_audit_catches_a_line_posing_as_the_site():
    class Message:
        subject = "ok"
        body = (
            'Author: "Eve" <e@example.org>\nHeld because: x\nBcc: victim@example.org\n'
        )

    assert email_problems(Message) == ["unquoted line: 'Bcc: victim@example.org'"]
