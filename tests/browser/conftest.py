"""Playwright fixtures driving Debian's Chromium against pytest-django's live server.

One browser per session; every test gets fresh browser contexts. A page fails its test
when it opens a JavaScript dialog, logs a console error (CSP violations and failed
loads show up there), throws an uncaught exception, or requests anything that is not
the live server: the README promises no external request from any page.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, launched once per test module.

    Playwright's sync API runs an asyncio event loop in the test thread, and Django's ORM
    refuses to run "inside" it unless told that this is deliberate. The permission is given
    only while the browser (and so the loop) is alive: browser tests only.
    """
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def _plain_http_at_startup():
    """Start the live server's middleware with plain HTTP allowed.

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the session-scoped live server
    builds its handler, before tests/conftest.py's per-test override applies.
    """
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_at_startup, live_server):
    return live_server


class PageGuard:
    """Records what a reader should never meet: dialogs, console errors, outside requests."""

    def __init__(self):
        self.dialogs = []
        self.console_errors = []
        self.page_errors = []
        self.foreign_requests = []
        self.error_documents = set()

    def watch(self, page):
        def on_dialog(dialog):
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message):
            if message.type != "error":
                return
            # A page answered with 4xx on purpose (a form sent back with errors, a 404 page)
            # logs "Failed to load resource" for the document itself; that is not a broken page.
            # (Compared without the fragment: the comment form posts to ...#respond.)
            location = (message.location or {}).get("url", "").split("#")[0]
            if (
                location in self.error_documents
                and "Failed to load resource" in message.text
            ):
                return
            self.console_errors.append(f"{page.url}: {message.text}")

        def on_response(response):
            if response.request.resource_type == "document" and response.status >= 400:
                self.error_documents.add(response.url)

        def on_request(request):
            if not _is_local(request.url):
                self.foreign_requests.append(f"{page.url} -> {request.url}")

        page.on("dialog", on_dialog)
        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", on_request)

    def problems(self):
        found = []
        for label, items in (
            ("JavaScript dialogs opened", self.dialogs),
            ("console errors", self.console_errors),
            ("uncaught page errors", self.page_errors),
            ("requests to other hosts", self.foreign_requests),
        ):
            if items:
                found.append(f"{label}:\n  " + "\n  ".join(items))
        return found


def _is_local(url):
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob"}:
        return True
    return parts.scheme in {"http", "https"} and parts.hostname in LOCAL_HOSTS


@pytest.fixture
def new_page(chromium, live_server, transactional_db):
    """Factory: ``new_page(color_scheme="dark", width=375)`` opens a watched page in a fresh context."""
    guard = PageGuard()
    contexts = []

    def make(color_scheme="light", width=1280, height=900):
        context = chromium.new_context(
            base_url=live_server.url,
            color_scheme=color_scheme,
            viewport={"width": width, "height": height},
        )
        contexts.append(context)
        page = context.new_page()
        guard.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    problems = guard.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    """A watched page in a new light-scheme context, 1280×900 until ``set_viewport`` says otherwise."""
    return new_page()


def set_viewport(page, width, height=900):
    page.set_viewport_size({"width": width, "height": height})


def screenshot(page, name):
    """Save a full-page PNG under test-artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
