"""Who may see and do what in course selection. Built on the org-tree policies: a round is
scoped to a node; students of classes under it take part; admins of the node run it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from tongke.core.errors import NotFound
from tongke.courses.models import Offering, Selection, SelectionRound
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

STEP = OrgUnit.steplen


def _prefixes(path: str) -> list[str]:
    return [path[:n] for n in range(STEP, len(path) + 1, STEP)]


def _member_paths(user: Any) -> list[str]:
    """Paths of every place the user belongs to (and their children's classes)."""
    paths = [g.path for g in org.grants_of(user) if g.path]
    return paths + org._class_paths_of_children(user)


def round_visible_to(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    admin = org.admin_paths(user)
    if org.ROOT in admin:
        return Q()
    ancestors = sorted({p for path in _member_paths(user) for p in _prefixes(path)})
    return Q(scope__path__in=ancestors) | org._under(admin, "scope__path")


def access_round(user: Any, round_id: int) -> SelectionRound:
    found = (
        SelectionRound.objects.filter(round_visible_to(user), pk=round_id)
        .select_related("scope")
        .first()
    )
    if found is None:
        raise NotFound(code="courses.round_not_found")
    return found


def can_manage_round(user: Any, rnd: SelectionRound) -> bool:
    if rnd.scope.kind == UnitKind.REGION:
        return org.is_within(rnd.scope.path, org.region_admin_paths(user))
    return org.is_within(rnd.scope.path, org.admin_paths(user))


def can_create_round(user: Any, scope: OrgUnit) -> bool:
    if scope.kind == UnitKind.REGION:
        return org.is_within(scope.path, org.region_admin_paths(user))
    return scope.kind == UnitKind.SCHOOL and org.is_within(scope.path, org.admin_paths(user))


def offering_visible_to(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return (
        Q(round__in=SelectionRound.objects.filter(round_visible_to(user)).values("pk"))
        | org._under(org.admin_paths(user) + org.teaching_paths(user), "host_school__path")
        | Q(teacher_id=user.pk)
    )


def access_offering(user: Any, offering_id: int) -> Offering:
    found = (
        Offering.objects.filter(offering_visible_to(user), pk=offering_id)
        .select_related("round", "round__scope", "host_school", "open_to", "teacher")
        .first()
    )
    if found is None:
        raise NotFound(code="courses.offering_not_found")
    return found


def can_create_offering(user: Any, rnd: SelectionRound, host: OrgUnit) -> bool:
    """Admins of a host school inside the round's scope, or the round's own admins."""
    if host.kind != UnitKind.SCHOOL or not host.path.startswith(rnd.scope.path):
        return False
    return org.is_within(host.path, org.admin_paths(user)) or can_manage_round(user, rnd)


def can_manage_offering(user: Any, offering: Offering) -> bool:
    return org.is_within(offering.host_school.path, org.admin_paths(user)) or can_manage_round(
        user, offering.round
    )


def can_see_roster(user: Any, offering: Offering) -> bool:
    return offering.teacher_id == user.pk or can_manage_offering(user, offering)


def can_record_result(user: Any, offering: Offering) -> bool:
    return offering.teacher_id == user.pk or org.is_within(
        offering.host_school.path, org.admin_paths(user)
    )


def selection_visible_to(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    admin = org.admin_paths(user)
    if org.ROOT in admin:
        return Q()
    q = Q(student_id=user.pk) | Q(student_id__in=org.child_ids(user))
    # Home side: admins over the student's school, and the teachers of the student's class.
    q |= org._under(admin, "home_school__path")
    class_paths = [
        g.path
        for g in org.grants_of(user)
        if g.role in TEACHING_ROLES and g.unit_kind == UnitKind.CLASS
    ]
    if class_paths:
        students = RoleAssignment.objects.filter(
            org._under([p for p in class_paths if p], "unit__path"), role=Role.STUDENT
        ).values("user_id")
        q |= Q(student_id__in=students)
    # Host side: the section's teacher, admins over the host school or the round.
    q |= Q(offering__teacher_id=user.pk)
    q |= org._under(admin, "offering__host_school__path")
    q |= org._under(admin, "round__scope__path")
    return q


def access_selection(user: Any, selection_id: int) -> Selection:
    found = (
        Selection.objects.filter(selection_visible_to(user), pk=selection_id)
        .select_related("offering", "round", "home_school", "student")
        .first()
    )
    if found is None:
        raise NotFound(code="courses.selection_not_found")
    return found


def can_decide(user: Any, selection: Selection) -> bool:
    """Home-school approval: the school's admins and the teachers of the student's class."""
    if org.is_within(selection.home_school.path, org.admin_paths(user)):
        return True
    class_paths = RoleAssignment.objects.filter(
        user_id=selection.student_id, role=Role.STUDENT, unit__isnull=False
    ).values_list("unit__path", flat=True)
    teaching = [
        g.path
        for g in org.grants_of(user)
        if g.role in TEACHING_ROLES and g.unit_kind == UnitKind.CLASS and g.path
    ]
    return any(org.is_within(p, teaching) for p in class_paths)


@dataclass(frozen=True)
class StudentPlace:
    """Where a student sits: what eligibility and conflicts are judged against."""

    student_id: int
    klass: OrgUnit
    school: OrgUnit
    grade_level: int


def student_place(user: Any) -> StudentPlace | None:
    grant = next(
        (g for g in org.grants_of(user) if g.role == Role.STUDENT and g.unit_id is not None), None
    )
    if grant is None or grant.path is None:
        return None
    klass = OrgUnit.objects.get(pk=grant.unit_id)
    school = OrgUnit.objects.filter(kind=UnitKind.SCHOOL, path__in=_prefixes(klass.path)).first()
    if school is None:
        return None
    return StudentPlace(user.pk, klass, school, klass.grade_level or 0)
