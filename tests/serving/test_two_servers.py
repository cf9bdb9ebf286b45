"""Two app servers behind one address, sharing PostgreSQL and Redis, agree with each other.

Two gunicorn processes on different loopback ports, one database (created for this module,
dropped after) and one Redis database under a key prefix of their own (its keys deleted
after). Requests carry the same Host header on both, as behind a load balancer.
"""

import json
import subprocess
import time
import uuid

import pytest
from django.conf import settings

from tests.serving import content
from tests.serving.servers import (
    PYTHON,
    ROOT,
    SHARED_POSTGRES,
    SHARED_REDIS_HOST,
    SHARED_REDIS_PORT,
    Browser,
    base_env,
    django_json,
    django_run,
    drop_scratch,
    prepare_site,
    require,
    shared_postgres,
    shared_redis,
    start_gunicorn,
)

POSTGRES = SHARED_POSTGRES
REDIS_DB = 9
HOST = "newsroom.test"


def postgres(database="postgres"):
    return shared_postgres(database)


def redis_client():
    return shared_redis(REDIS_DB)


def postgres_up() -> bool:
    try:
        postgres().close()
    except Exception:
        return False
    return True


def redis_up() -> bool:
    client = redis_client()
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require(
        postgres_up(),
        f"PostgreSQL is not reachable at {POSTGRES} (user postgres, trust auth)",
    )
    require(
        redis_up(),
        f"Redis is not reachable at {SHARED_REDIS_HOST}:{SHARED_REDIS_PORT}",
    )
    tag = uuid.uuid4().hex[:10]
    database, prefix = f"newsroom_scaleout_{tag}", f"scaleout-{tag}"
    tmp = tmp_path_factory.mktemp("two-servers")
    env = base_env(
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # one key for every server (and the test)
        DJANGO_ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}",
        DJANGO_HTTPS=0,  # plain HTTP between the load balancer and the app servers
        DATABASE_URL=f"{POSTGRES}{database}",
        CACHE_URL=f"redis://{SHARED_REDIS_HOST}:{SHARED_REDIS_PORT}/{REDIS_DB}",
        CACHE_KEY_PREFIX=prefix,
        DJANGO_STATIC_ROOT=tmp / "static",
        DJANGO_MEDIA_ROOT=tmp / "media",
        NUM_PROXIES=1,  # the test plays the load balancer and sets X-Forwarded-For
    )
    with postgres() as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    started = []
    try:
        prepare_site(env)
        stories = django_json(env, content.SEED)
        for _ in range(2):
            started.append(start_gunicorn(env, log_dir=tmp, host=HOST))
        yield {"env": env, "stories": stories, "ports": [s.port for s in started]}
    finally:
        for server in started:
            server.stop()
        drop_scratch(database=database, redis_db=REDIS_DB, prefix=prefix)


def browsers(servers) -> tuple[Browser, Browser]:
    one, two = servers["ports"]
    return Browser(one, host=HOST), Browser(two, host=HOST)


def test_a_comment_approved_on_one_server_shows_at_once_on_the_other(servers):
    story = servers["stories"]["cached"]
    held_words = "Held words on the cached story"
    moderator_on_one, _ = browsers(servers)
    _, reader_on_two = browsers(servers)
    reader_on_two.get(story["url"])
    status, headers, page = reader_on_two.get(story["url"])
    assert status == 200
    assert headers["x-page-cache"] == "hit"  # server two holds the page in the cache
    assert held_words not in page

    content.admin_login(moderator_on_one)
    content.admin_approve(moderator_on_one, story["held"])

    status, headers, page = reader_on_two.get(story["url"])
    assert status == 200
    assert held_words in page
    assert (
        headers["x-page-cache"] == "miss"
    )  # the shared version moved: rendered afresh


def test_an_admin_session_from_one_server_works_on_the_other(servers):
    on_one, on_two = browsers(servers)
    status, headers, _ = on_two.get("/admin/")
    assert status == 302 and "/admin/login/" in headers["location"]

    content.admin_login(on_one)
    on_two.cookies = dict(on_one.cookies)
    status, headers, page = on_two.get("/admin/comments/comment/")
    assert status == 200, page[:500]
    assert "Select comment to change" in page
    # The reading pages know the moderator too, and give them a page of their own.
    story = servers["stories"]["cached"]
    status, headers, page = on_two.get(story["url"])
    assert status == 200
    assert f"Signed in as {content.ADMIN_USERNAME}" in page
    assert headers["x-page-cache"] == "bypass"
    assert "no-store" in headers["cache-control"]


def test_the_comment_rate_limit_counts_both_servers_together(servers):
    story = servers["stories"]["discussed"]
    limit = 5  # COMMENTS_RATE_LIMIT's default: posts per IP per minute
    one, two = browsers(servers)
    address = {"X-Forwarded-For": "203.0.113.77"}
    content.wait_for_a_fresh_minute()
    answers = []
    for n in range(limit + 1):
        browser = (one, two)[n % 2]  # alternate: neither server alone reaches the limit
        status, _, page = content.post_comment(
            browser, story, f"Rate limit post number {n}", headers=address
        )
        answers.append(status)
    assert answers == [302] * limit + [429], answers
    # Another reader's address is not limited.
    status, _, _ = content.post_comment(
        Browser(one.port, host=HOST),
        story,
        "From another address",
        headers={"X-Forwarded-For": "203.0.113.78"},
    )
    assert status == 302


FLUSH_AT_ONCE = """
import json, time
from discovery import trending

start = float({start!r})
time.sleep(max(0.0, start - time.time()))
due = trending.flush_due()
real_flush = trending._flush

def slow_flush(today):
    time.sleep(1.0)  # hold the flushing lock long enough for the other process to try
    return real_flush(today)

trending._flush = slow_flush
print(json.dumps({{"due": due, "moved": trending.flush_views()}}))
"""


def test_the_trending_flush_lock_holds_across_servers(servers):
    story = servers["stories"]["discussed"]
    one, two = browsers(servers)
    beacon = f"/trending/view/{story['id']}/"
    readers = 6
    for n in range(readers):
        status, _, _ = (one, two)[n % 2].post(
            beacon, {}, headers={"X-Forwarded-For": f"192.0.2.{n + 10}"}
        )
        assert status == 204
    env = servers["env"]
    # The beacons may have flushed some already (the first one found a flush due).
    django_run(
        env,
        "from django.core.cache import cache\nfrom discovery import trending\n"
        "cache.delete(trending.FLUSH_LOCK)",
    )

    start = (
        time.time() + 2.5
    )  # both processes set up Django, then go at the same moment
    code = "import django\ndjango.setup()\n" + FLUSH_AT_ONCE.format(start=start)
    processes = [
        subprocess.Popen(
            [PYTHON, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=30)
        assert process.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert sorted(r["due"] for r in results) == [False, True], results
    assert sorted(r["moved"] is None for r in results) == [False, True], results
    stored = django_json(
        env,
        "import json\nfrom django.core.cache import cache\nfrom django.db.models import Sum\n"
        "from articles.models import ArticleDailyViews\nfrom discovery import trending\n"
        f"views = ArticleDailyViews.objects.filter(article_id={story['id']})"
        ".aggregate(n=Sum('views'))['n']\n"
        f"print(json.dumps([views, cache.get(trending.view_key({story['id']}))]))",
    )
    views, left_in_cache = stored
    assert views == readers, (stored, results)  # none lost, none counted twice
    assert not left_in_cache
