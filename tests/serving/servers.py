"""Start and stop real servers for the serving tests and the benchmark: gunicorn and nginx.

Every server runs in its own process group, so ``Server.stop()`` ends it with all its
workers; ``stop_all()`` (also run at exit) ends whatever is still running. Nothing here
needs root or touches files outside the folders it is given.

The nginx configuration is docs/nginx.conf itself, with only the deployment-specific values
(ports, folders, certificate) substituted: ``nginx_site_conf()`` refuses to run when one of
them is no longer found in the file, so the documented configuration is the tested one.
"""

import atexit
import gzip
import html.parser
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "docs" / "nginx.conf"
NGINX = "/usr/sbin/nginx"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SITE_HOST = "news.example.org"  # the server_name in docs/nginx.conf


def require(available: bool, message: str) -> None:
    """Skip the calling test (module) when a tool or service is missing; fail under CI=true."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: required)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**overrides) -> dict:
    """A clean production-like environment: DEBUG off, nothing inherited from the caller's
    Django configuration (DATABASE_URL, CACHE_URL… of the test run), only ``overrides``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "CACHE_", "PAGE_", "COMMENTS_"))
        and name not in {"SITE_URL", "NUM_PROXIES", "NEWSROOM_DEMO", "TASKS_BACKEND"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update({name: str(value) for name, value in overrides.items()})
    return env


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    """Run manage.py with ``env``; its output, or an AssertionError showing it."""
    return _run([PYTHON, "manage.py", *args], env, timeout)


def django_run(env: dict, code: str, timeout: float = 60) -> str:
    """Run ``code`` in a fresh Django process configured by ``env``; what it printed."""
    script = "import django\ndjango.setup()\n" + code
    return _run([PYTHON, "-c", script], env, timeout)


def django_json(env: dict, code: str, timeout: float = 60):
    """Like ``django_run``, for code whose last printed line is JSON."""
    return json.loads(django_run(env, code, timeout).strip().splitlines()[-1])


def _run(command, env, timeout) -> str:
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(command[:3])} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


_running: list["Server"] = []


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        """End the server and every process it started (its process group)."""
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self in _running:
            _running.remove(self)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def stop_all() -> None:
    for server in list(_running):
        server.stop()


atexit.register(stop_all)


def _spawn(name, command, *, env, port, log: Path, cwd=ROOT) -> Server:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the workers too
        )
    server = Server(name, process, port, log)
    _running.append(server)
    return server


def _wait_until_up(server: Server, check, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if check():
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"{server.name} did not start:\n{server.log_tail()}")


# --- gunicorn ---------------------------------------------------------------------------


def prepare_site(env: dict) -> None:
    """Migrate the database and collect the static files that ``env`` points at."""
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def start_gunicorn(
    env: dict,
    *,
    log_dir: Path,
    port: int | None = None,
    workers: int = 1,
    threads: int = 1,
    host: str = "127.0.0.1",
) -> Server:
    """gunicorn newsroom.wsgi on 127.0.0.1:``port``, started and answering /healthz.

    ``host`` is the Host header of the readiness check (one of DJANGO_ALLOWED_HOSTS).
    """
    port = port or free_port()
    command = [GUNICORN, "newsroom.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--access-logfile", "-"]
    if threads > 1:
        command += ["--threads", str(threads), "--worker-class", "gthread"]
    log = Path(log_dir) / f"gunicorn-{port}.log"
    server = _spawn(f"gunicorn :{port}", command, env=env, port=port, log=log)

    def healthy():
        status, _, _ = request("127.0.0.1", port, "GET", "/healthz", host=host)
        return status == 200

    _wait_until_up(server, healthy)
    return server


# --- nginx ------------------------------------------------------------------------------


def nginx_available() -> bool:
    return os.access(NGINX, os.X_OK)


