"""The page cache (newsroom/pagecache.py): the content version, serving, headers, bypasses."""

import gzip
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from articles.views import HOME_PER_PAGE
from newsroom import pagecache
from tests.factories import comment_form_data, make_article, make_comment
from tests.pages import forget_page

pytestmark = pytest.mark.django_db


def test_the_version_is_stable_until_something_changes():
    first = pagecache.content_version()

    assert first is not None
    assert pagecache.content_version() == first


def test_a_change_bumps_the_version_only_after_commit(
    django_capture_on_commit_callbacks,
):
    before = pagecache.content_version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pagecache.pages_changed()
        assert pagecache.content_version() == before, "bumped before the commit"

    assert len(callbacks) == 1
    assert pagecache.content_version() == before + 1


def test_an_unreachable_cache_means_no_page_cache_not_an_error(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(pagecache.cache, "get", down)
    monkeypatch.setattr(pagecache.cache, "incr", down)

    assert pagecache.content_version() is None
    pagecache._bump()  # logged, never raised


# --- Serving: headers, ETags, keys, bypass --------------------------------------------------

SHARED_CACHE_CONTROL = "public, max-age=0, s-maxage=60, stale-while-revalidate=30"


@pytest.fixture
def story():
    return make_article(headline="Harbour wall repaired at last")


def _shared_urls(article):
    return [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        article.author.get_absolute_url(),
        reverse("discovery:feed"),
        reverse("discovery:feed-atom"),
        reverse("discovery:section-feed", kwargs={"slug": article.section.slug}),
        article.get_absolute_url() + "comments/feed/",
        reverse("discovery:sitemap"),
        reverse("discovery:sitemap-section", kwargs={"section": "articles"}),
        reverse("discovery:news-sitemap"),
        reverse("discovery:robots"),
    ]


def test_every_shared_page_is_stored_then_served_from_the_cache(client, story):
    for url in _shared_urls(story):
        first = client.get(url)
        second = client.get(url)

        assert first.status_code == second.status_code == 200, url
        assert first["X-Page-Cache"] == "miss", url
        assert second["X-Page-Cache"] == "hit", url
        assert second.content == first.content, url
        assert second["Content-Type"] == first["Content-Type"], url


def test_shared_page_headers_let_a_cdn_keep_it(client, story):
    for response in (client.get(story.get_absolute_url()) for _ in range(2)):
        assert response["Cache-Control"] == SHARED_CACHE_CONTROL
        assert response["Vary"] == "Accept-Encoding"
        assert re.fullmatch(r'W/"[0-9a-f]{32}"', response["ETag"])
        assert not response.cookies
        assert "Set-Cookie" not in response
        # The security headers are stored with the page and sent with every hit.
        assert response["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_cache_settings_shape_the_header(client, settings, story):
    settings.PAGE_MAX_AGE, settings.PAGE_S_MAXAGE, settings.PAGE_STALE_SECONDS = (
        5,
        600,
        120,
    )

    response = client.get(story.get_absolute_url())

    assert (
        response["Cache-Control"]
        == "public, max-age=5, s-maxage=600, stale-while-revalidate=120"
    )


def test_a_hit_costs_no_query(client, story, django_assert_num_queries):
    client.get(story.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(story.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assertContains(response, "Harbour wall repaired at last")


def test_a_matching_if_none_match_gets_304_from_a_hit_and_a_miss(client, story):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]

    hit = client.get(url, headers={"If-None-Match": etag})
    forget_page(url)
    miss = client.get(url, headers={"If-None-Match": f'"other", {etag}'})
    stale = client.get(url, headers={"If-None-Match": 'W/"0000"'})

    assert (hit.status_code, hit["X-Page-Cache"]) == (304, "hit")
    assert (miss.status_code, miss["X-Page-Cache"]) == (304, "miss")
    assert hit.content == miss.content == b""
    assert hit["ETag"] == miss["ETag"] == etag
    assert hit["Cache-Control"] == SHARED_CACHE_CONTROL
    assert stale.status_code == 200


def test_an_unchanged_page_keeps_its_etag_across_versions(client, story):
    # The home page: a story page carries its comment form's signed time, new each render.
    url = reverse("articles:home")
    before = client.get(url)["ETag"]

    pagecache._bump()
    after = client.get(url)

    assert after["X-Page-Cache"] == "miss"
    assert after["ETag"] == before


def test_the_page_is_gzipped_once_and_unzipped_for_clients_without_gzip(client, story):
    url = story.get_absolute_url()
    plain = client.get(url)  # the test client asks for no encoding

    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert zipped["X-Page-Cache"] == "hit"
    assert gzip.decompress(zipped.content) == plain.content
    assert int(zipped["Content-Length"]) == len(zipped.content)


def test_a_miss_for_a_gzip_client_stores_the_same_page(client, story):
    url = story.get_absolute_url()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})

    plain = client.get(url)

    assert zipped["X-Page-Cache"] == "miss" and plain["X-Page-Cache"] == "hit"
    assert gzip.decompress(zipped.content) == plain.content


def test_head_is_answered_from_the_stored_page(client, story):
    url = story.get_absolute_url()
    client.get(url)

    response = client.head(url)

    assert response["X-Page-Cache"] == "hit"
    assert response.content == b""


def test_tracking_parameters_share_the_page_and_stay_out_of_its_links(client):
    for _ in range(HOME_PER_PAGE + 2):
        make_article()
    first = client.get(reverse("articles:home"), {"utm_source": "newsletter"})

    again = client.get(reverse("articles:home"), {"fbclid": "abc", "utm_medium": "x"})

    assert first["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    assertContains(first, "?page=2")
    assertNotContains(first, "utm_source")


def test_query_parameters_are_sorted_into_one_key():
    factory = RequestFactory()

    assert pagecache.page_key(factory.get("/?cpage=2&replytocom=7").META) == (
        pagecache.page_key(factory.get("/?replytocom=7&cpage=2&utm_campaign=a").META)
    )
    assert pagecache.page_key(factory.get("/?cpage=2").META) != (
        pagecache.page_key(factory.get("/?cpage=3").META)
    )


def test_scheme_and_host_are_part_of_the_key():
    factory = RequestFactory()

    http = factory.get("/", headers={"Host": "news.example.org"}).META
    https = factory.get("/", headers={"Host": "news.example.org"}, secure=True).META
    other = factory.get("/", headers={"Host": "evil.example.org"}).META

    assert len({pagecache.page_key(m) for m in (http, https, other)}) == 3


def test_every_comment_page_and_reply_link_is_its_own_shared_page(client, settings):
    settings.COMMENTS_PER_PAGE = 1
    article = make_article()
    first, second = make_comment(article=article), make_comment(article=article)
    url = article.get_absolute_url()

    for query in ({"cpage": "2"}, {"replytocom": str(first.pk)}):
        assert client.get(url, query)["X-Page-Cache"] == "miss"
        assert client.get(url, query)["X-Page-Cache"] == "hit"
    assertContains(client.get(url, {"cpage": "2"}), second.body)


def test_unknown_query_parameters_are_answered_but_never_stored(client, story):
    url = story.get_absolute_url()

    responses = [client.get(url, {"x": str(n)}) for n in range(3)]
    repeated = client.get(url, {"x": "0"})
    junk = client.get(url, {"cpage": "not-a-number"})

    for response in [*responses, repeated, junk]:
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"
        assert response["Cache-Control"] == "no-cache"
    assertContains(repeated, "Harbour wall repaired at last")


def test_a_404_is_not_stored(client):
    url = "/section/no-such-section/"

    responses = [client.get(url) for _ in range(2)]

    assert [r.status_code for r in responses] == [404, 404]
    assert "X-Page-Cache" not in responses[1]


def test_search_is_never_stored(client, story):
    responses = [
        client.get(reverse("discovery:search"), {"q": "harbour"}) for _ in "ab"
    ]

    assert all("X-Page-Cache" not in r for r in responses)


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid",
        "csrftoken",
        "messages",
        "comment_author",
        "comments_held",
        "comments_posted",
        "comments_mine",
        "comments_reporter",
    ],
)
def test_a_bypass_cookie_gets_a_private_page_that_is_never_stored(
    client, story, cookie
):
    url = story.get_absolute_url()
    client.get(url)  # stored for everyone
    client.cookies[cookie] = "x"

    response = client.get(url)

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "bypass"
    assert response["Cache-Control"] == "private, no-store"
    del client.cookies[cookie]
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_staff_always_get_a_fresh_private_page(admin_client, client, story):
    url = story.get_absolute_url()
    client.get(url)

    response = admin_client.get(url)
    Article.objects.filter(pk=story.pk).update(headline="Changed without a signal")
    again = admin_client.get(url)

    assert response["X-Page-Cache"] == again["X-Page-Cache"] == "bypass"
    assert again["Cache-Control"] == "private, no-store"
    assertContains(again, "Changed without a signal")
    assertContains(again, "staff-bar")


