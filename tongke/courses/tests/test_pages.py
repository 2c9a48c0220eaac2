"""The course-selection pages: who may open them, and choosing, dropping, approving,
running a round and recording results through their forms."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongke.audit.models import AuditEvent
from tongke.courses.enums import RoundMode, RoundStatus, SelectionStatus
from tongke.courses.models import ApprovalRule, ExternalResult, Offering, Selection, SelectionRound
from tongke.orgs.enums import Role
from tongke.orgs.models import RoleAssignment

pytestmark = pytest.mark.django_db


def choose(client, offering, *, key=None, waitlist=False, url="/courses/"):
    data = {"offering": offering.pk, "key": key or uuid.uuid4().hex}
    if waitlist:
        data["waitlist"] = "on"
    return client.post(url, data)


def section_html(html: str, code: str) -> str:
    """The catalogue card of one section."""
    match = re.search(rf'<article[^>]*data-code="{re.escape(code)}".*?</article>', html, re.S)
    assert match, f"no card for {code}"
    return match.group(0)


def teacher_of(school_code: str) -> str:
    found = (
        RoleAssignment.objects.filter(role=Role.TEACHER, unit__code=school_code)
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    assert found is not None
    return found


# --- Catalogue -----------------------------------------------------------------------------


def test_the_catalogue_shows_the_demo_round_with_the_students_week(client_for):
    response = client_for("s00001").get("/courses/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026秋季学期 海淀区跨校选修" in html
    robot = section_html(html, "HD-ROBOT")
    assert "中关村第一小学" in robot and 'data-testid="choose"' in robot
    # A full section offers the waitlist; a section for older students says why not.
    assert 'data-testid="waitlist"' in section_html(html, "HD-3DP")
    junior = section_html(html, "HD-AI")
    assert 'data-testid="reason"' in junior and "7" in junior and 'name="offering"' not in junior
    # The week shows the class's fixed timetable.
    assert 'data-testid="week"' in html and "语文 · 数学 · 英语" in html
    # The lottery round of 朝阳区 is a draft for another district: not shown.
    assert "朝阳区跨校选修" not in html


def test_filters_narrow_the_catalogue(client_for):
    client = client_for("s00001")
    html = client.get("/courses/", {"q": "书法"}).content.decode()
    assert 'data-code="HD-CALLI"' in html and 'data-code="HD-ROBOT"' not in html
    html = client.get("/courses/", {"seats": "on"}).content.decode()
    assert 'data-code="HD-3DP"' not in html and 'data-code="HD-ROBOT"' in html
    html = client.get("/courses/", {"mode": "in_person", "subject": "艺术"}).content.decode()
    assert 'data-code="HD-CALLI"' in html and 'data-code="HD-ASTRO"' not in html
    # A bad filter value is ignored, never a 500.
    assert client.get("/courses/", {"round": "x", "mode": "nope"}).status_code == 200


def test_the_catalogue_reads_a_fixed_number_of_queries(
    make_round, make_offering, client_for, django_assert_max_num_queries
):
    client = client_for("s00001")
    rnd = make_round()
    make_offering(rnd, code="Q-0")
    client.get("/courses/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/courses/")
    for i in range(1, 9):
        make_offering(rnd, code=f"Q-{i}", slots=[(1 + i % 5, "15:00", "16:00")])
    with django_assert_max_num_queries(len(few)):
        html = client.get("/courses/").content.decode()
    assert 'data-code="Q-8"' in html


def test_a_student_chooses_two_sections_and_a_conflicting_third_is_refused(
    make_round, make_offering, client_for
):
    rnd = make_round()
    a = make_offering(rnd, title="陶艺", code="T-A", slots=[(3, "15:00", "16:30")])
    b = make_offering(rnd, title="篆刻", code="T-B", slots=[(4, "15:00", "16:30")])
    c = make_offering(rnd, title="航模", code="T-C", slots=[(3, "16:00", "17:00")])
    client = client_for("s00001")
    # Before choosing, nothing is flagged.
    assert 'data-testid="choose"' in section_html(client.get("/courses/").content.decode(), "T-C")

    response = choose(client, a)
    assert response.status_code == 302 and response["Location"] == "/courses/"
    assert choose(client, b).status_code == 302
    assert set(
        Selection.objects.filter(student__username="s00001", round=rnd).values_list(
            "offering__code", "status"
        )
    ) == {("T-A", SelectionStatus.ENROLLED), ("T-B", SelectionStatus.ENROLLED)}

    # The catalogue now flags the third section's clash, with the reason, before a choice...
    html = client.get("/courses/").content.decode()
    card = section_html(html, "T-C")
    assert 'data-testid="reason"' in card and "陶艺" in card and 'name="offering"' not in card
    assert 'data-testid="held"' in section_html(html, "T-A")
    # ...and choosing it anyway (a page from before) is refused with the reason, 409.
    response = choose(client, c)
    assert response.status_code == 409
    refused = section_html(response.content.decode(), "T-C")
    assert 'data-testid="refused"' in refused and "陶艺" in refused
    assert Offering.objects.get(pk=c.pk).taken == 0
    # The week shows both picks.
    week = client.get("/courses/mine/").content.decode()
    assert "陶艺" in week and "篆刻" in week and 'data-kind="enrolled"' in week


def test_a_replayed_form_chooses_once(make_round, make_offering, client_for):
    rnd = make_round()
    a = make_offering(rnd, seats=5)
    client = client_for("s00001")
    assert choose(client, a, key="same-key").status_code == 302
    assert choose(client, a, key="same-key").status_code == 302
    assert Selection.objects.filter(offering=a).count() == 1
    assert Offering.objects.get(pk=a.pk).taken == 1


def test_a_full_section_queues_on_the_waitlist_and_a_drop_promotes(
    make_round, make_offering, client_for
):
    rnd = make_round()
    a = make_offering(rnd, seats=1, code="T-FULL")
    other = (
        RoleAssignment.objects.filter(role=Role.STUDENT, unit__code="BJ-HD-S01-G03-C1")
        .exclude(user__username="s00001")
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    first = client_for(other)
    assert choose(first, a).status_code == 302
    client = client_for("s00001")
    card = section_html(client.get("/courses/").content.decode(), "T-FULL")
    assert 'data-testid="waitlist"' in card
    # Without asking for the waitlist a full section is refused (409) with the reason.
    refused = choose(client, a)
    assert refused.status_code == 409 and 'data-testid="refused"' in refused.content.decode()
    assert choose(client, a, waitlist=True).status_code == 302
    mine = client.get("/courses/mine/").content.decode()
    assert "#1" in mine

    held = Selection.objects.get(offering=a, student__username=other)
    response = first.post(f"/courses/selections/{held.pk}/drop/")
    assert response.status_code == 302 and response["Location"] == "/courses/mine/"
    assert Selection.objects.get(pk=held.pk).status == SelectionStatus.DROPPED
    assert (
        Selection.objects.get(offering=a, student__username="s00001").status
        == SelectionStatus.ENROLLED
    )


def test_my_selections_drop_and_its_limits(make_round, make_offering, client_for):
    rnd = make_round()
    a = make_offering(rnd, title="陶艺", code="T-MINE")
    client = client_for("s00001")
    choose(client, a)
    page = client.get("/courses/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-code="T-MINE"' in html and 'data-testid="drop"' in html
    mine = Selection.objects.get(offering=a)
    # Someone else cannot drop it: it is not even visible to them.
    classmate = (
        RoleAssignment.objects.filter(role=Role.STUDENT, unit__code="BJ-HD-S01-G03-C1")
        .exclude(user__username="s00001")
        .values_list("user__username", flat=True)
        .first()
    )
    assert client_for(classmate).post(f"/courses/selections/{mine.pk}/drop/").status_code == 404
    assert client.post(f"/courses/selections/{mine.pk}/drop/").status_code == 302
    # Dropping twice answers with the reason on the page.
    again = client.post(f"/courses/selections/{mine.pk}/drop/")
    assert again.status_code == 404
    assert client.get(f"/courses/selections/{mine.pk}/drop/").status_code == 405


def test_who_may_open_the_student_pages(client_for):
    assert client_for(None).get("/courses/").status_code == 302
    assert client_for(None).get("/courses/mine/").status_code == 302
    assert client_for("t0001").get("/courses/mine/").status_code == 403
    assert client_for("p00001").get("/courses/mine/").status_code == 403
    # A teacher sees the catalogue, without buttons, and the sections they teach.
    html = client_for("t0001").get("/courses/").content.decode()
    assert 'data-testid="choose"' not in html and 'data-testid="taught"' in html
    response = client_for("t0001").post("/courses/", {"offering": 1, "key": "k"})
    assert response.status_code == 403
    # A student of another region does not see the Haidian round.
    html = client_for("s04000").get("/courses/").content.decode()
    assert "海淀区跨校选修" not in html


def test_a_section_of_another_region_is_not_found(make_round, make_offering, client_for):
    rnd = make_round()
    a = make_offering(rnd)
    assert choose(client_for("s04000"), a).status_code == 404
    assert choose(client_for("s00001"), a).status_code == 302


# --- Home school ---------------------------------------------------------------------------


def test_the_class_teacher_approves_and_the_school_admin_approves_all(
    make_round, make_offering, client_for, unit
):
    ApprovalRule.objects.create(school=unit("BJ-HD-S01"), required=True, hours=24)
    rnd = make_round()
    a = make_offering(rnd, title="陶艺", code="T-AP1", slots=[(1, "15:00", "16:00")])
    b = make_offering(rnd, title="篆刻", code="T-AP2", slots=[(2, "15:00", "16:00")])
    student = client_for("s00001")
    choose(student, a)
    choose(student, b)
    first, second = Selection.objects.filter(round=rnd).order_by("id")
    assert first.status == second.status == SelectionStatus.PENDING

    teacher = client_for("t0001")
    html = teacher.get("/courses/home/").content.decode()
    assert 'data-testid="pending-row"' in html and "陶艺" in html
    response = teacher.post(f"/courses/selections/{first.pk}/decide/", {"approve": "1"})
    assert response.status_code == 302
    assert Selection.objects.get(pk=first.pk).status == SelectionStatus.ENROLLED
    # Deciding again is refused with the reason on the page.
    again = teacher.post(f"/courses/selections/{first.pk}/decide/", {"approve": "0"})
    assert again.status_code == 409 and 'data-testid="refusal"' in again.content.decode()

    # An admin of another province cannot see the pick; a student cannot open the page.
    stranger = client_for("he_admin").post(
        f"/courses/selections/{second.pk}/decide/", {"approve": "1"}
    )
    assert stranger.status_code == 404
    assert client_for("s00001").get("/courses/home/").status_code == 403
    assert client_for("p00001").get("/courses/home/").status_code == 403

    admin = client_for("school_admin_01")
    assert admin.get("/courses/home/").status_code == 200
    response = admin.post("/courses/home/approve-all/", {"ids": [second.pk]})
    assert response.status_code == 302
    assert Selection.objects.get(pk=second.pk).status == SelectionStatus.ENROLLED
    assert AuditEvent.objects.filter(
        action="course_selection.approve", target_id=str(second.pk)
    ).exists()
    assert admin.post("/courses/home/approve-all/", {"ids": ["x"]}).status_code == 400


def test_the_demo_school_with_approval_shows_pending_picks(client_for):
    html = client_for("school_admin_02").get("/courses/home/").content.decode()
    assert 'data-testid="pending-row"' in html and 'data-testid="approve-all"' in html


# --- Round administration -----------------------------------------------------------------


def test_a_region_admin_sets_up_opens_and_fills_a_round(client_for, unit):
    admin = client_for("hd_admin")
    page = admin.get("/courses/rounds/")
    assert page.status_code == 200 and 'data-testid="round-form"' in page.content.decode()
    response = admin.post(
        "/courses/rounds/",
        {
            "name": "测试轮次",
            "scope": unit("BJ-HD").pk,
            "mode": RoundMode.FIRST_COME,
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2099-01-10T08:00",
            "drop_until": "2099-01-20T08:00",
            "max_sections": 2,
            "max_credits": "4",
            "max_choices": 3,
        },
    )
    rnd = SelectionRound.objects.get(name="测试轮次")
    assert response.status_code == 302 and response["Location"] == f"/courses/rounds/{rnd.pk}/"
    assert rnd.status == RoundStatus.DRAFT
    assert rnd.created_by is not None and rnd.created_by.username == "hd_admin"

    teacher = RoleAssignment.objects.filter(role=Role.TEACHER, unit__code="BJ-HD-S02").first()
    assert teacher is not None
    response = admin.post(
        f"/courses/rounds/{rnd.pk}/sections/",
        {
            "code": "NEW-1",
            "title": "少儿编程",
            "host": unit("BJ-HD-S02").pk,
            "teacher": teacher.user_id,
            "mode": "live_online",
            "seats": 25,
            "credits": "1.5",
            "hours": 16,
            "grade_min": 3,
            "grade_max": 6,
            "day1": 2,
            "starts1": "15:30",
            "ends1": "16:30",
            "day2": 4,
            "starts2": "15:30",
            "ends2": "16:30",
        },
    )
    assert response.status_code == 302
    offering = Offering.objects.get(round=rnd, code="NEW-1")
    assert offering.credits == Decimal("1.5") and offering.slots.count() == 2
    # The same code twice is refused with the reason, on the form.
    again = admin.post(
        f"/courses/rounds/{rnd.pk}/sections/",
        {
            "code": "NEW-1",
            "title": "重复",
            "host": unit("BJ-HD-S02").pk,
            "mode": "live_online",
            "seats": 5,
            "credits": "1",
            "hours": 8,
            "grade_min": 3,
            "grade_max": 6,
            "day1": 1,
            "starts1": "15:30",
            "ends1": "16:30",
        },
    )
    assert again.status_code == 400 and "NEW-1" in again.content.decode()

    assert admin.post(f"/courses/rounds/{rnd.pk}/status/", {"status": "open"}).status_code == 302
    assert SelectionRound.objects.get(pk=rnd.pk).status == RoundStatus.OPEN
    detail = admin.get(f"/courses/rounds/{rnd.pk}/").content.decode()
    assert 'data-code="NEW-1"' in detail and "<meter" in detail
    live = admin.get(f"/courses/rounds/{rnd.pk}/live/").content.decode()
    assert '<meta http-equiv="refresh" content="10">' in live and "<script" not in live
    assert AuditEvent.objects.filter(action="course_round.update", target_id=str(rnd.pk)).exists()


def test_who_may_run_a_round(client_for):
    rnd = SelectionRound.objects.get(name="2026秋季学期 海淀区跨校选修")
    assert client_for("s00001").get("/courses/rounds/").status_code == 403
    assert client_for("t0001").get("/courses/rounds/").status_code == 403
    assert client_for("s00001").get(f"/courses/rounds/{rnd.pk}/").status_code == 403
    assert client_for("he_admin").get(f"/courses/rounds/{rnd.pk}/").status_code == 404
    # A school admin inside the scope sees their own sections and may add one, not open it.
    school = client_for("school_admin_01")
    html = school.get(f"/courses/rounds/{rnd.pk}/").content.decode()
    assert 'data-code="HD-CALLI"' in html and 'data-code="HD-ROBOT"' not in html
    assert 'data-testid="round-actions"' not in html and 'data-testid="offering-form"' in html
    refused = school.post(f"/courses/rounds/{rnd.pk}/status/", {"status": "closed"})
    assert refused.status_code == 403
    assert SelectionRound.objects.get(pk=rnd.pk).status == RoundStatus.OPEN
    # The region admin sees every section, full ones included.
    html = client_for("hd_admin").get(f"/courses/rounds/{rnd.pk}/").content.decode()
    assert 'data-code="HD-3DP"' in html and 'data-testid="round-actions"' in html
    # Scopes offered: only what the admin may run.
    html = school.get("/courses/rounds/").content.decode()
    assert "海淀实验小学" in html and "海淀区 (BJ-HD)" not in html


def test_a_lottery_round_is_ranked_and_drawn_through_the_forms(
    make_round, make_offering, client_for
):
    rnd = make_round(mode=RoundMode.LOTTERY)
    a = make_offering(rnd, title="陶艺", code="L-A", slots=[(1, "15:00", "16:00")])
    b = make_offering(rnd, title="篆刻", code="L-B", slots=[(2, "15:00", "16:00")])
    student = client_for("s00001")
    html = student.get("/courses/").content.decode()
    assert 'name="choice1"' in html and 'data-testid="choose"' not in section_html(html, "L-A")
    response = student.post(
        f"/courses/rounds/{rnd.pk}/preferences/", {"choice1": b.pk, "choice2": a.pk}
    )
    assert response.status_code == 302
    assert client_for("school_admin_01").post(f"/courses/rounds/{rnd.pk}/draw/").status_code == 403
    response = client_for("hd_admin").post(f"/courses/rounds/{rnd.pk}/draw/")
    assert response.status_code == 302
    assert set(Selection.objects.filter(round=rnd).values_list("offering__code", flat=True)) == {
        "L-A",
        "L-B",
    }
    again = client_for("hd_admin").post(f"/courses/rounds/{rnd.pk}/draw/")
    assert again.status_code == 400 and 'data-testid="refusal"' in again.content.decode()


# --- Host teacher --------------------------------------------------------------------------


def test_the_host_teacher_records_a_result_that_flows_home(
    make_round, make_offering, client_for, user_named
):
    host_teacher = teacher_of("BJ-HD-S02")
    rnd = make_round()
    a = make_offering(rnd, title="陶艺", code="R-A", teacher=user_named(host_teacher))
    choose(client_for("s00001"), a)
    selection = Selection.objects.get(offering=a)

    teacher = client_for(host_teacher)
    page = teacher.get(f"/courses/offerings/{a.pk}/roster/")
    assert page.status_code == 200 and 'data-testid="roster-row"' in page.content.decode()
    response = teacher.post(
        f"/courses/offerings/{a.pk}/roster/",
        {"selection": selection.pk, "grade": "A", "score": "92", "passed": "on"},
    )
    assert response.status_code == 302
    result = ExternalResult.objects.get(offering=a)
    assert result.grade == "A" and result.credits == a.credits and result.passed
    # A bad score re-renders the roster with the reason; nothing is recorded.
    bad = teacher.post(
        f"/courses/offerings/{a.pk}/roster/",
        {"selection": selection.pk, "grade": "A", "score": "-5"},
    )
    assert bad.status_code == 400 and ExternalResult.objects.filter(offering=a).count() == 1

    assert "陶艺" in client_for("s00001").get("/courses/mine/").content.decode()
    home = client_for("school_admin_01").get("/courses/home/").content.decode()
    results = home[home.index('data-testid="results"') :]
    assert "陶艺" in results and "A" in results

    # A teacher of the home school sees the section but not its roster; Hebei not at all.
    assert client_for("t0001").get(f"/courses/offerings/{a.pk}/roster/").status_code == 403
    assert client_for("he_admin").get(f"/courses/offerings/{a.pk}/roster/").status_code == 404
    assert client_for("s00001").get(f"/courses/offerings/{a.pk}/roster/").status_code == 403


def test_the_nav_offers_course_selection_as_the_one_current_item(client_for):
    html = client_for("s00001").get("/courses/mine/").content.decode()
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    assert 'href="/courses/"' in nav
    assert nav.count('aria-current="page"') == 1
    assert re.search(r'<a href="/courses/" aria-current="page">', nav)
    assert 'href="/courses/"' not in client_for(None).get("/").content.decode()
