"""The page cache: whole anonymous pages from the shared cache, exactly invalidated.

**The content version.** One number in the shared cache that every stored page is tagged
with. Anything that changes what a page shows (a story published, edited or unpublished; a
comment approved, removed or deleted; an ad slot, section or author saved) calls
``pages_changed()``, which bumps the version once the transaction commits. A page tagged with
an older version is never served again, on any app server, so the next request renders it
fresh: exact invalidation without knowing which pages showed what.

**Time.** A scheduled story goes live, and an ad slot's window opens or closes, with no write.
Registered schedule sources (``register_schedule()``; discovery registers stories and ads)
name the next such moment; it is kept in the cache beside the version, and the first
anonymous request after it bumps the version.

**Serving.** ``lookup()`` reads the version, the schedule and the page in one cache round
trip and touches no database. ``newsroom.wsgi`` answers hits with it before Django runs;
``PageCacheMiddleware`` (first in MIDDLEWARE) does the same for requests that reach Django
another way (the test client, runserver), stores the responses of views marked
``@shared_page`` and sets every response's caching headers.

A cache that does not answer never breaks a page: ``content_version()`` then returns None,
which means "do not use the page cache for this request".
"""

import gzip
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.http.cookie import parse_cookie
from django.utils.http import parse_etags

from newsroom import sharedcache

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
SCHEDULE_KEY = "pagecache:next-change"
PAGE_KEY_PREFIX = "pagecache:page:"
# The version never expires on its own; pages stored under it do (PAGE_CACHE_SECONDS).
VERSION_TTL = None
# Links people share carry these; the page is the same without them.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"})
# A query parameter a shared page reads is a page number or a comment id, or one of a few
# words the view names (``shared_page(choices=…)``, e.g. ``corder=newest``).
QUERY_VALUE = re.compile(r"[0-9]{1,9}")
ENVIRON_KEY = "newsroom.pagecache"
# Headers that are set per answer, never replayed from a stored page.
_PER_ANSWER = frozenset(
    {
        "cache-control",
        "content-encoding",
        "content-length",
        "etag",
        "expires",
        "set-cookie",
        "vary",
        "x-page-cache",
    }
)
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
SAFE_METHODS = ("GET", "HEAD")


# --- The version ---------------------------------------------------------------------------


def content_version() -> int | None:
    """The current content version, or None when the cache cannot be reached.

    A fresh cache starts from the clock in milliseconds, so a cache that was emptied (or a
    new per-process cache) never reuses a number that pages were once stored under.
    """
    if sharedcache.is_down():  # known down: no round trip (and no timeout) per request
        return None
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, int(time.time() * 1000), timeout=VERSION_TTL)
            version = cache.get(VERSION_KEY)
    except Exception as exc:  # any cache failure: serve uncached rather than fail
        _cache_failed(exc)
        return None
    sharedcache.answered()
    return version


def _cache_failed(exc: BaseException) -> None:
    """A cache outage is logged once per interval (newsroom/sharedcache.py); anything else at once."""
    if isinstance(exc, sharedcache.CACHE_ERRORS):
        sharedcache.failed(exc)
    else:
        logger.warning("Page cache: the cache call failed", exc_info=True)


def _bump() -> None:
    try:
        try:
            version = cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or evicted): start one
            cache.add(VERSION_KEY, int(time.time() * 1000), timeout=VERSION_TTL)
            version = cache.get(VERSION_KEY)
    except Exception:
        logger.warning("Page cache: could not bump the content version", exc_info=True)
        return
    # The writer, not the next reader, pays for looking up the next scheduled change.
    _schedule_refresh(version)


def pages_changed() -> None:
    """Make every cached page stale, once the current transaction (if any) commits.

    After commit, not before: a page rendered in between would otherwise be stored under
    the new version with the old content.
    """
    transaction.on_commit(_bump, robust=True)


def purge() -> int | None:
    """Make every cached page stale now (``manage.py purge_pages``); the new version, or None."""
    _bump()
    return content_version()


# --- Time: scheduled stories, ad windows ---------------------------------------------------

_schedule_sources: list[tuple[Callable, Callable | None]] = []


