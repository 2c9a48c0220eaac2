"""JSON API of live classes (/api/v1/live/...). The room itself is a WebSocket
(``/ws/live/<session>/``, see consumers.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from tongke.accounts.auth import SIGNED_IN, actor_of
from tongke.core.errors import Invalid
from tongke.core.pagination import PageParams, page_schema, paginate
from tongke.core.types import IsoDateTime
from tongke.library import selectors as library_selectors
from tongke.live import policies, selectors, services
from tongke.live.models import Classroom, LiveSession, Partnership
from tongke.live.schemas import (
    AttendanceOut,
    CalendarOut,
    CancelIn,
    PartnershipDetailOut,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
    ReportOut,
    SessionIn,
    SessionOut,
)
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind

router = Router(tags=["live"])
MAX_RANGE = timedelta(days=62)


def _ref(unit: Any) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name}


def _partnership_out(p: Partnership) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "name": p.name,
        "region": _ref(p.region),
        "lead_school": _ref(p.lead_school),
        "members": [_ref(m.school) for m in p.members.all()],
        "active": p.active,
    }


def _classroom_out(c: Classroom) -> dict[str, Any]:
    return {
        "id": c.pk,
        "class_id": c.klass_id,
        "class_name": c.klass.name,
        "school": _ref(c.school),
        "tutor_id": c.tutor_id,
        "tutor_name": c.tutor.full_name or c.tutor.username,
        "students_present": c.students_present,
        "mode": c.mode,
    }


def _session_out(s: LiveSession, rooms: list[Classroom] | None = None) -> dict[str, Any]:
    return {
        "id": s.pk,
        "partnership_id": s.partnership_id,
        "title": s.title,
        "master_id": s.master_id,
        "master_name": s.master.full_name or s.master.username,
        "host_school": _ref(s.host_school),
        "lesson_id": s.lesson_id,
        "lesson_name": s.lesson.name,
        "subject": s.subject,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "status": s.status,
        "series": str(s.series) if s.series else None,
        "recording_id": s.recording_id,
        "classrooms": [
            _classroom_out(c) for c in (rooms if rooms is not None else s.classrooms.all())
        ],
        "room_url": reverse("live:room", args=[s.pk]),
    }


def _attendance_out(a: selectors.Attendance) -> dict[str, Any]:
    c = a.classroom
    return {
        "classroom_id": c.pk,
        "classroom": f"{c.school.name} {c.klass.name}",
        "first_joined": a.first_joined,
        "last_left": a.last_left,
        "minutes": a.minutes,
        "connections": a.connections,
        "online": a.online,
        "students_present": c.students_present,
        "phones": a.phones,
    }


# --- Partnerships ----------------------------------------------------------------------------


@router.get(
    "/live/partnerships",
    response=page_schema(PartnershipOut),
    auth=SIGNED_IN,
    summary="School pairs and communities I belong to or run",
)
def list_partnerships(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    rows, frame = paginate(selectors.partnership_list(request.user), page)
    return frame | {"items": [_partnership_out(p) for p in rows]}


def _schools(user: Any, ids: list[int]) -> list[Any]:
    return [org_policies.access_unit(user, pk, UnitKind.SCHOOL) for pk in ids]


@router.post(
    "/live/partnerships",
    response={201: PartnershipOut},
    auth=SIGNED_IN,
    summary="Pair a strong school with weaker schools (regional admins)",
)
def create_partnership(request: HttpRequest, payload: PartnershipIn) -> Status[Any]:
    region = org_policies.access_unit(request.user, payload.region_id, UnitKind.REGION)
    made = services.partnership_create(
        actor=actor_of(request),
        region=region,
        kind=payload.kind,
        name=payload.name,
        lead_school=_schools(request.user, [payload.lead_school_id])[0],
        members=_schools(request.user, payload.member_ids),
        note=payload.note,
    )
    return Status(201, _partnership_out(made))


@router.get(
    "/live/partnerships/{int:partnership_id}",
    response=PartnershipDetailOut,
    auth=SIGNED_IN,
    summary="One partnership with its outcomes per partner school",
)
def get_partnership(request: HttpRequest, partnership_id: int) -> dict[str, Any]:
    p = policies.access_partnership(request.user, partnership_id)
    outcomes = selectors.partnership_outcomes(p)
    return _partnership_out(p) | {
        "scheduled": outcomes["scheduled"],
        "held": outcomes["held"],
        "upcoming": outcomes["upcoming"],
        "outcomes": [
            {
                "school": _ref(o.school),
                "lessons": o.lessons,
                "minutes": o.minutes,
                "answered": o.answered,
                "correct": o.correct,
            }
            for o in outcomes["schools"]
        ],
    }


@router.patch(
    "/live/partnerships/{int:partnership_id}",
    response=PartnershipOut,
    auth=SIGNED_IN,
    summary="Rename, (de)activate, add or remove partner schools",
)
def patch_partnership(
    request: HttpRequest, partnership_id: int, payload: PartnershipPatch
) -> dict[str, Any]:
    p = policies.access_partnership(request.user, partnership_id)
    updated = services.partnership_update(
        actor=actor_of(request),
        partnership=p,
        name=payload.name,
        active=payload.active,
        add=_schools(request.user, payload.add_ids),
        remove=_schools(request.user, payload.remove_ids),
    )
    return _partnership_out(updated)


# --- Sessions --------------------------------------------------------------------------------


class RangeParams(Schema):
    model_config = ConfigDict(extra="forbid")

    start: IsoDateTime | None = None
    end: IsoDateTime | None = None


@router.get(
    "/live/calendar",
    response=list[CalendarOut],
    auth=SIGNED_IN,
    summary="My live lessons between two moments (default: this week; at most 62 days)",
)
def calendar(request: HttpRequest, span: Query[RangeParams]) -> list[dict[str, Any]]:
    start, end = selectors.week_bounds()
    start = span.start or start
    end = span.end or (start + timedelta(days=7))
    if end <= start or end - start > MAX_RANGE:
        raise Invalid(_("Ask for up to 62 days, end after start."), code="live.bad_range")
    return [
        {
            "session": _session_out(e.session),
            "part": e.part,
            "classroom_id": e.classroom.pk if e.classroom else None,
            "child": e.child,
        }
        for e in selectors.calendar(request.user, start, end)
    ]


@router.post(
    "/live/sessions",
    response={201: list[SessionOut]},
    auth=SIGNED_IN,
    summary="Schedule a master's lesson (or a weekly series) for receiving classrooms",
)
def create_session(request: HttpRequest, payload: SessionIn) -> Status[Any]:
    p = policies.access_partnership(request.user, payload.partnership_id)
    host = org_policies.access_unit(request.user, payload.host_school_id, UnitKind.SCHOOL)
    master = (
        selectors.partner_teacher(p, payload.master_id)
        if payload.master_id is not None
        else actor_of(request)
    )
    rooms = [
        services.ClassroomIn(
            klass=selectors.partner_class(p, c.class_id),
            tutor=selectors.partner_teacher(p, c.tutor_id),
        )
        for c in payload.classrooms
    ]
    made = services.session_schedule(
        actor=actor_of(request),
        partnership=p,
        host_school=host,
        lesson=library_selectors.node_get(payload.lesson_id),
        title=payload.title,
        starts_at=payload.starts_at,
        minutes=payload.minutes,
        classrooms=rooms,
        master=master,
        weekly_until=payload.weekly_until,
    )
    return Status(201, [_session_out(s) for s in made])


@router.get(
    "/live/sessions/{int:session_id}", response=SessionOut, auth=SIGNED_IN, summary="One lesson"
)
def get_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    s = policies.access_session(request.user, session_id)
    return _session_out(s, selectors.visible_classrooms(request.user, s))


@router.post(
    "/live/sessions/{int:session_id}/cancel",
    response=SessionOut,
    auth=SIGNED_IN,
    summary="Cancel a lesson (or it and the rest of its series)",
)
def cancel_session(request: HttpRequest, session_id: int, payload: CancelIn) -> dict[str, Any]:
    s = policies.access_session(request.user, session_id)
    services.session_cancel(actor=actor_of(request), session=s, following=payload.following)
    s.refresh_from_db()
    return _session_out(s)


@router.get(
    "/live/sessions/{int:session_id}/attendance",
    response=list[AttendanceOut],
    auth=SIGNED_IN,
    summary="Attendance per receiving classroom (the ones you may see)",
)
def attendance(request: HttpRequest, session_id: int) -> list[dict[str, Any]]:
    s = policies.access_session(request.user, session_id)
    rooms = {c.pk for c in selectors.visible_classrooms(request.user, s)}
    return [_attendance_out(a) for a in selectors.attendance(s) if a.classroom.pk in rooms]


@router.get(
    "/live/sessions/{int:session_id}/classrooms/{int:classroom_id}/report",
    response=ReportOut,
    auth=SIGNED_IN,
    summary="The post-class report of one receiving classroom",
)
def report(request: HttpRequest, session_id: int, classroom_id: int) -> dict[str, Any]:
    s = policies.access_session(request.user, session_id)
    room = selectors.visible_classroom(request.user, s, classroom_id)
    r = selectors.classroom_report(s, room)
    return {
        "session_id": s.pk,
        "classroom_id": room.pk,
        "attendance": _attendance_out(r.attendance),
        "quizzes": [
            {
                "quiz_id": q.quiz.pk,
                "prompt": q.quiz.prompt,
                "choices": q.quiz.choices,
                "correct": q.quiz.correct,
                "counts": q.counts,
                "answered": q.answered,
                "right": q.correct,
            }
            for q in r.quizzes
        ],
        "questions": [
            {"id": m.pk, "text": m.text, "at": m.created_at, "answered": m.resolved_at is not None}
            for m in r.questions
        ],
        "hands": r.hands,
    }
