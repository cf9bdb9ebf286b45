"""nginx (docs/nginx.conf, as documented) in front of gunicorn: the page cache a viral story needs.

One gunicorn (DEBUG off, HTTPS on behind the proxy, its own SQLite file, static and media
folders) and one nginx, started once for the module. PAGE_S_MAXAGE is 2 s here, so the
freshness test waits seconds, not a minute.
"""

import re
import time

import pytest
from django.conf import settings

from tests.serving import content
from tests.serving.servers import (
    NGINX_CONF,
    ROOT,
    SITE_HOST,
    Browser,
    base_env,
    django_json,
    nginx_available,
    openssl_available,
    prepare_site,
    request,
    require,
    start_gunicorn,
    start_nginx,
)

S_MAXAGE = 2
STALE = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require(
        nginx_available(),
        "nginx is not installed at /usr/sbin/nginx (Debian: apt-get install nginx-light)",
    )
    require(openssl_available(), "openssl is not installed (for the test certificate)")
    tmp = tmp_path_factory.mktemp("nginx-site")
    static_root, media_root = tmp / "static", tmp / "media"
    media_root.mkdir()
    env = base_env(
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the test computes signed form tokens
        DJANGO_ALLOWED_HOSTS=SITE_HOST,
        SITE_URL=f"https://{SITE_HOST}",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        CACHE_URL="locmemcache://nginx-test",  # one gunicorn process with threads
        DJANGO_STATIC_ROOT=static_root,
        DJANGO_MEDIA_ROOT=media_root,
        NUM_PROXIES=1,
        PAGE_MAX_AGE=0,
        PAGE_S_MAXAGE=S_MAXAGE,
        PAGE_STALE_SECONDS=STALE,
    )
    prepare_site(env)
    stories = django_json(env, content.SEED)
    started = []
    try:
        app = start_gunicorn(env, log_dir=tmp, threads=4, host=SITE_HOST)
        started.append(app)
        nginx = start_nginx(
            tmp / "nginx",
            upstream_port=app.port,
            static_root=static_root,
            media_root=media_root,
        )
        started.append(nginx)
        yield {
            "env": env,
            "stories": stories,
            "port": nginx.port,
            "http_port": nginx.extra["http_port"],
            "static_root": static_root,
            "media_root": media_root,
            "servers": started,
        }
    finally:
        for server in reversed(started):
            server.stop()


def reader(site, **kwargs) -> Browser:
    return Browser(site["port"], tls=True, **kwargs)


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_deploy_md_quotes_the_tested_config():
    """docs/deploy.md shows docs/nginx.conf word for word: the reader copies what is tested."""
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    blocks = re.findall(r"```nginx\n(.*?)```", deploy, flags=re.S)
    assert NGINX_CONF.read_text() in blocks


def test_bypass_cookies_are_the_apps():
    """The cookie names nginx bypasses on are exactly PAGE_CACHE_BYPASS_COOKIES."""
    names = re.search(r"\(\?:\^\|;\)\\s\*\(\?:([a-z_|]+)\)=", NGINX_CONF.read_text())
    assert names, "no cookie map found in docs/nginx.conf"
    assert set(names.group(1).split("|")) == set(settings.PAGE_CACHE_BYPASS_COOKIES)


def test_a_story_is_a_miss_then_a_hit_in_nginx(site):
    story = site["stories"]["cached"]
    browser = reader(site)
    status, first, page = browser.get(story["url"], headers=GZIP)
    assert status == 200, page[:500]
    assert first["x-cache-status"] == "MISS"
    assert (
        first["content-encoding"] == "gzip"
    )  # the app's own gzip bytes, passed through
    assert first["vary"] == "Accept-Encoding"
    assert f"s-maxage={S_MAXAGE}" in first["cache-control"]
    assert first["set-cookie"] == []
    status, second, again = browser.get(story["url"], headers=GZIP)
    assert (status, second["x-cache-status"]) == (200, "HIT")
    assert second["content-encoding"] == "gzip"
    assert again == page
    assert "A cached story" in page
    assert browser.cookies == {}


def test_a_browser_without_gzip_gets_its_own_plain_copy(site):
    story = site["stories"]["cached"]
    browser = reader(site)
    statuses = []
    for _ in range(2):
        status, headers, page = browser.get(story["url"])  # Accept-Encoding: identity
        assert status == 200
        assert "content-encoding" not in headers
        assert "A cached story" in page
        statuses.append(headers["x-cache-status"])
    assert statuses[-1] == "HIT"


