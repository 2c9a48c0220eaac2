"""The snapshots ``courses.rules`` judges, read from the database.

The service reads them inside its transaction, after locking the student (decision 0002); the
catalogue reads one standing per page; the lottery reads every ranked section once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Prefetch

from tongke.courses import rules
from tongke.courses.enums import ACTIVE
from tongke.courses.models import ExternalResult, Offering, Selection, SelectionRound, Slot
from tongke.courses.policies import StudentPlace
from tongke.orgs.models import OrgUnit


def slot_fact(s: Slot) -> rules.Slot:
    return rules.Slot(s.weekday, s.starts, s.ends, s.label, s.pk or 0)


def section_fact(o: Offering, *, slots: Iterable[Slot] | None = None) -> rules.Section:
    """The section as the rules see it: its slots are ``o.slots.all()`` (prefetch them) unless
    given; its region is read through ``o.open_to`` (select it with the offering)."""
    return rules.Section(
        id=o.pk,
        title=o.title,
        round_id=o.round_id,
        slots=tuple(slot_fact(s) for s in (o.slots.all() if slots is None else slots)),
        credits=o.credits,
        seats=o.seats,
        taken=o.taken,
        is_active=o.is_active,
        open_to_path=o.open_to.path if o.open_to is not None else None,
        grade_min=o.grade_min,
        grade_max=o.grade_max,
        school_types=tuple(o.school_types or ()),
        prerequisites=tuple(o.prerequisites or ()),
        starts_on=o.starts_on,
        ends_on=o.ends_on,
    )


def round_fact(r: SelectionRound) -> rules.Round:
    return rules.Round(
        id=r.pk,
        mode=r.mode,
        status=r.status,
        scope_path=r.scope.path,
        opens_at=r.opens_at,
        closes_at=r.closes_at,
        drop_until=r.drop_until,
        max_sections=r.max_sections,
        max_credits=r.max_credits,
    )


def home_timetable(klass: OrgUnit) -> list[Slot]:
    return list(Slot.objects.filter(home_class=klass).order_by("weekday", "starts", "id"))


def passed_codes(student_id: int, among: Iterable[str] | None = None) -> frozenset[str]:
    """The course codes the student has a passed result for (only ``among`` when given: no
    query when that is empty)."""
    qs = ExternalResult.objects.filter(student_id=student_id, passed=True)
    if among is not None:
        codes = list(among)
        if not codes:
            return frozenset()
        qs = qs.filter(course_code__in=codes)
    return frozenset(qs.values_list("course_code", flat=True))


def student_fact(
    place: StudentPlace,
    *,
    home: Iterable[Slot] = (),
    passed: frozenset[str] = frozenset(),
) -> rules.Student:
    return rules.Student(
        class_path=place.klass.path,
        grade_level=place.grade_level,
        school_type=place.school.school_type,
        location_class=place.school.location_class,
        home=tuple(slot_fact(s) for s in home),
        passed=passed,
    )


def live_picks(student_id: int) -> list[Selection]:
    """The student's pending, enrolled and waitlisted picks, oldest first, with their sections
    and the sections' slots (two queries)."""
    return list(
        Selection.objects.filter(student_id=student_id, status__in=ACTIVE)
        .select_related("offering", "offering__open_to")
        .prefetch_related(
            Prefetch("offering__slots", queryset=Slot.objects.order_by("weekday", "starts"))
        )
        .order_by("id")
    )


def pick_facts(picks: Iterable[Selection]) -> tuple[rules.Pick, ...]:
    return tuple(rules.Pick(section_fact(p.offering), p.round_id, p.status, p.pk) for p in picks)


def pick_snapshot(place: StudentPlace, offering: Offering, *, now: datetime) -> rules.Snapshot:
    """Everything choosing ``offering`` is judged on, read now (the service calls it with the
    student's picks serialized)."""
    student = student_fact(
        place,
        home=home_timetable(place.klass),
        passed=passed_codes(place.student_id, among=offering.prerequisites or ()),
    )
    return rules.Snapshot(
        student=student,
        picks=pick_facts(live_picks(place.student_id)),
        section=section_fact(offering),
        round=round_fact(offering.round),
        now=now,
    )
