import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from comments.groups import MODERATORS_GROUP

USERNAME = "demo"


class Command(BaseCommand):
    help = "Create the demo editor/moderator account (DEBUG only) and print its password once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-password",
            action="store_true",
            help="Give the existing demo account a new random password and print it (`make demo-password`).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_account only runs with DEBUG on; create real staff with createsuperuser."
            )
        User = get_user_model()
        existing = User.objects.filter(username=USERNAME).first()
        if existing is not None and options["new_password"]:
            password = secrets.token_urlsafe(12)
            existing.set_password(password)
            existing.save(update_fields=["password"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo account — username: {USERNAME}  new password: {password}\n"
                    "This password is shown only now."
                )
            )
            return
        if existing is not None:
            self.stdout.write(
                f"Demo account '{USERNAME}' already exists (its password was printed when it was made; "
                "for a new one: make demo-password)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            USERNAME, email="demo@example.org", password=password, is_staff=True
        )
        user.groups.set(Group.objects.filter(name__in=["Editors", MODERATORS_GROUP]))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor/moderator account — username: {USERNAME}  password: {password}\n"
                "This password is shown only now."
            )
        )
