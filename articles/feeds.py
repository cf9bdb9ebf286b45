"""RSS 2.0 and Atom feeds of the latest published stories, site-wide and per section.

Links are absolute on ``SITE_URL`` (contrib.syndication leaves absolute URLs alone), so a
feed fetched through any host name points readers at the canonical site.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed

from articles import seo
from articles.models import Article, Section

FEED_LENGTH = 20


class LatestStoriesFeed(Feed):
    """The newest published stories, one query."""

    feed_type = Rss201rev2Feed
    url_name = "articles:feed"

    def title(self):
        return seo.site_feed_title()

    def link(self):
        return seo.absolute_url(reverse("articles:home"))

    def feed_url(self):
        return seo.absolute_url(reverse(self.url_name))

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
        return seo.absolute_url(item.get_absolute_url())

    def item_comments(self, item):
        return f"{self.item_link(item)}#comments"

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return seo.absolute_url(item.author.get_absolute_url())

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
    feed_type = Atom1Feed
    url_name = "articles:feed-atom"


class SectionFeed(LatestStoriesFeed):
    """One section's newest stories: one query for the section, one for the stories."""

    url_name = "articles:section-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, obj):
        return seo.section_feed_title(obj)

    def link(self, obj):
        return seo.absolute_url(obj.get_absolute_url())

    def feed_url(self, obj):
        return seo.absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug}))

    def description(self, obj):
        return seo.section_description(obj)

    def subtitle(self, obj):
        return self.description(obj)

    def items(self, obj):
        return self.stories().filter(section=obj)[:FEED_LENGTH]


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed
    url_name = "articles:section-feed-atom"
