"""The same live lesson through a real SFU: Janus (Debian's ``janus``, VideoRoom plugin).

A second Tongke server is started with ``TONGKE_JANUS_URL`` pointing at a Janus started for
the test. The master's page and two classrooms' pages publish to Janus and subscribe through
it; the server relays their offers, answers and candidates (browsers never talk to Janus's
API). Checked as in the peer-to-peer test: decoded video both ways, and a quiz's totals.
Skipped only when janus is not installed; CI installs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import partial

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import demo_server
from tests.browser.test_live import enter, has_frames, open_page, shoot, wait_for
from tongke.live.tests.janus_process import running_janus

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def janus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("janus") is None:
        pytest.skip("janus is not installed (apt-get install janus); CI installs it")
    with running_janus(tmp_path_factory.mktemp("janus"), api_secret="tongke-test") as url:
        yield url


@pytest.fixture(scope="module")
def sfu_server(tmp_path_factory: pytest.TempPathFactory, janus_server: str) -> Iterator[str]:
    """A Tongke server of its own (demo seeded) whose rooms use Janus."""
    env = {"TONGKE_JANUS_URL": janus_server, "TONGKE_JANUS_API_SECRET": "tongke-test"}
    with demo_server(tmp_path_factory.mktemp("tongke-sfu-home"), env) as url:
        yield url


def test_a_lesson_through_janus(
    media_browser: Browser, sfu_server: str, demo_password: str
) -> None:
    pages = []
    master_ctx, master, master_watch = open_page(media_browser, sfu_server, "t0001", demo_password)
    enter(master, "enter-room")
    pages.append((master_ctx, master, master_watch))
    rooms = []
    for tutor in ("t0043", "t0046"):
        ctx, page, watch = open_page(media_browser, sfu_server, tutor, demo_password)
        enter(page, "join-classroom")
        pages.append((ctx, page, watch))
        rooms.append(page)
    assert master.evaluate("tongkeLive.sfu()") is True

    for page in rooms:
        wait_for(partial(has_frames, page, "master"), "the master's video via Janus")
    wait_for(lambda: len(master.evaluate("tongkeLive.peers()")) == 2, "two subscriptions")
    for peer in master.evaluate("tongkeLive.peers()"):
        wait_for(partial(has_frames, master, peer), f"classroom {peer} via Janus")

    master.fill("[data-testid=quiz-prompt]", "光合作用在叶的哪里进行？")
    master.fill("[data-testid=quiz-choices]", "叶绿体\n叶柄")
    master.fill("[data-testid=quiz-correct]", "1")
    master.click("[data-testid=quiz-push]")
    for page in rooms:
        counts = page.locator("#live-quiz-choices input")
        counts.nth(0).fill("9")
        page.click("[data-testid=quiz-send]")
    expect(master.locator("[data-testid=quiz-totals]")).to_have_attribute("data-correct", "18")
    shoot(master, "janus-master")
    shoot(rooms[0], "janus-classroom")
    for ctx, page, watch in pages:
        watch.assert_clean(page)
        ctx.close()
