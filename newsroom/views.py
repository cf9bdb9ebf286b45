"""Project glue views: health check, favicon, error pages and the CSRF failure page."""

from django.db import connection
from django.http import (
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


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, for instance)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not; for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": type(exc).__name__}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def csrf_failure(request, reason=""):
    """The 403 a reader sees when a form's security token is missing or stale.

    A refused comment is shown back to its writer, so nothing they wrote is lost.
    """
    match = request.resolver_match
    unsent = ""
    if request.method == "POST" and match and match.app_name == "comments":
        unsent = request.POST.get("body", "")
    response = render(
        request,
        "403_csrf.html",
        {"reason": reason, "unsent_comment": unsent},
        status=403,
    )
    add_never_cache_headers(response)  # it may hold what this reader wrote
    return response


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # Must not touch the database or context processors that could fail again.
    return HttpResponseServerError(loader.get_template("500.html").render())
