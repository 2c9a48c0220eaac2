"""The rules of a course pick, pure: no ORM, no I/O, no clock of its own.

A pick is judged over a snapshot (``Snapshot``): the student (class, grade, school, fixed home
timetable, passed course codes), their live picks (pending, enrolled or waitlisted) with slots
and dates, the section being judged, its round and its limits, and the time. Three callers judge
the same kind of snapshot, so they cannot drift apart:

- ``services.selection_create`` builds it under the student's lock (decision 0002) and raises
  the refusal; the seat itself is then taken by the database's conditional UPDATE, never by the
  snapshot's counts (``placement`` says what the UPDATE's answer means);
- the catalogue page (``selectors.catalogue``) judges every section it lists, so a student sees
  before choosing what choosing would answer;
- the lottery draw (``services.lottery``) fits ranked sections into the seats left with the same
  limit and timetable rules (``draft``), in a seeded order (``draw_order``).

A refusal is the app's typed error (``courses.errors``), with its code, message and detail.
The snapshots are built from the database by ``selectors.snapshots``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from tongke.core.errors import Invalid, TongkeError
from tongke.courses import errors
from tongke.courses.enums import RoundMode, RoundStatus, SelectionStatus, Weekday
from tongke.orgs.enums import LocationClass, SchoolType

PRIORITY_LOCATIONS = (LocationClass.RURAL, LocationClass.REMOTE)

# --- The snapshot ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A weekly time slot: of a section, or of a class's fixed home timetable."""

    weekday: int
    starts: time
    ends: time
    label: str = ""
    id: int = 0

    def overlaps(self, other: Slot) -> bool:
        return (
            self.weekday == other.weekday and self.starts < other.ends and other.starts < self.ends
        )

    def __str__(self) -> str:  # as ``models.Slot.__str__`` shows it
        day = dict(Weekday.choices).get(self.weekday, self.weekday)
        return f"{day} {self.starts:%H:%M}-{self.ends:%H:%M}"


@dataclass(frozen=True)
class Section:
    """A course section (an offering) as the rules see it."""

    id: int
    title: str
    round_id: int
    slots: tuple[Slot, ...] = ()
    credits: Decimal = Decimal(1)
    seats: int = 0
    taken: int = 0
    is_active: bool = True
    open_to_path: str | None = None  # the region it is open to; None: every region
    grade_min: int = 1
    grade_max: int = 16
    school_types: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    starts_on: date | None = None
    ends_on: date | None = None


class RoundWindow(Protocol):
    """What the open and drop windows are judged on (a ``Round`` or a ``SelectionRound``)."""

    @property
    def status(self) -> str: ...
    @property
    def opens_at(self) -> datetime: ...
    @property
    def closes_at(self) -> datetime: ...
    @property
    def drop_until(self) -> datetime: ...


@dataclass(frozen=True)
class Round:
    id: int
    mode: str
    status: str
    scope_path: str
    opens_at: datetime
    closes_at: datetime
    drop_until: datetime
    max_sections: int
    max_credits: Decimal


@dataclass(frozen=True)
class Student:
    """Where a student sits and what they bring: what eligibility and clashes are judged on."""

    class_path: str
    grade_level: int
    school_type: str
    location_class: str = ""
    home: tuple[Slot, ...] = ()  # the class's fixed home timetable
    passed: frozenset[str] = frozenset()  # course codes with a passed result


@dataclass(frozen=True)
class Pick:
    """One of the student's live picks (pending, enrolled or waitlisted)."""

    section: Section
    round_id: int
    status: str
    id: int = 0


@dataclass(frozen=True)
class Snapshot:
    student: Student
    picks: tuple[Pick, ...]
    section: Section
    round: Round
    now: datetime


@dataclass(frozen=True)
class Verdict:
    """What choosing the section would answer: a refusal, or a seat (or the waitlist when
    ``full``: the snapshot's count says so; the database's conditional UPDATE decides)."""

    refusal: TongkeError | None = None
    full: bool = False

    @property
    def code(self) -> str:
        return self.refusal.code if self.refusal is not None else ""

    @property
    def ok(self) -> bool:
        return self.refusal is None


