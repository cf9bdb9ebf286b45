"""A reader comments, a moderator approves, other readers see it — in Chromium, end to end."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import screenshot
from tests.browser.test_reading import _blocking_violations
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser

HOSTILE_TEXT = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> Is this shown as text?"
)


@pytest.fixture
def story(settings):
    # The "too fast" rule would hold a comment typed by a robot in under 3 seconds; these
    # tests are about the moderation flow, so let the form through at robot speed.
    settings.COMMENTS_MIN_SECONDS = 0
    return make_article(
        headline="Ferry timetable changes from Monday",
        body="The first crossing moves to 6.40am.\n\nThe last one leaves at 11pm.",
    )


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_superuser(
        "moderator", "mod@example.org", "correct horse battery"
    )


def fill_comment(page, *, body, name="Nia Reader", email="nia@example.org", website=""):
    page.get_by_role("textbox", name="Comment", exact=True).fill(body)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("textbox", name="Website", exact=True).fill(website)
    page.get_by_role("button", name="Post Comment").click()


def approve_in_admin(page, live_server, moderator, text):
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(moderator.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("1 waiting")).to_be_visible()
    page.goto(f"{live_server.url}/admin/comments/comment/?status__exact=pending")
    row = page.locator("#result_list tr", has_text=text)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 comment approved.")).to_be_visible()


def test_comment_is_held_approved_and_then_public(
    new_page, live_server, story, moderator
):
    reader = new_page()
    reader.goto(live_server.url + story.get_absolute_url())
    fill_comment(reader, body="Will the early bus still meet the first ferry?")

    held = reader.locator(".comment--held")
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held).to_contain_text("Will the early bus still meet the first ferry?")
    assert reader.url.endswith(f"#comment-{Comment.objects.get().pk}")
    screenshot(
        reader,
        "comment-held-375"
        if reader.viewport_size["width"] < 400
        else "comment-held-1280",
    )

    stranger = new_page(width=375)
    stranger.goto(live_server.url + story.get_absolute_url())
    expect(stranger.get_by_text("Will the early bus")).to_have_count(0)
    expect(stranger.get_by_role("heading", name="Leave a Reply")).to_be_visible()

    approve_in_admin(new_page(), live_server, moderator, "Will the early bus")

    fresh = new_page(width=375)
    fresh.goto(live_server.url + story.get_absolute_url())
    expect(fresh.get_by_role("heading", name="1 Comment")).to_be_visible()
    expect(fresh.locator(".comment")).to_contain_text(
        "Will the early bus still meet the first ferry?"
    )
    assert "nia@example.org" not in fresh.content()
    screenshot(fresh, "comment-approved-375")


def test_reply_moves_the_form_and_is_threaded_after_approval(
    new_page, live_server, story, moderator
):
    parent = make_comment(
        article=story, name="Owen", body="The café on the quay opens early too."
    )
    reader = new_page()
    reader.goto(live_server.url + story.get_absolute_url())

    reader.get_by_role("link", name="Reply to Owen").click()
    respond = reader.locator(f"#comment-{parent.pk} #respond")
    expect(respond).to_be_visible()
    expect(reader.locator("#reply-title")).to_contain_text("Leave a Reply to Owen")
    expect(reader.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()
    fill_comment(reader, body="Good to know, thanks Owen.")

    reply = Comment.objects.get(body="Good to know, thanks Owen.")
    assert reply.parent == parent
    approve_in_admin(new_page(), live_server, moderator, "Good to know")
    fresh = new_page()
    fresh.goto(live_server.url + story.get_absolute_url())
    expect(
        fresh.locator(f"#comment-{parent.pk} > ol.children > #comment-{reply.pk}")
    ).to_contain_text("thanks Owen")


def test_cancel_reply_puts_the_form_back(new_page, live_server, story):
    make_comment(article=story, name="Owen", body="Hi")
    reader = new_page()
    reader.goto(live_server.url + story.get_absolute_url())

    reader.get_by_role("link", name="Reply to Owen").click()
    reader.get_by_role("link", name="Cancel reply").click()

    expect(reader.locator(".comment #respond")).to_have_count(0)
    expect(
        reader.get_by_role("heading", name="Leave a Reply", exact=True)
    ).to_be_visible()
    expect(reader.get_by_role("link", name="Cancel reply")).to_be_hidden()
    assert reader.locator("#id_parent").input_value() == ""


def test_hostile_comment_never_runs_in_the_page_or_the_admin(
    new_page, live_server, story, moderator
):
    # The page guard fails this test if any dialog opens, on any page.
    reader = new_page()
    reader.goto(live_server.url + story.get_absolute_url())
    fill_comment(reader, body=HOSTILE_TEXT, website="javascript:alert(3)")

    expect(reader.locator("#id_url_error")).to_have_text(
        "Enter a web address starting with http:// or https://."
    )
    expect(reader.get_by_role("textbox", name="Comment", exact=True)).to_have_value(
        HOSTILE_TEXT
    )
    expect(reader.get_by_role("textbox", name="Website", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    reader.get_by_role("textbox", name="Website", exact=True).fill(
        "https://nia.example.org"
    )
    reader.get_by_role("button", name="Post Comment").click()
    expect(reader.locator(".comment--held")).to_contain_text(
        "<script>alert(1)</script>"
    )

    admin = new_page()
    approve_in_admin(admin, live_server, moderator, "Is this shown as text?")
    admin.goto(
        f"{live_server.url}/admin/comments/comment/{Comment.objects.get().pk}/change/"
    )
    expect(admin.locator("body")).to_contain_text("<script>alert(1)</script>")

    fresh = new_page()
    fresh.goto(live_server.url + story.get_absolute_url())
    expect(fresh.locator(".comment__text")).to_contain_text(
        "<img src=x onerror=alert(2)>"
    )
    assert fresh.locator(".comment__text img").count() == 0
    assert fresh.locator(".comment__text script").count() == 0


def test_bad_input_shows_messages_next_to_the_fields_and_keeps_the_text(
    new_page, live_server, story
):
    reader = new_page(width=375)
    reader.goto(live_server.url + story.get_absolute_url())

    fill_comment(reader, body="My careful words", name="", email="not-an-email")

    expect(reader.locator("#id_name_error")).to_have_text("Please enter your name.")
    expect(reader.locator("#id_email_error")).to_have_text(
        "Enter an email address like name@example.org."
    )
    expect(reader.get_by_role("textbox", name="Comment", exact=True)).to_have_value(
        "My careful words"
    )
    assert Comment.objects.count() == 0
    screenshot(reader, "comment-errors-375")


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_discussion_states_have_no_serious_accessibility_violations(
    new_page, live_server, story, color_scheme
):
    parent = make_comment(
        article=story, name="Owen", url="https://owen.example.org", body="First!"
    )
    make_comment(article=story, parent=parent, name="Ann", body="A reply")
    reader = new_page(color_scheme=color_scheme, width=375)
    reader.goto(live_server.url + story.get_absolute_url())
    found = {"thread": _blocking_violations(reader)}

    fill_comment(
        reader, body="", name="", email="bad"
    )  # the form comes back with errors
    found["errors"] = _blocking_violations(reader)
    fill_comment(reader, body="Held for moderation")
    found["held"] = _blocking_violations(reader)

    assert not any(found.values()), found
