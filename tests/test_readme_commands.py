"""Every command the README shows works as written on a fresh clone, after `make run`.

The README's shell blocks (```sh) and the first column of its command table are read; each
command runs in a subprocess, in a copy of the project without a database, media or .env (a
fresh clone, sharing this checkout's .venv), with a newcomer's environment: no
DJANGO_SECRET_KEY, no DATABASE_URL, nothing set. Each must exit 0 and print no traceback.

- `make run` goes first (the README says the others work after it); it and `make serve` are
  servers: each is started on a free port, must answer, and is stopped. `make run` must
  print every line once and nothing that reads like an error.
- `make superuser` asks questions: it gets a terminal of its own and the answers.
- `make test` runs the suite's configuration on one small test file (PYTEST_ADDOPTS), not
  the whole suite again from inside itself. A service (SERVICES) must start and keep
  running until stopped.
- A few commands take minutes or need services they start themselves; they are listed in
  SKIPPED with the reason, and the test fails if one of them leaves the README (stale) or a
  new README command would be neither run nor listed.
"""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import termios
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# Long or self-contained runs: documented, not repeated here.
SKIPPED = {
    "make bench": "prints the benchmark figures: minutes of measuring (docs/benchmarks.md)",
    "make faults": "starts and stops its own PostgreSQL, Redis and gunicorn for minutes",
    "make load": "needs PostgreSQL and Redis at 127.0.0.1 and minutes of load",
    ".ci/run": "CI itself: lint, checks and the whole suite twice",
}
SERVERS = {"make run", "make serve"}
# Commands that keep running until stopped (none other than the servers today).
SERVICES = ("manage.py db_worker",)
# The copy leaves out what a fresh clone does not have.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "db.sqlite3*",
    "media",
    "staticfiles",
    ".env",
    "test-artifacts",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "results",
)
SERVER_START_SECONDS = 180
COMMAND_SECONDS = 300
SUPERUSER = {"username": "newcomer", "password": "Wend-Quay-ferry-1897"}


def readme_commands(text: str) -> list[str]:
    """The commands in ```sh blocks (comments dropped) and in the first column of tables."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    for cell in re.findall(r"^\| `([^`]+)` \|", text, flags=re.M):
        commands.append(cell.strip())
    return commands


def test_the_readme_lists_its_commands_where_this_test_finds_them():
    commands = readme_commands(README.read_text())

    assert {"make run", "make test"} <= set(commands)
    assert {"make superuser", "make demo-password", "make seed"} <= set(commands)
    stale = set(SKIPPED) - set(commands)
    assert not stale, f"listed as skipped but no longer in the README: {stale}"
    # Settings lines (NAME=value) belong in ```ini blocks, not with the commands.
    assert not [c for c in commands if re.fullmatch(r"[A-Z_]+=\S+", c)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _newcomer_env(home: Path) -> dict:
    """A shell with nothing of this project set: no key, no database or cache URL, no DEBUG."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(home)),
        "LANG": "C.UTF-8",
        "TMPDIR": str(home),
        "TERM": "dumb",
    }
    return env


def _fresh_clone(tmp_path: Path) -> Path:
    clone = tmp_path / "newsroom"
    shutil.copytree(ROOT, clone, ignore=NOT_IN_A_CLONE, symlinks=True)
    venv = ROOT / ".venv"
    if not (venv / "bin" / "python").exists():
        venv = Path(sys.prefix)
    (clone / ".venv").symlink_to(venv, target_is_directory=True)
    # make reinstalls when pyproject.toml is newer than the install stamp: that would point
    # the shared .venv at this copy. The copy's pyproject is the checkout's; keep it older.
    stamp = venv / ".installed"
    if stamp.exists():
        older = stamp.stat().st_mtime - 1
        os.utime(clone / "pyproject.toml", (older, older))
    return clone


