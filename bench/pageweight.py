"""Page weight: bytes and requests of each main page's first load, for each demo role.

Usage:
    uv run python bench/pageweight.py                  # starts a demo server on 8100-8199
    uv run python bench/pageweight.py --base-url http://127.0.0.1:8000

Each page is opened in a fresh browser context (empty HTTP cache, signed-in cookies copied
from a sign-in made through the real login form), and every response of that first load is
counted, until the network is idle. "bytes" is what went over the wire: response headers
plus the encoded body, as Chromium reports them (``request.sizes()``). Media (audio, video)
would be left out of the budget; Tongke's pages have none.

The budget is 100 KB per page before media. The API docs (/api/v1/docs: Swagger UI, served
by django-ninja from its own static files) are measured and printed on their own line, as
they are a developer tool and not one of Tongke's pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, StorageState, sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUDGET_KB = 100
DEMO_PASSWORD = "tongke-demo-2026"  # noqa: S105 (public: tongke.demo.seed.DEMO_PASSWORD)
ROLES: list[tuple[str, str | None]] = [
    ("anonymous", None),
    ("parent", "p00001"),
    ("student", "s00001"),
    ("teacher", "t0001"),
    ("school_admin", "school_admin_01"),
    ("region_admin", "bj_admin"),
]
DOCS = "/api/v1/docs"
MEDIA_TYPES = {"media", "image"}  # video, audio, posters and previews: weighed as media, not page


@dataclass
class Row:
    page: str
    path: str
    role: str
    status: int
    requests: int
    bytes: int
    body_bytes: int

    @property
    def kb(self) -> float:
        return self.bytes / 1024


# --- The server ------------------------------------------------------------------------------


def _free_port() -> int:
    ports = list(range(8100, 8200))
    random.shuffle(ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("pageweight: no free port in 8100-8199")


@contextmanager
def demo_server() -> Iterator[str]:
    """``tongke demo --no-serve`` into a fresh data home, then ``tongke serve``."""
    with tempfile.TemporaryDirectory(prefix="tongke-pageweight-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TONGKE_")}
        env |= {"TONGKE_HOME": tmp, "DJANGO_SETTINGS_MODULE": "config.base"}
        cli = [sys.executable, "-m", "tongke.cli"]
        subprocess.run(
            [*cli, "demo", "--no-serve"], cwd=REPO, env=env, check=True, capture_output=True
        )
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*cli, "serve", "--port", str(port)],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"pageweight: server exited:\n{log.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if time.monotonic() > deadline:
                        raise SystemExit("pageweight: server did not come up") from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- Measuring -------------------------------------------------------------------------------


def sign_in(browser: Browser, base_url: str, username: str | None) -> StorageState | None:
    """Sign in through the login form; return the context's storage state (its cookies)."""
    if username is None:
        return None
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        if "/accounts/login/" in page.url:
            raise SystemExit(f"pageweight: could not sign in as {username}")
        return context.storage_state()
    finally:
        context.close()


def pages_for(page: Page, role: str) -> list[tuple[str, str]]:
    """(name, path) of the main pages this role can open, found through the API."""

    def get(path: str) -> Any:
        response = page.request.get(path)
        return response.json() if response.ok else None

    regions = get("/api/v1/regions?limit=200")["items"]
    bj = next(r["id"] for r in regions if r["code"] == "BJ")
    hd = next(r["id"] for r in regions if r["code"] == "BJ-HD")
    school = get(f"/api/v1/schools?region_id={hd}&limit=1")["items"][0]["id"]
    pages = [("home", "/"), ("org browser", "/orgs/"), ("region", f"/orgs/units/{bj}/")]
    pages.append(("school", f"/orgs/units/{school}/"))
    if role == "anonymous":
        pages.insert(0, ("login", "/accounts/login/"))
    else:
        classes = get("/api/v1/classes?limit=1")
        if classes and classes["items"]:
            pages.append(("class", f"/orgs/units/{classes['items'][0]['id']}/"))
        if role.endswith("admin"):
            pages.append(("audit log", "/orgs/audit/"))
        pages.append(("courses", "/courses/"))
        pages.append(("learning", "/learning/"))
        pages.append(("live calendar", "/live/"))
        lessons = get("/api/v1/live/calendar") or []
        taught = [e for e in lessons if e["part"] == "master" and e["session"]["status"] != "ended"]
        if taught:
            # The master's room: HTML, CSS and live.js (the camera is refused here: no devices).
            pages.append(("live room", taught[0]["session"]["room_url"]))
    pages.append(("library", "/library/"))
    pages.append(("library search", "/library/?q=%E5%87%BD%E6%95%B0"))
    found = get("/api/v1/library/resources?kind=micro&limit=1")
    if found and found["items"]:
        # The lesson page, media excluded (video, posters and previews are MEDIA_TYPES).
        pages.append(("lesson page", f"/library/r/{found['items'][0]['id']}/"))
    pages.append(("catalogue", "/library/catalogue/"))
    pages.append(("API docs", DOCS))
    return pages


