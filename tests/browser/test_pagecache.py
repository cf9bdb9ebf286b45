"""A reader posts a comment from a page the page cache served, with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.test_comments import fill_comment
from tests.factories import make_article

pytestmark = pytest.mark.browser


@pytest.fixture
def story(settings):
    settings.COMMENTS_MIN_SECONDS = (
        0  # a robot types fast; these tests are about the cache
    )
    return make_article(
        headline="Quay lights switched on", body="They glow.\n\nAt last."
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_comment_posts_from_a_cached_page(
    chromium, live_server, transactional_db, story, javascript
):
    url = f"{live_server.url}{story.get_absolute_url()}"
    warm = chromium.new_context()
    warm.new_page().goto(url)  # someone else's visit stored the page
    warm.close()
    context = chromium.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response.headers["x-page-cache"] == "hit"
        assert "csrfmiddlewaretoken" not in page.content()
        assert context.cookies() == []

        text = f"Posted from the cache ({'with' if javascript else 'without'} JS)."
        fill_comment(page, body=text)

        expect(page.get_by_text("Your comment is awaiting moderation.")).to_be_visible()
        expect(page.get_by_text(text)).to_be_visible()
        assert Comment.objects.get(body=text).status == Comment.Status.PENDING
        names = {c["name"] for c in context.cookies()}
        assert {"comments_held", "comments_posted"} <= names
    finally:
        context.close()
