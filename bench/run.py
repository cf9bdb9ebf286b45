"""Newsroom benchmarks: prints one table of figures. Never pass/fail — see docs/benchmarks.md.

Run with `make bench`. For each database (SQLite in a temporary folder; then PostgreSQL +
Redis when they answer, in a database and a Redis key prefix of its own, created and dropped
here) it builds the benchmark story (bench/story.py), starts gunicorn (2 sync workers,
DEBUG off) and drives bounded load on loopback with wrk (-t2 -c16) when installed, else a
Python client. Every row is set beside the same bytes served from memory by the same
gunicorn (bench/static_app.py).

Uncached rows run on a gunicorn started with PAGE_CACHE_SECONDS=0 (no whole page is stored
or served; the fragment cache works as in production), and every response is checked for
``X-Page-Cache: hit``. Rows that need another part's work (the page cache, the nginx cache)
print "not available (reason)" until it is there.
"""

import contextlib
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
POSTS = int(os.environ.get("BENCH_POSTS", "40"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")
WRK = shutil.which("wrk")

BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECRET_KEY": os.environ.get(
        "DJANGO_SECRET_KEY",
        "bench-only-secret-key-2f9c0d8b-7a6e-4c5d-9b1a-3e8f7d6c5b4a",
    ),
    # The rules still run on every POST; only the per-IP limit is raised, as every post of
    # the benchmark comes from 127.0.0.1.
    "COMMENTS_RATE_LIMIT": "1000000",
}
ALL_ON_ONE_PAGE = "200"

# --- the child process: build the data, count queries, weigh the page -----------------


