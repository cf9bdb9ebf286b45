import pytest

from articles import blocks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "load",
    [blocks.nav_sections, blocks.live_ads],
)
def test_every_cached_block_expires_on_its_own(cache_timeouts, load):
    # Saves drop a block only from the cache of the process that saved; with a per-process
    # cache the others must still see the change eventually.
    load()

    assert len(cache_timeouts) == 1
    assert cache_timeouts[0] is not None and 0 < cache_timeouts[0] <= 600
