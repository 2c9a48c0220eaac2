"""Writes of course selection. Rush correctness rests on the database:

- a seat is taken by one conditional UPDATE (``taken = taken + 1 WHERE taken < seats``);
  a check constraint (``taken <= seats``) backs it up;
- one live selection per student and section, and one use per idempotency key, are unique
  constraints, so a double click or a retried request cannot create a duplicate;
- a student's own picks are serialized by locking the student's row (PostgreSQL), or by the
  write lock SQLite's BEGIN IMMEDIATE takes, so two concurrent picks of overlapping sections
  cannot both pass the timetable check.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Invalid, NotFound
from tongke.courses import errors, policies
from tongke.courses.enums import (
    ACTIVE,
    SEAT_HOLDING,
    RoundMode,
    RoundStatus,
    SelectionStatus,
)
from tongke.courses.models import (
    ApprovalRule,
    ExternalResult,
    Offering,
    Preference,
    Selection,
    SelectionRound,
    Slot,
)
from tongke.notifications.services import notify
from tongke.orgs.enums import LocationClass, SchoolType, UnitKind
from tongke.orgs.models import OrgUnit

ROUND_FIELDS = (
    "name",
    "mode",
    "status",
    "opens_at",
    "closes_at",
    "drop_until",
    "max_sections",
    "max_credits",
    "max_choices",
    "lottery_seed",
    "rural_priority",
)
OFFERING_FIELDS = (
    "code",
    "title",
    "title_en",
    "description",
    "subject",
    "teacher",
    "mode",
    "seats",
    "open_to",
    "grade_min",
    "grade_max",
    "school_types",
    "prerequisites",
    "credits",
    "hours",
    "starts_on",
    "ends_on",
    "is_active",
)


@dataclass(frozen=True)
class SlotIn:
    weekday: int
    starts: time
    ends: time
    label: str = ""


def _clean(obj: Any) -> None:
    from django.core.exceptions import ValidationError

    from tongke.orgs.services import validation_error

    try:
        obj.full_clean()
    except ValidationError as exc:
        raise validation_error(exc) from exc


def _check_round_dates(rnd: SelectionRound) -> None:
    if not (rnd.opens_at < rnd.closes_at <= rnd.drop_until):
        raise errors.round_dates()


# --- Rounds --------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor: Any, scope: OrgUnit, **fields: Any) -> SelectionRound:
    if scope.kind not in (UnitKind.REGION, UnitKind.SCHOOL) or not policies.can_create_round(
        actor, scope
    ):
        raise errors.forbidden()
    fields.setdefault("lottery_seed", random.SystemRandom().randrange(1, 2**31))
    rnd = SelectionRound(scope=scope, created_by=actor, **fields)
    _check_round_dates(rnd)
    _clean(rnd)
    rnd.save()
    audit_record(
        actor=actor,
        action="course_round.create",
        target=rnd,
        scope_path=scope.path,
        changes=diff({}, snapshot(rnd, ROUND_FIELDS)),
    )
    return rnd


@transaction.atomic
def round_update(*, actor: Any, rnd: SelectionRound, **changes: Any) -> SelectionRound:
    if not policies.can_manage_round(actor, rnd):
        raise errors.forbidden()
    rnd = SelectionRound.objects.select_for_update().select_related("scope").get(pk=rnd.pk)
    before = snapshot(rnd, ROUND_FIELDS)
    if rnd.drawn_at and {"mode", "lottery_seed"} & set(changes):
        raise Invalid(
            _("The lottery was drawn; its mode and seed are fixed."), code=errors.ALREADY_DRAWN
        )
    for key, value in changes.items():
        if key not in ROUND_FIELDS:
            raise Invalid(code="invalid", detail={key: "unknown or read-only field"})
        setattr(rnd, key, value)
    _check_round_dates(rnd)
    _clean(rnd)
    rnd.save()
    after = snapshot(rnd, ROUND_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="course_round.update",
            target=rnd,
            scope_path=rnd.scope.path,
            changes=diff(before, after),
        )
    return rnd


def round_is_open(rnd: SelectionRound, now: Any = None) -> bool:
    now = now or timezone.now()
    return rnd.status == RoundStatus.OPEN and rnd.opens_at <= now < rnd.closes_at


def round_drop_open(rnd: SelectionRound, now: Any = None) -> bool:
    now = now or timezone.now()
    return (
        rnd.status in (RoundStatus.OPEN, RoundStatus.CLOSED)
        and rnd.opens_at <= now < rnd.drop_until
    )


# --- Offerings and timetables ---------------------------------------------------------------


def _check_slots(slots: Iterable[SlotIn]) -> list[SlotIn]:
    slots = list(slots)
    for s in slots:
        if not (1 <= s.weekday <= 7) or s.ends <= s.starts:
            raise Invalid(
                _("Each slot needs a weekday from 1 to 7 and an end after its start."),
                code=errors.BAD_SLOT,
            )
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if a.weekday == b.weekday and a.starts < b.ends and b.starts < a.ends:
                raise Invalid(_("Two slots of the same section overlap."), code=errors.BAD_SLOT)
    return slots


def _teacher_of(person: Any, school: OrgUnit) -> bool:
    from tongke.orgs.enums import TEACHING_ROLES
    from tongke.orgs.models import RoleAssignment

    return RoleAssignment.objects.filter(
        user_id=person.pk, role__in=TEACHING_ROLES, unit__path__startswith=school.path
    ).exists()


@transaction.atomic
def offering_create(
    *,
    actor: Any,
    rnd: SelectionRound,
    host_school: OrgUnit,
    slots: Iterable[SlotIn] = (),
    **fields: Any,
) -> Offering:
    if not policies.can_create_offering(actor, rnd, host_school):
        raise errors.forbidden()
    teacher = fields.get("teacher")
    if teacher is not None and not _teacher_of(teacher, host_school):
        raise Invalid(_("The teacher must teach at the host school."), code=errors.BAD_TEACHER)
    open_to = fields.get("open_to")
    if open_to is not None and open_to.kind != UnitKind.REGION:
        raise Invalid(_("A section is opened to a region."), code="courses.bad_open_to")
    bad_types = [t for t in fields.get("school_types", []) if t not in SchoolType.values]
    if bad_types:
        raise Invalid(code="courses.bad_school_type", detail={"school_types": bad_types})
    checked = _check_slots(slots)
    offering = Offering(round=rnd, host_school=host_school, **fields)
    _clean(offering)
    try:
        with transaction.atomic():
            offering.save()
    except IntegrityError as exc:
        raise Invalid(
            _("The course code %(code)s is already used in this round.") % {"code": offering.code},
            code="courses.code_taken",
        ) from exc
    Slot.objects.bulk_create(
        [
            Slot(offering=offering, weekday=s.weekday, starts=s.starts, ends=s.ends, label=s.label)
            for s in checked
        ]
    )
    audit_record(
        actor=actor,
        action="course_offering.create",
        target=offering,
        scope_path=host_school.path,
        changes=diff({}, snapshot(offering, OFFERING_FIELDS)),
    )
    return offering


@transaction.atomic
def offering_update(*, actor: Any, offering: Offering, **changes: Any) -> Offering:
    if not policies.can_manage_offering(actor, offering):
        raise errors.forbidden()
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    before = snapshot(offering, OFFERING_FIELDS)
    for key, value in changes.items():
        if key not in ("title", "title_en", "description", "seats", "is_active"):
            raise Invalid(code="invalid", detail={key: "unknown or read-only field"})
        setattr(offering, key, value)
    if offering.seats < offering.taken:
        raise Invalid(
            _("There are already %(n)d students in this section; seats cannot go below that.")
            % {"n": offering.taken},
            code="courses.seats_below_taken",
        )
    _clean(offering)
    offering.save()
    promoted = _promote(offering) if offering.seats > before["seats"] else 0
    after = snapshot(offering, OFFERING_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="course_offering.update",
            target=offering,
            scope_path=offering.host_school.path,
            changes=diff(before, after) | ({"promoted": [0, promoted]} if promoted else {}),
        )
    return offering


@transaction.atomic
def home_slots_set(*, actor: Any, klass: OrgUnit, slots: Iterable[SlotIn]) -> list[Slot]:
    """Replace a class's fixed home timetable."""
    from tongke.orgs.policies import can_manage_unit

    if klass.kind != UnitKind.CLASS or not can_manage_unit(actor, klass):
        raise errors.forbidden()
    checked = _check_slots(slots)
    before = [str(s) for s in Slot.objects.filter(home_class=klass)]
    Slot.objects.filter(home_class=klass).delete()
    created = Slot.objects.bulk_create(
        [
            Slot(home_class=klass, weekday=s.weekday, starts=s.starts, ends=s.ends, label=s.label)
            for s in checked
        ]
    )
    audit_record(
        actor=actor,
        action="home_timetable.set",
        target=klass,
        scope_path=klass.path,
        changes={"slots": [before, [str(s) for s in created]]},
    )
    return created


