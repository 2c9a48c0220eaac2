"""Practice, homework and timed tests (LRN-3).

- A teacher assigns a set of bank items to a class or a group of its students with open and
  due times; homework respects the class's daily minutes (减负): the expected minutes of all
  homework due the same day may not pass the class's limit.
- A learner starts an attempt; its deadline is fixed by the server when it starts (the due
  time, or the start plus the time limit of a timed test, whichever comes first). An answer
  that arrives after it is refused whatever the client claims (``learning.too_late``).
- Answers are graded by the server at once (short answers wait for the teacher); the key and
  the explanation reach the learner only in the answer's reply.
- Adaptive practice needs no assignment: the next item is chosen from the learner's
  diagnosis (``diagnosis.next_item``), and every answer updates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.audit.services import audit_record
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.learning import diagnosis, grading, policies
from tongke.learning.enums import AssignmentKind
from tongke.learning.errors import LearningError
from tongke.learning.models import (
    Assignment,
    AssignmentItem,
    Attempt,
    HomeworkLimit,
    Item,
    KnowledgePoint,
    Response,
)
from tongke.learning.specs import spec_to_item
from tongke.orgs.enums import Role
from tongke.orgs.models import OrgUnit, RoleAssignment

MAX_ITEMS = 100
PRACTICE_WINDOW = timedelta(hours=12)


def _forbidden(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("You may not do this here."), code=LearningError.FORBIDDEN)


def homework_minutes(klass: OrgUnit, day: datetime, *, exclude: int | None = None) -> float:
    """Expected minutes of the class's homework due on ``day`` (local date)."""
    local = timezone.localtime(day)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    qs = Assignment.objects.filter(
        klass=klass,
        kind=AssignmentKind.HOMEWORK,
        due_at__gte=start,
        due_at__lt=start + timedelta(days=1),
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    return float(qs.aggregate(total=Sum("minutes"))["total"] or 0.0)


def homework_limit(klass: OrgUnit) -> int | None:
    row = HomeworkLimit.objects.filter(klass=klass).first()
    return row.minutes_per_day if row else None


@transaction.atomic
def homework_limit_set(*, actor: Any, klass: OrgUnit, minutes_per_day: int) -> HomeworkLimit:
    if not policies.can_set_homework_limit(actor, klass):
        raise _forbidden(_("School administrators set the homework limit."))
    if not 0 < minutes_per_day <= 600:
        raise Invalid(_("The limit is 1 to 600 minutes a day."), code=LearningError.BAD_LIMIT)
    row, _created = HomeworkLimit.objects.update_or_create(
        klass=klass, defaults={"minutes_per_day": minutes_per_day}
    )
    audit_record(
        actor=actor,
        action="learning.homework_limit",
        target=klass,
        scope_path=klass.path,
        changes={"minutes_per_day": [None, minutes_per_day]},
    )
    return row


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    klass: OrgUnit,
    title: str,
    kind: str,
    items: Sequence[Item],
    opens_at: datetime,
    due_at: datetime,
    time_limit_minutes: int | None = None,
    students: Sequence[Any] = (),
) -> Assignment:
    if not policies.can_assign_to(actor, klass):
        raise _forbidden(_("You may only assign work to classes you teach."))
    if kind not in AssignmentKind.values:
        raise Invalid(_("Unknown kind of assignment."), code=LearningError.BAD_KIND)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise Invalid(
            _("A title of 1 to 200 characters is required."), code=LearningError.BAD_TITLE
        )
    if due_at <= opens_at:
        raise Invalid(
            _("The due time must come after the opening time."), code=LearningError.BAD_DATES
        )
    if not items or len(items) > MAX_ITEMS:
        raise Invalid(
            _("An assignment holds 1 to %(n)d questions.") % {"n": MAX_ITEMS},
            code=LearningError.BAD_ITEMS,
        )
    if len({i.pk for i in items}) != len(items):
        raise Invalid(_("A question appears twice."), code=LearningError.BAD_ITEMS)
    if kind == AssignmentKind.TEST and not time_limit_minutes:
        raise Invalid(_("A timed test needs a time limit."), code=LearningError.TIME_LIMIT_REQUIRED)
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= 600:
        raise Invalid(_("The time limit is 1 to 600 minutes."), code=LearningError.BAD_TIME_LIMIT)
    class_students = set(
        RoleAssignment.objects.filter(unit=klass, role=Role.STUDENT).values_list(
            "user_id", flat=True
        )
    )
    outside = [s.pk for s in students if s.pk not in class_students]
    if outside:
        raise Invalid(
            _("Some students are not in this class."),
            code=LearningError.NOT_IN_CLASS,
            detail={"ids": outside},
        )
    minutes = round(sum(i.minutes for i in items), 1)
    if kind == AssignmentKind.HOMEWORK:
        limit = homework_limit(klass)
        used = homework_minutes(klass, due_at)
        if limit is not None and used + minutes > limit:
            raise Invalid(
                _(
                    "This homework needs about %(new)d minutes, but the class already has "
                    "%(used)d of its %(limit)d minutes that day."
                )
                % {"new": minutes, "used": used, "limit": limit},
                code=LearningError.HOMEWORK_LIMIT,
                detail={"minutes": minutes, "used": used, "limit": limit},
            )
    assignment = Assignment(
        title=title,
        kind=kind,
        teacher=actor,
        klass=klass,
        opens_at=opens_at,
        due_at=due_at,
        time_limit_minutes=time_limit_minutes,
        minutes=minutes,
    )
    assignment.full_clean()
    assignment.save()
    AssignmentItem.objects.bulk_create(
        [AssignmentItem(assignment=assignment, item=i, position=n) for n, i in enumerate(items)]
    )
    if students:
        assignment.students.set(students)
    audit_record(
        actor=actor,
        action="learning.assignment_create",
        target=assignment,
        scope_path=klass.path,
        changes={"kind": [None, kind], "items": [None, len(items)], "due_at": [None, due_at]},
    )
    return assignment


