"""The lesson library end to end, in headless Chromium, against a server with a task worker.

t0001 (a Haidian teacher, Beijing) uploads a 10-second micro-lesson through the share form,
watches the processing progress reach ready and submits it; reviewer_bj approves it against
the checklist; s04000 (a Hebei student, another region) finds it by a Chinese word, opens
it, switches to low bandwidth and plays the 240p rendition. Screenshots at each step
(desktop; the student's pages also at 360 px), with a clean console, no CSP violation and no
request to another host.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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
from tongke.library.media.ffmpeg import make_test_video

pytestmark = pytest.mark.browser

TITLE = "一次函数的图像微课（跨区共享）"
LESSON = "19.2 一次函数"
PROCESSING_TIMEOUT_MS = 180_000


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Posters load lazily; a full-page picture wants them all.
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    with contextlib.suppress(PlaywrightTimeout):  # a playing video may keep it busy
        page.wait_for_load_state("networkidle", timeout=10_000)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"library-{name}-{width}.png"), full_page=True)


def test_a_teacher_shares_a_micro_lesson_a_reviewer_approves_and_another_region_plays_it(
    browser: Browser, tongke_server: str, demo_password: str, tmp_path: Path
) -> None:
    video = tmp_path / "一次函数的图像.mp4"
    make_test_video(video, seconds=10, width=320, height=240)

    # --- The teacher uploads and submits ---------------------------------------------------
    teacher_ctx = new_context(browser, tongke_server)
    teacher = teacher_ctx.new_page()
    teacher_watch = Watch(tongke_server)
    teacher_watch.attach(teacher)
    sign_in(teacher, "t0001", demo_password)
    teacher.goto("/library/new/")
    form = teacher.get_by_test_id("new-form")
    form.locator("select[name=kind]").select_option("micro")
    node = form.locator("select[name=node]").evaluate(
        "(s, label) => Array.from(s.options).find(o => o.text.startsWith(label + ' · ')).value",
        LESSON,
    )
    form.locator("select[name=node]").select_option(node)
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=description]").fill("用描点法画出一次函数的图像，观察k和b的作用。")
    form.locator("select[name=visibility]").select_option("all")
    form.locator("input[name=file]").set_input_files(str(video))
    shoot(teacher, "1-teacher-share-form")
    with teacher.expect_navigation():
        form.get_by_test_id("save").click()
    assert teacher.url.endswith("/edit/"), teacher.url
    expect(teacher.get_by_test_id("progress")).to_be_visible()
    shoot(teacher, "2-teacher-processing")
    # library.js polls the status and reloads the page when the file is ready.
    expect(teacher.get_by_test_id("submit")).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)
    assert teacher.locator("[data-testid=progress]").get_attribute("data-status") == "ready"
    expect(teacher.get_by_test_id("player")).to_be_visible()
    shoot(teacher, "3-teacher-ready")
    with teacher.expect_navigation():
        teacher.get_by_test_id("submit").click()
    expect(teacher.get_by_test_id("withdraw")).to_be_visible()
    expect(teacher.get_by_test_id("version-status")).to_have_attribute("data-status", "submitted")
    shoot(teacher, "4-teacher-submitted")
    teacher_watch.assert_clean(teacher)
    teacher_ctx.close()

    # --- The Beijing reviewer approves it against the checklist ----------------------------
    reviewer_ctx = new_context(browser, tongke_server)
    reviewer = reviewer_ctx.new_page()
    reviewer_watch = Watch(tongke_server)
    reviewer_watch.attach(reviewer)
    sign_in(reviewer, "reviewer_bj", demo_password)
    reviewer.goto("/library/review/")
    row = reviewer.get_by_test_id("queue-row").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    shoot(reviewer, "5-reviewer-queue")
    with reviewer.expect_navigation():
        row.get_by_role("link", name=TITLE).click()
    checklist = reviewer.get_by_test_id("checklist")
    boxes = checklist.locator("input[type=checkbox]")
    expect(boxes).to_have_count(4)
    for i in range(4):
        boxes.nth(i).check()
    shoot(reviewer, "6-reviewer-checklist")
    with reviewer.expect_navigation():
        reviewer.get_by_test_id("approve").click()
    assert reviewer.url.endswith("/library/review/"), reviewer.url
    expect(reviewer.locator(".messages li.success")).to_contain_text(TITLE)
    expect(reviewer.get_by_test_id("queue-row").filter(has_text=TITLE)).to_have_count(0)
    reviewer_watch.assert_clean(reviewer)
    reviewer_ctx.close()

    # --- A Hebei student finds it by a Chinese word and plays 240p -------------------------
    student_ctx = new_context(browser, tongke_server)
    student = student_ctx.new_page()
    student_watch = Watch(tongke_server)
    student_watch.attach(student)
    sign_in(student, "s04000", demo_password)
    student.goto("/library/")
    student.get_by_test_id("q").fill("函数")
    with student.expect_navigation():
        student.get_by_test_id("search").get_by_role("button").first.click()
    hit = student.get_by_test_id("result").filter(has_text=TITLE)
    expect(hit).to_have_count(1)
    shoot(student, "7-student-search")
    with student.expect_navigation():
        hit.get_by_test_id("result-title").click()
    expect(student.get_by_test_id("title")).to_have_text(TITLE)

    player = student.get_by_test_id("player")
    expect(player).to_be_visible()
    h264 = student.evaluate(
        "() => document.createElement('video').canPlayType('video/mp4; codecs=\"avc1.42E01E\"')"
    )
    with student.expect_response(lambda r: r.url.endswith("/240p")) as fetched:
        student.get_by_test_id("bw-low").check()
        player.evaluate("v => { v.muted = true; return v.play().catch(() => null); }")
    assert fetched.value.status in (200, 206)
    assert player.evaluate("v => v.currentSrc").endswith("/240p")
    if h264:
        # H.264 plays in this Chromium: it reaches playable data and moves on.
        student.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=player]');"
            " return v.readyState >= 2 && v.currentTime > 0; }",
            timeout=20_000,
        )
    else:
        # A Chromium without proprietary codecs: the rendition is still fetched, without
        # a media error being reported for a source the browser chose to play.
        student.wait_for_timeout(1000)
    assert player.evaluate("v => v.error === null || v.error.code === 4") is True
    # The choice is remembered (localStorage and a cookie for the server).
    assert student.evaluate("() => localStorage.getItem('tk_bw')") == "low"
    assert any(c["name"] == "tk_bw" and c["value"] == "low" for c in student_ctx.cookies())
    shoot(student, "8-student-plays-240p")
    student.reload()
    first = student.locator("[data-testid=player] source").first
    expect(first).to_have_attribute("data-label", "240p")
    expect(student.get_by_test_id("bw-low")).to_be_checked()
    student_watch.assert_clean(student)
    student_ctx.close()

    # --- The student's pages at phone width ------------------------------------------------
    phone_ctx = new_context(browser, tongke_server, viewport=PHONE)
    phone = phone_ctx.new_page()
    phone_watch = Watch(tongke_server)
    phone_watch.attach(phone)
    sign_in(phone, "s04000", demo_password)
    phone.goto("/library/?q=函数")
    expect(phone.get_by_test_id("result").filter(has_text=TITLE)).to_have_count(1)
    scroll, inner = no_horizontal_overflow(phone)
    assert scroll <= inner, f"search overflows at 360 px: {scroll} > {inner}"
    shoot(phone, "9-student-search")
    with phone.expect_navigation():
        phone.get_by_test_id("result").filter(has_text=TITLE).get_by_test_id("result-title").click()
    expect(phone.get_by_test_id("player")).to_be_visible()
    scroll, inner = no_horizontal_overflow(phone)
    assert scroll <= inner, f"resource page overflows at 360 px: {scroll} > {inner}"
    shoot(phone, "10-student-resource")
    phone_watch.assert_clean(phone)
    phone_ctx.close()
    print(f"H.264 playable in this Chromium: {h264!r}")


def _pages_for(page: Page, role: str) -> list[tuple[str, str]]:
    """(name, path) of the library pages a role uses, found through the JSON API."""
    if role == "anonymous":
        public = api_json(page, "/api/v1/library/resources?kind=micro&limit=1")["items"][0]
        return [
            ("home", "/library/"),
            ("catalogue", "/library/catalogue/"),
            ("lesson", f"/library/catalogue/{public['node_id']}/"),
            ("public-video", f"/library/r/{public['id']}/"),
        ]
    if role == "student":
        pdf = api_json(page, "/api/v1/library/resources?kind=courseware&limit=1")["items"][0]
        return [("courseware", f"/library/r/{pdf['id']}/"), ("search", "/library/?q=函数")]
    if role == "teacher":
        mine = api_json(page, "/api/v1/library/resources/mine?limit=1")["items"][0]
        return [
            ("mine", "/library/mine/"),
            ("share", "/library/new/"),
            ("edit", f"/library/r/{mine['id']}/edit/"),
            ("owner-view", f"/library/r/{mine['id']}/"),
        ]
    if role == "reviewer":
        queue = api_json(page, "/api/v1/library/review/queue?limit=1")["items"]
        pages = [("queue", "/library/review/")]
        if queue:
            pages.append(("review", f"/library/review/{queue[0]['version']['id']}/"))
        return pages
    # A resource of the admin's own region: the first one designated on the panel.
    page.goto("/library/designations/")
    own = page.locator("[data-testid=panel] a[href^='/library/r/']").first.get_attribute("href")
    assert own, "the demo designates resources in Beijing"
    return [("designations", "/library/designations/"), ("admin-view", own)]


@pytest.mark.parametrize(
    ("role", "username"),
    [
        ("anonymous", None),
        ("student", "s04000"),
        ("teacher", "t0001"),
        ("reviewer", "reviewer_bj"),
        ("region-admin", "bj_admin"),
    ],
)
def test_every_library_page_renders_for_its_roles_at_desktop_and_phone_width(
    browser: Browser, tongke_server: str, demo_password: str, role: str, username: str | None
) -> None:
    for viewport in (DESKTOP, PHONE):
        ctx = new_context(browser, tongke_server, viewport=viewport)
        page = ctx.new_page()
        watch = Watch(tongke_server)
        watch.attach(page)
        if username:
            sign_in(page, username, demo_password)
        else:
            page.goto("/library/")
        for name, path in _pages_for(page, role):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            expect(page.locator("main h1")).to_be_visible()
            scroll, inner = no_horizontal_overflow(page)
            assert scroll <= inner, f"{path} overflows at {inner} px: {scroll}"
            if name == "admin-view":
                expect(page.get_by_test_id("designate")).to_be_visible()
                expect(page.get_by_test_id("take-down")).to_be_visible()
            shoot(page, f"page-{role}-{name}")
            watch.collect_csp(page)
        watch.assert_clean(page)
        ctx.close()
