"""A dual-teacher live lesson end to end: real WebRTC between Chromium pages on fake cameras.

The demo seeds "这是谁的叶（双师课堂）", starting ten minutes after seeding: t0001 (海淀实验小学)
teaches, and the big screens of 永宁学校 (t0043) and 千家店镇中心小学 (t0046) receive it.
Each page runs in its own browser context (own cookies) of a Chromium started with fake media
devices. The test checks what a person would see: the master's video decoded in every
classroom (``getStats().framesDecoded``), the classrooms' videos on the master's tiles, a quiz
pushed and answered with the per-classroom totals on the master's page, a question, a
classroom on a weak link switching to audio plus slides, a dropped socket reconnecting on its
own, the master's recording handed to the library, and a tutor of an unrelated school refused.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import partial

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import (
    PHONE,
    SCREENSHOTS,
    Watch,
    new_context,
    no_horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser

TITLE = "这是谁的叶（双师课堂）"
TIANJIN_TUTOR = "t0087"  # the tutor of 下营镇中心小学 (TJ-JZ-S19), an unrelated school
PARENT = "p01006"  # a parent of s01107, in 千家店镇中心小学 四年级（1）班, a receiving class
PUPIL = "s01107"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"live-{name}-{width}.png"), full_page=True)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def open_page(
    browser: Browser, url: str, user: str, password: str
) -> tuple[BrowserContext, Page, Watch]:
    ctx = new_context(browser, url)
    ctx.grant_permissions(["camera", "microphone"])
    page = ctx.new_page()
    watch = Watch(url)
    watch.attach(page)
    sign_in(page, user, password)
    return ctx, page, watch


def enter(page: Page, testid: str) -> None:
    """From the live calendar, open the demo lesson's room as this person."""
    page.goto("/live/")
    entry = page.locator("[data-testid=live-entry]", has_text=TITLE).first
    expect(entry).to_be_visible()
    entry.locator(f"[data-testid={testid}]").click()
    expect(page.locator("[data-testid=live-room]")).to_be_visible()


def frames(page: Page, peer: str) -> int:
    return int(page.evaluate("(p) => tongkeLive.framesDecoded(p)", peer))


def has_frames(page: Page, peer: str) -> bool:
    return frames(page, peer) > 0


