"""``manage.py seed_demo_comments``: believable reader discussions under the demo stories."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.text import render_comment

# (name, email, website, text, replies) — written for this project's fictional town.
THREADS = [
    (
        "Maggie Doyle",
        "maggie.doyle@example.org",
        "",
        "We were on Ferry Lane for the last flood and the water came up through the floor, not the door. "
        "I hope the new wall plan includes the drains as well.",
        [
            (
                "Tom Okafor",
                "tom.okafor@example.org",
                "https://tomokafor.example.org",
                "Same on Mill Row. The council's drainage survey is meant to be published next month — worth "
                "asking about it at the ward meeting.",
                [
                    (
                        "Maggie Doyle",
                        "maggie.doyle@example.org",
                        "",
                        "Thanks Tom, I'll be there on Thursday.",
                        [],
                    )
                ],
            )
        ],
    ),
    (
        "Priya Raman",
        "priya.r@example.org",
        "",
        "Good to see a local paper actually explaining the numbers instead of just the headline figure.",
        [],
    ),
    (
        "Owen Hartley",
        "owen.hartley@example.org",
        "",
        "I run a stall at the Saturday market and footfall has been up since the bridge reopened. "
        "Small things like this matter more than people think.",
        [
            (
                "Lena Fischer",
                "lena.fischer@example.org",
                "",
                "Agreed. The walk from the station is so much easier now.\n\nMore benches along the river would help too.",
                [],
            )
        ],
    ),
    (
        "Dev Sharma",
        "dev.sharma@example.org",
        "",
        "Does anyone know whether the consultation closes at the end of the month or the start of the next?",
        [
            (
                "Ruth Ellison",
                "ruth.ellison@example.org",
                "",
                "The notice in the library says the 30th, 5pm.",
                [],
            )
        ],
    ),
]

# Every demo comment comes from this documentation address (RFC 5737), which marks them as demo.
DEMO_IP = "192.0.2.10"

PENDING = [
    (
        "Sam Whitaker",
        "sam.whitaker@example.org",
        "First time commenting — great coverage of the match on Saturday!",
    ),
    ("Jo Marsh", "jo.marsh@example.org", "Is the exhibition free entry for students?"),
]


class Command(BaseCommand):
    help = "Add approved threaded comments and a few held ones to demo stories that have none yet."

    def handle(self, *args, **options):
        if Comment.objects.filter(ip_address=DEMO_IP).exists():
            self.stdout.write("Comments: demo discussions already there")
            return
        created = 0
        with transaction.atomic():
            articles = list(
                Article.objects.published()
                .filter(comments_open=True, comments__isnull=True)
                .order_by("-published_at")[:8]
            )
            for index, article in enumerate(articles):
                start = article.published_at + timedelta(hours=1)
                threads = (
                    THREADS[index % len(THREADS) :] + THREADS[: index % len(THREADS)]
                )
                for offset, thread in enumerate(threads[: 2 + index % 3]):
                    created += self.add(
                        article, thread, None, start + timedelta(minutes=37 * offset)
                    )
                if index < len(PENDING):
                    name, email, body = PENDING[index]
                    self.make(
                        article,
                        None,
                        name,
                        email,
                        "",
                        body,
                        Comment.Status.PENDING,
                        start,
                    )
                    created += 1
        self.stdout.write(f"Comments: {created} created on {len(articles)} stories")

    def add(self, article, thread, parent, when):
        name, email, url, body, replies = thread
        comment = self.make(
            article, parent, name, email, url, body, Comment.Status.APPROVED, when
        )
        count = 1
        for offset, reply in enumerate(replies, start=1):
            count += self.add(
                article, reply, comment, when + timedelta(minutes=20 * offset)
            )
        return count

    def make(self, article, parent, name, email, url, body, status, when):
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            name=name,
            email=email,
            url=url,
            body=body,
            body_html=render_comment(body),
            status=status,
            reason=""
            if status == Comment.Status.APPROVED
            else Comment.Reason.FIRST_TIME,
            ip_address=DEMO_IP,
        )
        # created_at is auto_now_add; the demo backdates it so threads read in order.
        Comment.objects.filter(pk=comment.pk).update(
            created_at=min(when, timezone.now() - timedelta(minutes=1))
        )
        return comment
