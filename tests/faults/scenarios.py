"""Fault scenarios against a real app server on private services: what readers, commenters and
editors get while a part is down, what was lost, and how long recovery took.

Used by tests/faults/test_faults.py (short outages, asserted) and tests/faults/run.py
(``make faults``: the figures in docs/reliability.md), which also runs the SMTP ones here.
"""

import contextlib
import http.cookiejar
import io
import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from PIL import Image

from tests.faults.services import (
    ROOT,
    Answer,
    app_env,
    app_server,
    free_port,
    manage,
    private_postgres,
    private_redis,
    silent_smtp,
    smtp_sink,
)

SETUP = """
from django.contrib.auth import get_user_model
from articles.models import Article, Author, Section
from django.utils import timezone
section = Section.objects.create(name="Harbour", slug="harbour")
author = Author.objects.create(name="Priya Natarajan", slug="priya")
Article.objects.create(headline="Ferry returns", slug="ferry-returns", section=section,
    author=author, standfirst="On time.", body="The ferry is back.", status="published",
    published_at=timezone.now() - timezone.timedelta(hours=1))
get_user_model().objects.create_superuser("editor", "editor@example.org", "fault-test-password")
"""

COUNT = """
from comments.models import Comment
from articles.models import AdSlot
import os
media = [p for p in __import__("pathlib").Path(os.environ["DJANGO_MEDIA_ROOT"]).rglob("*") if p.is_file()]
print(Comment.objects.count(), AdSlot.objects.count(), len(media))
"""


def prepare(env: dict) -> None:
    """Migrate the private database and add one story and an editor."""
    manage(env, "migrate", "--noinput")
    manage(
        env, "collectstatic", "--noinput", "--verbosity", "0"
    )  # what `make serve` does
    manage(env, "shell", "-c", SETUP)


def stored(env: dict) -> dict:
    out = (
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", COUNT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        .split()
    )
    return {
        "comments": int(out[0]),
        "ad_slots": int(out[1]),
        "media_files": int(out[2]),
    }