def _stop(proc: subprocess.Popen) -> None:
    """Stop the command and everything it started (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def _answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _run(command, clone, env, *, timeout=COMMAND_SECONDS):
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )
    return result.returncode, result.stdout + result.stderr


def _run_server(command, clone, env, paths):
    """Start a server command on a free port, wait until it answers, ask for ``paths``, stop it."""
    port = _free_port()
    log = clone / f"{command.replace(' ', '-')}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=clone,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        statuses = {}
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while _answers(f"http://127.0.0.1:{port}/") is None:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"no answer:\n{log.read_text()}"
                time.sleep(0.5)
            statuses = {
                path: _answers(f"http://127.0.0.1:{port}{path}") for path in paths
            }
            time.sleep(1)  # let the request lines reach the log
        finally:
            _stop(proc)
    return statuses, log.read_text()


def _run_service(command, clone, env, seconds=4):
    """A long-running service: it must start and still run after ``seconds``; then stopped."""
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    time.sleep(seconds)
    running = proc.poll() is None
    _stop(proc)
    output = proc.stdout.read()
    return running, output


def _run_with_terminal(command, clone, env, answers, timeout=COMMAND_SECONDS):
    """Run ``command`` on a terminal of its own, answering each prompt (regex) in turn."""
    controller, terminal = pty.openpty()

    def take_the_terminal():  # runs in the child: the pty becomes its controlling terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=clone,
        env={**env, "TERM": "xterm"},
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
        preexec_fn=take_the_terminal,
    )
    os.close(terminal)
    output, pending, seen = "", list(answers), 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the command has finished and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk.decode(errors="replace")
            if pending and re.search(pending[0][0], output[seen:]):
                seen = len(output)
                os.write(controller, pending.pop(0)[1].encode() + b"\n")
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=30)
    finally:
        _stop(proc)
        os.close(controller)
    assert not pending, f"never asked {pending[0][0]!r}:\n{output}"
    return proc.returncode, output


def _ok(command, code, output):
    assert code == 0, f"`{command}` exited {code}:\n{output}"
    assert "Traceback" not in output, f"`{command}` printed a traceback:\n{output}"


def test_every_readme_command_works_as_written_on_a_fresh_clone(tmp_path):
    if shutil.which("make") is None:
        pytest.fail(
            "make is not installed; the README's commands need it", pytrace=False
        )
    commands = [c for c in readme_commands(README.read_text()) if c not in SKIPPED]
    clone = _fresh_clone(tmp_path)
    env = _newcomer_env(tmp_path)
    ran = []

    # First `make run`, as the README says: it makes the database the others use.
    statuses, output = _run_server(
        "make run", clone, env, ["/", "/about/", "/privacy/"]
    )
    ran.append("make run")
    assert statuses == {"/": 200, "/about/": 200, "/privacy/": 200}, output
    assert "Traceback" not in output, output
    assert "username: demo  password:" in output
    _assert_each_line_once_and_no_alarm(output)

    for command in commands:
        if command == "make run":
            continue
        if command in SERVERS:
            statuses, output = _run_server(command, clone, env, ["/", "/about/"])
            assert statuses == {"/": 200, "/about/": 200}, output
            assert "Traceback" not in output, output
        elif command == "make superuser":
            code, output = _run_with_terminal(
                command,
                clone,
                env,
                [
                    (r"Username.*: ", SUPERUSER["username"]),
                    (r"Email address: ", "newcomer@example.org"),
                    (r"Password: ", SUPERUSER["password"]),
                    (r"Password \(again\): ", SUPERUSER["password"]),
                ],
            )
            _ok(command, code, output)
            assert "Superuser created successfully." in output
        elif command == "make test":
            # The suite's own setup, on one quick file: not the whole suite from inside itself.
            code, output = _run(
                command,
                clone,
                {**env, "PYTEST_ADDOPTS": "-p no:cacheprovider tests/test_net.py"},
            )
            _ok(command, code, output)
            assert re.search(r"\d+ passed", output), output
        elif command.endswith(SERVICES):
            running, output = _run_service(command, clone, env)
            assert running, f"`{command}` stopped on its own:\n{output}"
            assert "Traceback" not in output, output
        else:
            code, output = _run(command, clone, env)
            _ok(command, code, output)
            if command == "make demo-password":
                assert "new password:" in output
        ran.append(command)

    assert set(ran) | set(SKIPPED) == set(readme_commands(README.read_text()))
    # The superuser really is one, on the database `make run` made.
    code, output = _run(
        "DJANGO_DEBUG=1 .venv/bin/python manage.py shell -c "
        '"from django.contrib.auth.models import User; '
        f"print(User.objects.get(username='{SUPERUSER['username']}').is_superuser)\"",
        clone,
        env,
    )
    assert (code, output.strip().splitlines()[-1]) == (0, "True"), output


def _assert_each_line_once_and_no_alarm(output: str) -> None:
    """`make run`: no log line twice (request lines aside), nothing that reads as an error."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    request_line = re.compile(r'^\[[^]]+\] "(GET|HEAD|POST) ')
    counts = Counter(line for line in lines if not request_line.match(line))
    twice = [line for line, count in counts.items() if count > 1]
    assert not twice, f"printed more than once: {twice}\n{output}"
    alarming = [
        line
        for line in lines
        if re.search(r"\b(error|warning|traceback|exception|failed)\b", line, re.I)
    ]
    assert not alarming, f"reads like an error: {alarming}\n{output}"


def test_manage_py_without_the_development_setting_says_what_to_do(tmp_path):
    """A command run without DJANGO_DEBUG=1 or a key: one clear line, no traceback."""
    code, output = _run(
        ".venv/bin/python manage.py check",
        _fresh_clone(tmp_path),
        _newcomer_env(tmp_path),
        timeout=120,
    )

    assert code == 1
    assert "Traceback" not in output
    assert "DJANGO_SECRET_KEY" in output and "DJANGO_DEBUG=1" in output
