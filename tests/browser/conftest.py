"""Browser tests: Playwright drives Debian's chromium against a live Django server.

No browser is downloaded: `CHROMIUM_PATH` or `chromium` on PATH is used. Without one the tests skip
on a laptop, and fail under CI (`CI=true`), where a skipped browser suite would hide a broken site.
Screenshots of the pages the tests visit are saved under BROWSER_ARTIFACTS (default
var/test-artifacts/browser/) so a person can look at them after a run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(
    os.environ.get(
        "BROWSER_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "browser"
    )
)


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module.

    Playwright's sync API runs an event loop in this thread for as long as it is started, so Django
    refuses ORM calls from tests and fixtures (SynchronousOnlyOperation) although nothing here is
    async. DJANGO_ALLOW_ASYNC_UNSAFE is set only while a module's browser runs: it must not leak
    into other tests (the deploy check rightly fails when it is set).
    """
    executable = _chromium()
    if executable is None:
        message = "no chromium: apt-get install chromium, or set CHROMIUM_PATH"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """A fresh browser context per test, in New York time, with the live server as base URL."""
    settings.SITE_URL = live_server.url  # checkout and return URLs point at this server
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        timezone_id="America/New_York",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    # A Content-Security-Policy violation or a script error is a bug the user would see.
    assert errors == [], f"browser console errors: {errors}"


def snap(page: Any, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page: Any, email: str, password: str) -> None:
    menu = page.locator("header .menu > summary")
    if menu.is_visible():  # a phone: the header's links are behind its Menu button
        menu.click()
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