def test_the_staff_preview_is_private(admin_client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)

    response = admin_client.get(reverse("articles:preview", args=[draft.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_post_responses_are_private(client, story):
    response = client.post(
        reverse("comments:post", args=[story.pk]), comment_form_data(story)
    )

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Page-Cache"] == "bypass"


# --- An unreachable cache never breaks a page ----------------------------------------------


class DownCache:
    """A cache that never answers (only the page cache's use of it is broken here)."""

    def __getattr__(self, name):
        def down(*args, **kwargs):
            raise ConnectionError("cache is down")

        return down


def test_pages_are_served_uncached_when_the_cache_is_down(client, story, monkeypatch):
    monkeypatch.setattr(pagecache, "cache", DownCache())

    responses = [client.get(story.get_absolute_url()) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert [r["X-Page-Cache"] for r in responses] == ["miss", "miss"]
    assertContains(responses[1], "Harbour wall repaired at last")


def test_a_cache_outage_costs_one_attempt_and_one_log_line_not_one_per_request(
    client, story, monkeypatch, caplog
):
    calls = []

    class CountingDownCache(DownCache):
        def __getattr__(self, name):
            calls.append(name)
            return super().__getattr__(name)

    monkeypatch.setattr(pagecache, "cache", CountingDownCache())

    responses = [client.get(story.get_absolute_url()) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert len(calls) == 1, "the page cache kept knocking on a cache it knew was down"
    outage = [r for r in caplog.records if "not answering" in r.getMessage()]
    assert len(outage) == 1


def test_a_failed_store_still_answers(client, story, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(pagecache.cache, "set", down)  # every other call still answers

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"


# --- The WSGI entry point answers hits before Django -----------------------------------------


def _wsgi_get(url, **headers):
    from newsroom import wsgi

    environ = RequestFactory().get(url, headers=headers).META
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(wsgi.application(environ, start_response))
    return seen, body


def test_the_wsgi_entry_point_answers_a_hit_without_django(
    client, story, monkeypatch, django_assert_num_queries
):
    from newsroom import wsgi

    url = story.get_absolute_url()
    stored = client.get(url, headers={"Accept-Encoding": "gzip"})
    monkeypatch.setattr(
        wsgi, "django_application", lambda *a: pytest.fail("Django was asked")
    )

    with django_assert_num_queries(0):
        seen, body = _wsgi_get(url, **{"Accept-Encoding": "gzip"})

    assert seen["status"] == "200 OK"
    assert seen["headers"]["X-Page-Cache"] == "hit"
    assert seen["headers"]["Cache-Control"] == SHARED_CACHE_CONTROL
    assert gzip.decompress(body) == gzip.decompress(stored.content)


def test_the_wsgi_entry_point_hands_misses_and_cookies_to_django(
    client, story, monkeypatch
):
    from newsroom import wsgi

    calls = []

    def django(environ, start_response):
        calls.append(environ[pagecache.ENVIRON_KEY])
        start_response("200 OK", [])
        return [b"from django"]

    monkeypatch.setattr(wsgi, "django_application", django)
    url = story.get_absolute_url()

    _, miss = _wsgi_get(url)
    client.get(url)
    _, bypass = _wsgi_get(url, Cookie="sessionid=abc")

    assert miss == bypass == b"from django"
    assert (
        calls[0].shared and calls[0].entry is None
    )  # the middleware reuses the lookup
    assert not calls[1].shared


def test_a_broken_lookup_in_the_wsgi_entry_point_falls_back_to_django(monkeypatch):
    from newsroom import wsgi

    monkeypatch.setattr(pagecache, "lookup", lambda environ: 1 / 0)
    monkeypatch.setattr(
        wsgi, "django_application", lambda e, s: s("200 OK", []) or [b"django"]
    )

    assert _wsgi_get("/")[1] == b"django"


# --- The bypass list names every per-reader cookie -----------------------------------------


def test_the_bypass_list_check_passes_with_the_defaults():
    from comments.checks import check_page_cache_cookies

    assert check_page_cache_cookies() == []


def test_the_bypass_list_check_names_a_missing_cookie(settings):
    from comments.checks import check_page_cache_cookies

    settings.PAGE_CACHE_BYPASS_COOKIES = ["sessionid", "csrftoken", "comments_held"]

    errors = check_page_cache_cookies()

    assert [e.id for e in errors] == ["comments.E002"]
    assert "comment_author, comments_posted" in errors[0].msg


def test_the_purge_command_makes_every_page_stale(client, story):
    from io import StringIO

    from django.core.management import call_command

    url = story.get_absolute_url()
    client.get(url)
    out = StringIO()

    call_command("purge_pages", stdout=out)

    assert "Page cache purged" in out.getvalue()
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_two_renders_of_a_story_differ_in_their_form_token_but_share_an_etag(
    client, story
):
    url = story.get_absolute_url()
    first = client.get(url)
    forget_page(url)
    second = client.get(url)

    token = re.compile(rb'name="timestamp" value="([^"]*)"')
    assert token.search(first.content).group(1) != token.search(second.content).group(1)
    assert first["ETag"] == second["ETag"]


def test_a_change_of_content_changes_the_etag(client, story):
    url = story.get_absolute_url()
    before = client.get(url)["ETag"]
    forget_page(url)
    story.headline = "Harbour wall repaired, then cracked"
    story.save()
    after = client.get(url)["ETag"]

    assert before != after
