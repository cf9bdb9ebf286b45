"""Start-up checks for settings that must never reach production insecure."""

from django.core.exceptions import ImproperlyConfigured

# Used only when DEBUG is on; production refuses it (see check_secret_key).
DEVELOPMENT_SECRET_KEY = "django-insecure-newsroom-development-only"


def secret_key_problem(key: str) -> str | None:
    """Return why ``key`` is unfit for production, or None when it is fine."""
    if not key:
        return "DJANGO_SECRET_KEY is not set"
    if key.startswith("django-insecure"):
        return "DJANGO_SECRET_KEY is the insecure development key"
    if len(key) < 50 or len(set(key)) < 5:
        return (
            "DJANGO_SECRET_KEY is too short or too simple (use 50+ random characters)"
        )
    return None


def check_secret_key(key: str, *, debug: bool) -> None:
    """Refuse to start with DEBUG off and a missing or weak secret key."""
    if debug:
        return
    problem = secret_key_problem(key)
    if problem:
        raise ImproperlyConfigured(
            f"{problem}. Set it in the environment or .env, e.g. "
            f"DJANGO_SECRET_KEY=\"$(python -c 'import secrets; print(secrets.token_urlsafe(50))')\", "
            "or set DJANGO_DEBUG=1 for local development."
        )
