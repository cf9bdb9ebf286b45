"""WSGI entry point, used by gunicorn (`make serve`).

Page-cache hits are answered here, before Django builds a request: one cache round trip and
no database (newsroom/pagecache.py). Everything else, misses included, goes to Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

django_application = get_wsgi_application()

from newsroom import pagecache  # noqa: E402  (needs the settings configured above)


def application(environ, start_response):
    hit = pagecache.wsgi_hit(environ)
    if hit is None:
        return django_application(environ, start_response)
    status, headers, body = hit
    start_response(status, headers)
    return [body]
