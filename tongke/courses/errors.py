"""Error codes of course selection."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Conflict, Invalid, NotFound, PermissionDenied

ROUND_DATES = "courses.round_dates"
ROUND_CLOSED = "courses.round_closed"
ROUND_NOT_FIRST_COME = "courses.round_not_first_come"
ROUND_NOT_LOTTERY = "courses.round_not_lottery"
FULL = "courses.full"
CONFLICT = "courses.timetable_conflict"
NOT_ELIGIBLE = "courses.not_eligible"
NOT_A_STUDENT = "courses.not_a_student"
ALREADY_HELD = "courses.already_selected"
LIMIT = "courses.limit_reached"
KEY_REUSED = "courses.idempotency_key_reused"
DROP_CLOSED = "courses.drop_window_closed"
NOT_PENDING = "courses.not_pending"
FORBIDDEN = "courses.forbidden"
BAD_SLOT = "courses.bad_slot"
BAD_TEACHER = "courses.bad_teacher"
HOST_OUTSIDE = "courses.host_outside_round"
ALREADY_DRAWN = "courses.already_drawn"
NOT_ENROLLED = "courses.not_enrolled"
BAD_PREFERENCES = "courses.bad_preferences"


def forbidden() -> PermissionDenied:
    return PermissionDenied(_("You may not do this in course selection."), code=FORBIDDEN)


def round_dates() -> Invalid:
    return Invalid(
        _("A round must open before it closes, and drops end at or after the close."),
        code=ROUND_DATES,
    )


def round_closed() -> Conflict:
    return Conflict(_("This selection round is not open now."), code=ROUND_CLOSED)


def full(waitlist: int) -> Conflict:
    return Conflict(
        _("This section is full. Ask for the waitlist to queue for a seat."),
        code=FULL,
        detail={"waitlist_length": waitlist},
    )


def conflict(detail: dict[str, Any]) -> Conflict:
    return Conflict(
        _("This section's time overlaps %(what)s.") % {"what": detail["with"]},
        code=CONFLICT,
        detail=detail,
    )


def not_eligible(reason: str, message: Any) -> PermissionDenied:
    return PermissionDenied(message, code=NOT_ELIGIBLE, detail={"reason": reason})


def not_a_student() -> PermissionDenied:
    return PermissionDenied(
        _("Only students of a class taking part in the round can choose sections."),
        code=NOT_A_STUDENT,
    )


def already_held() -> Conflict:
    return Conflict(_("You already hold or queue for this section."), code=ALREADY_HELD)


def limit(detail: dict[str, Any]) -> Conflict:
    return Conflict(
        _("You have reached this round's limit of sections or credits."), code=LIMIT, detail=detail
    )


def key_reused() -> Conflict:
    return Conflict(
        _("This Idempotency-Key was already used for a different request."), code=KEY_REUSED
    )


def drop_closed() -> Conflict:
    return Conflict(_("The add/drop window of this round has ended."), code=DROP_CLOSED)


def not_pending() -> Conflict:
    return Conflict(_("This pick was already decided."), code=NOT_PENDING)


def selection_not_found() -> NotFound:
    return NotFound(code="courses.selection_not_found")


def full_clean(obj: Any) -> None:
    """``obj.full_clean()``, its ValidationError answered as ``Invalid`` with the fields."""
    from django.core.exceptions import ValidationError

    from tongke.orgs.services import validation_error

    try:
        obj.full_clean()
    except ValidationError as exc:
        raise validation_error(exc) from exc