def openssl_available() -> bool:
    return shutil.which("openssl") is not None


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for SITE_HOST, valid for a day: (certificate, key)."""
    cert, key = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt"]
        + ["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={SITE_HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


# Each deployment-specific value of docs/nginx.conf, and what the test setup puts there.
NGINX_PLACEHOLDERS = {
    "upstream": "server 127.0.0.1:8000;",
    "http": "listen 80;",
    "https": "listen 443 ssl http2;",
    "cache": "proxy_cache_path /var/cache/nginx/newsroom ",
    "cert": "/etc/letsencrypt/live/news.example.org/fullchain.pem;",
    "key": "/etc/letsencrypt/live/news.example.org/privkey.pem;",
    "static": "alias /srv/newsroom/staticfiles/;",
    "media": "alias /srv/newsroom/media/;",
}


def nginx_site_conf(
    *,
    upstream_port: int,
    http_port: int,
    https_port: int,
    cache_dir: Path,
    static_root: Path,
    media_root: Path,
    cert: Path,
    key: Path,
) -> str:
    """docs/nginx.conf with only its deployment-specific values replaced."""
    text = NGINX_CONF.read_text()
    replacements = {
        "upstream": f"server 127.0.0.1:{upstream_port};",
        "http": f"listen 127.0.0.1:{http_port};",
        "https": f"listen 127.0.0.1:{https_port} ssl http2;",
        "cache": f"proxy_cache_path {cache_dir} ",
        "cert": f"{cert};",
        "key": f"{key};",
        "static": f"alias {static_root}/;",
        "media": f"alias {media_root}/;",
    }
    for name, placeholder in NGINX_PLACEHOLDERS.items():
        count = text.count(placeholder)
        assert count == 1, (
            f"docs/nginx.conf: expected {placeholder!r} once, found it {count} times; "
            "update tests/serving/servers.py NGINX_PLACEHOLDERS with the documented config"
        )
        text = text.replace(placeholder, replacements[name])
    return text


def nginx_main_conf(prefix: Path, site_conf: Path) -> str:
    """The main file around the site, like Debian's /etc/nginx/nginx.conf but all in ``prefix``."""
    mime = Path("/etc/nginx/mime.types")
    types = (
        f"include {mime};"
        if mime.exists()
        else "types { text/html html; text/css css; application/javascript js; }"
    )
    # As root, nginx would hand requests to www-data, who cannot read a private tmp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {prefix}/temp-{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    {types}
    default_type application/octet-stream;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log {prefix}/access.log;
    gzip on;
    {temp}
    include {site_conf};
}}
"""


def start_nginx(
    prefix: Path,
    *,
    upstream_port: int,
    static_root: Path,
    media_root: Path,
) -> Server:
    """nginx with docs/nginx.conf in front of gunicorn on ``upstream_port``, as this user.

    ``server.port`` is the HTTPS port (a self-signed certificate for SITE_HOST);
    ``server.extra["http_port"]`` the plain-HTTP one that redirects.
    """
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(prefix)
    http_port, https_port = free_port(), free_port()
    site = prefix / "newsroom.conf"
    site.write_text(
        nginx_site_conf(
            upstream_port=upstream_port,
            http_port=http_port,
            https_port=https_port,
            cache_dir=prefix / "cache",
            static_root=static_root,
            media_root=media_root,
            cert=cert,
            key=key,
        )
    )
    main = prefix / "nginx.conf"
    main.write_text(nginx_main_conf(prefix, site))
    command = [
        NGINX,
        "-p",
        str(prefix),
        "-c",
        str(main),
        "-e",
        str(prefix / "error.log"),
    ]
    _run([*command, "-t", "-q"], os.environ.copy(), 30)
    server = _spawn(
        f"nginx :{https_port}",
        [*command, "-g", "daemon off;"],
        env=os.environ.copy(),
        port=https_port,
        log=prefix / "nginx-stdout.log",
        cwd=prefix,
    )
    server.extra["http_port"] = http_port
    server.extra["error_log"] = prefix / "error.log"

    def answering():
        status, _, _ = request("127.0.0.1", https_port, "GET", "/healthz", tls=True)
        return status == 200

    _wait_until_up(server, answering)
    return server


# --- a small HTTP client ------------------------------------------------------------------


def request(
    address: str,
    port: int,
    method: str,
    path: str,
    *,
    host: str = SITE_HOST,
    headers: dict | None = None,
    body: bytes | None = None,
    tls: bool = False,
    timeout: float = 10,
):
    """One request on a fresh connection, nothing added behind the caller's back.

    Returns ``(status, headers, text)``: headers by lower-case name (repeated ones joined by
    ", ", every Set-Cookie in a list under "set-cookie"), the text decompressed when gzip.
    """
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            address, port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request(
            method,
            path,
            body=body,
            headers={"Host": host, "Accept-Encoding": "identity", **(headers or {})},
        )
        response = connection.getresponse()
        raw = response.read()
        found: dict = {"set-cookie": []}
        for name, value in response.getheaders():
            name = name.lower()
            if name == "set-cookie":
                found["set-cookie"].append(value)
            elif name in found:
                found[name] += ", " + value
            else:
                found[name] = value
        if found.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return response.status, found, raw.decode("utf-8", errors="replace")
    finally:
        connection.close()


class Browser:
    """A reader's browser against one server: keeps its cookies, sends its Origin on POST."""

    def __init__(
        self,
        port: int,
        *,
        tls: bool = False,
        host: str = SITE_HOST,
        timeout: float = 10,
    ):
        self.port, self.tls, self.host, self.timeout = port, tls, host, timeout
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def get(self, path: str, headers: dict | None = None):
        return self._send("GET", path, headers=headers)

    def post(self, path: str, data, headers: dict | None = None):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + "/",
            "Sec-Fetch-Site": "same-origin",
            **(headers or {}),
        }
        return self._send("POST", path, headers=headers, body=urlencode(data).encode())

    def _send(self, method, path, *, headers=None, body=None):
        headers = dict(headers or {})
        if self.cookies:
            headers.setdefault(
                "Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        status, found, text = request(
            "127.0.0.1",
            self.port,
            method,
            path,
            host=self.host,
            headers=headers,
            body=body,
            tls=self.tls,
            timeout=self.timeout,
        )
        for line in found["set-cookie"]:
            pair, *attributes = line.split(";")
            name, _, value = pair.strip().partition("=")
            gone = any(
                a.strip().lower() in ("max-age=0", "max-age=-1") for a in attributes
            )
            if gone or not value or value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, found, text


