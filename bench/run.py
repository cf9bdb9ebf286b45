"""Newsroom benchmarks: prints a table of figures. Never pass/fail — see docs/benchmarks.md.

Run with `make bench`. Uses its own SQLite database under a temporary folder (or DATABASE_URL
when set), so it never touches your data.
"""

import gzip
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(WORK / "media"))
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_HTTPS"] = "0"
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
os.environ["COMMENTS_PER_PAGE"] = "200"  # one page holds the whole discussion
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "bench-only-secret-key-2f9c0d8b-7a6e-4c5d-9b1a-3e8f7d6c5b4a"
)

COMMENTS = 200
RENDER_RUNS = 60
LOAD_SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def prepare():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from tests.factories import image_file, make_ad, make_article, make_comment

    twin_body = "\n\n".join(
        f"Paragraph {i} of a typical story, long enough to be realistic. " * 3
        for i in range(9)
    )
    article = make_article(
        headline="Benchmark story",
        body="\n\n".join(
            f"Paragraph {i} of a typical story, long enough to be realistic. " * 3
            for i in range(9)
        ),
        image=image_file(),
    )
    for _ in range(10):
        make_article(section=article.section)
    # The same story without comments, to show what the 200 comments themselves cost.
    make_article(
        headline="Benchmark twin",
        slug="benchmark-twin",
        section=article.section,
        body=twin_body,
        image=image_file(),
    )
    make_ad(after_paragraph=2)
    make_ad(
        placement="sidebar", image=image_file("side.png", size=(300, 250), fmt="PNG")
    )
    made = 0
    while made < COMMENTS:
        top = make_comment(
            article=article,
            body="A reader's considered view on the story.\n\nWith a second paragraph.",
        )
        child = make_comment(
            article=article, parent=top, body="A reply, see https://example.org/more"
        )
        make_comment(article=article, parent=child, body="A reply to the reply.")
        made += 3
    return article


def median_render(client, url):
    client.get(url)  # warm caches and templates
    timings = []
    for _ in range(RENDER_RUNS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def render_figures(article):
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    url = article.get_absolute_url()
    timings = median_render(client, url)
    from articles.models import Article

    twin = median_render(
        client, Article.objects.get(slug="benchmark-twin").get_absolute_url()
    )
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: (
            queries.append(sql) or execute(sql, params, many, context)
        )
    ):
        response = client.get(url)
    plain = Client().get(url).content
    css = (ROOT / "static/css/site.css").read_bytes()
    js = (ROOT / "static/js/site.js").read_bytes()
    return {
        "url": url,
        "median_ms": statistics.median(timings),
        "p90_ms": statistics.quantiles(timings, n=10)[-1],
        "twin_ms": statistics.median(twin),
        "queries": len(queries),
        "html_bytes": len(plain),
        "html_gzip": len(response.content),
        "css_gzip": len(gzip.compress(css)),
        "js_gzip": len(gzip.compress(js)),
        "body": plain,
        "comments_rendered": plain.count(b'class="comment depth-'),
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app, extra_env):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **extra_env},
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    return process, port


def hammer(port, path):
    """Requests per second with CONCURRENCY client threads for LOAD_SECONDS."""
    counts = [0] * CONCURRENCY
    errors = [0] * CONCURRENCY
    deadline = time.perf_counter() + LOAD_SECONDS

    def worker(i):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"}
        )
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
                counts[i] += 1
            except Exception:
                errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started), sum(errors)


def throughput(figures):
    body_file = WORK / "page.html"
    body_file.write_bytes(figures["body"])
    app, app_port = serve("newsroom.wsgi", {})
    base, base_port = serve("bench.static_app:app", {"BENCH_BODY_FILE": str(body_file)})
    try:
        hammer(app_port, figures["url"])  # warm every worker
        app_rps, app_errors = hammer(app_port, figures["url"])
        base_rps, base_errors = hammer(base_port, "/")
    finally:
        for process in (app, base):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    return app_rps, base_rps, app_errors + base_errors


def main():
    article = prepare()
    f = render_figures(article)
    app_rps, base_rps, errors = throughput(f)
    total = f["html_gzip"] + f["css_gzip"] + f["js_gzip"]
    rows = [
        (
            "Article page, 200 comments: server render (median)",
            f"{f['median_ms']:.1f} ms",
        ),
        ("Article page, 200 comments: server render (p90)", f"{f['p90_ms']:.1f} ms"),
        ("Same story without comments (median)", f"{f['twin_ms']:.1f} ms"),
        ("Article page: SQL queries", f"{f['queries']}"),
        ("Comments rendered on the page", f"{f['comments_rendered']}"),
        (
            "HTML size (raw / gzip)",
            f"{f['html_bytes'] / 1024:.1f} KB / {f['html_gzip'] / 1024:.1f} KB",
        ),
        (
            "CSS + JS (gzip)",
            f"{f['css_gzip'] / 1024:.1f} KB + {f['js_gzip'] / 1024:.1f} KB",
        ),
        ("HTML + CSS + JS (gzip), budget 20 KB", f"{total / 1024:.1f} KB"),
        (
            f"Throughput, Newsroom article page (gunicorn, {WORKERS} workers)",
            f"{app_rps:.0f} req/s",
        ),
        ("Throughput, same bytes from memory (same gunicorn)", f"{base_rps:.0f} req/s"),
        ("Ratio Newsroom / from memory", f"{app_rps / base_rps:.2f}"),
        ("Failed requests during load", f"{errors}"),
    ]
    width = max(len(label) for label, _ in rows)
    print(
        f"\nNewsroom benchmarks — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"database {os.environ['DATABASE_URL'].split(':')[0]}, {CONCURRENCY} client threads, {LOAD_SECONDS:.0f}s per run\n"
    )
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
