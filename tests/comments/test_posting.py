from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.models import BlockedTerm, Comment
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db


def post(client, article, **data):
    return client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article, **data)
    )


def test_first_comment_is_held_and_shown_only_to_its_author(client):
    article = make_article()

    response = post(client, article, body="Held for now, please.")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.reason == Comment.Reason.FIRST_TIME
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    own_view = client.get(article.get_absolute_url())
    assertContains(own_view, "Your comment is awaiting moderation.")
    assertContains(own_view, "Held for now, please.")
    stranger = Client().get(article.get_absolute_url())
    assertNotContains(stranger, "Held for now, please.")
    assertNotContains(stranger, "awaiting moderation")


def test_approved_comment_is_public_with_count_permalink_and_avatar(client):
    article = make_article()
    comment = make_comment(
        article=article,
        name="Ada Lovelace",
        url="https://ada.example",
        body="Line one\nline two\n\nSecond para",
    )

    response = client.get(article.get_absolute_url())

    assertContains(response, "1 Comment<")
    assertContains(response, f'id="comment-{comment.pk}"')
    assertContains(
        response, f'href="{article.get_absolute_url()}#comment-{comment.pk}"'
    )
    assertContains(
        response,
        '<a href="https://ada.example" rel="ugc nofollow noopener"><bdi>Ada Lovelace</bdi></a>',
        html=True,
    )
    assertContains(response, ">AL</span>")
    assertContains(response, "<p>Line one<br>line two</p>", html=True)
    assertContains(
        response, f"{article.get_absolute_url()}?replytocom={comment.pk}#respond"
    )


def test_returning_commenter_is_published_at_once(client):
    article = make_article()
    make_comment(name="Pat Reader", email="pat@example.org")

    post(client, article, body="Back again.")

    assert Comment.objects.get(body="Back again.").status == Comment.Status.APPROVED
    assertContains(Client().get(article.get_absolute_url()), "Back again.")


def test_reader_text_is_plain_text_and_links_are_ugc(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> see https://example.org/x"

    post(client, article, body=hostile)

    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/x" rel="ugc nofollow noopener">' in html


def test_javascript_website_is_refused_next_to_the_field(client):
    article = make_article()

    response = post(client, article, url="javascript:alert(3)", body="Keep this text")

    assert response.status_code == 400
    assertContains(
        response,
        "Enter a web address starting with http:// or https://.",
        status_code=400,
    )
    assertContains(response, 'aria-describedby="id_url_error"', status_code=400)
    assertContains(response, "Keep this text", status_code=400)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Please enter your name."),
        ("email", "", "Please enter your email address."),
        ("email", "not-an-email", "Enter an email address like name@example.org."),
        ("body", "", "Please write a comment."),
        ("name", "n" * 101, "Keep your name under 100 characters."),
        ("email", "a" * 250 + "@x.org", "254"),
        ("url", "https://example.org/" + "a" * 200, "200"),
        ("body", "b" * 5001, "Your comment is 5,001 characters; the limit is 5,000."),
    ],
)
def test_bad_fields_get_400_and_a_message_by_the_field_with_the_text_kept(
    client, field, value, message
):
    article = make_article()

    response = post(
        client,
        article,
        **{field: value, "body": value if field == "body" else "My words stay."},
    )

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, f'aria-describedby="id_{field}_error', status_code=400)
    if field != "body":
        assertContains(response, "My words stay.", status_code=400)
    assert not Comment.objects.exists()


def test_honeypot_is_silently_spam(client):
    article = make_article()

    response = post(client, article, leave_empty="http://bot.example", body="Bot text")

    comment = Comment.objects.get()
    assert (comment.status, comment.reason) == (
        Comment.Status.SPAM,
        Comment.Reason.HONEYPOT,
    )
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    assertNotContains(client.get(article.get_absolute_url()), "Bot text")


def test_too_fast_is_held_as_suspected_spam(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()

    post(client, article, age_seconds=0)

    assert Comment.objects.get().reason == Comment.Reason.TOO_FAST


def test_expired_form_asks_to_post_again_and_keeps_the_text(client):
    article = make_article()

    response = post(
        client, article, age_seconds=3 * 86400, body="Written over a long weekend."
    )

    assert response.status_code == 400
    assertContains(
        response, "This form has expired, please post again", status_code=400
    )
    assertContains(response, "Written over a long weekend.", status_code=400)
    assert not Comment.objects.exists()
    # The form comes back with a fresh token, so posting it again works.
    fresh = response.context["comment_form"].data["timestamp"]
    client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, timestamp=fresh),
    )
    assert Comment.objects.count() == 1


def test_forged_timestamp_is_treated_as_expired(client):
    article = make_article()

    response = post(client, article, timestamp="forged-value")

    assert response.status_code == 400
    assertContains(response, "This form has expired", status_code=400)


@pytest.fixture
def stopped_clock(monkeypatch):
    """Rate limits count per clock minute; a test must not straddle two minutes."""
    import time

    now = time.time()
    monkeypatch.setattr("comments.spam.clock", lambda: now)


