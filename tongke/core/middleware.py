"""Turns a typed error raised while rendering a page into a readable page with its status."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid, TongkeError


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, OverflowError):
            # A number too large for the database reached a query (``?page=``, an id).
            exc = Invalid(_("A number in the address is out of range."), code="out_of_range")
        if not isinstance(exc, TongkeError):
            return None
        return render(
            request,
            "error.html",
            {"status": exc.status, "code": exc.code, "message": exc.message, "detail": exc.detail},
            status=exc.status,
        )
