"""Project glue views: health check, favicon, error pages and the CSRF failure page."""

import logging
import sys

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import DatabaseError, connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsroom import sharedcache

logger = logging.getLogger(__name__)

# Seconds a reader (or a load balancer) is asked to wait while the database is away.
RETRY_AFTER_SECONDS = 60


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, for instance)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@never_cache
@require_safe
def healthz(request):
    """200 when the database and the cache answer, 503 naming which is down; for load balancers.

    The body names parts and states ("ok" or "down"), never an exception: the details are
    logged, not shown to whoever asks.
    """
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        logger.warning("Health check: the database did not answer", exc_info=True)
        database = "down"
    cache = "ok" if sharedcache.probe() else "down"
    healthy = database == cache == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "cache": cache},
        status=200 if healthy else 503,
    )


def csrf_failure(request, reason=""):
    """The 403 a reader sees when a form's security token is missing or stale.

    A refused comment is shown back to its writer, so nothing they wrote is lost.
    """
    if request.method == "POST":
        try:
            request.POST  # noqa: B018  (read once: an unreadable body is a 400, not a 403)
        except (BadRequest, SuspiciousOperation) as exc:
            return bad_request(request, exc)
    unsent = unsent_comment(request)
    response = render(
        request,
        "403_csrf.html",
        {"reason": reason, "unsent_comment": unsent},
        status=403,
    )
    add_never_cache_headers(response)  # it may hold what this reader wrote
    return response


def unsent_comment(request) -> str:
    """The text of a comment whose POST is being refused, to show back to its writer ("" if none)."""
    match = request.resolver_match
    if request.method != "POST" or not (match and match.app_name == "comments"):
        return ""
    try:
        return request.POST.get("body", "")
    except (
        Exception
    ):  # an unreadable body (wrong charset, too big): nothing to give back
        return ""


def database_unavailable(request) -> HttpResponse:
    """The 503 "We'll be right back" page, while the database does not answer.

    Rendered without a request context: no context processor, template tag or session can
    reach for the database (or the cache) again. A comment being posted gets its text back.
    """
    unsent = unsent_comment(request)
    html = loader.get_template("503.html").render({"unsent_comment": unsent})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    """The branded 400. Never reads the request body: it may be what made the request bad
    (a charset Django refuses for forms, a body over DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    response = HttpResponseBadRequest(loader.get_template("400.html").render())
    add_never_cache_headers(response)
    return response


def page_not_found(request, exception):
    # Never stored by a shared cache (the page cache keeps only 200s, docs/deploy.md): a 404
    # is heuristically cacheable without a Cache-Control, and this page is rendered per request.
    response = render(request, "404.html", status=404)
    add_never_cache_headers(response)
    return response


def server_error(request):
    # Must not touch the database or context processors that could fail again.
    # A database error raised outside a view (a middleware saving the session, say) lands
    # here rather than in DatabaseUnavailableMiddleware: it still gets the 503 page.
    if isinstance(sys.exc_info()[1], DatabaseError):
        return database_unavailable(request)
    response = HttpResponseServerError(loader.get_template("500.html").render())
    add_never_cache_headers(response)
    return response
