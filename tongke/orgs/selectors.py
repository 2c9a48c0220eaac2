"""Reads of the org tree, people and roles. Each list starts from a ``*_visible_to`` filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from tongke.accounts.models import User
from tongke.accounts.types import Viewer
from tongke.orgs import policies
from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment


def unit_list(
    *,
    viewer: Viewer,
    kind: str | None = None,
    within: OrgUnit | None = None,
    parent: OrgUnit | None = None,
    q: str | None = None,
    filters: dict[str, Any] | None = None,
) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.filter(policies.unit_visible_to(viewer))
    if kind:
        qs = qs.filter(kind=kind)
    if within is not None:
        qs = qs.filter(path__startswith=within.path).exclude(pk=within.pk)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    if filters:
        qs = qs.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
    return qs.order_by("path")


def unit_roots(*, viewer: Viewer) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(policies.unit_visible_to(viewer), depth=1).order_by("path")


def unit_ancestor_ids(units: list[OrgUnit], levels_up: int) -> dict[int, int | None]:
    """For each unit, the id of its ancestor ``levels_up`` steps above (one query)."""
    step = OrgUnit.steplen
    wanted = {u.pk: u.path[: -step * levels_up] for u in units if len(u.path) > step * levels_up}
    found = dict(OrgUnit.objects.filter(path__in=set(wanted.values())).values_list("path", "id"))
    return {u.pk: found.get(wanted.get(u.pk, "")) for u in units}


def unit_parent_map(units: list[OrgUnit]) -> dict[str, OrgUnit]:
    """The parents of ``units`` by path, in one query (for lists that show a parent)."""
    parent_paths = {u.path[: -OrgUnit.steplen] for u in units if u.depth > 1}
    return {p.path: p for p in OrgUnit.objects.filter(path__in=parent_paths)}


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    paths = [unit.path[:n] for n in range(OrgUnit.steplen, len(unit.path), OrgUnit.steplen)]
    return list(OrgUnit.objects.filter(path__in=paths).order_by("depth"))


@dataclass
class SchoolCounts:
    total: int
    by_type: dict[str, int]
    by_location: dict[str, int]
    by_type_location: dict[tuple[str, str], int]


def school_counts(*, viewer: Viewer, within: OrgUnit | None = None) -> SchoolCounts:
    qs = unit_list(viewer=viewer, kind=UnitKind.SCHOOL, within=within)
    rows = qs.order_by().values("school_type", "location_class").annotate(n=Count("id"))
    by_type: dict[str, int] = {}
    by_location: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        by_type[row["school_type"]] = by_type.get(row["school_type"], 0) + row["n"]
        by_location[row["location_class"]] = by_location.get(row["location_class"], 0) + row["n"]
        pairs[(row["school_type"], row["location_class"])] = row["n"]
    return SchoolCounts(sum(by_type.values()), by_type, by_location, pairs)


def people_counts(*, within: OrgUnit) -> dict[str, int]:
    """How many distinct people hold each role under ``within`` (callers check access)."""
    rows = (
        RoleAssignment.objects.filter(unit__path__startswith=within.path)
        .values("role")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {row["role"]: row["n"] for row in rows}


def person_list(
    *,
    viewer: Viewer,
    role: str | None = None,
    unit: OrgUnit | None = None,
    q: str | None = None,
) -> QuerySet[Any]:
    User = get_user_model()
    qs = User.objects.filter(policies.user_visible_to(viewer))
    if role or unit is not None:
        roles = RoleAssignment.objects.all()
        if role:
            roles = roles.filter(role=role)
        if unit is not None:
            roles = roles.filter(unit__path__startswith=unit.path)
        qs = qs.filter(pk__in=roles.values("user_id"))
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q))
    return qs.order_by("full_name", "pk")


def role_list(
    *,
    viewer: Viewer,
    person: User | None = None,
    unit: OrgUnit | None = None,
    role: str | None = None,
) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(policies.role_visible_to(viewer)).select_related(
        "unit", "subject", "user"
    )
    if person is not None:
        qs = qs.filter(user_id=person.pk)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("pk")


def class_students(*, viewer: Viewer, klass: OrgUnit) -> QuerySet[Any]:
    return person_list(viewer=viewer, role=Role.STUDENT, unit=klass)


def classes_of(*, person: User, roles: tuple[str, ...]) -> QuerySet[OrgUnit]:
    """The classes where ``person`` holds one of ``roles`` (callers check access)."""
    return OrgUnit.objects.filter(
        kind=UnitKind.CLASS,
        pk__in=RoleAssignment.objects.filter(user_id=person.pk, role__in=roles).values("unit_id"),
    ).order_by("path")


def children_of(*, parent: Any) -> QuerySet[Any]:
    User = get_user_model()
    return User.objects.filter(
        pk__in=RoleAssignment.objects.filter(user_id=parent.pk, role=Role.PARENT).values(
            "subject_id"
        )
    ).order_by("full_name")
