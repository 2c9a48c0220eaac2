"""The in-class quiz (CLS-2): a question from the bank or typed on the spot, pushed to every
classroom, answered per classroom (a tutor's counts per option, or students' phones) and
totalled live for the master; closed, it refuses late answers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.core.errors import NotFound
from tongke.learning import policies as learning_policies
from tongke.learning.specs import spec_to_item
from tongke.live import errors
from tongke.live.enums import ROOM_CLASSROOM, ROOM_STUDENT, QuizStatus
from tongke.live.events import Joined, Out, clean_text, need_master
from tongke.live.models import Classroom, LiveQuiz, QuizAnswer

QUIZ_PROMPT_MAX = 1000
QUIZ_CHOICES_MAX = 8
QUIZ_CHOICE_MAX = 200
HEADCOUNT_MAX = 500


def quiz_view(quiz: LiveQuiz, joined: Joined, *, with_totals: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": quiz.pk,
        "prompt": quiz.prompt,
        "choices": quiz.choices,
        "status": quiz.status,
    }
    if with_totals:
        view["correct"] = quiz.correct
        view["rooms"] = rooms_totals(quiz)
    elif joined.classroom_id is not None:
        mine = QuizAnswer.objects.filter(
            quiz=quiz, classroom_id=joined.classroom_id, responder_id=joined.user_id
        ).first()
        view["mine"] = mine.counts if mine else None
    if quiz.status == QuizStatus.CLOSED:
        view["correct"] = quiz.correct
    return view


def _totals(quiz: LiveQuiz, peer: str, rows: list[list[int]]) -> dict[str, Any]:
    """One classroom's votes per option, summed over its responders."""
    counts = [0] * len(quiz.choices)
    for row in rows:
        for i, n in enumerate(row[: len(counts)]):
            counts[i] += int(n)
    return {
        "peer": peer,
        "counts": counts,
        "answered": sum(counts),
        "correct": counts[quiz.correct] if counts else 0,
    }


def room_totals(quiz: LiveQuiz, classroom: Classroom) -> dict[str, Any]:
    rows = QuizAnswer.objects.filter(quiz=quiz, classroom=classroom).values_list(
        "counts", flat=True
    )
    return _totals(quiz, classroom.peer, list(rows))


def rooms_totals(quiz: LiveQuiz) -> list[dict[str, Any]]:
    """Every receiving classroom's totals, in two queries whatever the number of rooms."""
    by_room: dict[int, list[list[int]]] = {}
    for classroom_id, counts in QuizAnswer.objects.filter(quiz=quiz).values_list(
        "classroom_id", "counts"
    ):
        by_room.setdefault(classroom_id, []).append(counts)
    room_ids = Classroom.objects.filter(session_id=quiz.session_id).order_by("pk")
    return [
        _totals(quiz, f"c{pk}", by_room.get(pk, [])) for pk in room_ids.values_list("pk", flat=True)
    ]


def _typed_quiz(prompt: Any, choices: Any, correct: Any) -> tuple[str, list[str], int]:
    text = clean_text(prompt, limit=QUIZ_PROMPT_MAX)
    if not isinstance(choices, list) or not (2 <= len(choices) <= QUIZ_CHOICES_MAX):
        raise errors.invalid(
            errors.BAD_QUIZ,
            _("Give 2 to %(n)d choices.") % {"n": QUIZ_CHOICES_MAX},
            field="choices",
        )
    options = [clean_text(c, limit=QUIZ_CHOICE_MAX) for c in choices]
    if not isinstance(correct, int) or isinstance(correct, bool) or not 0 <= correct < len(options):
        raise errors.invalid(errors.BAD_QUIZ, _("Mark which choice is right."), field="correct")
    return text, options, correct


def _bank_quiz(user: Any, item_id: Any) -> tuple[Any, str, list[str], int]:
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise errors.invalid(errors.BAD_QUIZ, _("An item id is expected."), field="item")
    item = learning_policies.access_item(user, item_id)
    spec = spec_to_item(item.spec)
    right = [i for i, c in enumerate(spec.choices) if c.correct]
    if spec.kind not in ("single", "true_false") or len(right) != 1:
        raise errors.invalid(
            errors.BAD_QUIZ,
            _("A live quiz asks a question with one right choice."),
            field="item",
            kind=spec.kind,
        )
    return (
        item,
        item.stem[:QUIZ_PROMPT_MAX],
        [c.text[:QUIZ_CHOICE_MAX] for c in spec.choices],
        right[0],
    )


