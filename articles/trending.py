"""Trending: stories ranked by recent reader activity."""

from articles.models import Article


def compute_trending(limit: int = 5) -> list[Article]:
    """Most recently published stories (placeholder ranking until reader activity is counted)."""
    return list(Article.objects.for_listing()[:limit])
