"""A server-side asyncio client for Janus's WebSocket API and VideoRoom plugin.

Browsers never reach Janus's API: Tongke relays SDP and ICE candidates (checked by
`check_jsep` / `check_candidate`) over its own WebSocket; media flows browser <-> Janus. One
`JanusGateway` per process (and event loop) holds one connection. When it drops, waiting calls
fail with `JanusError` (code None), each handle's queue gets a `detached` event with a
`reason`, and the next call reconnects; Janus ends the old connection's sessions. Deployment:
docs/live-at-scale.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.protocol import State
from websockets.typing import Subprotocol

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]

VIDEOROOM = "janus.plugin.videoroom"
KEEPALIVE_SECONDS = 25.0  # Janus's default session_timeout is 60 s
MAX_SDP_BYTES = 64 * 1024
MAX_CANDIDATE_BYTES = 1024

# Janus core error codes (janus/apierror.h) and VideoRoom ones (plugins/janus_videoroom.c).
NO_SUCH_SESSION = 458
NO_SUCH_HANDLE = 459
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428


class JanusError(Exception):
    """An error reported by Janus (`code`, `reason`), or no answer at all (`code` None)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(reason if code is None else f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


def _utf8_size(text: str, what: str) -> int:
    try:
        return len(text.encode())
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} is not valid text") from exc


def check_jsep(obj: object) -> JsonDict:
    """A browser's session description, reduced to `{"type", "sdp"}`; ValueError if unfit."""
    if not isinstance(obj, Mapping):
        raise ValueError("a session description must be an object with 'type' and 'sdp'")
    kind, sdp = obj.get("type"), obj.get("sdp")
    if kind not in ("offer", "answer"):
        raise ValueError("a session description's type must be 'offer' or 'answer'")
    if not isinstance(sdp, str) or not sdp.startswith("v=0"):
        raise ValueError("a session description's sdp must be a string starting with 'v=0'")
    if _utf8_size(sdp, "the sdp") > MAX_SDP_BYTES:
        raise ValueError(f"the sdp is longer than {MAX_SDP_BYTES} bytes")
    if "\x00" in sdp:
        raise ValueError("the sdp contains a NUL character")
    return {"type": kind, "sdp": sdp}


def check_candidate(obj: object) -> JsonDict:
    """A browser's ICE candidate, reduced to `{"candidate", "sdpMid", "sdpMLineIndex"}`.

    An empty `candidate` string is the browser's end-of-candidates mark."""
    if not isinstance(obj, Mapping):
        raise ValueError("an ICE candidate must be an object with 'candidate'")
    line, mid, index = obj.get("candidate"), obj.get("sdpMid"), obj.get("sdpMLineIndex")
    if not isinstance(line, str):
        raise ValueError("an ICE candidate's 'candidate' must be a string")
    if _utf8_size(line, "the candidate") > MAX_CANDIDATE_BYTES:
        raise ValueError(f"the candidate is longer than {MAX_CANDIDATE_BYTES} bytes")
    if line and not line.startswith("candidate:"):
        raise ValueError("an ICE candidate must start with 'candidate:'")
    if any(ch in line for ch in "\r\n\x00"):
        raise ValueError("an ICE candidate must be one line")
    if mid is not None and (not isinstance(mid, str) or len(mid) > 32 or not mid.isprintable()):
        raise ValueError("sdpMid must be null or a short string")
    if index is not None and (
        not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 1024
    ):
        raise ValueError("sdpMLineIndex must be null or a small non-negative integer")
    if line and mid is None and index is None:
        raise ValueError("an ICE candidate needs sdpMid or sdpMLineIndex")
    return {"candidate": line, "sdpMid": mid, "sdpMLineIndex": index}


def _error(fields: object, code: str = "code", reason: str = "reason") -> JanusError:
    found = fields if isinstance(fields, dict) else {}
    number = found.get(code)
    return JanusError(number if isinstance(number, int) else None, str(found.get(reason, "")))


