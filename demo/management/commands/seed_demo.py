"""``manage.py seed_demo``: fill an empty site with a believable local paper (safe to run again).

The content is data (``demo/content/*.toml``, read and checked by ``demo.data``); this command
writes it through the services real use goes through (docs/demo.md):

- Stories are saved with ``articles.services.article_save``, which makes the image renditions
  after commit. A back-dated story is created already published at its past date: the one
  bypass, since ``articles_publish`` publishes drafts at "now".
- The paper's details and standing pages are saved with ``publication_save`` and
  ``standing_page_save``, like an editor's change in the admin.
- Comments are stored with ``comments.services.comment_import``, the documented bypass for
  back-dated threads that were moderated elsewhere: their text is validated and rendered like
  a posted comment's, but the moderation rules, spam defences and emails do not run.
"""

import random
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import (
    AdSlot,
    Article,
    ArticleDailyViews,
    Author,
    Publication,
    Section,
    StandingPage,
)
from articles.services import article_save, publication_save, standing_page_save
from comments.models import Comment
from comments.services import comment_import
from demo import data
from demo.pictures import draw_ad, draw_portrait, draw_scene

SCHEDULED_AHEAD = timedelta(days=3)
# Long enough after publication for the article page to show an "Updated" line.
EDIT_DELAY = timedelta(hours=3)
# The newest demo comment is at least this old, so none is dated in the future.
LATEST_COMMENT = timedelta(minutes=5)
NON_PARAGRAPH_PREFIXES = ("## ", "> ", "- ")


def build_body(entry: dict, index: int, paragraphs: dict) -> str:
    """The Markdown body for a demo article: its own blocks, topped up to 5-8 paragraphs from its section's pool."""
    blocks = list(entry["paragraphs"])
    own = sum(1 for block in blocks if not block.startswith(NON_PARAGRAPH_PREFIXES))
    pool = paragraphs[entry["section"]]
    # Vary the target and the starting point so neighbouring stories don't share an ending.
    filler = entry.get("filler", max(0, 5 + index % 4 - own))
    extra = [
        pool[(index + i) % len(pool)] for i in range(min(filler, len(pool), 9 - own))
    ]
    return "\n\n".join(blocks + extra)


def published_at_for(entry: dict, now):
    """When the demo article goes public: None for the draft, three days ahead for the scheduled one."""
    status = entry.get("status")
    if status == "draft":
        return None
    if status == "scheduled":
        return now + SCHEDULED_AHEAD
    return now - timedelta(hours=entry["age_hours"])


def thread_clock(article, comments, now):
    """A function giving each comment's time from its ``minutes`` after publication.

    A thread written for a story days old is squeezed, in proportion, into a younger
    story's life, so replies still follow what they answer and nothing is in the future.
    """
    start = article.published_at
    last = max(_all_minutes(comments), default=0)
    room = (now - LATEST_COMMENT - start).total_seconds() / 60
    scale = min(1.0, room / last) if last and room > 0 else 1.0
    return lambda minutes: start + timedelta(minutes=minutes * scale)


def _all_minutes(comments):
    for comment in comments:
        yield comment["minutes"]
        yield from _all_minutes(comment["reply"])


