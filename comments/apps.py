from django.apps import AppConfig
from django.core import checks


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from comments.checks import (
            check_moderation_mode,
            check_notify_mode,
            check_page_cache_cookies,
        )

        checks.register(check_moderation_mode)
        checks.register(check_page_cache_cookies)
        checks.register(check_notify_mode)