def test_a_bypass_cookie_is_never_answered_from_the_cache(site):
    story = site["stories"]["cached"]
    browser = reader(site)
    browser.get(story["url"], headers=GZIP)  # stored, if it was not
    assert browser.get(story["url"], headers=GZIP)[1]["x-cache-status"] == "HIT"
    for name in sorted(settings.PAGE_CACHE_BYPASS_COOKIES):
        status, headers, _ = browser.get(
            story["url"], headers={**GZIP, "Cookie": f"_ga=1; {name}=x"}
        )
        assert status == 200
        assert headers["x-cache-status"] == "BYPASS", name
        assert "no-store" in headers["cache-control"], name
    # A cookie the app does not read changes nothing: still the shared page.
    _, headers, _ = browser.get(story["url"], headers={**GZIP, "Cookie": "_ga=GA1.1"})
    assert headers["x-cache-status"] == "HIT"


def test_the_author_of_a_held_comment_sees_it_and_nobody_else_does(site):
    story = site["stories"]["discussed"]
    stranger = reader(site)
    stranger.get(story["url"], headers=GZIP)
    author = reader(site)
    words = "My own words, waiting for a moderator"
    status, headers, page = content.post_comment(
        author,
        story,
        words,
        headers={**GZIP, "X-Forwarded-For": "198.51.100.7"},  # forged: nginx appends
    )
    assert status == 302, page[:2000]
    assert "no-store" in headers["cache-control"]
    assert "comments_held" in author.cookies

    status, headers, page = author.get(story["url"], headers=GZIP)
    assert (status, headers["x-cache-status"]) == (200, "BYPASS")
    assert words in page
    assert "Your comment is awaiting moderation." in page
    assert "private" in headers["cache-control"]

    for _ in range(2):
        status, headers, page = stranger.get(story["url"], headers=GZIP)
        assert status == 200
        assert headers["x-cache-status"] in ("HIT", "MISS", "EXPIRED", "STALE")
        assert words not in page
        assert "awaiting moderation" not in page
    assert headers["x-cache-status"] == "HIT"

    # The app took the reader's address from the right end of X-Forwarded-For (NUM_PROXIES=1):
    # the one nginx added, not the one the client made up.
    stored = django_json(
        site["env"],
        "import json\nfrom comments.models import Comment\n"
        f"print(json.dumps(Comment.objects.get(body={words!r}).ip_address))",
    )
    assert stored == "127.0.0.1"


def test_an_approved_comment_shows_through_nginx_within_s_maxage(site):
    story = site["stories"]["discussed"]
    held_words = "Held words on the discussed story"
    stranger = reader(site)
    stranger.get(story["url"], headers=GZIP)
    status, headers, page = stranger.get(story["url"], headers=GZIP)
    assert (status, headers["x-cache-status"]) == (200, "HIT")
    assert held_words not in page

    moderator = reader(site)
    content.admin_login(moderator)
    status, headers, _ = moderator.get(story["url"], headers=GZIP)
    assert headers["x-cache-status"] == "BYPASS"  # staff always see fresh pages
    content.admin_approve(moderator, story["held"])
    approved_at = time.monotonic()

    seen = []
    while time.monotonic() - approved_at < S_MAXAGE + STALE + 2:
        status, headers, page = stranger.get(story["url"], headers=GZIP)
        assert status == 200
        seen.append(headers["x-cache-status"])
        if held_words in page:
            break
        time.sleep(0.25)
    else:
        pytest.fail(f"not visible {S_MAXAGE + STALE + 2} s after approval: {seen}")
    # Within s-maxage plus one background refresh.
    assert time.monotonic() - approved_at <= S_MAXAGE + STALE + 1, seen


def test_static_files_come_from_static_root_compressed_and_immutable(site):
    css = next(site["static_root"].glob("css/*.*.css"))
    path = f"/static/css/{css.name}"
    status, headers, text = request(
        "127.0.0.1", site["port"], "GET", path, headers=GZIP, tls=True
    )
    assert status == 200
    assert headers["content-encoding"] == "gzip"  # collectstatic's .gz, via gzip_static
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "x-cache-status" not in headers  # nginx's own file, not the app
    assert text == css.read_text()


def test_media_files_come_from_media_root(site):
    (site["media_root"] / "note.txt").write_text("uploaded by an editor")
    status, headers, text = request(
        "127.0.0.1", site["port"], "GET", "/media/note.txt", tls=True
    )
    assert (status, text) == (200, "uploaded by an editor")
    assert headers["cache-control"] == "public, max-age=86400"


def test_plain_http_redirects_to_https(site):
    status, headers, _ = request("127.0.0.1", site["http_port"], "GET", "/feed/")
    assert status == 301
    assert headers["location"] == f"https://{SITE_HOST}/feed/"
