"""The server caps request bodies before Django reads them (trust fault 7): an anonymous 600 MB
POST once wrote ~566 MB to disk before its 403. These tests drive the real ASGI application
with a client that counts how much of its body the server asked for."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from config.asgi import application

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class Client:
    """Sends ``total`` bytes in 1 MB chunks; records how many the server pulled."""

    def __init__(self, total: int):
        self.total = total
        self.pulled = 0
        self.status: int | None = None
        self.body = b""

    async def receive(self):
        if self.pulled >= self.total:
            await asyncio.sleep(60)  # a client that stays connected until it has its answer
            return {"type": "http.disconnect"}
        chunk = min(MB, self.total - self.pulled)
        self.pulled += chunk
        return {"type": "http.request", "body": b"x" * chunk, "more_body": self.pulled < self.total}

    async def send(self, message):
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


def call(path: str, total: int, *, declare: bool, headers=()) -> Client:
    client = Client(total)
    hdrs = [(b"host", b"127.0.0.1"), *headers]
    if not any(name == b"content-type" for name, _ in hdrs):
        hdrs.append((b"content-type", b"application/json"))
    if declare:
        hdrs.append((b"content-length", str(total).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": hdrs,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    async_to_sync(application)(scope, client.receive, client.send)
    return client


def test_an_anonymous_declared_600_mb_body_is_refused_before_a_byte_is_read():
    client = call("/api/v1/regions", 600 * MB, declare=True)
    assert client.status == 413
    assert client.pulled == 0
    assert b'"code": "too_large"' in client.body


def test_an_anonymous_streamed_body_is_cut_off_at_the_cap():
    client = call("/api/v1/regions", 600 * MB, declare=False)
    assert client.status == 413
    assert client.pulled <= settings.TONGKE_ANON_BODY_LIMIT_BYTES + MB


def test_a_page_gets_a_readable_413_in_chinese():
    client = call("/accounts/login/", 600 * MB, declare=False)
    assert client.status == 413
    assert "请求体过大" in client.body.decode()


def test_a_small_anonymous_body_reaches_django():
    client = call("/api/v1/regions", 100, declare=True)
    assert client.status == 403  # Django answered: the CSRF check (no session, no token)
    assert client.pulled == 100


def _session_cookie(client_for) -> tuple[bytes, bytes]:
    browser = client_for("t0001")
    return (
        b"cookie",
        f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode(),
    )


@pytest.mark.parametrize("declare", [True, False], ids=["declared", "streamed"])
def test_a_signed_in_upload_may_carry_the_upload_limit_and_no_more(client_for, settings, declare):
    settings.TONGKE_UPLOAD_LIMIT_BYTES = 4 * MB
    cookie = _session_cookie(client_for)
    multipart = (b"content-type", b"multipart/form-data; boundary=xyz")
    within = call("/library/share/", 3 * MB, declare=declare, headers=[cookie, multipart])
    assert within.status != 413 and within.pulled == 3 * MB
    over = call("/library/share/", 40 * MB, declare=declare, headers=[cookie, multipart])
    assert over.status == 413
    assert over.pulled <= (0 if declare else 4 * MB + 2 * MB + MB)


def test_a_forged_session_cookie_counts_as_anonymous():
    cookie = (b"cookie", f"{settings.SESSION_COOKIE_NAME}=forged".encode())
    client = call("/library/share/", 40 * MB, declare=False, headers=[cookie])
    assert client.status == 413
    assert client.pulled <= settings.TONGKE_ANON_BODY_LIMIT_BYTES + MB
