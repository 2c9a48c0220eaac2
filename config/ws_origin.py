"""The WebSocket Origin check: a browser may open a live room only from a page of this site.

Channels' ``AllowedHostsOriginValidator`` compares the Origin's host name with ALLOWED_HOSTS and
ignores the port, so a page served by another program on the same machine
(``http://127.0.0.1:9999``) could open a room with the user's cookie. Here the Origin must be the
same origin as the request (scheme-independent host and port equal to the ``Host`` header, which
must itself be allowed), or one of ``CSRF_TRUSTED_ORIGINS`` exactly. A missing Origin (not a
browser) is refused too: every browser sends one on a WebSocket handshake.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _netloc(host: str, port: int | None) -> tuple[str, int | None]:
    return host.lower().strip("[]"), port


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    if not origin or origin == "null":
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host_header = _header(scope, b"host")
    domain, port = split_domain_port(host_header)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    if port:
        host_port: int | None = int(port)
    else:
        # No port in Host: the default one of the scheme the browser used for the page.
        host_port = DEFAULT_PORTS[parts.scheme]
    return _netloc(parts.hostname, origin_port) == _netloc(domain, host_port)


class SameOriginValidator:
    """ASGI middleware for the WebSocket side: deny the handshake unless ``origin_allowed``."""

    def __init__(self, application: Any):
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