class Browser:
    """A reader's or editor's browser: cookies kept, redirects not followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(self, path, data=None, headers=None, timeout=15) -> Answer:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return Answer(
                    response.status, dict(response.headers), response.read().decode()
                )
        except urllib.error.HTTPError as error:
            return Answer(
                error.code, dict(error.headers), error.read().decode(errors="replace")
            )

    def get(self, path):
        return self.request(path)

    def post(self, path, fields: dict, referer: str):
        data = urllib.parse.urlencode(fields).encode()
        return self.request(
            path,
            data,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + referer,
            },
        )

    def post_multipart(self, path, fields: dict, files: dict, referer: str):
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content, ctype) in files.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n".encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            body.getvalue(),
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + referer,
            },
        )


def hidden_fields(html: str) -> dict:
    return dict(
        re.findall(
            r'<input type="hidden" name="(csrfmiddlewaretoken|timestamp)" value="([^"]*)"',
            html,
        )
    )


ARTICLE = None


def article_path(browser: Browser) -> str:
    home = browser.get("/")
    match = re.search(r'href="(/\d{4}/\d{2}/\d{2}/ferry-returns/)"', home.body)
    return match.group(1)


def post_comment(
    browser: Browser, path: str, article_page: Answer, text: str
) -> Answer:
    fields = hidden_fields(article_page.body)
    # The form posts to its URL with #respond (a refused post reopens at the form).
    action = re.search(
        r'action="(/comments/post/\d+/)(?:#respond)?"', article_page.body
    ).group(1)
    return browser.post(
        action,
        {
            "name": "Pat Reader",
            "email": "pat@example.org",
            "url": "",
            "body": text,
            "parent": "",
            "leave_empty": "",
            **fields,
        },
        referer=path,
    )


def wait_healthy(base: str, timeout: float = 60.0) -> float:
    """Seconds until /healthz answers 200."""
    started = time.monotonic()
    browser = Browser(base)
    while time.monotonic() - started < timeout:
        with contextlib.suppress(OSError):
            if browser.get("/healthz").status == 200:
                return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError("the site did not recover")


def redis_stopped(base: str, redis, env: dict, *, outage: float = 2.0) -> dict:
    """Stop the private Redis, read, post and check health, start it again: what everyone got."""
    reader = Browser(base)
    path = article_path(reader)
    before = stored(env)["comments"]
    redis.stop()
    down_at = time.monotonic()
    page = reader.get(path)
    home = reader.get("/")
    health = reader.get("/healthz")
    posted = post_comment(reader, path, page, "Posted while the cache was down.")
    time.sleep(max(0.0, outage - (time.monotonic() - down_at)))
    redis.start()
    recovery = wait_healthy(base)
    after = stored(env)["comments"]
    accepted = 1 if posted.status == 302 else 0
    return {
        "fault": f"Redis stopped ({outage:.0f} s)",
        "readers": f"article {page.status}, home {home.status}",
        "healthz": f"{health.status} {health.body.strip()}",
        "commenters": f"POST {posted.status}",
        "accepted": accepted,
        "lost": accepted - (after - before),
        "recovery_s": round(recovery, 2),
    }


def postgres_stopped(base: str, pg, env: dict, *, outage: float = 3.0) -> dict:
    """Stop the private PostgreSQL for ``outage`` seconds while readers read and a commenter posts."""
    reader = Browser(base)
    path = article_path(reader)
    page = reader.get(path)  # the form, loaded before the outage
    before = stored(env)["comments"]
    pg.stop()
    down_at = time.monotonic()
    # A reader with a per-reader cookie gets a page of their own, built from the database;
    # anonymous readers of a page already in the page cache keep getting it.
    own = Browser(base)
    statuses, cached, retry_after = [], [], None
    refused = None
    while time.monotonic() - down_at < outage:
        cached.append(Browser(base).get(path).status)
        answer = own.request(path, headers={"Cookie": "comments_posted=1"})
        statuses.append(answer.status)
        retry_after = answer.headers.get("Retry-After", retry_after)
        if refused is None:
            text = "Posted while the database was down."
            refused = post_comment(reader, path, page, text)
            text_back = text in refused.body
        time.sleep(0.2)
    health = reader.get("/healthz")
    pg.start()
    started_at = time.monotonic()
    recovery = wait_healthy(base)
    first_page = reader.get(path).status
    # The commenter sends it again once the site is back: it is stored exactly once.
    again = post_comment(
        reader, path, reader.get(path), "Posted again after the outage."
    )
    after = stored(env)["comments"]
    return {
        "fault": f"PostgreSQL stopped ({outage:.0f} s)",
        "readers": (
            f"{len(statuses)} requests for their own page: {sorted(set(statuses))}, "
            f"Retry-After {retry_after}; {len(cached)} for a cached page: {sorted(set(cached))}"
        ),
        "healthz": f"{health.status} {health.body.strip()}",
        "commenters": f"POST {refused.status}, text given back: {text_back}; after: POST {again.status}",
        "accepted": 1 if again.status == 302 else 0,
        "lost": (1 if again.status == 302 else 0) - (after - before),
        "recovery_s": round(recovery, 2),
        "first_page_after": first_page,
        "restart_to_200_s": round(time.monotonic() - started_at, 2),
    }


def _png(size=(600, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def editor_saves_ad(base: str) -> Answer:
    editor = Browser(base)
    login = editor.get("/admin/login/")
    token = hidden_fields(login.body)["csrfmiddlewaretoken"]
    editor.post(
        "/admin/login/",
        {
            "username": "editor",
            "password": "fault-test-password",
            "next": "/admin/",
            "csrfmiddlewaretoken": token,
        },
        referer="/admin/login/",
    )
    form = editor.get("/admin/articles/adslot/add/")
    token = hidden_fields(form.body)["csrfmiddlewaretoken"]
    now = time.localtime()
    return editor.post_multipart(
        "/admin/articles/adslot/add/",
        {
            "csrfmiddlewaretoken": token,
            "name": "Bakery offer",
            "placement": "sidebar",
            "after_paragraph": "2",
            "alt_text": "Fresh bread",
            "link": "https://example.org/",
            "starts_at_0": time.strftime("%Y-%m-%d", now),
            "starts_at_1": time.strftime("%H:%M:%S", now),
            "is_active": "on",
            "_save": "Save",
        },
        {"image": ("bread.png", _png(), "image/png")},
        referer="/admin/articles/adslot/add/",
    )


def media_refused(base: str, env: dict, media: Path, mode: str) -> dict:
    """The media folder is a tiny tmpfs ("full") or a read-only one: an editor adds an ad slot."""
    before = stored(env)
    options = "size=16k" if mode == "full" else "size=1m,ro"
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(media)],
            capture_output=True,
        ).returncode
        == 0
    )
    if not mounted:
        return {
            "fault": f"media {mode}",
            "editors": "not run: this machine cannot mount a tmpfs",
        }
    try:
        answer = editor_saves_ad(base)
        after = stored(env)
    finally:
        subprocess.run(["umount", str(media)], check=False)
    message = "The picture could not be saved" in answer.body
    return {
        "fault": f"media {mode}",
        "editors": f"{answer.status}, form back with the message: {message}",
        "rows_written": after["ad_slots"] - before["ad_slots"],
        "files_left": after["media_files"] - before["media_files"],
        "lost": 0 if answer.status == 200 and message else "editor's save failed",
    }


TASKS_STATE = """
import json
from django_tasks_db.models import DBTaskResult
from comments.models import Comment
def attempt(row):
    args, kwargs = row.args_kwargs["args"], row.args_kwargs["kwargs"]
    return kwargs.get("attempt", args[1] if len(args) > 1 else 1)
def stamp(value):
    return value.timestamp() if value else None