# --- Choosing a section ----------------------------------------------------------------------


def check_eligibility(place: policies.StudentPlace, offering: Offering) -> None:
    """Raise ``not_eligible`` with the reason when the student may not take ``offering``
    (round, region, grade, school type, prerequisites). The catalogue shows the same reason
    before a student chooses."""
    rnd = offering.round
    if not place.klass.path.startswith(rnd.scope.path):
        raise errors.not_eligible("round", _("Your class does not take part in this round."))
    if offering.open_to is not None and not place.klass.path.startswith(offering.open_to.path):
        raise errors.not_eligible(
            "region", _("This section is not open to students of your region.")
        )
    if not (offering.grade_min <= place.grade_level <= offering.grade_max):
        raise errors.not_eligible(
            "grade",
            _("This section is for grades %(lo)d to %(hi)d.")
            % {"lo": offering.grade_min, "hi": offering.grade_max},
        )
    if offering.school_types and place.school.school_type not in offering.school_types:
        raise errors.not_eligible(
            "school_type", _("This section is not open to your type of school.")
        )
    if offering.prerequisites:
        passed = set(
            ExternalResult.objects.filter(
                student_id=place.student_id, passed=True, course_code__in=offering.prerequisites
            ).values_list("course_code", flat=True)
        )
        missing = [c for c in offering.prerequisites if c not in passed]
        if missing:
            raise errors.not_eligible(
                "prerequisite",
                _("First pass: %(codes)s.") % {"codes": ", ".join(missing)},
            )


