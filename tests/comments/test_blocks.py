"""Expiring blocks on commenters: what each kind catches, how long it lasts, what it hides."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import moderation, services
from comments.blocks import BlockDuration
from comments.models import Block, Comment
from tests.factories import (
    comment_form_data,
    make_article,
    make_comment,
    make_moderator,
)

pytestmark = pytest.mark.django_db


def verdict_for(article, **given):
    values = {"name": "Val", "email": "val@example.org", "url": "", "ip_address": None}
    values.update(given)
    return moderation.initial_verdict(article=article, body="Hello there.", **values)


def block(kind, value, expires_at=None, **fields):
    item = Block(kind=kind, value=value, expires_at=expires_at, **fields)
    item.full_clean()
    item.save()
    return item


@pytest.mark.parametrize(
    ("kind", "value", "given"),
    [
        ("email", "Troll@Example.org", {"email": "troll@example.org"}),
        ("domain", "spam.example", {"email": "x@spam.example"}),
        ("domain", "spam.example", {"email": "x@mail.spam.example"}),
        ("domain", "www.spam.example", {"url": "https://spam.example/offer"}),
        ("domain", "spam.example", {"url": "http://shop.spam.example"}),
        ("ip", "203.0.113.7", {"ip_address": "203.0.113.7"}),
        ("ip", "2001:DB8::0:1", {"ip_address": "2001:db8::1"}),
    ],
)
def test_a_block_of_each_kind_sends_new_comments_to_spam(kind, value, given):
    article = make_article()
    block(kind, value)

    verdict = verdict_for(article, **given)

    assert verdict.status == Comment.Status.SPAM
    assert verdict.reason == Comment.Reason.BLOCKED


@pytest.mark.parametrize(
    ("kind", "value", "given"),
    [
        ("email", "troll@example.org", {"email": "nottroll@example.org"}),
        ("domain", "spam.example", {"email": "x@notspam.example"}),
        ("domain", "spam.example", {"url": "https://spam.example.org/"}),
        ("ip", "203.0.113.7", {"ip_address": "203.0.113.70"}),
    ],
)
def test_a_block_does_not_catch_lookalikes(kind, value, given, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    block(kind, value)

    assert verdict_for(article, **given).status == Comment.Status.APPROVED


def test_a_posted_comment_from_a_blocked_email_goes_to_spam_and_says_why(client):
    article = make_article()
    block("email", "pat@example.org", reason="Abuse")

    client.post(reverse("comments:post", args=[article.pk]), comment_form_data(article))

    comment = Comment.objects.get()
    assert (comment.status, comment.reason) == ("spam", Comment.Reason.BLOCKED)
    assert comment.reason_detail == "Email address: pat@example.org"


def test_an_expired_block_stops_applying_by_itself(settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    item = block("ip", "198.51.100.9", expires_at=timezone.now() + timedelta(days=1))
    assert verdict_for(article, ip_address="198.51.100.9").status == "spam"

    # A day later: nothing was run, the block has simply expired.
    Block.objects.filter(pk=item.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert verdict_for(article, ip_address="198.51.100.9").status == "approved"
    assert Block.objects.get().is_active is False


@pytest.mark.parametrize(
    ("duration", "days"),
    [("1d", 1), ("7d", 7), ("30d", 30), ("forever", None)],
)
def test_commenters_block_lasts_the_chosen_time(duration, days):
    moderator = make_moderator()
    comment = make_comment(email="a@troll.example", ip_address="192.0.2.1")
    before = timezone.now()

    result = services.commenters_block(
        comments=Comment.objects.filter(pk=comment.pk),
        kinds=["email", "ip"],
        duration=duration,
        reason="Trolling",
        hide_earlier=False,
        moderator=moderator,
    )

    assert {(b.kind, b.value) for b in result.created} == {
        ("email", "a@troll.example"),
        ("ip", "192.0.2.1"),
    }
    for item in Block.objects.all():
        assert item.created_by == moderator and item.reason == "Trolling"
        if days is None:
            assert item.expires_at is None
        else:
            assert (
                before + timedelta(days=days)
                <= item.expires_at
                <= timezone.now() + timedelta(days=days)
            )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # hiding was not asked for


def test_domain_blocks_take_the_email_and_website_domains_but_never_a_shared_one():
    moderator = make_moderator()
    comments = [
        make_comment(email="a@gmail.com", url="https://www.bad-shop.example/buy"),
        make_comment(email="b@spam.example"),
    ]

    result = services.commenters_block(
        comments=Comment.objects.filter(pk__in=[c.pk for c in comments]),
        kinds=["domain"],
        duration=BlockDuration.WEEK,
        reason="Spam run",
        hide_earlier=False,
        moderator=moderator,
    )

    assert sorted(b.value for b in result.created) == [
        "bad-shop.example",
        "spam.example",
    ]
    assert result.shared_domains == ["gmail.com"]
    assert not Block.objects.filter(value="gmail.com").exists()


def test_blocking_again_keeps_one_block_per_value_lengthened_when_asked_for_longer():
    moderator = make_moderator()
    comment = make_comment(email="a@troll.example")
    selected = Comment.objects.filter(pk=comment.pk)
    kwargs = {"comments": selected, "kinds": ["email"], "reason": "r", "hide_earlier": False, "moderator": moderator}  # fmt: skip
    first = services.commenters_block(duration="30d", **kwargs)

    shorter = services.commenters_block(duration="7d", **kwargs)
    longer = services.commenters_block(duration="forever", **kwargs)

    assert shorter.created == shorter.extended == []
    assert shorter.already == [("email", "a@troll.example")]
    assert longer.created == [] and longer.extended == first.created
    [block] = Block.objects.all()
    assert block.expires_at is None


def test_hide_earlier_removes_their_published_and_waiting_comments_only(client):
    moderator = make_moderator()
    article = make_article()
    shown = make_comment(article=article, email="t@troll.example", body="Old insult")
    waiting = make_comment(
        article=article, email="t@troll.example", status=Comment.Status.PENDING
    )
    spam = make_comment(article=article, email="t@troll.example", status="spam")
    same_ip = make_comment(
        article=article, email="other@x.example", ip_address="192.0.2.5"
    )
    bystander = make_comment(article=article, body="Nice story")
    trigger = make_comment(
        article=article, email="t@troll.example", ip_address="192.0.2.5"
    )
    assert article.__class__.objects.get(pk=article.pk).comment_count == 4

    result = services.commenters_block(
        comments=Comment.objects.filter(pk=trigger.pk),
        kinds=["email", "ip"],
        duration="forever",
        reason="Harassment",
        hide_earlier=True,
        moderator=moderator,
    )

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert (
        statuses[shown.pk] == statuses[waiting.pk] == statuses[trigger.pk] == "removed"
    )
    assert statuses[same_ip.pk] == "removed"
    assert statuses[spam.pk] == "spam"  # already hidden: left as it was
    assert statuses[bystander.pk] == "approved"
    assert result.hidden == 4
    assert article.__class__.objects.get(pk=article.pk).comment_count == 1
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Old insult" not in page and "Nice story" in page


def test_hide_earlier_by_domain_covers_emails_and_websites_on_it():
    moderator = make_moderator()
    by_email = make_comment(email="x@sub.spam.example")
    by_site = make_comment(email="y@example.org", url="https://spam.example/")
    unrelated = make_comment(email="z@example.org", url="https://notspam.example/")
    trigger = make_comment(email="w@spam.example")

    services.commenters_block(
        comments=Comment.objects.filter(pk=trigger.pk),
        kinds=["domain"],
        duration="7d",
        reason="Spam",
        hide_earlier=True,
        moderator=moderator,
    )

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[by_email.pk] == statuses[by_site.pk] == "removed"
    assert statuses[unrelated.pk] == "approved"


def test_block_values_are_checked_and_normalised():
    item = block("domain", "  WWW.Spam.Example. ")

    assert item.value == "spam.example"
    with pytest.raises(Exception, match="IP address"):
        block("ip", "not-an-ip")
    with pytest.raises(Exception, match="domain"):
        block("domain", "localhost")


def test_the_data_export_lists_blocks_on_the_address_and_its_ips():
    from comments.services import commenter_data_export

    make_comment(email="ann@example.org", ip_address="203.0.113.5")
    block("email", "ann@example.org", reason="Spam")
    block("ip", "203.0.113.5")
    block("ip", "203.0.113.6")

    data = commenter_data_export(email="ann@example.org")

    assert [(b["kind"], b["value"]) for b in data["blocks"]] == [
        ("email", "ann@example.org"),
        ("ip", "203.0.113.5"),
    ]
