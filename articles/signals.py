"""Drop cached page furniture when editors change what it shows."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles import blocks
from articles.models import AdSlot, Publication, Section


@receiver([post_save, post_delete], sender=Section)
def section_changed(**kwargs):
    blocks.forget(blocks.NAV_KEY)


@receiver([post_save, post_delete], sender=AdSlot)
def ad_changed(**kwargs):
    blocks.forget(blocks.ADS_KEY)


@receiver([post_save, post_delete], sender=Publication)
def publication_changed(**kwargs):
    blocks.forget(blocks.PUBLICATION_KEY)
