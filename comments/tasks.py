"""Kept so tasks queued before notifications moved (stored as ``comments.tasks.notify_moderators``) still run."""

from comments.notifications import notify_moderators

__all__ = ["notify_moderators"]
