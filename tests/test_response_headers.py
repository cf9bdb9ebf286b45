"""The headers every response type carries (docs/reliability.md, "Response headers").

Every HTML answer — a shared page hit or miss, a per-person page, the comment redirect, 400,
403, 404, 429, 500, 503 — carries the security headers, and a Cache-Control that says whether
a shared cache may keep it: ``public`` only for the shared pages, ``private, no-store`` (or
stricter) for everything else. Feeds, the sitemap and /healthz carry the same set.
"""

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test import Client
from django.urls import include, path, reverse

from tests.factories import comment_form_data, make_article

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug in a view")


# Used as ROOT_URLCONF for the 500 only: the site's URLs plus one view that raises.
urlpatterns = [path("_boom/", _boom), path("", include("newsroom.urls"))]
handler400 = "newsroom.views.bad_request"
handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"


def _refuse(execute, sql, params, many, context):
    raise OperationalError("connection refused")


def _post(client, article, **data):
    return client.post(
        reverse("comments:post", args=[article.pk]), comment_form_data(article, **data)
    )


def shared_miss(client, settings, article):
    return client.get(article.get_absolute_url())


def shared_hit(client, settings, article):
    client.get(article.get_absolute_url())
    return client.get(article.get_absolute_url())


def per_person_cookie(client, settings, article):
    client.cookies["comments_posted"] = "1"
    return client.get(article.get_absolute_url())


def per_person_staff(client, settings, article):
    client.force_login(User.objects.create_user("ed", is_staff=True))
    return client.get(article.get_absolute_url())


def post_redirect(client, settings, article):
    return _post(client, article)


def invalid_comment_400(client, settings, article):
    return _post(client, article, body="")


def bad_charset_400(client, settings, article):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        "body=Caf%E9",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )


def cross_site_403(client, settings, article):
    forger = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://evil.example")
    return _post(forger, article)


def unknown_url_404(client, settings, article):
    return client.get("/no-such-page/")


def unknown_story_404(client, settings, article):
    return client.get("/2020/01/01/no-such-story/")


def rate_limited_429(client, settings, article):
    settings.COMMENTS_RATE_LIMIT = 1
    _post(client, article)
    return _post(client, article, body="A second thought.")


def server_error_500(client, settings, article):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False).get("/_boom/")


def database_down_503(client, settings, article):
    with connection.execute_wrapper(_refuse):
        return client.get(article.section.get_absolute_url())


HTML = {
    "shared page, miss": (shared_miss, 200, "public"),
    "shared page, hit": (shared_hit, 200, "public"),
    "per-person page (cookie)": (per_person_cookie, 200, "private"),
    "per-person page (staff)": (per_person_staff, 200, "private"),
    "POST redirect": (post_redirect, 302, "private"),
    "400 invalid comment": (invalid_comment_400, 400, "private"),
    "400 bad charset": (bad_charset_400, 400, "private"),
    "403 cross-site POST": (cross_site_403, 403, "private"),
    "404 unknown address": (unknown_url_404, 404, "private"),
    "404 unknown story": (unknown_story_404, 404, "private"),
    "429 rate limited": (rate_limited_429, 429, "private"),
    "500": (server_error_500, 500, "private"),
    "503 database down": (database_down_503, 503, "private"),
}


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Permissions-Policy"]
    assert all(f"{f}=()" in policy for f in ("camera", "microphone", "geolocation"))


def assert_cache_control(response, kind):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    if kind == "public":
        assert "public" in directives and not directives & {"private", "no-store"}
        assert "Set-Cookie" not in response
    else:
        assert {"private", "no-store"} <= directives and "public" not in directives


@pytest.mark.parametrize("name", HTML)
def test_every_html_response_carries_the_security_headers(client, settings, name):
    make, status, kind = HTML[name]
    response = make(client, settings, make_article())

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert_security_headers(response)
    assert_cache_control(response, kind)


@pytest.mark.parametrize(
    ("url", "kind"),
    [("/feed/", "public"), ("/sitemap.xml", "public"), ("/healthz", "private")],
)
def test_feeds_the_sitemap_and_healthz_carry_them_too(client, url, kind):
    make_article()

    response = client.get(url)

    assert response.status_code == 200
    assert_security_headers(response)
    assert_cache_control(response, kind)
