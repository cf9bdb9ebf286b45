"""Issue 11: a reader posts, spots a typo, fixes it inside the edit window — in Chromium, no account."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import screenshot
from tests.browser.test_comments import fill_comment
from tests.browser.test_reading import _blocking_violations
from tests.factories import make_article

pytestmark = pytest.mark.browser


@pytest.fixture
def story(settings):
    settings.COMMENTS_MIN_SECONDS = (
        0  # a robot types faster than the "too fast" rule allows
    )
    return make_article(
        headline="Harbour wall repairs start in March",
        body="The council has set aside money for the work.\n\nIt will take six weeks.",
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_post_fix_a_typo_inside_the_window_and_everyone_sees_the_fixed_text(
    new_page, live_server, story, settings, width
):
    settings.COMMENTS_MODERATION = "none"  # published at once: the fix is public
    reader = new_page(width=width)
    reader.goto(live_server.url + story.get_absolute_url())
    fill_comment(reader, body="Six weeks of roadworks on the harbour raod again.")

    own = reader.locator(".own-comments")
    expect(own).to_contain_text("Your recent comment")
    comment = Comment.objects.get()
    # With JavaScript the controls are under the comment itself too.
    in_thread = reader.locator(f"#comment-{comment.pk} .own-controls")
    expect(in_thread.get_by_role("link", name="Edit")).to_be_visible()
    screenshot(reader, f"own-comment-controls-{width}")
    own.get_by_role("link", name="Edit").click()

    expect(reader.get_by_role("heading", name="Edit your comment")).to_be_visible()
    box = reader.get_by_role("textbox", name="Comment")
    expect(box).to_have_value("Six weeks of roadworks on the harbour raod again.")
    assert _blocking_violations(reader) == []
    screenshot(reader, f"own-comment-edit-{width}")
    box.fill("Six weeks of roadworks on the harbour road again.")
    reader.get_by_role("button", name="Save changes").click()

    assert reader.url.endswith(f"#comment-{comment.pk}")
    mine = reader.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("harbour road again.")
    expect(mine.locator(".comment__edited")).to_have_text("edited")
    stranger = new_page(width=width)
    stranger.goto(live_server.url + story.get_absolute_url())
    theirs = stranger.locator(f"#comment-{comment.pk}")
    expect(theirs).to_contain_text("harbour road again.")
    expect(theirs).not_to_contain_text("raod")
    expect(theirs.locator(".comment__edited")).to_be_visible()
    expect(stranger.get_by_role("link", name="Edit")).to_have_count(0)


def test_without_javascript_the_controls_are_in_the_recent_comments_block(
    chromium, live_server, story, settings, transactional_db
):
    settings.COMMENTS_MODERATION = "none"
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        reader = context.new_page()
        reader.goto(story.get_absolute_url())
        fill_comment(reader, body="No script here, one typo: teh.")
        comment = Comment.objects.get()

        expect(reader.locator(f"#comment-{comment.pk} .own-controls")).to_have_count(0)
        reader.locator(".own-comments").get_by_role("link", name="Edit").click()
        reader.get_by_role("textbox", name="Comment").fill("No script here, no typo.")
        reader.get_by_role("button", name="Save changes").click()

        expect(reader.locator(f"#comment-{comment.pk}")).to_contain_text("no typo.")
    finally:
        context.close()


def test_a_held_comment_says_why_and_can_be_fixed_or_deleted(
    new_page, live_server, story
):
    reader = new_page(width=375)
    reader.goto(live_server.url + story.get_absolute_url())
    fill_comment(reader, body="Will the car park stay opne during the work?")

    held = reader.locator(".comment--held")
    expect(held).to_contain_text("Held because it is your first comment here.")
    screenshot(reader, "held-reason-375")
    held.get_by_role("link", name="Edit").click()
    reader.get_by_role("textbox", name="Comment").fill(
        "Will the car park stay open during the work?"
    )
    reader.get_by_role("button", name="Save changes").click()
    expect(reader.locator(".comment--held")).to_contain_text("stay open during")

    reader.locator(".comment--held").get_by_role("link", name="Delete").click()
    expect(reader.get_by_role("heading", name="Delete your comment?")).to_be_visible()
    screenshot(reader, "own-comment-delete-375")
    reader.get_by_role("button", name="Delete comment").click()

    expect(
        reader.get_by_role("heading", name="Your comment has been deleted")
    ).to_be_visible()
    assert not Comment.objects.exists()
    reader.get_by_role("link", name="Back to the story").click()
    expect(reader.locator(".comment--held")).to_have_count(0)
