"""The student's catalogue: the open rounds, their sections, and for each section what choosing
it would answer now.

Each section is judged by ``courses.rules.judge_pick``, the rules ``services.selection_create``
applies, over one read of the student's picks, home timetable and passed courses (a
``Standing``), so the page flags a conflict or a refusal with its reason before the student
chooses instead of waiting for the refusal. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

import tongke.courses.selectors.snapshots as snapshots
from tongke.accounts.models import User
from tongke.courses import errors, policies, rules
from tongke.courses.enums import RoundMode, RoundStatus
from tongke.courses.models import Offering, Selection, SelectionRound
from tongke.courses.selectors.offerings import offering_list
from tongke.courses.selectors.rounds import round_list
from tongke.courses.selectors.selections import waitlist_positions


def open_rounds(*, viewer: User | AnonymousUser) -> list[SelectionRound]:
    """Rounds the viewer may see that are open, or marked open and about to open."""
    return list(
        round_list(viewer=viewer)
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
    viewer: User | AnonymousUser,
    rounds: list[SelectionRound],
    subject: str | None = None,
    mode: str | None = None,
    q: str | None = None,
    with_seats: bool = False,
) -> QuerySet[Offering]:
    return (
        offering_list(viewer=viewer, subject=subject, mode=mode, q=q, with_seats=with_seats)
        .filter(round__in=rounds)
        .select_related("round__scope")
        .order_by("round__closes_at", "round_id", "code", "id")
    )


@dataclass
class SectionChoice:
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
    """A student's live picks, home timetable, passed courses and load per round, read once."""

    place: policies.StudentPlace
    picks: list[Selection]
    student: rules.Student
    facts: tuple[rules.Pick, ...]
    load: dict[int, RoundLoad]
    positions: dict[int, int]

    def load_of(self, rnd: SelectionRound) -> RoundLoad:
        return self.load.get(rnd.pk, RoundLoad())


def standing_of(place: policies.StudentPlace) -> Standing:
    picks = snapshots.live_picks(place.student_id)
    load: dict[int, RoundLoad] = {}
    for s in picks:
        row = load.setdefault(s.round_id, RoundLoad())
        row.sections += 1
        row.credits += s.offering.credits
    student = snapshots.student_fact(
        place,
        home=snapshots.home_timetable(place.klass),
        passed=snapshots.passed_codes(place.student_id),
    )
    return Standing(
        place, picks, student, snapshots.pick_facts(picks), load, waitlist_positions(picks)
    )


def section_choices(standing: Standing, offerings: list[Offering]) -> dict[int, SectionChoice]:
    """For each listed section (with its round and slots read): the student's own pick of
    it, the lottery's "rank it", or what choosing it would answer (``rules.judge_pick``)."""
    held = {s.offering_id: s for s in standing.picks}
    out: dict[int, SectionChoice] = {}
    now = timezone.now()
    for o in offerings:
        choice = out[o.pk] = SectionChoice()
        pick = held.get(o.pk)
        if pick is not None:
            choice.held = pick.status
            choice.waitlist_position = standing.positions.get(pick.pk)
            continue
        if o.round.mode == RoundMode.LOTTERY:
            choice.lottery = True
            continue
        verdict = rules.judge_pick(
            rules.Snapshot(
                student=standing.student,
                picks=standing.facts,
                section=snapshots.section_fact(o),
                round=snapshots.round_fact(o.round),
                now=now,
            )
        )
        if verdict.refusal is not None:
            choice.reason, choice.code = str(verdict.refusal.message), verdict.refusal.code
        else:
            choice.full = verdict.full
    return out