def _overlap(a: Slot, b: Slot) -> bool:
    return a.weekday == b.weekday and a.starts < b.ends and b.starts < a.ends


def timetable_conflict(
    place: policies.StudentPlace, offering: Offering, slots: list[Slot]
) -> dict[str, Any] | None:
    """The first clash of ``offering``'s slots with the student's home timetable or their
    other live picks (pending, enrolled or waitlisted), or None."""
    for home in Slot.objects.filter(home_class=place.klass):
        for s in slots:
            if _overlap(s, home):
                return {
                    "with": _("your class timetable (%(label)s)")
                    % {"label": home.label or str(home)},
                    "slot": str(s),
                    "home_slot": str(home),
                }
    held = (
        Slot.objects.filter(
            offering__selections__student_id=place.student_id,
            offering__selections__status__in=ACTIVE,
        )
        .exclude(offering_id=offering.pk)
        .select_related("offering")
    )
    for other in held:
        if other.offering is None or not _dates_overlap(offering, other.offering):
            continue
        for s in slots:
            if _overlap(s, other):
                return {
                    "with": other.offering.title,
                    "slot": str(s),
                    "offering_id": other.offering_id,
                }
    return None


def _dates_overlap(a: Offering, b: Offering) -> bool:
    if a.starts_on and a.ends_on and b.starts_on and b.ends_on:
        return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on
    return True


