"""Feeds: the latest published stories (RSS 2.0 and Atom, site-wide and per section) and
one story's approved comments (RSS, at ``<story address>/comments/feed/``).

Links are absolute on ``SITE_URL`` (contrib.syndication leaves absolute URLs alone), so a
feed fetched through any host name points readers at the canonical site.
"""

import datetime
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed

from articles.models import Article, Section
from comments.models import Comment
from discovery import seo
from newsroom.links import absolute_url

FEED_LENGTH = 20
COMMENT_FEED_LENGTH = 50

# Characters XML 1.0 does not allow (most C0 controls, lone surrogates, U+FFFE/U+FFFF):
# Django's feed writer raises on them, so one such character stored anywhere would make the
# whole feed a 500. Form input is already cleaned (comments/text.py); this covers any stored text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    """``value`` with every character XML 1.0 forbids removed (lists and tuples too)."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(v) for v in value)
    return value


class XmlSafeFeedMixin:
    """A feed generator that drops XML-forbidden characters from every text it is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *(xml_safe(a) for a in args), **{k: xml_safe(v) for k, v in kwargs.items()}
        )

    def add_item(self, *args, **kwargs):
        super().add_item(
            *(xml_safe(a) for a in args), **{k: xml_safe(v) for k, v in kwargs.items()}
        )


class SafeRssFeed(XmlSafeFeedMixin, Rss201rev2Feed):
    pass


class SafeAtomFeed(XmlSafeFeedMixin, Atom1Feed):
    pass


class LatestStoriesFeed(Feed):
    """The newest published stories, one query."""

    feed_type = SafeRssFeed
    url_name = "discovery:feed"

    def title(self):
        return seo.site_feed_title()

    def link(self):
        return absolute_url(reverse("articles:home"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def description(self):
        return seo.site_description()

    def subtitle(self):
        return self.description()

    def items(self):
        return self.stories()[:FEED_LENGTH]

    def stories(self):
        return (
            Article.objects.published()
            .select_related("section", "author")
            .order_by("-published_at", "-pk")
        )

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.standfirst

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_comments(self, item):
        return f"{self.item_link(item)}#comments"

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return absolute_url(item.author.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return seo.modified_at(item)

    def item_categories(self, item):
        return [item.section.name]

    def item_enclosures(self, item):
        """The lead image's largest JPEG rendition; left out if its file is missing."""
        image = seo.lead_image(item)
        if image is None:
            return []
        try:
            length = item.image.storage.size(image["name"])
        except OSError:
            return []
        return [Enclosure(image["url"], str(length), image["type"])]


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = SafeAtomFeed
    url_name = "discovery:feed-atom"


class SectionFeed(LatestStoriesFeed):
    """One section's newest stories: one query for the section, one for the stories."""

    url_name = "discovery:section-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, obj):
        return seo.section_feed_title(obj)

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug}))

    def description(self, obj):
        return seo.section_description(obj)

    def subtitle(self, obj):
        return self.description(obj)

    def items(self, obj):
        return self.stories().filter(section=obj)[:FEED_LENGTH]


class SectionAtomFeed(SectionFeed):
    feed_type = SafeAtomFeed
    url_name = "discovery:section-feed-atom"


class ArticleCommentsFeed(Feed):
    """One published story's newest approved comments, one query for the story, one for them."""

    feed_type = SafeRssFeed

    def get_object(self, request, year, month, day, slug):
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            raise Http404("No such date") from None
        return get_object_or_404(
            Article.objects.published(), slug=slug, published_at__date=date
        )

    def title(self, article):
        return f"Comments on “{article.headline}” — {settings.SITE_NAME}"

    def link(self, article):
        return absolute_url(article.get_absolute_url()) + "#comments"

    def feed_url(self, article):
        return absolute_url(article.get_absolute_url() + "comments/feed/")

    def description(self, article):
        return f"Reader comments on {article.headline}, newest first."

    def items(self, article):
        """The newest approved comments; private columns are never read."""
        return (
            Comment.objects.approved()
            .filter(article=article)
            .select_related("article")
            .only(
                "id",
                "name",
                "body_html",
                "created_at",
                "article__slug",
                "article__published_at",
            )
            .order_by("-created_at", "-id")[:COMMENT_FEED_LENGTH]
        )

    def item_title(self, comment):
        return f"By {comment.name}"

    def item_description(self, comment):
        # Feed readers treat descriptions as HTML: give them the escaped, nh3-sanitised rendering.
        return comment.body_html

    def item_link(self, comment):
        return absolute_url(comment.get_absolute_url())

    def item_guid(self, comment):
        return absolute_url(comment.get_absolute_url())

    def item_author_name(self, comment):
        return comment.name

    def item_pubdate(self, comment):
        return comment.created_at
