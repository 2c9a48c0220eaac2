"""Live classes in the demo region: a community of Beijing's mountain primary schools led by
海淀实验小学, a junior-secondary pair, one lesson held yesterday (with attendance, a quiz and
questions), one on now, and a weekly series."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tongke.core.errors import TongkeError
from tongke.library.models import CatalogueNode
from tongke.live import services
from tongke.live.enums import MessageKind, PartnershipKind, QuizStatus, SessionStatus
from tongke.live.models import LiveQuiz, LiveSession, Presence, QuizAnswer, RoomMessage
from tongke.orgs.models import OrgUnit


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def seed_live() -> dict[str, Any]:
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["bj_admin", "t0001", "t0013", "t0043", "t0046", "t0054"]
        )
    }
    bj = _unit("BJ")
    community = services.partnership_create(
        actor=users["bj_admin"],
        region=bj,
        kind=PartnershipKind.COMMUNITY,
        name="京北山区小学联校网教共同体",
        lead_school=_unit("BJ-HD-S01"),
        members=[_unit("BJ-YQ-S09"), _unit("BJ-YQ-S10"), _unit("BJ-MY-S12")],
        note="海淀实验小学的科学课每周同步到延庆、密云的山区学校和教学点。",
    )
    pair = services.partnership_create(
        actor=users["bj_admin"],
        region=bj,
        kind=PartnershipKind.PAIR,
        name="海淀十九中—永宁学校结对帮扶",
        lead_school=_unit("BJ-HD-S03"),
        members=[_unit("BJ-YQ-S09")],
    )
    science = CatalogueNode.objects.filter(kind="lesson", stage="primary", subject="science")
    lessons = list(science.order_by("path")[:12])
    rooms = [
        services.ClassroomIn(_unit("BJ-YQ-S09-G04-C1"), users["t0043"]),
        services.ClassroomIn(_unit("BJ-YQ-S10-G04-C1"), users["t0046"]),
        services.ClassroomIn(_unit("BJ-MY-S12-G04-C1"), users["t0054"]),
    ]
    now = timezone.now().replace(second=0, microsecond=0)
    master = users["t0001"]
    common: dict[str, Any] = {
        "actor": master,
        "partnership": community,
        "host_school": _unit("BJ-HD-S01"),
        "minutes": 40,
        "classrooms": rooms,
    }
    # Yesterday's lesson, held: attendance, a quiz and questions for the reports.
    past = services.session_schedule(
        **common, lesson=lessons[2], title="观察叶（双师课堂）", starts_at=now
    )[0]
    start = now - timedelta(days=1)
    LiveSession.objects.filter(pk=past.pk).update(
        starts_at=start,
        ends_at=start + timedelta(minutes=40),
        status=SessionStatus.ENDED,
        started_at=start,
        ended_at=start + timedelta(minutes=41),
    )
    _history(past, start, master)
    # On now (the master's joining starts it), then a weekly series from tomorrow.
    services.session_schedule(
        **common,
        lesson=lessons[3],
        title=DEMO_LESSON,
        starts_at=now + timedelta(minutes=10),
    )
    tomorrow = (timezone.localtime(now) + timedelta(days=1)).replace(hour=10, minute=0)
    series = services.session_schedule(
        **common,
        lesson=lessons[4],
        title="科学·双师同步课",
        starts_at=tomorrow,
        weekly_until=(tomorrow + timedelta(weeks=7)).date(),
    )
    junior = CatalogueNode.objects.filter(kind="lesson", stage="junior", subject="math").first()
    assert junior is not None
    services.session_schedule(
        actor=users["t0013"],
        partnership=pair,
        host_school=_unit("BJ-HD-S03"),
        lesson=junior,
        title="正数和负数（专递课堂）",
        starts_at=tomorrow + timedelta(hours=4),
        minutes=45,
        classrooms=[services.ClassroomIn(_unit("BJ-YQ-S09-G07-C1"), users["t0043"])],
    )
    return {"partnerships": 2, "sessions": 3 + len(series)}


DEMO_LESSON = "这是谁的叶（双师课堂）"


def demo_lesson_now() -> LiveSession | None:
    """Make sure the demo has a lesson one can join now: when ``tongke demo`` starts on an
    existing data home, the seeded one may be long over. Returns the joinable lesson."""
    now = timezone.now()
    joinable = (
        LiveSession.objects.filter(
            master__username="t0001",
            status__in=[SessionStatus.SCHEDULED, SessionStatus.LIVE],
            starts_at__lte=now + services.JOIN_EARLY,
            ends_at__gte=now - services.JOIN_LATE,
        )
        .order_by("starts_at")
        .first()
    )
    if joinable is not None:
        return joinable
    held = LiveSession.objects.filter(title=DEMO_LESSON).order_by("-starts_at").first()
    if held is None:
        return None
    rooms = [services.ClassroomIn(c.klass, c.tutor) for c in held.classrooms.all()]
    try:
        return services.session_schedule(
            actor=held.master,
            partnership=held.partnership,
            host_school=held.host_school,
            lesson=held.lesson,
            title=DEMO_LESSON,
            starts_at=now.replace(second=0, microsecond=0) + timedelta(minutes=10),
            minutes=40,
            classrooms=rooms,
        )[0]
    except TongkeError:  # the master or a classroom is busy then: a lesson is on anyway
        return None


def _history(session: LiveSession, start: Any, master: Any) -> None:
    rooms = list(session.classrooms.select_related("klass"))
    Presence.objects.create(
        session=session,
        user=master,
        peer="master",
        channel="demo",
        joined_at=start,
        left_at=start + timedelta(minutes=41),
    )
    late = [0, 4, 0]
    for i, room in enumerate(rooms):
        joined = start + timedelta(minutes=late[i])
        if i == 2:  # a teaching point on a weak link dropped once and came back
            Presence.objects.create(
                session=session,
                classroom=room,
                user=room.tutor,
                peer=room.peer,
                channel="demo",
                joined_at=joined,
                left_at=joined + timedelta(minutes=12),
            )
            joined += timedelta(minutes=14)
        Presence.objects.create(
            session=session,
            classroom=room,
            user=room.tutor,
            peer=room.peer,
            channel="demo",
            joined_at=joined,
            left_at=start + timedelta(minutes=40),
        )
        room.students_present = [18, 9, 6][i]
        room.save(update_fields=["students_present"])
    quiz = LiveQuiz.objects.create(
        session=session,
        prompt="叶片上的叶脉主要有什么作用？",
        choices=["输送水分和养料", "让叶子变绿", "吸引昆虫", "储存种子"],
        correct=0,
        status=QuizStatus.CLOSED,
        closed_at=start + timedelta(minutes=25),
    )
    for room, counts in zip(rooms, [[14, 2, 1, 1], [6, 2, 1, 0], [3, 2, 0, 1]], strict=True):
        QuizAnswer.objects.create(quiz=quiz, classroom=room, responder=room.tutor, counts=counts)
    RoomMessage.objects.create(
        session=session,
        classroom=rooms[1],
        author=rooms[1].tutor,
        kind=MessageKind.QUESTION,
        text="松树的针叶也算叶子吗？",
        resolved_at=start + timedelta(minutes=30),
    )
    RoomMessage.objects.create(
        session=session,
        classroom=rooms[2],
        author=rooms[2].tutor,
        kind=MessageKind.HAND,
        resolved_at=start + timedelta(minutes=18),
    )
