"""Baseline for the throughput ratio: a WSGI app returning fixed bytes from memory.

Served by the same gunicorn settings as Newsroom, so the ratio shows what Django, the
database and the templates cost on top of the server itself. ``BENCH_BODIES`` names a JSON
file mapping each path to a file of the bytes Newsroom sent for it (and ``<file>.gz``,
the same page as Newsroom gzipped it); ``BENCH_BODY_FILE`` serves one file at every path.
"""

import gzip
import json
import os
from pathlib import Path


def _load():
    if "BENCH_BODIES" in os.environ:
        mapping = json.loads(Path(os.environ["BENCH_BODIES"]).read_text())
    else:
        mapping = {"": os.environ["BENCH_BODY_FILE"]}
    bodies = {}
    for path, name in mapping.items():
        body = Path(name).read_bytes()
        sent = Path(name + ".gz")  # the very gzip bytes Newsroom sent, when recorded
        bodies[path] = (
            body,
            sent.read_bytes() if sent.exists() else gzip.compress(body),
        )
    return bodies


BODIES = _load()
DEFAULT = next(iter(BODIES.values()))


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    plain, gzipped = BODIES.get(path + ("?" + query if query else ""), DEFAULT)
    gzip_ok = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
    body = gzipped if gzip_ok else plain
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ]
    if gzip_ok:
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", headers)
    return [body]
