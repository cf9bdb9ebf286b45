"""Issue 11's whole journey in Chromium, as one reader without an account lives it.

Post a first comment with "Email me when my comment is published" ticked; it is held and
says why; fix a typo inside the edit window; a moderator approves it from the moderation
queue; exactly one email arrives, with the comment's link; the link shows the fixed text.
"""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import screenshot
from tests.browser.test_comments import fill_comment
from tests.factories import make_article, make_moderator

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def story(settings, live_server):
    settings.COMMENTS_MIN_SECONDS = (
        0  # a robot types faster than the "too fast" rule allows
    )
    settings.SITE_URL = live_server.url
    return make_article(headline="New crossing opens by the station")


def test_post_fix_a_typo_hear_back_once_when_approved(
    new_page, live_server, story, mailoutbox
):
    # No address: the moderators' own "comment held" email would land in the same outbox.
    moderator = make_moderator(username="sam", email="", password=PASSWORD)
    reader = new_page(width=375)
    reader.goto(live_server.url + story.get_absolute_url())
    reader.get_by_label("Email me when my comment is published.").check()
    fill_comment(reader, body="Will the crossing have a button for cyclsts?")

    held = reader.locator(".comment--held")
    expect(held).to_contain_text("awaiting moderation")
    expect(held).to_contain_text("Held because it is your first comment here.")
    screenshot(reader, "journey-held-375")
    assert mailoutbox == []  # nothing to the reader yet: nothing is published

    # The typo, fixed inside the window, from the same browser.
    held.get_by_role("link", name="Edit").click()
    box = reader.get_by_role("textbox", name="Comment")
    box.fill("Will the crossing have a button for cyclists?")
    reader.get_by_role("button", name="Save changes").click()
    expect(reader.locator(".comment--held")).to_contain_text("for cyclists?")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING  # an edit does not skip moderation
    assert comment.body == "Will the crossing have a button for cyclists?"

    # A moderator approves it from the queue, with one key.
    desk = new_page(width=1280)
    desk.goto(f"{live_server.url}/admin/login/?next=/admin/comments/comment/queue/")
    desk.get_by_label("Username").fill(moderator.username)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    card = desk.locator(f"#card-{comment.pk}")
    expect(card).to_contain_text("for cyclists?")
    card.focus()
    desk.keyboard.press("a")
    expect(desk.locator(f"#card-{comment.pk}")).to_have_count(0)
    expect(desk.get_by_text("Nothing waiting")).to_be_visible()

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    (published,) = mailoutbox  # exactly one email
    assert published.to == ["nia@example.org"]
    assert "Your comment is published" in published.subject
    link = re.search(r"http://\S+/comments/\d+/", published.body).group(0)

    # The email's link opens the comment, fixed, for anyone.
    stranger = new_page(width=1280)
    stranger.goto(link)
    shown = stranger.locator(f"#comment-{comment.pk}")
    expect(shown).to_contain_text("for cyclists?")
    expect(shown).not_to_contain_text("cyclsts")
    screenshot(stranger, "journey-published-1280")
    assert len(mailoutbox) == 1  # and still one: approving sent nothing else
