"""Partnerships, scheduling and recordings through the services: the rules and their refusals."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.library.enums import ResourceKind, VersionStatus
from tongke.live import selectors, services
from tongke.live.enums import SessionStatus
from tongke.live.models import LiveSession
from tongke.live.tests.factories import community, lesson, session_now, unit, user

pytestmark = pytest.mark.django_db


def webm(dest: Path, seconds: int) -> None:
    """What Chromium's MediaRecorder makes: WebM with VP8 video and Opus audio."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=320x240:rate=25:d={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libvpx",
            "-b:v",
            "300k",
            "-c:a",
            "libopus",
            "-shortest",
            "-y",
            str(dest),
        ],
        check=True,
    )


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_regional_admins_pair_schools_of_their_region_only():
    made = services.partnership_create(
        actor=user("hd_admin"),
        region=unit("BJ-HD"),
        kind="community",
        name="海淀 联校",
        lead_school=unit("BJ-HD-S01"),
        members=[unit("BJ-HD-S02"), unit("BJ-HD-S03")],
    )
    assert sorted(m.school.code for m in made.members.all()) == ["BJ-HD-S02", "BJ-HD-S03"]
    with pytest.raises(PermissionDenied):  # a school admin does not pair schools
        services.partnership_create(
            actor=user("school_admin_01"),
            region=unit("BJ-HD"),
            kind="pair",
            name="x",
            lead_school=unit("BJ-HD-S01"),
            members=[unit("BJ-HD-S02")],
        )
    with pytest.raises(PermissionDenied):  # Hebei's admin does not pair Beijing's schools
        services.partnership_create(
            actor=user("he_admin"),
            region=unit("BJ-HD"),
            kind="pair",
            name="x",
            lead_school=unit("BJ-HD-S01"),
            members=[unit("BJ-HD-S02")],
        )
    bad = [
        ("pair", [unit("BJ-HD-S02"), unit("BJ-HD-S03")]),  # a pair has one partner
        ("community", [unit("BJ-YQ-S10")]),  # outside 海淀区
        ("community", [unit("BJ-HD-S01")]),  # the lead school itself
        ("community", [unit("BJ-HD-S02"), unit("BJ-HD-S02")]),  # twice
        ("community", [unit("BJ-HD-S01-G03-C1")]),  # a class is not a school
    ]
    for kind, members in bad:
        with pytest.raises(Invalid) as refused:
            services.partnership_create(
                actor=user("hd_admin"),
                region=unit("BJ-HD"),
                kind=kind,
                name="x",
                lead_school=unit("BJ-HD-S01"),
                members=members,
            )
        assert refused.value.code == "live.not_a_partner"


def _schedule(**over):
    args = {
        "actor": user("t0001"),
        "partnership": community(),
        "host_school": unit("BJ-HD-S01"),
        "lesson": lesson(),
        "title": "周课",
        "starts_at": timezone.now() + timedelta(days=400),
        "minutes": 40,
        "classrooms": [services.ClassroomIn(unit("BJ-YQ-S10-G05-C1"), user("t0046"))],
    }
    args.update(over)
    return services.session_schedule(**args)


def test_a_weekly_series_and_its_cancellation():
    start = timezone.now() + timedelta(days=400)
    made = _schedule(
        starts_at=start, weekly_until=timezone.localtime(start + timedelta(weeks=3)).date()
    )
    assert len(made) == 4 and len({s.series for s in made}) == 1
    assert [(s.starts_at - start).days for s in made] == [0, 7, 14, 21]
    assert services.session_cancel(actor=user("t0001"), session=made[1], following=True) == 3
    statuses = [LiveSession.objects.get(pk=s.pk).status for s in made]
    assert statuses == ["scheduled", "cancelled", "cancelled", "cancelled"]
    with pytest.raises(Conflict):  # a cancelled lesson cannot be cancelled again (stale copy)
        services.session_cancel(actor=user("t0001"), session=made[1])
    with pytest.raises(Conflict):
        services.session_cancel(actor=user("t0001"), session=LiveSession.objects.get(pk=made[2].pk))


