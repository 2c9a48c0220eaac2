"""Per-request facts that deep layers may need (the client address for the audit log).

Set by ``RequestContextMiddleware``; a context variable, so it is safe under ASGI."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("tongke_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a reverse proxy (TONGKE_BEHIND_PROXY), the address the
    proxy appended last to X-Forwarded-For; earlier entries are client-supplied and untrusted."""
    from django.conf import settings

    if settings.TONGKE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
