from django.core.management.base import BaseCommand, CommandError

from newsroom import pagecache


class Command(BaseCommand):
    help = (
        "Make every page in the page cache stale now (bumps the content version). "
        "Shared caches in front (nginx, a CDN) follow within PAGE_S_MAXAGE seconds."
    )

    def handle(self, *args, **options):
        version = pagecache.purge()
        if version is None:
            raise CommandError("The cache did not answer: nothing was purged.")
        self.stdout.write(f"Page cache purged: content version is now {version}.")