class Command(BaseCommand):
    help = (
        "Create demo sections, authors, articles with illustrations, ad slots, reader "
        "comments, the paper's details and its standing pages. Existing rows (matched by "
        "slug or name) are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the site already has articles (used by `make run`).",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Article.objects.exists():
            self.stdout.write("The site already has articles; demo content not loaded.")
            return
        # Read and check every file before writing anything.
        content = data.load()
        started = time.monotonic()
        now = timezone.now()
        with transaction.atomic():
            sections, new_sections = self.seed_sections(content)
            authors, new_authors = self.seed_authors(content)
            new_articles, with_images = self.seed_articles(
                content, now, sections, authors
            )
            new_ads = self.seed_ad_slots(content, now)
            self.seed_views(now)
            comments = self.seed_comments(content, now)
            new_publication = self.seed_publication(content)
            new_pages = self.seed_pages(content)

        def line(label, created, total, extra=""):
            return f"{label}: {created} created{extra}, {total - created} already there"

        self.stdout.write(line("Sections", new_sections, len(content.sections)))
        self.stdout.write(line("Authors", new_authors, len(content.authors)))
        self.stdout.write(
            line(
                "Articles",
                new_articles,
                len(content.articles),
                f" ({with_images} with images)",
            )
        )
        self.stdout.write(line("Ad slots", new_ads, len(content.ads)))
        self.stdout.write(comments)
        self.stdout.write(line("Paper details", new_publication, 1))
        self.stdout.write(line("Standing pages", new_pages, len(content.pages)))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready in {time.monotonic() - started:.1f}s."
            )
        )

    def seed_publication(self, content):
        """The paper's details, unless there are some already; return 1 when added."""
        if Publication.objects.exists():
            return 0
        spec = content.publication
        publication = Publication(
            tagline=spec.get("tagline", ""),
            address=spec["address"].strip(),
            news_desk_email=spec["news_desk_email"],
            phone=spec.get("phone", ""),
        )
        publication.full_clean()
        publication_save(publication=publication)
        return 1

    def seed_pages(self, content):
        """The standing pages not written yet (an editor's own are left alone); how many were new."""
        written = set(StandingPage.objects.values_list("slug", flat=True))
        created = 0
        for spec in content.pages:
            if spec["slug"] in written:
                continue
            page = StandingPage(
                slug=spec["slug"],
                title=spec["title"],
                summary=spec["summary"],
                body=spec["body"].strip(),
            )
            page.full_clean()
            standing_page_save(page=page)
            created += 1
        return created

    def seed_sections(self, content):
        """Sections by slug, and how many were new."""
        sections, created_count = {}, 0
        for spec in content.sections:
            section, created = Section.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "name": spec["name"],
                    "order": spec["order"],
                    "description": spec["description"],
                },
            )
            sections[spec["slug"]] = section
            created_count += created
        return sections, created_count

    def seed_authors(self, content):
        """Authors by slug, and how many were new."""
        authors, created_count = {}, 0
        for spec in content.authors:
            author, created = Author.objects.get_or_create(
                slug=spec["slug"], defaults={"name": spec["name"], "bio": spec["bio"]}
            )
            if created and spec.get("photo"):
                author.photo.save(
                    f"{spec['slug']}.jpg", ContentFile(draw_portrait(spec["slug"]))
                )
            authors[spec["slug"]] = author
            created_count += created
        return authors, created_count

    def seed_articles(self, content, now, sections, authors):
        """Create the articles not yet present; return (created, created with an image)."""
        # Not get_or_create: the image has to be attached before the first save so that
        # article_save() builds the renditions in one go, and existing stories (perhaps
        # edited since) are never redrawn or touched.
        existing = set(
            Article.objects.filter(
                slug__in=[a["slug"] for a in content.articles]
            ).values_list("slug", flat=True)
        )
        created, edited, with_images = [], [], 0
        for index, entry in enumerate(content.articles):
            if entry["slug"] in existing:
                continue
            # Back-dated stories are created published at their past date (the bypass:
            # articles_publish() would publish them "now"); the draft stays a draft.
            article = Article(
                headline=entry["headline"],
                slug=entry["slug"],
                section=sections[entry["section"]],
                author=authors[entry["author"]],
                standfirst=entry["standfirst"],
                body=build_body(entry, index, content.paragraphs),
                status=Article.Status.DRAFT
                if entry.get("status") == "draft"
                else Article.Status.PUBLISHED,
                published_at=published_at_for(entry, now),
                comments_open=entry.get("comments_open", True),
                is_featured=entry.get("featured", False),
            )
            if image := entry.get("image"):
                article.image_alt = image["alt"]
                article.image_caption = image["caption"]
                article.image_credit = content.image_credit
                article.image.save(
                    f"{entry['slug']}.jpg",
                    ContentFile(draw_scene(image["scene"], entry["slug"])),
                    save=False,
                )
                with_images += 1
            article.full_clean()
            article_save(article)
            created.append(article.pk)
            if entry.get("edited"):
                edited.append(article.pk)
        # A chosen few show readers an "Updated" line: revised a few hours after publication.
        Article.objects.filter(pk__in=edited).update(
            revised_at=F("published_at") + EDIT_DELAY
        )
        return len(created), with_images

    def seed_views(self, now):
        """A week of page views for the newest stories, so Trending has reader activity to rank."""
        if ArticleDailyViews.objects.exists():
            return
        rng = random.Random(7)
        today = timezone.localdate(now)
        rows = []
        for rank, article in enumerate(
            Article.objects.published().order_by("-published_at")[:15]
        ):
            for days_ago in range(7):
                day = today - timedelta(days=days_ago)
                if day >= timezone.localdate(article.published_at):
                    rows.append(
                        ArticleDailyViews(
                            article=article,
                            day=day,
                            views=rng.randint(20, 400) // (rank + 1),
                        )
                    )
        ArticleDailyViews.objects.bulk_create(rows)

    def seed_ad_slots(self, content, now):
        """Create the ad slots not yet present (matched by name); return how many were new."""
        created = 0
        for spec in content.ads:
            if AdSlot.objects.filter(name=spec["name"]).exists():
                continue
            slot = AdSlot(
                name=spec["name"],
                placement=spec["placement"],
                after_paragraph=spec["after_paragraph"],
                alt_text=f"Advert for {spec['business']}: “{spec['slogan']}. {spec['action']}.”",
                link=spec["link"],
                starts_at=now - timedelta(days=1),
                is_active=True,
            )
            slug = spec["link"].rsplit("/", 1)[-1]
            slot.image.save(
                f"{slug}-{spec['size'][0]}x{spec['size'][1]}.png",
                ContentFile(draw_ad(spec)),
                save=False,
            )
            if small := spec.get("small_size"):
                slot.small_image.save(
                    f"{slug}-{small[0]}x{small[1]}.png",
                    ContentFile(draw_ad({**spec, "size": small})),
                    save=False,
                )
            slot.full_clean()
            slot.save()
            created += 1
        return created

    def seed_comments(self, content, now):
        """Each story's own discussion, on public stories that have no comments yet; a summary line."""
        articles = {
            article.slug: article
            for article in Article.objects.published()
            .filter(slug__in=content.threads)
            .order_by("published_at")
        }
        discussed = set(
            Comment.objects.filter(article__in=articles.values()).values_list(
                "article_id", flat=True
            )
        )
        stories = created = held = 0
        for slug, comments in content.threads.items():
            article = articles.get(slug)
            if article is None or article.pk in discussed:
                continue
            clock = thread_clock(article, comments, now)
            for comment in comments:
                made, pending = self.add_comment(article, comment, None, clock)
                created += made
                held += pending
            stories += 1
        return (
            f"Comments: {created} created on {stories} stories ({held} held for "
            f"moderation), {len(content.threads) - stories} stories skipped "
            "(not public, or already discussed)"
        )

    def add_comment(self, article, spec, parent, clock):
        """Store one demo comment and its replies; return (comments made, of which held)."""
        status = spec.get("status", "approved")
        comment = comment_import(
            article=article,
            name=spec["name"],
            email=spec["email"],
            url=spec.get("url", ""),
            body=spec["body"],
            created_at=clock(spec["minutes"]),
            parent=parent,
            status=Comment.Status(status),
        )
        made, held = 1, int(status == Comment.Status.PENDING)
        for reply in spec["reply"]:
            more, more_held = self.add_comment(article, reply, comment, clock)
            made += more
            held += more_held
        return made, held
