from datetime import timedelta

import pytest
from django.utils import timezone

from comments import moderation
from comments.models import BlockedTerm, Comment, TrustedCommenter
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def verdict(article=None, **fields):
    values = {
        "article": article or make_article(),
        "name": "Sam",
        "email": "sam@example.org",
        "url": "",
        "body": "Plain words.",
        "ip_address": "203.0.113.5",
    }
    values.update(fields)
    return moderation.initial_verdict(**values)


def test_first_time_commenter_is_held_with_a_reason():
    result = verdict()

    assert (result.status, result.reason) == (
        Comment.Status.PENDING,
        Comment.Reason.FIRST_TIME,
    )


def test_returning_commenter_with_an_approved_comment_is_published():
    make_comment(name="Sam", email="sam@example.org")

    assert verdict(email="SAM@example.org").status == Comment.Status.APPROVED


def test_same_email_under_another_name_is_still_a_first_timer():
    make_comment(name="Sam", email="sam@example.org")

    assert verdict(name="Samantha").reason == Comment.Reason.FIRST_TIME


def test_pending_or_spam_history_does_not_count_as_approved():
    make_comment(name="Sam", email="sam@example.org", status=Comment.Status.PENDING)
    make_comment(name="Sam", email="sam@example.org", status=Comment.Status.SPAM)

    assert verdict().reason == Comment.Reason.FIRST_TIME


def test_hold_all_holds_even_returning_commenters_but_not_trusted_ones(settings):
    settings.COMMENTS_MODERATION = "all"
    make_comment(name="Sam", email="sam@example.org")

    assert verdict().reason == Comment.Reason.HOLD_ALL
    TrustedCommenter.objects.create(name="Sam", email="sam@example.org")
    assert verdict().status == Comment.Status.APPROVED


def test_hold_none_publishes_first_timers(settings):
    settings.COMMENTS_MODERATION = "none"

    assert verdict().status == Comment.Status.APPROVED


def test_too_many_links_are_held(settings):
    settings.COMMENTS_MODERATION = "none"
    body = "See https://a.example and http://b.example and www.c.example"

    result = verdict(body=body)

    assert (result.status, result.reason) == (
        Comment.Status.PENDING,
        Comment.Reason.TOO_MANY_LINKS,
    )
    assert "3 links" in result.detail
    assert (
        verdict(body="Just https://a.example and https://b.example").status
        == Comment.Status.APPROVED
    )


@pytest.mark.parametrize(
    ("term", "field", "value"),
    [
        ("casino", "body", "Best CASINO bonus here"),
        ("spammer@bad.example", "email", "spammer@bad.example"),
        ("bad.example", "url", "https://bad.example/offer"),
        ("Buy Pills", "name", "buy pills now"),
        ("198.51.100.7", "ip_address", "198.51.100.7"),
    ],
)
def test_blocked_term_anywhere_sends_to_spam_and_names_the_term(term, field, value):
    BlockedTerm.objects.create(term=term)

    result = verdict(**{field: value})

    assert (result.status, result.reason, result.detail) == (
        Comment.Status.SPAM,
        Comment.Reason.BLOCKED_TERM,
        term,
    )


def test_blocked_word_does_not_match_inside_other_words(settings):
    settings.COMMENTS_MODERATION = "none"
    BlockedTerm.objects.create(term="ass")

    assert verdict(body="A classic class assembly.").status == Comment.Status.APPROVED


def test_honeypot_is_spam_and_too_fast_is_held():
    assert verdict(honeypot_filled=True).reason == Comment.Reason.HONEYPOT
    assert verdict(honeypot_filled=True).status == Comment.Status.SPAM
    assert verdict(too_fast=True).reason == Comment.Reason.TOO_FAST
    assert verdict(too_fast=True).status == Comment.Status.PENDING


def test_staff_are_published_whatever_the_rules(settings):
    settings.COMMENTS_MODERATION = "all"

    assert (
        verdict(is_staff=True, body="https://a https://b https://c").status
        == Comment.Status.APPROVED
    )


def test_discussion_lifecycle(settings):
    settings.COMMENTS_MODERATE_AFTER_DAYS = 7
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    now = timezone.now()

    assert (
        moderation.discussion_state(make_article(published_at=now - timedelta(days=1)))
        == "open"
    )
    assert (
        moderation.discussion_state(make_article(published_at=now - timedelta(days=8)))
        == "moderated"
    )
    assert (
        moderation.discussion_state(make_article(published_at=now - timedelta(days=31)))
        == "closed"
    )
    assert moderation.discussion_state(make_article(comments_open=False)) == "closed"


def test_late_comments_are_held_with_the_lifecycle_reason(settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MODERATE_AFTER_DAYS = 7
    old = make_article(published_at=timezone.now() - timedelta(days=10))

    result = verdict(article=old)

    assert (result.status, result.reason) == (
        Comment.Status.PENDING,
        Comment.Reason.LATE,
    )


def test_lifecycle_rules_are_off_by_default(settings):
    assert settings.COMMENTS_MODERATE_AFTER_DAYS is None
    assert (
        moderation.discussion_state(
            make_article(published_at=timezone.now() - timedelta(days=900))
        )
        == "open"
    )


def test_reply_deeper_than_the_maximum_attaches_at_the_maximum(settings):
    settings.COMMENTS_MAX_DEPTH = 3
    top = make_comment()
    second = make_comment(article=top.article, parent=top)
    third = make_comment(article=top.article, parent=second)

    assert moderation.reply_parent(second) == second
    assert moderation.reply_parent(third) == second


@pytest.mark.parametrize(
    ("term", "field", "value"),
    [
        ("1.2.3.4", "ip_address", "11.2.3.45"),
        ("1.2.3.4", "ip_address", "1.2.3.40"),
        ("bob@x.example", "email", "jimbob@x.example"),
        ("bad.example", "url", "https://notbad.example/"),
    ],
)
def test_blocked_ip_email_and_domain_do_not_catch_lookalikes(
    settings, term, field, value
):
    settings.COMMENTS_MODERATION = "none"
    BlockedTerm.objects.create(term=term)

    assert verdict(**{field: value}).status == Comment.Status.APPROVED


def test_blocked_domain_catches_addresses_on_it():
    BlockedTerm.objects.create(term="bad.example")

    assert verdict(email="me@bad.example").reason == Comment.Reason.BLOCKED_TERM
    assert verdict(body="Visit bad.example.").reason == Comment.Reason.BLOCKED_TERM
