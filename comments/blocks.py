"""Blocks on commenters, as plain functions: how long they last and which values they name.

A ``comments.models.Block`` keeps one email address, one domain or one IP address out until
it expires (or for good). These helpers are shared by the model's validation, the blocking
service (comments/services.py) and the moderation verdict (comments/moderation.py); they
import no model, so every one of those may use them.
"""

import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockDuration(models.TextChoices):
    """How long a block set from the comments list lasts."""

    DAY = "1d", _("1 day")
    WEEK = "7d", _("7 days")
    MONTH = "30d", _("30 days")
    FOREVER = "forever", _("Forever")


_LENGTHS = {
    BlockDuration.DAY: timedelta(days=1),
    BlockDuration.WEEK: timedelta(days=7),
    BlockDuration.MONTH: timedelta(days=30),
    BlockDuration.FOREVER: None,
}


def expiry(duration: str, now):
    """When a block of ``duration`` set at ``now`` ends: a datetime, or None for good."""
    length = _LENGTHS[BlockDuration(duration)]
    return None if length is None else now + length


# Domains shared by a great many unrelated people: blocking one would shut out thousands of
# readers to stop one. "Block the commenter…" never blocks them as a domain (it says so); a
# moderator who really means it can still add the block by hand on the Blocks page.
SHARED_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "web.de",
        "yahoo.com",
        "yandex.ru",
        # Website hosts where everyone has a page.
        "blogspot.com",
        "facebook.com",
        "github.com",
        "github.io",
        "instagram.com",
        "linkedin.com",
        "medium.com",
        "substack.com",
        "tiktok.com",
        "twitter.com",
        "wordpress.com",
        "x.com",
        "youtube.com",
    }
)


def normalise_domain(value: str) -> str:
    """A domain as blocks store it: lower case, no trailing dot, no leading "www."."""
    domain = (value or "").strip().lower().rstrip(".")
    return domain.removeprefix("www.")


def normalise_ip(value: str) -> str:
    """An IP address in its canonical spelling; raises ValueError when it is not one."""
    return str(ipaddress.ip_address((value or "").strip()))


def email_domain(email: str) -> str:
    """The domain of an email address ("" when there is none)."""
    _, at, domain = (email or "").rpartition("@")
    return normalise_domain(domain) if at else ""


def website_domain(url: str) -> str:
    """The host of a website address, as a block domain ("" when there is none)."""
    try:
        host = urlsplit((url or "").strip()).hostname or ""
    except ValueError:
        return ""
    return normalise_domain(host)


def domain_candidates(*domains: str) -> list[str]:
    """Every block value that covers these domains: each one and its parent domains.

    A block on ``spam.example`` also covers ``mail.spam.example``; top-level domains alone
    (``example``) are never a candidate.
    """
    found = []
    for domain in domains:
        labels = normalise_domain(domain).split(".")
        for start in range(len(labels) - 1):
            candidate = ".".join(labels[start:])
            if candidate and candidate not in found:
                found.append(candidate)
    return found
