"""Issue 10: the site keeps working when the cache or the database fails, and refuses hostile
requests with its own pages (findings 1, 2, 6, 7, 8, 12)."""

import logging
import socket

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from articles import blocks
from comments.models import Comment
from newsroom import counters, sharedcache
from tests.factories import comment_form_data, make_ad, make_article, make_section

pytestmark = pytest.mark.django_db

COULD_NOT_SAVE = "We couldn't save your comment — please try again in a minute"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    """The shared cache is a Redis nobody listens on: every call is refused, as when it is stopped."""
    sharedcache.reset()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    sharedcache.reset()


@pytest.fixture(autouse=True)
def _fresh_outage_state():
    sharedcache.reset()
    counters._local.clear()
    yield
    sharedcache.reset()
    counters._local.clear()


# --- 1. The cache down -------------------------------------------------------------


def test_pages_are_served_from_the_database_when_the_cache_is_down(client, cache_down):
    section = make_section(name="Harbour")
    article = make_article(headline="Ferry returns", section=section)
    make_ad(name="Bakery offer")

    for url in [
        "/",
        article.get_absolute_url(),
        section.get_absolute_url(),
        reverse("discovery:search") + "?q=ferry",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert (
        "Harbour" in response.content.decode()
    )  # the navigation, built without the cache


def test_the_cache_outage_is_logged_once_not_per_request(client, cache_down, caplog):
    article = make_article()
    with caplog.at_level(logging.ERROR, logger="newsroom.sharedcache"):
        for _ in range(5):
            assert client.get(article.get_absolute_url()).status_code == 200
            sharedcache._state["retry_at"] = (
                0  # as if RETRY_SECONDS had passed: try again
            )
    outage_lines = [r for r in caplog.records if r.name == "newsroom.sharedcache"]
    assert len(outage_lines) == 1


def test_healthz_reports_the_cache_down_without_naming_exceptions(client, cache_down):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "down"}
    assert "Error" not in response.content.decode()


def test_posting_a_comment_works_while_the_cache_is_down(client, cache_down):
    article = make_article()

    response = client.post(
        reverse("comments:post", args=[article.pk]),
        comment_form_data(article, body="The ferry was on time today."),
    )

    assert response.status_code == 302
    assert Comment.objects.filter(body="The ferry was on time today.").exists()


def test_the_rate_limit_still_holds_per_process_while_the_cache_is_down(
    client, cache_down, settings
):
    settings.COMMENTS_RATE_LIMIT = 2
    article = make_article()
    statuses = [
        client.post(
            reverse("comments:post", args=[article.pk]),
            comment_form_data(article, body=f"Comment number {n} on the ferry."),
        ).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_the_site_uses_the_cache_again_once_it_answers(client, cache_down, settings):
    article = make_article()
    assert client.get(reverse("healthz")).status_code == 503
    assert sharedcache.is_down()

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    sharedcache._state["retry_at"] = 0  # RETRY_SECONDS later
    assert client.get(article.get_absolute_url()).status_code == 200

    assert not sharedcache.is_down()
    assert caches["default"].get(blocks.NAV_KEY) is not None
    assert client.get(reverse("healthz")).json()["cache"] == "ok"


def test_editors_can_save_while_the_cache_is_down(cache_down):
    section = make_section(name="Harbour")
    section.name = "Harbour and coast"
    section.save()  # the signal that drops the cached navigation must not fail the save
    make_ad().delete()


# --- 2. The database down ------------------------------------------------------------


def _refuse(execute, sql, params, many, context):
    raise OperationalError(
        "connection to server at 127.0.0.1 failed: Connection refused"
    )


def test_readers_get_the_branded_503_while_the_database_is_down(client):
    article = make_article()
    url = article.get_absolute_url()

    with connection.execute_wrapper(_refuse):
        response = client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert "We’ll be right back" in body
    assert "OperationalError" not in body and "Connection refused" not in body
    assert "no-cache" in response["Cache-Control"]
    # Recovery needs no restart: the next request, with the database back, is served.
    assert client.get(url).status_code == 200


def test_a_comment_posted_while_the_database_is_down_comes_back_to_its_writer(client):
    article = make_article()
    data = comment_form_data(article, body="My <b>careful</b> thoughts on the ferry.")

    with connection.execute_wrapper(_refuse):
        response = client.post(reverse("comments:post", args=[article.pk]), data)

    assert response.status_code == 503
    body = response.content.decode()
    assert COULD_NOT_SAVE in body
    assert "My &lt;b&gt;careful&lt;/b&gt; thoughts on the ferry." in body
    assert not Comment.objects.exists()


def test_healthz_says_the_database_is_down_without_naming_exceptions(client):
    with connection.execute_wrapper(_refuse):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "down", "cache": "ok"}


