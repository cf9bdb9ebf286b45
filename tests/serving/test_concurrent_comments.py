"""Ten copies of one comment posted at the same moment to a real server: exactly one is stored.

Correctness only, no timing (the figures under load are bench/load.py's, `make load`). The
server is gunicorn on a database of its own, of the kind the suite runs on: on PostgreSQL
(a database created for this module, dropped after) the copies race in separate transactions
and the story's row lock in ``comments.services`` is what keeps the second copy out; on SQLite
(a file) they race for the single writer. With the suite's Redis the server runs two workers
sharing it (own key prefix, keys deleted after); with the default per-process cache, one
worker with threads, as `make serve` does.
"""

import threading
import uuid

import pytest
from django.conf import settings

from tests.serving.servers import (
    Browser,
    base_env,
    django_json,
    form_fields,
    prepare_site,
    start_gunicorn,
)

HOST = "newsroom.test"
COPIES = 10

SEED = """
import json
from tests.factories import make_article

article = make_article(headline="A story for double clicks", slug="double-clicks")
print(json.dumps({"id": article.pk, "url": article.get_absolute_url()}))
"""

COUNT = """
import json
from comments.models import Comment

print(json.dumps(Comment.objects.filter(body=%r).count()))
"""


def _postgres_url(database: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database}"


def _postgres_admin():
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        autocommit=True,
        connect_timeout=3,
    )


def _redis_location() -> str | None:
    cache = settings.CACHES["default"]
    if "redis" not in cache["BACKEND"].lower():
        return None
    location = cache["LOCATION"]
    return location[0] if isinstance(location, list | tuple) else location


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tag = uuid.uuid4().hex[:10]
    tmp = tmp_path_factory.mktemp("concurrent-comments")
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    database = f"newsroom_concurrency_{tag}"
    redis_url, prefix = _redis_location(), f"concurrency-{tag}"
    env = base_env(
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}",
        DJANGO_HTTPS=0,
        DATABASE_URL=(
            _postgres_url(database)
            if on_postgres
            else f"sqlite:///{tmp / 'concurrency.sqlite3'}"
        ),
        DJANGO_STATIC_ROOT=tmp / "static",
        DJANGO_MEDIA_ROOT=tmp / "media",
        NUM_PROXIES=1,  # each copy comes from its own address: the rate limit stays out
        **({"CACHE_URL": redis_url, "CACHE_KEY_PREFIX": prefix} if redis_url else {}),
    )
    if on_postgres:
        with _postgres_admin() as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
    server = None
    try:
        prepare_site(env)
        story = django_json(env, SEED)
        # A shared cache lets two processes race; the per-process one needs one process.
        workers, threads = (2, 5) if redis_url else (1, COPIES)
        server = start_gunicorn(
            env, log_dir=tmp, host=HOST, workers=workers, threads=threads
        )
        yield {"env": env, "story": story, "port": server.port, "server": server}
    finally:
        if server:
            server.stop()
        if on_postgres:
            with _postgres_admin() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if redis_url:
            import redis

            client = redis.Redis.from_url(redis_url, socket_connect_timeout=3)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()


def test_ten_copies_of_one_comment_at_once_store_exactly_one(site):
    story, port = site["story"], site["port"]
    body = "Is the new bridge open to bicycles? Posted ten times at once."
    action = f"/comments/post/{story['id']}/"
    barrier = threading.Barrier(COPIES, timeout=30)
    statuses, lock = [], threading.Lock()

    def copy(n):
        browser = Browser(port, host=HOST, timeout=30)
        headers = {"X-Forwarded-For": f"198.51.100.{n + 10}"}
        status, _, page = browser.get(story["url"], headers)
        data = form_fields(page, action) if status == 200 else {}
        data.update(name="Dee Clicker", email="dee@example.org", body=body)
        barrier.wait()  # every copy has its page: now all post at once
        try:
            status = browser.post(action, data, headers)[0]
        except OSError as exc:
            status = f"no answer: {exc!r}"
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=copy, args=(n,)) for n in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    log = site["server"].log_tail()
    assert sorted(statuses, key=str) == [302] + [409] * (COPIES - 1), (statuses, log)
    assert django_json(site["env"], COUNT % body) == 1
    assert "Traceback" not in log, log