def quiz_push(joined: Joined, payload: dict[str, Any]) -> Out:
    need_master(joined)
    user = get_user_model().objects.get(pk=joined.user_id)
    if payload.get("item") is not None:
        item, prompt, choices, correct = _bank_quiz(user, payload.get("item"))
    else:
        item = None
        prompt, choices, correct = _typed_quiz(
            payload.get("prompt"), payload.get("choices"), payload.get("correct")
        )
    try:
        with transaction.atomic():
            quiz = LiveQuiz.objects.create(
                session_id=joined.session_id,
                item=item,
                prompt=prompt,
                choices=choices,
                correct=correct,
            )
    except IntegrityError as exc:
        raise errors.conflict(errors.QUIZ_OPEN, _("Close the open quiz first.")) from exc
    public = {"type": "quiz", "id": quiz.pk, "prompt": prompt, "choices": choices, "mine": None}
    state = quiz_view(quiz, joined, with_totals=True)
    return Out().add("all", public).add("staff", {"type": "quiz.state", **state})


def _open_quiz(joined: Joined, quiz_id: Any) -> LiveQuiz:
    if not isinstance(quiz_id, int) or isinstance(quiz_id, bool):
        raise errors.invalid(errors.BAD_QUIZ, _("A quiz id is expected."), field="quiz")
    quiz = LiveQuiz.objects.filter(pk=quiz_id, session_id=joined.session_id).first()
    if quiz is None:
        raise NotFound(code="live.quiz_not_found")
    if quiz.status != QuizStatus.OPEN:
        raise errors.conflict(
            errors.QUIZ_CLOSED, _("This quiz is closed; answers are no longer taken.")
        )
    return quiz


def quiz_answer(joined: Joined, payload: dict[str, Any]) -> Out:
    """A student's phone sends ``choice``; a tutor enters the room's ``counts`` per option."""
    if joined.role not in (ROOM_CLASSROOM, ROOM_STUDENT) or joined.classroom_id is None:
        raise errors.forbidden(_("Answers come from the classrooms."))
    quiz = _open_quiz(joined, payload.get("quiz"))
    n = len(quiz.choices)
    if joined.role == ROOM_STUDENT:
        choice = payload.get("choice")
        if not isinstance(choice, int) or isinstance(choice, bool) or not 0 <= choice < n:
            raise errors.invalid(errors.BAD_QUIZ, _("Pick one of the choices."), field="choice")
        counts = [1 if i == choice else 0 for i in range(n)]
    else:
        raw = payload.get("counts")
        if (
            not isinstance(raw, list)
            or len(raw) != n
            or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in raw)
            or sum(raw) > HEADCOUNT_MAX
        ):
            raise errors.invalid(
                errors.BAD_QUIZ,
                _("Enter how many students chose each option (0 to %(n)d in all).")
                % {"n": HEADCOUNT_MAX},
                field="counts",
            )
        counts = raw
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
            classroom_id=joined.classroom_id,
            responder_id=joined.user_id,
            defaults={"counts": counts},
        )
    classroom = Classroom.objects.get(pk=joined.classroom_id)
    totals = room_totals(quiz, classroom)
    return (
        Out()
        .add("staff", {"type": "quiz.totals", "quiz": quiz.pk, "room": totals})
        .add(joined.peer, {"type": "quiz.received", "quiz": quiz.pk, "counts": counts})
    )


def quiz_close(joined: Joined, quiz_id: Any) -> Out:
    need_master(joined)
    quiz = _open_quiz(joined, quiz_id)
    with transaction.atomic():
        LiveQuiz.objects.filter(pk=quiz.pk, status=QuizStatus.OPEN).update(
            status=QuizStatus.CLOSED, closed_at=timezone.now()
        )
    quiz.refresh_from_db()
    state = quiz_view(quiz, joined, with_totals=True)
    answered = sum(r["answered"] for r in state["rooms"])
    right = sum(r["correct"] for r in state["rooms"])
    return (
        Out()
        .add(
            "all",
            {
                "type": "quiz.closed",
                "id": quiz.pk,
                "correct": quiz.correct,
                "answered": answered,
                "right": right,
            },
        )
        .add("staff", {"type": "quiz.state", **state})
    )
