"""JSON API of cross-school course selection (/api/v1/courses/...)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Header, Query, Router, Status

from tongke.accounts.auth import SIGNED_IN, actor_of
from tongke.core.errors import Invalid
from tongke.core.pagination import PageParams, page_schema, paginate
from tongke.core.patches import patch_changes
from tongke.courses import errors, policies, selectors, services
from tongke.courses.enums import SelectionStatus
from tongke.courses.models import ExternalResult, Offering, Selection, SelectionRound
from tongke.courses.schemas import (
    BulkDecisionIn,
    BulkDecisionOut,
    DecisionIn,
    DrawOut,
    FillRow,
    HomeTimetableIn,
    HomeTimetableOut,
    OfferingFilter,
    OfferingIn,
    OfferingOut,
    OfferingPatch,
    PreferencesIn,
    PreferencesOut,
    ResultFilter,
    ResultIn,
    ResultOut,
    RosterFilter,
    RoundIn,
    RoundOut,
    RoundPatch,
    SelectionFilter,
    SelectionIn,
    SelectionOut,
    SlotOut,
    SlotSchema,
)
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind

router = Router(tags=["courses"])


def _round_out(r: SelectionRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "scope_id": r.scope_id,
        "scope_name": r.scope.name,
        "name": r.name,
        "mode": r.mode,
        "status": r.status,
        "is_open": services.round_is_open(r),
        "opens_at": r.opens_at,
        "closes_at": r.closes_at,
        "drop_until": r.drop_until,
        "max_sections": r.max_sections,
        "max_credits": r.max_credits,
        "max_choices": r.max_choices,
        "rural_priority": r.rural_priority,
        "drawn_at": r.drawn_at,
    }


def _offering_out(o: Offering) -> dict[str, Any]:
    return {
        "id": o.pk,
        "round_id": o.round_id,
        "host_school_id": o.host_school_id,
        "host_school_name": o.host_school.name,
        "code": o.code,
        "title": o.title,
        "title_en": o.title_en,
        "description": o.description,
        "subject": o.subject,
        "teacher_id": o.teacher_id,
        "teacher_name": o.teacher.full_name if o.teacher else None,
        "mode": o.mode,
        "seats": o.seats,
        "taken": o.taken,
        "seats_left": o.seats_left,
        "waitlist": getattr(o, "waitlist", 0),
        "open_to_id": o.open_to_id,
        "grade_min": o.grade_min,
        "grade_max": o.grade_max,
        "school_types": o.school_types,
        "prerequisites": o.prerequisites,
        "credits": o.credits,
        "hours": o.hours,
        "slots": [SlotOut.from_orm(s).model_dump() for s in o.slots.all()],
    }


def _selection_out(s: Selection, positions: dict[int, int]) -> dict[str, Any]:
    return {
        "id": s.pk,
        "student_id": s.student_id,
        "student_name": s.student.full_name,
        "offering_id": s.offering_id,
        "offering_code": s.offering.code,
        "offering_title": s.offering.title,
        "host_school_name": s.offering.host_school.name,
        "round_id": s.round_id,
        "status": s.status,
        "waitlist_position": positions.get(s.pk),
        "home_school_id": s.home_school_id,
        "approve_by": s.approve_by,
        "created_at": s.created_at,
    }


def _slots(items: list[SlotSchema]) -> list[services.SlotIn]:
    return [services.SlotIn(s.weekday, s.starts, s.ends, s.label) for s in items]


# --- Rounds ------------------------------------------------------------------------------


@router.get(
    "/courses/rounds",
    response=page_schema(RoundOut),
    auth=SIGNED_IN,
    summary="Selection rounds I take part in or run",
)
def list_rounds(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    rows, frame = paginate(selectors.round_list(viewer=request.user), page)
    return frame | {"items": [_round_out(r) for r in rows]}


@router.post(
    "/courses/rounds", response={201: RoundOut}, auth=SIGNED_IN, summary="Set up a selection round"
)
def create_round(request: HttpRequest, payload: RoundIn) -> Status[Any]:
    scope = org_policies.access_unit(request.user, payload.scope_id)
    fields = payload.model_dump(exclude={"scope_id"})
    if fields["lottery_seed"] is None:
        fields.pop("lottery_seed")
    rnd = services.round_create(actor=actor_of(request), scope=scope, **fields)
    return Status(201, _round_out(rnd))


@router.get(
    "/courses/rounds/{int:round_id}", response=RoundOut, auth=SIGNED_IN, summary="One round"
)
def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    return _round_out(policies.access_round(request.user, round_id))


@router.patch(
    "/courses/rounds/{int:round_id}",
    response=RoundOut,
    auth=SIGNED_IN,
    summary="Change, open or close a round",
)
def patch_round(request: HttpRequest, round_id: int, payload: RoundPatch) -> dict[str, Any]:
    rnd = policies.access_round(request.user, round_id)
    changes = patch_changes(payload)
    return _round_out(services.round_update(actor=actor_of(request), rnd=rnd, **changes))


@router.get(
    "/courses/rounds/{int:round_id}/fill",
    response=list[FillRow],
    auth=SIGNED_IN,
    summary="Live fill of every section (round admins)",
)
def round_fill(request: HttpRequest, round_id: int) -> list[dict[str, Any]]:
    rnd = policies.access_round(request.user, round_id)
    if not policies.can_manage_round(request.user, rnd):
        raise errors.forbidden()
    return selectors.fill_view(rnd=rnd)


@router.post(
    "/courses/rounds/{int:round_id}/draw",
    response=DrawOut,
    auth=SIGNED_IN,
    summary="Draw a lottery round",
)
def draw_round(request: HttpRequest, round_id: int) -> dict[str, int]:
    rnd = policies.access_round(request.user, round_id)
    result = services.lottery_draw(actor=actor_of(request), rnd=rnd)
    return {
        "enrolled": result.enrolled,
        "waitlisted": result.waitlisted,
        "unplaced": result.unplaced,
    }


@router.put(
    "/courses/rounds/{int:round_id}/preferences",
    response=PreferencesOut,
    auth=SIGNED_IN,
    summary="Rank my choices (lottery rounds)",
)
def set_preferences(request: HttpRequest, round_id: int, payload: PreferencesIn) -> dict[str, Any]:
    rnd = policies.access_round(request.user, round_id)
    offerings = [policies.access_offering(request.user, pk) for pk in payload.offering_ids]
    services.preferences_set(actor=actor_of(request), rnd=rnd, offerings=offerings)
    return {"round_id": rnd.pk, "offering_ids": [o.pk for o in offerings]}


# --- Offerings ---------------------------------------------------------------------------


@router.get(
    "/courses/offerings",
    response=page_schema(OfferingOut),
    auth=SIGNED_IN,
    summary="The catalogue of sections",
)
def list_offerings(request: HttpRequest, filters: Query[OfferingFilter]) -> dict[str, Any]:
    rnd = policies.access_round(request.user, filters.round_id) if filters.round_id else None
    qs = selectors.offering_list(
        viewer=request.user,
        rnd=rnd,
        subject=filters.subject,
        mode=filters.mode,
        host_school_id=filters.host_school_id,
        q=filters.q,
        with_seats=filters.with_seats,
    )
    rows, frame = paginate(qs, filters)
    return frame | {"items": [_offering_out(o) for o in rows]}


@router.post(
    "/courses/offerings", response={201: OfferingOut}, auth=SIGNED_IN, summary="Offer a section"
)
def create_offering(request: HttpRequest, payload: OfferingIn) -> Status[Any]:
    rnd = policies.access_round(request.user, payload.round_id)
    host = org_policies.access_unit(request.user, payload.host_school_id, UnitKind.SCHOOL)
    teacher = (
        org_policies.access_user(request.user, payload.teacher_id) if payload.teacher_id else None
    )
    open_to = (
        org_policies.access_unit(request.user, payload.open_to_id, UnitKind.REGION)
        if payload.open_to_id
        else None
    )
    if payload.grade_min > payload.grade_max:
        raise Invalid(
            code="courses.grade_range",
            detail={"grade_min": payload.grade_min, "grade_max": payload.grade_max},
        )
    fields = payload.model_dump(
        exclude={"round_id", "host_school_id", "teacher_id", "open_to_id", "slots"}
    )
    fields["school_types"] = [str(t) for t in fields["school_types"]]
    offering = services.offering_create(
        actor=actor_of(request),
        rnd=rnd,
        host_school=host,
        teacher=teacher,
        open_to=open_to,
        slots=_slots(payload.slots),
        **fields,
    )
    return Status(201, _offering_out(offering))


@router.get(
    "/courses/offerings/{int:offering_id}",
    response=OfferingOut,
    auth=SIGNED_IN,
    summary="One section",
)
def get_offering(request: HttpRequest, offering_id: int) -> dict[str, Any]:
    return _offering_out(policies.access_offering(request.user, offering_id))


@router.patch(
    "/courses/offerings/{int:offering_id}",
    response=OfferingOut,
    auth=SIGNED_IN,
    summary="Change a section",
)
def patch_offering(
    request: HttpRequest, offering_id: int, payload: OfferingPatch
) -> dict[str, Any]:
    offering = policies.access_offering(request.user, offering_id)
    changes = patch_changes(payload)
    services.offering_update(actor=actor_of(request), offering=offering, **changes)
    return _offering_out(policies.access_offering(request.user, offering_id))


@router.get(
    "/courses/offerings/{int:offering_id}/roster",
    response=page_schema(SelectionOut),
    auth=SIGNED_IN,
    summary="Who is in a section (host teacher and admins)",
)
def offering_roster(
    request: HttpRequest, offering_id: int, filters: Query[RosterFilter]
) -> dict[str, Any]:
    offering = policies.access_offering(request.user, offering_id)
    if not policies.can_see_roster(request.user, offering):
        raise errors.forbidden()
    qs = selectors.selection_list(viewer=request.user, offering=offering, status=filters.status)
    rows, frame = paginate(qs, filters)
    positions = selectors.waitlist_positions(rows)
    return frame | {"items": [_selection_out(s, positions) for s in rows]}


@router.post(
    "/courses/offerings/{int:offering_id}/results",
    response={201: ResultOut},
    auth=SIGNED_IN,
    summary="Record a student's result",
)
def record_result(request: HttpRequest, offering_id: int, payload: ResultIn) -> Status[Any]:
    offering = policies.access_offering(request.user, offering_id)
    student = org_policies.access_user(request.user, payload.student_id)
    result = services.result_record(
        actor=actor_of(request),
        offering=offering,
        student=student,
        grade=payload.grade,
        score=payload.score,
        passed=payload.passed,
    )
    return Status(201, _result_out(result))


# --- Selections --------------------------------------------------------------------------


@router.post(
    "/courses/selections",
    response={200: SelectionOut, 201: SelectionOut},
    auth=SIGNED_IN,
    summary="Choose a section (first-come rounds)",
    description="Send an `Idempotency-Key` header (up to 64 characters): a retried request with "
    "the same key returns the first answer (200) instead of choosing twice.",
)
def create_selection(
    request: HttpRequest,
    payload: SelectionIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=64, min_length=1
    ),
) -> Status[Any]:
    offering = policies.access_offering(request.user, payload.offering_id)
    picked = services.selection_create(
        actor=actor_of(request),
        offering=offering,
        idempotency_key=idempotency_key,
        waitlist=payload.waitlist,
    )
    s = picked.selection
    positions = (
        {s.pk: selectors.waitlist_position(s)} if s.status == SelectionStatus.WAITLISTED else {}
    )
    full = selectors.selection_list(viewer=request.user).get(pk=s.pk)
    return Status(200 if picked.replayed else 201, _selection_out(full, positions))  # type: ignore[arg-type]


@router.get(
    "/courses/selections",
    response=page_schema(SelectionOut),
    auth=SIGNED_IN,
    summary="Selections I may see (mine, my children's, my school's)",
)
def list_selections(request: HttpRequest, filters: Query[SelectionFilter]) -> dict[str, Any]:
    rnd = policies.access_round(request.user, filters.round_id) if filters.round_id else None
    qs = selectors.selection_list(
        viewer=request.user,
        student_id=filters.student_id,
        rnd=rnd,
        status=filters.status,
        home_school_id=filters.home_school_id,
    )
    rows, frame = paginate(qs, filters)
    positions = selectors.waitlist_positions(rows)
    return frame | {"items": [_selection_out(s, positions) for s in rows]}


@router.delete(
    "/courses/selections/{int:selection_id}",
    response={200: SelectionOut},
    auth=SIGNED_IN,
    summary="Drop a section",
)
def drop_selection(request: HttpRequest, selection_id: int) -> dict[str, Any]:
    selection = policies.access_selection(request.user, selection_id)
    dropped = services.selection_drop(actor=actor_of(request), selection=selection)
    return _selection_out(policies.access_selection(request.user, dropped.pk), {})


@router.post(
    "/courses/selections/{int:selection_id}/decision",
    response=SelectionOut,
    auth=SIGNED_IN,
    summary="Approve or refuse a pick (home school)",
)
def decide_selection(
    request: HttpRequest, selection_id: int, payload: DecisionIn
) -> dict[str, Any]:
    selection = policies.access_selection(request.user, selection_id)
    services.selection_decide(actor=actor_of(request), selection=selection, approve=payload.approve)
    return _selection_out(policies.access_selection(request.user, selection_id), {})


@router.post(
    "/courses/selections/decisions",
    response=BulkDecisionOut,
    auth=SIGNED_IN,
    summary="Approve or refuse many picks at once",
)
def decide_bulk(request: HttpRequest, payload: BulkDecisionIn) -> dict[str, int]:
    selections = [policies.access_selection(request.user, pk) for pk in payload.ids]
    return {
        "decided": services.selections_decide_bulk(
            actor=actor_of(request), selections=selections, approve=payload.approve
        )
    }


# --- Results and home timetables -----------------------------------------------------------


def _result_out(r: ExternalResult) -> dict[str, Any]:
    return {
        "id": r.pk,
        "student_id": r.student_id,
        "student_name": r.student.full_name,
        "offering_id": r.offering_id,
        "course_code": r.course_code,
        "course_title": r.course_title,
        "home_school_id": r.home_school_id,
        "host_school_id": r.host_school_id,
        "host_school_name": r.host_school.name,
        "grade": r.grade,
        "score": r.score,
        "passed": r.passed,
        "credits": r.credits,
        "hours": r.hours,
        "supersedes_id": r.supersedes_id,
        "recorded_at": r.recorded_at,
    }


@router.get(
    "/courses/results",
    response=page_schema(ResultOut),
    auth=SIGNED_IN,
    summary="Results earned at other schools",
)
def list_results(request: HttpRequest, filters: Query[ResultFilter]) -> dict[str, Any]:
    qs = selectors.result_list(
        viewer=request.user, student_id=filters.student_id, home_school_id=filters.home_school_id
    )
    rows, frame = paginate(qs, filters)
    return frame | {"items": [_result_out(r) for r in rows]}


@router.get(
    "/courses/home-timetables/{int:class_id}",
    response=HomeTimetableOut,
    auth=SIGNED_IN,
    summary="A class's fixed home timetable",
)
def get_home_timetable(request: HttpRequest, class_id: int) -> dict[str, Any]:
    klass = org_policies.access_unit(request.user, class_id, UnitKind.CLASS)
    return {"class_id": klass.pk, "slots": list(selectors.home_slots(klass=klass))}


@router.put(
    "/courses/home-timetables/{int:class_id}",
    response=HomeTimetableOut,
    auth=SIGNED_IN,
    summary="Set a class's fixed home timetable",
)
def put_home_timetable(
    request: HttpRequest, class_id: int, payload: HomeTimetableIn
) -> dict[str, Any]:
    klass = org_policies.access_unit(request.user, class_id, UnitKind.CLASS)
    slots = services.home_slots_set(
        actor=actor_of(request), klass=klass, slots=_slots(payload.slots)
    )
    return {"class_id": klass.pk, "slots": slots}