def test_scheduling_refusals():
    # a tutor who does not teach at the receiving class's school
    with pytest.raises(Invalid) as e:
        _schedule(classrooms=[services.ClassroomIn(unit("BJ-YQ-S10-G05-C1"), user("t0043"))])
    assert e.value.code == "live.bad_tutor"
    # a class of a school outside the partnership
    with pytest.raises(Invalid) as e:
        _schedule(classrooms=[services.ClassroomIn(unit("BJ-HD-S02-G03-C1"), user("t0007"))])
    assert e.value.code == "live.not_a_partner"
    # the host's own class, a past start, a too-long lesson, a stage node, an outsider
    with pytest.raises(Invalid):
        _schedule(classrooms=[services.ClassroomIn(unit("BJ-HD-S01-G03-C1"), user("t0001"))])
    with pytest.raises(Invalid) as e:
        _schedule(starts_at=timezone.now() - timedelta(hours=1))
    assert e.value.code == "live.bad_times"
    with pytest.raises(Invalid):
        _schedule(minutes=500)
    from tongke.library.models import CatalogueNode

    stage = CatalogueNode.objects.filter(kind="stage").first()
    with pytest.raises(Invalid) as e:
        _schedule(lesson=stage)
    assert e.value.code == "live.bad_lesson"
    with pytest.raises(PermissionDenied):
        _schedule(actor=user("t0043"))  # a tutor of a partner does not host at S01
    with pytest.raises(Invalid):
        _schedule(classrooms=[])
    # a series longer than 40 weeks
    start = timezone.now() + timedelta(days=400)
    with pytest.raises(Invalid) as e:
        _schedule(
            starts_at=start, weekly_until=timezone.localtime(start + timedelta(weeks=45)).date()
        )
    assert e.value.code == "live.bad_schedule"


def test_double_booking_is_refused():
    first = _schedule()[0]
    with pytest.raises(Conflict) as e:  # the same master, overlapping
        _schedule(
            starts_at=first.starts_at + timedelta(minutes=20),
            classrooms=[services.ClassroomIn(unit("BJ-MY-S12-G05-C1"), user("t0054"))],
        )
    assert e.value.code == "live.master_busy"
    with pytest.raises(Conflict) as e:  # the same class, another master
        services.session_schedule(
            actor=user("hd_admin"),
            partnership=community(),
            host_school=unit("BJ-HD-S01"),
            master=user("t0002"),
            lesson=lesson(),
            title="撞课",
            starts_at=first.starts_at + timedelta(minutes=30),
            minutes=40,
            classrooms=[services.ClassroomIn(unit("BJ-YQ-S10-G05-C1"), user("t0046"))],
        )
    assert e.value.code == "live.class_busy"
    # Right after it is fine
    _schedule(
        starts_at=first.ends_at,
        classrooms=[services.ClassroomIn(unit("BJ-YQ-S10-G05-C1"), user("t0046"))],
    )


def test_the_room_opens_half_an_hour_before_and_closes_an_hour_after():
    s = session_now(minutes_from_now=45)
    with pytest.raises(Conflict) as e:
        services.check_joinable(s)
    assert e.value.code == "live.not_open_yet"
    services.check_joinable(s, now=s.starts_at - timedelta(minutes=29))
    services.check_joinable(s, now=s.ends_at + timedelta(minutes=59))
    with pytest.raises(Conflict) as e:
        services.check_joinable(s, now=s.ends_at + timedelta(minutes=61))
    assert e.value.code == "live.session_ended"


