"""Writes of lottery rounds: a student ranks sections, a round admin draws the lottery.

The order and the allocation are ``courses.rules`` (``draw_order``, ``draft``): seeded and
reproducible, rural schools and teaching points first when the round asks, one section per
student per pass. This module reads what they judge and writes what they decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

import tongke.courses.selectors.snapshots as snapshots
from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.core.errors import Invalid
from tongke.courses import errors, policies, rules
from tongke.courses.enums import RoundMode, SelectionStatus
from tongke.courses.models import Offering, Preference, Selection, SelectionRound, Slot
from tongke.courses.services.rounds import round_is_open
from tongke.courses.services.seats import approval_rule, take_seat
from tongke.notifications.services import notify


@transaction.atomic
def preferences_set(
    *, actor: User, rnd: SelectionRound, offerings: list[Offering]
) -> list[Preference]:
    place = policies.student_place(actor)
    if place is None:
        raise errors.not_a_student()
    if rnd.mode != RoundMode.LOTTERY:
        raise Invalid(_("This round is first come, first served."), code=errors.ROUND_NOT_LOTTERY)
    if not round_is_open(rnd) or rnd.drawn_at:
        raise errors.round_closed()
    if len(offerings) > rnd.max_choices or len({o.pk for o in offerings}) != len(offerings):
        raise Invalid(
            _("Rank up to %(n)d different sections.") % {"n": rnd.max_choices},
            code=errors.BAD_PREFERENCES,
        )
    prerequisites = {c for o in offerings if o.round_id == rnd.pk for c in o.prerequisites or ()}
    student = snapshots.student_fact(
        place, passed=snapshots.passed_codes(place.student_id, among=sorted(prerequisites))
    )
    for o in offerings:
        if o.round_id != rnd.pk:
            raise Invalid(
                _("A ranked section belongs to another round."), code=errors.BAD_PREFERENCES
            )
        refusal = rules.eligibility_refusal(
            student, snapshots.section_fact(o, slots=()), snapshots.round_fact(o.round)
        )
        if refusal is not None:
            raise refusal
    Preference.objects.filter(student_id=actor.pk, round=rnd).delete()
    prefs = Preference.objects.bulk_create(
        [
            Preference(student_id=actor.pk, round=rnd, offering=o, rank=i)
            for i, o in enumerate(offerings, 1)
        ]
    )
    audit_record(
        actor=actor,
        action="course_preferences.set",
        target=rnd,
        scope_path=place.klass.path,
        changes={"offerings": [None, [o.pk for o in offerings]]},
    )
    return prefs


@dataclass
class DrawResult:
    enrolled: int
    waitlisted: int
    unplaced: int
    order: list[int]


@dataclass
class _Entrants:
    """Who ranked what in a round, as the rules see it."""

    prefs: dict[int, list[rules.Section]]
    places: dict[int, policies.StudentPlace | None]
    students: dict[int, rules.Student | None]


def _entrants(rnd: SelectionRound) -> _Entrants:
    rows = (
        Preference.objects.filter(round=rnd)
        .select_related("offering", "offering__open_to")
        .prefetch_related(
            Prefetch("offering__slots", queryset=Slot.objects.order_by("weekday", "starts"))
        )
        .order_by("student_id", "rank")
    )
    sections: dict[int, rules.Section] = {}
    prefs: dict[int, list[rules.Section]] = {}
    for p in rows:
        if p.offering_id not in sections:
            sections[p.offering_id] = snapshots.section_fact(p.offering)
        prefs.setdefault(p.student_id, []).append(sections[p.offering_id])
    places = {s: policies.student_place(User.objects.get(pk=s)) for s in sorted(prefs)}
    students: dict[int, rules.Student | None] = {}
    for sid, place in places.items():
        students[sid] = (
            None
            if place is None
            else snapshots.student_fact(place, home=snapshots.home_timetable(place.klass))
        )
    return _Entrants(prefs, places, students)


def _record_draw(
    rnd: SelectionRound, entrants: _Entrants, order: list[int], got: dict[int, list[rules.Section]]
) -> DrawResult:
    """Write the draw's outcome: a seat (pending or enrolled) for each section drawn, the
    waitlist of the first choice for a student who got none."""
    enrolled = waitlisted = unplaced = 0
    for sid in order:
        place = entrants.places[sid]
        if place is None:
            unplaced += 1
            continue
        rule = approval_rule(place.school)
        for section in got[sid]:
            if not take_seat(section.id):  # the in-memory count mirrors the table
                raise RuntimeError("seat accounting out of step")
            Selection.objects.create(
                student_id=sid,
                offering_id=section.id,
                round=rnd,
                status=SelectionStatus.PENDING if rule else SelectionStatus.ENROLLED,
                home_school=place.school,
                approve_by=timezone.now() + timedelta(hours=rule.hours) if rule else None,
            )
            enrolled += 1
        if not got[sid]:
            Selection.objects.create(
                student_id=sid,
                offering_id=entrants.prefs[sid][0].id,
                round=rnd,
                status=SelectionStatus.WAITLISTED,
                home_school=place.school,
            )
            waitlisted += 1
        notify(
            user_id=sid,
            kind="courses.lottery",
            title=_("The lottery of %(round)s was drawn") % {"round": rnd.name},
            link="/courses/mine/",
        )
    return DrawResult(enrolled, waitlisted, unplaced, order)


@transaction.atomic
def lottery_draw(*, actor: User, rnd: SelectionRound) -> DrawResult:
    """Draw the lottery: students in a seeded random order (rural schools and teaching points
    first when the round says so) take, pass after pass, their best-ranked section that still
    has a seat and fits their timetable and limits, one section per pass. A student left
    without any seat queues on their first choice. The same seed gives the same result."""
    rnd = SelectionRound.objects.select_for_update().select_related("scope").get(pk=rnd.pk)
    if not policies.can_manage_round(actor, rnd):
        raise errors.forbidden()
    if rnd.mode != RoundMode.LOTTERY:
        raise Invalid(_("This round is first come, first served."), code=errors.ROUND_NOT_LOTTERY)
    if rnd.drawn_at is not None:
        raise Invalid(_("The lottery of this round was already drawn."), code=errors.ALREADY_DRAWN)
    entrants = _entrants(rnd)
    priority = (
        {sid: rules.lottery_priority(s) for sid, s in entrants.students.items()}
        if rnd.rural_priority
        else None
    )
    order = rules.draw_order(entrants.prefs, rnd.lottery_seed, priority)
    seats = {o.pk: o.seats - o.taken for o in Offering.objects.filter(round=rnd)}
    got = rules.draft(order, entrants.prefs, entrants.students, seats, snapshots.round_fact(rnd))
    result = _record_draw(rnd, entrants, order, got)
    rnd.drawn_at = timezone.now()
    rnd.save(update_fields=["drawn_at"])
    audit_record(
        actor=actor,
        action="course_round.draw",
        target=rnd,
        scope_path=rnd.scope.path,
        changes={
            "enrolled": [None, result.enrolled],
            "waitlisted": [None, result.waitlisted],
            "seed": [None, rnd.lottery_seed],
        },
    )
    return result