def test_rate_limit_returns_429_and_keeps_the_text(client, settings, stopped_clock):
    settings.COMMENTS_RATE_LIMIT = 2
    article = make_article()
    post(client, article, body="one")
    post(client, article, body="two")

    response = post(client, article, body="three, kept")

    assert response.status_code == 429
    assertContains(
        response, "You are posting comments too quickly. Slow down.", status_code=429
    )
    assertContains(response, "three, kept", status_code=429)
    assert Comment.objects.count() == 2


def test_rate_limit_is_per_ip(client, settings, stopped_clock):
    settings.COMMENTS_RATE_LIMIT = 1
    article = make_article()
    post(client, article, body="one")

    other = Client(REMOTE_ADDR="198.51.100.20")
    response = other.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body="two"),
    )

    assert response.status_code == 302


def test_duplicate_comment_is_refused(client):
    article = make_article()
    post(client, article, body="Same words.")

    response = post(client, article, body="Same words.")

    assert response.status_code == 409
    assertContains(
        response,
        "Duplicate comment detected; it looks as though you’ve already said that!",
        status_code=409,
    )
    assert Comment.objects.count() == 1


def test_reply_is_threaded_under_its_parent(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    parent = make_comment(article=article, name="First")

    response = post(client, article, parent=str(parent.pk), body="A reply.")

    reply = Comment.objects.get(body="A reply.")
    assert (reply.parent, reply.depth) == (parent, 2)
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        html.index(f'id="comment-{parent.pk}"')
        < html.index('<ol class="children">')
        < html.index(f'id="comment-{reply.pk}"')
    )


def test_reply_form_via_replytocom_without_javascript(client):
    article = make_article()
    parent = make_comment(article=article, name="Quentin")

    response = client.get(article.get_absolute_url() + f"?replytocom={parent.pk}")

    assertContains(response, 'Leave a Reply to <bdi class="respond__to">Quentin</bdi>')
    assertContains(response, "Cancel reply")
    assertContains(response, f'name="parent" value="{parent.pk}"')


@pytest.mark.parametrize("case", ["other_article", "pending", "missing"])
def test_reply_to_a_comment_that_cannot_take_replies_is_400(client, case):
    article = make_article()
    parent = {
        "other_article": lambda: make_comment(),
        "pending": lambda: make_comment(article=article, status=Comment.Status.PENDING),
        "missing": lambda: type("Gone", (), {"pk": 999999})(),
    }[case]()

    response = post(client, article, parent=str(parent.pk), body="Orphan reply")

    assert response.status_code == 400
    assertContains(
        response,
        "You can only reply to a published comment on this story.",
        status_code=400,
    )
    assertContains(response, "Orphan reply", status_code=400)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_comment_on_unpublished_article_is_404(client, fields):
    article = make_article(**fields)

    assert post(client, article).status_code == 404
    assert client.post(reverse("comments:post", args=[987654]), {}).status_code == 404
    assert not Comment.objects.exists()


def test_closed_discussion_shows_no_form_and_refuses_posts(client):
    article = make_article(comments_open=False)

    page = client.get(article.get_absolute_url())
    response = post(client, article, body="Too late")

    assertContains(page, "Comments are closed.")
    assertNotContains(page, "Post Comment")
    assert response.status_code == 403
    assertContains(response, "Comments are closed.", status_code=403)
    assert not Comment.objects.exists()


def test_discussion_closes_after_the_configured_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    article = make_article(published_at=timezone.now() - timedelta(days=15))

    assert post(client, article).status_code == 403


def test_missing_csrf_token_gets_a_branded_403():
    article = make_article()
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article)
    )

    assert response.status_code == 403
    assertContains(response, "Your form could not be sent", status_code=403)
    assert not Comment.objects.exists()


def test_get_on_the_post_endpoint_is_405(client):
    article = make_article()

    assert client.get(reverse("comments:post", args=[article.pk])).status_code == 405


def test_save_my_details_prefills_the_form_only_when_ticked(client):
    article = make_article()

    post(
        client,
        article,
        remember="1",
        name="Remy",
        email="remy@example.org",
        url="https://remy.example",
    )
    page = client.get(article.get_absolute_url())
    assertContains(page, 'value="Remy"')
    assertContains(page, 'value="remy@example.org"')
    assertContains(page, "checked")

    post(
        client,
        article,
        name="Remy",
        email="remy@example.org",
        body="Second, not ticked",
    )
    assertNotContains(client.get(article.get_absolute_url()), 'value="Remy"')


def test_no_cookie_is_set_without_the_box_ticked(client):
    article = make_article()

    response = post(client, article)

    assert (
        response.cookies.get("comment_author") is None
        or response.cookies["comment_author"].value == ""
    )


def test_staff_post_approved_under_their_own_name(admin_client, admin_user):
    article = make_article()

    admin_client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, name="", email="", body="From the newsroom."),
    )

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.name == admin_user.get_username()
    assert comment.user == admin_user


def test_blocked_term_goes_to_spam_and_is_not_shown(client):
    BlockedTerm.objects.create(term="cheap pills")
    article = make_article()

    post(client, article, body="Buy cheap pills here")

    assert Comment.objects.get().status == Comment.Status.SPAM
    assertNotContains(client.get(article.get_absolute_url()), "cheap pills")


