"""Reads of course selection; every list starts from a policies ``*_visible_to`` filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from tongke.courses import policies
from tongke.courses.enums import ACTIVE, SelectionStatus
from tongke.courses.models import ExternalResult, Offering, Selection, SelectionRound, Slot


def round_list(*, viewer: Any) -> QuerySet[SelectionRound]:
    return (
        SelectionRound.objects.filter(policies.round_visible_to(viewer))
        .select_related("scope")
        .order_by("-opens_at", "-id")
    )


def offering_list(
    *,
    viewer: Any,
    rnd: SelectionRound | None = None,
    subject: str | None = None,
    mode: str | None = None,
    host_school_id: int | None = None,
    q: str | None = None,
    with_seats: bool = False,
) -> QuerySet[Offering]:
    qs = Offering.objects.filter(policies.offering_visible_to(viewer), is_active=True)
    if rnd is not None:
        qs = qs.filter(round=rnd)
    if subject:
        qs = qs.filter(subject=subject)
    if mode:
        qs = qs.filter(mode=mode)
    if host_school_id:
        qs = qs.filter(host_school_id=host_school_id)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(title_en__icontains=q))
    if with_seats:
        qs = qs.filter(taken__lt=F("seats"))
    return (
        qs.select_related("host_school", "teacher", "round", "open_to")
        .prefetch_related(Prefetch("slots", queryset=Slot.objects.order_by("weekday", "starts")))
        .annotate(
            waitlist=Count("selections", filter=Q(selections__status=SelectionStatus.WAITLISTED))
        )
        .order_by("code", "id")
    )


def selection_list(
    *,
    viewer: Any,
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


def result_list(
    *, viewer: Any, student_id: int | None = None, home_school_id: int | None = None
) -> QuerySet[ExternalResult]:
    """Results visible through the selection they came from."""
    visible = Selection.objects.filter(policies.selection_visible_to(viewer)).values(
        "student_id", "offering_id"
    )
    qs = ExternalResult.objects.filter(
        Q(
            student_id__in=visible.values("student_id"),
            offering_id__in=visible.values("offering_id"),
        )
    )
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    if home_school_id is not None:
        qs = qs.filter(home_school_id=home_school_id)
    return qs.select_related("student", "home_school", "host_school").order_by(
        "-recorded_at", "-id"
    )


@dataclass
class WeekCell:
    weekday: int
    starts: Any
    ends: Any
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


def home_slots(*, klass: Any) -> QuerySet[Slot]:
    return Slot.objects.filter(home_class=klass).order_by("weekday", "starts")
