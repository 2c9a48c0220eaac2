"""Typed errors with codes. Services raise these; one handler renders them.

The API answers ``{"code", "message", "detail"}`` with the status below; the browser gets a
readable page. ``code`` is stable and machine-readable (``<app>.<reason>``); ``message`` is a
translated sentence for people.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class TongkeError(Exception):
    status = 400
    default_code = "invalid"
    default_message: Any = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None, detail: Any = None):
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        self.detail = detail
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "detail": self.detail}


class Invalid(TongkeError):
    status = 400
    default_code = "invalid"
    default_message = _("The request is not valid.")


class NotAuthenticated(TongkeError):
    status = 401
    default_code = "auth.required"
    default_message = _("Please sign in first.")


class PermissionDenied(TongkeError):
    status = 403
    default_code = "forbidden"
    default_message = _("You may not do this.")


class NotFound(TongkeError):
    status = 404
    default_code = "not_found"
    default_message = _("Not found, or not visible to you.")


class Conflict(TongkeError):
    status = 409
    default_code = "conflict"
    default_message = _("This conflicts with the current state.")


class TooLarge(TongkeError):
    status = 413
    default_code = "too_large"
    default_message = _("The request is too large.")


class Throttled(TongkeError):
    status = 429
    default_code = "throttled"
    default_message = _("Too many attempts. Please wait and try again.")
