"""The one NinjaAPI: /api/v1, its OpenAPI document at /api/v1/openapi.json and docs at
/api/v1/docs. Every error leaves as ``{"code", "message", "detail"}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongke.accounts.api import router as accounts_router
from tongke.core.errors import TongkeError
from tongke.courses.api import router as courses_router
from tongke.learning.api import router as learning_router
from tongke.library.api import router as library_router
from tongke.live.api import router as live_router
from tongke.notifications.api import router as notifications_router
from tongke.orgs.api import router as orgs_router

log = logging.getLogger("tongke.api")

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "detail"],
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable: <app>.<reason>."},
        "message": {"type": "string", "description": "A translated sentence for people."},
        "detail": {"description": "More about the error (fields, limits), or null."},
    },
}
ERROR_STATUSES = {
    "400": "Bad request: malformed JSON, or a value the rules refuse.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Not allowed for you (or the CSRF check failed).",
    "404": "Not found, or not visible to you.",
    "409": "Conflicts with the current state.",
    "413": "The request body is too large.",
    "422": "The input does not match the schema.",
    "429": "Too many attempts; see Retry-After.",
    "503": "The server is busy; retry (see Retry-After).",
}
UNSAFE_ONLY = {"409", "413", "503"}


class TongkeAPI(NinjaAPI):
    """Documents, on every operation, the error answers it can give: each is an ``Error``."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in schema["paths"].values():
            for method, op in item.items():
                responses = op.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    if status in UNSAFE_ONLY and method == "get":
                        continue
                    if status == "401" and not op.get("security"):
                        continue
                    responses.setdefault(status, {"description": description, **ref})
        return schema


api = TongkeAPI(
    title="Tongke API",
    version="1",
    description="The JSON API of Tongke (同课). Sign in with the browser session, or send an "
    "API token as `Authorization: Bearer <token>`. Errors are `{code, message, detail}`.",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", orgs_router)
api.add_router("/", accounts_router)
api.add_router("/", notifications_router)
api.add_router("/", courses_router)
api.add_router("/", library_router)
api.add_router("/", learning_router)
api.add_router("/", live_router)


def _error(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, detail: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail}, status=status
    )


@api.exception_handler(TongkeError)
def on_tongke_error(request: HttpRequest, exc: TongkeError) -> HttpResponse:
    response = _error(api, request, exc.status, exc.code, str(exc.message), exc.detail)
    if exc.status == 429 and isinstance(exc.detail, dict) and "retry_after_s" in exc.detail:
        response["Retry-After"] = str(exc.detail["retry_after_s"])
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = [{k: v for k, v in err.items() if k in ("loc", "msg", "type")} for err in exc.errors]
    first = detail[0] if detail else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "payload", "query"))
    message = _("Invalid input")
    if where:
        message = f"{message}: {where}: {first.get('msg', '')}"
    return _error(api, request, 422, "invalid", message, detail)


@api.exception_handler(DjangoValidationError)
def on_model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A model's full_clean() refused a value a service did not check itself: a 400 naming
    the fields, never a 500 (the transaction is rolled back)."""
    log.warning("model validation reached the API in %s %s: %s", request.method, request.path, exc)
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(api, request, 400, "invalid", _("The request is not valid."), detail)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(api, request, 401, "auth.required", _("Please sign in or send a valid token."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    message = str(exc)
    if "CSRF" in message:
        return _error(api, request, 403, "csrf", _("CSRF check failed: reload the page."))
    if "parse" in message.lower():
        return _error(api, request, 400, "bad_json", _("The request body is not valid JSON."))
    return _error(api, request, exc.status_code, code.get(exc.status_code, "error"), message)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(api, request, 404, "not_found", _("Not found, or not visible to you."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(api, request, 413, "too_large", _("The request body is too large."))


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(api, request, 400, "bad_request", _("The request was refused."))


@api.exception_handler(OperationalError)
def on_database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """SQLite answers "database is locked" when a writer waited past the busy timeout: the
    request changed nothing, so say so and let the client retry (same Idempotency-Key)."""
    if "locked" not in str(exc).lower():
        return on_unexpected(request, exc)
    log.warning("database busy in %s %s", request.method, request.path)
    response = _error(api, request, 503, "busy", _("The server is busy. Please try again."))
    response["Retry-After"] = "1"
    return response


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number too large for the database reached a query (schemas bound the ids they know
    of with ``DbId``; this is the net under the rest): nothing was written, say which."""
    log.warning("number out of range in %s %s: %s", request.method, request.path, exc)
    return _error(api, request, 422, "invalid", _("A number in the request is out of range."))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unexpected error in %s %s", request.method, request.path)
    return _error(api, request, 500, "server_error", _("Something went wrong on our side."))