def register_schedule(next_change: Callable, on_due: Callable | None = None) -> None:
    """Make pages follow a change that comes with time rather than with a write.

    ``next_change()`` returns the next moment (an aware datetime) something that pages show
    changes by itself, or None; ``on_due()``, if given, runs once that moment has passed,
    before pages are rendered again (to drop a cached block that would still show the past).
    """
    if (next_change, on_due) not in _schedule_sources:
        _schedule_sources.append((next_change, on_due))


def _schedule_refresh(version) -> None:
    """Store the next scheduled change, tagged with the version it was looked up under."""
    try:
        moments = [source() for source, _ in _schedule_sources]
        due = min((m.timestamp() for m in moments if m is not None), default=None)
        cache.set(SCHEDULE_KEY, (version, due), timeout=None)
    except Exception:
        # The lookup is simply repeated by the next request that stores a page.
        logger.warning("Page cache: could not look up scheduled changes", exc_info=True)


def _schedule_passed() -> None:
    """The next scheduled change has come: one request (the one that removes the key) bumps."""
    try:
        if not cache.delete(SCHEDULE_KEY):
            return  # another request got there first
    except Exception:
        logger.warning("Page cache: could not clear the schedule", exc_info=True)
        return
    for _, on_due in _schedule_sources:
        if on_due is not None:
            on_due()
    _bump()


# --- Keys ----------------------------------------------------------------------------------


def _scheme(environ) -> str:
    """``request.scheme`` as Django works it out, from the WSGI environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")


def _host(environ) -> str:
    host = environ.get("HTTP_HOST")
    if not host:
        host = f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    return host.lower()


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """The query's parameters without tracking ones (``utm_*``, ``fbclid``…), sorted."""
    return sorted(
        (name, value)
        for name, value in parse_qsl(query_string, keep_blank_values=True)
        if not name.startswith("utm_") and name not in TRACKING_PARAMS
    )


def page_key(environ) -> str:
    """The cache key of the page a request asks for: scheme, host, path and normalised query.

    The scheme and host come into it so a page is only ever replayed to a request that Django
    would have answered with it (an http request that must be redirected, another site's host).
    """
    script = get_script_name(environ).rstrip("/")
    path = script + "/" + get_path_info(environ).replace("/", "", 1)
    query = urlencode(query_pairs(environ.get("QUERY_STRING", "")))
    url = f"{_scheme(environ)}://{_host(environ)}{path}?{query}"
    return PAGE_KEY_PREFIX + hashlib.blake2b(url.encode(), digest_size=20).hexdigest()


# --- Looking a page up (no database, one cache round trip) ---------------------------------


@dataclass(frozen=True)
class Lookup:
    """What the page cache found for one request."""

    shared: bool  # an anonymous GET/HEAD: may get (and make) the shared page
    key: str = ""
    version: int | None = None  # None: no page cache for this request
    entry: dict | None = None  # the stored page, when it may be served
    schedule_known: bool = False
    schedule_due: bool = False


def bypass_cookies() -> frozenset[str]:
    return frozenset(settings.PAGE_CACHE_BYPASS_COOKIES)


def is_per_person(environ) -> bool:
    """Whether the request carries a cookie (or credentials) that can make its page its own."""
    if environ.get("HTTP_AUTHORIZATION"):
        return True
    raw = environ.get("HTTP_COOKIE", "")
    return bool(raw) and not bypass_cookies().isdisjoint(parse_cookie(raw))


def lookup(environ) -> Lookup:
    """Find the shared page for this request, if it may have one."""
    if environ.get("REQUEST_METHOD") not in SAFE_METHODS or is_per_person(environ):
        return Lookup(shared=False)
    key = page_key(environ)
    if sharedcache.is_down():
        return Lookup(shared=True, key=key)
    try:
        found = cache.get_many([VERSION_KEY, SCHEDULE_KEY, key])
    except Exception as exc:
        _cache_failed(exc)
        return Lookup(shared=True, key=key)
    version = found.get(VERSION_KEY)
    if version is None:
        return Lookup(shared=True, key=key, version=content_version())
    schedule = found.get(SCHEDULE_KEY)
    known = isinstance(schedule, tuple) and schedule[0] == version
    due = known and schedule[1] is not None and schedule[1] <= time.time()
    entry = found.get(key)
    usable = known and not due and isinstance(entry, dict) and entry["v"] == version
    return Lookup(
        shared=True,
        key=key,
        version=version,
        entry=entry if usable else None,
        schedule_known=known,
        schedule_due=due,
    )