class _FormFields(html.parser.HTMLParser):
    def __init__(self, action_part: str):
        super().__init__()
        self.action_part, self.inside, self.fields = action_part, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action_part in (attrs.get("action") or ""):
            self.inside = True
        elif (
            tag == "input"
            and self.inside
            and attrs.get("name")
            and attrs.get("type") not in ("checkbox", "submit")
        ):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(page: str, action_part: str) -> dict[str, str]:
    """The named inputs (hidden ones included) of the form whose action contains ``action_part``."""
    parser = _FormFields(action_part)
    parser.feed(page)
    assert parser.fields, f"no form with an action containing {action_part!r}"
    return parser.fields


# --- Scratch databases on the shared PostgreSQL and Redis ----------------------------------
# The shared servers are never stopped: a test or bench makes a database and a key prefix of
# its own there, and removes both afterwards.

SHARED_POSTGRES = "postgres://postgres@127.0.0.1:5432/"
SHARED_REDIS_HOST, SHARED_REDIS_PORT = "127.0.0.1", 6379


def shared_postgres(database="postgres"):
    """An autocommit connection to ``database`` on the shared PostgreSQL."""
    import psycopg

    return psycopg.connect(
        f"{SHARED_POSTGRES}{database}", autocommit=True, connect_timeout=3
    )


def shared_redis(db: int):
    """A client for database ``db`` of the shared Redis."""
    import redis

    return redis.Redis(
        host=SHARED_REDIS_HOST, port=SHARED_REDIS_PORT, db=db, socket_connect_timeout=3
    )


def drop_scratch(*, database: str, redis_db: int, prefix: str) -> None:
    """Drop a scratch database and delete every Redis key under ``prefix`` in ``redis_db``."""
    with shared_postgres() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    client = shared_redis(redis_db)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