# --- Rounds and slots ------------------------------------------------------------------------


def round_is_open(rnd: RoundWindow, now: datetime) -> bool:
    return rnd.status == RoundStatus.OPEN and rnd.opens_at <= now < rnd.closes_at


def round_drop_open(rnd: RoundWindow, now: datetime) -> bool:
    return (
        rnd.status in (RoundStatus.OPEN, RoundStatus.CLOSED)
        and rnd.opens_at <= now < rnd.drop_until
    )


def round_dates_refusal(rnd: RoundWindow) -> Invalid | None:
    if not (rnd.opens_at < rnd.closes_at <= rnd.drop_until):
        return errors.round_dates()
    return None


def slots_refusal(slots: Sequence[Slot]) -> Invalid | None:
    """The slots of one section, or of one class's timetable: each a proper slot, none
    overlapping another."""
    for s in slots:
        if not (1 <= s.weekday <= 7) or s.ends <= s.starts:
            return Invalid(
                _("Each slot needs a weekday from 1 to 7 and an end after its start."),
                code=errors.BAD_SLOT,
            )
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if a.overlaps(b):
                return Invalid(_("Two slots of the same section overlap."), code=errors.BAD_SLOT)
    return None


def dates_overlap(a: Section, b: Section) -> bool:
    """Two sections run in overlapping weeks (a section without dates runs all term)."""
    if a.starts_on and a.ends_on and b.starts_on and b.ends_on:
        return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on
    return True


# --- Judging a pick --------------------------------------------------------------------------


