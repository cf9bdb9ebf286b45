"""Load and concurrency: real gunicorn on PostgreSQL + Redis, real HTTP on loopback, bounded.

Run with `make load`. Prints a table of counts (never passes or fails on time; the
correctness half is asserted by tests/serving/test_concurrent_comments.py).

It creates its own PostgreSQL database (``newsroom_load_<random>``, dropped at the end) and
uses Redis database 12 under a key prefix of its own (its keys deleted at the end), starts
gunicorn (2 sync workers, DEBUG off, plain HTTP as behind a proxy), seeds a few stories and
runs two scenarios:

1. **Posting under load**: 20 client threads post 500 comments in all, each as a reader would:
   get the story page (perhaps from the page cache), take the form's hidden fields from it,
   post with an ``Origin`` header matching ``SITE_URL``. Each post is a different reader
   (its own name, email and ``X-Forwarded-For`` address, with ``NUM_PROXIES=1``), so the
   default rate limit (5 a minute per address) stays on and refuses nobody. Meanwhile a
   moderator signs in to the admin and approves the held comments in batches with the
   changelist's Approve action (real POSTs with the CSRF token), and reader threads read
   story pages and the home page.
2. **One comment, 20 copies at once**: 20 threads get the story page, then post the same
   comment (same name, email, text and story, each from its own address so the rate limit
   does not answer first), released together by a barrier. Exactly one may be stored.

Settings: ``LOAD_POSTERS`` (20), ``LOAD_COMMENTS`` (500), ``LOAD_READERS`` (4),
``LOAD_COPIES`` (20), ``LOAD_WORKERS`` (2), ``LOAD_SECONDS`` (90: scenario 1 stops there).
"""

import datetime
import os
import platform
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serving import content  # noqa: E402
from tests.serving.servers import (  # noqa: E402
    SHARED_POSTGRES,
    SHARED_REDIS_HOST,
    SHARED_REDIS_PORT,
    Browser,
    base_env,
    django_json,
    drop_scratch,
    form_fields,
    prepare_site,
    shared_postgres,
    shared_redis,
    start_gunicorn,
)

POSTGRES = SHARED_POSTGRES
REDIS_DB = 12
HOST = "newsroom.load"
STORIES = 4

POSTERS = int(os.environ.get("LOAD_POSTERS", "20"))
COMMENTS = int(os.environ.get("LOAD_COMMENTS", "500"))
READERS = int(os.environ.get("LOAD_READERS", "4"))
COPIES = int(os.environ.get("LOAD_COPIES", "20"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "90"))
TIMEOUT = 30  # seconds a client waits for an answer before counting it as none

SEED = f"""
import json
from django.contrib.auth import get_user_model
from tests.factories import make_article, make_comment, make_section

moderator = get_user_model().objects.create_superuser(
    "{content.ADMIN_USERNAME}", "editor@example.org", "{content.ADMIN_PASSWORD}"
)
section = make_section()
stories = []
for n in range({STORIES + 1}):
    article = make_article(
        headline=f"Load story {{n}}", slug=f"load-story-{{n}}", section=section
    )
    make_comment(article=article, body=f"An approved comment on load story {{n}}.")
    stories.append({{"id": article.pk, "url": article.get_absolute_url()}})
print(json.dumps({{"moderator": moderator.pk, "stories": stories}}))
"""


def postgres(database="postgres"):
    return shared_postgres(database)


def redis_client():
    return shared_redis(REDIS_DB)


def status_of(call, *args):
    """``(status, headers, text, seconds)`` of ``call(*args)``; "timeout"/"error" if no answer."""
    started = time.perf_counter()
    try:
        status, headers, text = call(*args)
    except TimeoutError:
        return "timeout", {}, "", time.perf_counter() - started
    except OSError as exc:
        return f"error ({type(exc).__name__})", {}, "", time.perf_counter() - started
    return status, headers, text, time.perf_counter() - started


def address(n: int) -> str:
    """A distinct documentation-range-like address for reader ``n`` (10.x.y.z)."""
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.seconds: list[float] = []

    def add(self, key, seconds=None):
        with self.lock:
            self.counts[key] += 1
            if seconds is not None:
                self.seconds.append(seconds)