@override_settings(TASKS=IMMEDIATE)
def test_the_recording_becomes_a_library_resource_pending_review(
    tmp_path: Path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    s = session_now()
    master = user("t0001")
    services.session_start(actor=master, session=s)
    video = tmp_path / "rec.webm"
    webm(video, seconds=3)
    data = video.read_bytes()
    chunks = [data[i : i + 20_000] for i in range(0, len(data), 20_000)]
    assert services.recording_append(actor=master, session=s, seq=0, data=chunks[0]) == 1
    # a retried chunk is acknowledged and ignored; a gap is refused with what is expected
    assert services.recording_append(actor=master, session=s, seq=0, data=chunks[0]) == 1
    with pytest.raises(Conflict) as e:
        services.recording_append(actor=master, session=s, seq=5, data=b"x")
    assert e.value.detail == {"expected": 1}
    with pytest.raises(PermissionDenied):  # only the master records
        services.recording_append(actor=user("t0043"), session=s, seq=1, data=b"x")
    for n, chunk in enumerate(chunks[1:], start=1):
        services.recording_append(actor=master, session=s, seq=n, data=chunk)
    s.refresh_from_db()
    assert s.recording_bytes == len(data)
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.recording_finish(actor=master, session=s)
    assert resource.kind == ResourceKind.LIVE_RECORDING
    assert resource.node_id == s.lesson_id and resource.school_id == s.host_school_id
    version = resource.versions.get()
    assert version.status == VersionStatus.SUBMITTED  # processed, then submitted for review
    assert version.asset is not None and version.asset.status == "ready"
    assert version.asset.duration_s == pytest.approx(3, abs=0.5)
    with pytest.raises(Conflict):  # handed in once
        services.recording_finish(actor=master, session=s)


def test_an_empty_recording_is_refused():
    s = session_now()
    with pytest.raises(Invalid) as e:
        services.recording_finish(actor=user("t0001"), session=s)
    assert e.value.code == "live.recording_refused"
    with pytest.raises(Invalid):
        services.recording_append(actor=user("t0001"), session=s, seq=0, data=b"")


def test_partnership_outcomes_count_the_lesson_held_yesterday():
    out = selectors.partnership_outcomes(community())
    assert out["held"] >= 1
    by_code = {o.school.code: o for o in out["schools"]}
    # The demo's held lesson: 千家店 answered 6 of 9 right; 不老屯 dropped once and rejoined
    assert (by_code["BJ-YQ-S10"].answered, by_code["BJ-YQ-S10"].correct) == (9, 6)
    assert by_code["BJ-MY-S12"].minutes == pytest.approx(12 + 40 - 14, abs=0.1)
    ended = LiveSession.objects.filter(partnership=community(), status=SessionStatus.ENDED)
    assert ended.exists()


def test_the_demo_always_offers_a_lesson_to_join():
    from tongke.demo.seed_live import DEMO_LESSON, demo_lesson_now

    # Every lesson of the demo's master is over (as on a data home seeded days ago)
    LiveSession.objects.filter(master__username="t0001").exclude(status="ended").update(
        status=SessionStatus.CANCELLED
    )
    lesson = demo_lesson_now()
    assert lesson is not None and lesson.title == DEMO_LESSON
    services.check_joinable(lesson)
    assert lesson.classrooms.count() == 3
    assert demo_lesson_now() == lesson  # and only one


def test_moving_a_lesson_keeps_the_scheduling_rules():
    first = _schedule()[0]
    other = _schedule(
        actor=user("hd_admin"),
        master=user("t0002"),
        starts_at=first.starts_at + timedelta(hours=3),
    )[0]
    with pytest.raises(Conflict) as e:  # onto the same class's lesson
        services.session_reschedule(
            actor=user("hd_admin"), session=other, starts_at=first.starts_at, minutes=40
        )
    assert e.value.code == "live.class_busy"
    with pytest.raises(Invalid) as bad:  # into the past
        services.session_reschedule(
            actor=user("t0001"),
            session=first,
            starts_at=timezone.now() - timedelta(days=1),
            minutes=40,
        )
    assert bad.value.code == "live.bad_times"
