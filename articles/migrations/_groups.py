"""Helpers for the data migrations that set up staff groups."""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps):
    """Permissions are normally made after migrate; groups need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
