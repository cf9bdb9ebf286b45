"""Reporting a comment, reading the editor's picks and changing the thread order — in Chromium."""

import pytest
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, CommentReport
from tests.browser.conftest import screenshot
from tests.browser.test_reading import _blocking_violations
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser


@pytest.fixture
def story():
    article = make_article(headline="Harbour wall repairs start in spring")
    first = make_comment(article=article, name="Owen", body="About time too.")
    make_comment(article=article, parent=first, name="Ann", body="Agreed, Owen.")
    last = make_comment(
        article=article, name="Bea", body="The contractor is from Thornbury."
    )
    services.comments_pick(Comment.objects.filter(pk=last.pk), moderator=None)
    return article


def test_a_reader_reports_a_comment_and_lands_back_on_it(new_page, live_server, story):
    reader = new_page(width=375)
    reader.goto(live_server.url + story.get_absolute_url())
    owen = reader.locator(f"#comment-{owen_id(story)}")

    owen.get_by_role("link", name="Report the comment by Owen").click()
    expect(reader.get_by_role("heading", name="Report a comment")).to_be_visible()
    expect(reader.get_by_text("About time too.")).to_be_visible()
    reader.get_by_role("radio", name="Off-topic").check()
    reader.get_by_role("textbox", name="Anything the moderators should know?").fill(
        "<b>Not</b> about the wall."
    )
    reader.get_by_role("button", name="Send report").click()

    expect(
        reader.get_by_role(
            "heading", name="Thank you — your report has reached the moderators."
        )
    ).to_be_visible()
    screenshot(reader, "report-done-375")
    reader.get_by_role("link", name="Back to the comment").click()
    expect(reader.locator(f"#comment-{owen_id(story)}")).to_be_in_viewport()
    report = CommentReport.objects.get()
    assert (report.reason, report.note) == ("off_topic", "<b>Not</b> about the wall.")

    # The same browser again: refused, with the reason said in words.
    reader.goto(
        live_server.url + f"/comments/{owen_id(story)}/report/"
    )  # as from the Report link
    reader.get_by_role("button", name="Send report").click()
    expect(reader.get_by_role("alert")).to_contain_text("already been reported")
    assert CommentReport.objects.count() == 1


def owen_id(story):
    return Comment.objects.get(article=story, name="Owen").pk


def test_picks_first_and_the_newest_first_order_without_javascript(
    new_page, live_server, chromium, story
):
    context = chromium.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 320, "height": 800},
    )
    try:
        reader = context.new_page()
        reader.goto(live_server.url + story.get_absolute_url())
        picks = reader.get_by_role("region", name="Editor’s picks")
        expect(picks).to_contain_text("The contractor is from Thornbury.")
        expect(reader.locator(".comment__pick")).to_have_text("Editor’s pick")

        reader.get_by_role("link", name="Newest first").click()

        assert "corder=newest" in reader.url
        expect(reader.get_by_role("link", name="Newest first")).to_have_attribute(
            "aria-current", "true"
        )
        authors = reader.locator(
            ".comment-list:not(.comment-picks__list) .comment__author"
        )
        expect(authors).to_have_text(["Bea", "Owen", "Ann"])
        assert reader.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_picks_order_links_and_the_report_page_have_no_serious_accessibility_violations(
    new_page, live_server, story, color_scheme
):
    reader = new_page(color_scheme=color_scheme, width=375)
    reader.goto(live_server.url + story.get_absolute_url() + "?corder=newest")
    found = {"thread": _blocking_violations(reader)}
    screenshot(reader, f"picks-newest-375-{color_scheme}")

    reader.goto(live_server.url + f"/comments/{owen_id(story)}/report/")
    found["report"] = _blocking_violations(reader)
    note = reader.get_by_role("textbox", name="Anything the moderators should know?")
    # maxlength stops a browser's typing; an old browser (or a script) sends more: the server says why.
    note.evaluate("element => element.removeAttribute('maxlength')")
    note.fill("x" * 1001)
    reader.get_by_role("button", name="Send report").click()
    found["report-errors"] = _blocking_violations(reader)
    expect(reader.get_by_role("alert")).to_contain_text("the limit is 1000")
    expect(reader.locator("#id_note_error")).to_contain_text("the limit is 1000")
    screenshot(reader, f"report-errors-375-{color_scheme}")

    assert not any(found.values()), found
