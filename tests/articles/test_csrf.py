"""The page a reader gets when a form's CSRF check fails."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import comment_form_data, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    """A client that, like a browser, is checked for the CSRF token (the test client is not)."""
    return Client(enforce_csrf_checks=True)


def test_a_refused_comment_is_shown_back_so_nothing_is_lost(strict_client):
    article = make_article()
    body = 'I was there <script>alert("x")</script> & saw it all.\nSecond line.'

    response = strict_client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body=body),
    )

    assert response.status_code == 403
    assertContains(response, "Your form could not be sent", status_code=403)
    assertContains(
        response,
        '<label for="unsent-comment">Your comment (copy it before going back)</label>',
        status_code=403,
    )
    assertContains(
        response,
        '<textarea id="unsent-comment" rows="8" readonly>I was there '
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; saw it all.\nSecond line."
        "</textarea>",
        status_code=403,
    )
    assertNotContains(response, '<script>alert("x")', status_code=403)
    assert "no-store" in response["Cache-Control"]


def test_without_a_comment_the_page_only_explains(strict_client):
    article = make_article()

    response = strict_client.post(
        reverse("comments:post", args=[article.pk]), {"body": ""}
    )

    assert response.status_code == 403
    assertNotContains(response, "unsent-comment", status_code=403)


def test_other_forms_are_not_mistaken_for_a_comment(strict_client):
    response = strict_client.post(
        reverse("admin:login"), {"username": "x", "password": "y", "body": "secret"}
    )

    assert response.status_code == 403
    assertNotContains(response, "Your comment", status_code=403)
