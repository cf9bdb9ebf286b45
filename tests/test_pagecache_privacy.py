"""Nothing personal ever reaches another reader through the page cache.

What is per person — a held comment shown to its author, the saved name and email, a CSRF
token, the staff bar — is rendered only for the request that carries its cookie, and such
a page is never stored. A first visit sets no cookie at all.
"""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments import personal
from comments.models import Comment
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    story = make_article(headline="Lifeboat launch")
    make_comment(article=story, body="Public and approved.")
    return story


def _shared_urls(article):
    return [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.get_absolute_url() + "?cpage=1",
        article.section.get_absolute_url(),
        article.author.get_absolute_url(),
        reverse("discovery:feed"),
        reverse("discovery:sitemap"),
        reverse("discovery:robots"),
    ]


def test_a_first_visit_sets_no_cookie_and_varies_on_nothing_personal(article):
    for url in _shared_urls(article):
        response = Client().get(url)

        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "Set-Cookie" not in response, url
        assert response["Vary"] == "Accept-Encoding", url


def test_no_shared_page_holds_a_csrf_token(article):
    reader = Client()

    for url in _shared_urls(article):
        for response in (reader.get(url), reader.get(url)):  # the miss and the hit
            assertNotContains(response, "csrfmiddlewaretoken")
            assertNotContains(response, "csrftoken")


def test_a_held_comment_is_shown_to_its_author_and_nobody_else(article):
    url = article.get_absolute_url()
    author, other = Client(), Client()
    other.get(url)  # the shared page is stored before the post

    posted = author.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body="Only I should see this yet."),
    )
    own = author.get(url)
    after = [other.get(url), Client().get(url)]
    Client().get(url + "?cpage=1")

    assert Comment.objects.get(body="Only I should see this yet.").status == "pending"
    assert posted.cookies[personal.HELD_COOKIE].value
    assert own["X-Page-Cache"] == "bypass"
    assertContains(own, "Only I should see this yet.")
    assertContains(own, "Your comment is awaiting moderation.")
    for response in after:
        assert response["X-Page-Cache"] == "hit"
        assertNotContains(response, "Only I should see this yet.")
        assertNotContains(response, "awaiting moderation")


def test_saved_details_stay_in_their_owner_s_page(article):
    url = article.get_absolute_url()
    author = Client()
    author.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(
            article,
            name="Morwenna Saved",
            email="morwenna@example.org",
            remember="on",
        ),
    )

    own = author.get(url)  # rendered first this time: nobody's page was stored yet
    other = Client().get(url)
    again = Client().get(url)

    assertContains(own, "Morwenna Saved")
    assertContains(own, "morwenna@example.org")
    assert (other["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    for response in (other, again):
        assertNotContains(response, "morwenna@example.org")
        assertNotContains(response, 'value="Morwenna Saved"')


def test_a_posted_comment_s_author_skips_shared_caches_for_a_while(article, settings):
    settings.PAGE_S_MAXAGE, settings.PAGE_STALE_SECONDS = 60, 30
    author = Client()

    posted = author.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article)
    )
    page = author.get(article.get_absolute_url())

    cookie = posted.cookies[personal.POSTED_COOKIE]
    assert cookie["max-age"] == 90
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert page["X-Page-Cache"] == "bypass"
    assert page["Cache-Control"] == "private, no-store"


def test_the_staff_bar_and_token_never_reach_a_reader(article, admin_user):
    url = article.get_absolute_url()
    staff = Client()
    staff.force_login(admin_user)

    staff_page = staff.get(url)
    reader_pages = [Client().get(url), Client().get(url)]

    assertContains(staff_page, "staff-bar")
    assertContains(staff_page, "csrfmiddlewaretoken")
    for response in reader_pages:
        assertNotContains(response, "staff-bar")
        assertNotContains(response, "csrfmiddlewaretoken")
        assertNotContains(response, admin_user.username)
