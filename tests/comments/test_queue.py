"""The moderation queue in the admin (comments/desk.py, comments/queue.py), as moderators use it."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments import queue
from comments.groups import MODERATORS_GROUP
from comments.models import Comment, CommentReport, TrustedCommenter
from comments.services import comment_reports_resolve
from tests.factories import make_article, make_comment, make_section

pytestmark = pytest.mark.django_db

QUEUE = "admin:comments_comment_queue"
DECIDE = "admin:comments_comment_queue_decide"


def login(group=None, *, username=None, superuser=False, csrf=False):
    username = username or (group or "super").lower()
    if superuser:
        user = User.objects.create_superuser(username, password="pw")
    else:
        user = User.objects.create_user(username, password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client, user


@pytest.fixture
def moderator():
    return login(MODERATORS_GROUP, username="sam")


def held(**fields):
    fields.setdefault("status", Comment.Status.PENDING)
    fields.setdefault("reason", Comment.Reason.FIRST_TIME)
    return make_comment(**fields)


def aged(comment, **delta):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(**delta)
    )
    comment.refresh_from_db()
    return comment


def cards(response):
    return [card["comment"] for card in response.context["cards"]]


def decide(client, comment, decision, *, tab="held", json=False, **extra):
    data = {"decision": f"{decision}:{comment.pk}", "page_ids": [comment.pk]}
    if tab != "held":
        data["tab"] = tab
    data.update(extra)
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse(DECIDE), data, **headers)


# --- who may use it ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page_and_cannot_decide():
    comment = held()
    client = Client()

    page = client.get(reverse(QUEUE))
    post = decide(client, comment, "approve")

    assert page.status_code == 302 and "/admin/login/" in page["Location"]
    assert post.status_code == 302 and "/admin/login/" in post["Location"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_editors_are_refused_the_queue_and_every_decision():
    comment = held()
    client, _ = login("Editors")

    assert client.get(reverse(QUEUE)).status_code == 403
    for decision in ("approve", "spam", "remove", "trust"):
        assert decide(client, comment, decision).status_code == 403
    bulk = client.post(reverse(DECIDE), {"bulk": "approve", "ids": [comment.pk]})
    assert bulk.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not TrustedCommenter.objects.exists()
    assertNotContains(client.get(reverse("admin:index")), reverse(QUEUE))


def test_moderators_and_superusers_get_the_queue(moderator):
    held(body="Waiting for you")
    client, _ = moderator
    boss, _ = login(superuser=True)

    for who in (client, boss):
        response = who.get(reverse(QUEUE))
        assert response.status_code == 200
        assertContains(response, "Waiting for you")
        assertContains(response, "<h1>Moderation queue</h1>", html=True)


def test_a_decision_needs_a_post_with_the_csrf_token():
    comment = held()
    client, _ = login(MODERATORS_GROUP, csrf=True)

    assert client.get(reverse(DECIDE)).status_code == 405
    assert decide(client, comment, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# --- the cards --------------------------------------------------------------------------


def test_a_card_shows_everything_needed_to_decide(moderator):
    client, _ = moderator
    section = make_section(name="Harbour news")
    story = make_article(headline="Ferry timetable changes", section=section)
    parent = make_comment(
        article=story, name="First Voice", body="Parent text " + "long " * 80
    )
    make_comment(email="pat@example.org", name="Pat")  # approved before
    make_comment(email="pat@example.org", status=Comment.Status.SPAM)
    make_comment(email="pat@example.org", status=Comment.Status.REMOVED)
    make_comment(email="pat@example.org", status=Comment.Status.REMOVED)
    body = (
        "The whole text of my comment, " + "which goes on and on " * 20 + "to the end."
    )
    comment = aged(
        held(
            article=story,
            parent=parent,
            name="Pat",
            email="pat@example.org",
            url="https://pat.example.org/",
            body=body,
            reason=Comment.Reason.TOO_MANY_LINKS,
            reason_detail="4 links",
            ip_address="198.51.100.7",
        ),
        hours=3,
        minutes=5,
    )

    response = client.get(reverse(QUEUE))

    assertContains(response, "to the end.")  # the whole text, not an excerpt
    assertContains(response, "which goes on and on " * 20)
    assertContains(response, "pat@example.org")
    assertContains(response, 'href="https://pat.example.org/"')
    assertContains(response, "198.51.100.7")
    assertContains(
        response, f'<a href="{story.get_absolute_url()}">Ferry timetable changes</a>'
    )
    assertContains(response, "(Harbour news)")
    assertContains(response, f"/comments/{comment.pk}/preview/#comment-{comment.pk}")
    assertContains(response, "First Voice")
    assertContains(response, "Parent text long")
    assertNotContains(response, "long " * 60)  # the parent is shortened
    assertContains(response, "Too many links — 4 links")
    assertContains(response, "3 h ago")
    assertContains(response, "1 approved · 1 spam · 2 removed")
    record_link = reverse("admin:comments_comment_changelist") + (
        "?email__exact=pat%40example.org"
    )
    assertContains(response, record_link)
    their = client.get(record_link)
    assert their.status_code == 200
    assert {c.email for c in their.context["cl"].result_list} == {"pat@example.org"}
    assert their.context["cl"].result_count == 5


def test_an_approved_comment_links_to_its_permalink(moderator):
    client, _ = moderator
    comment = make_comment(report_count=1)

    response = client.get(reverse(QUEUE) + "?tab=reported")

    assertContains(response, reverse("comments:permalink", args=[comment.pk]))


def test_hostile_input_is_shown_as_text(moderator):
    client, _ = moderator
    parent = make_comment(body="<b>parent</b><script>alert(2)</script>")
    held(
        parent=parent,
        name='<img src=x onerror="alert(1)">',
        body="<script>alert(3)</script> and <iframe src=//evil>",
        url="javascript:alert(4)",
        reason_detail="<svg onload=alert(5)>",
    )

    response = client.get(reverse(QUEUE))
    html = response.content.decode()

    assert "<script>alert" not in html
    assert "<iframe" not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html
    assert 'href="javascript:' not in html
    assertContains(response, "&lt;script&gt;alert(3)&lt;/script&gt;")
    assertContains(response, "&lt;img src=x onerror=")


def test_pending_comments_come_oldest_first_and_decided_ones_not_at_all(moderator):
    client, _ = moderator
    newer = aged(held(body="newer"), hours=1)
    older = aged(held(body="older"), hours=9)
    make_comment(body="already approved")
    make_comment(body="binned", status=Comment.Status.SPAM)

    response = client.get(reverse(QUEUE))

    assert cards(response) == [older, newer]


# --- decisions, without JavaScript -------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("approve", Comment.Status.APPROVED),
        ("spam", Comment.Status.SPAM),
        ("remove", Comment.Status.REMOVED),
        ("trust", Comment.Status.APPROVED),
    ],
)
def test_one_click_decides_and_comes_back_to_the_queue_at_the_next_card(
    moderator, decision, status
):
    client, user = moderator
    first, second, third = (aged(held(), hours=h) for h in (3, 2, 1))
    page_ids = [first.pk, second.pk, third.pk]

    response = client.post(
        reverse(DECIDE),
        {"decision": f"{decision}:{second.pk}", "page_ids": page_ids, "q": "Comment"},
    )

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse(QUEUE)
    assert parse_qs(location.query) == {"q": ["Comment"]}
    assert location.fragment == f"card-{third.pk}"
    second.refresh_from_db()
    assert second.status == status
    assert second.moderated_by == user
    assert second.moderated_at is not None
    for untouched in (first, third):
        untouched.refresh_from_db()
        assert untouched.status == Comment.Status.PENDING
    assert TrustedCommenter.objects.filter(email=second.email).exists() == (
        decision == "trust"
    )
    back = client.get(response["Location"])
    assert cards(back) == [first, third]
    assert [m.message for m in back.context["messages"]] == [
        {
            "approve": "1 comment approved.",
            "spam": "1 comment marked as spam.",
            "remove": "1 comment removed.",
            "trust": "1 comment approved; its author is trusted.",
        }[decision]
    ]


def test_after_the_last_card_the_queue_comes_back_at_the_one_before(moderator):
    client, _ = moderator
    first, last = aged(held(), hours=2), aged(held(), hours=1)

    response = client.post(
        reverse(DECIDE),
        {"decision": f"approve:{last.pk}", "page_ids": [first.pk, last.pk]},
    )

    assert response["Location"].endswith(f"#card-{first.pk}")


def test_filters_and_page_survive_a_decision(moderator):
    client, _ = moderator
    story = make_article()
    comment = held(article=story, reason=Comment.Reason.HOLD_ALL)

    response = client.post(
        reverse(DECIDE),
        {
            "decision": f"spam:{comment.pk}",
            "page_ids": [comment.pk],
            "story": story.pk,
            "section": story.section_id,
            "reason": "hold_all",
            "q": "number",
            "page": "2",
        },
    )

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {
        "story": [str(story.pk)],
        "section": [str(story.section_id)],
        "reason": ["hold_all"],
        "q": ["number"],
        "page": ["2"],
    }


def test_with_javascript_a_decision_answers_json_with_the_new_summary(moderator):
    client, _ = moderator
    comment, other = held(), held()

    response = decide(client, comment, "approve", json=True)

    assert response.status_code == 200
    data = response.json()
    assert data["decided"] == [comment.pk]
    assert data["message"] == "1 comment approved."
    assert data["summary"]["waiting"] == 1
    assert data["summary"]["text"].startswith("1 waiting · oldest ")
    other.refresh_from_db()
    assert other.status == Comment.Status.PENDING
    # No message is left for the next page load: the script showed it.
    assert not list(client.get(reverse(QUEUE)).context["messages"])


def test_a_comment_someone_else_decided_meanwhile_is_left_alone(moderator):
    client, _ = moderator
    other, _ = login(MODERATORS_GROUP, username="alex")
    comment = held()
    decide(other, comment, "approve")

    response = decide(client, comment, "spam")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by.username == "alex"
    back = client.get(response["Location"])
    assertContains(back, "Already decided: someone else got there first.")


def test_unknown_decisions_are_refused(moderator):
    client, _ = moderator
    comment = held()

    assert decide(client, comment, "publish").status_code == 400
    assert decide(client, comment, "keep").status_code == 400  # a reported-tab decision
    assert client.post(reverse(DECIDE), {"decision": "approve:nope"}).status_code == 400
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# --- bulk -------------------------------------------------------------------------------


def test_bulk_decides_the_selected_cards(moderator):
    client, user = moderator
    a, b, c = held(), held(), held()

    response = client.post(
        reverse(DECIDE),
        {"bulk": "remove", "ids": [a.pk, c.pk], "page_ids": [a.pk, b.pk, c.pk]},
        follow=True,
    )

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {
        a.pk: Comment.Status.REMOVED,
        b.pk: Comment.Status.PENDING,
        c.pk: Comment.Status.REMOVED,
    }
    assertContains(response, "2 comments removed.")
    assert cards(response) == [b]


def test_select_all_on_this_page_decides_every_card_of_the_page(moderator):
    client, _ = moderator
    page_one = [held() for _ in range(3)]
    not_on_page = held()

    client.post(
        reverse(DECIDE),
        {
            "bulk": "trust",
            "all_on_page": "1",
            "page_ids": [c.pk for c in page_one],
        },
    )

    assert set(Comment.objects.approved().values_list("pk", flat=True)) == {
        c.pk for c in page_one
    }
    assert TrustedCommenter.objects.count() == 3
    not_on_page.refresh_from_db()
    assert not_on_page.status == Comment.Status.PENDING


def test_bulk_with_nothing_selected_changes_nothing_and_says_so(moderator):
    client, _ = moderator
    comment = held()

    response = client.post(
        reverse(DECIDE), {"bulk": "spam", "page_ids": [comment.pk]}, follow=True
    )

    assertContains(response, "Select at least one comment first.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# --- reports ----------------------------------------------------------------------------


def report(comment, *, reason="abuse", note="", reporter=None):
    CommentReport.objects.create(
        comment=comment,
        reason=reason,
        note=note,
        reporter=reporter or f"r{CommentReport.objects.count()}",
    )
    Comment.objects.filter(pk=comment.pk).update(
        report_count=CommentReport.objects.filter(
            comment=comment, resolved_at__isnull=True
        ).count()
    )
    comment.refresh_from_db()
    return comment


def test_reported_tab_lists_reported_comments_with_their_reasons_and_notes(moderator):
    client, _ = moderator
    reported = report(
        report(make_comment(body="Reported one"), note="Name-calling <b>here</b>"),
        reason="spam",
    )
    make_comment(body="Nobody minded")
    held(body="Only held")

    response = client.get(reverse(QUEUE) + "?tab=reported")

    assert cards(response) == [reported]
    assertContains(response, "2 open reports")
    assertContains(response, "Abuse or harassment")
    assertContains(response, "Name-calling &lt;b&gt;here&lt;/b&gt;")
    assertContains(response, "Keep (dismiss reports)")
    assertNotContains(response, 'value="approve:')


def test_keep_dismisses_the_reports_and_keeps_the_comment(moderator):
    client, user = moderator
    comment = report(report(make_comment()))

    response = decide(client, comment, "keep", tab="reported")

    assert parse_qs(urlsplit(response["Location"]).query) == {"tab": ["reported"]}
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.report_count == 0
    assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()
    assert set(CommentReport.objects.values_list("resolved_by", flat=True)) == {user.pk}
    assert cards(client.get(reverse(QUEUE) + "?tab=reported")) == []


def test_keep_puts_back_a_comment_the_reports_had_held(moderator):
    client, _ = moderator
    comment = report(held(reason=Comment.Reason.REPORTED))

    decide(client, comment, "keep", tab="reported")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.report_count == 0


@pytest.mark.parametrize(
    ("decision", "status"),
    [("remove", Comment.Status.REMOVED), ("spam", Comment.Status.SPAM)],
)
def test_removing_or_spamming_a_reported_comment_resolves_its_reports(
    moderator, decision, status
):
    client, user = moderator
    comment = report(make_comment())

    decide(client, comment, decision, tab="reported")

    comment.refresh_from_db()
    assert comment.status == status
    assert comment.report_count == 0
    assert CommentReport.objects.get().resolved_by == user


def test_approving_a_held_comment_with_reports_resolves_them(moderator):
    client, _ = moderator
    comment = report(held(reason=Comment.Reason.REPORTED))

    decide(client, comment, "approve")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.report_count == 0
    assert CommentReport.objects.get().resolved_at is not None


def test_comment_reports_resolve_closes_open_reports_only():
    from tests.factories import make_moderator

    moderator = make_moderator()
    earlier = make_moderator("earlier", "earlier@example.org")
    comment = report(report(make_comment()))
    old = CommentReport.objects.first()
    CommentReport.objects.filter(pk=old.pk).update(
        resolved_at=timezone.now() - timedelta(days=2), resolved_by=earlier
    )
    other = report(make_comment())

    n = comment_reports_resolve(
        comments=Comment.objects.filter(pk=comment.pk), moderator=moderator
    )

    assert n == 1
    comment.refresh_from_db()
    other.refresh_from_db()
    assert comment.report_count == 0 and other.report_count == 1
    old.refresh_from_db()
    assert old.resolved_by == earlier  # already dealt with: left as it was
    assert (
        CommentReport.objects.filter(comment=comment, resolved_by=moderator).count()
        == 1
    )
    assert CommentReport.objects.filter(comment=other, resolved_at=None).count() == 1


# --- filters, search, pages -------------------------------------------------------------


def test_filters_by_story_section_and_why_held(moderator):
    client, _ = moderator
    section = make_section()
    story = make_article(section=section)
    on_story = held(article=story, reason=Comment.Reason.TOO_FAST)
    in_section = held(
        article=make_article(section=section), reason=Comment.Reason.FIRST_TIME
    )
    elsewhere = held(reason=Comment.Reason.TOO_FAST)

    by_story = client.get(reverse(QUEUE), {"story": story.pk})
    by_section = client.get(reverse(QUEUE), {"section": section.pk})
    by_reason = client.get(reverse(QUEUE), {"reason": "too_fast"})
    nonsense = client.get(reverse(QUEUE), {"story": "x", "reason": "nope", "page": "-"})

    assert cards(by_story) == [on_story]
    assert cards(by_section) == [on_story, in_section]
    assert cards(by_reason) == [on_story, elsewhere]
    assert cards(nonsense) == [on_story, in_section, elsewhere]
    assertContains(by_story, f'<option value="{story.pk}" selected>')


@pytest.mark.parametrize(
    "q", ["Robin", "robin@harbour.example", "lighthouse keeper", "192.0.2.61"]
)
def test_search_finds_name_email_text_and_ip(moderator, q):
    client, _ = moderator
    wanted = held(
        name="Robin Vale",
        email="robin@harbour.example",
        body="The lighthouse keeper retired.",
        ip_address="192.0.2.61",
    )
    held(name="Other", body="Nothing to see", ip_address="198.51.100.1")

    response = client.get(reverse(QUEUE), {"q": q})

    assert cards(response) == [wanted]


def test_the_queue_is_paged_by_fifty(moderator):
    client, _ = moderator
    comments = [aged(held(), minutes=100 - i) for i in range(51)]

    first = client.get(reverse(QUEUE))
    second = client.get(reverse(QUEUE), {"page": 2})

    assert cards(first) == comments[:50]
    assert cards(second) == comments[50:]
    assertContains(first, "Page 1 of 2")
    assertContains(first, "?page=2")


# --- empty queue and the summary --------------------------------------------------------


def test_an_empty_queue_says_when_and_by_whom_the_last_decision_was(moderator):
    client, user = moderator
    comment = held()
    decide(client, comment, "approve")
    Comment.objects.filter(pk=comment.pk).update(
        moderated_at=timezone.now() - timedelta(minutes=12, seconds=5)
    )

    response = client.get(reverse(QUEUE))

    assertContains(response, "Nothing waiting. Last decision 12 min ago by sam.")


def test_an_empty_queue_with_no_decision_yet(moderator):
    client, _ = moderator

    response = client.get(reverse(QUEUE))

    assertContains(response, "Nothing waiting.")
    assertNotContains(response, "Last decision")


def test_filters_that_match_nothing_say_so(moderator):
    client, _ = moderator
    held()

    response = client.get(reverse(QUEUE), {"q": "no such words"})

    assertContains(response, "Nothing matches these filters.")


def test_index_and_queue_header_show_waiting_oldest_and_open_reports(moderator):
    client, _ = moderator
    aged(held(), hours=9, minutes=10)
    aged(held(), hours=2)
    held()
    report(report(make_comment()))

    index = client.get(reverse("admin:index"))
    page = client.get(reverse(QUEUE))
    app = client.get(reverse("admin:app_list", args=["comments"]))

    summary = "3 waiting · oldest 9 h · 2 reports open"
    assertContains(index, summary)
    assertContains(page, summary)
    assertContains(index, "1 reported comment to look at")
    # The queue is the first thing listed under Comments, on the index and the app page.
    for response in (index, app):
        html = response.content.decode()
        comments_module = html[html.index('class="app-comments module') :]
        assert comments_module.index(reverse(QUEUE)) < comments_module.index(
            reverse("admin:comments_comment_changelist") + '"'
        )


def test_age_labels():
    assert queue.age(timedelta(seconds=20)) == "under a minute"
    assert queue.age(timedelta(minutes=12, seconds=59)) == "12 min"
    assert queue.age(timedelta(hours=9, minutes=59)) == "9 h"
    assert queue.age(timedelta(hours=47)) == "47 h"
    assert queue.age(timedelta(days=3, hours=1)) == "3 d"
    now = timezone.now()
    assert queue.ago(now - timedelta(seconds=5), now) == "just now"
    assert queue.ago(now - timedelta(hours=3), now) == "3 h ago"


# --- queries ----------------------------------------------------------------------------


def _fill(n):
    """n held comments on several stories, half of them replies, by commenters with records."""
    stories = [make_article() for _ in range(3)]
    parents = [make_comment(article=s) for s in stories]
    for i in range(n):
        email = f"queue{i % 7}@example.org"
        make_comment(email=email, status=Comment.Status.REMOVED if i % 2 else "spam")
        comment = held(
            article=stories[i % 3],
            parent=parents[i % 3] if i % 2 else None,
            email=email,
        )
        if i % 5 == 0:
            report(comment, note="rude")


QUEUE_QUERIES = 11


@pytest.mark.parametrize("n", [5, 50])
def test_the_queue_runs_the_same_queries_for_5_or_50_cards(
    moderator, django_assert_num_queries, n
):
    client, _ = moderator
    _fill(n)
    client.get(reverse(QUEUE))  # the session and permissions, as on any admin page

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse(QUEUE))

    assert len(response.context["cards"]) == n
    assert response.context["cards"][1]["comment"].parent is not None


@pytest.mark.parametrize("n", [5, 50])
def test_the_reported_tab_runs_the_same_queries_for_5_or_50_cards(
    moderator, django_assert_num_queries, n
):
    client, _ = moderator
    for _ in range(n):
        report(report(make_comment()))
    client.get(reverse(QUEUE))

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse(QUEUE) + "?tab=reported")

    assert len(response.context["cards"]) == n
    assertContains(response, "2 open reports", count=n)


def test_the_queue_has_no_inline_code_or_styles_and_loads_its_own_files(moderator):
    from tests.articles.test_views import csp_violations

    client, _ = moderator
    hostile = '<img src=x onerror="alert(1)"> <style>p{}</style> <b style="x">'
    held(body="Held " + hostile, name=hostile, reason_detail=hostile)
    report(make_comment(body="Reported " + hostile), note=hostile)

    pages = {
        "held": client.get(reverse(QUEUE)),
        "reported": client.get(reverse(QUEUE) + "?tab=reported"),
        "index": client.get(reverse("admin:index")),
    }
    Comment.objects.update(status=Comment.Status.APPROVED, report_count=0)
    pages["empty"] = client.get(reverse(QUEUE))

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert csp_violations(response.content.decode()) == [], name
        assert "script-src 'self'" in response["Content-Security-Policy"], name
    assertContains(pages["held"], "/static/js/desk.js")
    assertContains(pages["held"], "/static/css/desk.css")
    assertNotContains(pages["index"], "desk.js")