def post_as_reader(port, story, *, n, name, email, body, page_tally=None, barrier=None):
    """One reader: get the story page, then post the form on it. ``(status, seconds, body)``."""
    browser = Browser(port, host=HOST, timeout=TIMEOUT)
    forwarded = {"X-Forwarded-For": address(n)}
    status, headers, page, _ = status_of(browser.get, story["url"], forwarded)
    if page_tally is not None:
        page_tally.add((status, headers.get("x-page-cache", "-")))
    if barrier is not None:
        barrier.wait()
    if status != 200:
        return f"page {status}", 0.0
    action = f"/comments/post/{story['id']}/"
    data = form_fields(page, action)
    data.update(name=name, email=email, url="", body=body, leave_empty="")
    status, _, _, seconds = status_of(browser.post, action, data, forwarded)
    return status, seconds


def scenario_posting(port, seed, tag):
    stories = seed["stories"][:STORIES]
    deadline = time.monotonic() + SECONDS
    posts, pages, reads = Tally(), Tally(), Tally()
    accepted, refused = set(), set()
    bodies_lock = threading.Lock()
    posting_done = threading.Event()
    moderation = Counter()

    def poster(i):
        for j in range(i, COMMENTS, POSTERS):
            if time.monotonic() > deadline:
                posts.add("not sent (time limit)")
                continue
            body = (
                f"Load comment {tag} number {j}: reader {j} thinks story "
                f"{j % STORIES} needs a follow-up on the bus timetable."
            )
            status, seconds = post_as_reader(
                port,
                stories[j % STORIES],
                n=1000 + j,
                name=f"Reader {j}",
                email=f"reader-{j}@example.org",
                body=body,
                page_tally=pages,
            )
            posts.add(status, seconds if isinstance(status, int) else None)
            with bodies_lock:
                (accepted if status == 302 else refused).add(body)

    def moderator():
        browser = Browser(port, host=HOST, timeout=TIMEOUT)
        content.admin_login(browser)
        queue = "/admin/comments/comment/?status__exact=pending"
        while time.monotonic() < deadline + 15:
            status, _, page, _ = status_of(browser.get, queue)
            moderation[f"changelist {status}"] += 1
            ids = re.findall(r'name="_selected_action" value="(\d+)"', page or "")
            if not ids:
                if posting_done.is_set():
                    return
                time.sleep(0.5)
                continue
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            data = [
                ("csrfmiddlewaretoken", token.group(1)),
                ("action", "approve"),
                ("index", "0"),
            ] + [("_selected_action", pk) for pk in ids]
            status, _, _, _ = status_of(browser.post, queue, data)
            moderation[f"approve {status}"] += 1
            if not posting_done.is_set():
                moderation["approved while posting"] += len(ids)
            time.sleep(0.5)  # a person reading the next batch

    def reader(k):
        paths = ["/"] + [s["url"] for s in stories]
        n = 0
        while not posting_done.is_set() and time.monotonic() < deadline:
            browser = Browser(port, host=HOST, timeout=TIMEOUT)
            path = paths[n % len(paths)]
            headers = {"X-Forwarded-For": address(50000 + k * 1000 + n % 1000)}
            status, found, _, _ = status_of(browser.get, path, headers)
            reads.add((status, found.get("x-page-cache", "-")))
            n += 1
            time.sleep(0.05)

    started = time.monotonic()
    threads = [threading.Thread(target=poster, args=(i,)) for i in range(POSTERS)]
    readers = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
    mod = threading.Thread(target=moderator)
    for thread in [*threads, *readers, mod]:
        thread.start()
    for thread in threads:
        thread.join()
    posting_seconds = time.monotonic() - started
    posting_done.set()
    for thread in [*readers, mod]:
        thread.join()
    return {
        "posts": posts,
        "pages": pages,
        "reads": reads,
        "accepted": accepted,
        "refused": refused,
        "moderation": moderation,
        "seconds": posting_seconds,
        "total_seconds": time.monotonic() - started,
    }


def scenario_copies(port, seed, tag, *, one_address=False):
    """``COPIES`` readers post the same comment at once: each from its own address, or all
    from one (a browser resending: the rate limit answers first)."""
    story = seed["stories"][STORIES]  # a story of its own
    barrier = threading.Barrier(COPIES, timeout=60)
    tally = Tally()
    where = "one address" if one_address else "own addresses"
    body = f"Copy comment {tag}: the same words, {COPIES} times at once from {where}."

    def copy(i):
        status, seconds = post_as_reader(
            port,
            story,
            n=80000 if one_address else 90000 + i,
            name="Double Clicker",
            email="double@example.org",
            body=body,
            barrier=barrier,
        )
        tally.add(status, seconds if isinstance(status, int) else None)

    threads = [threading.Thread(target=copy, args=(i,)) for i in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"tally": tally, "body": body, "story": story}


