"""What the project needs to know about a request's network origin, shared by every app."""

import ipaddress
import logging
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def _valid_ip(value: str) -> str | None:
    """``value`` as a normalised IP address, or None; tolerates the ":port" some proxies add."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:  # 203.0.113.7:51234
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request) -> str | None:
    """The reader's IP: REMOTE_ADDR, or from X-Forwarded-For when NUM_PROXIES proxies sit in front.

    The address is taken NUM_PROXIES entries from the right of X-Forwarded-For: those entries
    were added by our own proxies; anything further left was sent by the client and can be forged.
    Anything that is not an IP address (a proxy writing "unknown", say) counts as no address.
    """
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return _valid_ip(forwarded[-proxies])
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


# One home connection on IPv6 is usually given a whole /64: the addresses in it are one reader.
IPV6_READER_PREFIX = 64


def reader_network(ip_address: str | None) -> str | None:
    """The address that stands for one reader in rate limits and one-per-reader rules.

    An IPv4 address as it is; an IPv6 address as the first address of its /64, since a reader
    can pick any address in their /64 for each request.
    """
    if not ip_address:
        return None
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:  # not an address at all: the model's validation says so later
        return ip_address
    if address.version == 6:
        return str(
            ipaddress.ip_network(f"{address}/{IPV6_READER_PREFIX}", strict=False)[0]
        )
    return str(address)


# --- Where a POST came from ----------------------------------------------------------------

security_logger = logging.getLogger("django.security.csrf")


def site_origins(request) -> set[str]:
    """The origins (``scheme://host[:port]``) whose pages may post to this site."""
    origins = {f"{request.scheme}://{request.get_host()}"}
    site = urlsplit(settings.SITE_URL)
    if site.scheme and site.netloc:
        origins.add(f"{site.scheme}://{site.netloc}")
    origins.update(o for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o)
    return origins


def cross_site_refusal(request) -> str | None:
    """Why a POST is refused as not sent from one of this site's own pages, or None if it was.

    Browsers say where a form was sent from: ``Sec-Fetch-Site`` (refused when "cross-site"),
    ``Origin`` (must be this site's), else ``Referer`` (must be on this site). A POST with
    neither header did not come from a page of ours and is refused too. Like Django's CSRF
    middleware, the test client's ``enforce_csrf_checks=False`` switches the check off.
    """
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return None
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return "The browser says this form was sent from another site (Sec-Fetch-Site)."
    good = site_origins(request)
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin in good:
            return None
        return f"Origin {origin!r} is not this site."
    referer = request.headers.get("Referer")
    if referer:
        try:
            parts = urlsplit(referer)
        except ValueError:
            return "The Referer header is not an address."
        if f"{parts.scheme}://{parts.netloc}" in good:
            return None
        return "The Referer is not a page of this site."
    return "Neither an Origin nor a Referer header was sent."


def origin_protect(view):
    """CSRF protection that needs no token for anonymous readers, so their page can be shared.

    A signed-in user's POST gets Django's full CSRF check (token and cookie), exactly as
    ``csrf_protect`` gives it. An anonymous POST must come from this site's own pages
    (``cross_site_refusal``); it carries no session, so a forged one could only post what an
    attacker could post themselves. Refusals get the CSRF failure page (``CSRF_FAILURE_VIEW``).
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return protected(request, *args, **kwargs)
        reason = cross_site_refusal(request)
        if reason is not None:
            security_logger.warning(
                "Forbidden (%s): %s", reason, request.path, extra={"request": request}
            )
            return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