@transaction.atomic
def attempt_start(*, actor: Any, assignment: Assignment) -> Attempt:
    if not policies.is_target(actor, assignment):
        raise _forbidden(_("This assignment is not yours to do."))
    now = timezone.now()
    existing = Attempt.objects.filter(assignment=assignment, student=actor).first()
    if existing is not None:
        return existing
    if now < assignment.opens_at:
        raise Conflict(_("This assignment is not open yet."), code=LearningError.NOT_OPEN)
    if now >= assignment.due_at:
        raise Conflict(_("This assignment is closed."), code=LearningError.ASSIGNMENT_CLOSED)
    deadline = assignment.due_at
    if assignment.time_limit_minutes:
        deadline = min(deadline, now + timedelta(minutes=assignment.time_limit_minutes))
    attempt = Attempt(
        assignment=assignment,
        student=actor,
        deadline_at=deadline,
        max_score=float(assignment.entries.count()),
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        return Attempt.objects.get(assignment=assignment, student=actor)
    return attempt


@dataclass
class Answered:
    response: Response
    graded: grading.Graded
    solution: dict[str, Any]
    mastery: list[diagnosis.MasteryChange] = field(default_factory=list)


def _grade_and_record(
    *, actor: Any, attempt: Attempt, item: Item, answer: Any
) -> tuple[Response, grading.Graded]:
    graded = grading.grade(spec_to_item(item.spec), answer)
    response = Response(
        attempt=attempt,
        item=item,
        student=actor,
        answer=answer,
        correct=graded.correct,
        score=graded.score if graded.correct is not None else None,
    )
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This question was already answered in this attempt."),
            code=LearningError.ALREADY_ANSWERED,
        ) from exc
    return response, graded


