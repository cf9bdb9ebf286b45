"""A moderator at the moderation queue in Chromium: the keyboard, no JavaScript, axe-core, the fit."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import screenshot, set_viewport
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}
QUEUE = "admin:comments_comment_queue"


def _held(n):
    """n held comments on two stories, every other one a reply, with long and short texts."""
    stories = [make_article(headline=f"Harbour story {i}") for i in range(2)]
    parents = [
        make_comment(article=s, body="An earlier approved comment.") for s in stories
    ]
    return [
        make_comment(
            article=stories[i % 2],
            parent=parents[i % 2] if i % 2 else None,
            name=f"Held reader {i}",
            email=f"held{i}@example.org",
            url="https://reader.example.org/a/rather/long/path/to/a/personal/page"
            if i % 3 == 0
            else "",
            body=f"Held comment {i}. "
            + "A line of text that needs reading. " * (1 + i % 4),
            status=Comment.Status.PENDING,
            reason=Comment.Reason.FIRST_TIME
            if i % 2
            else Comment.Reason.TOO_MANY_LINKS,
            reason_detail="" if i % 2 else "3 links",
            ip_address=f"203.0.113.{i % 250}",
        )
        for i in range(n)
    ]


def _moderator():
    """A member of the Moderators group (made again here: a browser test's database is flushed)."""
    from django.contrib.auth.models import Group, Permission, User

    from comments.groups import MODERATORS_GROUP

    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments",
            codename__in=["view_comment", "change_comment", "moderate_comment"],
        )
    )
    user = User.objects.create_user("sam", password="pw", is_staff=True)
    user.groups.add(group)
    return user


def _signed_in(new_page, live_server, **options):
    """A page with a moderator's session cookie (signed in through Django's test client)."""
    client = Client()
    client.force_login(_moderator())
    page = new_page(**options)
    _add_session(page.context, client, live_server)
    return page


def _add_session(context, client, live_server):
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _loads(page):
    """Count the documents the page loads from now on."""
    loads = []
    page.on("load", lambda: loads.append(page.url))
    return loads


def test_a_moderator_clears_50_held_comments_with_the_keyboard_alone(
    new_page, live_server
):
    comments = _held(50)
    page = _signed_in(new_page, live_server)
    page.goto(reverse(QUEUE))
    expect(page.locator("#desk-keys")).to_be_visible()
    expect(page.locator(".desk-card")).to_have_count(50)
    loads = _loads(page)
    keys = []

    def press(key):
        keys.append(key)
        page.keyboard.press(key)

    started = time.monotonic()
    # Look at the second card and back (j/k), then decide each card in turn: a, s, r, t.
    press("j")
    expect(page.locator(f"#card-{comments[1].pk}")).to_be_focused()
    press("k")
    expect(page.locator(f"#card-{comments[0].pk}")).to_be_focused()
    plan = "asrt"
    for i in range(len(comments) - 1):
        press(plan[i % 4])
        # The decided card leaves at once and the next one has the focus.
        expect(page.locator(f"#card-{comments[i + 1].pk}")).to_be_focused()
    press("a")  # the last one: the page then loads the empty queue
    # Keys run ahead of the server (each card leaves at once; the decisions are sent one
    # after another), so on a busy machine the last saves may take a while to catch up.
    expect(page.get_by_text("Nothing waiting. Last decision")).to_be_visible(
        timeout=60_000
    )
    seconds = time.monotonic() - started

    statuses = dict(
        Comment.objects.filter(pk__in=[c.pk for c in comments]).values_list(
            "pk", "status"
        )
    )
    expected = {"a": "approved", "s": "spam", "r": "removed", "t": "approved"}
    assert statuses == {
        c.pk: expected[plan[i % 4]] if i < 49 else "approved"
        for i, c in enumerate(comments)
    }
    assert not Comment.objects.pending().exists()
    # One page load for the whole run: the empty queue after the 50th decision.
    assert len(loads) == 1, loads
    print(
        f"\nKEYBOARD QUEUE: 50 held comments cleared with {len(keys)} key presses "
        f"({len(keys) - 2} decisions + j, k) in {seconds:.1f} s, {len(loads)} page load"
    )


@pytest.fixture
def no_script_page(chromium, live_server, transactional_db):
    """A moderator's page in a context with JavaScript switched off."""
    context = chromium.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 1280, "height": 700},
    )
    client = Client()
    client.force_login(_moderator())
    _add_session(context, client, live_server)
    yield context.new_page()
    context.close()