# --- 6. Admin login lockout ---------------------------------------------------------


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "editor", "editor@example.org", "the-right-password", is_staff=True
    )


def _login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_the_right_password_after_too_many_wrong_ones_is_locked_out(
    client, editor, settings, caplog
):
    with caplog.at_level(logging.WARNING):
        statuses = [
            _login(client, "editor", "guess").status_code
            for _ in range(settings.AXES_FAILURE_LIMIT)
        ]
    # The form comes back for each wrong password; the one that reaches the limit locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert any("AXES: Locking out" in r.getMessage() for r in caplog.records)

    response = _login(client, "editor", "the-right-password")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_for_the_username_from_another_address(
    client, editor, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "guess", ip=f"198.51.100.{n + 1}")

    assert (
        _login(client, "editor", "the-right-password", ip="192.0.2.50").status_code
        == 429
    )


def test_the_lockout_holds_for_the_address_whatever_the_username(
    client, editor, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"someone{n}", "guess")

    assert _login(client, "editor", "the-right-password").status_code == 429


def test_fewer_failures_than_the_limit_still_let_the_editor_in(
    client, editor, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "editor", "guess")

    assert _login(client, "editor", "the-right-password").status_code == 302


def test_the_lockout_is_stored_in_the_database_for_every_app_server(
    client, editor, settings
):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "guess")

    assert AccessAttempt.objects.filter(username="editor").exists()


# --- 7, 12. Hostile requests get the branded 400 ------------------------------------------


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "utf-7", "cp1252"])
def test_a_form_post_in_another_charset_gets_the_branded_400(charset, with_token):
    client = Client(
        enforce_csrf_checks=True
    )  # as browsers meet it: the CSRF check reads POST
    article = make_article()
    # Story pages carry no token any more (the page cache); the admin sign-in page still does.
    token = client.get(reverse("admin:login")).cookies["csrftoken"].value
    for url in [reverse("comments:post", args=[article.pk]), reverse("admin:login")]:
        response = client.post(
            url,
            f"csrfmiddlewaretoken={token}&name=Jos%E9&body=Caf%E9"
            if with_token
            else "name=Jos%E9&body=Caf%E9",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        assert response.status_code == 400, url
        assert "We could not read what your browser sent" in response.content.decode()


def test_a_five_megabyte_body_gets_the_branded_400(client):
    article = make_article()

    response = client.post(
        reverse("comments:post", args=[article.pk]),
        "body=" + "a" * (5 * 1024 * 1024 + 1),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "We could not read what your browser sent" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page/", "/favicon.ico"])
def test_every_response_has_a_permissions_policy(client, path):
    response = client.get(path)

    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


# --- 8. Lone surrogates in query parameters ---------------------------------------------


def _get_in_utf7(client, path, query):
    """A GET whose query string the browser says is UTF-7: Django decodes it to lone surrogates."""
    return client.get(
        path, QUERY_STRING=query, CONTENT_TYPE="text/plain; charset=utf-7"
    )


@pytest.mark.parametrize(
    "query", ["q=%2B2AA-", "q=ferry%2B2AA-&page=%2B2AA-", "q=%2B3AA-x"]
)
def test_search_with_a_lone_surrogate_is_not_a_500(client, query):
    make_article(headline="Ferry returns")

    response = _get_in_utf7(client, reverse("discovery:search"), query)

    assert response.status_code in (200, 404)


@pytest.mark.parametrize("param", ["cpage", "replytocom", "page"])
def test_reading_parameters_with_a_lone_surrogate_are_not_a_500(client, param):
    article = make_article()

    response = _get_in_utf7(client, article.get_absolute_url(), f"{param}=%2B2AA-")

    assert response.status_code in (200, 404)


def test_clean_query_drops_lone_surrogates():
    from discovery.search import clean_query

    assert clean_query("fer\ud800ry \udfff boat") == "ferry boat"
