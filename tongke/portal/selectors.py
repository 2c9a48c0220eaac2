"""What each role's home page shows. Every read goes through the orgs policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from tongke.accounts.models import User
from tongke.accounts.types import Viewer
from tongke.orgs import policies, selectors
from tongke.orgs.enums import TEACHING_ROLES, LocationClass, Role, SchoolType, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment


@dataclass
class ClassCard:
    unit: OrgUnit
    school: OrgUnit | None
    student_count: int
    students: list[Any] = field(default_factory=list)


@dataclass
class ChildCard:
    child: Any
    classes: list[ClassCard]
    teachers: list[Any]


@dataclass
class AdminCard:
    unit: OrgUnit
    counts: selectors.SchoolCounts | None
    people: dict[str, int]
    schools: list[OrgUnit]
    matrix: list[dict[str, Any]]


@dataclass
class Home:
    roles: set[str]
    student_classes: list[ClassCard] = field(default_factory=list)
    teacher_classes: list[ClassCard] = field(default_factory=list)
    children: list[ChildCard] = field(default_factory=list)
    admin: list[AdminCard] = field(default_factory=list)


def _schools_of(units: list[OrgUnit]) -> dict[int, OrgUnit]:
    paths = {u.path[: -2 * OrgUnit.steplen] for u in units if u.kind == UnitKind.CLASS}
    by_path = {s.path: s for s in OrgUnit.objects.filter(path__in=paths)}
    return {u.pk: by_path.get(u.path[: -2 * OrgUnit.steplen]) for u in units}  # type: ignore[misc]


def _class_cards(viewer: Viewer, classes: list[OrgUnit], with_students: bool) -> list[ClassCard]:
    schools = _schools_of(classes)
    counts = dict(
        RoleAssignment.objects.filter(unit__in=classes, role=Role.STUDENT)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    cards = []
    for c in classes:
        students = (
            list(selectors.class_students(viewer=viewer, klass=c)[:200]) if with_students else []
        )
        cards.append(ClassCard(c, schools.get(c.pk), counts.get(c.pk, 0), students))
    return cards


def home_for(viewer: User) -> Home:
    grants = policies.grants_of(viewer)
    home = Home(roles={g.role for g in grants})
    if Role.STUDENT in home.roles:
        classes = list(selectors.classes_of(person=viewer, roles=(Role.STUDENT,)))
        home.student_classes = _class_cards(viewer, classes, with_students=False)
    if home.roles & set(TEACHING_ROLES):
        classes = list(selectors.classes_of(person=viewer, roles=TEACHING_ROLES))
        home.teacher_classes = _class_cards(viewer, classes, with_students=True)
    if Role.PARENT in home.roles:
        for child in selectors.children_of(parent=viewer):
            classes = list(selectors.classes_of(person=child, roles=(Role.STUDENT,)))
            teachers = list(
                selectors.person_list(viewer=viewer)
                .filter(roles__role__in=TEACHING_ROLES, roles__unit__in=classes)
                .distinct()
            )
            home.children.append(ChildCard(child, _class_cards(viewer, classes, False), teachers))
    admin_units = [
        g.unit_id for g in grants if g.role in (Role.REGION_ADMIN, Role.SCHOOL_ADMIN) and g.unit_id
    ]
    for unit in OrgUnit.objects.filter(pk__in=admin_units).order_by("path"):
        home.admin.append(admin_card(viewer, unit))
    return home


def admin_card(viewer: Viewer, unit: OrgUnit) -> AdminCard:
    people = selectors.people_counts(within=unit)
    if unit.kind == UnitKind.REGION:
        counts = selectors.school_counts(viewer=viewer, within=unit)
        schools = list(selectors.unit_list(viewer=viewer, kind=UnitKind.SCHOOL, within=unit)[:500])
        matrix = [
            {
                "type": t,
                "label": t.label,
                "cells": [
                    counts.by_type_location.get((t.value, loc.value), 0) for loc in LocationClass
                ],
                "total": counts.by_type.get(t.value, 0),
            }
            for t in SchoolType
            if counts.by_type.get(t.value)
        ]
        return AdminCard(unit, counts, people, schools, matrix)
    return AdminCard(unit, None, people, [], [])