def eligibility_refusal(student: Student, section: Section, rnd: Round) -> TongkeError | None:
    """``not_eligible`` with the reason when the student may not take the section (round,
    region, grade, school type, prerequisites), in that order."""
    if not student.class_path.startswith(rnd.scope_path):
        return errors.not_eligible("round", _("Your class does not take part in this round."))
    if section.open_to_path is not None and not student.class_path.startswith(section.open_to_path):
        return errors.not_eligible(
            "region", _("This section is not open to students of your region.")
        )
    if not (section.grade_min <= student.grade_level <= section.grade_max):
        return errors.not_eligible(
            "grade",
            _("This section is for grades %(lo)d to %(hi)d.")
            % {"lo": section.grade_min, "hi": section.grade_max},
        )
    if section.school_types and student.school_type not in section.school_types:
        return errors.not_eligible(
            "school_type", _("This section is not open to your type of school.")
        )
    missing = [c for c in section.prerequisites if c not in student.passed]
    if missing:
        return errors.not_eligible(
            "prerequisite", _("First pass: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return None


def _held_credits(held: Sequence[Section]) -> Decimal:
    return sum((s.credits for s in held), Decimal(0))


def over_limits(held: Sequence[Section], section: Section, rnd: Round) -> bool:
    """One more section would pass the round's limit of sections or credits per student
    (``held``: the student's live picks in the round)."""
    return (
        len(held) + 1 > rnd.max_sections or _held_credits(held) + section.credits > rnd.max_credits
    )


def limit_refusal(held: Sequence[Section], section: Section, rnd: Round) -> TongkeError | None:
    if not over_limits(held, section, rnd):
        return None
    return errors.limit(
        {
            "sections": len(held),
            "max_sections": rnd.max_sections,
            "credits": str(_held_credits(held)),
            "max_credits": str(rnd.max_credits),
        }
    )


def timetable_clash(
    home: Sequence[Slot], held: Sequence[Section], section: Section
) -> dict[str, Any] | None:
    """The first clash of the section's slots with the home timetable, then with the slots
    of the other sections ``held`` (in week order) that run in overlapping weeks, or None."""
    for h in home:
        for s in section.slots:
            if s.overlaps(h):
                return {
                    "with": _("your class timetable (%(label)s)") % {"label": h.label or str(h)},
                    "slot": str(s),
                    "home_slot": str(h),
                }
    theirs = sorted(
        ((slot, other) for other in held if other.id != section.id for slot in other.slots),
        key=lambda pair: (pair[0].weekday, pair[0].starts, pair[0].id),
    )
    for slot, other in theirs:
        if not dates_overlap(section, other):
            continue
        for s in section.slots:
            if s.overlaps(slot):
                return {"with": other.title, "slot": str(s), "offering_id": other.id}
    return None


def pick_refusal(snap: Snapshot) -> TongkeError | None:
    """Why choosing ``snap.section`` now is refused, or None: the round's mode and window,
    the section still offered, eligibility, already held, limits, timetable."""
    rnd, section = snap.round, snap.section
    if rnd.mode != RoundMode.FIRST_COME:
        return Invalid(
            _("This round is a lottery: rank your choices instead."),
            code=errors.ROUND_NOT_FIRST_COME,
        )
    if not round_is_open(rnd, snap.now):
        return errors.round_closed()
    if not section.is_active:
        return errors.not_eligible("inactive", _("This section is no longer offered."))
    refusal = eligibility_refusal(snap.student, section, rnd)
    if refusal is not None:
        return refusal
    if any(p.section.id == section.id for p in snap.picks):
        return errors.already_held()
    in_round = [p.section for p in snap.picks if p.round_id == rnd.id]
    refusal = limit_refusal(in_round, section, rnd)
    if refusal is not None:
        return refusal
    clash = timetable_clash(snap.student.home, [p.section for p in snap.picks], section)
    if clash is not None:
        return errors.conflict(clash)
    return None


def judge_pick(snap: Snapshot) -> Verdict:
    refusal = pick_refusal(snap)
    if refusal is not None:
        return Verdict(refusal=refusal)
    return Verdict(full=snap.section.taken >= snap.section.seats)


def placement(*, took_seat: bool, waitlist: bool, needs_approval: bool) -> str | None:
    """The status of an accepted pick once the database answered whether a seat was free:
    pending (the home school approves) or enrolled with a seat, waitlisted without one when
    asked for, None (refused: full) otherwise."""
    if took_seat:
        return SelectionStatus.PENDING if needs_approval else SelectionStatus.ENROLLED
    if waitlist:
        return SelectionStatus.WAITLISTED
    return None


# --- The lottery -------------------------------------------------------------------------------


def lottery_priority(student: Student | None) -> int:
    """0 for students of rural schools and teaching points, 1 for the others, 2 for people who
    are no longer a student of a class."""
    if student is None:
        return 2
    rural = (
        student.location_class in PRIORITY_LOCATIONS
        or student.school_type == SchoolType.TEACHING_POINT
    )
    return 0 if rural else 1


def draw_order(
    student_ids: Iterable[int], seed: int, priority: Mapping[int, int] | None = None
) -> list[int]:
    """The students in a random order the seed fixes; with ``priority``, lower groups first
    (the sort is stable: the random order holds within each group)."""
    order = sorted(student_ids)
    random.Random(seed).shuffle(order)
    if priority is not None:
        order.sort(key=lambda sid: priority[sid])
    return order


def draft_fits(
    student: Student, mine: Sequence[Section], section: Section, rnd: Round, seats_left: int
) -> bool:
    """The section may go to the student in the draw: not theirs yet, a seat left, within the
    limits and their timetable (home, and the sections already drawn for them)."""
    return not (
        any(m.id == section.id for m in mine)
        or seats_left <= 0
        or over_limits(mine, section, rnd)
        or timetable_clash(student.home, mine, section) is not None
    )


def draft(
    order: Sequence[int],
    prefs: Mapping[int, Sequence[Section]],
    students: Mapping[int, Student | None],
    seats: Mapping[int, int],
    rnd: Round,
) -> dict[int, list[Section]]:
    """Allocate as a draft: in each pass every student, in draw order, takes their best-ranked
    section that still fits; nobody gets a second section before everyone had a turn at a
    first. ``seats``: the seats left per section id."""
    left = dict(seats)
    got: dict[int, list[Section]] = {sid: [] for sid in order}
    for _pass in range(rnd.max_sections):
        placed_any = False
        for sid in order:
            student = students[sid]
            if student is None:
                continue
            mine = got[sid]
            for section in prefs[sid]:
                if draft_fits(student, mine, section, rnd, left.get(section.id, 0)):
                    left[section.id] -= 1
                    mine.append(section)
                    placed_any = True
                    break
        if not placed_any:
            break
    return got
