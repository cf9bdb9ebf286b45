"""What the project needs to know about a request's network origin, shared by every app."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The reader's IP: REMOTE_ADDR, or from X-Forwarded-For when NUM_PROXIES proxies sit in front.

    The address is taken NUM_PROXIES entries from the right of X-Forwarded-For: those entries
    were added by our own proxies; anything further left was sent by the client and can be forged.
    """
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
