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


def test_a_slot_without_a_main_image_is_never_shown(client):
    # The admin requires the image; a fixture or an import may not. No page may break on it.
    from articles.models import AdSlot
    from tests.factories import image_file, make_ad, make_article

    slot = make_ad(
        small_image=image_file("phone.png", size=(320, 100), fmt="PNG"),
    )
    AdSlot.objects.filter(pk=slot.pk).update(image="")
    article = make_article()

    assert slot.pk not in [s.pk for s in blocks.live_ads()["article"]]
    assert client.get(article.get_absolute_url()).status_code == 200


def test_an_error_while_building_a_block_is_that_error_not_a_cache_outage(caplog):
    from newsroom import sharedcache

    def build():
        raise FileNotFoundError("ads/missing.png")

    with pytest.raises(FileNotFoundError):
        sharedcache.cached("test:broken-block", build, timeout=60)

    assert not sharedcache.is_down()
    assert "not answering" not in caplog.text
