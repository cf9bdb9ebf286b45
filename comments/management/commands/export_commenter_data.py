import json

from django.core.management.base import BaseCommand

from comments.services import commenter_data_export


class Command(BaseCommand):
    help = "Print, as JSON, everything stored about one commenter's email address."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The commenter's email address.")

    def handle(self, *args, email, **options):
        data = commenter_data_export(email=email)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
