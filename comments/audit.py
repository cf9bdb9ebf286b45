"""The moderators' audit trail: every decision becomes an entry in Django's admin log.

The entries appear on each object's History page and under Recent actions on the admin
index, with who and when (``LogEntry.user`` and ``action_time``) — alongside, never instead
of, the ``moderated_by``/``moderated_at`` fields on the comment. The comment services call
these helpers inside their transaction, so the admin actions, the moderation queue and any
future caller all log the same way; the admin's change form logs its own saves (Django does
that), and comments/admin.py keeps the two from both logging one status change.
"""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry


def decisions_log(*, comments, moderator, message: str) -> int:
    """Record one decision on each of ``comments`` by ``moderator``; returns how many.

    ``comments`` are model instances (blocks use it too: "Block ended early."), one INSERT
    for them all. ``message`` is what History shows ("Approved.", "Marked as spam."…). Nothing is logged without a moderator (a rule acting on its own, not a person).
    """
    return _log(comments, moderator, message, CHANGE)


def additions_log(*, objects, moderator) -> int:
    """Record that ``moderator`` created ``objects`` (e.g. blocks set from the comments list)."""
    # The message Django's own add form records, so History words it the same way.
    return _log(objects, moderator, [{"added": {}}], ADDITION)


def _log(objects, moderator, message, flag) -> int:
    objects = list(objects)
    if moderator is None or not getattr(moderator, "pk", None) or not objects:
        return 0
    # log_actions (Django 5.1+) makes one bulk INSERT (a single save for one object).
    LogEntry.objects.log_actions(
        user_id=moderator.pk,
        queryset=objects,
        action_flag=flag,
        change_message=message if isinstance(message, list) else str(message),
    )
    return len(objects)
