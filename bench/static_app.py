"""Baseline for the throughput ratio: a WSGI app returning fixed bytes from memory.

Served by the same gunicorn settings as Newsroom, so the ratio shows what Django, the
database and the templates cost on top of the server itself.
"""

import gzip
import os
from pathlib import Path

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
GZIPPED = gzip.compress(BODY)


def app(environ, start_response):
    gzip_ok = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
    body = GZIPPED if gzip_ok else BODY
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ]
    if gzip_ok:
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", headers)
    return [body]
