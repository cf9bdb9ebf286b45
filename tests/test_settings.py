import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.security import DEVELOPMENT_SECRET_KEY, check_secret_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "key",
    ["", DEVELOPMENT_SECRET_KEY, "django-insecure-" + "x" * 60, "short-key", "a" * 60],
)
def test_weak_secret_keys_are_refused_without_debug(key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        check_secret_key(key, debug=False)


def test_development_key_is_fine_with_debug():
    check_secret_key(DEVELOPMENT_SECRET_KEY, debug=True)


def test_strong_key_is_accepted():
    check_secret_key(
        "k3-9sd8f7Jh2L0qP5zX1cV6bN4mA8sD2fG7hJ3kL9pO0iU5yT1rE", debug=False
    )


def _start_django(code="", **env):
    """Set up Django in a fresh process with only ``env`` configured, then run ``code``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_without_a_secret_key_fails_with_a_clear_message(tmp_path):
    result = _start_django(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_an_empty_secret_key_with_debug_starts_with_the_development_key():
    # An uncommented `DJANGO_SECRET_KEY=` used to give Django's "SECRET_KEY must not be empty".
    result = _start_django(
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DEVELOPMENT_SECRET_KEY


def test_an_empty_secret_key_without_debug_is_refused_with_the_clear_message():
    result = _start_django(
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="  ",
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set. Set it in the environment or .env" in (
        result.stderr
    )
    assert "must not be empty" not in result.stderr


def test_empty_values_mean_unset_so_defaults_apply():
    result = _start_django(
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.DATABASES['default']['ENGINE'], "
        "s.CACHES['default']['BACKEND'], s.TIME_ZONE, s.ALLOWED_HOSTS, s.COMMENTS_MAX_LINKS)",
        DJANGO_DEBUG="",
        DJANGO_SECRET_KEY="k3-9sd8f7Jh2L0qP5zX1cV6bN4mA8sD2fG7hJ3kL9pO0iU5yT1rE",
        DJANGO_HTTPS="",
        DJANGO_ALLOWED_HOSTS="",
        DJANGO_TIME_ZONE="",
        DATABASE_URL="",
        CACHE_URL="",
        COMMENTS_MAX_LINKS="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",  # an empty DJANGO_HTTPS does not switch HTTPS off
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "Europe/London",
        "['localhost',",
        "'127.0.0.1',",
        "'[::1]']",
        "2",
    ]


def test_a_copied_env_example_sets_nothing():
    # `cp .env.example .env` must leave `make run` as it was: every assignment is a comment.
    lines = (ROOT / ".env.example").read_text().splitlines()

    assignments = [line for line in lines if line.strip() and not line.startswith("#")]

    assert assignments == []
    assert any(line.startswith("# DJANGO_SECRET_KEY=") for line in lines)


def test_start_up_with_debug_uses_the_development_key():
    result = _start_django(DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr


STRONG_KEY = "k3-9sd8f7Jh2L0qP5zX1cV6bN4mA8sD2fG7hJ3kL9pO0iU5yT1rE"


def _manage(*args, **env):
    """Run manage.py in a fresh process with only ``env`` configured."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "NEWSROOM_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# An empty NEWSROOM_DEMO counts as unset, and also hides one a developer's .env may set.
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": STRONG_KEY, "NEWSROOM_DEMO": ""}
IS_DEMO_INSTALLED = "from django.apps import apps; print(apps.is_installed('demo'))"


def test_production_settings_do_not_install_the_demo_app():
    result = _start_django(IS_DEMO_INSTALLED, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("command", ["seed_demo", "demo_account"])
def test_demo_commands_are_unknown_in_production(command):
    result = _manage(command, "--help", **PRODUCTION)

    assert result.returncode != 0
    assert f"Unknown command: '{command}'" in result.stderr


@pytest.mark.parametrize(
    "env",
    [{**PRODUCTION, "NEWSROOM_DEMO": "1"}, {"DJANGO_DEBUG": "1", "NEWSROOM_DEMO": ""}],
    ids=["NEWSROOM_DEMO=1", "DJANGO_DEBUG=1"],
)
def test_debug_or_newsroom_demo_installs_the_demo_app_and_its_commands(env):
    installed = _start_django(IS_DEMO_INSTALLED, **env)
    seed_help = _manage("seed_demo", "--help", **env)

    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip() == "True"
    assert seed_help.returncode == 0, seed_help.stderr
    assert "--if-empty" in seed_help.stdout


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_"))
            },
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3-9sd8f7Jh2L0qP5zX1cV6bN4mA8sD2fG7hJ3kL9pO0iU5yT1rE",
            "DJANGO_ALLOWED_HOSTS": "news.example.org",
            "DJANGO_HTTPS": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
