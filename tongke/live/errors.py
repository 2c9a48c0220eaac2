"""Error codes of live classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Conflict, Invalid, PermissionDenied, TongkeError

FORBIDDEN = "live.forbidden"
NOT_A_PARTNER = "live.not_a_partner"
BAD_TUTOR = "live.bad_tutor"
BAD_TIMES = "live.bad_times"
BAD_LESSON = "live.bad_lesson"
BAD_SCHEDULE = "live.bad_schedule"
ENDED = "live.session_ended"
CANCELLED = "live.session_cancelled"
NOT_OPEN_YET = "live.not_open_yet"
QUIZ_CLOSED = "live.quiz_closed"
QUIZ_OPEN = "live.quiz_already_open"
BAD_QUIZ = "live.bad_quiz"
BAD_MESSAGE = "live.bad_message"
BAD_SIGNAL = "live.bad_signal"
TOO_LARGE = "live.message_too_large"
RATE_LIMITED = "live.rate_limited"
NOT_YOUR_PART = "live.not_your_part"
RECORDING = "live.recording_refused"


def forbidden(message: Any = None) -> PermissionDenied:
    return PermissionDenied(message or _("You may not do this here."), code=FORBIDDEN)


def master_only() -> PermissionDenied:
    return forbidden(_("Only the master teacher does this."))


def answers_from_classrooms() -> PermissionDenied:
    return forbidden(_("Answers come from the classrooms."))


def asks_from_classrooms() -> PermissionDenied:
    return forbidden(_("Questions and hands come from the classrooms."))


def pupils_ask() -> PermissionDenied:
    return forbidden(_("Pupils ask questions; chat is for the teachers."))


def tutor_counts() -> PermissionDenied:
    return forbidden(_("The tutor counts the students in the room."))


def require(allowed: bool, refusal: Callable[[], TongkeError] = forbidden) -> None:
    """Raise ``refusal()`` unless a policy ``allowed`` it."""
    if not allowed:
        raise refusal()


def invalid(code: str, message: Any, **detail: Any) -> Invalid:
    return Invalid(message, code=code, detail=detail or None)


def conflict(code: str, message: Any, **detail: Any) -> Conflict:
    return Conflict(message, code=code, detail=detail or None)


def full_clean(obj: Any, **options: Any) -> None:
    """Model validation as a 400 with every field's message."""
    from tongke.orgs.services import validation_error

    try:
        obj.full_clean(**options)
    except ValidationError as exc:
        raise validation_error(exc) from exc


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise invalid("invalid", _("This field is required."), field=field)
    if len(value) > limit:
        raise invalid("invalid", _("At most %(n)d characters.") % {"n": limit}, field=field)
    return value
