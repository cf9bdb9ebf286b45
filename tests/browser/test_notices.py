"""Commenter emails in Chromium: tick the boxes, confirm the address, get exactly one
"published" email when a moderator approves, unsubscribe from the email's link."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Subscriber
from tests.browser.conftest import screenshot, set_viewport
from tests.browser.test_comments import approve_in_admin, fill_comment
from tests.factories import make_article

pytestmark = pytest.mark.browser

LINK = r"http://\S+/comments/notices/{}/[^/\s]+/"


@pytest.fixture
def story(settings, live_server):
    settings.COMMENTS_MIN_SECONDS = 0
    settings.SITE_URL = live_server.url
    return make_article(headline="Library opening hours extended")


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_superuser(
        "moderator", "", "correct horse battery"
    )


def _link(message, kind):
    return re.search(LINK.format(kind), message.body).group(0)


def test_tick_confirm_get_one_published_email_then_unsubscribe(
    new_page, live_server, story, moderator, mailoutbox
):
    reader = new_page(width=375)
    reader.goto(live_server.url + story.get_absolute_url())
    reader.get_by_label("Email me when my comment is published.").check()
    reader.get_by_label("Email me when someone replies.").check()
    fill_comment(reader, body="Will Sunday hours change too?")
    expect(reader.locator(".comment--held")).to_contain_text("awaiting moderation")

    (confirmation,) = mailoutbox
    assert confirmation.to == ["nia@example.org"]
    reader.goto(_link(confirmation, "confirm"))
    expect(reader.get_by_role("heading", name="Confirm email notices")).to_be_visible()
    assert not Subscriber.objects.get().is_confirmed  # opening the link is not enough
    for width in (375, 1280):
        set_viewport(reader, width)
        screenshot(reader, f"notice-confirm-{width}")
    reader.get_by_role("button", name="Yes, email me about replies").click()
    expect(reader.get_by_role("heading", name="Confirmed")).to_be_visible()
    assert Subscriber.objects.get().is_confirmed

    approve_in_admin(new_page(), live_server, moderator, "Will Sunday hours")

    assert len(mailoutbox) == 2
    published = mailoutbox[1]
    assert "Your comment is published" in published.subject
    reader.goto(_link(published, "unsubscribe"))
    expect(reader.get_by_role("heading", name="Stop emails")).to_be_visible()
    for width in (375, 1280):
        set_viewport(reader, width)
        screenshot(reader, f"notice-unsubscribe-{width}")
    reader.get_by_role("button", name="Unsubscribe").click()
    expect(reader.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    assert Subscriber.objects.get().unsubscribed_at is not None

    tampered = _link(published, "unsubscribe").replace(
        "/unsubscribe/", "/unsubscribe/x"
    )
    reader.goto(tampered)
    set_viewport(reader, 375)
    expect(
        reader.get_by_role("heading", name="This link does not work")
    ).to_be_visible()
    screenshot(reader, "notice-bad-link-375")
    assert len(mailoutbox) == 2
