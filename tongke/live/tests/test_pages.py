"""The live-class pages as each kind of user meets them, and their refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tongke.live import services
from tongke.live.models import LiveSession, Partnership
from tongke.live.tests.factories import community, session_now, unit, user

pytestmark = pytest.mark.django_db

OUTSIDER = "t0087"  # the tutor of a Tianjin teaching point, unrelated to the demo community
PARENT = "p01006"  # a parent of a pupil in 千家店镇中心小学 四年级（1）班, a receiving class


def test_the_calendar_shows_each_person_their_part(client_for):
    s = session_now()
    page = client_for("t0001").get("/live/")
    assert page.status_code == 200
    assert (
        "测试直播课" in page.content.decode()
        and 'data-testid="enter-room"' in page.content.decode()
    )
    tutor = client_for("t0046").get("/live/").content.decode()
    assert f"/live/{s.pk}/room/?classroom=" in tutor
    parent = client_for(PARENT).get("/live/").content.decode()
    assert "测试直播课" in parent and "enter-room" not in parent and "join-classroom" not in parent
    assert "测试直播课" not in client_for(OUTSIDER).get("/live/").content.decode()
    assert "测试直播课" not in client_for("learner01").get("/live/").content.decode()
    assert client_for(None).get("/live/").status_code == 302  # to sign in
    # another week, and a nonsense week, both answer
    assert client_for("t0001").get("/live/?week=2027-03-01").status_code == 200
    assert client_for("t0001").get("/live/?week=not-a-date").status_code == 200


def test_a_regional_admin_pairs_schools_through_the_form(client_for):
    admin = client_for("hd_admin")
    form = admin.get("/live/partnerships/")
    assert form.status_code == 200 and "partnership-form" in form.content.decode()
    data = {
        "kind": "pair",
        "name": "海淀 结对 表单",
        "region": unit("BJ-HD").pk,
        "lead_school": unit("BJ-HD-S01").pk,
        "members": [unit("BJ-HD-S02").pk],
    }
    done = admin.post("/live/partnerships/", data)
    assert done.status_code == 302
    made = Partnership.objects.get(name="海淀 结对 表单")
    assert done["Location"] == f"/live/partnerships/{made.pk}/"
    # A pair with two partners is refused on the page, with the reason, and nothing is stored
    twice = admin.post(
        "/live/partnerships/",
        data | {"name": "坏", "members": [unit("BJ-HD-S02").pk, unit("BJ-HD-S03").pk]},
    )
    assert twice.status_code == 400 and "errorlist nonfield" in twice.content.decode()
    assert not Partnership.objects.filter(name="坏").exists()
    # A school administrator has no form and cannot post one
    school = client_for("school_admin_01")
    assert "partnership-form" not in school.get("/live/partnerships/").content.decode()
    assert school.post("/live/partnerships/", data).status_code == 403
    # The partnership page shows the outcomes to its members, and is a 404 for outsiders
    p = community()
    assert client_for("t0046").get(f"/live/partnerships/{p.pk}/").status_code == 200
    assert client_for(OUTSIDER).get(f"/live/partnerships/{p.pk}/").status_code == 404


def test_a_teacher_schedules_through_the_form(client_for):
    p = community()
    teacher = client_for("t0001")
    form = teacher.get(f"/live/partnerships/{p.pk}/schedule/")
    assert form.status_code == 200
    body = form.content.decode()
    assert "千家店镇中心小学" in body and "海淀实验小学 ·" not in body  # no host classes
    day = (timezone.localdate() + timedelta(days=500)).isoformat()
    data = {
        "title": "表单排的课",
        "host": unit("BJ-HD-S01").pk,
        "lesson": _lesson_id(),
        "day": day,
        "time": "09:00",
        "minutes": 40,
        "weekly_until": "",
        "classes": [unit("BJ-YQ-S10-G06-C1").pk, unit("BJ-MY-S12-G06-C1").pk],
    }
    done = teacher.post(f"/live/partnerships/{p.pk}/schedule/", data)
    assert done.status_code == 302, done.content.decode()[:500]
    made = LiveSession.objects.get(title="表单排的课")
    assert made.classrooms.count() == 2
    assert {c.tutor.username for c in made.classrooms.all()} == {"t0046", "t0054"}
    # The same slot again collides with itself: a 409 with the reason, nothing stored
    again = teacher.post(f"/live/partnerships/{p.pk}/schedule/", data | {"title": "又一节"})
    assert again.status_code == 409
    assert not LiveSession.objects.filter(title="又一节").exists()
    past = teacher.post(
        f"/live/partnerships/{p.pk}/schedule/",
        data | {"title": "过去", "day": (timezone.localdate() - timedelta(days=2)).isoformat()},
    )
    assert past.status_code == 400 and not LiveSession.objects.filter(title="过去").exists()
    junk = teacher.post(
        f"/live/partnerships/{p.pk}/schedule/", data | {"classes": ["x"], "minutes": "-5"}
    )
    assert junk.status_code == 400
    # A pupil has no scheduling page; an outsider does not see the partnership at all
    assert client_for("s00001").get(f"/live/partnerships/{p.pk}/schedule/").status_code == 404
    assert client_for(OUTSIDER).get(f"/live/partnerships/{p.pk}/schedule/").status_code == 404


def _lesson_id() -> int:
    from tongke.live.tests.factories import lesson

    return lesson().pk


def test_the_room_page_checks_the_seat_and_the_time(client_for):
    s = session_now()
    room = s.classrooms.order_by("pk").first()
    assert room is not None
    master = client_for("t0001").get(f"/live/{s.pk}/room/")
    assert master.status_code == 200 and "live-config" in master.content.decode()
    tutor = client_for(room.tutor.username).get(f"/live/{s.pk}/room/?classroom={room.pk}")
    assert tutor.status_code == 200 and "master-video" in tutor.content.decode()
    assert client_for(OUTSIDER).get(f"/live/{s.pk}/room/?classroom={room.pk}").status_code == 404
    assert client_for("t0046").get(f"/live/{s.pk}/room/?classroom={room.pk}").status_code == 404
    assert client_for("t0001").get(f"/live/{s.pk}/room/?classroom=abc").status_code == 404
    assert client_for(PARENT).get(f"/live/{s.pk}/room/").status_code == 404
    later = session_now(minutes_from_now=120, classes=["BJ-YQ-S10-G03-C1"])
    closed = client_for("t0001").get(f"/live/{later.pk}/room/")
    assert closed.status_code == 409 and "30" in closed.content.decode()


def test_session_page_cancel_and_reports(client_for):
    start = timezone.now() + timedelta(days=450)
    made = services.session_schedule(
        actor=user("t0001"),
        partnership=community(),
        host_school=unit("BJ-HD-S01"),
        lesson=LiveSession.objects.first().lesson,  # type: ignore[union-attr]
        title="待取消",
        starts_at=start,
        minutes=40,
        classrooms=[
            services.ClassroomIn(unit("BJ-YQ-S10-G05-C1"), user("t0046")),
            services.ClassroomIn(unit("BJ-MY-S12-G05-C1"), user("t0054")),
        ],
    )[0]
    page = client_for("t0046").get(f"/live/{made.pk}/")
    assert page.status_code == 200 and 'data-testid="cancel"' not in page.content.decode()
    assert page.content.decode().count('data-testid="attendance-row"') == 1  # own room only
    assert (
        client_for("t0001")
        .get(f"/live/{made.pk}/")
        .content.decode()
        .count('data-testid="attendance-row"')
        == 2
    )
    assert client_for("t0046").post(f"/live/{made.pk}/", {"action": "cancel"}).status_code == 403
    assert client_for(OUTSIDER).get(f"/live/{made.pk}/").status_code == 404
    done = client_for("t0001").post(f"/live/{made.pk}/", {"action": "cancel"})
    assert done.status_code == 302
    made.refresh_from_db()
    assert made.status == "cancelled"
    # The report of yesterday's demo lesson, per classroom
    held = LiveSession.objects.filter(partnership=community(), status="ended").first()
    assert held is not None
    s10 = held.classrooms.get(klass__code="BJ-YQ-S10-G04-C1")
    report = client_for("t0046").get(f"/live/{held.pk}/report/{s10.pk}/")
    assert report.status_code == 200
    text = report.content.decode()
    assert "松树的针叶也算叶子吗" in text and "6/9" in text
    s09 = held.classrooms.get(klass__code="BJ-YQ-S09-G04-C1")
    assert client_for("t0046").get(f"/live/{held.pk}/report/{s09.pk}/").status_code == 404
    assert client_for(PARENT).get(f"/live/{held.pk}/report/{s10.pk}/").status_code == 404


def test_recording_endpoints_refuse_with_codes(client_for):
    s = session_now()
    tutor = client_for("t0043").post(
        f"/live/{s.pk}/recording/0/", b"abc", content_type="application/octet-stream"
    )
    assert tutor.status_code == 403 and tutor.json()["code"] == "live.forbidden"
    master = client_for("t0001")
    gap = master.post(f"/live/{s.pk}/recording/3/", b"abc", content_type="application/octet-stream")
    assert gap.status_code == 409 and gap.json()["detail"] == {"expected": 0}
    assert master.get(f"/live/{s.pk}/recording/0/").status_code == 405
    empty = master.post(f"/live/{s.pk}/recording/finish/")
    assert empty.status_code == 400 and empty.json()["code"] == "live.recording_refused"
    outsider = client_for(OUTSIDER).post(f"/live/{s.pk}/recording/finish/")
    assert outsider.status_code == 404


def test_a_classroom_has_its_own_schedule(client_for):
    s = session_now()
    room = s.classrooms.get(klass__code="BJ-YQ-S10-G04-C1")
    page = client_for("t0046").get(f"/live/class/{room.klass_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "测试直播课" in text and f"?classroom={room.pk}" in text
    # a pupil of the class sees it but gets no join button; an outsider gets a 404
    pupil = client_for("s01107").get(f"/live/class/{room.klass_id}/").content.decode()
    assert "测试直播课" in pupil and "?classroom=" not in pupil
    assert client_for(OUTSIDER).get(f"/live/class/{room.klass_id}/").status_code == 404
