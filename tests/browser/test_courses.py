"""Course selection end to end, in headless Chromium, on the demo's open 海淀区 round.

s00001 (三年级（1）班 of 海淀实验小学) chooses two afternoon sections, sees the third one that
overlaps flagged before choosing, and a stale page that still offers it is refused by the
server with the reason. Then every course page is rendered for the roles that use it, at
1280 and 360 px, with screenshots, no horizontal overflow and a clean console.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    Watch,
    api_json,
    new_context,
    no_horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser

HD_ROUND = "2026秋季学期 海淀区跨校选修"


def card(page: Page, code: str) -> Any:
    return page.locator(f'[data-testid="section"][data-code="{code}"]')


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"courses-{name}-{width}.png"), full_page=True)


def test_a_student_chooses_two_sections_and_a_conflicting_third_is_refused(
    context: BrowserContext, page: Page, watch: Watch, tongke_server: str, demo_password: str
) -> None:
    sign_in(page, "s00001", demo_password)
    # A second tab opened now keeps the catalogue as it was before any choice.
    stale = context.new_page()
    stale_watch = Watch(tongke_server)
    stale_watch.attach(stale)

    page.goto("/courses/")
    stale.goto("/courses/")
    expect(page.get_by_test_id("round").first).to_contain_text(HD_ROUND)
    for code in ("HD-CALLI", "HD-CHOIR", "HD-DRAMA"):
        expect(card(page, code).get_by_test_id("choose")).to_have_count(1)
    # A full section offers the waitlist; one for older grades says why it cannot be chosen.
    expect(card(page, "HD-3DP").get_by_test_id("waitlist")).to_have_count(1)
    expect(card(page, "HD-AI").get_by_test_id("reason")).to_be_visible()
    shoot(page, "catalogue-before")

    # Choose 书法 (Tue 15:30) and 合唱 (Wed 15:30).
    for code, title in (("HD-CALLI", "书法"), ("HD-CHOIR", "合唱")):
        with page.expect_navigation():
            card(page, code).get_by_test_id("choose").click()
        expect(page.locator(".messages li.success")).to_contain_text(title)
        expect(card(page, code).get_by_test_id("held")).to_be_visible()

    # 英语戏剧 (Wed 16:00) overlaps 合唱: flagged with the reason before any attempt...
    drama = card(page, "HD-DRAMA")
    expect(drama.get_by_test_id("reason")).to_contain_text("合唱")
    expect(drama.get_by_test_id("choose")).to_have_count(0)
    expect(page.get_by_test_id("load")).to_contain_text("2")

    # ...and the stale tab, which still offers it, is refused by the server with the reason.
    with stale.expect_navigation() as nav:
        card(stale, "HD-DRAMA").get_by_test_id("choose").click()
    response = nav.value
    assert response is not None and response.status == 409
    refused = card(stale, "HD-DRAMA").get_by_test_id("refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("合唱")
    expect(stale.get_by_test_id("refusal")).to_contain_text("合唱")
    shoot(stale, "refused")

    # The API agrees: two picks, both enrolled, nothing for 英语戏剧.
    mine = api_json(page, "/api/v1/courses/selections")["items"]
    assert sorted((s["offering_code"], s["status"]) for s in mine) == [
        ("HD-CALLI", "enrolled"),
        ("HD-CHOIR", "enrolled"),
    ]

    # The week shows the class timetable and the two picks on their days.
    page.goto("/courses/")
    week = page.get_by_test_id("week")
    picks = week.locator('[data-kind="enrolled"]')
    expect(picks).to_have_count(2)
    expect(picks.nth(0)).to_contain_text("书法")
    expect(picks.nth(1)).to_contain_text("合唱")
    expect(week.locator('[data-kind="home"]').first).to_be_visible()
    shoot(page, "catalogue")

    page.goto("/courses/mine/")
    expect(page.locator('[data-testid="selection"]')).to_have_count(2)
    shoot(page, "mine")

    watch.assert_clean(page)
    stale_watch.assert_clean(stale, expect_status_errors=True)


def _course_pages(page: Page, role: str) -> list[tuple[str, str]]:
    if role == "student":
        return [("catalogue", "/courses/"), ("mine", "/courses/mine/")]
    if role == "teacher":
        return [("teacher", "/courses/"), ("teacher-home", "/courses/home/")]
    if role == "approving-school":
        return [("home-approvals", "/courses/home/")]
    rounds = api_json(page, "/api/v1/courses/rounds")["items"]
    rnd = next(r["id"] for r in rounds if r["name"] == HD_ROUND)
    sections = api_json(page, f"/api/v1/courses/offerings?round_id={rnd}&limit=50")["items"]
    calli = next(o["id"] for o in sections if o["code"] == "HD-CALLI")
    return [
        ("rounds", "/courses/rounds/"),
        ("round", f"/courses/rounds/{rnd}/"),
        ("live", f"/courses/rounds/{rnd}/live/"),
        ("roster", f"/courses/offerings/{calli}/roster/"),
        ("region-home", "/courses/home/"),
    ]


USERS = {
    "student": "s00001",
    "teacher": "t0001",
    "approving-school": "school_admin_02",
    "region-admin": "hd_admin",
}


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("role", list(USERS))
def test_course_pages_render_and_fit_the_screen(
    browser: Browser, tongke_server: str, demo_password: str, role: str, width: str
) -> None:
    viewport = DESKTOP if width == "desktop" else PHONE
    context = new_context(browser, tongke_server, viewport)
    try:
        page = context.new_page()
        watch = Watch(tongke_server)
        watch.attach(page)
        sign_in(page, USERS[role], demo_password)
        overflows = []
        for name, path in _course_pages(page, role):
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response}"
            expect(page.locator("header nav a[aria-current='page']")).to_have_text(
                re.compile("选课|Course selection")
            )
            shoot(page, name)
            scroll_width, inner_width = no_horizontal_overflow(page)
            if scroll_width > inner_width:
                overflows.append((path, scroll_width, inner_width))
            watch.collect_csp(page)
        assert overflows == [], f"horizontal overflow (page, scrollWidth, innerWidth): {overflows}"
        watch.assert_clean(page)
    finally:
        context.close()
