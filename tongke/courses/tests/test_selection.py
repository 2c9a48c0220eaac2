"""Choosing sections: seats, waitlists, conflicts, eligibility, limits, approval, idempotency."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.utils import timezone

from tongke.courses import services
from tongke.courses.enums import SelectionStatus
from tongke.courses.models import ApprovalRule, Offering, Selection
from tongke.notifications.models import Notification
from tongke.orgs.enums import Role
from tongke.orgs.models import RoleAssignment

pytestmark = pytest.mark.django_db


def students_of(code: str, n: int) -> list[str]:
    return list(
        RoleAssignment.objects.filter(role=Role.STUDENT, unit__code=code)
        .order_by("user__username")
        .values_list("user__username", flat=True)[:n]
    )


def pick(client, offering, key=None, waitlist=False):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/courses/selections",
        data=json.dumps({"offering_id": offering.pk, "waitlist": waitlist}),
        content_type="application/json",
        **headers,
    )


def test_a_student_picks_two_sections_and_a_conflicting_third_is_refused(
    make_round, make_offering, client_for
):
    rnd = make_round()
    a = make_offering(rnd, title="机器人编程", slots=[(3, "15:00", "16:30")])
    b = make_offering(rnd, title="书法", slots=[(4, "15:00", "16:30")])
    c = make_offering(rnd, title="合唱", slots=[(3, "16:00", "17:00")])
    client = client_for("s00001")
    assert pick(client, a).status_code == 201
    assert pick(client, b).status_code == 201
    response = pick(client, c)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "courses.timetable_conflict"
    assert "机器人编程" in body["message"]
    assert Offering.objects.get(pk=c.pk).taken == 0


def test_home_timetable_conflicts_are_enforced(
    make_round, make_offering, client_for, unit, user_named
):
    klass = unit("BJ-HD-S01-G03-C1")
    services.home_slots_set(
        actor=user_named("school_admin_01"),
        klass=klass,
        slots=[services.SlotIn(3, time(15, 30), time(16, 10), "体育")],
    )
    rnd = make_round()
    a = make_offering(rnd, slots=[(3, "15:00", "16:30")])
    response = pick(client_for("s00001"), a)
    assert response.status_code == 409 and "体育" in response.json()["message"]


def test_a_full_section_is_refused_or_waitlisted_and_a_drop_promotes(
    make_round, make_offering, client_for
):
    rnd = make_round()
    a = make_offering(rnd, seats=1)
    first, second, third = (client_for(u) for u in students_of("BJ-HD-S01-G03-C1", 3))
    assert pick(first, a).status_code == 201
    full = pick(second, a)
    assert full.status_code == 409 and full.json()["code"] == "courses.full"
    queued = pick(second, a, waitlist=True).json()
    assert queued["status"] == "waitlisted" and queued["waitlist_position"] == 1
    assert pick(third, a, waitlist=True).json()["waitlist_position"] == 2

    mine = first.get("/api/v1/courses/selections").json()["items"][0]
    dropped = first.delete(f"/api/v1/courses/selections/{mine['id']}")
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped"
    promoted = Selection.objects.get(pk=queued["id"])
    assert promoted.status == SelectionStatus.ENROLLED
    assert Notification.objects.filter(
        user_id=promoted.student_id, kind="courses.promoted"
    ).exists()
    assert Offering.objects.get(pk=a.pk).taken == 1
    after = third.get("/api/v1/courses/selections").json()["items"][0]
    assert after["waitlist_position"] == 1


def test_a_replayed_request_creates_nothing_new(make_round, make_offering, client_for):
    rnd = make_round()
    a = make_offering(rnd, seats=5)
    client = client_for("s00001")
    first = pick(client, a, key="k-123")
    again = pick(client, a, key="k-123")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Selection.objects.filter(offering=a).count() == 1
    assert Offering.objects.get(pk=a.pk).taken == 1
    b = make_offering(rnd, seats=5, slots=[(5, "09:00", "10:00")])
    reused = pick(client, b, key="k-123")
    assert reused.status_code == 409 and reused.json()["code"] == "courses.idempotency_key_reused"
    twice = pick(client, a)
    assert twice.status_code == 409 and twice.json()["code"] == "courses.already_selected"


def test_eligibility_by_grade_region_and_prerequisite(make_round, make_offering, client_for, unit):
    rnd = make_round()
    seniors = make_offering(rnd, grade_min=10, grade_max=12)
    response = pick(client_for("s00001"), seniors)
    assert response.status_code == 403 and response.json()["detail"]["reason"] == "grade"
    hebei_only = make_offering(rnd, open_to=unit("HE"), slots=[(1, "08:00", "09:00")])
    response = pick(client_for("s00001"), hebei_only)
    assert response.json()["detail"]["reason"] == "region"
    advanced = make_offering(rnd, prerequisites=["C9999"], slots=[(2, "08:00", "09:00")])
    response = pick(client_for("s00001"), advanced)
    assert response.json()["detail"]["reason"] == "prerequisite"


def test_a_student_outside_the_round_cannot_see_or_pick(make_round, make_offering, client_for):
    rnd = make_round()
    a = make_offering(rnd)
    response = pick(client_for("s04000"), a)  # a Hebei student: the Haidian round is not theirs
    assert response.status_code == 404
    response = pick(client_for("t0001"), a)  # a teacher is not a student
    assert response.status_code == 403 and response.json()["code"] == "courses.not_a_student"


def test_limits_per_student(make_round, make_offering, client_for):
    rnd = make_round(max_sections=1)
    a = make_offering(rnd, slots=[(1, "08:00", "09:00")])
    b = make_offering(rnd, slots=[(2, "08:00", "09:00")])
    client = client_for("s00001")
    assert pick(client, a).status_code == 201
    response = pick(client, b)
    assert response.status_code == 409 and response.json()["code"] == "courses.limit_reached"


def test_closed_round_and_inverted_dates(make_round, make_offering, client_for, user_named, unit):
    rnd = make_round()
    a = make_offering(rnd)
    services.round_update(
        actor=user_named("hd_admin"), rnd=rnd, closes_at=timezone.now() - timedelta(minutes=1)
    )
    response = pick(client_for("s00001"), a)
    assert response.status_code == 409 and response.json()["code"] == "courses.round_closed"
    now = timezone.now()
    response = client_for("hd_admin").post(
        "/api/v1/courses/rounds",
        data=json.dumps(
            {
                "scope_id": unit("BJ-HD").pk,
                "name": "倒置",
                "mode": "first_come",
                "opens_at": now.isoformat(),
                "closes_at": (now - timedelta(days=1)).isoformat(),
                "drop_until": now.isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "courses.round_dates"


def test_negative_seats_and_another_students_id_are_refused(make_round, client_for, unit):
    rnd = make_round()
    response = client_for("hd_admin").post(
        "/api/v1/courses/offerings",
        data=json.dumps(
            {
                "round_id": rnd.pk,
                "host_school_id": unit("BJ-HD-S02").pk,
                "code": "NEG",
                "title": "负数",
                "mode": "live_online",
                "seats": -3,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422 and "seats" in response.json()["message"]
    response = client_for("s00001").post(
        "/api/v1/courses/selections",
        data=json.dumps({"offering_id": 1, "student_id": 99}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "student_id" in response.json()["message"]


def test_drop_of_a_section_never_held_is_404(make_round, make_offering, client_for):
    rnd = make_round()
    a = make_offering(rnd)
    mine = pick(client_for("s00001"), a).json()
    other = client_for(students_of("BJ-HD-S01-G03-C1", 2)[1])
    assert other.delete(f"/api/v1/courses/selections/{mine['id']}").status_code == 404
    assert other.delete("/api/v1/courses/selections/999999").status_code == 404


def test_home_school_approval_holds_the_seat_until_decided(
    make_round, make_offering, client_for, unit
):
    ApprovalRule.objects.create(school=unit("BJ-HD-S01"), required=True, hours=24)
    rnd = make_round()
    a = make_offering(rnd, seats=1)
    mine = pick(client_for("s00001"), a).json()
    assert mine["status"] == "pending" and mine["approve_by"]
    assert Offering.objects.get(pk=a.pk).taken == 1
    # The class teacher decides; a teacher of another school cannot even see the pick.
    stranger = client_for("he_admin").post(
        f"/api/v1/courses/selections/{mine['id']}/decision",
        data=json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert stranger.status_code == 404
    decided = client_for("t0001").post(
        f"/api/v1/courses/selections/{mine['id']}/decision",
        data=json.dumps({"approve": False}),
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert Offering.objects.get(pk=a.pk).taken == 0
    again = client_for("school_admin_01").post(
        f"/api/v1/courses/selections/{mine['id']}/decision",
        data=json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "courses.not_pending"


def test_late_picks_are_decided_by_the_sweep(make_round, make_offering, client_for, unit):
    ApprovalRule.objects.create(school=unit("BJ-HD-S01"), required=True, hours=1)
    rnd = make_round()
    a = make_offering(rnd)
    mine = pick(client_for("s00001"), a).json()
    assert services.selections_sweep(now=timezone.now()) == 0
    assert services.selections_sweep(now=timezone.now() + timedelta(hours=2)) == 1
    assert Selection.objects.get(pk=mine["id"]).status == SelectionStatus.ENROLLED
