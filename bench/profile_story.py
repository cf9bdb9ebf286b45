"""Profile one uncached render of the benchmark story (200 comments on one page).

    .venv/bin/pip install pyinstrument   # a development tool, not a project dependency
    make profile                         # or: .venv/bin/python bench/profile_story.py

Builds the bench story in a throw-away SQLite database, warms every cache once, then
renders the page RUNS times through Django's test client (full middleware, gzip) while
pyinstrument samples, and prints where the time went. The page cache is bypassed, so
every run renders; the fragment cache is used as in production unless PROFILE_FRAGMENTS=0.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="newsroom-profile-"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'profile.sqlite3'}"
os.environ["DJANGO_MEDIA_ROOT"] = str(WORK / "media")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_HTTPS"] = "0"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ["COMMENTS_PER_PAGE"] = os.environ.get("PROFILE_PER_PAGE", "200")
os.environ["PAGE_CACHE_SECONDS"] = (
    "0"  # never store or serve whole pages: every run renders
)
os.environ.setdefault("DJANGO_SECRET_KEY", "profile-only-secret-key-8d2b4f6a9c1e3b5d7f")
os.environ.setdefault("FRAGMENT_CACHE_SECONDS", "300")
if os.environ.get("PROFILE_FRAGMENTS") == "0":
    os.environ["FRAGMENT_CACHE_SECONDS"] = "0"
RUNS = int(os.environ.get("PROFILE_RUNS", "50"))


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from bench.story import build

    story, _ = build()
    url = story.get_absolute_url()
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    assert client.get(url).status_code == 200  # warm caches and templates
    timings = []

    def runs():
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)

    try:
        from pyinstrument import Profiler
    except ImportError:
        runs()
        print("pyinstrument is not installed: timings only")
    else:
        profiler = Profiler(interval=0.0005)
        with profiler:
            runs()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(
        f"{RUNS} renders: median {statistics.median(timings):.1f} ms, "
        f"p90 {statistics.quantiles(timings, n=10)[-1]:.1f} ms"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
