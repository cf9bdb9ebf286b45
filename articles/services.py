"""Writes to articles that take more than one step."""

from dataclasses import dataclass, field

from django.utils import timezone

from articles.models import Article


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
    Each story is saved with ``save()``, so its signals run (cached page furniture is dropped).
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
        article.save()
        result.published.append(article)
    return result
