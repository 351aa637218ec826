"""A real browser on a real `cascade serve`: Debian's chromium driven by Playwright.

The browser tests skip, saying why, where /usr/bin/chromium is not installed (`.ci/run`
installs it). They run on SQLite only: the console's server side runs on both databases in
tests/console, and the live stream across processes on PostgreSQL in
tests/e2e/test_console_live.py. The live pages' net re-read is an hour away, so a page that
changes live was fed by the committed events. Every page's console errors fail the test
(`Browser.errors`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, create_engine

from cascade.storage.migrate import upgrade
from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.gate import Gate, new_gate
from tests.waiting import HTTP_TIMEOUT_S

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console-screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium): no browser tests",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Server:
    url: str
    database_url: str
    gate: Gate

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=HTTP_TIMEOUT_S, headers=headers)

    def sql(self, job: Callable[[Connection], Any]) -> Any:
        engine = create_engine(self.database_url)
        try:
            with engine.begin() as connection:
                return job(connection)
        finally:
            engine.dispose()


def _server(tmp: Path, *extra: str, environment: dict[str, str] | None = None) -> Iterator[Server]:
    database_url = fresh_database_url("sqlite", tmp)
    upgrade(database_url)
    gate = new_gate(tmp / "gate")
    port = free_port()
    env = {
        "CASCADE_SIMULATOR_GATE": gate.setting,
        "CASCADE_WORKERS": "1",
        # The live pages' net re-read an hour away: what a page shows live came from events.
        "CASCADE_CONSOLE_LIVE_NET_S": "3600",
        **(environment or {}),
    }
    with running_server(database_url, port, "--demo", *extra, environment=env, log=tmp / "log"):
        yield Server(f"http://127.0.0.1:{port}", database_url, gate)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Authentication off (loopback), controllers on, the simulated network behind a gate."""
    yield from _server(tmp_path_factory.mktemp("open"))


@pytest.fixture(scope="module")
def failing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Every activation of the simulated network fails, at its first and only attempt."""
    failing = {"CASCADE_SIMULATOR_FAILURE_RATE": "1", "CASCADE_ACTIVATION_ATTEMPTS": "1"}
    yield from _server(tmp_path_factory.mktemp("failing"), environment=failing)


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """API keys required, each looked up on every request (a revoked key is refused at once)."""
    keyed = {"CASCADE_AUTH": "apikey", "CASCADE_API_KEY_CACHE_S": "0"}
    yield from _server(tmp_path_factory.mktemp("keyed"), environment=keyed)


@dataclass
class Browser:
    """A page of a fresh browser context, and the console errors it logged."""

    page: Any
    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # errors a test provokes on purpose

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in self.expected)]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium: Any) -> Iterator[Browser]:
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    found = Browser(page)
    page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: found.errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation, answered yes
    yield found
    context.close()
    assert found.unexpected() == [], "the browser console logged errors"
