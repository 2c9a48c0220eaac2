"""Adaptive practice end to end, in headless Chromium, against the demo (its junior-math
knowledge graph and question bank).

s00001 signs in, opens "practise now" and answers questions through the form, as a person
would, reading nothing from any key: the first option, a "0", the first of each match. After
each answer the result shows right or wrong, the solution, the mastery moving (the before and
after numbers differ) and recommendations each with its reason. The test goes on until it has
seen a wrong and a right answer (or a handful of questions), then does the same on a 360 px
phone. Screenshots at each step, a clean console, no CSP violation, no request to another host.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import (
    PHONE,
    SCREENSHOTS,
    Watch,
    new_context,
    no_horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser

MAX_QUESTIONS = 10


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=10_000)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"learning-{name}-{width}.png"), full_page=True)


def answer_served_question(page: Page, attempt: int) -> str:
    """Fill the practice form without knowing the key; returns the question's kind."""
    form = page.get_by_test_id("practice-form")
    expect(form).to_be_visible()
    kind = form.get_attribute("data-kind") or ""
    options = form.get_by_test_id("option")
    if kind in ("single", "true_false", "multiple"):
        options.nth(attempt % options.count()).check()
    elif kind == "numeric":
        form.get_by_test_id("value").fill(str(attempt))
    elif kind in ("fill_in", "short_answer"):
        form.get_by_test_id("text").fill("x = 1")
    elif kind == "matching":
        selects = form.get_by_test_id("pair")
        for i in range(selects.count()):
            selects.nth(i).select_option(index=1)
    else:
        raise AssertionError(f"unexpected kind {kind!r}")
    with page.expect_navigation():
        form.get_by_test_id("submit-answer").click()
    return kind


def check_result(page: Page) -> tuple[str, list[tuple[float, float]]]:
    """The verdict and the (before, after) mastery of each point of the answered question."""
    result = page.get_by_test_id("result")
    expect(result).to_be_visible()
    expect(page.get_by_test_id("solution")).to_be_visible()
    verdict = result.get_attribute("data-correct") or ""
    changes = page.get_by_test_id("change")
    expect(changes.first).to_be_visible()
    moves = []
    for i in range(changes.count()):
        change = changes.nth(i)
        before = float(change.get_attribute("data-before") or "nan")
        after = float(change.get_attribute("data-after") or "nan")
        # What the page shows is the same pair of numbers, "0.30 → 0.17".
        expect(change).to_contain_text(re.compile(rf"{before:.2f}\s*→\s*{after:.2f}"))
        moves.append((before, after))
    reasons = page.get_by_test_id("reason")
    expect(reasons.first).to_be_visible()
    assert (reasons.first.text_content() or "").strip(), "a recommendation without a reason"
    return verdict, moves


def test_a_student_practises_sees_the_mastery_move_and_a_reasoned_recommendation(
    browser: Browser, tongke_server: str, demo_password: str
) -> None:
    context = new_context(browser, tongke_server)
    page = context.new_page()
    watch = Watch(tongke_server)
    watch.attach(page)
    sign_in(page, "s00001", demo_password)

    page.goto("/learning/")
    expect(page.get_by_test_id("student-home")).to_be_visible()
    expect(page.locator("nav.nav a[aria-current=page]")).to_have_attribute("href", "/learning/")
    shoot(page, "1-student-home")
    with page.expect_navigation():
        page.get_by_test_id("practise-now").click()
    expect(page.get_by_test_id("practice-form")).to_be_visible()
    # Before the answer: no key, no solution on the page.
    expect(page.get_by_test_id("solution")).to_have_count(0)
    assert page.locator(".lrn-key").count() == 0
    shoot(page, "2-practice-question")

    # Answer until a wrong and a right answer were seen. A first answer on a point always
    # moves its mastery away from the prior; after that, wrong answers in a row may leave it
    # at the model's floor (the same two decimals), and a right one lifts it.
    seen: dict[str, int] = {}
    moved = []
    for n in range(MAX_QUESTIONS):
        kind = answer_served_question(page, n)
        verdict, moves = check_result(page)
        moved += [(before, after) for before, after in moves if before != after]
        if verdict not in seen:
            seen[verdict] = n
            label = {"true": "right", "false": "wrong"}.get(verdict, verdict)
            shoot(page, f"3-result-{label}-{kind}")
        if verdict == "false":
            assert all(after <= before for before, after in moves), moves
        elif verdict == "true":
            assert all(after > before for before, after in moves), moves
        if "true" in seen and "false" in seen:
            break
        with page.expect_navigation():
            page.get_by_test_id("next").click()
    assert "false" in seen, f"no wrong answer in {MAX_QUESTIONS} questions: {seen}"
    assert moved, "the mastery never moved"

    # The diagnosis page shows what moved, with the reasons.
    page.goto("/learning/")
    expect(page.get_by_test_id("recommendation").first).to_be_visible()
    assert int(page.get_by_test_id("summary").locator("dd").nth(3).inner_text()) >= 2
    shoot(page, "4-student-home-after")
    page.goto("/learning/graph/math/")
    expect(page.get_by_test_id("graph").locator("svg")).to_be_visible()
    shoot(page, "5-graph")
    watch.assert_clean(page)
    context.close()

    # --- The same on a 360 px phone --------------------------------------------------------
    phone_ctx = new_context(browser, tongke_server, PHONE)
    phone = phone_ctx.new_page()
    phone_watch = Watch(tongke_server)
    phone_watch.attach(phone)
    sign_in(phone, "s00001", demo_password)
    phone.goto("/learning/")
    shoot(phone, "1-student-home")
    scroll, width = no_horizontal_overflow(phone)
    assert scroll <= width, f"home overflows: {scroll} > {width}"
    phone.goto("/learning/practice/")
    expect(phone.get_by_test_id("practice-form")).to_be_visible()
    shoot(phone, "2-practice-question")
    scroll, width = no_horizontal_overflow(phone)
    assert scroll <= width, f"practice overflows: {scroll} > {width}"
    answer_served_question(phone, 1)
    check_result(phone)
    shoot(phone, "3-result")
    scroll, width = no_horizontal_overflow(phone)
    assert scroll <= width, f"the result overflows: {scroll} > {width}"
    with phone.expect_navigation():
        phone.get_by_test_id("learning-tabs").locator("a[href^='/learning/learners/']").click()
    expect(phone.get_by_test_id("mastery")).to_be_visible()
    shoot(phone, "4-diagnosis")
    scroll, width = no_horizontal_overflow(phone)
    assert scroll <= width, f"the diagnosis overflows: {scroll} > {width}"
    phone_watch.assert_clean(phone)
    phone_ctx.close()
