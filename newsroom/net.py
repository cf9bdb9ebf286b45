"""What the project needs to know about a request's network origin, shared by every app."""

import ipaddress

from django.conf import settings


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
