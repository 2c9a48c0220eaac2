"""Readable error pages for the browser (the API answers JSON through config.api)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "detail": None}, status=status)
    return render(
        request, "error.html", {"status": status, "code": code, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 400, "bad_request", _("The request could not be understood."))


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 403, "forbidden", _("You may not see this page."))


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(
        request, 404, "not_found", _("This page does not exist, or is not visible to you.")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, "server_error", _("Something went wrong on our side."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        "csrf",
        _("Your form expired or came from elsewhere. Reload the page and try again."),
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and supervisors: no database, no template."""
    from django.http import HttpResponse as Plain

    return Plain(b"ok", content_type="text/plain")
