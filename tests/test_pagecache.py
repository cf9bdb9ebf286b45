"""The content version every cached page is keyed on (newsroom/pagecache.py)."""

import pytest

from newsroom import pagecache

pytestmark = pytest.mark.django_db


def test_the_version_is_stable_until_something_changes():
    first = pagecache.content_version()

    assert first is not None
    assert pagecache.content_version() == first


def test_a_change_bumps_the_version_only_after_commit(
    django_capture_on_commit_callbacks,
):
    before = pagecache.content_version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pagecache.pages_changed()
        assert pagecache.content_version() == before, "bumped before the commit"

    assert len(callbacks) == 1
    assert pagecache.content_version() == before + 1


def test_an_unreachable_cache_means_no_page_cache_not_an_error(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(pagecache.cache, "get", down)
    monkeypatch.setattr(pagecache.cache, "incr", down)

    assert pagecache.content_version() is None
    pagecache._bump()  # logged, never raised