@transaction.atomic
def answer_submit(*, actor: Any, attempt: Attempt, item: Item, answer: Any) -> Answered:
    """Grade one answer of an assignment attempt, on the server's clock."""
    if attempt.student_id != actor.pk:
        raise _forbidden()
    now = timezone.now()
    if attempt.submitted_at is not None:
        raise Conflict(
            _("This attempt was already handed in."), code=LearningError.ATTEMPT_SUBMITTED
        )
    if attempt.deadline_at is not None and now > attempt.deadline_at:
        raise Conflict(
            _("Time is up: answers after %(t)s are not accepted.")
            % {"t": timezone.localtime(attempt.deadline_at).strftime("%H:%M:%S")},
            code=LearningError.TOO_LATE,
            detail={"deadline_at": attempt.deadline_at.isoformat()},
        )
    if (
        attempt.assignment_id
        and not AssignmentItem.objects.filter(
            assignment_id=attempt.assignment_id, item=item
        ).exists()
    ):
        raise Invalid(
            _("This question is not part of the assignment."), code=LearningError.NOT_IN_SET
        )
    response, graded = _grade_and_record(actor=actor, attempt=attempt, item=item, answer=answer)
    changes = diagnosis.observe(student=actor, item=item, correct=graded.correct)
    return Answered(response, graded, grading.solution_view(spec_to_item(item.spec)), changes)


@transaction.atomic
def attempt_submit(*, actor: Any, attempt: Attempt) -> Attempt:
    if attempt.student_id != actor.pk:
        raise _forbidden()
    if attempt.submitted_at is None:
        total = attempt.responses.aggregate(total=Sum("score"))["total"] or 0.0
        Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now(), score=total
        )
        attempt.refresh_from_db()
    return attempt


@transaction.atomic
def response_grade(*, actor: Any, response: Response, score: float) -> Response:
    """A teacher grades a short answer (0..1 of the item's points)."""
    if not policies.can_grade(actor, response):
        raise _forbidden(_("Teachers of the learner's class grade answers."))
    if not 0 <= score <= 1:
        raise Invalid(_("A score is between 0 and 1."), code=LearningError.BAD_SCORE)
    first_time = response.correct is None
    response.score = score
    response.correct = score >= 0.5
    response.graded_by = actor
    response.save(update_fields=["score", "correct", "graded_by"])
    if first_time:
        diagnosis.observe(student=response.student, item=response.item, correct=response.correct)
    if response.attempt.submitted_at is not None:
        total = response.attempt.responses.aggregate(total=Sum("score"))["total"] or 0.0
        Attempt.objects.filter(pk=response.attempt_id).update(score=total)
    return response


# --- Adaptive practice --------------------------------------------------------------------


def practice_attempt(actor: Any) -> Attempt:
    """Today's practice attempt of the learner (practice answers are grouped by day)."""
    since = timezone.now() - PRACTICE_WINDOW
    attempt = (
        Attempt.objects.filter(student=actor, assignment__isnull=True, started_at__gte=since)
        .order_by("-started_at")
        .first()
    )
    if attempt is None:
        attempt = Attempt.objects.create(student=actor, assignment=None)
    return attempt


def practice_next(*, actor: Any, subject: str, point: KnowledgePoint | None = None) -> Item | None:
    if not policies.student_class_paths(actor) and not getattr(actor, "is_authenticated", False):
        raise _forbidden()
    return diagnosis.next_item(student=actor, subject=subject, point=point)


@transaction.atomic
def practice_answer(*, actor: Any, item: Item, answer: Any) -> Answered:
    if not getattr(actor, "is_authenticated", False):
        raise _forbidden()
    if not item.is_current:
        raise Conflict(
            _("This question was revised; take the next one."), code=LearningError.ITEM_SUPERSEDED
        )
    if not diagnosis.was_served(actor, item):
        raise Conflict(
            _("Answer the question practice gave you (ask for the next one)."),
            code=LearningError.NOT_SERVED,
        )
    attempt = practice_attempt(actor)
    if Response.objects.filter(attempt=attempt, item=item).exists():
        attempt = Attempt.objects.create(student=actor, assignment=None)
    response, graded = _grade_and_record(actor=actor, attempt=attempt, item=item, answer=answer)
    changes = diagnosis.observe(student=actor, item=item, correct=graded.correct)
    return Answered(response, graded, grading.solution_view(spec_to_item(item.spec)), changes)
