"""Fixtures for the browser tests: a real Tongke server with the demo region, and Chromium.

The server runs in its own process on its own data home (``tongke demo --no-serve`` then
``tongke serve``), exactly as a person would start it, so these tests never touch
pytest-django's test database. Run them with ``uv run pytest -m browser tests/browser``.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("TONGKE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PORTS = range(8100, 8200)
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 360, "height": 740}

# Messages Chromium logs for a response with an error status. A test that opens a page it
# expects to be refused (404) passes ``expect_status_errors=True`` to ``assert_clean``.
STATUS_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")

# Collects Content-Security-Policy violations from the page itself (an init script runs
# outside the page's CSP, so it is not refused by it).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _free_port() -> int:
    ports = list(PORTS)
    random.shuffle(ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8199")


def _server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGKE_")}
    env["TONGKE_HOME"] = str(home)
    env["DJANGO_SETTINGS_MODULE"] = "config.base"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tongke serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"tongke serve did not answer /healthz in {timeout}s:\n{log.read_text()}")


@contextlib.contextmanager
def demo_server(home: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Seed the demo into ``home`` and serve it (with a task worker) as a person would;
    yields the base URL and stops the server afterwards."""
    env = _server_env(home) | (extra_env or {})
    subprocess.run(
        [sys.executable, "-m", "tongke.cli", "demo", "--no-serve"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = home / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tongke.cli", "serve", "--port", str(port), "--with-worker"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker it starts goes too
        )
    try:
        _wait_healthy(url, proc, log, timeout=60)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything of the group still left


@pytest.fixture(scope="session")
def tongke_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a Tongke server seeded with the demo region."""
    with demo_server(tmp_path_factory.mktemp("tongke-home")) as url:
        yield url


@pytest.fixture(scope="session")
def demo_password() -> str:
    from tongke.demo.seed import DEMO_PASSWORD

    return DEMO_PASSWORD


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# Live classes: Chromium's fake camera and microphone, allowed without asking.
MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def media_browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, CSP violations, requests."""

    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on(
            "console",
            lambda m: (
                self.console_errors.append(f"{m.text} @ {m.location.get('url', '')}")
                if m.type in ("error", "assert")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def collect_csp(self, page: Page) -> None:
        """Read the page's own CSP violation list (call before navigating away)."""
        self.csp += page.evaluate("window.__cspViolations || []")

    def assert_clean(self, page: Page | None = None, *, expect_status_errors: bool = False) -> None:
        if page is not None:
            self.collect_csp(page)
        console = [
            m for m in self.console_errors if not (expect_status_errors and STATUS_ERROR.match(m))
        ]
        assert console == [], f"console errors: {console}"
        assert self.page_errors == [], f"uncaught page errors: {self.page_errors}"
        refused = [m for m in console if "Content Security Policy" in m]
        assert refused == [] and self.csp == [], f"CSP violations: {self.csp + refused}"
        origin = self.base_url + "/"
        foreign = [
            u
            for u in self.requests
            if not (u.startswith(origin) or u.startswith(("data:", "blob:")))
        ]
        assert foreign == [], f"requests to another origin: {foreign}"
        assert self.requests, "no requests were recorded"


def new_context(
    browser: Browser, base_url: str, viewport: ViewportSize = DESKTOP
) -> BrowserContext:
    """A fresh browser context (own cookies), in Chinese like most of Tongke's users."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport=viewport, service_workers="block"
    )
    context.add_init_script(CSP_LISTENER)
    return context


@pytest.fixture
def context(browser: Browser, tongke_server: str) -> Iterator[BrowserContext]:
    ctx = new_context(browser, tongke_server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def watch(page: Page, tongke_server: str) -> Watch:
    w = Watch(tongke_server)
    w.attach(page)
    return w


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def api_json(page: Page, path: str, status: int = 200) -> Any:
    """GET an API path with the page's cookies (same browser context) and return its JSON."""
    response = page.request.get(path)
    assert response.status == status, f"{path}: {response.status} {response.text()[:300]}"
    return response.json()


def no_horizontal_overflow(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
