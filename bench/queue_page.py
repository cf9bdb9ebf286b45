"""The moderation queue's render time and queries with 50 cards: part of ``make bench``.

For SQLite (a temporary file) and, when it answers, PostgreSQL + Redis (a database and key
prefix of its own, dropped after; see bench/run.py), a child process migrates, stores 50
held comments (demo texts, half of them replies, commenters with earlier approved, spam and
removed comments, some reported), signs a moderator in with Django's test client and times
``BENCH_QUEUE_RUNS`` (50) GETs of the queue page after two warm-up ones: the whole request
through the middleware and the admin, as a moderator's browser would get it. Prints figures,
never passes or fails (docs/benchmarks.md).
"""

import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("BENCH_QUEUE_RUNS", "50"))
CARDS = 50


def build(cards: int = CARDS):
    """Store ``cards`` held comments with everything a card shows; return a moderator."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from bench.story import demo_comments
    from comments.groups import MODERATORS_GROUP
    from comments.models import Comment, CommentReport
    from comments.services import article_comment_counts_refresh
    from comments.text import render_comment
    from tests.factories import make_article

    stories = [make_article(headline=f"Queue story {i}") for i in range(5)]
    pool = itertools.cycle(demo_comments())
    now = timezone.now()

    def store(spec, **fields):
        return Comment.objects.create(
            name=spec["name"],
            email=spec["email"],
            url=spec["url"],
            body=spec["body"],
            body_html=render_comment(spec["body"]),
            **fields,
        )

    parents = [store(next(pool), article=s, status="approved") for s in stories]
    for i in range(cards):
        spec = next(pool)
        story = stories[i % len(stories)]
        # The commenter's record: an earlier approved, spam or removed comment.
        store(spec, article=story, status=("approved", "spam", "removed")[i % 3])
        comment = store(
            spec,
            article=story,
            parent=parents[i % len(stories)] if i % 2 else None,
            depth=2 if i % 2 else 1,
            status=Comment.Status.PENDING,
            reason=("first_time", "too_many_links", "hold_all")[i % 3],
            reason_detail="3 links" if i % 3 == 1 else "",
            ip_address=f"203.0.113.{i}",
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=now - timedelta(minutes=10 * (cards - i))
        )
        if i % 5 == 0:
            CommentReport.objects.create(
                comment=comment, reason="abuse", note="Rude", reporter=f"r{i}"
            )
            Comment.objects.filter(pk=comment.pk).update(report_count=1)
    article_comment_counts_refresh(article_ids=[s.pk for s in stories])
    user = User.objects.create_user("bench-moderator", is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def measure(out: Path) -> None:
    """Runs in a child process with the backend's environment; writes out (JSON)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    moderator = build()
    client = Client()
    client.force_login(moderator)
    url = reverse("admin:comments_comment_queue")
    for _ in range(2):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Counted now: the next request clears the connection's query log.
    queries = len(captured.captured_queries)
    cards = response.content.count(b'class="desk-card"')
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    out.write_text(
        json.dumps(
            {
                "cards": cards,
                "queries": queries,
                "p50": statistics.median(times),
                "p90": times[max(int(len(times) * 0.9) - 1, 0)],
                "html_kb": len(response.content) / 1024,
            }
        )
    )


def run(label: str, env: dict, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "queue.json"
    subprocess.run(
        [sys.executable, str(Path(__file__)), "--measure", str(out)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECRET_KEY": os.environ.get(
                "DJANGO_SECRET_KEY",
                "bench-only-secret-key-2f9c0d8b-7a6e-4c5d-9b1a-3e8f7d6c5b4a",
            ),
            "DJANGO_STATIC_ROOT": str(work / "static"),
            "DJANGO_MEDIA_ROOT": str(work / "media"),
            **env,
        },
        check=True,
        cwd=ROOT,
    )
    return {"label": label, **json.loads(out.read_text())}


def main():
    work = Path(tempfile.mkdtemp(prefix="newsroom-bench-queue-"))
    try:
        report(collect(work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def collect(work: Path) -> list[dict]:
    from bench.run import postgres_and_redis

    results = [
        run(
            "SQLite, local-memory cache",
            {
                "DATABASE_URL": f"sqlite:///{work / 'queue.sqlite3'}",
                "CACHE_URL": "locmemcache://queue",
            },
            work / "sqlite",
        )
    ]
    try:
        backend = postgres_and_redis()
        env = backend.__enter__()
    except Exception as error:
        results.append({"label": "PostgreSQL + Redis", "error": str(error)})
    else:
        try:
            results.append(run("PostgreSQL + Redis", env, work / "postgres"))
        finally:
            backend.__exit__(None, None, None)
    return results


def report(results: list[dict]) -> None:
    print(
        f"\nModeration queue page, {CARDS} cards (whole request through the test client, "
        f"{RUNS} runs after 2 warm-up)\n"
    )
    for r in results:
        if "error" in r:
            print(f"  {r['label']}: not available ({r['error']})")
            continue
        print(
            f"  {r['label']}: p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, "
            f"{r['queries']} queries, {r['cards']} cards, HTML {r['html_kb']:.0f} KB"
        )
    print()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(Path(sys.argv[2]))
    else:
        main()
