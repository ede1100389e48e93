"""Browser fixtures: one real server and one headless Chromium per session, a fresh page per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helper import Server, build_index, launch


@pytest.fixture(scope="session")
def browser_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed letters indexed as `make run` does it (`kamerzoek index seeds/`), paths relative."""
    folder = tmp_path_factory.mktemp("browser-index")
    build_index(folder)
    return folder


@pytest.fixture(scope="session")
def server(browser_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(browser_index, tmp_path_factory.mktemp("serve") / "serve.log")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = launch(playwright)
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def context(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1200, "height": 900},
                                  locale="nl-NL")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page that fails the test on any console error (a CSP violation is one)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # a test that opens a 404 on purpose takes its message out
    yield page
    page.close()
    assert errors == [], errors
