from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Development only: seed_demo and demo_account, with the demo paper as data files.

    Installed when DJANGO_DEBUG is on or NEWSROOM_DEMO=1 (newsroom/settings.py); no other
    app imports it (an import-linter contract in pyproject.toml).
    """

    name = "demo"
    verbose_name = "Demo content"
