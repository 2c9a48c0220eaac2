"""Writes of picks: choose a section (first-come rounds), drop it, and the home school's
approval. Rush correctness rests on the database (decision 0002):

- a seat is taken by one conditional UPDATE (``taken = taken + 1 WHERE taken < seats``);
  a check constraint (``taken <= seats``) backs it up (``services.seats``);
- one live selection per student and section, and one use per idempotency key, are unique
  constraints, so a double click or a retried request cannot create a duplicate;
- a student's own picks are serialized by locking the student's row (PostgreSQL), or by the
  write lock SQLite's BEGIN IMMEDIATE takes, so two concurrent picks of overlapping sections
  cannot both pass the timetable check: the snapshot ``courses.rules`` judges is read after
  that lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import tongke.courses.selectors.snapshots as snapshots
from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.courses import errors, policies, rules
from tongke.courses.enums import ACTIVE, SEAT_HOLDING, SelectionStatus
from tongke.courses.models import ApprovalRule, Offering, Selection
from tongke.courses.selectors.selections import waitlist_length
from tongke.courses.services.rounds import round_drop_open
from tongke.courses.services.seats import (
    approval_rule,
    promote_waitlist,
    release_seat,
    take_seat,
)
from tongke.notifications.services import notify


class _Replay(Exception):  # control flow: a twin request already answered
    def __init__(self, selection: Selection):
        self.selection = selection


@dataclass
class Picked:
    selection: Selection
    replayed: bool


def _done_with_key(actor: User, key: str) -> Selection | None:
    return Selection.objects.filter(student_id=actor.pk, idempotency_key=key).first()


def selection_create(
    *,
    actor: User,
    offering: Offering,
    idempotency_key: str | None = None,
    waitlist: bool = False,
) -> Picked:
    """A student picks a section (first-come rounds). Replaying the same Idempotency-Key
    returns the first answer instead of acting twice."""
    if idempotency_key is not None:
        done = _done_with_key(actor, idempotency_key)
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
            done = _done_with_key(actor, idempotency_key)
            if done is not None and done.offering_id == offering.pk:
                return Picked(done, replayed=True)
        raise errors.already_held() from None


@transaction.atomic
def _select(actor: User, offering: Offering, key: str | None, waitlist: bool) -> Selection:
    place = policies.student_place(actor)
    if place is None:
        raise errors.not_a_student()
    # Serialize this student's picks (PostgreSQL row lock; SQLite's write lock already does).
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if key is not None:
        # A twin of this request (same key) may have committed while we waited for the lock.
        twin = _done_with_key(actor, key)
        if twin is not None:
            if twin.offering_id != offering.pk:
                raise errors.key_reused()
            raise _Replay(twin)
    # Read under the lock: every earlier pick of this student is in the snapshot.
    verdict = rules.judge_pick(snapshots.pick_snapshot(place, offering, now=timezone.now()))
    if verdict.refusal is not None:
        raise verdict.refusal
    rule = approval_rule(place.school)
    status = rules.placement(
        took_seat=take_seat(offering.pk), waitlist=waitlist, needs_approval=rule is not None
    )
    if status is None:
        raise errors.full(waitlist_length(offering))
    selection = Selection(
        student_id=actor.pk,
        offering=offering,
        round=offering.round,
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


@transaction.atomic
def selection_drop(*, actor: User, selection: Selection) -> Selection:
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
        release_seat(selection.offering_id)
        promote_waitlist(selection.offering)
    audit_record(
        actor=actor,
        action="course_selection.drop",
        target=selection,
        scope_path=selection.home_school.path,
        changes={"status": [before, SelectionStatus.DROPPED]},
    )
    return selection


@transaction.atomic
def selection_decide(*, actor: User | None, selection: Selection, approve: bool) -> Selection:
    """Home-school approval of a pending pick (``actor`` None: the sweep, as the school's rule
    says). A refusal frees the seat for the waitlist."""
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
        release_seat(selection.offering_id)
        promote_waitlist(selection.offering)
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


def selections_decide_bulk(*, actor: User, selections: list[Selection], approve: bool) -> int:
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


def selections_sweep(*, now: datetime | None = None) -> int:
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
