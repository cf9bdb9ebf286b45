"""schema.org ``Comment`` data for a story's JSON-LD: comments crawlers can read."""

from html import unescape

from django.utils.html import strip_tags

from newsroom.links import absolute_url


def comment_data(article, comment) -> dict:
    """One approved comment (a thread tuple or a model) as a schema.org Comment."""
    author = {"@type": "Person", "name": comment.name}
    if comment.url:
        author["url"] = comment.url
    return {
        "@type": "Comment",
        "text": unescape(strip_tags(comment.body_html)),
        "dateCreated": comment.created_at.isoformat(timespec="seconds"),
        "author": author,
        "url": absolute_url(f"{article.get_absolute_url()}#comment-{comment.id}"),
    }
