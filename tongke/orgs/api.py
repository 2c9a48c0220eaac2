"""JSON API for regions, schools, classes, people, roles and "me"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from tongke.accounts.auth import PUBLIC, SIGNED_IN, actor_of
from tongke.accounts.models import User
from tongke.accounts.types import Viewer
from tongke.audit.selectors import audit_event_list
from tongke.core.pagination import PageParams, page_schema, paginate
from tongke.core.patches import patch_changes
from tongke.core.types import DbId
from tongke.orgs import errors, policies, selectors, services
from tongke.orgs.enums import LocationClass, Role, SchoolType, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment
from tongke.orgs.schemas import (
    AuditEventOut,
    ClassIn,
    ClassOut,
    ClassPatch,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    RegionIn,
    RegionOut,
    RegionPatch,
    RoleIn,
    RoleOut,
    SchoolCountsOut,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
)

router = Router(tags=["orgs"])


def _regions(units: list[OrgUnit]) -> list[Any]:
    parents = selectors.unit_ancestor_ids(units, 1)
    return [_fields(u) | {"level": u.region_level, "parent_id": parents[u.pk]} for u in units]


def _schools(units: list[OrgUnit]) -> list[Any]:
    regions = selectors.unit_ancestor_ids(units, 1)
    return [_fields(u) | {"region_id": regions[u.pk]} for u in units]


def _classes(units: list[OrgUnit]) -> list[Any]:
    schools = selectors.unit_ancestor_ids(units, 2)
    return [_fields(u) | {"school_id": schools[u.pk]} for u in units]


def _fields(u: OrgUnit) -> dict[str, Any]:
    return {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "name_en": u.name_en,
        "region_level": u.region_level,
        "school_type": u.school_type,
        "location_class": u.location_class,
        "bandwidth_mbps": u.bandwidth_mbps,
        "grade_level": u.grade_level,
        "is_active": u.is_active,
        "depth": u.depth,
    }


# --- Regions -------------------------------------------------------------------------------


class RegionFilter(PageParams):
    parent_id: DbId | None = None
    q: str | None = None


@router.get("/regions", response=page_schema(RegionOut), auth=PUBLIC, summary="List regions")
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> dict[str, Any]:
    parent = (
        policies.access_unit(request.user, filters.parent_id, UnitKind.REGION)
        if filters.parent_id
        else None
    )
    qs = selectors.unit_list(viewer=request.user, kind=UnitKind.REGION, parent=parent, q=filters.q)
    rows, frame = paginate(qs, filters)
    return frame | {"items": _regions(rows)}


@router.get("/regions/{int:region_id}", response=RegionOut, auth=PUBLIC, summary="One region")
def get_region(request: HttpRequest, region_id: int) -> Any:
    return _regions([policies.access_unit(request.user, region_id, UnitKind.REGION)])[0]


@router.post("/regions", response={201: RegionOut}, auth=SIGNED_IN, summary="Create a region")
def create_region(request: HttpRequest, payload: RegionIn) -> Status[Any]:
    parent = (
        policies.access_unit(request.user, payload.parent_id, UnitKind.REGION)
        if payload.parent_id
        else None
    )
    unit = services.unit_create(
        actor=actor_of(request),
        parent=parent,
        kind=UnitKind.REGION,
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        region_level=payload.level,
    )
    return Status(201, _regions([unit])[0])


@router.patch(
    "/regions/{int:region_id}", response=RegionOut, auth=SIGNED_IN, summary="Change a region"
)
def patch_region(request: HttpRequest, region_id: int, payload: RegionPatch) -> Any:
    unit = policies.access_unit(request.user, region_id, UnitKind.REGION)
    changes = patch_changes(payload, nullable=("bandwidth_mbps", "parent_id", "region_id"))
    new_parent_id = changes.pop("parent_id", None)
    if "level" in changes:
        changes["region_level"] = changes.pop("level")
    unit = _update_and_move(request, unit, changes, new_parent_id, UnitKind.REGION)
    return _regions([unit])[0]


def _update_and_move(
    request: HttpRequest,
    unit: OrgUnit,
    changes: dict[str, Any],
    new_parent_id: int | None,
    parent_kind: str,
) -> OrgUnit:
    # Both steps in one transaction: a refused move leaves the field changes unsaved too.
    with transaction.atomic():
        if changes:
            unit = services.unit_update(actor=actor_of(request), unit=unit, **changes)
        if new_parent_id is not None:
            parent = policies.access_unit(request.user, new_parent_id, parent_kind)
            unit = services.unit_move(actor=actor_of(request), unit=unit, new_parent=parent)
    return unit


# --- Schools -------------------------------------------------------------------------------


class SchoolFilter(PageParams):
    region_id: DbId | None = None
    school_type: SchoolType | None = None
    location_class: LocationClass | None = None
    q: str | None = None


@router.get("/schools", response=page_schema(SchoolOut), auth=PUBLIC, summary="List schools")
def list_schools(request: HttpRequest, filters: Query[SchoolFilter]) -> dict[str, Any]:
    within = (
        policies.access_unit(request.user, filters.region_id, UnitKind.REGION)
        if filters.region_id
        else None
    )
    qs = selectors.unit_list(
        viewer=request.user,
        kind=UnitKind.SCHOOL,
        within=within,
        q=filters.q,
        filters={"school_type": filters.school_type, "location_class": filters.location_class},
    )
    rows, frame = paginate(qs, filters)
    return frame | {"items": _schools(rows)}


class CountsFilter(Schema):
    model_config = ConfigDict(extra="forbid")
    region_id: DbId | None = None


@router.get(
    "/schools/counts",
    response=SchoolCountsOut,
    auth=PUBLIC,
    summary="School counts by type and location class",
)
def school_counts(request: HttpRequest, filters: Query[CountsFilter]) -> dict[str, Any]:
    within = (
        policies.access_unit(request.user, filters.region_id, UnitKind.REGION)
        if filters.region_id
        else None
    )
    counts = selectors.school_counts(viewer=request.user, within=within)
    return {"total": counts.total, "by_type": counts.by_type, "by_location": counts.by_location}


@router.get("/schools/{int:school_id}", response=SchoolOut, auth=PUBLIC, summary="One school")
def get_school(request: HttpRequest, school_id: int) -> Any:
    return _schools([policies.access_unit(request.user, school_id, UnitKind.SCHOOL)])[0]


@router.post("/schools", response={201: SchoolOut}, auth=SIGNED_IN, summary="Create a school")
def create_school(request: HttpRequest, payload: SchoolIn) -> Status[Any]:
    region = policies.access_unit(request.user, payload.region_id, UnitKind.REGION)
    unit = services.unit_create(
        actor=actor_of(request),
        parent=region,
        kind=UnitKind.SCHOOL,
        **payload.model_dump(exclude={"region_id"}),
    )
    return Status(201, _schools([unit])[0])


@router.patch(
    "/schools/{int:school_id}", response=SchoolOut, auth=SIGNED_IN, summary="Change a school"
)
def patch_school(request: HttpRequest, school_id: int, payload: SchoolPatch) -> Any:
    unit = policies.access_unit(request.user, school_id, UnitKind.SCHOOL)
    changes = patch_changes(payload, nullable=("bandwidth_mbps", "parent_id", "region_id"))
    new_region_id = changes.pop("region_id", None)
    unit = _update_and_move(request, unit, changes, new_region_id, UnitKind.REGION)
    return _schools([unit])[0]


# --- Classes -------------------------------------------------------------------------------


class ClassFilter(PageParams):
    school_id: DbId | None = None
    grade_level: int | None = None
    q: str | None = None


@router.get("/classes", response=page_schema(ClassOut), auth=SIGNED_IN, summary="List classes")
def list_classes(request: HttpRequest, filters: Query[ClassFilter]) -> dict[str, Any]:
    within = (
        policies.access_unit(request.user, filters.school_id, UnitKind.SCHOOL)
        if filters.school_id
        else None
    )
    qs = selectors.unit_list(
        viewer=request.user,
        kind=UnitKind.CLASS,
        within=within,
        q=filters.q,
        filters={"grade_level": filters.grade_level},
    )
    rows, frame = paginate(qs, filters)
    return frame | {"items": _classes(rows)}


@router.get("/classes/{int:class_id}", response=ClassOut, auth=SIGNED_IN, summary="One class")
def get_class(request: HttpRequest, class_id: int) -> Any:
    return _classes([policies.access_unit(request.user, class_id, UnitKind.CLASS)])[0]


@router.post("/classes", response={201: ClassOut}, auth=SIGNED_IN, summary="Create a class")
def create_class(request: HttpRequest, payload: ClassIn) -> Status[Any]:
    school = policies.access_unit(request.user, payload.school_id, UnitKind.SCHOOL)
    with transaction.atomic():
        grade = services.grade_for(
            actor=actor_of(request), school=school, grade_level=payload.grade_level
        )
        unit = services.unit_create(
            actor=actor_of(request),
            parent=grade,
            kind=UnitKind.CLASS,
            code=payload.code,
            name=payload.name,
            grade_level=payload.grade_level,
        )
    return Status(201, _classes([unit])[0])


@router.patch(
    "/classes/{int:class_id}", response=ClassOut, auth=SIGNED_IN, summary="Change a class"
)
def patch_class(request: HttpRequest, class_id: int, payload: ClassPatch) -> Any:
    unit = policies.access_unit(request.user, class_id, UnitKind.CLASS)
    changes = patch_changes(payload, nullable=("bandwidth_mbps", "parent_id", "region_id"))
    unit = services.unit_update(actor=actor_of(request), unit=unit, **changes)
    return _classes([unit])[0]


@router.get(
    "/classes/{int:class_id}/students",
    response=page_schema(PersonOut),
    auth=SIGNED_IN,
    summary="The students of a class",
)
def list_class_students(
    request: HttpRequest, class_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    klass = policies.access_unit(request.user, class_id, UnitKind.CLASS)
    rows, frame = paginate(selectors.class_students(viewer=request.user, klass=klass), page)
    return frame | {"items": rows}


# --- People and roles ----------------------------------------------------------------------


def _role_out(r: RoleAssignment) -> dict[str, Any]:
    return {
        "id": r.pk,
        "user_id": r.user_id,
        "role": r.role,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name if r.unit else None,
        "unit_kind": r.unit.kind if r.unit else None,
        "subject_id": r.subject_id,
        "created_at": r.created_at,
    }


def _person_detail(viewer: Viewer, person: User) -> dict[str, Any]:
    roles = selectors.role_list(viewer=viewer, person=person)
    show_contact = viewer.pk == person.pk or policies.can_edit_user(viewer, person)
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "is_active": person.is_active,
        "email": person.email if show_contact else "",
        "phone": person.phone if show_contact else "",
        "roles": [_role_out(r) for r in roles],
    }


class PersonFilter(PageParams):
    role: Role | None = None
    unit_id: DbId | None = None
    q: str | None = None


@router.get("/people", response=page_schema(PersonOut), auth=SIGNED_IN, summary="List people")
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> dict[str, Any]:
    unit = policies.access_unit(request.user, filters.unit_id) if filters.unit_id else None
    qs = selectors.person_list(viewer=request.user, role=filters.role, unit=unit, q=filters.q)
    rows, frame = paginate(qs.only("id", "username", "full_name", "is_active"), filters)
    return frame | {"items": rows}


@router.get(
    "/people/{int:person_id}", response=PersonDetailOut, auth=SIGNED_IN, summary="One person"
)
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = policies.access_user(request.user, person_id)
    return _person_detail(request.user, person)


@router.post("/people", response={201: PersonDetailOut}, auth=SIGNED_IN, summary="Create a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Any]:
    fields = payload.model_dump(exclude={"unit_id", "subject_id"})
    unit = policies.access_unit(request.user, payload.unit_id) if payload.unit_id else None
    subject = policies.access_user(request.user, payload.subject_id) if payload.subject_id else None
    person = services.person_create(actor=actor_of(request), unit=unit, subject=subject, **fields)
    return Status(201, _person_detail(request.user, person))


@router.patch(
    "/people/{int:person_id}", response=PersonDetailOut, auth=SIGNED_IN, summary="Change a person"
)
def patch_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    person = policies.access_user(request.user, person_id)
    changes = patch_changes(payload, nullable=("bandwidth_mbps", "parent_id", "region_id"))
    person = services.person_update(actor=actor_of(request), person=person, **changes)
    return _person_detail(request.user, person)


class RoleFilter(PageParams):
    user_id: DbId | None = None
    unit_id: DbId | None = None
    role: Role | None = None


@router.get("/roles", response=page_schema(RoleOut), auth=SIGNED_IN, summary="List roles")
def list_roles(request: HttpRequest, filters: Query[RoleFilter]) -> dict[str, Any]:
    person = policies.access_user(request.user, filters.user_id) if filters.user_id else None
    unit = policies.access_unit(request.user, filters.unit_id) if filters.unit_id else None
    qs = selectors.role_list(viewer=request.user, person=person, unit=unit, role=filters.role)
    rows, frame = paginate(qs, filters)
    return frame | {"items": [_role_out(r) for r in rows]}


@router.post("/roles", response={201: RoleOut}, auth=SIGNED_IN, summary="Give a person a role")
def create_role(request: HttpRequest, payload: RoleIn) -> Status[Any]:
    person = policies.access_user(request.user, payload.user_id)
    unit = policies.access_unit(request.user, payload.unit_id) if payload.unit_id else None
    subject = policies.access_user(request.user, payload.subject_id) if payload.subject_id else None
    role = services.role_grant(
        actor=actor_of(request), person=person, role=payload.role, unit=unit, subject=subject
    )
    return Status(201, _role_out(role))


@router.delete(
    "/roles/{int:role_id}", response={204: None}, auth=SIGNED_IN, summary="Take a role away"
)
def delete_role(request: HttpRequest, role_id: int) -> Status[Any]:
    role = policies.access_role(request.user, role_id)
    services.role_revoke(actor=actor_of(request), assignment=role)
    return Status(204, None)


@router.get("/me", response=PersonDetailOut, auth=SIGNED_IN, summary="The signed-in person")
def me(request: HttpRequest) -> dict[str, Any]:
    me = actor_of(request)
    return _person_detail(me, me)


# --- Audit log, read by scope ---------------------------------------------------------------


class AuditFilter(PageParams):
    action: str | None = Field(None, max_length=64)
    target_type: str | None = Field(None, max_length=64)
    target_id: str | None = Field(None, max_length=64)
    actor_id: DbId | None = None
    since: datetime | None = None
    until: datetime | None = None


@router.get(
    "/audit",
    response=page_schema(AuditEventOut),
    auth=SIGNED_IN,
    summary="Audit events in my scope (admins)",
)
def list_audit(request: HttpRequest, filters: Query[AuditFilter]) -> dict[str, Any]:
    if not policies.can_read_audit(request.user):
        raise errors.forbidden()
    qs = audit_event_list(
        visible=policies.audit_visible_to(request.user),
        **filters.model_dump(exclude={"limit", "offset"}),
    )
    rows, frame = paginate(qs, filters)
    return frame | {"items": rows}
