"""RSS of one story's approved comments, at ``<story address>/comments/feed/``."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404

from articles.models import Article
from comments.models import Comment
from newsroom.links import absolute_url

FEED_SIZE = 50


class ArticleCommentsFeed(Feed):
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
            .order_by("-created_at", "-id")[:FEED_SIZE]
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
