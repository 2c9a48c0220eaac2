"""Reads behind the course-selection pages (selectors; nothing here writes).

The catalogue shows, before a student chooses, what choosing would answer: the same checks
as ``services.selection_create`` in the same order (eligibility, already held, limits,
timetable, seats), judged in memory over one read of the student's picks and home
timetable, so the page can flag a conflict with its reason instead of waiting for a
refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.core.errors import TongkeError
from tongke.courses import errors, policies, selectors
from tongke.courses.enums import ACTIVE, RoundMode, RoundStatus, SelectionStatus
from tongke.courses.models import (
    ExternalResult,
    Offering,
    Preference,
    Selection,
    SelectionRound,
    Slot,
)
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

# --- The student's catalogue -------------------------------------------------------------


def open_rounds(*, viewer: Any) -> list[SelectionRound]:
    """Rounds the viewer may see that are open, or marked open and about to open."""
    return list(
        selectors.round_list(viewer=viewer)
        .filter(status=RoundStatus.OPEN, closes_at__gt=timezone.now())
        .order_by("closes_at", "id")
    )


def subjects_of(rounds: list[SelectionRound]) -> list[str]:
    return sorted(
        set(
            Offering.objects.filter(round__in=rounds, is_active=True)
            .exclude(subject="")
            .values_list("subject", flat=True)
        )
    )


def catalogue_offerings(
    *,
    viewer: Any,
    rounds: list[SelectionRound],
    subject: str | None = None,
    mode: str | None = None,
    q: str | None = None,
    with_seats: bool = False,
) -> QuerySet[Offering]:
    return (
        selectors.offering_list(
            viewer=viewer, subject=subject, mode=mode, q=q, with_seats=with_seats
        )
        .filter(round__in=rounds)
        .select_related("round__scope")
        .order_by("round__closes_at", "round_id", "code", "id")
    )


def round_offerings(*, viewer: Any, rnd: SelectionRound) -> list[Offering]:
    return list(selectors.offering_list(viewer=viewer, rnd=rnd).select_related("round__scope"))


@dataclass
class Verdict:
    """What choosing a section would answer now."""

    held: str | None = None  # the status of the student's live pick of it
    waitlist_position: int | None = None
    reason: str = ""  # why it cannot be chosen now ("" when it can)
    code: str = ""  # the error code choosing would answer
    full: bool = False  # choosing queues on the waitlist instead
    lottery: bool = False  # a lottery round: rank it instead

    @property
    def conflict(self) -> bool:
        return self.code == errors.CONFLICT

    @property
    def choosable(self) -> bool:
        return not (self.held or self.reason or self.lottery)


@dataclass
class RoundLoad:
    sections: int = 0
    credits: Decimal = field(default_factory=lambda: Decimal(0))


@dataclass
class Standing:
    """A student's live picks, home timetable and load per round, read once."""

    place: policies.StudentPlace
    picks: list[Selection]
    home: list[Slot]
    load: dict[int, RoundLoad]
    positions: dict[int, int]

    def load_of(self, rnd: SelectionRound) -> RoundLoad:
        return self.load.get(rnd.pk, RoundLoad())


def standing_of(place: policies.StudentPlace) -> Standing:
    picks = list(
        Selection.objects.filter(student_id=place.student_id, status__in=ACTIVE)
        .select_related("offering")
        .prefetch_related(
            Prefetch("offering__slots", queryset=Slot.objects.order_by("weekday", "starts"))
        )
        .order_by("id")
    )
    load: dict[int, RoundLoad] = {}
    for s in picks:
        row = load.setdefault(s.round_id, RoundLoad())
        row.sections += 1
        row.credits += s.offering.credits
    home = list(Slot.objects.filter(home_class=place.klass).order_by("weekday", "starts"))
    return Standing(place, picks, home, load, selectors.waitlist_positions(picks))


def _overlap(a: Slot, b: Slot) -> bool:
    return a.weekday == b.weekday and a.starts < b.ends and b.starts < a.ends


def _dates_overlap(a: Offering, b: Offering) -> bool:
    if a.starts_on and a.ends_on and b.starts_on and b.ends_on:
        return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on
    return True


def conflict_of(standing: Standing, offering: Offering) -> dict[str, Any] | None:
    """``services.timetable_conflict`` over the already-read standing (no query)."""
    slots = list(offering.slots.all())
    for home in standing.home:
        for s in slots:
            if _overlap(s, home):
                return {
                    "with": _("your class timetable (%(label)s)")
                    % {"label": home.label or str(home)},
                    "slot": str(s),
                    "home_slot": str(home),
                }
    for pick in standing.picks:
        other = pick.offering
        if other.pk == offering.pk or not _dates_overlap(offering, other):
            continue
        for theirs in other.slots.all():
            for s in slots:
                if _overlap(s, theirs):
                    return {"with": other.title, "slot": str(s), "offering_id": other.pk}
    return None


