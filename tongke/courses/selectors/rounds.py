"""Reads of selection rounds: the lists of rounds, their fill, and the choices of the round
administration pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from tongke.accounts.models import User
from tongke.courses import policies
from tongke.courses.enums import SelectionStatus
from tongke.courses.models import Offering, SelectionRound
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment


def round_list(*, viewer: User | AnonymousUser) -> QuerySet[SelectionRound]:
    return (
        SelectionRound.objects.filter(policies.round_visible_to(viewer))
        .select_related("scope")
        .order_by("-opens_at", "-id")
    )


def fill_view(*, rnd: SelectionRound) -> list[dict[str, Any]]:
    """Seats, taken, pending and waitlist per section of a round (callers check access)."""
    rows = (
        Offering.objects.filter(round=rnd)
        .select_related("host_school")
        .annotate(
            pending=Count("selections", filter=Q(selections__status=SelectionStatus.PENDING)),
            waitlist=Count("selections", filter=Q(selections__status=SelectionStatus.WAITLISTED)),
        )
        .order_by("code")
    )
    return [
        {
            "id": o.pk,
            "code": o.code,
            "title": o.title,
            "host_school": o.host_school.name,
            "seats": o.seats,
            "taken": o.taken,
            "pending": o.pending,
            "waitlist": o.waitlist,
            "fill": round(100 * o.taken / o.seats) if o.seats else 100,
        }
        for o in rows
    ]


@dataclass
class FillRow:
    offering: Offering
    pending: int
    waitlist: int

    @property
    def seats_left(self) -> int:
        return self.offering.seats_left


def round_fill(*, viewer: User | AnonymousUser, rnd: SelectionRound) -> list[FillRow]:
    """Seats, taken, pending and waitlist per section: every section for the round's admins,
    the sections of their own schools for host-school admins."""
    qs = Offering.objects.filter(round=rnd)
    if not policies.can_manage_round(viewer, rnd):
        qs = qs.filter(policies.hosted_offering_visible_to(viewer))
    rows = (
        qs.select_related("host_school", "teacher")
        .annotate(
            pending=Count("selections", filter=Q(selections__status=SelectionStatus.PENDING)),
            waitlist=Count("selections", filter=Q(selections__status=SelectionStatus.WAITLISTED)),
        )
        .order_by("code")
    )
    return [FillRow(o, o.pending, o.waitlist) for o in rows]


def scope_choices(*, viewer: User | AnonymousUser) -> list[OrgUnit]:
    """Regions and schools the viewer may run a round for."""
    units = OrgUnit.objects.filter(
        policies.round_scope_visible_to(viewer),
        kind__in=[UnitKind.REGION, UnitKind.SCHOOL],
        is_active=True,
    ).order_by("path")[:300]
    return [u for u in units if policies.can_create_round(viewer, u)]


def host_choices(*, viewer: User | AnonymousUser, rnd: SelectionRound) -> list[OrgUnit]:
    schools = OrgUnit.objects.filter(
        path__startswith=rnd.scope.path, kind=UnitKind.SCHOOL, is_active=True
    ).order_by("path")[:300]
    return [s for s in schools if policies.can_create_offering(viewer, rnd, s)]


def teacher_choices(*, hosts: list[OrgUnit]) -> list[tuple[OrgUnit, list[User]]]:
    """The teachers of each host school (callers pass schools the viewer may host for)."""
    if not hosts:
        return []
    rows = (
        RoleAssignment.objects.filter(
            org.under_paths([h.path for h in hosts], "unit__path"), role__in=TEACHING_ROLES
        )
        .values_list("user_id", "unit__path")
        .distinct()
    )
    by_school: dict[int, set[int]] = {}
    for user_id, path in rows:
        for h in hosts:
            if path.startswith(h.path):
                by_school.setdefault(h.pk, set()).add(user_id)
    people = User.objects.filter(pk__in={u for ids in by_school.values() for u in ids})
    named = {p.pk: p for p in people}
    return [
        (h, sorted((named[i] for i in by_school.get(h.pk, ())), key=lambda p: p.username))
        for h in hosts
    ]