# --- Stored pages and the answers made from them -------------------------------------------


def _etag(plain: bytes) -> str:
    # From the content, not the version: a page that did not change keeps its ETag, so a
    # browser's copy stays good (304) across versions. Weak, so parts that differ on every
    # render without changing the page (PAGE_CACHE_ETAG_IGNORE: the form token) are left out.
    for pattern in settings.PAGE_CACHE_ETAG_IGNORE:
        plain = re.sub(pattern.encode(), b"", plain)
    return f'W/"{hashlib.blake2b(plain, digest_size=16).hexdigest()}"'


def make_entry(response, version: int) -> dict:
    """A page to store: its headers, its body gzipped once, its ETag."""
    body = response.content
    if response.get("Content-Encoding") == "gzip":  # GZipMiddleware got there first
        gz, plain = body, gzip.decompress(body)
    else:
        plain = body
        gz = gzip.compress(plain, compresslevel=6, mtime=0)
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in _PER_ANSWER
    ]
    return {"v": version, "h": headers, "gz": gz, "etag": _etag(plain)}


def shared_cache_control() -> str:
    return (
        f"public, max-age={settings.PAGE_MAX_AGE}, s-maxage={settings.PAGE_S_MAXAGE}, "
        f"stale-while-revalidate={settings.PAGE_STALE_SECONDS}"
    )


def _matches(etag: str, if_none_match: str) -> bool:
    if not if_none_match:
        return False
    wanted = parse_etags(if_none_match)
    bare = etag.removeprefix("W/")
    return "*" in wanted or any(tag.removeprefix("W/") == bare for tag in wanted)


