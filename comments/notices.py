"""Emails to commenters (not moderators): "your comment is published", reply notices, picks.

Hooks the comment services call once a transaction has committed. Each queues its emails
through django-tasks and never raises: a mail or queue failure must not block or lose a
comment or a moderator's decision.

Phase 0 stubs: the commenters issue fills these in (double opt-in, throttles, unsubscribe).
"""


def comments_published(comment_ids) -> None:
    """The comments became approved: tell authors who asked, and confirmed subscribers replied to."""


def comment_picked(comment_id: int) -> None:
    """A moderator made the comment an editor's pick: tell its author if they opted in to notices."""
