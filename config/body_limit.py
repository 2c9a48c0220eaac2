"""A cap on request bodies in the server itself, before Django reads a byte.

Django's ASGI handler reads a whole request body into a spooled temporary file before any view,
middleware or CSRF check runs, so without a cap in front of it an anonymous client could make the
server write hundreds of megabytes to disk and only then be told 403. This middleware wraps the
HTTP side of the ASGI application and decides, from the declared ``Content-Length`` or while the
body streams in, how much a request may send:

- anyone: ``TONGKE_ANON_BODY_LIMIT_BYTES`` (sign-in forms and small JSON are far below it);
- a caller with a live session or a valid API token: a multipart upload may carry
  ``TONGKE_UPLOAD_LIMIT_BYTES`` plus the multipart framing; any other body
  ``TONGKE_BODY_LIMIT_BYTES``.

Who the caller is is only looked up when a body passes the anonymous cap, so small requests pay
nothing. A body declared too large is refused before it is read; a body without a length
(chunked) is cut off the moment it passes the cap: Django is told the client went away (it then
answers nothing and writes nothing), and this middleware answers 413.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

# Content-Length counts the whole multipart body: the file, the form fields and boundaries.
MULTIPART_SLACK_BYTES = 2 * 1024 * 1024


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _signed_in(scope: Scope) -> bool:
    """Whether the request carries a live session with a person in it, or a valid API token.
    Runs in a thread (it reads the session store or the token table)."""
    from tongke.accounts.services import api_token_authenticate

    auth = _header(scope, b"authorization")
    if auth.lower().startswith("bearer "):
        return api_token_authenticate(auth[7:].strip()) is not None
    key = parse_cookie(_header(scope, b"cookie")).get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return store.get(SESSION_KEY) is not None


async def _limit_for(scope: Scope) -> int:
    if not await sync_to_async(_signed_in)(scope):
        return int(settings.TONGKE_ANON_BODY_LIMIT_BYTES)
    if _header(scope, b"content-type").lower().startswith("multipart/form-data"):
        return int(settings.TONGKE_UPLOAD_LIMIT_BYTES) + MULTIPART_SLACK_BYTES
    return int(settings.TONGKE_BODY_LIMIT_BYTES)


async def _too_large(scope: Scope, send: Send) -> None:
    accept = _header(scope, b"accept-language")
    language = "en" if accept.lower().startswith("en") else settings.LANGUAGE_CODE
    with translation.override(language):
        message = _("The request body is too large.")
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps(
            {"code": "too_large", "message": message, "detail": None}, ensure_ascii=False
        ).encode()
        content_type = b"application/json"
    else:
        body = f"<!doctype html><meta charset=utf-8><title>413</title><p>{message}</p>".encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        anon_limit = int(settings.TONGKE_ANON_BODY_LIMIT_BYTES)
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > anon_limit:
            if int(declared) > await _limit_for(scope):
                await _too_large(scope, send)
                return
            # Declared and allowed: the server (uvicorn) never passes more than it declared.
            await self.app(scope, receive, send)
            return

        state = {"received": 0, "limit": anon_limit, "checked": False, "cut": False}
        started = False

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] != "http.request":
                return message
            state["received"] += len(message.get("body", b""))
            if state["received"] > state["limit"] and not state["checked"]:
                state["checked"] = True
                state["limit"] = await _limit_for(scope)
            if state["received"] > state["limit"]:
                state["cut"] = True
                return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, watched_send)
        if state["cut"] and not started:
            await _too_large(scope, send)
