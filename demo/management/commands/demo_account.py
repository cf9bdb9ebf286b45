import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from comments.groups import MODERATORS_GROUP

USERNAME = "demo"


class Command(BaseCommand):
    help = "Create the demo editor/moderator account (DEBUG only) and print its password once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_account only runs with DEBUG on; create real staff with createsuperuser."
            )
        User = get_user_model()
        if User.objects.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Demo account '{USERNAME}' already exists (its password was printed when it was made; "
                f"reset it with: python manage.py changepassword {USERNAME})."
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
