"""End to end, in headless Chromium: what each demo role sees, and what it may not see.

Every test signs in through the real login form of a real server (see conftest.py), checks
the page against the JSON API read in the same browser context, and ends by asserting that
the browser logged no console error, hit no CSP violation and asked no other origin for
anything.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

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

CJK = re.compile(r"[\u4e00-\u9fff]")


def _region_id(page: Page, code: str) -> int:
    regions = api_json(page, "/api/v1/regions?limit=200")["items"]
    return next(r["id"] for r in regions if r["code"] == code)


def _html_lang(page: Page) -> str:
    return page.evaluate("document.documentElement.lang")


# --- Parent --------------------------------------------------------------------------------


def test_parent_sees_exactly_their_children(page: Page, watch: Watch, demo_password: str) -> None:
    sign_in(page, "p00001", demo_password)
    expect(page).to_have_url(re.compile(r"/$"))

    me = api_json(page, "/api/v1/me")
    assert me["username"] == "p00001"
    expect(page.get_by_test_id("whoami")).to_have_text(me["full_name"])
    child_ids = sorted(r["subject_id"] for r in me["roles"] if r["role"] == "parent")
    assert child_ids, "p00001 is the demo parent of s00001"
    children = [api_json(page, f"/api/v1/people/{cid}") for cid in child_ids]
    assert "s00001" in {c["username"] for c in children}

    section = page.get_by_test_id("children")
    expect(section).to_be_visible()
    shown = sorted(section.get_by_test_id("child-name").all_inner_texts())
    assert shown == sorted(c["full_name"] for c in children)
    # Each child's class is named under their name.
    for child in children:
        class_names = [r["unit_name"] for r in child["roles"] if r["role"] == "student"]
        assert class_names
        for name in class_names:
            expect(section).to_contain_text(name)
    # A parent is not shown the teacher's or admin's sections.
    expect(page.get_by_test_id("teacher-classes")).to_have_count(0)
    expect(page.get_by_test_id("admin-card")).to_have_count(0)
    watch.assert_clean(page)


def test_parent_cannot_open_another_childs_class_or_record(
    browser: Browser, page: Page, watch: Watch, tongke_server: str, demo_password: str
) -> None:
    # An administrator of Beijing names a class and a student that are not p00001's.
    admin_ctx = new_context(browser, tongke_server)
    try:
        admin = admin_ctx.new_page()
        sign_in(admin, "bj_admin", demo_password)
        child = api_json(admin, "/api/v1/people?q=s00001")["items"][0]
        child_detail = api_json(admin, f"/api/v1/people/{child['id']}")
        own_class = next(r["unit_id"] for r in child_detail["roles"] if r["role"] == "student")
        classes = api_json(admin, "/api/v1/classes?limit=50")["items"]
        other_class = next(c["id"] for c in classes if c["id"] != own_class)
        others = api_json(admin, f"/api/v1/classes/{other_class}/students?limit=5")["items"]
        other_student = others[0]["id"]
    finally:
        admin_ctx.close()

    sign_in(page, "p00001", demo_password)

    # What is theirs opens...
    response = page.goto(f"/orgs/units/{own_class}/")
    assert response is not None and response.status == 200
    expect(page.get_by_test_id("students")).to_contain_text(child["full_name"])
    assert api_json(page, f"/api/v1/people/{child['id']}")["id"] == child["id"]

    # ...another class is "not found", the same answer as for a class that does not exist.
    response = page.goto(f"/orgs/units/{other_class}/")
    assert response is not None and response.status == 404
    expect(page.locator("main h1")).to_have_text("404")
    expect(page.get_by_test_id("students")).to_have_count(0)
    missing = page.goto("/orgs/units/999999/")
    assert missing is not None and missing.status == 404

    # ...and so is another child's record, in the API, as JSON.
    response = page.goto(f"/api/v1/people/{other_student}")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["code"].endswith("not_found")
    assert set(body) == {"code", "message", "detail"}
    api_json(page, f"/api/v1/people/{other_student}", status=404)
    api_json(page, f"/api/v1/classes/{other_class}/students", status=404)

    watch.assert_clean(page, expect_status_errors=True)


# --- Teacher -------------------------------------------------------------------------------


def test_teacher_sees_their_classes_and_students(
    page: Page, watch: Watch, demo_password: str
) -> None:
    sign_in(page, "t0001", demo_password)
    me = api_json(page, "/api/v1/me")
    class_roles = [r for r in me["roles"] if r["role"] == "teacher" and r["unit_kind"] == "class"]
    assert class_roles

    section = page.get_by_test_id("teacher-classes")
    expect(section).to_be_visible()
    blocks = section.locator("details")
    expect(blocks).to_have_count(len(class_roles))
    shown: dict[str, set[str]] = {}
    for i in range(blocks.count()):
        block = blocks.nth(i)
        summary = block.locator("summary").inner_text()
        names = {(li.text_content() or "").split()[0] for li in block.locator("li").all() if li}
        shown[summary] = names
    for role in class_roles:
        students = api_json(page, f"/api/v1/classes/{role['unit_id']}/students?limit=200")
        expected = {s["full_name"] for s in students["items"]}
        assert expected, f"class {role['unit_name']} has students"
        matching = [names for summary, names in shown.items() if role["unit_name"] in summary]
        assert matching == [expected], f"{role['unit_name']}: {shown}"
        assert any(str(students["count"]) in summary for summary in shown)
    expect(page.get_by_test_id("children")).to_have_count(0)
    expect(page.get_by_test_id("school-matrix")).to_have_count(0)
    watch.assert_clean(page)


# --- Regional admin ------------------------------------------------------------------------


def test_region_admin_sees_school_matrix_matching_api(
    page: Page, watch: Watch, demo_password: str
) -> None:
    sign_in(page, "bj_admin", demo_password)
    bj = _region_id(page, "BJ")
    counts = api_json(page, f"/api/v1/schools/counts?region_id={bj}")
    assert counts["total"] > 0

    expect(page.get_by_test_id("school-total")).to_have_text(str(counts["total"]))
    matrix = page.get_by_test_id("school-matrix")
    expect(matrix).to_be_visible()
    rows: list[list[int]] = [
        [int(cell) for cell in row.locator("td.num").all_inner_texts()]
        for row in matrix.locator("tbody tr").all()
    ]
    assert rows, "the matrix has a row per school type"
    for row in rows:
        assert sum(row[:-1]) == row[-1], f"row total is the sum of its cells: {row}"
    assert sum(row[-1] for row in rows) == counts["total"]
    assert sorted(r[-1] for r in rows if r[-1]) == sorted(
        n for n in counts["by_type"].values() if n
    )
    columns = [sum(col) for col in zip(*(r[:-1] for r in rows), strict=True)]
    assert sorted(c for c in columns if c) == sorted(n for n in counts["by_location"].values() if n)
    # The admin's nav offers the audit log.
    expect(page.locator("header nav a[href='/orgs/audit/']")).to_have_count(1)
    watch.assert_clean(page)


def test_nav_marks_one_current_page(page: Page, watch: Watch, demo_password: str) -> None:
    sign_in(page, "bj_admin", demo_password)
    for path in ("/", "/orgs/", "/orgs/audit/"):
        page.goto(path)
        current = page.locator("header nav a[aria-current=page]")
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("href", path)
    watch.assert_clean(page)


# --- Language, sign-in errors --------------------------------------------------------------


def test_language_switch_to_english_and_back(page: Page, watch: Watch, demo_password: str) -> None:
    sign_in(page, "p00001", demo_password)
    assert _html_lang(page) == "zh-hans"
    switch = page.locator("header form.lang button")
    expect(switch).to_have_text("English")

    with page.expect_navigation():
        switch.click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert _html_lang(page) == "en"
    expect(page.locator("header form.lang button")).to_have_text("中文")
    expect(page.locator("header .who")).to_contain_text("Sign out")
    expect(page.get_by_test_id("children").locator("h2")).to_have_text("My children")
    expect(page.locator("main h1")).to_contain_text("Hello")
    # Org names follow the language too.
    expect(page.get_by_test_id("children")).to_contain_text("Haidian Experimental Primary School")

    with page.expect_navigation():
        page.locator("header form.lang button").click()
    assert _html_lang(page) == "zh-hans"
    expect(page.locator("header form.lang button")).to_have_text("English")
    expect(page.get_by_test_id("children")).to_contain_text("海淀实验小学")
    watch.assert_clean(page)


def test_chinese_interface_is_translated(page: Page, watch: Watch, demo_password: str) -> None:
    page.goto("/accounts/login/")
    assert _html_lang(page) == "zh-hans"
    for selector in ("main h1", "main form button[type=submit]", "header .who a", "footer"):
        text = page.locator(selector).first.inner_text()
        assert CJK.search(text), f"{selector} is not in Chinese: {text!r}"
    sign_in(page, "p00001", demo_password)
    for selector in ("header .who button.link >> nth=0", "[data-testid=children] h2"):
        text = page.locator(selector).inner_text()
        assert CJK.search(text), f"{selector} is not in Chinese: {text!r}"
    watch.assert_clean(page)


def test_failed_sign_in_shows_an_error(page: Page, watch: Watch) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "p00002")
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation() as nav:
        page.click("main form button[type=submit]")
    response = nav.value
    assert response is not None and response.status == 200
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    error = page.locator("main .errorlist[role=alert]")
    expect(error).to_be_visible()
    assert error.inner_text().strip()
    # The username is kept, the password is not echoed back.
    expect(page.locator("input[name=username]")).to_have_value("p00002")
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    assert api_json(page, "/api/v1/me", status=401)["code"] == "auth.required"
    watch.assert_clean(page)


# --- Screenshots and the phone layout ------------------------------------------------------

# role -> (username or None for anonymous, pages to visit as (name, path or resolver)).
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "parent": "p00001",
    "student": "s00001",
    "teacher": "t0001",
    "school-admin": "school_admin_01",
    "region-admin": "bj_admin",
}


def _pages_for(role: str, page: Page) -> list[tuple[str, str]]:
    bj = _region_id(page, "BJ")
    hd = _region_id(page, "BJ-HD")
    school = api_json(page, f"/api/v1/schools?region_id={hd}&limit=1")["items"][0]["id"]
    pages = [
        ("home", "/"),
        ("org-browser", "/orgs/"),
        ("region-beijing", f"/orgs/units/{bj}/"),
        ("region-haidian", f"/orgs/units/{hd}/"),
        ("school", f"/orgs/units/{school}/"),
    ]
    if role == "anonymous":
        pages.insert(0, ("login", "/accounts/login/"))
    else:
        me = api_json(page, "/api/v1/me")
        class_id = next((r["unit_id"] for r in me["roles"] if r["unit_kind"] == "class"), None)
        if class_id is None:
            for child in (r["subject_id"] for r in me["roles"] if r["role"] == "parent"):
                roles = api_json(page, f"/api/v1/people/{child}")["roles"]
                class_id = next(r["unit_id"] for r in roles if r["unit_kind"] == "class")
                break
        if class_id is not None:
            pages.append(("class", f"/orgs/units/{class_id}/"))
    if role.endswith("admin"):
        pages.append(("audit-log", "/orgs/audit/"))
    return pages


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("role", list(ROLES))
def test_pages_render_and_fit_the_screen(
    browser: Browser, tongke_server: str, demo_password: str, role: str, width: str
) -> None:
    """Each role's main pages: screenshots, no horizontal overflow at 360px, clean console."""
    viewport = DESKTOP if width == "desktop" else PHONE
    context = new_context(browser, tongke_server, viewport)
    try:
        page = context.new_page()
        watch = Watch(tongke_server)
        watch.attach(page)
        username = ROLES[role]
        if username:
            sign_in(page, username, demo_password)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        overflows: list[Any] = []
        for name, path in _pages_for(role, page):
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response}"
            page.screenshot(
                path=str(SCREENSHOTS / f"{viewport['width']}px-{role}-{name}.png"), full_page=True
            )
            scroll_width, inner_width = no_horizontal_overflow(page)
            if scroll_width > inner_width:
                overflows.append((path, scroll_width, inner_width))
            watch.collect_csp(page)
        assert overflows == [], f"horizontal overflow (page, scrollWidth, innerWidth): {overflows}"
        watch.assert_clean(page)
    finally:
        context.close()
