"""``manage.py send_moderation_digest``: one email to the moderators listing what waits (run from cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from comments.notifications import NotifyMode, moderation_digest, moderation_digest_send


class Command(BaseCommand):
    help = (
        "Email the moderators one digest of the comments waiting for them, oldest first, "
        "with a link to the queue. Sends nothing when nothing waits, and nothing unless "
        "COMMENTS_NOTIFY=digest (so the cron line can stay when you switch modes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the email instead of sending it (works in every mode).",
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            digest = moderation_digest()
            if digest is None:
                self.stdout.write("Nothing waits for a moderator.")
            else:
                subject, body = digest
                self.stdout.write(f"Subject: {subject}\n\n{body}")
            return
        if settings.COMMENTS_NOTIFY != NotifyMode.DIGEST:
            self.stdout.write(
                f"COMMENTS_NOTIFY is {settings.COMMENTS_NOTIFY!r}, not 'digest': nothing sent."
            )
            return
        sent = moderation_digest_send()
        if sent:
            self.stdout.write(f"Digest sent to {sent} moderator(s).")
        else:
            self.stdout.write(
                "Nothing waits (or no moderator has an email): nothing sent."
            )