def stored(database, tag, moderator_id):
    """What the database holds: per text, how many rows and how many the moderator approved."""
    with postgres(database) as connection:
        rows = connection.execute(
            "SELECT body, count(*), count(*) FILTER (WHERE status = 'approved' "
            "AND moderated_by_id = %s), count(*) FILTER (WHERE status = 'pending') "
            "FROM comments_comment WHERE body LIKE %s GROUP BY body",
            [moderator_id, f"%{tag}%"],
        ).fetchall()
        counts_right = connection.execute(
            "SELECT count(*) FILTER (WHERE a.comment_count = (SELECT count(*) FROM "
            "comments_comment c WHERE c.article_id = a.id AND c.status = 'approved')), "
            "count(*) FROM articles_article a"
        ).fetchone()
        reasons = connection.execute(
            "SELECT reason, count(*) FROM comments_comment WHERE body LIKE %s "
            "GROUP BY reason",
            [f"Load comment {tag}%"],
        ).fetchall()
        version = connection.execute("SHOW server_version").fetchone()[0]
    return (
        {body: (n, approved, pending) for body, n, approved, pending in rows},
        counts_right,
        Counter(dict(reasons)),
    ), version


def copies_rows(result, rows, title):
    copies = result["tally"].counts
    seconds = result["tally"].seconds
    return [
        (title, f"{COPIES} released together by a barrier"),
        ("   accepted (302)", copies.get(302, 0)),
        ("   refused 409 duplicate", copies.get(409, 0)),
        (
            "   refused, other statuses",
            by_status(
                copies, lambda s: isinstance(s, int) and 400 <= s < 500 and s != 409
            ),
        ),
        ("   5xx", sum(n for s, n in copies.items() if is_5xx(s))),
        (
            "   no answer / page failed",
            by_status(copies, lambda s: not isinstance(s, int)),
        ),
        ("   stored (must be 1)", rows.get(result["body"], (0, 0, 0))[0]),
        (
            "   post latency p50 / max",
            f"{percentile(seconds, 0.5) * 1000:.0f} / "
            f"{max(seconds, default=0) * 1000:.0f} ms",
        ),
    ]


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def by_status(counter: Counter, keep=lambda status: True) -> str:
    parts = [
        f"{status}: {n}"
        for status, n in sorted(counter.items(), key=lambda kv: str(kv[0]))
        if keep(status)
    ]
    return ", ".join(parts) or "none"


def is_5xx(status) -> bool:
    return isinstance(status, int) and status >= 500


