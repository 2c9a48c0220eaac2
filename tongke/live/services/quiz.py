"""The in-class quiz (CLS-2): a question from the bank or typed on the spot, pushed to every
classroom, answered per classroom (a tutor's counts per option, or students' phones) and
totalled live for the master; closed, it refuses late answers.

Opening and closing a quiz are audited: what was asked (and which bank item), and at close
the answers and right answers it got. Single answers are not: a phone per pupil and a
tutor's corrections make dozens a minute, each is already a row of its own (``QuizAnswer``:
who, for which classroom, what, when), and those rows freeze when the quiz closes, whose
audit event carries their totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import JsonValue

from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.core.errors import NotFound
from tongke.learning import policies as learning_policies
from tongke.learning.models import Item
from tongke.learning.specs import spec_to_item
from tongke.live import errors, policies, room
from tongke.live.enums import QuizStatus, SeatRole
from tongke.live.events import Joined, Out
from tongke.live.frames import HEADCOUNT_MAX, QUIZ_CHOICE_MAX, QUIZ_PROMPT_MAX
from tongke.live.models import LiveQuiz, QuizAnswer


@dataclass(frozen=True)
class QuizIn:
    """A question typed on the spot (checked by ``frames.QuizPushFrame``)."""

    prompt: str
    choices: list[str]
    correct: int


def _bank_quiz(actor: User, item_id: int) -> tuple[Item, QuizIn]:
    item = learning_policies.access_item(actor, item_id)
    spec = spec_to_item(item.spec)
    right = [i for i, c in enumerate(spec.choices) if c.correct]
    if spec.kind not in ("single", "true_false") or len(right) != 1:
        raise errors.invalid(
            errors.BAD_QUIZ,
            _("A live quiz asks a question with one right choice."),
            field="item",
            kind=spec.kind,
        )
    return item, QuizIn(
        item.stem[:QUIZ_PROMPT_MAX], [c.text[:QUIZ_CHOICE_MAX] for c in spec.choices], right[0]
    )


def quiz_open(
    *, actor: User, seat: Joined, item_id: int | None = None, typed: QuizIn | None = None
) -> Out:
    """The master pushes a bank item (one right choice) or a typed question to every room;
    one quiz is open at a time."""
    errors.require(policies.can_open_quiz(seat), errors.master_only)
    item: Item | None = None
    if item_id is not None:
        item, typed = _bank_quiz(actor, item_id)
    if typed is None:
        raise errors.invalid(errors.BAD_QUIZ, _("An item id is expected."), field="item")
    quiz = LiveQuiz(
        session_id=seat.session_id,
        item=item,
        prompt=typed.prompt,
        choices=typed.choices,
        correct=typed.correct,
    )
    # One open quiz per session is the database's constraint, answered below as a conflict.
    errors.full_clean(quiz, exclude=["session", "item"], validate_constraints=False)
    try:
        with transaction.atomic():
            quiz.save()
            audit_record(
                actor=actor,
                action="live.quiz_open",
                target=quiz,
                scope_path=seat.host_path,
                changes={
                    "prompt": [None, quiz.prompt],
                    "item": [None, item.pk if item is not None else None],
                },
            )
    except IntegrityError as exc:
        raise errors.conflict(errors.QUIZ_OPEN, _("Close the open quiz first.")) from exc
    public = {
        "type": "quiz",
        "id": quiz.pk,
        "prompt": quiz.prompt,
        "choices": quiz.choices,
        "mine": None,
    }
    state = room.quiz_view(quiz, seat, with_totals=True)
    return Out().add("all", public).add("staff", {"type": "quiz.state", **state})


def _open_quiz(seat: Joined, quiz_id: int) -> LiveQuiz:
    quiz = LiveQuiz.objects.filter(pk=quiz_id, session_id=seat.session_id).first()
    if quiz is None:
        raise NotFound(code="live.quiz_not_found")
    if quiz.status != QuizStatus.OPEN:
        raise errors.conflict(
            errors.QUIZ_CLOSED, _("This quiz is closed; answers are no longer taken.")
        )
    return quiz


def _votes(n: int, *, phone: bool, choice: JsonValue, counts: JsonValue) -> list[int]:
    """A phone's one ``choice``, or a tutor's ``counts`` per option, as votes per option."""
    if phone:
        if not isinstance(choice, int) or isinstance(choice, bool) or not 0 <= choice < n:
            raise errors.invalid(errors.BAD_QUIZ, _("Pick one of the choices."), field="choice")
        return [1 if i == choice else 0 for i in range(n)]
    if isinstance(counts, list) and len(counts) == n:
        ints = [x for x in counts if isinstance(x, int) and not isinstance(x, bool) and x >= 0]
        if len(ints) == n and sum(ints) <= HEADCOUNT_MAX:
            return ints
    raise errors.invalid(
        errors.BAD_QUIZ,
        _("Enter how many students chose each option (0 to %(n)d in all).") % {"n": HEADCOUNT_MAX},
        field="counts",
    )


def quiz_answer(
    *, actor: User, seat: Joined, quiz_id: int, choice: JsonValue = None, counts: JsonValue = None
) -> Out:
    """Record a classroom's answer to the open quiz: a student's phone sends ``choice``, a
    tutor enters the room's ``counts`` per option. A responder's new answer replaces their
    earlier one. Not audited one by one (see the module docstring)."""
    errors.require(policies.can_answer_quiz(seat), errors.answers_from_classrooms)
    quiz = _open_quiz(seat, quiz_id)
    votes = _votes(
        len(quiz.choices), phone=seat.role == SeatRole.STUDENT, choice=choice, counts=counts
    )
    with transaction.atomic():
        # Closing and answering race: the row lock (PostgreSQL) or the write lock (SQLite)
        # orders them, and the status is read again under it.
        locked = LiveQuiz.objects.select_for_update().get(pk=quiz.pk)
        if locked.status != QuizStatus.OPEN:
            raise errors.conflict(
                errors.QUIZ_CLOSED, _("This quiz is closed; answers are no longer taken.")
            )
        QuizAnswer.objects.update_or_create(
            quiz=quiz,
            classroom_id=seat.classroom_id,
            responder=actor,
            defaults={"counts": votes},
        )
    totals = room.room_totals(quiz, seat.classroom_id or 0)
    return (
        Out()
        .add("staff", {"type": "quiz.totals", "quiz": quiz.pk, "room": totals})
        .add(seat.peer, {"type": "quiz.received", "quiz": quiz.pk, "counts": votes})
    )


def quiz_close(*, actor: User, seat: Joined, quiz_id: int) -> Out:
    """The master closes the quiz: every room learns the right answer and the totals."""
    errors.require(policies.can_close_quiz(seat), errors.master_only)
    quiz = _open_quiz(seat, quiz_id)
    with transaction.atomic():
        LiveQuiz.objects.filter(pk=quiz.pk, status=QuizStatus.OPEN).update(
            status=QuizStatus.CLOSED, closed_at=timezone.now()
        )
        quiz.refresh_from_db()
        state = room.quiz_view(quiz, seat, with_totals=True)
        answered = sum(r["answered"] for r in state["rooms"])
        right = sum(r["correct"] for r in state["rooms"])
        audit_record(
            actor=actor,
            action="live.quiz_close",
            target=quiz,
            scope_path=seat.host_path,
            changes={
                "status": [QuizStatus.OPEN, QuizStatus.CLOSED],
                "answered": answered,
                "right": right,
            },
        )
    closed = {
        "type": "quiz.closed",
        "id": quiz.pk,
        "correct": quiz.correct,
        "answered": answered,
        "right": right,
    }
    return Out().add("all", closed).add("staff", {"type": "quiz.state", **state})
