"""Absolute addresses, always on ``SITE_URL``: never on the Host header a request happened to use."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse()``, ``get_absolute_url()``, ``static()``, ``storage.url()``) on ``SITE_URL``.

    An address that is already absolute (media on a CDN) is returned unchanged; a
    protocol-relative one (``//cdn.example/x``) gets the site's scheme.
    """
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("//"):
        return f"{settings.SITE_URL.split(':', 1)[0]}:{path}"
    return f"{settings.SITE_URL}/{path.lstrip('/')}"
