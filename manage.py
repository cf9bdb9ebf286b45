#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A setting that is missing or wrong (e.g. no DJANGO_SECRET_KEY without DEBUG): the
        # message says what to do; a traceback through the settings module would bury it.
        sys.exit(f"manage.py: {exc}")


if __name__ == "__main__":
    main()