print(json.dumps({
    "comments": Comment.objects.count(),
    "held": Comment.objects.filter(status=Comment.Status.PENDING).count(),
    "tasks": [
        {"id": str(r.id), "status": r.status, "attempt": attempt(r),
         "enqueued": stamp(r.enqueued_at), "run_after": stamp(r.run_after),
         "started": stamp(r.started_at), "finished": stamp(r.finished_at),
         "error": r.exception_class_path}
        for r in DBTaskResult.objects.order_by("enqueued_at")
    ],
}))
"""


def task_state(env: dict) -> dict:
    """The stored comments and every background task row, read through ``manage.py shell``."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", TASKS_STATE],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_worker(env: dict) -> float:
    """``manage.py db_worker --batch``: run every task that is due, then exit; wall seconds."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


def smtp_env(env: dict, port: int, *, email_timeout: int, backoff: int) -> dict:
    """Production settings with the mail server at ``port``: every comment held, one moderator."""
    return {
        **env,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": str(email_timeout),
        "COMMENTS_MODERATION": "all",
        "COMMENTS_NOTIFY_EMAILS": "moderators@example.org",
        "COMMENTS_NOTIFY_BACKOFF_SECONDS": str(backoff),
        "COMMENTS_RATE_LIMIT": "100",  # this fault is about mail, not the rate limit
    }


def smtp_failing(
    env: dict, mode: str, *, email_timeout: int = 2, backoff: int = 2
) -> dict:
    """A held comment while the mail server refuses connections (``mode="refusing"``: a closed
    port) or accepts them and never answers (``"hanging"``); the worker's attempt; then a real
    SMTP server on the same address and the retry: what the commenter got, what the task did."""
    if mode not in ("refusing", "hanging"):
        raise ValueError(mode)
    text = f"Posted while the mail server was {mode}."
    port = free_port()
    site_env = smtp_env(env, port, email_timeout=email_timeout, backoff=backoff)
    with contextlib.ExitStack() as fault:
        if mode == "hanging":
            fault.enter_context(silent_smtp(port))
        with app_server(site_env) as base:
            reader = Browser(base)
            path = article_path(reader)
            page = reader.get(path)
            before = task_state(site_env)
            known = {t["id"] for t in before["tasks"]}
            started = time.monotonic()
            posted = post_comment(
                reader, path, page, f"Posted while the mail server was {mode}."
            )
            post_s = time.monotonic() - started
            health = reader.get("/healthz")
            story = reader.get(path)
        queued = task_state(site_env)
        new = [t for t in queued["tasks"] if t["id"] not in known]
        worker_s = run_worker(site_env)
        failed = task_state(site_env)
    tasks = [t for t in failed["tasks"] if t["id"] not in known]
    first = tasks[0] if tasks else {}
    retry = tasks[1] if len(tasks) > 1 else {}
    attempt_s = (first.get("finished") or 0) - (first.get("started") or 0)
    backoff_s = (retry.get("run_after") or 0) - (first.get("finished") or 0)

    # The mail server comes back on the same address; the worker runs once the retry is due.
    with smtp_sink(port) as sink:
        time.sleep(max(0.0, (retry.get("run_after") or 0) - time.time()) + 0.2)
        run_worker(site_env)
        run_worker(site_env)  # nothing left: a second run sends nothing more
        delivered = task_state(site_env)
        emails = len(sink.messages)
        about_it = [m for m in sink.messages if f"> {text}".encode() in m["data"]]
    final = [t for t in delivered["tasks"] if t["id"] not in known]
    stored = failed["comments"] - before["comments"]
    return {
        "fault": f"SMTP {mode} (EMAIL_TIMEOUT={email_timeout} s, backoff {backoff} s)",
        "readers": f"article {story.status}",
        "healthz": f"{health.status} {health.body.strip()}",
        "commenters": f"POST {posted.status} in {post_s:.2f} s, comment stored: {stored}",
        "queued_by_post": ", ".join(t["status"] for t in new) or "nothing",
        "worker_attempt": f"{first.get('status')} ({first.get('error')}) in {attempt_s:.2f} s"
        f" (worker process {worker_s:.1f} s)",
        "retry": f"attempt {retry.get('attempt')} {retry.get('status')}, "
        f"due {backoff_s:.1f} s after the failure",
        "after_back": " -> ".join(
            f"attempt {t['attempt']} {t['status']}" for t in final
        )
        + f"; emails delivered: {emails} (quoting the comment: {len(about_it)})",
        "held": delivered["held"] - before["held"],
        "lost": 1 - stored if posted.status == 302 else "comment refused",
        "_post_s": post_s,
        "_attempt_s": attempt_s,
        "_emails": emails,
        "_statuses": [t["status"] for t in final],
    }


@contextlib.contextmanager
def fault_site():
    """A site on private servers for the fault scenarios: ``(base URL, postgres, redis, env, media)``.

    Private PostgreSQL and Redis, a media folder and a gunicorn with production settings,
    every comment published at once; all stopped and removed on the way out.
    """
    import tempfile

    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(private_postgres())
        redis = stack.enter_context(private_redis())
        media = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        env = app_env(
            database_url=pg.url,
            cache_url=redis.url,
            media_root=media,
            COMMENTS_MODERATION="none",
            COMMENTS_MIN_SECONDS="0",
        )
        prepare(env)
        base = stack.enter_context(app_server(env))
        yield base, pg, redis, env, media
