"""Anonymous comments need no CSRF token (the shared page has none); cross-site posts are refused.

Every client here is checked like a browser (``enforce_csrf_checks=True``).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from comments.models import Comment
from tests.factories import comment_form_data, make_article

pytestmark = pytest.mark.django_db

OWN = "http://testserver"
BODY = "Lovely to see the <b>harbour</b> busy again."


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def article():
    return make_article()


def _post(client, article, headers, **data):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body=BODY, **data),
        headers=headers,
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": OWN},
        {"Origin": OWN, "Sec-Fetch-Site": "same-origin"},
        {"Referer": OWN + "/2026/01/01/story/"},  # an old browser sends no Origin
    ],
    ids=["origin", "origin+fetch-site", "referer"],
)
def test_an_anonymous_post_from_our_own_page_needs_no_token(browser, article, headers):
    response = _post(browser, article, headers)

    assert response.status_code == 302
    assert Comment.objects.filter(article=article, body=BODY).exists()


def test_the_site_url_counts_as_our_own_origin(browser, article, settings):
    settings.SITE_URL = "https://news.example.org"
    settings.ALLOWED_HOSTS = ["news.example.org", "testserver"]

    response = _post(browser, article, {"Origin": "https://news.example.org"})

    assert response.status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": OWN, "Sec-Fetch-Site": "cross-site"},
        {"Referer": "https://evil.example/page"},
        {},
    ],
    ids=[
        "other-origin",
        "null-origin",
        "lookalike",
        "fetch-site",
        "other-referer",
        "no-header",
    ],
)
def test_a_cross_site_post_is_refused_and_the_text_given_back(
    browser, article, headers
):
    response = _post(browser, article, headers)

    assert response.status_code == 403
    assertContains(response, "Your form could not be sent", status_code=403)
    assertContains(
        response,
        "Lovely to see the &lt;b&gt;harbour&lt;/b&gt; busy again.",
        status_code=403,
    )
    assert response["Cache-Control"] == "private, no-store"
    assert not Comment.objects.filter(body=BODY).exists()


def test_signed_in_users_keep_the_full_csrf_check(browser, article, admin_user):
    browser.force_login(admin_user)

    refused = _post(browser, article, {"Origin": OWN})
    page = browser.get(article.get_absolute_url())
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    ).group(1)
    accepted = _post(browser, article, {"Origin": OWN}, csrfmiddlewaretoken=token)

    assert refused.status_code == 403
    assertContains(refused, "Your form could not be sent", status_code=403)
    assert accepted.status_code == 302
    assert Comment.objects.filter(body=BODY, user=admin_user).count() == 1


def test_a_comment_can_be_posted_from_a_page_served_from_the_cache(browser, article):
    url = article.get_absolute_url()
    browser.get(url)
    page = browser.get(url)
    html = page.content.decode()
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)
    )

    response = browser.post(
        reverse("comments:post", args=[article.pk]),
        {
            "body": BODY,
            "name": "Cached Reader",
            "email": "cached@example.org",
            "timestamp": fields["timestamp"],
            "leave_empty": "",
        },
        headers={"Origin": OWN, "Sec-Fetch-Site": "same-origin"},
    )

    assert page["X-Page-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in html
    assert response.status_code == 302
    assert Comment.objects.filter(name="Cached Reader").exists()
