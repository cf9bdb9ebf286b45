from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Discovery"

    def ready(self):
        from discovery import signals  # noqa: F401  (Trending's cache invalidation receivers)
