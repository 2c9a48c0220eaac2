"""Error codes of live classes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Conflict, Invalid, PermissionDenied

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


def invalid(code: str, message: Any, **detail: Any) -> Invalid:
    return Invalid(message, code=code, detail=detail or None)


def conflict(code: str, message: Any, **detail: Any) -> Conflict:
    return Conflict(message, code=code, detail=detail or None)
