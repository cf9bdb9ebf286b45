import pytest
from django.core.cache import cache

from articles import blocks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "load",
    [blocks.nav_sections, blocks.live_ads],
)
def test_every_cached_block_expires_on_its_own(monkeypatch, load):
    # Saves drop a block only from the cache of the process that saved; with a per-process
    # cache the others must still see the change eventually.
    timeouts = []
    real_get_or_set = cache.get_or_set

    def spy(key, default, timeout=None, **kwargs):
        timeouts.append(timeout)
        return real_get_or_set(key, default, timeout, **kwargs)

    monkeypatch.setattr(cache, "get_or_set", spy)

    load()

    assert len(timeouts) == 1
    assert timeouts[0] is not None and 0 < timeouts[0] <= 600
