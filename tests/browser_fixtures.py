"""Shared browser fixtures (one Chromium per test session; loaded by tests/conftest.py as a
plugin so every test module uses the same instance: two sync Playwright instances cannot run
at once). Playwright with Debian's Chromium, headless, against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django refuses ORM calls
there unless told it is safe (it is: the loop only drives the browser)."""

import html
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DUDAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# Without the background-networking flags Chromium keeps calling home, and a closed network
# (an intranet, CI) answers with a storm of refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/ (kept by CI for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


def _page(browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, locale="zh-CN", **options
    )
    context.set_default_timeout(15_000)
    # The page's JavaScript clock starts at the server's pinned time (tests/clock.py) and
    # runs on from there, so "now" on the phone and on the server agree.
    from django.utils import timezone

    context.clock.install(time=timezone.now())
    return context, context.new_page()


def _close(context, page):
    """Stop the page's scripts and timers (the visit form's autosave, chart requests) and let a
    request already sent finish on the live server before the test's database is flushed: on
    PostgreSQL a write still in flight during the flush's TRUNCATE deadlocks with it."""
    try:
        page.goto("about:blank")
        page.wait_for_timeout(500)
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a desktop-sized viewport (the office's PC)."""
    context, page = _page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield page
    _close(context, page)


def log_in(page, user, password=None):
    """Log `user` in through the login form (any previous session is dropped)."""
    from tests.conftest import PASSWORD

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def phone_page(browser, live_server):
    """A page in a phone-sized viewport (a cheap Android phone at the school gate)."""
    context, page = _page(
        browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield page
    _close(context, page)


def docx_text(path) -> str:
    """The text of a Word file's body (its runs joined), refusing anything else."""
    with zipfile.ZipFile(path) as archive:
        assert "word/document.xml" in archive.namelist()
        xml = archive.read("word/document.xml").decode("utf-8")
    return html.unescape("".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml)))
