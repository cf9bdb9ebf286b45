"""Cached copies that follow editors' changes: Trending's blocks (discovery/trending.py) and
every cached page (newsroom/pagecache.py: the content version is bumped after commit)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import AdSlot, Article, Author, Section
from discovery import trending
from newsroom.pagecache import pages_changed
from newsroom.sharedcache import call


@receiver([post_save, post_delete], sender=Section)
def section_changed(**kwargs):
    call("delete_many", [trending.TRENDING_KEY])


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Author)
def article_changed(**kwargs):
    call("delete_many", [trending.TRENDING_KEY, trending.PUBLISHED_IDS_KEY])


# Stories, sections (navigation, section fronts), authors (bylines, author pages) and ad slots
# show on pages; comments (comments/services.py) and the paper's details and standing pages
# (articles/services.py) change pages through their services, which say so themselves.
@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Author)
@receiver([post_save, post_delete], sender=AdSlot)
def page_content_changed(**kwargs):
    pages_changed()