def _check_limits(place: policies.StudentPlace, offering: Offering) -> None:
    rnd = offering.round
    held = Selection.objects.filter(student_id=place.student_id, round=rnd, status__in=ACTIVE)
    count = held.count()
    credits = held.aggregate(total=Sum("offering__credits"))["total"] or Decimal(0)
    if count + 1 > rnd.max_sections or credits + offering.credits > rnd.max_credits:
        raise errors.limit(
            {
                "sections": count,
                "max_sections": rnd.max_sections,
                "credits": str(credits),
                "max_credits": str(rnd.max_credits),
            }
        )


def _take_seat(offering_id: int) -> bool:
    """Take one seat if one is free: a single conditional UPDATE, atomic on both databases."""
    return bool(
        Offering.objects.filter(pk=offering_id, taken__lt=F("seats"), is_active=True).update(
            taken=F("taken") + 1
        )
    )


def _release_seat(offering_id: int) -> None:
    Offering.objects.filter(pk=offering_id, taken__gt=0).update(taken=F("taken") - 1)


def _approval(school: OrgUnit) -> ApprovalRule | None:
    rule = ApprovalRule.objects.filter(school=school).first()
    return rule if rule is not None and rule.required else None


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


class _Replay(Exception):  # control flow: a twin request already answered
    def __init__(self, selection: Selection):
        self.selection = selection


@dataclass
class Picked:
    selection: Selection
    replayed: bool


def selection_create(
    *, actor: Any, offering: Offering, idempotency_key: str | None = None, waitlist: bool = False
) -> Picked:
    """A student picks a section (first-come rounds). Replaying the same Idempotency-Key
    returns the first answer instead of acting twice."""
    if idempotency_key is not None:
        done = Selection.objects.filter(
            student_id=actor.pk, idempotency_key=idempotency_key
        ).first()
        if done is not None:
            if done.offering_id != offering.pk:
                raise errors.key_reused()
            return Picked(done, replayed=True)
    try:
        return Picked(_select(actor, offering, idempotency_key, waitlist), replayed=False)
    except _Replay as replay:
        return Picked(replay.selection, replayed=True)
    except IntegrityError:
        # A concurrent twin of this request won the race: answer as it did.
        if idempotency_key is not None:
            done = Selection.objects.filter(
                student_id=actor.pk, idempotency_key=idempotency_key
            ).first()
            if done is not None and done.offering_id == offering.pk:
                return Picked(done, replayed=True)
        raise errors.already_held() from None


@transaction.atomic
def _select(actor: Any, offering: Offering, key: str | None, waitlist: bool) -> Selection:
    place = policies.student_place(actor)
    if place is None:
        raise errors.not_a_student()
    # Serialize this student's picks (PostgreSQL row lock; SQLite's write lock already does).
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    if key is not None:
        # A twin of this request (same key) may have committed while we waited for the lock.
        twin = Selection.objects.filter(student_id=actor.pk, idempotency_key=key).first()
        if twin is not None:
            if twin.offering_id != offering.pk:
                raise errors.key_reused()
            raise _Replay(twin)
    rnd = offering.round
    if rnd.mode != RoundMode.FIRST_COME:
        raise Invalid(
            _("This round is a lottery: rank your choices instead."),
            code=errors.ROUND_NOT_FIRST_COME,
        )
    if not round_is_open(rnd):
        raise errors.round_closed()
    if not offering.is_active:
        raise errors.not_eligible("inactive", _("This section is no longer offered."))
    check_eligibility(place, offering)
    if Selection.objects.filter(student_id=actor.pk, offering=offering, status__in=ACTIVE).exists():
        raise errors.already_held()
    _check_limits(place, offering)
    clash = timetable_conflict(place, offering, list(offering.slots.all()))
    if clash is not None:
        raise errors.conflict(clash)
    rule = _approval(place.school)
    if _take_seat(offering.pk):
        status = SelectionStatus.PENDING if rule else SelectionStatus.ENROLLED
    elif waitlist:
        status = SelectionStatus.WAITLISTED
    else:
        raise errors.full(
            Selection.objects.filter(offering=offering, status=SelectionStatus.WAITLISTED).count()
        )
    selection = Selection(
        student_id=actor.pk,
        offering=offering,
        round=rnd,
        status=status,
        idempotency_key=key,
        home_school=place.school,
        approve_by=timezone.now() + timedelta(hours=rule.hours)
        if rule and status == SelectionStatus.PENDING
        else None,
    )
    selection.save()
    audit_record(
        actor=actor,
        action="course_selection.create",
        target=selection,
        scope_path=place.klass.path,
        changes={"offering": [None, offering.pk], "status": [None, status]},
    )
    return selection


