"""The comments admin at a moderator's desk: the list fits at 1280 px, stories open in a new
tab, blocking asks first, and "View on site" shows a held comment in its thread."""

from datetime import timedelta
from importlib import import_module

import pytest
from playwright.sync_api import expect

from comments.models import Block, Comment
from tests.browser.conftest import screenshot
from tests.browser.test_reading import _blocking_violations
from tests.factories import make_article, make_comment, make_moderator

pytestmark = pytest.mark.browser

LONG_HEADLINE = "Council approves the riverside flood wall after a four-hour meeting and two petitions"
LONG_TEXT = (
    "I have lived on Ferry Lane for thirty years and the water has come into the kitchen "
    "three times. The wall is welcome, but what happens to the footpath while it is built? "
) * 3


@pytest.fixture
def signed_in(new_page, live_server):
    def sign_in(**page_options):
        _moderators_group()  # live_server tests flush the rows the migrations made
        make_moderator(username="sam")
        page = new_page(**page_options)
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    return sign_in


def _moderators_group():
    """The Moderators group with the permissions its migrations give it."""
    from django.contrib.auth.models import Group, Permission

    from comments.groups import MODERATORS_GROUP

    codenames = [
        *import_module(
            "comments.migrations.0002_moderator_permissions"
        ).MODERATOR_PERMISSIONS,
        *import_module(
            "comments.migrations.0005_moderators_blocks_reports"
        ).MODERATOR_PERMISSIONS,
    ]
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="comments", codename__in=codenames
        )
    )


def _busy_desk():
    article = make_article(headline=LONG_HEADLINE)
    for n in range(30):
        comment = make_comment(
            article=article,
            name=f"Commenter with a long name {n}",
            email=f"a-rather-long-address-{n}@example.org",
            ip_address="2001:db8:85a3::8a2e:370:7334",
            body=LONG_TEXT,
            status=Comment.Status.PENDING if n % 2 else Comment.Status.APPROVED,
            reason=Comment.Reason.TOO_MANY_LINKS if n % 2 else "",
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=comment.created_at - timedelta(hours=n)
        )
    return article


def _widths(page):
    return page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          results: (() => { const r = document.querySelector('.results');
                            return r.scrollWidth - r.clientWidth; })(),
          excerpt: document.querySelector('#result_list .column-excerpt').getBoundingClientRect().width,
        })"""
    )


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_comments_list_fits_at_1280_without_a_sideways_scroll(
    signed_in, live_server, color_scheme
):
    _busy_desk()
    page = signed_in(width=1280, color_scheme=color_scheme)

    page.goto(f"{live_server.url}/admin/comments/comment/")

    widths = _widths(page)
    screenshot(page, f"admin-comments-list-1280-{color_scheme}")
    assert widths["page"] == 0, widths
    assert widths["results"] == 0, widths  # status, why held and date all in view
    assert widths["excerpt"] > 350, widths  # the text has the room (it had 90 px)
    expect(
        page.locator("#result_list").get_by_text("Too many links").first
    ).to_be_visible()
    expect(page.get_by_text("a-rather-long-address-1@example.org")).to_have_count(0)
    assert _blocking_violations(page) == []


def test_the_story_link_opens_a_new_tab_and_the_list_stays(signed_in, live_server):
    article = _busy_desk()
    page = signed_in()
    page.goto(f"{live_server.url}/admin/comments/comment/")
    link = page.locator("#result_list .field-article_link a").first
    expect(link).to_have_accessible_name(f"{LONG_HEADLINE} (opens in a new tab)")

    with page.context.expect_page() as opened:
        link.click()

    story = opened.value
    story.wait_for_load_state()
    assert story.url.endswith(article.get_absolute_url())
    assert page.url.endswith("/admin/comments/comment/")


def test_block_the_commenter_asks_then_blocks(signed_in, live_server):
    comment = make_comment(
        email="troll@bad.example", ip_address="192.0.2.8", status="pending"
    )
    page = signed_in()
    page.goto(f"{live_server.url}/admin/comments/comment/")

    page.locator("#result_list input.action-select").first.check()
    page.locator("select[name=action]").select_option("block_commenters")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("troll@bad.example")).to_be_visible()
    page.get_by_label("30 days").check()
    page.get_by_label("Reason").fill("Abuse in three threads")
    page.get_by_label("Also remove their earlier comments").check()
    screenshot(page, "admin-block-the-commenter-1280")
    page.get_by_role("button", name="Block").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Blocked for 30 days: Email address: troll@bad.example, IP address: 192.0.2.8."
    )
    assert Block.objects.active().count() == 2
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


def test_view_on_site_shows_a_held_comment_in_its_thread_to_staff(
    signed_in, live_server
):
    article = make_article()
    parent = make_comment(article=article, name="Ann", body="The first word.")
    held = make_comment(
        article=article, parent=parent, status="pending", body="My held reply."
    )
    page = signed_in(width=375)
    page.goto(f"{live_server.url}/admin/comments/comment/{held.pk}/change/")

    page.get_by_role("link", name="View on site").click()

    in_thread = page.locator(f"#comment-{parent.pk} #comment-{held.pk}")
    expect(in_thread).to_contain_text("Held — only staff see this")
    expect(in_thread).to_contain_text("My held reply.")
    expect(page.locator(".preview-banner")).to_contain_text("Comment preview.")
    screenshot(page, "comment-preview-375")
