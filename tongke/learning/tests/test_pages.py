"""The learning pages through the Django test client, as the demo's people: a student
practises (no key before the answer; the solution, the mastery change and a reason after
it), who may open whose diagnosis, the assign form and the homework limit, a late answer to a
timed test, the heatmap for the teacher only, the server-drawn graph without inline styles,
the question bank for staff, and bad input answered by a readable 4xx page.

The pages use their own small graph (subject ``t-pages``), so they do not depend on the demo
knowledge graph.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongke.learning import bank, diagnosis, graph, practice
from tongke.learning.interchange import Choice, Item, NumericAnswer
from tongke.learning.models import Attempt, Response
from tongke.orgs.enums import Role
from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

SUBJECT = "t-pages"
EXPLANATION = "同号两数相加，取相同的符号，并把绝对值相加。"
CLASS_CODE = "BJ-HD-S01-G03-C1"


def text_of(response: Any) -> str:
    return response.content.decode()


def found(pattern: str, html: str) -> re.Match[str]:
    match = re.search(pattern, html, re.S)
    assert match is not None, f"{pattern!r} is not on the page"
    return match


@pytest.fixture
def small_graph(user_named: Any) -> dict[str, Any]:
    """有理数加法 -> 一元一次方程, with single-choice, numeric and short-answer items."""
    admin = user_named("admin")
    teacher = user_named("t0001")
    adding = graph.point_create(
        actor=admin, subject=SUBJECT, code="tp-add", name="有理数加法", grade_level=7
    )
    linear = graph.point_create(
        actor=admin, subject=SUBJECT, code="tp-linear", name="一元一次方程", grade_level=7
    )
    graph.prerequisite_add(actor=admin, before=adding, after=linear)
    choices = []
    for k in range(4):
        choices.append(
            bank.item_create(
                actor=teacher,
                item=Item(
                    kind="single",
                    stem=f"计算 (-{k + 2}) + (-3) = ?",
                    choices=[
                        Choice("a", f"{k + 5}"),
                        Choice("b", f"-{k + 5}", correct=True, weight=1.0),
                        Choice("c", f"{k - 1}"),
                    ],
                    explanation=EXPLANATION,
                ),
                subject=SUBJECT,
                point_codes=["tp-add"],
            )
        )
    numeric = [
        bank.item_create(
            actor=teacher,
            item=Item(
                kind="numeric",
                stem=f"解方程 {k + 2}x = {2 * (k + 2)}，x = ?",
                numeric_answers=[NumericAnswer(2.0)],
                explanation="两边同除以系数。",
            ),
            subject=SUBJECT,
            point_codes=["tp-linear"],
        )
        for k in range(4)
    ]
    essay = bank.item_create(
        actor=teacher,
        item=Item(kind="short_answer", stem="说明解一元一次方程的步骤。"),
        subject=SUBJECT,
        point_codes=["tp-linear"],
    )
    return {"add": adding, "linear": linear, "choices": choices, "numeric": numeric, "essay": essay}


def klass() -> OrgUnit:
    return OrgUnit.objects.get(code=CLASS_CODE)


def practise_once(client: Any, point_id: int, choice: str) -> tuple[Any, Any]:
    """Open practice on one point, answer the served choice item; (question page, result)."""
    page = client.get(f"/learning/practice/?subject={SUBJECT}&point={point_id}")
    assert page.status_code == 200
    item_id = int(found(r'name="item" value="(\d+)"', text_of(page)).group(1))
    answered = client.post(
        "/learning/practice/",
        {"item": item_id, "subject": SUBJECT, "point": point_id, "choice": choice},
    )
    assert answered.status_code == 302, text_of(answered)[:500]
    return page, client.get(answered["Location"])


# --- Practice ---------------------------------------------------------------------------------


def test_the_practice_page_shows_a_question_without_its_key(small_graph, client_for):
    client = client_for("s00001")
    page = client.get(f"/learning/practice/?subject={SUBJECT}&point={small_graph['add'].pk}")
    html = text_of(page)
    assert page.status_code == 200
    assert 'data-testid="practice-form"' in html and "计算 (-" in html
    # Three options, none marked: no key, no explanation, no feedback before the answer.
    assert len(re.findall(r'type="radio" name="choice"', html)) == 3
    assert EXPLANATION not in html
    assert "lrn-key" not in html and "correct" not in html.lower().replace("data-correct", "")
    assert 'data-testid="solution"' not in html


def test_answering_shows_the_solution_the_mastery_change_and_a_reason(small_graph, client_for):
    client = client_for("s00001")
    _page, result = practise_once(client, small_graph["add"].pk, "a")  # a wrong answer
    html = text_of(result)
    assert result.status_code == 200
    assert 'data-correct="false"' in html
    assert EXPLANATION in html and "lrn-key" in html  # the key, only now
    change = re.search(
        r'data-testid="change" data-point="\d+" data-before="([\d.]+)" '
        r'data-after="([\d.]+)"',
        html,
    )
    assert change is not None and change.group(1) != change.group(2)
    reasons = re.findall(r'data-testid="reason">([^<]+)<', html)
    assert reasons and "有理数加法" in reasons[0]
    assert 'href="/learning/practice/?subject=t-pages&amp;point=' in html  # next question
    # Then a right answer moves it up.
    _page, again = practise_once(client, small_graph["add"].pk, "b")
    up = found(r'data-before="([\d.]+)" data-after="([\d.]+)"', text_of(again))
    assert 'data-correct="true"' in text_of(again)
    assert float(up.group(2)) > float(up.group(1))


def test_a_refreshed_result_does_not_answer_twice(small_graph, client_for, user_named):
    client = client_for("s00001")
    _page, result = practise_once(client, small_graph["add"].pk, "b")
    url = result.request["PATH_INFO"]
    assert client.get(url).status_code == 200
    assert Response.objects.filter(student=user_named("s00001")).count() == 1


def test_bad_practice_input_gets_a_readable_4xx(small_graph, client_for):
    client = client_for("s00001")
    point = small_graph["add"].pk
    page = client.get(f"/learning/practice/?subject={SUBJECT}&point={point}")
    item_id = int(found(r'name="item" value="(\d+)"', text_of(page)).group(1))
    empty = client.post("/learning/practice/", {"item": item_id, "subject": SUBJECT})
    assert empty.status_code == 400 and 'data-code="learning.bad_answer"' in text_of(empty)
    assert 'data-testid="practice-form"' in text_of(empty)  # the same question again
    assert EXPLANATION not in text_of(empty)
    unknown = client.post("/learning/practice/", {"item": item_id, "choice": "zz"})
    assert unknown.status_code == 400
    assert client.post("/learning/practice/", {"item": "abc"}).status_code == 400
    assert client.post("/learning/practice/", {"item": 99999999, "choice": "a"}).status_code == 404
    other = small_graph["choices"][3] if small_graph["choices"][3].pk != item_id else None
    if other is not None:
        unserved = client.post("/learning/practice/", {"item": other.pk, "choice": "a"})
        assert unserved.status_code == 409
    assert client.get("/learning/practice/?point=x1").status_code == 400
    assert client.get("/learning/practice/?subject=<b>").status_code == 400
    assert client.get(f"/learning/practice/?subject={SUBJECT}&point=99999999").status_code == 404


def test_someone_elses_practice_result_is_not_found(small_graph, client_for):
    _page, result = practise_once(client_for("s00001"), small_graph["add"].pk, "b")
    url = result.request["PATH_INFO"]
    assert client_for("s00002").get(url).status_code == 404
    assert client_for("s04000").get(url).status_code == 404


# --- Diagnosis pages -----------------------------------------------------------------------


def test_a_student_cannot_open_another_students_page(small_graph, client_for, user_named):
    other = user_named("s00002")
    assert client_for("s00001").get(f"/learning/learners/{other.pk}/").status_code == 404
    me = user_named("s00001")
    assert client_for("s04000").get(f"/learning/learners/{me.pk}/").status_code == 404
    assert client_for("s00001").get(f"/learning/learners/{me.pk}/").status_code == 200


def test_a_parent_sees_their_childs_diagnosis_with_reasons_about_the_child(
    small_graph, client_for, user_named
):
    child = user_named("s00001")
    practise_once(client_for("s00001"), small_graph["add"].pk, "a")
    page = client_for("p00001").get(f"/learning/learners/{child.pk}/?subject={SUBJECT}")
    html = text_of(page)
    assert page.status_code == 200
    assert child.full_name in html and "有理数加法" in html
    reasons = re.findall(r'data-testid="reason">([^<]+)<', html)
    assert reasons and all(child.full_name in r or "'" not in r for r in reasons)
    assert any(child.full_name in r for r in reasons)
    assert 'data-testid="recent"' in html
    home = client_for("p00001").get(f"/learning/?subject={SUBJECT}")
    assert home.status_code == 200 and 'data-testid="child"' in text_of(home)
    # Not another parent's child.
    assert client_for("p00002").get(f"/learning/learners/{child.pk}/").status_code == 404


@pytest.mark.parametrize(
    "username", ["s00001", "p00001", "t0001", "school_admin_01", "admin", "learner01"]
)
def test_the_learning_home_answers_every_role(small_graph, client_for, username):
    page = client_for(username).get(f"/learning/?subject={SUBJECT}")
    assert page.status_code == 200
    assert 'href="/learning/"' in text_of(page)  # the nav entry


def test_the_home_page_needs_a_sign_in(client_for):
    assert client_for(None).get("/learning/").status_code == 302


# --- Assignments ----------------------------------------------------------------------------


def assign_form(items: list[Any], **extra: Any) -> dict[str, Any]:
    now = timezone.localtime()
    data = {
        "action": "assign",
        "subject": SUBJECT,
        "klass": klass().pk,
        "title": "今日作业",
        "kind": "homework",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).replace(hour=20, minute=0).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": "",
        "point": "",
        "items": [i.pk for i in items],
    }
    data.update(extra)
    return data


def test_the_assign_form_refuses_homework_over_the_daily_limit(small_graph, client_for, user_named):
    practice.homework_limit_set(
        actor=user_named("school_admin_01"), klass=klass(), minutes_per_day=5
    )
    teacher = client_for("t0001")
    page = teacher.get(f"/learning/assign/?subject={SUBJECT}&point={small_graph['add'].pk}")
    html = text_of(page)
    assert page.status_code == 200
    assert 'data-testid="limit">5<' in html and 'data-testid="pick"' in html
    over = teacher.post("/learning/assign/", assign_form(small_graph["choices"][:3]))
    html = text_of(over)
    assert over.status_code == 400
    assert 'data-code="learning.homework_limit"' in html
    assert "6" in found(r'data-testid="refusal"[^>]*>(.*?)</div>', html).group(1)
    assert 'data-testid="planned">6<' in html and "lrn-over" in html
    # Two questions (4 minutes) fit.
    done = teacher.post("/learning/assign/", assign_form(small_graph["choices"][:2]))
    assert done.status_code == 302
    assignment = client_for("t0001").get(done["Location"])
    assert assignment.status_code == 200 and 'data-testid="teacher-view"' in text_of(assignment)


def test_the_assign_form_keeps_the_picks_while_browsing(small_graph, client_for):
    teacher = client_for("t0001")
    data = assign_form(small_graph["choices"][:1], action="browse", title="")
    data["point"] = small_graph["linear"].pk
    page = teacher.post("/learning/assign/", data)
    html = text_of(page)
    assert page.status_code == 200
    chosen = html.split('data-testid="chosen"')[1].split("</ul>")[0]
    assert f'value="{small_graph["choices"][0].pk}" checked' in chosen
    assert "解方程" in html.split('data-testid="shown"')[1]
    assert "errorlist" not in html  # no complaints while only browsing


def test_only_teachers_of_a_class_assign(small_graph, client_for):
    assert client_for("s00001").get("/learning/assign/").status_code == 403
    assert client_for("p00001").get("/learning/assign/").status_code == 403
    teacher = client_for("t0001")
    assert teacher.get("/learning/assign/?class=abc").status_code == 400
    elsewhere = OrgUnit.objects.filter(kind="class").exclude(path__startswith=klass().path[:12])
    other = teacher.post(
        "/learning/assign/", assign_form(small_graph["choices"][:1], klass=elsewhere.first().pk)
    )
    assert other.status_code == 400  # not one of the teacher's classes: the form refuses it


def make_test(small_graph: dict[str, Any], teacher: Any, minutes: int = 10) -> Any:
    now = timezone.now()
    return practice.assignment_create(
        actor=teacher,
        klass=klass(),
        title="单元小测",
        kind="test",
        items=[*small_graph["numeric"][:2], small_graph["essay"]],
        opens_at=now - timedelta(minutes=1),
        due_at=now + timedelta(days=1),
        time_limit_minutes=minutes,
    )


def test_a_student_does_a_timed_test_and_a_late_answer_is_refused(
    small_graph, client_for, user_named
):
    test = make_test(small_graph, user_named("t0001"))
    student = client_for("s00001")
    url = f"/learning/assignments/{test.pk}/"
    before = text_of(student.get(url))
    assert 'data-state="ready"' in before and "解方程" not in before
    assert student.post(f"{url}start/").status_code == 302
    working = text_of(student.get(url))
    assert 'data-testid="clock"' in working and 'data-state="working"' in working
    assert "两边同除以系数" not in working
    first = small_graph["numeric"][0]
    ok = student.post(f"{url}answer/", {"item": first.pk, "value": "2"})
    assert ok.status_code == 302
    saved = text_of(student.get(url))
    # A test's key waits until the test is over for everyone.
    assert 'data-testid="saved"' in saved and "两边同除以系数" not in saved
    again = student.post(f"{url}answer/", {"item": first.pk, "value": "2"})
    assert again.status_code == 409
    Attempt.objects.filter(assignment=test).update(
        deadline_at=timezone.now() - timedelta(seconds=1)
    )
    late = student.post(f"{url}answer/", {"item": small_graph["numeric"][1].pk, "value": "2"})
    html = text_of(late)
    assert late.status_code == 409
    assert 'data-code="learning.too_late"' in html and 'data-testid="time-up"' in html
    assert 'data-state="time_up"' in html and 'data-testid="item-form"' not in html
    assert student.post(f"{url}submit/").status_code == 302
    assert 'data-state="handed_in"' in text_of(student.get(url))


def test_the_teacher_grades_a_short_answer(small_graph, client_for, user_named):
    now = timezone.now()
    work = practice.assignment_create(
        actor=user_named("t0001"),
        klass=klass(),
        title="作业",
        kind="practice",
        items=[small_graph["essay"], small_graph["numeric"][0]],
        opens_at=now - timedelta(minutes=1),
        due_at=now + timedelta(days=1),
    )
    student = client_for("s00001")
    url = f"/learning/assignments/{work.pk}/"
    student.post(f"{url}start/")
    assert student.post(f"{url}answer/", {"item": small_graph["essay"].pk}).status_code == 400
    student.post(
        f"{url}answer/", {"item": small_graph["essay"].pk, "text": "移项，合并，系数化为1"}
    )
    student.post(f"{url}answer/", {"item": small_graph["numeric"][0].pk, "value": "３"})
    html = text_of(student.get(url))
    assert "两边同除以系数" in html  # practice: the solution right after the answer
    teacher = client_for("t0001")
    page = text_of(teacher.get(url))
    assert 'data-testid="grade-row"' in page and "移项，合并" in page
    response = Response.objects.get(item=small_graph["essay"])
    assert student.post(
        f"/learning/responses/{response.pk}/grade/", {"score": "1"}
    ).status_code in (
        403,
        404,
    )
    assert (
        teacher.post(f"/learning/responses/{response.pk}/grade/", {"score": "7"}).status_code == 400
    )
    done = teacher.post(f"/learning/responses/{response.pk}/grade/", {"score": "0.5"})
    assert done.status_code == 302
    response.refresh_from_db()
    assert response.score == 0.5 and response.graded_by == user_named("t0001")
    # Another class's student sees nothing of it.
    assert client_for("s04000").get(url).status_code == 404


# --- Heatmap, graph, bank ---------------------------------------------------------------------


def test_the_heatmap_is_for_the_teacher_only(small_graph, client_for):
    practise_once(client_for("s00001"), small_graph["add"].pk, "a")
    # Half the class has answered a question on each point (the weakest need a third).
    students = list(get_user_model().objects.filter(roles__unit=klass(), roles__role=Role.STUDENT))
    for n, student in enumerate(students[: len(students) // 2 + 1]):
        diagnosis.observe(student=student, item=small_graph["choices"][0], correct=n % 3 == 0)
        diagnosis.observe(student=student, item=small_graph["numeric"][0], correct=n % 2 == 0)
    url = f"/learning/classes/{klass().pk}/heatmap/?subject={SUBJECT}"
    page = client_for("t0001").get(url)
    html = text_of(page)
    assert page.status_code == 200
    assert 'data-testid="heat-row"' in html and "有理数加法" in html
    assert 'data-testid="weak-point"' in html
    assert "style=" not in html
    for username in ("s00001", "p00001", "s04000"):
        assert client_for(username).get(url).status_code in (403, 404), username


def test_the_graph_page_draws_the_svg_without_inline_styles(small_graph, client_for, user_named):
    practise_once(client_for("s00001"), small_graph["add"].pk, "b")
    page = client_for("s00001").get(f"/learning/graph/{SUBJECT}/")
    html = text_of(page)
    assert page.status_code == 200
    assert "<svg" in html and "有理数加法" in html and "一元一次方程" in html
    assert "style=" not in html and "<style" not in html and "<script>" not in html
    assert f"/learning/practice/?subject={SUBJECT}&amp;point=" in html  # a point to practise
    child = user_named("s00001")
    assert (
        client_for("p00001").get(f"/learning/graph/{SUBJECT}/?learner={child.pk}").status_code
        == 200
    )
    assert (
        client_for("s04000").get(f"/learning/graph/{SUBJECT}/?learner={child.pk}").status_code
        == 404
    )
    teacher_view = client_for("t0001").get(f"/learning/graph/{SUBJECT}/?class={klass().pk}")
    assert teacher_view.status_code == 200 and "style=" not in text_of(teacher_view)
    assert (
        client_for("s00001").get(f"/learning/graph/{SUBJECT}/?class={klass().pk}").status_code
        == 403
    )
    assert client_for("s00001").get("/learning/graph/no-such-subject/").status_code == 404
    assert client_for("s00001").get(f"/learning/graph/{SUBJECT}/?learner=x").status_code == 400


def test_the_bank_is_for_staff_and_reports_what_it_could_not_import(small_graph, client_for):
    assert client_for("s00001").get("/learning/bank/").status_code == 403
    assert client_for("p00001").get("/learning/bank/").status_code == 403
    teacher = client_for("t0001")
    page = teacher.get(f"/learning/bank/?subject={SUBJECT}&point={small_graph['add'].pk}")
    html = text_of(page)
    assert page.status_code == 200 and 'data-testid="item-row"' in html
    assert "<strong>B</strong>" in html  # staff see the key
    gift = (
        "// [tag:kp:tp-add]\n::q1:: (-1) + (-1) = ? {=-2 ~2 ~0}\n\n"
        "// [tag:kp:no-such-point]\n::q2:: 1 + 1 = ? {=2 ~3}\n"
    )
    upload = SimpleUploadedFile("items.gift", gift.encode(), content_type="text/plain")
    report = teacher.post(
        "/learning/bank/import/", {"file": upload, "subject": SUBJECT, "fmt": "gift"}
    )
    html = text_of(report)
    assert report.status_code == 200, html[:800]
    assert 'data-testid="import-report"' in html and "no-such-point" in html
    assert "learning.unknown_points" in html
    junk = SimpleUploadedFile("items.xml", b"<quiz><question", content_type="text/xml")
    refused = teacher.post("/learning/bank/import/", {"file": junk, "subject": SUBJECT})
    assert refused.status_code == 400 and 'data-testid="refusal"' in text_of(refused)
    assert teacher.post("/learning/bank/import/", {"subject": SUBJECT}).status_code == 400
    student = client_for("s00001")
    upload = SimpleUploadedFile("items.gift", gift.encode(), content_type="text/plain")
    assert (
        student.post("/learning/bank/import/", {"file": upload, "subject": SUBJECT}).status_code
        == 403
    )


def test_the_nav_offers_learning_to_signed_in_people_only(client_for):
    html = client_for("s00001").get("/learning/").content.decode()
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    assert re.search(r'<a href="/learning/" aria-current="page">', nav)
    assert nav.count('aria-current="page"') == 1
    assert 'href="/learning/"' not in client_for(None).get("/").content.decode()
