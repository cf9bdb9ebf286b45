"""Every response type's headers, taken from real responses (docs/reliability.md, "Response headers").

Production settings (DEBUG off, HTTPS behind a proxy, the manifest static storage, the page
cache) on a throwaway SQLite database and static folder; each request goes through
``newsroom.wsgi.application``, the entry point gunicorn serves (page-cache hits are answered
there). The HTTP server in front adds only ``Date``, ``Server`` and ``Connection``.

Run: ``.venv/bin/python bench/headers.py``. The 500 comes from a view that raises, mounted here
beside the site's own URLs (production has none); the 503 from a database that refuses every
query (``connection.execute_wrapper``), as tests/test_resilience.py does.
"""

import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "news.example.org"
FOLDER = Path(tempfile.mkdtemp(prefix="newsroom-headers-"))

for name in list(os.environ):
    if name.startswith(("DJANGO_", "DATABASE_", "CACHE_", "EMAIL_", "TASKS_", "PAGE_")):
        del os.environ[name]
os.environ.update(
    DJANGO_SETTINGS_MODULE="newsroom.settings",
    DJANGO_DEBUG="0",
    DJANGO_SECRET_KEY="headers-script-only-secret-key-5e4d3c2b1a09-8f7e6d5c4b3a-2918",
    DJANGO_ALLOWED_HOSTS=HOST,
    SITE_URL=f"https://{HOST}",
    DATABASE_URL=f"sqlite:///{FOLDER / 'db.sqlite3'}",
    DJANGO_STATIC_ROOT=str(FOLDER / "static"),
    DJANGO_MEDIA_ROOT=str(FOLDER / "media"),
    EMAIL_URL="dummymail://",
    COMMENTS_MIN_SECONDS="0",
)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.urls import include, path  # noqa: E402

# WhiteNoise lists the static files when the application is built: collect them first.
call_command("migrate", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
logging.disable(logging.CRITICAL)  # the 400s, 500 and 503 below would log tracebacks

from newsroom.wsgi import application  # noqa: E402


def boom(request):
    raise RuntimeError("a bug in a view")


# Only for the 500 row: the site's URLs plus one view that raises.
urlpatterns = [path("_boom/", boom), path("", include("newsroom.urls"))]
handler400 = "newsroom.views.bad_request"
handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"


def call(method, url, *, headers=None, body=b"", content_type=""):
    """One request through the WSGI entry point: (status line, [(header, value)])."""
    path_info, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_HOST": HOST,
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",  # the proxy speaks HTTPS; gunicorn sees plain HTTP
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "CONTENT_TYPE": content_type,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, response_headers

    result = application(environ, start_response)
    try:
        b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return answer["status"], answer["headers"]


def prepare():
    from django.utils import timezone

    from articles.models import Article, Author, Section

    section = Section.objects.create(name="Harbour", slug="harbour")
    author = Author.objects.create(name="Priya Natarajan", slug="priya")
    return Article.objects.create(
        headline="Ferry returns",
        slug="ferry-returns",
        section=section,
        author=author,
        standfirst="On time.",
        body="The ferry is back.",
        status="published",
        published_at=timezone.now() - timezone.timedelta(hours=1),
    )


def comment_post(article, *, body="A thoughtful comment.", headers=None, **kwargs):
    from urllib.parse import urlencode

    from comments.spam import form_token

    fields = {
        "name": "Pat Reader",
        "email": "pat@example.org",
        "url": "",
        "body": body,
        "timestamp": form_token(article.pk, now=time.time() - 60),
        "parent": "",
        "leave_empty": "",
    }
    return call(
        "POST",
        f"/comments/post/{article.pk}/",
        headers={"Origin": f"https://{HOST}", **(headers or {})},
        body=urlencode(fields).encode(kwargs.get("charset", "utf-8")),
        content_type=kwargs.get(
            "content_type", "application/x-www-form-urlencoded; charset=utf-8"
        ),
    )


def responses(article):
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import OperationalError, connection

    story = article.get_absolute_url()
    yield "shared page, miss", "GET " + story, call("GET", story)
    status, headers = call("GET", story)
    yield "shared page, hit", "GET " + story, (status, headers)
    etag = dict(headers)["ETag"]
    yield (
        "shared page, revalidated (If-None-Match)",
        "GET " + story,
        call("GET", story, headers={"If-None-Match": etag}),
    )
    yield (
        "per-person page (a reader who just posted)",
        f"GET {story}  Cookie: comments_posted=1",
        call("GET", story, headers={"Cookie": "comments_posted=1"}),
    )
    yield (
        "POST redirect (comment stored)",
        f"POST /comments/post/{article.pk}/",
        comment_post(article),
    )
    yield (
        "400, comment refused (form back, an empty text)",
        f"POST /comments/post/{article.pk}/  body=''",
        comment_post(article, body=""),
    )
    yield (
        "400, bad request (form declared Latin-1)",
        f"POST /comments/post/{article.pk}/  charset=latin-1",
        comment_post(
            article,
            body="Café",
            charset="latin-1",
            content_type="application/x-www-form-urlencoded; charset=latin-1",
        ),
    )
    yield (
        "403, cross-site POST (Origin check)",
        f"POST /comments/post/{article.pk}/  Origin: https://evil.example",
        comment_post(
            article, body="Forged.", headers={"Origin": "https://evil.example"}
        ),
    )
    yield "404", "GET /no-such-page/", call("GET", "/no-such-page/")
    for n in range(settings.COMMENTS_RATE_LIMIT + 2):
        status, headers = comment_post(article, body=f"Comment number {n}.")
        if status.startswith("429"):
            break
    yield "429, rate limited", f"POST /comments/post/{article.pk}/", (status, headers)
    settings.ROOT_URLCONF = __name__
    try:
        yield "500", "GET /_boom/", call("GET", "/_boom/")
    finally:
        settings.ROOT_URLCONF = "newsroom.urls"

    def refuse(*args):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(refuse):
        yield (
            "503, database down (a page the page cache does not hold)",
            "GET " + article.section.get_absolute_url(),
            call("GET", article.section.get_absolute_url()),
        )
    yield "/healthz", "GET /healthz", call("GET", "/healthz")
    css = staticfiles_storage.url("css/site.css")
    yield "static file", "GET " + css, call("GET", css)
    yield "feed (RSS)", "GET /feed/", call("GET", "/feed/")
    yield "sitemap index", "GET /sitemap.xml", call("GET", "/sitemap.xml")


def main():
    try:
        article = prepare()
        for label, request, (status, headers) in responses(article):
            print(f"### {label}\n{request}\n{status}")
            for name, value in headers:
                print(f"{name}: {value}")
            print()
    finally:
        shutil.rmtree(FOLDER, ignore_errors=True)


if __name__ == "__main__":
    main()
