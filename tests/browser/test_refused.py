"""Issue 11 §1 in Chromium: a refused post lands at the form, its summary focused; the counter."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import screenshot
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser


@pytest.fixture
def story(settings):
    settings.COMMENTS_MIN_SECONDS = 0
    return make_article(
        headline="Lifeboat station opens its doors",
        # A long story, so the form is far below the first screen.
        body="\n\n".join(
            f"Paragraph {n} about the open day at the station." for n in range(60)
        ),
    )


def in_viewport(page, selector) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.top < window.innerHeight && box.bottom > 0;
        }""",
        selector,
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_after_an_empty_post_the_error_summary_is_in_view_and_focused(
    new_page, live_server, story, width
):
    reader = new_page(width=width, height=800)
    reader.goto(live_server.url + story.get_absolute_url())

    reader.get_by_role("button", name="Post Comment").click()

    summary = reader.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert reader.evaluate("document.activeElement.id") == "form-errors"
    assert in_viewport(reader, "#form-errors")
    assert reader.url.endswith("#respond")
    assert reader.title().startswith("Error: Lifeboat station opens its doors")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Please write a comment.",
            "Please enter your name.",
            "Please enter your email address. It is never published.",
        ]
    )
    # A summary link takes the reader to the field to fix, with the cursor in it.
    summary.get_by_role("link", name="Please enter your name.").click()
    expect(reader.get_by_role("textbox", name="Name", exact=True)).to_be_focused()
    screenshot(reader, f"refused-empty-{width}")


def test_without_javascript_the_refused_page_still_opens_at_the_form(
    chromium, live_server, story, transactional_db
):
    context = chromium.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 375, "height": 800},
    )
    try:
        reader = context.new_page()
        reader.goto(story.get_absolute_url())
        reader.get_by_role("textbox", name="Comment", exact=True).fill("Kept words")
        reader.get_by_role("button", name="Post Comment").click()

        expect(reader.locator("#form-errors")).to_be_visible()
        assert reader.url.endswith("#respond")
        assert in_viewport(reader, "#form-errors")
        expect(reader.get_by_role("textbox", name="Comment", exact=True)).to_have_value(
            "Kept words"
        )
    finally:
        context.close()


def test_the_counter_counts_as_the_reader_types_and_warns_past_the_limit(
    new_page, live_server, story
):
    reader = new_page(width=375)
    reader.goto(live_server.url + story.get_absolute_url())
    box = reader.get_by_role("textbox", name="Comment", exact=True)
    counter = reader.locator(".field-count")
    spoken = reader.locator("#respond [aria-live=polite]")

    expect(counter).to_have_text("0 of 5,000 characters")
    box.fill("Café ☕")
    expect(counter).to_have_text("6 of 5,000 characters")
    reader.wait_for_timeout(900)
    expect(spoken).to_have_text("")  # far from the limit: nothing is announced

    box.fill("x" * 4812)
    expect(counter).to_have_text("4,812 of 5,000 characters")
    expect(spoken).to_have_text("4,812 of 5,000 characters")

    box.fill("x" * 5003)
    expect(counter).to_have_text("3 characters too many: 5,003 of 5,000")
    expect(counter).to_have_class("field-count field-count--over")
    # Nothing cut: the browser keeps all of it, and so does the page sent back.
    assert len(box.input_value()) == 5003
    reader.get_by_role("textbox", name="Name", exact=True).fill("Ria")
    reader.get_by_role("textbox", name="Email", exact=True).fill("ria@example.org")
    reader.get_by_role("button", name="Post Comment").click()
    expect(reader.locator("#form-errors")).to_contain_text(
        "Your comment is 5,003 characters; the limit is 5,000."
    )
    assert len(box.input_value()) == 5003
    expect(counter).to_have_text("3 characters too many: 5,003 of 5,000")
    assert not Comment.objects.exists()
    screenshot(reader, "refused-over-limit-375")


def test_reply_at_the_maximum_depth_says_where_it_goes_with_javascript(
    new_page, live_server, story, settings
):
    settings.COMMENTS_MAX_DEPTH = 3
    ann = make_comment(article=story, name="Ann", body="First")
    ben = make_comment(article=story, name="Ben", parent=ann, body="Second")
    cat = make_comment(article=story, name="Cat", parent=ben, body="Third")
    reader = new_page()
    reader.goto(live_server.url + story.get_absolute_url())
    title = reader.locator("#reply-title")

    reader.get_by_role("link", name="Reply to Cat").click()
    expect(title).to_contain_text("Leave a Reply to Ben")
    expect(title).to_contain_text(
        "Replies go 3 levels deep, so your reply to Cat joins Ben’s thread."
    )
    assert reader.locator("#id_parent").input_value() == str(cat.pk)

    reader.get_by_role("link", name="Reply to Ben").click()
    expect(title).to_contain_text("Leave a Reply to Ben")
    expect(title.locator(".respond__via")).to_have_count(0)

    reader.get_by_role("link", name="Cancel reply").click()
    expect(
        reader.get_by_role("heading", name="Leave a Reply", exact=True)
    ).to_be_visible()