def _plugin_data(reply: JsonDict) -> JsonDict:
    plugindata = reply.get("plugindata")
    data = plugindata.get("data") if isinstance(plugindata, dict) else None
    if not isinstance(data, dict):
        raise JanusError(None, f"Janus answered {reply.get('janus')!r} without plugin data")
    if "error_code" in data:
        raise _error(data, "error_code", "error")
    return data


async def _unless(codes: tuple[int, ...], call: Awaitable[object]) -> None:
    """Await `call`, taking a JanusError with one of `codes` for success."""
    try:
        await call
    except JanusError as exc:
        if exc.code not in codes:
            raise


class JanusGateway:
    """One connection to Janus, shared by every session of this process."""

    def __init__(self, url: str, *, api_secret: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.api_secret = api_secret or None
        self.timeout = timeout
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._pending: dict[str, tuple[asyncio.Future[JsonDict], bool]] = {}
        self._sessions: dict[int, JanusSession] = {}
        self._handles: dict[int, JanusHandle] = {}

    async def _connection(self) -> ClientConnection:
        async with self._lock:
            if self._ws is not None and self._ws.state is not State.OPEN:
                self._drop(self._ws, "connection to Janus closed")
            if self._ws is None:
                try:
                    ws = await connect(
                        self.url,
                        subprotocols=[Subprotocol("janus-protocol")],
                        open_timeout=self.timeout,
                        proxy=None,
                    )
                except (OSError, TimeoutError, WebSocketException) as exc:
                    raise JanusError(None, f"cannot connect to Janus at {self.url}: {exc}") from exc
                self._ws = ws
                self._reader = asyncio.create_task(self._read(ws), name="janus-reader")
            return self._ws

    async def _read(self, ws: ClientConnection) -> None:
        reason = "connection to Janus closed"
        try:
            async for raw in ws:
                message = json.loads(raw)
                if isinstance(message, dict):
                    self._dispatch(message)
        except ConnectionClosed as exc:
            reason = f"connection to Janus lost: {exc}"
        except ValueError:
            reason = "Janus sent a message that is not JSON"
            await ws.close()
        finally:
            self._drop(ws, reason)

    def _dispatch(self, message: JsonDict) -> None:
        kind, transaction = message.get("janus"), message.get("transaction")
        waiting = self._pending.get(transaction) if isinstance(transaction, str) else None
        if waiting is not None:
            future, ack_is_reply = waiting
            if kind != "ack" or ack_is_reply:  # an async request's ack: its event follows
                del self._pending[str(transaction)]
                if not future.done():
                    future.set_result(message)
            return
        if kind in ("ack", "success", "error"):
            return  # a late answer to a call that gave up, or an ack after its event
        sender, session_id = message.get("sender"), message.get("session_id")
        handle = self._handles.get(sender) if isinstance(sender, int) else None
        if handle is not None:
            if kind == "detached":
                del self._handles[handle.id]
            handle.events.put_nowait(message)
        elif kind == "timeout" and session_id in self._sessions:
            log.warning("janus: session %s timed out", session_id)
            self._forget_session(self._sessions[session_id], message)

    def _forget_session(self, session: JanusSession, event: JsonDict | None = None) -> None:
        """Stop tracking a session and its handles, telling them `event` if given."""
        self._sessions.pop(session.id, None)
        if session._keepalive is not None and session._keepalive is not asyncio.current_task():
            session._keepalive.cancel()
        for handle in [h for h in self._handles.values() if h.session is session]:
            del self._handles[handle.id]
            if event is not None:
                handle.events.put_nowait({**event, "sender": handle.id})

    def _drop(self, ws: ClientConnection, reason: str) -> None:
        if self._ws is not ws:
            return  # already dropped
        self._ws = None
        pending, self._pending = self._pending, {}
        for future, _ in pending.values():
            if not future.done():
                future.set_exception(JanusError(None, reason))
        for session in list(self._sessions.values()):
            self._forget_session(session, {"janus": "detached", "reason": reason})

    async def call(self, message: JsonDict, *, ack_is_reply: bool = False) -> JsonDict:
        """Send one Janus API request and return its answer; JanusError on `janus: "error"`."""
        ws = await self._connection()
        transaction = uuid.uuid4().hex
        message = {**message, "transaction": transaction}
        if self.api_secret:
            message["apisecret"] = self.api_secret
        future: asyncio.Future[JsonDict] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = (future, ack_is_reply)
        try:
            await ws.send(json.dumps(message))
            reply = await asyncio.wait_for(future, self.timeout)
        except ConnectionClosed as exc:
            raise JanusError(None, f"connection to Janus lost: {exc}") from exc
        except TimeoutError as exc:
            what = message["janus"]
            raise JanusError(None, f"Janus did not answer {what!r} in {self.timeout:g} s") from exc
        finally:
            self._pending.pop(transaction, None)
        if reply.get("janus") == "error":
            raise _error(reply.get("error"))
        return reply

    async def create_session(self, *, keepalive: float | None = KEEPALIVE_SECONDS) -> JanusSession:
        """A new Janus session, kept alive every `keepalive` seconds (None: not at all)."""
        reply = await self.call({"janus": "create"})
        session = JanusSession(self, int(reply["data"]["id"]))
        self._sessions[session.id] = session
        if keepalive:
            session._keepalive = asyncio.create_task(session._keep_alive(keepalive))
        return session

    async def close(self) -> None:
        async with self._lock:
            ws = self._ws
            if ws is not None:
                self._drop(ws, "the gateway was closed")
                await ws.close()


class JanusSession:
    def __init__(self, gateway: JanusGateway, session_id: int) -> None:
        self.gateway = gateway
        self.id = session_id
        self._keepalive: asyncio.Task[None] | None = None

    async def _keep_alive(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.keepalive()
            except JanusError as exc:
                log.warning("janus: keepalive of session %s failed: %s", self.id, exc)
                if exc.code is not None:  # Janus forgot the session: stop
                    self.gateway._forget_session(self)
                    return

    async def keepalive(self) -> None:
        await self.gateway.call({"janus": "keepalive", "session_id": self.id}, ack_is_reply=True)

    async def attach(self, plugin: str = VIDEOROOM) -> JanusHandle:
        message = {"janus": "attach", "session_id": self.id, "plugin": plugin}
        reply = await self.gateway.call(message)
        handle = JanusHandle(self, int(reply["data"]["id"]))
        self.gateway._handles[handle.id] = handle
        return handle

    async def destroy(self) -> None:
        """End the session and its handles; a session Janus already forgot is not an error."""
        self.gateway._forget_session(self)
        message = {"janus": "destroy", "session_id": self.id}
        await _unless((NO_SUCH_SESSION,), self.gateway.call(message))


class JanusHandle:
    """A plugin handle. Janus's events for it (`event`, `webrtcup`, `media`, `hangup`,
    `slowlink`, `detached`, `trickle`, `timeout`) arrive on `events`."""

    def __init__(self, session: JanusSession, handle_id: int) -> None:
        self.session = session
        self.id = handle_id
        self.events: asyncio.Queue[JsonDict] = asyncio.Queue()

    def _message(self, kind: str) -> JsonDict:
        return {"janus": kind, "session_id": self.session.id, "handle_id": self.id}

    async def request(self, body: Mapping[str, Any]) -> JsonDict:
        """A synchronous plugin request: the plugin's data; JanusError on `error_code`."""
        reply = await self.session.gateway.call({**self._message("message"), "body": dict(body)})
        return _plugin_data(reply)

    async def message(
        self, body: Mapping[str, Any], jsep: Mapping[str, Any] | None = None
    ) -> tuple[JsonDict, JsonDict | None]:
        """An asynchronous plugin request: waits for its event; (plugin data, jsep or None)."""
        message = {**self._message("message"), "body": dict(body)}
        if jsep is not None:
            message["jsep"] = check_jsep(jsep)
        reply = await self.session.gateway.call(message)
        data = _plugin_data(reply)
        answer = reply.get("jsep")
        return data, answer if isinstance(answer, dict) else None

    async def trickle(self, candidate: Mapping[str, Any] | None) -> None:
        """Pass on a browser's ICE candidate; None (or an empty candidate) ends them."""
        checked = check_candidate(candidate) if candidate is not None else None
        if checked is None or not checked["candidate"]:
            checked = {"completed": True}
        message = {**self._message("trickle"), "candidate": checked}
        await self.session.gateway.call(message, ack_is_reply=True)

    async def detach(self) -> None:
        """Leave the plugin; a handle Janus already forgot is not an error."""
        self.session.gateway._handles.pop(self.id, None)
        call = self.session.gateway.call(self._message("detach"))
        await _unless((NO_SUCH_SESSION, NO_SUCH_HANDLE), call)


async def ensure_room(
    handle: JanusHandle, room: int, *, description: str, publishers: int, secret: str | None = None
) -> None:
    """Create the private room unless it exists (safe to call again, or concurrently)."""
    if (await handle.request({"request": "exists", "room": room})).get("exists"):
        return
    body: JsonDict = {"request": "create", "room": room, "description": description}
    body |= {"publishers": publishers, "is_private": True, **_secret(secret)}
    await _unless((ROOM_EXISTS,), handle.request(body))


async def destroy_room(handle: JanusHandle, room: int, *, secret: str | None = None) -> None:
    """Destroy the room, kicking everyone out; a room that is gone already is fine."""
    body = {"request": "destroy", "room": room, **_secret(secret)}
    await _unless((NO_SUCH_ROOM,), handle.request(body))


def _secret(secret: str | None) -> JsonDict:
    return {} if secret is None else {"secret": secret}


def _offer_or_answer(obj: object, kind: str) -> JsonDict:
    jsep = check_jsep(obj)
    if jsep["type"] != kind:
        raise ValueError(f"expected an {kind}, got an {jsep['type']}")
    return jsep


async def join_publisher(
    handle: JanusHandle,
    room: int,
    *,
    display: str,
    offer: Mapping[str, Any],
    feed_id: int | None = None,
) -> tuple[int, JsonDict]:
    """Join as a publisher and publish audio and video: (own publisher id, Janus's answer).
    ``feed_id`` picks the publisher id (Janus refuses one already in the room: 436)."""
    jsep = _offer_or_answer(offer, "offer")
    body: JsonDict = {
        "request": "joinandconfigure",
        "ptype": "publisher",
        "room": room,
        "display": display,
    }
    if feed_id is not None:
        body["id"] = feed_id
    data, answer = await handle.message({**body, "audio": True, "video": True}, jsep)
    if answer is None:
        raise JanusError(None, "Janus did not answer the publisher's offer")
    return int(data["id"]), answer


async def publishers(handle: JanusHandle, room: int) -> list[JsonDict]:
    """The participants that publish media (Janus counts one only once its media is up)."""
    data = await handle.request({"request": "listparticipants", "room": room})
    return [p for p in data.get("participants", []) if p.get("publisher")]


async def join_subscriber(
    handle: JanusHandle, room: int, *, feed: int, mids: list[str] | None = None
) -> JsonDict:
    """Subscribe to one publisher's streams (or only those ``mids``): Janus's offer, to be
    answered by the browser."""
    streams = [{"feed": feed, "mid": m} for m in mids] if mids else [{"feed": feed}]
    body = {"request": "join", "ptype": "subscriber", "room": room, "streams": streams}
    _, offer = await handle.message(body)
    if offer is None or offer.get("type") != "offer":
        raise JanusError(None, "Janus sent no offer for the subscription")
    return offer


async def start_subscriber(handle: JanusHandle, room: int, *, answer: Mapping[str, Any]) -> None:
    """Hand Janus the browser's answer to a subscription offer; media starts flowing."""
    data, _ = await handle.message({"request": "start"}, _offer_or_answer(answer, "answer"))
    if data.get("room", room) != room:
        raise JanusError(None, f"Janus started a subscription in room {data.get('room')}")
