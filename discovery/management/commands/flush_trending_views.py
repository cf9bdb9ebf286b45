from django.core.management.base import BaseCommand

from discovery import trending


class Command(BaseCommand):
    help = (
        "Move the page views counted in the cache for Trending into the database. "
        "Page-view beacons already do this at most every five minutes; run this from cron "
        "(e.g. every 5 minutes) so quiet hours are flushed too."
    )

    def handle(self, *args, **options):
        moved = trending.flush_views()
        if moved is None:
            self.stdout.write("Another flush is running; it will move the views.")
        else:
            self.stdout.write(f"Moved {moved} page views into the database.")
