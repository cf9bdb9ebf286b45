"""What the serving tests do on a site they started: seed it, moderate on it, post to it.

``seed_code`` runs inside the site's own Django process (``servers.django_json``); the rest
talk HTTP to it through a ``servers.Browser``.
"""

import re
import time
from datetime import timedelta

from comments.spam import form_token

ADMIN_USERNAME = "editor"
ADMIN_PASSWORD = "serving-test-password-4417"

SEED = f"""
import json
from django.contrib.auth import get_user_model
from comments.models import Comment
from tests.factories import make_article, make_comment

get_user_model().objects.create_superuser(
    "{ADMIN_USERNAME}", "editor@example.org", "{ADMIN_PASSWORD}"
)
stories = {{}}
for name in ("cached", "discussed"):
    article = make_article(headline=f"A {{name}} story", slug=f"a-{{name}}-story")
    make_comment(article=article, body=f"An approved comment on the {{name}} story.")
    held = make_comment(
        article=article,
        body=f"Held words on the {{name}} story",
        status=Comment.Status.PENDING,
    )
    stories[name] = {{"id": article.pk, "url": article.get_absolute_url(), "held": held.pk}}
print(json.dumps(stories))
"""


def admin_login(browser) -> None:
    """Sign the browser in to the admin as the seeded superuser."""
    status, _, page = browser.get("/admin/login/?next=/admin/")
    assert status == 200, page[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, page = browser.post(
        "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": token,
            "username": ADMIN_USERNAME,
            "password": ADMIN_PASSWORD,
            "next": "/admin/",
        },
    )
    assert status == 302, page[:2000]
    assert "sessionid" in browser.cookies


def admin_approve(browser, comment_id: int) -> None:
    """Approve one comment with the moderation queue's Approve action."""
    status, _, page = browser.get("/admin/comments/comment/")
    assert status == 200, page[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, page = browser.post(
        "/admin/comments/comment/",
        {
            "csrfmiddlewaretoken": token,
            "action": "approve",
            "index": "0",
            "_selected_action": str(comment_id),
        },
    )
    assert status == 302, page[:2000]


def post_comment(browser, story: dict, body: str, headers: dict | None = None):
    """Post the Leave a Reply form as a reader would, from the story page the browser gets.

    The form's hidden fields come from the page (a CSRF token too, if the page has one); the
    signed timestamp is replaced by one a minute old, as if the reader had read for a while.
    """
    from tests.serving.servers import form_fields

    status, _, page = browser.get(story["url"], headers=headers)
    assert status == 200, page[:500]
    action = f"/comments/post/{story['id']}/"
    data = form_fields(page, action)
    data.update(
        name="Sam Visitor",
        email="sam@example.org",
        url="",
        body=body,
        leave_empty="",
        timestamp=form_token(story["id"], now=time.time() - 60),
    )
    return browser.post(action, data, headers=headers)


def wait_for_a_fresh_minute(margin: timedelta = timedelta(seconds=8)) -> None:
    """Sleep into the next minute when this one ends within ``margin``: the rate limit counts
    per calendar minute, so a burst split across two minutes would count twice half."""
    left = 60 - time.time() % 60
    if left < margin.total_seconds():
        time.sleep(left + 0.2)
