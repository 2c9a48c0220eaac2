"""Lottery rounds (seeded, reproducible, rural priority) and results flowing home."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tongke.courses import services
from tongke.courses.enums import RoundMode, SelectionStatus
from tongke.courses.models import AppendOnlyError, ExternalResult, Offering, Selection
from tongke.orgs.enums import Role
from tongke.orgs.models import RoleAssignment

pytestmark = pytest.mark.django_db


def students_under(prefix: str, n: int) -> list:
    from django.contrib.auth import get_user_model

    ids = (
        RoleAssignment.objects.filter(role=Role.STUDENT, unit__code__startswith=prefix)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:n]
    )
    return list(get_user_model().objects.filter(pk__in=list(ids)).order_by("pk"))


def lottery(make_round, make_offering, seed: int, rural: bool = False, seats: int = 3):
    rnd = make_round(
        scope="BJ", by="bj_admin", mode=RoundMode.LOTTERY, lottery_seed=seed, rural_priority=rural
    )
    a = make_offering(
        rnd, host="BJ-HD-S01", by="bj_admin", seats=seats, slots=[(1, "15:00", "16:00")]
    )
    b = make_offering(
        rnd, host="BJ-HD-S01", by="bj_admin", seats=seats, slots=[(2, "15:00", "16:00")]
    )
    return rnd, a, b


def rank_all(rnd, a, b, students):
    for s in students:
        services.preferences_set(actor=s, rnd=rnd, offerings=[a, b])


def outcome(rnd) -> list[tuple[int, int, str]]:
    return sorted(
        Selection.objects.filter(round=rnd).values_list("student_id", "offering_id", "status")
    )


def test_the_draw_is_reproducible_and_never_overbooks(make_round, make_offering, user_named):
    students = students_under("BJ-HD-S01-G03", 10) + students_under("BJ-YQ", 6)
    results = []
    for _ in range(2):
        rnd, a, b = lottery(make_round, make_offering, seed=42)
        rank_all(rnd, a, b, students)
        drawn = services.lottery_draw(actor=user_named("bj_admin"), rnd=rnd)
        # 3+3 seats go to six different students (one each per pass), the rest queue.
        assert drawn.enrolled == 6 and drawn.waitlisted == len(students) - 6
        for o in (a, b):
            o.refresh_from_db()
            assert o.taken == o.seats == 3
        results.append([(s, o - a.pk, st) for s, o, st in outcome(rnd)])
    assert results[0] == results[1]


def test_a_different_seed_gives_a_different_order(make_round, make_offering, user_named):
    students = students_under("BJ-HD-S01", 30)
    winners = []
    for seed in (1, 2):
        rnd, a, b = lottery(make_round, make_offering, seed=seed, seats=2)
        rank_all(rnd, a, b, students)
        services.lottery_draw(actor=user_named("bj_admin"), rnd=rnd)
        winners.append({s for s, _o, st in outcome(rnd) if st == SelectionStatus.ENROLLED})
    assert winners[0] != winners[1]


def test_rural_priority_puts_rural_students_first(make_round, make_offering, user_named):
    urban = students_under("BJ-HD-S01", 12)
    rural = students_under("BJ-YQ-S09", 3)  # 千家店镇中心小学, a rural school
    assert rural
    rnd, a, b = lottery(make_round, make_offering, seed=7, rural=True, seats=2)
    rank_all(rnd, a, b, urban + rural)
    services.lottery_draw(actor=user_named("bj_admin"), rnd=rnd)
    enrolled = {s for s, _o, st in outcome(rnd) if st == SelectionStatus.ENROLLED}
    assert {s.pk for s in rural} <= enrolled


def test_a_lottery_is_drawn_once_and_only_by_its_admins(make_round, make_offering, user_named):
    rnd, _a, _b = lottery(make_round, make_offering, seed=3)
    with pytest.raises(Exception) as refused:
        services.lottery_draw(actor=user_named("hd_admin"), rnd=rnd)
    assert getattr(refused.value, "code", "") == "courses.forbidden"
    services.lottery_draw(actor=user_named("bj_admin"), rnd=rnd)
    with pytest.raises(Exception) as again:
        services.lottery_draw(actor=user_named("bj_admin"), rnd=rnd)
    assert getattr(again.value, "code", "") == "courses.already_drawn"


def test_preferences_are_checked(make_round, make_offering, user_named, client_for):
    rnd, a, _b = lottery(make_round, make_offering, seed=5)
    client = client_for("s00001")
    too_many = client.put(
        f"/api/v1/courses/rounds/{rnd.pk}/preferences",
        data=json.dumps({"offering_ids": [a.pk, a.pk]}),
        content_type="application/json",
    )
    assert too_many.status_code == 400 and too_many.json()["code"] == "courses.bad_preferences"
    fcfs = client.post(
        "/api/v1/courses/selections",
        data=json.dumps({"offering_id": a.pk}),
        content_type="application/json",
    )
    assert fcfs.status_code == 400 and fcfs.json()["code"] == "courses.round_not_first_come"


def test_results_flow_home_append_only_with_credits(
    make_round, make_offering, client_for, user_named
):
    rnd = make_round()
    a = make_offering(rnd, seats=5, credits=2)
    student = user_named("s00001")
    services.selection_create(actor=student, offering=a)
    host = client_for("hd_admin")
    first = host.post(
        f"/api/v1/courses/offerings/{a.pk}/results",
        data=json.dumps({"student_id": student.pk, "grade": "B", "score": 81, "passed": True}),
        content_type="application/json",
    )
    assert first.status_code == 201 and first.json()["credits"] == "2.0"
    fix = host.post(
        f"/api/v1/courses/offerings/{a.pk}/results",
        data=json.dumps({"student_id": student.pk, "grade": "A", "score": 90, "passed": True}),
        content_type="application/json",
    ).json()
    assert fix["supersedes_id"] == first.json()["id"]
    # The home school sees both rows (history kept); the student sees their own.
    home = client_for("school_admin_01").get("/api/v1/courses/results").json()["items"]
    assert {r["grade"] for r in home} == {"A", "B"}
    assert client_for("s00001").get("/api/v1/courses/results").json()["count"] == 2
    assert client_for("s04000").get("/api/v1/courses/results").json()["count"] == 0
    row = ExternalResult.objects.get(pk=fix["id"])
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        ExternalResult.objects.filter(pk=row.pk).update(grade="A+")


def test_a_result_for_a_student_not_enrolled_is_refused(
    make_round, make_offering, client_for, user_named
):
    rnd = make_round()
    a = make_offering(rnd)
    response = client_for("hd_admin").post(
        f"/api/v1/courses/offerings/{a.pk}/results",
        data=json.dumps({"student_id": user_named("s00001").pk, "grade": "A", "passed": True}),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "courses.not_enrolled"


def test_raising_seats_promotes_the_waitlist(make_round, make_offering, user_named):
    rnd = make_round()
    a = make_offering(rnd, seats=1)
    s1, s2 = students_under("BJ-HD-S01-G03-C1", 2)
    services.selection_create(actor=s1, offering=a)
    queued = services.selection_create(actor=s2, offering=a, waitlist=True).selection
    services.offering_update(actor=user_named("hd_admin"), offering=a, seats=2)
    queued.refresh_from_db()
    assert queued.status == SelectionStatus.ENROLLED
    assert Offering.objects.get(pk=a.pk).taken == 2
    with pytest.raises(Exception) as below:
        services.offering_update(actor=user_named("hd_admin"), offering=a, seats=1)
    assert getattr(below.value, "code", "") == "courses.seats_below_taken"


def test_drops_close_with_the_add_drop_window(make_round, make_offering, user_named):
    rnd = make_round()
    a = make_offering(rnd)
    mine = services.selection_create(actor=user_named("s00001"), offering=a).selection
    now = timezone.now()
    services.round_update(
        actor=user_named("hd_admin"),
        rnd=rnd,
        opens_at=now - timedelta(hours=3),
        closes_at=now - timedelta(hours=2),
        drop_until=now - timedelta(hours=1),
    )
    with pytest.raises(Exception) as late:
        services.selection_drop(actor=user_named("s00001"), selection=mine)
    assert getattr(late.value, "code", "") == "courses.drop_window_closed"
    # The home school can still take a student out.
    services.selection_drop(actor=user_named("school_admin_01"), selection=mine)
