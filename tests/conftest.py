import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The manifest storage needs collectstatic; tests check templates, not the build step.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    # Tests talk plain HTTP to the test client and live server.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Production queues tasks in the database (a worker sends them); tests run them at once
    # unless a test asks for the database backend (tests/comments/test_hardening.py).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture(autouse=True)
def _cache_outage_forgotten():
    """A cache outage one test caused (newsroom/sharedcache.py keeps it per process) ends with it."""
    from newsroom import sharedcache

    sharedcache.reset()
    yield
    sharedcache.reset()


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache outlives a test (locmem in-process, Redis in CI): start each test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cache_timeouts(monkeypatch):
    """The timeout of every value stored in the cache during the test, in order."""
    timeouts = []
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return timeouts
