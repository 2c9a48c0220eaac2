"""Who may see and do what in course selection. Built on the org-tree policies: a round is
scoped to a node; students of classes under it take part; admins of the node run it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tongke.accounts.models import User
from tongke.core.errors import NotFound
from tongke.courses.models import Offering, Selection, SelectionRound
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment


def round_visible_to(user: User | AnonymousUser) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    admin = org.admin_paths(user)
    if org.ROOT in admin:
        return Q()
    ancestors = sorted({p for path in org.member_paths(user) for p in org.ancestor_paths(path)})
    return Q(scope__path__in=ancestors) | org.under_paths(admin, "scope__path")


def access_round(user: User | AnonymousUser, round_id: int) -> SelectionRound:
    found = (
        SelectionRound.objects.filter(round_visible_to(user), pk=round_id)
        .select_related("scope")
        .first()
    )
    if found is None:
        raise NotFound(code="courses.round_not_found")
    return found


def can_manage_round(user: User | AnonymousUser, rnd: SelectionRound) -> bool:
    if rnd.scope.kind == UnitKind.REGION:
        return org.is_within(rnd.scope.path, org.region_admin_paths(user))
    return org.is_within(rnd.scope.path, org.admin_paths(user))


def can_create_round(user: User | AnonymousUser, scope: OrgUnit) -> bool:
    if scope.kind == UnitKind.REGION:
        return org.is_within(scope.path, org.region_admin_paths(user))
    return scope.kind == UnitKind.SCHOOL and org.is_within(scope.path, org.admin_paths(user))


def offering_visible_to(user: User | AnonymousUser) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return (
        Q(round__in=SelectionRound.objects.filter(round_visible_to(user)).values("pk"))
        | org.under_paths(org.admin_paths(user) + org.teaching_paths(user), "host_school__path")
        | Q(teacher_id=user.pk)
    )


def access_offering(user: User | AnonymousUser, offering_id: int) -> Offering:
    found = (
        Offering.objects.filter(offering_visible_to(user), pk=offering_id)
        .select_related("round", "round__scope", "host_school", "open_to", "teacher")
        .first()
    )
    if found is None:
        raise NotFound(code="courses.offering_not_found")
    return found


def can_create_offering(user: User | AnonymousUser, rnd: SelectionRound, host: OrgUnit) -> bool:
    """Admins of a host school inside the round's scope, or the round's own admins."""
    if host.kind != UnitKind.SCHOOL or not host.path.startswith(rnd.scope.path):
        return False
    return org.is_within(host.path, org.admin_paths(user)) or can_manage_round(user, rnd)


def can_manage_offering(user: User | AnonymousUser, offering: Offering) -> bool:
    return org.is_within(offering.host_school.path, org.admin_paths(user)) or can_manage_round(
        user, offering.round
    )


def can_see_roster(user: User | AnonymousUser, offering: Offering) -> bool:
    return offering.teacher_id == user.pk or can_manage_offering(user, offering)


def can_record_result(user: User | AnonymousUser, offering: Offering) -> bool:
    return offering.teacher_id == user.pk or org.is_within(
        offering.host_school.path, org.admin_paths(user)
    )


def selection_visible_to(user: User | AnonymousUser) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    admin = org.admin_paths(user)
    if org.ROOT in admin:
        return Q()
    q = Q(student_id=user.pk) | Q(student_id__in=org.child_ids(user))
    # Home side: admins over the student's school, and the teachers of the student's class.
    q |= org.under_paths(admin, "home_school__path")
    class_paths = [
        g.path
        for g in org.grants_of(user)
        if g.role in TEACHING_ROLES and g.unit_kind == UnitKind.CLASS
    ]
    if class_paths:
        students = RoleAssignment.objects.filter(
            org.under_paths([p for p in class_paths if p], "unit__path"), role=Role.STUDENT
        ).values("user_id")
        q |= Q(student_id__in=students)
    # Host side: the section's teacher, admins over the host school or the round.
    q |= Q(offering__teacher_id=user.pk)
    q |= org.under_paths(admin, "offering__host_school__path")
    q |= org.under_paths(admin, "round__scope__path")
    return q


def access_selection(user: User | AnonymousUser, selection_id: int) -> Selection:
    found = (
        Selection.objects.filter(selection_visible_to(user), pk=selection_id)
        .select_related("offering", "round", "home_school", "student")
        .first()
    )
    if found is None:
        raise NotFound(code="courses.selection_not_found")
    return found


def can_decide(user: User | AnonymousUser, selection: Selection) -> bool:
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


def student_place(user: User | AnonymousUser) -> StudentPlace | None:
    if not isinstance(user, User):  # anonymous: no class to sit in
        return None
    grant = next(
        (g for g in org.grants_of(user) if g.role == Role.STUDENT and g.unit_id is not None), None
    )
    if grant is None or grant.path is None:
        return None
    klass = OrgUnit.objects.get(pk=grant.unit_id)
    school = OrgUnit.objects.filter(
        kind=UnitKind.SCHOOL, path__in=org.ancestor_paths(klass.path)
    ).first()
    if school is None:
        return None
    return StudentPlace(user.pk, klass, school, klass.grade_level or 0)


# --- The home school's side, round administration and drops ---------------------------------


def _class_teaching_paths(user: User | AnonymousUser) -> list[str]:
    return [
        g.path
        for g in org.grants_of(user)
        if g.role in TEACHING_ROLES and g.unit_kind == UnitKind.CLASS and g.path
    ]


def can_see_home_side(user: User | AnonymousUser) -> bool:
    """School and region admins, and the teachers of a class, follow their students' picks."""
    return org.is_admin(user) or bool(_class_teaching_paths(user))


def home_selection_visible_to(user: User | AnonymousUser) -> Q:
    """A filter on Selection: the picks of the user's own students (their school's as an
    admin, their class's as its teacher)."""
    q = org.under_paths(org.admin_paths(user), "home_school__path")
    classes = _class_teaching_paths(user)
    if classes:
        q |= Q(
            student_id__in=RoleAssignment.objects.filter(
                org.under_paths(classes, "unit__path"), role=Role.STUDENT
            ).values("user_id")
        )
    return q


def can_administer_rounds(user: User | AnonymousUser) -> bool:
    """The round pages are for school and region admins."""
    return org.is_admin(user)


def round_scope_visible_to(user: User | AnonymousUser) -> Q:
    """A filter on OrgUnit: the places inside the user's admin scopes (candidate round scopes;
    ``can_create_round`` decides each)."""
    return org.under_paths(org.admin_paths(user))


def can_view_round_admin(user: User | AnonymousUser, rnd: SelectionRound) -> bool:
    """Round admins, and admins of schools inside the round's scope (they add sections)."""
    return can_manage_round(user, rnd) or any(
        p.startswith(rnd.scope.path) for p in org.admin_paths(user)
    )


def hosted_offering_visible_to(user: User | AnonymousUser) -> Q:
    """A filter on Offering: the sections hosted by schools the user administers."""
    return org.under_paths(org.admin_paths(user), "host_school__path")


def can_set_home_timetable(user: User | AnonymousUser, klass: OrgUnit) -> bool:
    """A class's fixed home timetable is set by those who manage the class."""
    return org.can_manage_unit(user, klass)


def can_drop_selection(user: User | AnonymousUser, selection: Selection) -> bool:
    """The student drops their own pick; an admin of the home school drops any of its
    students' picks (whether the round still allows a drop is the service's rule)."""
    return selection.student_id == user.pk or org.is_within(
        selection.home_school.path, org.admin_paths(user)
    )