def test_a_master_teaches_two_classrooms_live(
    media_browser: Browser, tongke_server: str, demo_password: str
) -> None:
    master_ctx, master, master_watch = open_page(
        media_browser, tongke_server, "t0001", demo_password
    )
    enter(master, "enter-room")
    expect(master.locator("[data-testid=room-status]")).to_have_attribute("data-state", "connected")

    rooms: list[tuple[BrowserContext, Page, Watch]] = []
    for tutor in ("t0043", "t0046"):
        ctx, page, watch = open_page(media_browser, tongke_server, tutor, demo_password)
        enter(page, "join-classroom")
        rooms.append((ctx, page, watch))

    # Every classroom decodes the master's video; the master decodes every classroom's.
    for _ctx, page, _w in rooms:
        wait_for(partial(has_frames, page, "master"), "the master's video in a classroom")
    peers = master.evaluate("tongkeLive.peers()")
    assert len(peers) == 2
    for peer in peers:
        wait_for(partial(has_frames, master, peer), f"classroom {peer} on the master's tile")
    expect(master.locator("[data-testid=tile]")).to_have_count(3)  # the third room is offline

    # A pupil of the second receiving class opens the room on a phone to answer.
    phone_ctx = new_context(media_browser, tongke_server, viewport=PHONE)
    phone = phone_ctx.new_page()
    phone_watch = Watch(tongke_server)
    phone_watch.attach(phone)
    sign_in(phone, PUPIL, demo_password)
    enter(phone, "answer-phone")
    expect(phone.locator("[data-testid=room-status]")).to_have_attribute("data-state", "connected")

    # The master pushes a question typed on the spot; each tutor enters the room's counts.
    master.fill("[data-testid=quiz-prompt]", "叶脉的主要作用是？")
    master.fill("[data-testid=quiz-choices]", "输送水分和养料\n让叶子变绿\n吸引昆虫")
    master.fill("[data-testid=quiz-correct]", "1")
    master.click("[data-testid=quiz-push]")
    for k, (_ctx, page, _w) in enumerate(rooms):
        expect(page.locator("[data-testid=quiz-prompt-shown]")).to_have_text("叶脉的主要作用是？")
        counts = page.locator("#live-quiz-choices input")
        counts.nth(0).fill(str(12 + k))
        counts.nth(1).fill("3")
        page.click("[data-testid=quiz-send]")
        expect(page.locator("[data-testid=quiz-note]")).not_to_be_empty()
    phone.locator("#live-quiz-choices button").first.click()  # A, the right one
    expect(phone.locator("[data-testid=quiz-note]")).not_to_be_empty()
    totals = master.locator("[data-testid=quiz-totals]")
    expect(totals).to_have_attribute("data-answered", str(15 + 16 + 1))
    expect(totals).to_have_attribute("data-correct", str(12 + 13 + 1))
    expect(master.locator("[data-testid=totals-row]")).to_have_count(3)
    master.click("[data-testid=quiz-close]")
    for _ctx, page, _w in rooms:
        expect(page.locator("#live-quiz-choices li.right")).to_have_count(1)
    expect(phone.locator("#live-quiz-choices li.right")).to_have_count(1)
    scroll, width = no_horizontal_overflow(phone)
    assert scroll <= width
    shoot(phone, "pupil-phone")
    phone_watch.assert_clean(phone)
    phone_ctx.close()

    # A classroom asks; the master sees it with the classroom's name.
    first = rooms[0][1]
    first.fill("[data-testid=say-text]", "松树的针叶也算叶子吗？")
    first.click("[data-testid=ask]")
    expect(master.locator("[data-testid=messages]")).to_contain_text("松树的针叶也算叶子吗？")
    expect(master.locator("[data-testid=messages]")).to_contain_text("永宁学校")
    first.fill("[data-testid=headcount]", "18")
    first.press("[data-testid=headcount]", "Tab")
    expect(master.locator("[data-testid=tile]").first).to_contain_text("18")

    # The master brings the first classroom's audio in: the second classroom receives it.
    before = int(rooms[1][1].evaluate("tongkeLive.floorBytes()"))
    master.locator("[data-testid=tile]").first.locator(".live-tile-floor").click()
    expect(master.locator("[data-testid=tile].floor")).to_have_count(1)
    wait_for(
        lambda: int(rooms[1][1].evaluate("tongkeLive.floorBytes()")) > before + 2000,
        "the brought-in classroom's audio in another classroom",
        timeout=20,
    )
    master.locator("[data-testid=tile]").first.locator(".live-tile-floor").click()
    expect(master.locator("[data-testid=tile].floor")).to_have_count(0)

    # The second classroom's link is weak: it switches to audio plus slides.
    second = rooms[1][1]
    second.click("[data-testid=mode-toggle]")
    expect(master.locator("[data-testid=tile][data-mode=audio]")).to_have_count(1)
    wait_for(
        lambda: (second.get_attribute("[data-testid=slide]", "src") or "").startswith(
            "data:image/jpeg"
        ),
        "a slide from the master",
        timeout=20,
    )
    expect(second.locator("[data-testid=master-video]")).to_be_hidden()

    # The first classroom's socket drops; it reconnects by itself, the master offers again and
    # video flows both ways on the new connection.
    first.evaluate("tongkeLive.socket().close()")
    wait_for(
        lambda: (
            first.evaluate("tongkeLive.socket().readyState") == 1
            and len(master.evaluate("tongkeLive.peers()")) == 2
            and all(frames(master, p) > 0 for p in master.evaluate("tongkeLive.peers()"))
            and frames(first, "master") > 0
        ),
        "video both ways after reconnecting",
    )

    # The master records a few seconds and hands the recording to the library.
    master.click("[data-testid=record]")
    time.sleep(9)
    master.click("[data-testid=record]")
    state = master.locator("[data-testid=record-state]")
    expect(state).to_have_attribute("data-resource", re.compile(r"^\d+$"), timeout=60_000)
    shoot(master, "master")
    shoot(first, "classroom")
    shoot(second, "classroom-audio")
    resource = state.get_attribute("data-resource")

    # The master ends the lesson: every room is told, and the attendance is on the lesson page.
    master.click("[data-testid=end-lesson]")
    for _ctx, page, _w in rooms:
        expect(page.locator("[data-testid=room-status]")).to_have_attribute("data-state", "ended")
    master.goto(master.url.replace("room/", ""))
    rows = master.locator("[data-testid=attendance-row]")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("18")
    shoot(master, "attendance")
    master.goto(f"/library/r/{resource}/")
    expect(master.locator("main")).to_contain_text("这是谁的叶")

    for ctx, page, watch in [(master_ctx, master, master_watch), *rooms]:
        watch.assert_clean(page)
        ctx.close()


def test_an_unrelated_tutor_is_refused_and_a_parent_sees_the_schedule(
    browser: Browser, tongke_server: str, demo_password: str
) -> None:
    # A Tianjin tutor forging the room address of a Beijing classroom gets the not-found page
    ctx = new_context(browser, tongke_server)
    page = ctx.new_page()
    sign_in(page, "t0001", demo_password)
    page.goto("/live/")
    session_url = (
        page.locator("[data-testid=live-entry]", has_text=TITLE).first.locator("a").first
    ).get_attribute("href")
    assert session_url
    href = session_url + "room/"
    assert href
    ctx.close()
    outsider_ctx = new_context(browser, tongke_server)
    outsider = outsider_ctx.new_page()
    sign_in(outsider, TIANJIN_TUTOR, demo_password)
    response = outsider.goto(href + "?classroom=1")
    assert response is not None and response.status == 404
    response = outsider.goto(href)
    assert response is not None and response.status == 404
    outsider_ctx.close()

    # A parent of a receiving class sees the lesson on the live calendar (on a phone)
    parent_ctx = new_context(browser, tongke_server, viewport=PHONE)
    parent = parent_ctx.new_page()
    sign_in(parent, PARENT, demo_password)
    parent.goto("/live/")
    expect(parent.locator("[data-testid=live-entry]", has_text=TITLE).first).to_be_visible()
    scroll, width = no_horizontal_overflow(parent)
    assert scroll <= width
    shoot(parent, "parent-calendar")
    parent_ctx.close()