def _promote(offering: Offering) -> int:
    """Fill free seats from the waitlist, oldest first, inside the caller's transaction."""
    promoted = 0
    while True:
        nxt = (
            Selection.objects.select_for_update()
            .filter(offering_id=offering.pk, status=SelectionStatus.WAITLISTED)
            .select_related("home_school")
            .order_by("id")
            .first()
        )
        if nxt is None or not _take_seat(offering.pk):
            return promoted
        rule = _approval(nxt.home_school)
        nxt.status = SelectionStatus.PENDING if rule else SelectionStatus.ENROLLED
        nxt.approve_by = timezone.now() + timedelta(hours=rule.hours) if rule else None
        nxt.save(update_fields=["status", "approve_by", "updated_at"])
        notify(
            user_id=nxt.student_id,
            kind="courses.promoted",
            title=_("A seat opened in %(title)s") % {"title": offering.title},
            body=_("You moved up from the waitlist.")
            + (" " + _("Your school still has to approve it.") if rule else ""),
            link="/courses/mine/",
        )
        audit_record(
            actor=None,
            action="course_selection.promote",
            target=nxt,
            scope_path=nxt.home_school.path,
            changes={"status": [SelectionStatus.WAITLISTED, nxt.status]},
        )
        promoted += 1


@transaction.atomic
def selection_drop(*, actor: Any, selection: Selection) -> Selection:
    """The student (or an admin of the home school) drops a pick; a freed seat goes to the
    first on the waitlist in the same transaction."""
    selection = (
        Selection.objects.select_for_update()
        .select_related("offering", "round", "home_school")
        .get(pk=selection.pk)
    )
    if not policies.can_drop_selection(actor, selection):
        raise errors.forbidden()
    own = selection.student_id == actor.pk
    if selection.status not in ACTIVE:
        raise errors.selection_not_found()
    if own and not round_drop_open(selection.round):
        raise errors.drop_closed()
    held_seat = selection.status in SEAT_HOLDING
    before = selection.status
    selection.status = SelectionStatus.DROPPED
    selection.save(update_fields=["status", "updated_at"])
    if held_seat:
        _release_seat(selection.offering_id)
        _promote(selection.offering)
    audit_record(
        actor=actor,
        action="course_selection.drop",
        target=selection,
        scope_path=selection.home_school.path,
        changes={"status": [before, SelectionStatus.DROPPED]},
    )
    return selection


@transaction.atomic
def selection_decide(*, actor: Any, selection: Selection, approve: bool) -> Selection:
    """Home-school approval of a pending pick. A refusal frees the seat for the waitlist."""
    selection = (
        Selection.objects.select_for_update()
        .select_related("offering", "home_school")
        .get(pk=selection.pk)
    )
    if actor is not None and not policies.can_decide(actor, selection):
        raise errors.forbidden()
    if selection.status != SelectionStatus.PENDING:
        raise errors.not_pending()
    selection.status = SelectionStatus.ENROLLED if approve else SelectionStatus.REJECTED
    selection.decided_by = actor
    selection.save(update_fields=["status", "decided_by", "updated_at"])
    if not approve:
        _release_seat(selection.offering_id)
        _promote(selection.offering)
    notify(
        user_id=selection.student_id,
        kind="courses.decided",
        title=(_("Approved: %(title)s") if approve else _("Not approved: %(title)s"))
        % {"title": selection.offering.title},
        link="/courses/mine/",
    )
    audit_record(
        actor=actor,
        action="course_selection.approve" if approve else "course_selection.reject",
        target=selection,
        scope_path=selection.home_school.path,
        changes={"status": [SelectionStatus.PENDING, selection.status]},
    )
    return selection