def test_without_javascript_each_decision_is_one_click_and_the_next_card_is_in_view(
    no_script_page,
):
    comments = _held(6)
    page = no_script_page
    page.goto(reverse(QUEUE))
    expect(page.locator("#desk-keys")).to_be_hidden()  # no keys without the script

    clicks = 0
    started = time.monotonic()
    for i, comment in enumerate(comments):
        card = page.locator(f"#card-{comment.pk}")
        card.get_by_role("button", name="Approve", exact=True).click()
        clicks += 1
        page.wait_for_load_state("load")
        expect(page.locator(f"#card-{comment.pk}")).to_have_count(0)
        if i + 1 < len(comments):
            following = page.locator(f"#card-{comments[i + 1].pk}")
            assert page.url.endswith(f"#card-{comments[i + 1].pk}")
            expect(following).to_be_in_viewport()
            expect(page.get_by_text("1 comment approved.")).to_be_visible()
    seconds = time.monotonic() - started

    assert (
        Comment.objects.approved().filter(pk__in=[c.pk for c in comments]).count() == 6
    )
    expect(page.get_by_text("Nothing waiting. Last decision")).to_be_visible()
    print(
        f"\nNO-JS QUEUE: {len(comments)} comments approved with {clicks} clicks in {seconds:.1f} s"
    )


def test_clicking_with_javascript_removes_the_card_without_a_page_load(
    new_page, live_server
):
    first, second, third = _held(3)
    page = _signed_in(new_page, live_server)
    page.goto(reverse(QUEUE))
    loads = _loads(page)

    page.locator(f"#card-{second.pk}").get_by_role("button", name="Spam").click()

    expect(page.locator(f"#card-{second.pk}")).to_have_count(0)
    expect(page.locator(f"#card-{third.pk}")).to_be_focused()
    expect(page.locator("#desk-summary")).to_contain_text("2 waiting")
    expect(page.locator("#desk-live")).to_have_text("1 comment marked as spam.")
    second.refresh_from_db()
    assert second.status == Comment.Status.SPAM
    assert loads == []


def test_select_all_on_the_page_and_one_bulk_decision(new_page, live_server):
    comments = _held(5)
    page = _signed_in(new_page, live_server)
    page.goto(reverse(QUEUE))

    page.get_by_label("Select all on this page (5)").check()
    expect(page.locator(".desk-select:checked")).to_have_count(5)
    page.locator(".desk-bulk").get_by_role("button", name="Remove").click()

    expect(page.get_by_text("Nothing waiting.")).to_be_visible()
    assert (
        Comment.objects.filter(
            pk__in=[c.pk for c in comments], status="removed"
        ).count()
        == 5
    )


def _blocking_violations(page):
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def _overflow(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_queue_has_no_serious_accessibility_violation_and_fits(
    new_page, live_server, color_scheme
):
    comments = _held(8)
    make_comment(report_count=1, body="A reported comment")
    page = _signed_in(new_page, live_server, color_scheme=color_scheme)

    found, overflow = {}, {}
    for name, url in {
        "held": reverse(QUEUE),
        "reported": reverse(QUEUE) + "?tab=reported",
        "index": reverse("admin:index"),
    }.items():
        for width in (1280, 375):
            set_viewport(page, width)
            page.goto(url)
            page.wait_for_load_state("load")
            if violations := _blocking_violations(page):
                found[f"{name}@{width}"] = violations
            overflow[f"{name}@{width}"] = _overflow(page)
            if name == "held":
                screenshot(page, f"queue-{color_scheme}-{width}")
    # The empty queue too.
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(status="approved")
    page.goto(reverse(QUEUE))
    if violations := _blocking_violations(page):
        found["empty"] = violations

    assert page.evaluate(
        "() => matchMedia('(prefers-color-scheme: dark)').matches"
    ) == (color_scheme == "dark")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"  {name}: {line}" for name, lines in found.items() for line in lines
    )
    too_wide = {key: px for key, px in overflow.items() if px > 0}
    assert not too_wide, f"the queue scrolls sideways by (CSS px): {too_wide}"


def test_reported_tab_keys_tick_and_keep(new_page, live_server):
    reported = [make_comment(body=f"Reported {i}", report_count=1) for i in range(3)]
    page = _signed_in(new_page, live_server)
    page.goto(reverse(QUEUE) + "?tab=reported")
    expect(page.locator("#desk-keys")).to_contain_text("d keep (dismiss reports)")
    loads = _loads(page)

    page.keyboard.press("x")  # tick the first card
    page.keyboard.press("j")
    page.keyboard.press("x")  # and the second
    expect(page.locator(".desk-select:checked")).to_have_count(2)
    page.locator(".desk-bulk").get_by_role(
        "button", name="Keep (dismiss reports)"
    ).click()
    expect(page.locator(".desk-card")).to_have_count(1)
    expect(page.locator(f"#card-{reported[2].pk}")).to_be_focused()
    page.keyboard.press("r")
    expect(page.get_by_text("No open reports.")).to_be_visible()

    statuses = dict(
        Comment.objects.filter(pk__in=[c.pk for c in reported]).values_list(
            "pk", "status"
        )
    )
    assert statuses == {
        reported[0].pk: "approved",
        reported[1].pk: "approved",
        reported[2].pk: "removed",
    }
    assert not Comment.objects.filter(report_count__gt=0).exists()
    assert len(loads) == 1  # the empty tab, after the last decision
