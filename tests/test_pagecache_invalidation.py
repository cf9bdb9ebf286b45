"""Every write that changes what a page shows makes that page fresh on the very next request.

Each test stores a page (a miss, then a hit), makes the change the way editors and moderators
do (the admin, or the service the admin calls), lets the transaction commit, and asks again:
the page must be rendered anew and show the change. The CI runs these on SQLite with the
local-memory cache and on PostgreSQL with Redis.
"""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments import services
from comments.models import Comment
from tests.factories import (
    comment_form_data,
    make_ad,
    make_article,
    make_author,
    make_comment,
    make_section,
    save_article,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed (pytest-django's tests never commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def stored(client, url):
    """Make sure ``url``'s anonymous page is in the page cache; return it."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit", url
    return response


def fresh(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    assert response["X-Page-Cache"] == "miss" if status == 200 else True
    return response


# --- Stories -------------------------------------------------------------------------------


def test_publishing_a_draft_from_the_admin_shows_it_everywhere(
    client, admin_client, committed
):
    section = make_section(name="Harbour")
    draft = make_article(
        headline="New ferry announced",
        section=section,
        status=Article.Status.DRAFT,
        published_at=None,
    )
    urls = [
        reverse("articles:home"),
        section.get_absolute_url(),
        reverse("discovery:feed"),
    ]
    for url in urls:
        assertNotContains(stored(client, url), "New ferry announced")

    with committed():
        admin_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )

    for url in urls:
        assertContains(fresh(client, url), "New ferry announced")
    draft.refresh_from_db()
    assertContains(fresh(client, draft.get_absolute_url()), "New ferry announced")


def test_editing_a_story_in_the_admin_refreshes_its_page_and_the_lists(
    client, admin_client, committed
):
    article = make_article(headline="Old headline", body="First version.")
    local = timezone.localtime(article.published_at)
    urls = [article.get_absolute_url(), reverse("articles:home")]
    for url in urls:
        stored(client, url)

    with committed():
        response = admin_client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            {
                "headline": "Corrected headline",
                "slug": article.slug,
                "section": article.section_id,
                "author": article.author_id,
                "standfirst": article.standfirst,
                "body": "Second version.",
                "image_alt": "",
                "image_caption": "",
                "image_credit": "",
                "status": Article.Status.PUBLISHED,
                "published_at_0": local.strftime("%Y-%m-%d"),
                "published_at_1": local.strftime("%H:%M:%S"),
                "comments_open": "on",
                "_save": "Save",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]

    assertContains(fresh(client, urls[0]), "Second version.")
    assertContains(fresh(client, urls[1]), "Corrected headline")


def test_unpublishing_a_story_takes_it_off_at_once(client, committed):
    article = make_article(headline="Withdrawn story")
    url, home = article.get_absolute_url(), reverse("articles:home")
    stored(client, url), stored(client, home)

    article.status = Article.Status.DRAFT
    with committed():
        save_article(article)

    assert client.get(url).status_code == 404
    assertNotContains(fresh(client, home), "Withdrawn story")


def test_deleting_a_story_takes_it_off_at_once(client, committed):
    article = make_article(headline="Deleted story")
    home = reverse("articles:home")
    assertContains(stored(client, home), "Deleted story")

    with committed():
        article.delete()

    assertNotContains(fresh(client, home), "Deleted story")


def test_a_scheduled_story_goes_live_on_time_with_no_write(client):
    make_article(headline="Already out")
    soon = timezone.now() + timedelta(seconds=1.5)
    scheduled = make_article(headline="Embargoed results", published_at=soon)
    home = reverse("articles:home")
    urls = [home, scheduled.section.get_absolute_url(), reverse("discovery:feed")]
    for url in urls:
        assertNotContains(stored(client, url), "Embargoed results")

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    for url in urls:
        assertContains(fresh(client, url), "Embargoed results")
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_an_ad_window_opening_shows_the_ad_with_no_write(client, committed):
    article = make_article(body="One.\n\nTwo.\n\nThree.\n\nFour.")
    soon = timezone.now() + timedelta(seconds=1.5)
    with committed():  # booked in the admin ahead of time
        make_ad(
            alt_text="Spring sale at the chandlery", starts_at=soon, after_paragraph=1
        )
    url = article.get_absolute_url()
    assertNotContains(stored(client, url), "Spring sale at the chandlery")

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    assertContains(fresh(client, url), "Spring sale at the chandlery")


# --- Sections, authors, ad slots -----------------------------------------------------------


def test_renaming_a_section_changes_every_page_s_navigation(client, committed):
    section = make_section(name="Harbour")
    article = make_article(section=section)
    urls = [reverse("articles:home"), article.get_absolute_url()]
    for url in urls:
        stored(client, url)

    section.name = "Harbour and Quays"
    with committed():
        section.save()

    for url in urls:
        assertContains(fresh(client, url), "Harbour and Quays")


def test_renaming_an_author_changes_the_bylines(client, committed):
    author = make_author(name="Sam Writer")
    article = make_article(author=author)
    stored(client, article.get_absolute_url())

    author.name = "Samantha Writer"
    with committed():
        author.save()

    assertContains(fresh(client, article.get_absolute_url()), "Samantha Writer")


def test_a_new_ad_slot_shows_on_the_next_request(client, committed):
    article = make_article(body="One.\n\nTwo.\n\nThree.\n\nFour.")
    url = article.get_absolute_url()
    stored(client, url)

    with committed():
        ad = make_ad(alt_text="Tide tables in print", after_paragraph=1)

    assertContains(fresh(client, url), "Tide tables in print")

    ad.is_active = False
    with committed():
        ad.save()

    assertNotContains(fresh(client, url), "Tide tables in print")


# --- Comments: the admin ---------------------------------------------------------------------


def _action(admin_client, action, comment):
    return admin_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": action, "_selected_action": [comment.pk], "post": "yes"},
    )


@pytest.mark.parametrize("action", ["approve", "approve_and_trust"])
def test_approving_in_the_admin_shows_the_comment(
    client, admin_client, committed, action
):
    article = make_article()
    held = make_comment(
        article=article, body="Held until now.", status=Comment.Status.PENDING
    )
    url = article.get_absolute_url()
    assertNotContains(stored(client, url), "Held until now.")

    with committed():
        _action(admin_client, action, held)

    assertContains(fresh(client, url), "Held until now.")


@pytest.mark.parametrize("action", ["remove", "mark_spam", "spam_and_block"])
def test_hiding_an_approved_comment_in_the_admin_takes_it_off(
    client, admin_client, committed, action
):
    article = make_article()
    comment = make_comment(article=article, body="Soon to go.")
    urls = [article.get_absolute_url(), article.get_absolute_url() + "comments/feed/"]
    for url in urls:
        assertContains(stored(client, url), "Soon to go.")

    with committed():
        _action(admin_client, action, comment)

    for url in urls:
        assertNotContains(fresh(client, url), "Soon to go.")


def test_deleting_a_comment_in_the_admin_takes_it_off(client, admin_client, committed):
    article = make_article()
    comment = make_comment(article=article, body="Deleted for good.")
    url = article.get_absolute_url()
    assertContains(stored(client, url), "Deleted for good.")

    with committed():
        _action(admin_client, "delete_selected", comment)

    assert not Comment.objects.filter(pk=comment.pk).exists()
    assertNotContains(fresh(client, url), "Deleted for good.")


def test_editing_a_comment_s_status_in_the_admin_form_shows_it(
    client, admin_client, committed
):
    article = make_article()
    held = make_comment(
        article=article, body="Approved in the form.", status=Comment.Status.PENDING
    )
    url = article.get_absolute_url()
    stored(client, url)

    with committed():
        response = admin_client.post(
            reverse("admin:comments_comment_change", args=[held.pk]),
            {"status": Comment.Status.APPROVED, "_save": "Save"},
        )
    assert response.status_code == 302

    assertContains(fresh(client, url), "Approved in the form.")


def test_the_comment_count_on_lists_follows_moderation(client, admin_client, committed):
    article = make_article(headline="Counted story")
    held = make_comment(article=article, status=Comment.Status.PENDING)
    section = article.section.get_absolute_url()
    assertNotContains(stored(client, section), "1 comment")

    with committed():
        _action(admin_client, "approve", held)

    assertContains(fresh(client, section), "1 comment")


# --- Comments: the services ------------------------------------------------------------------


def test_a_comment_published_at_once_is_on_the_next_page(client, admin_user, committed):
    article = make_article()
    url = article.get_absolute_url()
    stored(client, url)

    with committed():
        services.comment_submit(
            article=article,
            submission=services.Submission(body="Staff say hello.", form_age=60),
            user=admin_user,
        )

    assertContains(fresh(client, url), "Staff say hello.")


def test_posting_an_approved_comment_through_the_form_refreshes_the_page(
    client, committed
):
    article = make_article()
    make_comment(
        article=article, name="Pat Reader", email="pat@example.org", body="Earlier."
    )
    url = article.get_absolute_url()
    stored(client, url)
    poster = type(client)()

    with committed():
        response = poster.post(
            reverse("comments:post", args=[article.pk]),
            comment_form_data(article, body="Second thoughts from Pat."),
        )
    assert response.status_code == 302

    assertContains(fresh(client, url), "Second thoughts from Pat.")


def test_a_held_comment_changes_no_shared_page(client, committed):
    article = make_article()
    url = article.get_absolute_url()
    stored(client, url)

    with committed():
        type(client)().post(
            reverse("comments:post", args=[article.pk]),
            comment_form_data(article, body="First time here."),
        )

    assert Comment.objects.get(body="First time here.").status == "pending"
    assert client.get(url)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "write",
    [
        lambda qs, user: services.comments_moderate(
            qs, status=Comment.Status.REMOVED, moderator=user
        ),
        lambda qs, user: services.comments_spam_and_block(qs, moderator=user),
        lambda qs, user: services.comments_delete(comments=qs),
    ],
    ids=["remove", "spam_and_block", "delete"],
)
def test_each_service_that_hides_a_comment_refreshes_the_page(
    client, admin_user, committed, write
):
    article = make_article()
    comment = make_comment(article=article, body="Here, then gone.")
    url = article.get_absolute_url()
    assertContains(stored(client, url), "Here, then gone.")

    with committed():
        write(Comment.objects.filter(pk=comment.pk), admin_user)

    assertNotContains(fresh(client, url), "Here, then gone.")


def test_binning_a_held_comment_changes_no_shared_page(client, admin_user, committed):
    article = make_article()
    held = make_comment(article=article, status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    stored(client, url)

    with committed():
        services.comments_moderate(
            Comment.objects.filter(pk=held.pk),
            status=Comment.Status.SPAM,
            moderator=admin_user,
        )

    assert client.get(url)["X-Page-Cache"] == "hit"


def test_an_imported_comment_is_on_the_next_page(client, committed):
    article = make_article()
    url = article.get_absolute_url()
    stored(client, url)

    with committed():
        services.comment_import(
            article=article,
            name="Archive Reader",
            email="archive@example.org",
            body="Imported from the old site.",
            created_at=timezone.now() - timedelta(days=3),
        )

    assertContains(fresh(client, url), "Imported from the old site.")


def test_nothing_is_refreshed_before_the_commit(client, admin_user):
    article = make_article()
    url = article.get_absolute_url()
    stored(client, url)

    # Inside the test's transaction, never committed: the version must not move yet.
    services.comment_submit(
        article=article,
        submission=services.Submission(body="Not yet committed.", form_age=60),
        user=admin_user,
    )

    assert client.get(url)["X-Page-Cache"] == "hit"
