"""Project-wide middleware: the Permissions-Policy header, and the 503 page while the database is away."""

import logging

from django.conf import settings
from django.db import DatabaseError

from newsroom.views import database_unavailable

logger = logging.getLogger(__name__)


class PermissionsPolicyMiddleware:
    """Sets ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response.

    First in MIDDLEWARE, so static files answered by WhiteNoise get it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """A view that meets a database error answers the 503 "We'll be right back" page.

    ``DatabaseError`` covers OperationalError (server gone, connection refused) and
    InterfaceError (connection already closed). Django reconnects on the next request
    (CONN_HEALTH_CHECKS), so the site recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.error(
            "Database unavailable for %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip().splitlines()[0] if str(exception).strip() else "",
        )
        return database_unavailable(request)
