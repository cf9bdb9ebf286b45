"""Readers report comments without an account: one report each, rate limited, held at the threshold."""

import socket

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments import services
from comments.models import Comment, CommentReport
from comments.personal import REPORTER_COOKIE
from newsroom import counters, sharedcache
from tests.factories import make_article, make_comment, make_moderator

pytestmark = pytest.mark.django_db

THANKS = "Thank you — your report has reached the moderators."
ALREADY = "This comment has already been reported from this browser or this internet connection."
HOSTILE = '<script>alert("note")</script><img src=x onerror=alert(1)>'


def report_url(comment):
    return reverse("comments:report", args=[comment.pk])


def send(client, comment, *, ip="203.0.113.1", **data):
    """POST the Report form as a browser on our own page would (Origin header, no token)."""
    return client.post(
        report_url(comment),
        {"reason": "", "note": "", **data},
        headers={"Origin": "http://testserver"},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def browser():
    """A reader's browser, checked like a real one (no CSRF exemption)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def comment():
    return make_comment(name="Sam Writer", body="Something some readers dislike.")


# --- The control and the page --------------------------------------------------------------


def test_every_approved_comment_has_the_same_report_link_and_the_page_stays_shared(
    client,
):
    article = make_article()
    first = make_comment(article=article)
    second = make_comment(article=article, parent=first)
    url = article.get_absolute_url()

    page = client.get(url)
    again = client.get(url)

    for c in (first, second):
        assertContains(
            page,
            f'<a rel="nofollow" href="{report_url(c)}" '
            f'aria-label="Report the comment by {c.name}">Report</a>',
        )
    assert REPORTER_COOKIE not in page.cookies
    assert again["X-Page-Cache"] == "hit"


def test_the_report_page_shows_the_comment_the_reasons_and_the_note(client, comment):
    response = client.get(report_url(comment))

    assertContains(response, "Report a comment")
    assertContains(response, "Sam Writer")
    assertContains(response, "Something some readers dislike.")
    for label in (
        "No reason given",
        "Spam",
        "Abuse or harassment",
        "Off-topic",
        "Illegal content",
    ):
        assertContains(response, label)
    assertContains(response, 'type="radio" name="reason" value="abuse"')
    assertContains(response, 'maxlength="1000"')
    assertContains(response, '<meta name="robots" content="noindex">')
    assert "no-store" in response["Cache-Control"]
    assert REPORTER_COOKIE not in response.cookies  # only a report sets it


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_a_comment_not_on_the_site_cannot_be_reported(client, browser, status):
    hidden = make_comment(status=status, body="Not public text.")

    page = client.get(report_url(hidden))
    post = send(browser, hidden, reason="spam")

    assert page.status_code == 404 and post.status_code == 404
    assertNotContains(page, "Not public text.", status_code=404)
    assert not CommentReport.objects.exists()


def test_an_unknown_comment_or_one_on_a_draft_is_404(client):
    draft = make_article(status="draft", published_at=None)
    on_draft = make_comment(article=draft)

    assert client.get(reverse("comments:report", args=[987654])).status_code == 404
    assert client.get(report_url(on_draft)).status_code == 404


# --- Sending a report ----------------------------------------------------------------------


def test_a_report_is_stored_with_its_reason_and_note_and_thanks_the_reader(
    browser, comment
):
    response = send(
        browser, comment, reason="off_topic", note="  Not about the ferry. "
    )

    assertContains(response, THANKS)
    assertContains(response, f'href="{comment.get_absolute_url()}"')
    report = CommentReport.objects.get()
    assert (report.comment, report.reason, report.note) == (
        comment,
        CommentReport.Reason.OFF_TOPIC,
        "Not about the ferry.",
    )
    assert report.ip_address == "203.0.113.1"
    assert report.reporter and report.resolved_at is None
    # The reporter id is the one the browser now keeps, signed.
    cookie = response.cookies[REPORTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert report.reporter in cookie.value
    comment.refresh_from_db()
    assert comment.report_count == 1 and comment.status == Comment.Status.APPROVED


def test_a_report_without_reason_or_note_is_fine(browser, comment):
    response = send(browser, comment)

    assertContains(response, THANKS)
    assert CommentReport.objects.get().reason == CommentReport.Reason.NONE


def test_the_same_browser_cannot_report_a_comment_twice_even_from_another_ip(
    browser, comment
):
    send(browser, comment, reason="spam")

    again = send(browser, comment, ip="198.51.100.9", note="Again, from my phone")

    assertContains(again, ALREADY, status_code=409)
    assertContains(again, "Again, from my phone", status_code=409)  # the note is kept
    assert CommentReport.objects.count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_another_browser_on_the_same_ip_cannot_report_it_again(comment):
    send(Client(), comment, reason="spam")

    other = send(Client(), comment, reason="abuse")

    assertContains(other, ALREADY, status_code=409)
    assert CommentReport.objects.count() == 1


def test_readers_on_different_ips_each_report_once(comment):
    send(Client(), comment, ip="203.0.113.1")
    send(Client(), comment, ip="203.0.113.2")

    assert CommentReport.objects.filter(comment=comment).count() == 2
    comment.refresh_from_db()
    assert comment.report_count == 2


def test_one_ipv6_home_counts_as_one_reader_whatever_address_it_uses(settings, comment):
    # A home on IPv6 has a whole /64 to pick addresses from: three addresses in it, with no
    # cookie, are still one reader, and cannot hide a comment on their own.
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    first = send(Client(), comment, ip="2001:db8:1:2::1")
    again = [
        send(Client(), comment, ip=ip)
        for ip in ("2001:db8:1:2::2", "2001:db8:1:2:ab::3")
    ]
    neighbour = send(
        Client(), comment, ip="2001:db8:1:3::1"
    )  # another /64: another home

    assert first.status_code == 200
    assert [r.status_code for r in again] == [409, 409]
    assert neighbour.status_code == 200
    assert set(CommentReport.objects.values_list("ip_address", flat=True)) == {
        "2001:db8:1:2::",
        "2001:db8:1:3::",
    }


def test_reports_from_one_ipv6_home_share_one_rate_limit(settings):
    settings.COMMENTS_REPORTS_PER_HOUR = 1
    article = make_article()
    first, second = make_comment(article=article), make_comment(article=article)

    send(Client(), first, ip="2001:db8:9:9::1")
    answer = send(Client(), second, ip="2001:db8:9:9::2")

    assert answer.status_code == 429


def test_one_browser_may_report_different_comments(browser):
    article = make_article()
    first, second = make_comment(article=article), make_comment(article=article)

    send(browser, first)
    response = send(browser, second, ip="203.0.113.50")

    assertContains(response, THANKS)
    assert CommentReport.objects.count() == 2
    reporters = set(CommentReport.objects.values_list("reporter", flat=True))
    assert len(reporters) == 1  # the same browser, the same id


def test_a_forged_reporter_cookie_gets_a_new_id(browser, comment):
    browser.cookies[REPORTER_COOKIE] = "forged-value-without-signature"

    response = send(browser, comment)

    assertContains(response, THANKS)
    assert CommentReport.objects.get().reporter != "forged-value-without-signature"


# --- Limits --------------------------------------------------------------------------------


def test_reports_are_rate_limited_per_ip(settings):
    settings.COMMENTS_REPORTS_PER_HOUR = 2
    article = make_article()
    comments = [make_comment(article=article) for _ in range(4)]

    answers = [send(Client(), c, ip="203.0.113.7") for c in comments[:3]]
    elsewhere = send(Client(), comments[3], ip="203.0.113.8")

    assert [a.status_code for a in answers] == [200, 200, 429]
    assertContains(
        answers[2],
        "You have sent a lot of reports in the last hour. Please try again later.",
        status_code=429,
    )
    assert elsewhere.status_code == 200
    assert CommentReport.objects.count() == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    """The shared cache is a Redis nobody listens on (as in tests/test_resilience.py)."""
    sharedcache.reset()
    counters._local.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    sharedcache.reset()
    counters._local.clear()


def test_a_cache_outage_does_not_break_reporting_or_its_limit(
    cache_down, settings, comment
):
    settings.COMMENTS_REPORTS_PER_HOUR = 1
    other = make_comment(article=comment.article)

    first = send(Client(), comment, ip="203.0.113.9")
    second = send(Client(), other, ip="203.0.113.9")

    assertContains(first, THANKS)
    assert second.status_code == 429  # counted in this process while the cache is down


# --- Holding at the threshold --------------------------------------------------------------


def test_enough_reports_send_the_comment_back_to_the_moderators(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    make_moderator()
    article = make_article()
    kept = make_comment(article=article, body="A comment nobody minds.")
    reported = make_comment(article=article, body="A comment readers report.")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        send(Client(), reported, ip="203.0.113.1", reason="abuse")
    assert client.get(url)["X-Page-Cache"] == "hit"  # one report changes no page
    with django_capture_on_commit_callbacks(execute=True):
        last = send(Client(), reported, ip="203.0.113.2", reason="spam")

    assertContains(last, THANKS)
    assertContains(last, f'href="{url}#comments"')  # the comment itself is gone
    reported.refresh_from_db()
    assert reported.status == Comment.Status.PENDING
    assert reported.reason == Comment.Reason.REPORTED
    assert reported.report_count == 2
    article.refresh_from_db()
    assert article.comment_count == 1
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss"  # the stored page was made stale
    assertContains(page, kept.body)
    assertNotContains(page, reported.body)
    assertContains(page, "1 Comment")
    [email] = mailoutbox
    assert "Reported by readers" in email.body and reported.body in email.body


def test_dealt_with_reports_do_not_count_towards_the_hold(settings, comment):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    moderator = make_moderator()
    services.comment_report(
        comment=comment,
        reason="spam",
        note="",
        reporter="a" * 24,
        client=services.Client("203.0.113.1"),
    )

    closed = services.comment_reports_resolve(
        comments=Comment.objects.filter(pk=comment.pk), moderator=moderator
    )
    services.comment_report(
        comment=comment,
        reason="spam",
        note="",
        reporter="b" * 24,
        client=services.Client("203.0.113.2"),
    )

    comment.refresh_from_db()
    assert closed == 1
    assert comment.status == Comment.Status.APPROVED and comment.report_count == 1
    assert CommentReport.objects.filter(resolved_by=moderator).count() == 1


def test_a_comment_held_after_its_page_was_opened_cannot_be_reported(browser, comment):
    page = browser.get(report_url(comment))
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)

    response = send(browser, comment, reason="spam")

    assert page.status_code == 200 and response.status_code == 404
    assert not CommentReport.objects.exists()


# --- Bad input, forged posts ---------------------------------------------------------------


def test_a_note_over_the_limit_is_refused_and_kept(browser, comment):
    note = "x" * 1001

    response = send(browser, comment, note=note)

    assertContains(
        response, "Your note is 1001 characters; the limit is 1000.", status_code=400
    )
    assertContains(response, note, status_code=400)
    assertContains(response, "<title>Error:", status_code=400)
    assert not CommentReport.objects.exists()


def test_an_unknown_reason_is_refused(browser, comment):
    response = send(browser, comment, reason="because")

    assertContains(response, "Choose one of the reasons listed.", status_code=400)
    assert not CommentReport.objects.exists()


def test_a_report_from_another_site_is_refused(browser, comment):
    response = browser.post(
        report_url(comment),
        {"reason": "spam", "note": ""},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert not CommentReport.objects.exists()


def test_a_hostile_note_never_runs_on_the_report_page_or_for_moderators(
    browser, comment
):
    refused = send(browser, comment, note=HOSTILE + "x" * 1000)
    send(browser, comment, note=HOSTILE, reason="abuse")
    moderator = Client()
    moderator.force_login(make_moderator())

    change = moderator.get(reverse("admin:comments_comment_change", args=[comment.pk]))

    for response in (refused, change):
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;" in html
    assertContains(change, "Abuse or harassment")


def test_a_hostile_name_is_escaped_on_the_report_page(client):
    comment = make_comment(name='"><script>alert(1)</script>', url="")

    response = client.get(report_url(comment))

    assertNotContains(response, "<script>alert(1)")
    assertContains(response, "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;")


def test_old_reports_lose_their_ip_with_the_comments(comment):
    from datetime import timedelta

    from django.utils import timezone

    send(Client(), comment, ip="203.0.113.1")
    recent = make_comment(article=comment.article)
    send(Client(), recent, ip="203.0.113.2")
    CommentReport.objects.filter(comment=comment).update(
        created_at=timezone.now() - timedelta(days=100)
    )

    services.comment_ips_anonymise(older_than_days=90)

    assert CommentReport.objects.get(comment=comment).ip_address is None
    assert CommentReport.objects.get(comment=recent).ip_address == "203.0.113.2"


def test_a_signed_in_reader_keeps_the_full_csrf_check(comment):
    import re

    from django.contrib.auth.models import User

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.create_user("staffer", password="pw"))
    page = browser.get(report_url(comment))
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    ).group(1)

    without = send(browser, comment, reason="spam")
    with_token = send(browser, comment, reason="spam", csrfmiddlewaretoken=token)

    assert without.status_code == 403
    assertContains(with_token, THANKS)
    assert CommentReport.objects.count() == 1


def test_a_moderators_decision_deals_with_the_reports(settings, comment):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    moderator = make_moderator()
    for n in (1, 2):
        send(Client(), comment, ip=f"203.0.113.{n}")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    services.comments_moderate(
        Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.APPROVED,
        moderator=moderator,
    )
    after = send(Client(), comment, ip="203.0.113.3")

    comment.refresh_from_db()
    assertContains(after, THANKS)
    assert comment.status == Comment.Status.APPROVED  # one new report is not two
    assert comment.report_count == 1
    assert CommentReport.objects.filter(resolved_by=moderator).count() == 2


def test_dismissing_reports_is_in_the_comments_history(comment):
    from django.contrib.admin.models import LogEntry

    moderator = make_moderator()
    send(Client(), comment)

    services.comment_reports_resolve(
        comments=Comment.objects.filter(pk=comment.pk), moderator=moderator
    )
    again = services.comment_reports_resolve(
        comments=Comment.objects.filter(pk=comment.pk), moderator=moderator
    )

    assert again == 0
    assert list(
        LogEntry.objects.filter(object_id=str(comment.pk)).values_list(
            "change_message", flat=True
        )
    ) == ["Readers’ reports dealt with."]


def test_moderators_find_the_comments_with_open_reports(comment):
    quiet = make_comment(article=comment.article, body="Nobody reported this one.")
    send(Client(), comment, reason="spam")
    moderator = Client()
    moderator.force_login(make_moderator())

    listed = moderator.get(
        reverse("admin:comments_comment_changelist"), {"reports": "open"}
    )

    assertContains(listed, "Open reports")
    assertContains(listed, comment.body)
    assertNotContains(listed, quiet.body)
