"""Private PostgreSQL, Redis and app-server instances for fault tests and ``make faults``.

Each helper starts its own server on a free loopback port in a temporary folder and stops it
on the way out, even when the code inside fails; none ever touches the shared PostgreSQL
(5432) or Redis (6379). The SMTP faults' servers are here too: a closed port, a server that
accepts and never answers, and a tiny SMTP sink that keeps what it is sent.
"""

import contextlib
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("NEWSROOM_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_tools(*names: str) -> None:
    """Skip when a server binary is missing; under CI=true, fail instead."""
    missing = [n for n in names if not _tool(n)]
    if missing:
        message = f"fault tests need {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must have them)")
        pytest.skip(message)


def _tool(name: str) -> str | None:
    if name in ("initdb", "pg_ctl", "postgres"):
        path = PG_BIN / name
        return str(path) if path.exists() else None
    return shutil.which(name)


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), 0.2),
        ):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres account then."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class Redis:
    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextlib.contextmanager
def private_redis():
    """A throwaway redis-server on a free port; stopped however the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-redis-"))
    redis = Redis(port=free_port(), folder=folder)
    try:
        redis.start()
        yield redis
    finally:
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Postgres:
    port: int
    folder: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres_user(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._ctl(
            "-l",
            str(self.folder / "log"),
            "-w",
            "-t",
            "30",
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "fast", "-w", "stop")


@contextlib.contextmanager
def private_postgres():
    """A throwaway PostgreSQL cluster (trust auth, database "newsroom") on a free port."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
    os.chmod(folder, 0o777)  # the postgres account writes here when we are root
    pg = Postgres(port=free_port(), folder=folder)
    try:
        subprocess.run(
            [
                *_as_postgres_user(),
                str(PG_BIN / "initdb"),
                "-D",
                str(pg.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pg.start()
        subprocess.run(
            [
                *_as_postgres_user(),
                str(PG_BIN.parent / "bin" / "createdb")
                if (PG_BIN / "createdb").exists()
                else "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(pg.port),
                "-U",
                "postgres",
                "newsroom",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(folder, ignore_errors=True)


def app_env(*, database_url: str, cache_url: str, media_root: Path, **extra) -> dict:
    """Production settings (DEBUG off), plain HTTP on loopback, on the given services."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "EMAIL_", "TASKS_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="fault-test-only-secret-key-0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a",
        DJANGO_HTTPS="0",
        DJANGO_MEDIA_ROOT=str(media_root),
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        CACHE_URL=cache_url,
        NEWSROOM_DEMO="1",
        EMAIL_URL="consolemail://",
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def app_server(env: dict, *, log_path: Path | None = None):
    """gunicorn serving Newsroom on a free port (1 worker, 4 threads); stopped on the way out."""
    port = free_port()
    log = open(log_path or os.devnull, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class Answer:
    status: int
    headers: dict
    body: str


def fetch(
    url: str, data: bytes | None = None, headers: dict | None = None, timeout=10
) -> Answer:
    """One HTTP request; any status is an answer (no redirects followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(
                response.status, dict(response.headers), response.read().decode()
            )
    except urllib.error.HTTPError as error:
        return Answer(
            error.code, dict(error.headers), error.read().decode(errors="replace")
        )


# --- SMTP: a closed port, a server that never answers, and a small sink that delivers -------


class SilentSMTP:
    """Accepts TCP connections on a port and never says a word (not even the greeting)."""

    def __init__(self, port: int = 0):
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_and_sleep, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _accept_and_sleep(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(conn)  # held open, never read or written

    def close(self) -> None:
        """Stop listening and drop the held connections (the port is free again)."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(5)
        for conn in self.connections:
            conn.close()
        self.server.close()


@contextlib.contextmanager
def silent_smtp(port: int = 0):
    """A mail server on ``port`` (free when 0) that accepts the connection and then hangs:
    every client times out."""
    hung = SilentSMTP(port)
    try:
        yield hung
    finally:
        hung.close()


def closed_smtp_url() -> str:
    """An SMTP address where nothing listens: connections are refused at once."""
    return f"smtp://127.0.0.1:{free_port()}"


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for Django's backend: EHLO/HELO, MAIL, RCPT, DATA, RSET, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        sink = self.server.sink
        self.reply("220 127.0.0.1 fault-test SMTP sink")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode("latin-1").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                sender, recipients = command[10:].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command[8:].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                sink.messages.append(
                    {"from": sender, "to": recipients, "data": b"".join(data)}
                )
                self.reply("250 OK: queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@dataclass
class SMTPSink:
    port: int
    messages: list

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@contextlib.contextmanager
def smtp_sink(port: int = 0):
    """A real (tiny) SMTP server on ``port`` (free when 0) that keeps every message it accepts."""

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server(("127.0.0.1", port), _SMTPHandler)
    sink = SMTPSink(port=server.server_address[1], messages=[])
    server.sink = sink
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
