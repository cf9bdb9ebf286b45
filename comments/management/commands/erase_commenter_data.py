from django.conf import settings
from django.core.management.base import BaseCommand

from comments.services import commenter_data_erase


class Command(BaseCommand):
    help = (
        "Erase what is stored about one commenter's email address: anonymise or delete "
        "their comments (COMMENTS_ERASE_MODE), keeping threads readable."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The commenter's email address.")
        parser.add_argument(
            "--mode",
            choices=["anonymise", "delete"],
            help="Overrides COMMENTS_ERASE_MODE for this run.",
        )

    def handle(self, *args, email, mode=None, **options):
        mode = mode or settings.COMMENTS_ERASE_MODE
        counts = commenter_data_erase(email=email, mode=mode)
        # The address itself is not printed: the output may end up in logs.
        self.stdout.write(
            f"Erased ({mode}): {counts['deleted']} comment(s) deleted, "
            f"{counts['anonymised']} anonymised, "
            f"{counts['trusted_removed']} trusted-commenter entr(y/ies) removed."
        )