def verdicts(standing: Standing, offerings: list[Offering]) -> dict[int, Verdict]:
    from tongke.courses.services import check_eligibility, round_is_open

    held = {s.offering_id: s for s in standing.picks}
    out: dict[int, Verdict] = {}
    now = timezone.now()
    for o in offerings:
        v = Verdict()
        out[o.pk] = v
        rnd = o.round
        pick = held.get(o.pk)
        if pick is not None:
            v.held = pick.status
            v.waitlist_position = standing.positions.get(pick.pk)
            continue
        if rnd.mode == RoundMode.LOTTERY:
            v.lottery = True
            continue
        refusal: TongkeError | None = None
        if not round_is_open(rnd, now):
            refusal = errors.round_closed()
        else:
            try:
                check_eligibility(standing.place, o)
            except TongkeError as exc:
                refusal = exc
        if refusal is None:
            load = standing.load_of(rnd)
            if load.sections + 1 > rnd.max_sections or load.credits + o.credits > rnd.max_credits:
                refusal = errors.limit({})
        if refusal is None:
            clash = conflict_of(standing, o)
            if clash is not None:
                refusal = errors.conflict(clash)
        if refusal is not None:
            v.reason, v.code = str(refusal.message), refusal.code
        elif o.taken >= o.seats:
            v.full = True
    return out


def preferences_of(*, student: Any, rnd: SelectionRound) -> list[int]:
    """The offering ids a student ranked in a lottery round, best first."""
    return list(
        Preference.objects.filter(student_id=student.pk, round=rnd)
        .order_by("rank")
        .values_list("offering_id", flat=True)
    )


def taught_offerings(*, viewer: Any) -> QuerySet[Offering]:
    return (
        Offering.objects.filter(teacher_id=viewer.pk)
        .select_related("round", "host_school")
        .order_by("-round__opens_at", "code")
    )


# --- My selections -------------------------------------------------------------------------


def current_results(
    *,
    viewer: Any,
    student_id: int | None = None,
    offering: Offering | None = None,
    home_side: bool = False,
) -> QuerySet[ExternalResult]:
    """Results visible to ``viewer`` that no later record superseded."""
    qs = selectors.result_list(viewer=viewer, student_id=student_id).filter(
        superseded_by__isnull=True
    )
    if offering is not None:
        qs = qs.filter(offering=offering)
    if home_side:
        qs = qs.filter(policies.home_selection_visible_to(viewer))
    return qs


# --- Home school ---------------------------------------------------------------------------


def home_selection_list(*, viewer: Any, status: str | None = None) -> QuerySet[Selection]:
    """Picks of the viewer's own students (their school's, or their class's)."""
    qs = selectors.selection_list(viewer=viewer, status=status).filter(
        policies.home_selection_visible_to(viewer)
    )
    return qs.select_related("round", "offering__teacher").prefetch_related(
        Prefetch("offering__slots", queryset=Slot.objects.order_by("weekday", "starts"))
    )


def home_status_counts(*, viewer: Any) -> dict[str, int]:
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


# --- Round administration -----------------------------------------------------------------


def scope_choices(*, viewer: Any) -> list[OrgUnit]:
    """Regions and schools the viewer may run a round for."""
    units = OrgUnit.objects.filter(
        policies.round_scope_visible_to(viewer),
        kind__in=[UnitKind.REGION, UnitKind.SCHOOL],
        is_active=True,
    ).order_by("path")[:300]
    return [u for u in units if policies.can_create_round(viewer, u)]


def host_choices(*, viewer: Any, rnd: SelectionRound) -> list[OrgUnit]:
    schools = OrgUnit.objects.filter(
        path__startswith=rnd.scope.path, kind=UnitKind.SCHOOL, is_active=True
    ).order_by("path")[:300]
    return [s for s in schools if policies.can_create_offering(viewer, rnd, s)]


def teacher_choices(*, hosts: list[OrgUnit]) -> list[tuple[OrgUnit, list[Any]]]:
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
    people = get_user_model().objects.filter(pk__in={u for ids in by_school.values() for u in ids})
    named = {p.pk: p for p in people}
    return [
        (h, sorted((named[i] for i in by_school.get(h.pk, ())), key=lambda p: p.username))
        for h in hosts
    ]


@dataclass
class FillRow:
    offering: Offering
    pending: int
    waitlist: int

    @property
    def seats_left(self) -> int:
        return self.offering.seats_left


def round_fill(*, viewer: Any, rnd: SelectionRound) -> list[FillRow]:
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


# --- Host teacher --------------------------------------------------------------------------


def roster(*, viewer: Any, offering: Offering) -> list[Selection]:
    """The live picks of a section, enrolled first (callers check ``can_see_roster``)."""
    rows = list(
        selectors.selection_list(viewer=viewer, offering=offering).filter(status__in=ACTIVE)
    )
    order: dict[str, int] = {
        SelectionStatus.ENROLLED: 0,
        SelectionStatus.PENDING: 1,
        SelectionStatus.WAITLISTED: 2,
    }
    return sorted(rows, key=lambda s: (order.get(s.status, 3), s.pk))