def test_commenter_email_never_appears_in_public_html(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    post(client, article, email="secret.person@example.org", body="Published at once")

    page = Client().get(article.get_absolute_url())
    feed = Client().get(article.get_absolute_url() + "comments/feed/")

    assertContains(page, "Published at once")  # the comment is there...
    assertNotContains(page, "secret.person@example.org")  # ...its email is not
    assertContains(feed, "Published at once")
    assertNotContains(feed, "secret.person@example.org")


def test_threads_paginate_by_top_level_comment_and_permalinks_find_their_page(
    client, settings
):
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    first, second, third = (
        make_comment(article=article, body=f"Top {i}") for i in range(3)
    )
    reply = make_comment(article=article, parent=third, body="Reply on page two")

    page_one = client.get(article.get_absolute_url())
    page_two = client.get(article.get_absolute_url() + "?cpage=2")
    jump = client.get(reverse("comments:permalink", args=[reply.pk]))

    # (The page head's JSON-LD lists the first approved comments on every page; look at the thread.)
    assertContains(page_one, f'id="comment-{first.pk}"')
    assertNotContains(page_one, f'id="comment-{reply.pk}"')
    assertContains(page_one, "Newer comments")
    assertContains(page_two, f'id="comment-{reply.pk}"')
    assertNotContains(page_two, f'id="comment-{first.pk}"')
    assert (
        jump["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{reply.pk}"
    )
    assertContains(page_one, "4 Comments")


def test_permalink_of_a_held_comment_is_404(client):
    comment = make_comment(status=Comment.Status.PENDING)

    assert (
        client.get(reverse("comments:permalink", args=[comment.pk])).status_code == 404
    )


def test_listing_shows_approved_comment_count(client):
    article = make_article()
    make_comment(article=article)
    make_comment(article=article)
    make_comment(article=article, status=Comment.Status.PENDING)

    response = client.get(article.section.get_absolute_url())

    assertContains(response, "2 comments")


@pytest.mark.parametrize("raw", ["abc", "²", "9" * 5000, "-1", "1.5"])
def test_odd_replytocom_values_show_the_plain_form(client, raw):
    article = make_article()

    response = client.get(article.get_absolute_url(), {"replytocom": raw})

    assert response.status_code == 200
    assertContains(response, "Leave a Reply")
    assertNotContains(response, "Leave a Reply to")


@pytest.mark.parametrize("raw", ["abc", "-4", "1e3"])
def test_non_numeric_parent_gets_the_reply_message_not_a_number_error(client, raw):
    article = make_article()

    response = post(client, article, parent=raw, body="Still here")

    assert response.status_code == 400
    assertContains(
        response,
        "You can only reply to a published comment on this story.",
        status_code=400,
    )
    assertNotContains(response, "Enter a whole number", status_code=400)


def test_links_on_a_page_sent_back_after_an_error_point_at_the_story(client, settings):
    settings.COMMENTS_PER_PAGE = 1
    article = make_article()
    first = make_comment(article=article)
    make_comment(article=article)

    response = post(client, article, name="")  # rendered at the posting address

    html = response.content.decode()
    story = article.get_absolute_url()
    assert f'href="{story}?replytocom={first.pk}#respond"' in html
    assert f'href="{story}#comment-{first.pk}"' in html
    assert f'href="{story}?cpage=2#comments"' in html


def test_held_comment_sits_apart_from_the_shared_thread(client):
    article = make_article()
    parent = make_comment(article=article, name="Owen")
    stranger_html = Client().get(article.get_absolute_url()).content.decode()

    post(client, article, parent=str(parent.pk), body="My reply, held")
    own_html = client.get(article.get_absolute_url()).content.decode()

    # The shared thread is byte-for-byte the same; the held reply is in the per-reader block.
    def thread(html):
        return html[html.index('<ol class="comment-list">') : html.index("</ol>")]

    assert thread(own_html) == thread(stranger_html)
    assert "Your comment is awaiting moderation." in own_html
    assert "In reply to" in own_html and "My reply, held" in own_html


def test_closed_discussion_gives_the_reader_their_text_back(client):
    article = make_article(comments_open=False)

    response = post(client, article, body="Words I spent time on")

    assert response.status_code == 403
    assertContains(response, "Words I spent time on", status_code=403)


def test_staff_without_an_email_address_can_still_comment(client, django_user_model):
    editor = django_user_model.objects.create_user(
        "noemail", password="pw", is_staff=True
    )
    client.force_login(editor)
    article = make_article()

    response = post(client, article, name="", email="", body="From the desk")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.name, comment.email, comment.status) == (
        "noemail",
        "",
        Comment.Status.APPROVED,
    )


def test_a_proxy_writing_unknown_for_the_ip_does_not_break_posting(client, settings):
    settings.NUM_PROXIES = 1
    article = make_article()

    response = client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body="Behind a proxy"),
        HTTP_X_FORWARDED_FOR="unknown",
    )

    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None
