"""Writes to articles that take more than one step."""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils import timezone

from articles.images import delete_renditions, make_renditions
from articles.models import Article, Publication, StandingPage
from newsroom.pagecache import pages_changed

logger = logging.getLogger(__name__)


def article_save(article: Article, **save_kwargs) -> Article:
    """Save the story's row; once the transaction commits, bring its image renditions in step.

    ``Article.save()`` writes the row and nothing else. Rendition files are made after
    commit, so a rolled-back save leaves no files behind and a failed rendition never
    loses the editor's text.
    """
    article.save(**save_kwargs)
    transaction.on_commit(partial(article_renditions_refresh, article.pk), robust=True)
    return article


def article_renditions_refresh(article_id: int) -> list[dict] | None:
    """Make WebP + JPEG renditions of the story's current lead image, once; drop a replaced image's.

    Returns the renditions now stored, or None when nothing changed (same picture, or the
    story is gone). The old files are deleted only after the row points at the new ones.
    """
    article = (
        Article.objects.filter(pk=article_id).only("image", "image_renditions").first()
    )
    if article is None:
        return None
    source = article.image.name if article.image else ""
    old = article.image_renditions or []
    if source == (old[0].get("source") if old else ""):
        return None
    renditions = make_renditions(article.image) if source else []
    for item in renditions:
        item["source"] = source
    Article.objects.filter(pk=article_id).update(image_renditions=renditions)
    pages_changed()  # the pages now offer the new pictures (update() sends no signal)
    # New names never collide with the old files: storage.save() picks a free name while they exist.
    delete_renditions(article.image.storage, old)
    return renditions


@dataclass
class PublishResult:
    published: list[Article] = field(default_factory=list)
    # (draft, the published story already at its address): drafts left unpublished.
    skipped: list[tuple[Article, Article]] = field(default_factory=list)


def articles_publish(queryset, *, now=None) -> PublishResult:
    """Publish the drafts in ``queryset`` at ``now``, one by one, skipping any whose address is taken.

    A story's address is its local publication date plus its slug, so a draft is skipped when a
    published story (public or scheduled) already uses its slug on the local date of ``now``.
    Drafts in the same batch count too: of two drafts with one slug, only the first is published.
    Each story is saved with ``article_save()``, so its signals run (cached page furniture is dropped).
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    result = PublishResult()
    drafts = queryset.filter(status=Article.Status.DRAFT).order_by("pk")
    for article in drafts:
        taken_by = (
            Article.objects.filter(
                status=Article.Status.PUBLISHED,
                slug=article.slug,
                published_at__date=day,
            )
            .exclude(pk=article.pk)
            .first()
        )
        if taken_by:
            result.skipped.append((article, taken_by))
            continue
        article.status = Article.Status.PUBLISHED
        article.published_at = now
        article_save(article)
        result.published.append(article)
    return result


# --- Standing pages and the paper's details -------------------------------------------------
# Both show on every page (the footer, the masthead's logo, the Contact page): a change drops
# the cached Publication.current() once the transaction commits and makes every cached page
# stale (pages_changed()).


def _paper_changed() -> None:
    # Dropped now and again after commit: a page rendered in between may have cached the old one.
    Publication.forget_current()
    transaction.on_commit(Publication.forget_current, robust=True)
    pages_changed()


def standing_page_save(*, page: StandingPage) -> StandingPage:
    """Save a standing page (its Markdown is rendered and sanitised by ``save()``)."""
    with transaction.atomic():
        page.save()
        _paper_changed()
    return page


def standing_page_delete(*, page: StandingPage) -> None:
    """Delete a standing page: its address answers 404 and the footer stops linking it."""
    with transaction.atomic():
        page.delete()
        _paper_changed()


def publication_save(*, publication: Publication) -> Publication:
    """Save the paper's details (address, news desk, logo, tagline)."""
    with transaction.atomic():
        publication.save()
        _paper_changed()
    return publication
