"""Drop Trending's cached blocks when editors change what they show (discovery/trending.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Author, Section
from discovery import trending
from newsroom.sharedcache import call


@receiver([post_save, post_delete], sender=Section)
def section_changed(**kwargs):
    call("delete_many", [trending.TRENDING_KEY])


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Author)
def article_changed(**kwargs):
    call("delete_many", [trending.TRENDING_KEY, trending.PUBLISHED_IDS_KEY])