def answer(
    entry: dict, environ, *, outcome: str, cache_control: str | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """``(status, headers, body)`` of the answer to this request from a stored page.

    304 when the request's If-None-Match names the page's ETag; the gzipped body when the
    client takes gzip (nearly all do), else the body unzipped; no body for HEAD.
    """
    common = [
        ("ETag", entry["etag"]),
        ("Cache-Control", cache_control or shared_cache_control()),
        ("Vary", "Accept-Encoding"),
        ("X-Page-Cache", outcome),
    ]
    if _matches(entry["etag"], environ.get("HTTP_IF_NONE_MATCH", "")):
        return HTTPStatus.NOT_MODIFIED, common, b""
    headers = [*entry["h"], *common]
    if _ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
        body = entry["gz"]
        headers.append(("Content-Encoding", "gzip"))
    else:
        body = gzip.decompress(entry["gz"])
    headers.append(("Content-Length", str(len(body))))
    if environ.get("REQUEST_METHOD") == "HEAD":
        body = b""
    return HTTPStatus.OK, headers, body


def wsgi_hit(environ):
    """``(status line, headers, body)`` for a page-cache hit, or None (let Django answer).

    Never raises: whatever goes wrong, Django answers the request.
    """
    try:
        found = lookup(environ)
        environ[ENVIRON_KEY] = found  # the middleware reuses it instead of asking again
        if found.entry is None:
            return None
        status, headers, body = answer(found.entry, environ, outcome="hit")
    except Exception:
        logger.exception("Page cache: lookup failed; Django answers")
        environ.pop(ENVIRON_KEY, None)
        return None
    return f"{status.value} {status.phrase}", headers, body


# --- Marking views, storing pages, headers -------------------------------------------------


@dataclass(frozen=True)
class SharedPage:
    """How a view's page may be shared: the query parameters it reads."""

    query: frozenset[str]
    # (name, value) pairs of the parameters whose value is a word from a short list.
    choices: frozenset[tuple[str, str]] = frozenset()

    def storable(self, request) -> bool:
        """Whether this request's page may be stored: only parameters the view reads.

        A bot's random query strings then never fill the cache (they are answered, not kept).
        """
        return all(
            (name in self.query and QUERY_VALUE.fullmatch(value))
            or (name, value) in self.choices
            for name, value in query_pairs(request.META.get("QUERY_STRING", ""))
        )


def shared_page(view=None, *, query=(), choices=None):
    """Mark a view whose anonymous page is the same bytes for every reader: the page cache keeps it.

    ``query`` names the parameters the view reads (e.g. ``page``), whose values are numbers;
    ``choices`` maps a parameter to the words it may be (``{"corder": ["newest"]}``). A
    request with any other parameter or value is answered but not stored. Tracking
    parameters (``utm_*``, ``fbclid``…) are taken out before the view runs, so they neither
    split the cache nor end up in its links.
    Use as ``@shared_page``, ``@shared_page(query=["page"])`` or ``shared_page(view)``.
    """

    def decorate(view):
        policy = SharedPage(
            query=frozenset(query),
            choices=frozenset(
                (name, value)
                for name, values in (choices or {}).items()
                for value in values
            ),
        )

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.shared_page = policy
            request.GET = QueryDict(
                urlencode(query_pairs(request.META.get("QUERY_STRING", "")))
            )
            return view(request, *args, **kwargs)

        wrapped.shared_page = policy
        return wrapped

    return decorate(view) if view is not None else decorate


def _private(response, outcome="bypass"):
    response["Cache-Control"] = "private, no-store"
    response["X-Page-Cache"] = outcome
    return response


def _to_django(status, headers, body) -> HttpResponse:
    response = HttpResponse(body, status=status)
    del response["Content-Type"]  # the stored page's own comes with its headers
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """First in MIDDLEWARE: answers hits, stores shared pages, sets every page's cache headers.

    - A POST (any unsafe method): ``private, no-store``, ``X-Page-Cache: bypass``.
    - A view marked ``@shared_page``, asked by a reader without a bypass cookie: the shared
      page, from the cache (``hit``) or rendered and stored (``miss``), with public
      ``Cache-Control``, a weak ETag, 304s and ``Vary: Accept-Encoding`` only.
    - The same view for a reader with a bypass cookie (staff, a held comment, saved details,
      a comment just posted): ``private, no-store``, ``X-Page-Cache: bypass``.
    - Any other response that sets a cookie, or answers a per-person request, and has no
      Cache-Control of its own: ``private, no-store``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = request.META.get(ENVIRON_KEY)
        if found is None:
            try:
                found = lookup(request.META)
            except Exception:
                logger.exception("Page cache: lookup failed")
                found = Lookup(shared=False)
        if found.entry is not None:
            return _to_django(*answer(found.entry, request.META, outcome="hit"))
        if found.schedule_due:
            _schedule_passed()
            found = replace(found, version=content_version(), schedule_known=False)
        response = self.get_response(request)
        try:
            return self.finish(request, found, response)
        except Exception:
            logger.exception("Page cache: could not finish the response")
            return response

    def finish(self, request, found: Lookup, response):
        if request.method not in SAFE_METHODS:
            return _private(response)
        policy = getattr(request, "shared_page", None)
        if policy is None:
            if (response.cookies or not found.shared) and not response.has_header(
                "Cache-Control"
            ):
                response["Cache-Control"] = "private, no-store"
            return response
        if not found.shared:
            return _private(response)
        if response.cookies:
            # A shared page must set no cookie; one that does is somebody's own.
            logger.warning("Page cache: %s set a cookie; not shared", request.path)
            return _private(response)
        if (
            response.status_code != 200
            or response.streaming
            or response.has_header("Cache-Control")
        ):
            return response
        version = found.version
        entry = make_entry(response, version or 0)
        cache_control = None
        if not policy.storable(request):
            cache_control = "no-cache"  # answered, not kept: nor should a proxy keep it
        elif version is not None and request.method == "GET":
            self.store(found, entry)
        return _to_django(
            *answer(entry, request.META, outcome="miss", cache_control=cache_control)
        )

    def store(self, found: Lookup, entry: dict) -> None:
        try:
            if not found.schedule_known:
                _schedule_refresh(found.version)
            cache.set(found.key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception as exc:
            _cache_failed(exc)


def forget_page(environ) -> None:
    """Drop the stored page one request would get (tests; the version is the normal purge)."""
    cache.delete(page_key(environ))