def first_load(
    browser: Browser, base_url: str, state: StorageState | None, path: str
) -> tuple[int, int, int, int]:
    """(status, requests, transferred bytes, body bytes) of one load with an empty cache."""
    context = browser.new_context(base_url=base_url, locale="zh-CN", storage_state=state)
    try:
        page = context.new_page()
        finished: list[Any] = []
        page.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        total = body = count = 0
        for request in finished:
            if request.resource_type in MEDIA_TYPES:
                continue
            sizes = request.sizes()
            total += max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
            r = request.response()
            body += len(r.body()) if r is not None and r.status < 300 else 0
            count += 1
        return (response.status if response else 0), count, total, body
    finally:
        context.close()


def measure(base_url: str) -> tuple[list[Row], str]:
    rows: list[Row] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("TONGKE_CHROMIUM", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        try:
            for role, username in ROLES:
                state = sign_in(browser, base_url, username)
                probe = browser.new_context(base_url=base_url, storage_state=state)
                try:
                    pages = pages_for(probe.new_page(), role)
                finally:
                    probe.close()
                for name, path in pages:
                    status, count, total, body = first_load(browser, base_url, state, path)
                    rows.append(Row(name, path, role, status, count, total, body))
            version = browser.version
        finally:
            browser.close()
    return rows, version


# --- Report ----------------------------------------------------------------------------------


def report(rows: list[Row], base_url: str, chromium: str) -> int:
    from importlib.metadata import version

    print("pageweight: first load with an empty cache, per page and role")
    print(
        f"machine: cpus={os.cpu_count()} python={platform.python_version()} "
        f"platform={platform.platform()} chromium={chromium} "
        f"playwright={version('playwright')}"
    )
    print(f"date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}  server: {base_url}")
    print()
    header = (
        f"{'page':<12} {'role':<13} {'status':>6} {'requests':>8} "
        f"{'bytes':>9} {'body':>9} {'KB':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        flag = "  > budget" if r.kb > BUDGET_KB else ""
        print(
            f"{r.page:<12} {r.role:<13} {r.status:>6} {r.requests:>8} {r.bytes:>9} "
            f"{r.body_bytes:>9} {r.kb:>8.1f}{flag}"
        )
    site = [r for r in rows if r.path != DOCS]
    docs = [r for r in rows if r.path == DOCS]
    print()
    print(f"budget: {BUDGET_KB} KB per page before media (bytes = headers + encoded body;")
    print("body = decoded response bodies; KB = bytes / 1024)")
    bad = [r for r in site if r.status != 200]
    if bad:
        print(f"pages that did not answer 200: {[(r.page, r.role, r.status) for r in bad]}")
    if docs:
        worst = max(docs, key=lambda r: r.bytes)
        print(
            f"pageweight-docs: {DOCS} (Swagger UI from django-ninja, not counted below) "
            f"max_kb={worst.kb:.0f} requests={worst.requests} "
            f"over_100kb={sum(r.kb > BUDGET_KB for r in docs)} of {len(docs)}"
        )
    over = sum(r.kb > BUDGET_KB for r in site)
    print(f"pageweight: max_kb={max(r.kb for r in site):.0f} pages={len(site)} over_100kb={over}")
    return 1 if over or bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="measure a running server instead of starting one")
    args = parser.parse_args()
    if args.base_url:
        base_url = args.base_url.rstrip("/")
        rows, chromium = measure(base_url)
    else:
        with demo_server() as base_url:
            rows, chromium = measure(base_url)
    sys.exit(report(rows, base_url, chromium))


if __name__ == "__main__":
    main()