def selections_decide_bulk(*, actor: Any, selections: list[Selection], approve: bool) -> int:
    """Decide many pending picks at once; all or nothing, and only where ``actor`` may decide
    every one of them. Picks already decided are skipped."""
    if not all(policies.can_decide(actor, s) for s in selections):
        raise errors.forbidden()
    done = 0
    with transaction.atomic():
        for s in selections:
            if s.status == SelectionStatus.PENDING:
                selection_decide(actor=actor, selection=s, approve=approve)
                done += 1
    return done


def selections_sweep(*, now: Any = None) -> int:
    """Decide picks whose approval deadline passed, as each school's rule says. Run it
    periodically (``tongke courses-sweep``); it is idempotent."""
    now = now or timezone.now()
    late = Selection.objects.filter(
        status=SelectionStatus.PENDING, approve_by__lt=now
    ).select_related("home_school")
    done = 0
    for s in late:
        rule = ApprovalRule.objects.filter(school=s.home_school).first()
        approve = rule.approve_when_late if rule else True
        try:
            selection_decide(actor=None, selection=s, approve=approve)
            done += 1
        except Exception:  # noqa: S112 - already decided by someone else meanwhile
            continue
    return done


# --- Lottery rounds ---------------------------------------------------------------------------


@transaction.atomic
def preferences_set(
    *, actor: Any, rnd: SelectionRound, offerings: list[Offering]
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
    for o in offerings:
        if o.round_id != rnd.pk:
            raise Invalid(
                _("A ranked section belongs to another round."), code=errors.BAD_PREFERENCES
            )
        check_eligibility(place, o)
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


PRIORITY_LOCATIONS = (LocationClass.RURAL, LocationClass.REMOTE)


@dataclass
class DrawResult:
    enrolled: int
    waitlisted: int
    unplaced: int
    order: list[int]


@transaction.atomic
def lottery_draw(*, actor: Any, rnd: SelectionRound) -> DrawResult:
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
    prefs: dict[int, list[Preference]] = {}
    for p in (
        Preference.objects.filter(round=rnd)
        .select_related("offering")
        .order_by("student_id", "rank")
    ):
        prefs.setdefault(p.student_id, []).append(p)
    students = sorted(prefs)
    rng = random.Random(rnd.lottery_seed)
    rng.shuffle(students)
    User = get_user_model()
    places = {s: policies.student_place(User.objects.get(pk=s)) for s in students}
    if rnd.rural_priority:

        def priority(sid: int) -> int:
            place = places[sid]
            if place is None:
                return 2
            school = place.school
            rural = (
                school.location_class in PRIORITY_LOCATIONS
                or school.school_type == SchoolType.TEACHING_POINT
            )
            return 0 if rural else 1

        students.sort(key=priority)  # stable: the random order holds within each group
    seats = {o.pk: o.seats - o.taken for o in Offering.objects.filter(round=rnd)}
    got: dict[int, list[Offering]] = {s: [] for s in students}
    # A draft: in each pass every student, in draw order, takes their best-ranked section that
    # still fits; nobody gets a second section before everyone had a turn at a first.
    for _pass in range(rnd.max_sections):
        placed_any = False
        for sid in students:
            place = places[sid]
            if place is None:
                continue
            mine = got[sid]
            credits = sum((o.credits for o in mine), Decimal(0))
            for pref in prefs[sid]:
                offering = pref.offering
                if (
                    offering in mine
                    or seats.get(offering.pk, 0) <= 0
                    or len(mine) + 1 > rnd.max_sections
                    or credits + offering.credits > rnd.max_credits
                    or any(_offerings_clash(offering, o) for o in mine)
                    or _home_clash(place, offering)
                ):
                    continue
                seats[offering.pk] -= 1
                mine.append(offering)
                placed_any = True
                break
        if not placed_any:
            break
    enrolled = waitlisted = unplaced = 0
    for sid in students:
        place = places[sid]
        if place is None:
            unplaced += 1
            continue
        rule = _approval(place.school)
        for offering in got[sid]:
            if not _take_seat(offering.pk):  # the in-memory count mirrors the table
                raise RuntimeError("seat accounting out of step")
            Selection.objects.create(
                student_id=sid,
                offering=offering,
                round=rnd,
                status=SelectionStatus.PENDING if rule else SelectionStatus.ENROLLED,
                home_school=place.school,
                approve_by=timezone.now() + timedelta(hours=rule.hours) if rule else None,
            )
            enrolled += 1
        if not got[sid]:
            first = prefs[sid][0].offering
            Selection.objects.create(
                student_id=sid,
                offering=first,
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
    rnd.drawn_at = timezone.now()
    rnd.save(update_fields=["drawn_at"])
    audit_record(
        actor=actor,
        action="course_round.draw",
        target=rnd,
        scope_path=rnd.scope.path,
        changes={
            "enrolled": [None, enrolled],
            "waitlisted": [None, waitlisted],
            "seed": [None, rnd.lottery_seed],
        },
    )
    return DrawResult(enrolled, waitlisted, unplaced, students)


def _offerings_clash(a: Offering, b: Offering) -> bool:
    if not _dates_overlap(a, b):
        return False
    return any(_overlap(x, y) for x in a.slots.all() for y in b.slots.all())


def _home_clash(place: policies.StudentPlace, offering: Offering) -> bool:
    home = list(Slot.objects.filter(home_class=place.klass))
    return any(_overlap(s, h) for s in offering.slots.all() for h in home)


# --- Results flow home ------------------------------------------------------------------------


@transaction.atomic
def result_record(
    *,
    actor: Any,
    offering: Offering,
    student: Any,
    grade: str,
    score: Decimal | None,
    passed: bool,
) -> ExternalResult:
    """The host teacher records a student's result; the home school sees it, with the credits
    earned, in an append-only record. Recording again supersedes the previous row."""
    if not policies.can_record_result(actor, offering):
        raise errors.forbidden()
    selection = (
        Selection.objects.filter(
            student_id=student.pk, offering=offering, status=SelectionStatus.ENROLLED
        )
        .select_related("home_school")
        .first()
    )
    if selection is None:
        raise Invalid(_("This student is not enrolled in the section."), code=errors.NOT_ENROLLED)
    previous = (
        ExternalResult.objects.filter(
            student_id=student.pk, offering=offering, superseded_by__isnull=True
        )
        .order_by("-id")
        .first()
    )
    result = ExternalResult(
        student_id=student.pk,
        offering=offering,
        home_school=selection.home_school,
        host_school=offering.host_school,
        course_code=offering.code,
        course_title=offering.title,
        grade=grade,
        score=score,
        passed=passed,
        credits=offering.credits if passed else Decimal(0),
        hours=offering.hours,
        supersedes=previous,
        recorded_by=actor,
    )
    _clean(result)
    result.save()
    notify(
        user_id=student.pk,
        kind="courses.result",
        title=_("Result recorded: %(title)s") % {"title": offering.title},
        link="/courses/mine/",
    )
    audit_record(
        actor=actor,
        action="course_result.record",
        target=result,
        scope_path=selection.home_school.path,
        changes={"grade": [previous.grade if previous else None, grade], "passed": [None, passed]},
    )
    return result


def get_or_404(qs: Any, **kw: Any) -> Any:
    obj = qs.filter(**kw).first()
    if obj is None:
        raise NotFound()
    return obj
