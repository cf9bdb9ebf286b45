from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Discovery"

    def ready(self):
        from discovery import signals  # noqa: F401  (cache invalidation receivers)
        from discovery.schedule import (
            next_date_change,
            next_page_change,
            page_change_due,
        )
        from newsroom import pagecache

        pagecache.register_schedule(next_page_change, page_change_due)
        # The masthead's date line: the page cache starts afresh at local midnight.
        pagecache.register_schedule(next_date_change)