def prepare(out: Path) -> None:
    """Runs in a child process with the backend's environment; writes out/prepared.json."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, TestCase
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.story import build
    from newsroom.pagecache import pages_changed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    story, _ = build()
    urls = {
        "story": story.get_absolute_url(),
        "home": reverse("articles:home"),
        "section": story.section.get_absolute_url(),
        "feed": reverse("discovery:feed"),
        "search": reverse("discovery:search") + "?q=flood",
    }
    client = Client(HTTP_ACCEPT_ENCODING="gzip")

    def queries(url, state):
        client.get(url)  # warm
        if state == "cold":
            cache.clear()
        elif state == "changed":
            with TestCase.captureOnCommitCallbacks(execute=True):
                pages_changed()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured.captured_queries)

    bodies, counts = {}, {}
    for name, url in urls.items():
        response = client.get(url)
        raw = response.content
        if response.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        (out / f"{name}.html").write_bytes(raw)
        if response.get("Content-Encoding") == "gzip":  # the very bytes Newsroom sent
            (out / f"{name}.html.gz").write_bytes(response.content)
        bodies[url] = str(out / f"{name}.html")
        counts[name] = {state: queries(url, state) for state in ("warm", "cold")}
    counts["story"]["changed"] = queries(urls["story"], "changed")
    page = client.get(urls["story"])
    css = (ROOT / "static/css/site.css").read_bytes()
    js = (ROOT / "static/js/site.js").read_bytes()
    raw = (out / "story.html").read_bytes()
    # The same story with the default comment pagination, for its weight.
    from django.test import override_settings

    with override_settings(COMMENTS_PER_PAGE=50):
        paged = client.get(urls["story"]).content
    (out / "bodies.json").write_text(json.dumps(bodies))
    (out / "prepared.json").write_text(
        json.dumps(
            {
                "urls": urls,
                "article_id": story.pk,
                "queries": counts,
                "weight": {
                    "html_raw": len(raw),
                    "html_gzip": len(page.content),
                    "paged_gzip": len(paged),
                    "css_gzip": len(gzip.compress(css)),
                    "js_gzip": len(gzip.compress(js)),
                    "comments": raw.count(b'class="comment depth-'),
                },
            }
        )
    )


# --- servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict, *, port=None, probe="/healthz"):
    port = port or free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", app),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)),
            *("--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
                break
            except Exception:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app} exited") from None
                time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# --- load -----------------------------------------------------------------------------


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _target(port) -> dict:
    """A server to load: a port on 127.0.0.1, or ``{"port", "tls", "host"}``."""
    return port if isinstance(port, dict) else {"port": port, "tls": False, "host": ""}


def _url(target: dict, path: str) -> str:
    return f"{'https' if target['tls'] else 'http'}://127.0.0.1:{target['port']}{path}"


def _headers(target: dict) -> dict:
    headers = {"Accept-Encoding": "gzip"}
    if target["host"]:
        headers["Host"] = target["host"]
    return headers


def load(port, path: str) -> dict:
    """``{"rps", "p50", "p99", "errors", "headers"}`` for SECONDS of load on one path."""
    target = _target(port)
    headers = probe_headers(target, path)
    if WRK:
        result = subprocess.run(
            [
                WRK,
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS:.0f}s",
                "--latency",
                *(
                    arg
                    for name, value in _headers(target).items()
                    for arg in ("-H", f"{name}: {value}")
                ),
                _url(target, path),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", result, re.M))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
        socket_errors = re.search(r"Socket errors: (.*)", result)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
            "p50": _ms(latency["50"]),
            "p99": _ms(latency["99"]),
            "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "",
            "headers": headers,
        }
    return python_load(target, path) | {"headers": headers}


def _connection(target: dict):
    if target["tls"]:
        return http.client.HTTPSConnection(
            "127.0.0.1",
            target["port"],
            timeout=10,
            context=ssl._create_unverified_context(),  # the helper's self-signed certificate
        )
    return http.client.HTTPConnection("127.0.0.1", target["port"], timeout=10)


def python_load(target: dict, path: str) -> dict:
    """The fallback client: CONNECTIONS keep-alive connections in threads."""
    timings: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + SECONDS
    lock = threading.Lock()

    def worker():
        connection = _connection(target)
        mine = []
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=_headers(target))
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except Exception:
                errors[0] += 1
                connection.close()
                connection = _connection(target)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(timings, n=100) if len(timings) > 1 else [0] * 99
    return {
        "rps": len(timings) / elapsed,
        "p50": statistics.median(timings) if timings else 0,
        "p99": cuts[98],
        "errors": errors[0],
        "socket_errors": "",
    }


def warm(port, path: str, requests: int = 30) -> None:
    """Some requests first, so every worker has its templates, caches and fragments."""
    for _ in range(requests):
        probe_headers(port, path)


def _get(port, path: str):
    target = _target(port)
    connection = _connection(target)
    try:
        connection.request("GET", path, headers=_headers(target))
        response = connection.getresponse()
        body = response.read()
        return response, body
    finally:
        connection.close()


def probe_headers(port, path: str) -> dict:
    response, _ = _get(port, path)
    return {k.lower(): v for k, v in response.getheaders()}


def probe_body(port, path: str) -> bytes:
    """The page as a browser gets it, uncompressed."""
    response, body = _get(port, path)
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body


def comment_posts(port: int, prepared: dict) -> dict:
    """p50/p99 of POSTs of the Leave a Reply form, each one checked and stored (302)."""
    story = prepared["urls"]["story"]
    origin = f"http://127.0.0.1:{port}"
    timings, failures = [], 0
    for n in range(POSTS):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        opener.addheaders = []
        page = opener.open(origin + story, timeout=10).read().decode()
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        )
        data = {
            **fields,
            "name": f"Bench Reader {n}",
            "email": f"bench{n}@example.org",
            "url": "",
            "body": f"Benchmark comment {n}: {secrets.token_hex(8)} on the flood gates.",
            "leave_empty": "",
            "parent": "",
        }
        request = urllib.request.Request(
            f"{origin}/comments/post/{prepared['article_id']}/",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Origin": origin, "Referer": origin + story},
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        poster = urllib.request.build_opener(
            NoRedirect, *[h for h in opener.handlers if hasattr(h, "cookiejar")]
        )
        start = time.perf_counter()
        try:
            with poster.open(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        elapsed = (time.perf_counter() - start) * 1000
        if status == 302:
            timings.append(elapsed)
        else:
            failures += 1
    if not timings:
        return {"error": f"no POST was stored ({failures} refused)"}
    cuts = statistics.quantiles(timings, n=100) if len(timings) > 1 else timings * 99
    return {
        "p50": statistics.median(timings),
        "p99": cuts[98],
        "rps": 1000 / statistics.mean(timings),
        "errors": failures,
    }


# --- nginx ----------------------------------------------------------------------------


def nginx_rows(app_port: int, path: str, env: dict, work: Path) -> dict:
    """(d): the story through docs/nginx.conf's cache (Part N's tests/serving/servers.py),
    beside the same nginx serving the bytes it sent as a static file (gzip_static)."""
    try:
        from tests.serving import servers
    except ImportError as error:
        return {"error": f"no nginx helper (tests/serving/servers.py): {error}"}
    if not servers.nginx_available() or not servers.openssl_available():
        return {"error": "nginx or openssl is not installed"}
    static_root = Path(env["DJANGO_STATIC_ROOT"])
    (static_root / "bench").mkdir(parents=True, exist_ok=True)
    try:
        nginx = servers.start_nginx(
            work / "nginx",
            upstream_port=app_port,
            static_root=static_root,
            media_root=Path(env["DJANGO_MEDIA_ROOT"]),
        )
    except Exception as error:  # nginx refusing its config, a port taken…
        return {"error": f"nginx did not start: {error}"}
    try:
        target = {"port": nginx.port, "tls": True, "host": servers.SITE_HOST}
        warm(target, path)
        headers = probe_headers(target, path)
        if headers.get("x-cache-status") != "HIT":
            return {
                "error": f"nginx did not cache the story: {headers.get('x-cache-status')}"
            }
        cached = load(target, path)
        raw = probe_body(target, path)
        (static_root / "bench" / "story.html").write_bytes(raw)
        (static_root / "bench" / "story.html.gz").write_bytes(gzip.compress(raw))
        baseline = load(target, "/static/bench/story.html")
    finally:
        nginx.stop()
    return {"cached": cached, "baseline": baseline}


# --- one backend ----------------------------------------------------------------------


def run_backend(label: str, env: dict, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **BASE_ENV, **env}
    env["DJANGO_MEDIA_ROOT"] = str(work / "media")
    env["DJANGO_STATIC_ROOT"] = str(work / "static")
    subprocess.run(
        [sys.executable, str(Path(__file__)), "--prepare", str(work)],
        # Query counts and weight of the page as rendered, not as replayed by the page cache.
        env={**env, "COMMENTS_PER_PAGE": ALL_ON_ONE_PAGE, "PAGE_CACHE_SECONDS": "0"},
        check=True,
        cwd=ROOT,
    )
    prepared = json.loads((work / "prepared.json").read_text())
    urls = prepared["urls"]
    rows: dict[str, dict] = {}
    baseline_env = {**env, "BENCH_BODIES": str(work / "bodies.json")}
    with gunicorn("bench.static_app:app", baseline_env, probe="/") as base_port:
        base = {name: load(base_port, url) for name, url in urls.items()}
    uncached = {**env, "PAGE_CACHE_SECONDS": "0"}
    app_port = free_port()
    site = {"SITE_URL": f"http://127.0.0.1:{app_port}"}
    with gunicorn(
        "newsroom.wsgi",
        {**uncached, **site, "COMMENTS_PER_PAGE": ALL_ON_ONE_PAGE},
        port=app_port,
    ) as port:
        warm(port, urls["story"])
        rows["a"] = load(port, urls["story"])
        for name in ("home", "section", "feed", "search"):
            warm(port, urls[name])
            rows[name] = load(port, urls[name])
        rows["post"] = comment_posts(port, prepared)
    with gunicorn("newsroom.wsgi", uncached) as port:
        warm(port, urls["story"])
        rows["b"] = load(port, urls["story"])
    # The page-cache server also sits behind nginx (docs/nginx.conf: HTTPS, one proxy).
    cached_env = {
        **env,
        "COMMENTS_PER_PAGE": ALL_ON_ONE_PAGE,
        "DJANGO_ALLOWED_HOSTS": env["DJANGO_ALLOWED_HOSTS"] + ",news.example.org",
        "NUM_PROXIES": "1",
    }
    with gunicorn("newsroom.wsgi", cached_env) as port:
        warm(port, urls["story"])
        rows["c"] = load(port, urls["story"])
        rows["d"] = nginx_rows(port, urls["story"], cached_env, work)
    for key in ("a", "b", "home", "section", "feed", "search"):
        if rows[key]["headers"].get("x-page-cache") == "hit":
            rows[key]["note"] = "served from the page cache: not an uncached figure"
    if rows["c"]["headers"].get("x-page-cache") != "hit":
        rows["c"] = {
            "error": "no page cache yet (no X-Page-Cache: hit; Part P's branch pagecache)"
        }
    return {"label": label, "prepared": prepared, "rows": rows, "base": base}


# --- backends -------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_and_redis():
    """A database and a Redis key prefix of our own, dropped afterwards."""
    import psycopg
    import redis

    name = f"newsroom_bench_{secrets.token_hex(4)}"
    prefix = f"bench-{secrets.token_hex(4)}"
    admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    client.ping()
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            "DATABASE_URL": f"{POSTGRES}/{name}",
            "CACHE_URL": REDIS,
            "CACHE_KEY_PREFIX": prefix,
        }
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def fmt_row(label, row, base=None, queries=""):
    if "error" in row:
        return [label, f"not available ({row['error']})", "", "", "", "", queries]
    ratio = f"{row['rps'] / base['rps']:.3f}" if base else ""
    errors = row.get("errors", 0)
    note = row.get("note", "") or (f"{errors} errors" if errors else "")
    return [
        label,
        f"{row['rps']:,.0f}",
        f"{row['p50']:.1f}",
        f"{row['p99']:.1f}",
        f"{base['rps']:,.0f}" if base else "",
        ratio,
        queries + (f"  {note}" if note else ""),
    ]


def report(results: list[dict]) -> None:
    client = (
        f"wrk -t{THREADS} -c{CONNECTIONS}"
        if WRK
        else f"Python client, {CONNECTIONS} connections (wrk not installed)"
    )
    print(
        f"\nNewsroom benchmarks — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"gunicorn {WORKERS} sync workers, {client}, {SECONDS:.0f} s per row\n"
    )
    header = ["row", "req/s", "p50 ms", "p99 ms", "limit req/s", "ratio", "queries"]
    lines = []
    for result in results:
        if "error" in result:
            lines.append(
                [result["label"], f"not available ({result['error']})"] + [""] * 5
            )
            continue
        rows, base, prep = result["rows"], result["base"], result["prepared"]
        q = prep["queries"]
        story_q = f"cold {q['story']['cold']}, changed {q['story']['changed']}, warm {q['story']['warm']}"
        lines.append([f"== {result['label']}", "", "", "", "", "", ""])
        lines.append(
            fmt_row(
                "(a) story, uncached, 200 comments on one page",
                rows["a"],
                base["story"],
                story_q,
            )
        )
        lines.append(
            fmt_row(
                "(b) story, uncached, default pagination",
                rows["b"],
                base["story"],
                story_q,
            )
        )
        lines.append(fmt_row("(c) story from the page cache", rows["c"], base["story"]))
        d = rows["d"]
        if "error" in d:
            lines.append(fmt_row("(d) story through the nginx cache", d))
        else:
            lines.append(
                fmt_row(
                    "(d) story through the nginx cache (limit: nginx static)",
                    d["cached"],
                    d["baseline"],
                )
            )
        for name in ("home", "section", "feed", "search"):
            qn = f"cold {q[name]['cold']}, warm {q[name]['warm']}"
            lines.append(fmt_row(f"{name}, uncached", rows[name], base[name], qn))
        lines.append(
            fmt_row("comment POST (rules applied, stored), sequential", rows["post"])
        )
    widths = [
        max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))
    ]
    for line in [header, ["-" * w for w in widths], *lines]:
        print(
            "  "
            + "  ".join(
                str(cell).ljust(w) if i in (0, 6) else str(cell).rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    for result in results:
        if "error" in result:
            continue
        w = result["prepared"]["weight"]
        total = w["html_gzip"] + w["css_gzip"] + w["js_gzip"]
        paged = w["paged_gzip"] + w["css_gzip"] + w["js_gzip"]
        print(
            f"\n  Page weight as sent ({result['label']}): story with {w['comments']} comments on one page: "
            f"HTML {w['html_raw'] / 1024:.1f} KB raw, {w['html_gzip'] / 1024:.1f} KB gzip + CSS {w['css_gzip'] / 1024:.1f} KB "
            f"+ JS {w['js_gzip'] / 1024:.1f} KB = {total / 1024:.1f} KB gzip (target 20 KB); "
            f"default pagination: {paged / 1024:.1f} KB"
        )
    print()


def main():
    work = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    results = []
    try:
        print(
            f"Load client: {'wrk ' + WRK if WRK else 'Python (wrk not installed)'}",
            flush=True,
        )
        results.append(
            run_backend(
                "SQLite, local-memory cache",
                {
                    "DATABASE_URL": f"sqlite:///{work / 'sqlite' / 'bench.sqlite3'}",
                    "CACHE_URL": "locmemcache://bench",
                },
                work / "sqlite",
            )
        )
        try:
            backend = postgres_and_redis()
            env = backend.__enter__()
        except Exception as error:
            results.append(
                {
                    "label": "PostgreSQL + Redis",
                    "error": f"{type(error).__name__}: {error}",
                }
            )
        else:
            try:
                results.append(
                    run_backend("PostgreSQL + Redis", env, work / "postgres")
                )
            finally:
                backend.__exit__(None, None, None)
        report(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        prepare(Path(sys.argv[2]))
    else:
        main()
