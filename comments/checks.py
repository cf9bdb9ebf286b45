"""System checks for the comments app's settings (``manage.py check`` runs them at startup)."""

from django.conf import settings
from django.core.checks import Error

from comments import personal
from comments.moderation import ModerationMode
from comments.notifications import NotifyMode


def check_moderation_mode(app_configs=None, **kwargs) -> list[Error]:
    """``COMMENTS_MODERATION`` must name a moderation mode."""
    value = getattr(settings, "COMMENTS_MODERATION", None)
    if value in ModerationMode.values:
        return []
    return [
        Error(
            f"COMMENTS_MODERATION is {value!r}, which is not a moderation mode.",
            hint="Set COMMENTS_MODERATION to one of: "
            + ", ".join(ModerationMode.values)
            + " (docs/moderation.md).",
            id="comments.E001",
        )
    ]


def check_page_cache_cookies(app_configs=None, **kwargs) -> list[Error]:
    """Every per-reader cookie the comments app sets must make the page cache step aside."""
    listed = set(getattr(settings, "PAGE_CACHE_BYPASS_COOKIES", ()))
    missing = [name for name in personal.COOKIES if name not in listed]
    if not missing:
        return []
    return [
        Error(
            "PAGE_CACHE_BYPASS_COOKIES does not name "
            + ", ".join(missing)
            + ": a reader with that cookie could be given the shared page, or their own "
            "page could be stored for everyone.",
            hint="Add "
            + ", ".join(missing)
            + " to PAGE_CACHE_BYPASS_COOKIES (docs/deploy.md, Page cache).",
            id="comments.E002",
        )
    ]


def check_notify_mode(app_configs=None, **kwargs) -> list[Error]:
    """``COMMENTS_NOTIFY`` must name a notification mode."""
    value = getattr(settings, "COMMENTS_NOTIFY", None)
    if value in NotifyMode.values:
        return []
    return [
        Error(
            f"COMMENTS_NOTIFY is {value!r}, which is not a notification mode.",
            hint="Set COMMENTS_NOTIFY to one of: "
            + ", ".join(NotifyMode.values)
            + " (docs/moderation.md, Email notifications).",
            id="comments.E003",
        )
    ]
