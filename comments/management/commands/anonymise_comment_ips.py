from django.core.management.base import BaseCommand, CommandError

from comments.services import comment_ips_anonymise


class Command(BaseCommand):
    help = "Blank the IP address and browser stored with comments older than N days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            required=True,
            help="Keep IPs of comments newer than this.",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be zero or more.")
        count = comment_ips_anonymise(older_than_days=days)
        self.stdout.write(f"Anonymised {count} comment(s) older than {days} day(s).")
