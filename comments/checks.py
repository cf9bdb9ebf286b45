"""System checks for the comments app's settings (``manage.py check`` runs them at startup)."""

from django.conf import settings
from django.core.checks import Error

from comments.moderation import ModerationMode


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
