"""Reads of picks (selections), waitlists, a student's week and lottery rankings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet

from tongke.accounts.models import User
from tongke.courses import policies
from tongke.courses.enums import ACTIVE, SelectionStatus
from tongke.courses.models import Offering, Preference, Selection, SelectionRound, Slot
from tongke.orgs.enums import Role
from tongke.orgs.models import RoleAssignment


def selection_list(
    *,
    viewer: User | AnonymousUser,
    student_id: int | None = None,
    offering: Offering | None = None,
    rnd: SelectionRound | None = None,
    status: str | None = None,
    home_school_id: int | None = None,
) -> QuerySet[Selection]:
    qs = Selection.objects.filter(policies.selection_visible_to(viewer))
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    if offering is not None:
        qs = qs.filter(offering=offering)
    if rnd is not None:
        qs = qs.filter(round=rnd)
    if status:
        qs = qs.filter(status=status)
    if home_school_id is not None:
        qs = qs.filter(home_school_id=home_school_id)
    return qs.select_related(
        "offering", "offering__host_school", "student", "home_school"
    ).order_by("id")


def waitlist_positions(selections: list[Selection]) -> dict[int, int]:
    """The 1-based waitlist position of each waitlisted selection (one query per section)."""
    out: dict[int, int] = {}
    by_offering: dict[int, list[int]] = {}
    for s in selections:
        if s.status == SelectionStatus.WAITLISTED:
            by_offering.setdefault(s.offering_id, []).append(s.pk)
    for offering_id, ids in by_offering.items():
        queue = list(
            Selection.objects.filter(offering_id=offering_id, status=SelectionStatus.WAITLISTED)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for pk in ids:
            out[pk] = queue.index(pk) + 1
    return out


def waitlist_position(selection: Selection) -> int | None:
    if selection.status != SelectionStatus.WAITLISTED:
        return None
    return (
        Selection.objects.filter(
            offering_id=selection.offering_id,
            status=SelectionStatus.WAITLISTED,
            id__lt=selection.pk,
        ).count()
        + 1
    )


def waitlist_length(offering: Offering) -> int:
    return Selection.objects.filter(offering=offering, status=SelectionStatus.WAITLISTED).count()


@dataclass
class WeekCell:
    weekday: int
    starts: time
    ends: time
    label: str
    kind: str  # "home", "enrolled", "pending", "waitlisted"


def week_timetable(*, student_id: int, klass_id: int | None) -> list[WeekCell]:
    """A student's week: the fixed home timetable plus their live picks."""
    cells = []
    if klass_id:
        cells += [
            WeekCell(s.weekday, s.starts, s.ends, s.label, "home")
            for s in Slot.objects.filter(home_class_id=klass_id)
        ]
    picks = Selection.objects.filter(student_id=student_id, status__in=ACTIVE).select_related(
        "offering"
    )
    slots = Slot.objects.filter(offering_id__in=[p.offering_id for p in picks])
    status = {p.offering_id: p.status for p in picks}
    title = {p.offering_id: p.offering.title for p in picks}
    cells += [
        WeekCell(s.weekday, s.starts, s.ends, title[s.offering_id or 0], status[s.offering_id or 0])
        for s in slots
    ]
    return sorted(cells, key=lambda c: (c.weekday, c.starts))


def home_selection_list(
    *, viewer: User | AnonymousUser, status: str | None = None
) -> QuerySet[Selection]:
    """Picks of the viewer's own students (their school's, or their class's)."""
    qs = selection_list(viewer=viewer, status=status).filter(
        policies.home_selection_visible_to(viewer)
    )
    return qs.select_related("round", "offering__teacher").prefetch_related(
        Prefetch("offering__slots", queryset=Slot.objects.order_by("weekday", "starts"))
    )


def home_status_counts(*, viewer: User | AnonymousUser) -> dict[str, int]:
    rows = (
        Selection.objects.filter(policies.selection_visible_to(viewer))
        .filter(policies.home_selection_visible_to(viewer))
        .values("status")
        .annotate(n=Count("id"))
    )
    return {r["status"]: r["n"] for r in rows}


def class_names(student_ids: list[int]) -> dict[int, str]:
    """The class each student sits in, by student id (one query)."""
    rows = RoleAssignment.objects.filter(
        user_id__in=student_ids, role=Role.STUDENT, unit__isnull=False
    ).values_list("user_id", "unit__name")
    return dict(rows)


def roster(*, viewer: User | AnonymousUser, offering: Offering) -> list[Selection]:
    """The live picks of a section, enrolled first (callers check ``can_see_roster``)."""
    rows = list(selection_list(viewer=viewer, offering=offering).filter(status__in=ACTIVE))
    order: dict[str, int] = {
        SelectionStatus.ENROLLED: 0,
        SelectionStatus.PENDING: 1,
        SelectionStatus.WAITLISTED: 2,
    }
    return sorted(rows, key=lambda s: (order.get(s.status, 3), s.pk))


def preferences_of(*, student: User | AnonymousUser, rnd: SelectionRound) -> list[int]:
    """The offering ids a student ranked in a lottery round, best first."""
    return list(
        Preference.objects.filter(student_id=student.pk, round=rnd)
        .order_by("rank")
        .values_list("offering_id", flat=True)
    )