def report(one, two, two_b, db, version, redis_version):
    rows, (counts_right, stories), reasons = db
    posts = one["posts"].counts
    load_rows = {b: v for b, v in rows.items() if b.startswith("Load comment")}
    accepted, refused = one["accepted"], one["refused"]
    once = sum(1 for b in accepted if load_rows.get(b, (0,))[0] == 1)
    lost = sum(1 for b in accepted if b not in load_rows)
    duplicated = sum(1 for b, (n, _, _) in load_rows.items() if n > 1)
    refused_stored = sum(1 for b in refused if b in load_rows)
    approved = sum(a for _, a, _ in load_rows.values())
    pending = sum(p for _, _, p in load_rows.values())
    sent = sum(n for s, n in posts.items() if s != "not sent (time limit)")
    post_seconds = one["posts"].seconds
    reads = one["reads"].counts
    read_status = Counter()
    for (status, _), n in reads.items():
        read_status[status] += n
    read_cache = Counter()
    for (status, cache), n in [*reads.items(), *one["pages"].counts.items()]:
        if status == 200:
            read_cache[cache] += n
    mod = one["moderation"]

    print()
    print("Load and concurrency (bench/load.py)")
    print(
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} CPUs "
        f"({platform.machine()}), Python {platform.python_version()}, "
        f"PostgreSQL {version}, Redis {redis_version}, gunicorn {WORKERS} sync workers"
    )
    print()
    table = [
        (
            f"1. posts sent ({POSTERS} clients, {READERS} readers, 1 moderator)",
            f"{sent} of {COMMENTS} in {one['seconds']:.1f} s",
        ),
        ("   accepted (302)", posts.get(302, 0)),
        (
            "   refused, by status",
            by_status(posts, lambda s: isinstance(s, int) and 400 <= s < 500),
        ),
        ("   5xx", sum(n for s, n in posts.items() if is_5xx(s))),
        (
            "   no answer / page failed",
            by_status(posts, lambda s: not isinstance(s, int)),
        ),
        ("   stored exactly once (of the accepted)", once),
        ("   lost (accepted, not stored)", lost),
        ("   duplicated (stored more than once)", duplicated),
        ("   refused but stored anyway", refused_stored),
        (
            "   approved by the moderator (admin action)",
            f"{approved} in {mod.get('approve 302', 0)} batches, "
            f"{mod.get('approved while posting', 0)} while posting went on "
            f"({by_status(Counter({k: v for k, v in mod.items() if ' ' in k and 'while' not in k}))})",
        ),
        ("   why they were held", by_status(reasons)),
        ("   still pending at the end", pending),
        (
            "   stories whose stored comment count is right",
            f"{counts_right} of {stories}",
        ),
        (
            "   post latency p50 / p99 / max",
            f"{percentile(post_seconds, 0.5) * 1000:.0f} / "
            f"{percentile(post_seconds, 0.99) * 1000:.0f} / "
            f"{max(post_seconds, default=0) * 1000:.0f} ms",
        ),
        (
            "   reader requests, by status",
            f"{sum(read_status.values())} ({by_status(read_status)})",
        ),
        (
            "   page cache on 200 pages (readers + posters' page loads)",
            by_status(read_cache),
        ),
        *copies_rows(two, rows, "2. copies of one comment, each from its own address"),
        *copies_rows(two_b, rows, "2b. copies of one comment, all from one address"),
        (
            "whole run (start, seed, both scenarios)",
            f"{time.monotonic() - START:.0f} s",
        ),
    ]
    width = max(len(label) for label, _ in table)
    print(f"| {'figure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for label, value in table:
        print(f"| {label.ljust(width)} | {value} |")


START = time.monotonic()


def main() -> int:
    try:
        postgres().close()
        redis_client().ping()
    except Exception as exc:
        print(
            f"bench/load.py needs PostgreSQL at {POSTGRES} and Redis at "
            f"{SHARED_REDIS_HOST}:{SHARED_REDIS_PORT}: {exc}",
            file=sys.stderr,
        )
        return 2
    tag = secrets.token_hex(5)
    database, prefix = f"newsroom_load_{tag}", f"load-{tag}"
    work = Path(tempfile.mkdtemp(prefix="newsroom-load-"))
    env = base_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}",
        DJANGO_HTTPS=0,  # plain HTTP behind the proxy the clients play
        DATABASE_URL=f"{POSTGRES}{database}",
        CACHE_URL=f"redis://{SHARED_REDIS_HOST}:{SHARED_REDIS_PORT}/{REDIS_DB}",
        CACHE_KEY_PREFIX=prefix,
        DJANGO_STATIC_ROOT=work / "static",
        DJANGO_MEDIA_ROOT=work / "media",
        DJANGO_LOG_LEVEL="WARNING",
        NUM_PROXIES=1,  # each client sends its own X-Forwarded-For, as through nginx
    )
    with postgres() as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    server, keep = (
        None,
        True,
    )  # the folder with gunicorn's log stays unless all went well
    try:
        print(f"Preparing {database} (migrate, collectstatic, seed)…", flush=True)
        prepare_site(env)
        seed = django_json(env, SEED)
        server = start_gunicorn(env, log_dir=work, workers=WORKERS, host=HOST)
        print(f"Scenario 1: {POSTERS} clients post {COMMENTS} comments…", flush=True)
        one = scenario_posting(server.port, seed, tag)
        print(
            f"Scenario 2: {COPIES} copies of one comment at once (twice)…", flush=True
        )
        two = scenario_copies(server.port, seed, tag)
        two_b = scenario_copies(server.port, seed, tag, one_address=True)
        db, version = stored(database, tag, seed["moderator"])
        redis = redis_client()
        redis_version = redis.info("server")["redis_version"]
        redis.close()
        report(one, two, two_b, db, version, redis_version)
        errors = [
            line
            for line in server.log_tail(200_000).splitlines()
            if "Traceback" in line or "[CRITICAL]" in line or "WORKER TIMEOUT" in line
        ]
        print(f"\ngunicorn log: {len(errors)} tracebacks or worker timeouts")
        keep = bool(errors)
        if keep:
            print(f"(kept: {server.log})")
    finally:
        if server:
            server.stop()
        drop_scratch(database=database, redis_db=REDIS_DB, prefix=prefix)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
