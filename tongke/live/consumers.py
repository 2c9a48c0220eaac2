"""The live room's WebSocket endpoint: ``/ws/live/<session>/`` (``?classroom=<id>`` for a
classroom's device). It parses JSON frames, applies size and rate limits, relays WebRTC
signaling between the master and the classrooms, and hands everything else to ``room.py``.

Signing in is the site's session cookie (Channels' AuthMiddlewareStack); the Origin must be an
allowed host. A refused frame answers ``{"type": "error", "code", "message"}`` and the room
keeps running; a connection that keeps flooding is closed (4429).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from tongke.core.errors import TongkeError
from tongke.live import errors, quiz, room, sfu
from tongke.live.events import Joined, Out
from tongke.live.janus import JanusError, check_candidate, check_jsep

log = logging.getLogger(__name__)

FRAME_MAX = 16 * 1024  # chat, quiz, control
SIGNAL_MAX = 96 * 1024  # an SDP with many codecs and candidates
SLIDE_MAX = 300 * 1024  # a still of the master's screen for audio-only rooms
DROPS_BEFORE_CLOSE = 200
CLOSE_NOT_ALLOWED = 4404
CLOSE_REFUSED = 4409
CLOSE_FLOOD = 4429
CLOSE_REPLACED = 4000
LINK = re.compile(r"^(pub|floor|master|c\d{1,10})$")

# (tokens per second, burst) per kind of frame.
LIMITS: dict[str, tuple[float, float]] = {
    "signal": (60.0, 300.0),
    "talk": (1.0, 5.0),
    "quiz": (5.0, 10.0),
    "slide": (1.0, 3.0),
    "other": (10.0, 30.0),
}
KIND_OF = {
    "signal": "signal",
    "sfu.publish": "signal",
    "sfu.subscribe": "signal",
    "sfu.answer": "signal",
    "sfu.trickle": "signal",
    "sfu.leave": "signal",
    "chat": "talk",
    "question": "talk",
    "hand": "talk",
    "quiz.push": "quiz",
    "quiz.answer": "quiz",
    "quiz.close": "quiz",
    "slide": "slide",
}


class Bucket:
    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = burst, clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _db(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` in Django's one sync thread, with fresh connections outside a transaction
    (inside one, as in tests, the caller's connection is used as is)."""

    def run(*args: Any, **kwargs: Any) -> Any:
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                close_old_connections()

    return sync_to_async(run, thread_sensitive=True)


def group(session_id: int, to: str) -> str:
    return f"live-{session_id}-{to}"


class LiveRoomConsumer(AsyncWebsocketConsumer):
    joined: Joined | None = None
    media: sfu.MediaLink | None = None

    # Channels closes the thread's old database connections before every message and after
    # a disconnect, unconditionally. ``_db`` already does that around each call, and skips it
    # inside an outer transaction (the tests' rolled-back one, which a close would break on
    # PostgreSQL), so these two are Channels' own minus that call.
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def connect(self) -> None:
        self.buckets = {k: Bucket(*v) for k, v in LIMITS.items()}
        self.drops = 0
        user = self.scope.get("user")
        session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        classroom_id = _classroom_param(self.scope.get("query_string", b""))
        await self.accept()
        if user is None or not user.is_authenticated:
            await self._refuse("auth.required", _("Please sign in first."), CLOSE_NOT_ALLOWED)
            return
        if classroom_id == -1:
            await self._refuse("live.classroom_not_found", _("Not found, or not visible to you."))
            return
        try:
            joined, out = await _db(room.join)(user, session_id, classroom_id, self.channel_name)
        except TongkeError as exc:
            close = CLOSE_NOT_ALLOWED if exc.status in (403, 404) else CLOSE_REFUSED
            await self._refuse(exc.code, str(exc.message), close)
            return
        self.joined = joined
        # The welcome goes straight to this socket before it joins the room's groups, so it
        # is always the first frame a page gets (through the layer, another peer's event
        # could overtake it).
        own = [event for to, event in out.events if to == joined.peer]
        for event in own:
            await self._send_json(event)
        for name in self._groups(joined):
            await self.channel_layer.group_add(name, self.channel_name)
        for old in joined.replaced:
            await self.channel_layer.send(old, {"type": "room.replaced"})
        await self._send_out(Out([(to, e) for to, e in out.events if to != joined.peer]))
        if settings.LIVE_JANUS_URL and joined.role in ("master", "classroom"):
            await self._open_media(joined)

    async def _open_media(self, joined: Joined) -> None:
        """With an SFU, tell the page which feeds are up already."""
        rooms = await _db(room.classroom_count)(joined.session_id)
        self.media = sfu.MediaLink(
            session_id=joined.session_id,
            peer=joined.peer,
            label=joined.label,
            rooms=rooms,
            send=self._send_json,
            announce=self._announce,
        )
        try:
            peers = await self.media.feeds()
        except JanusError as exc:
            log.warning("janus unavailable for room %s: %s", joined.session_id, exc)
            await self._error("live.sfu_unavailable", _("The media server is not reachable."))
            return
        await self._send_json({"type": "feeds", "peers": peers})

    async def _send_json(self, event: dict[str, Any]) -> None:
        await self.send(json.dumps(event, ensure_ascii=False))

    async def _announce(self, event: dict[str, Any]) -> None:
        if self.joined is not None:
            await self.channel_layer.group_send(group(self.joined.session_id, "all"), _wrap(event))

    async def _refuse(self, code: str, message: str, close: int = CLOSE_NOT_ALLOWED) -> None:
        await self.send(json.dumps({"type": "error", "code": code, "message": message}))
        await self.close(code=close)

    def _groups(self, joined: Joined) -> list[str]:
        names = [group(joined.session_id, "all"), group(joined.session_id, joined.peer)]
        if joined.role in ("master", "observer"):
            names.append(group(joined.session_id, "staff"))
        return names

    async def disconnect(self, code: int) -> None:
        if self.media is not None:
            media, self.media = self.media, None
            try:
                await media.close()
            except Exception:  # Janus forgets a closed session's handles by itself
                log.exception("closing the janus session failed")
        joined = self.joined
        if joined is None:
            return
        for name in self._groups(joined):
            await self.channel_layer.group_discard(name, self.channel_name)
        try:
            out = await _db(room.leave)(joined)
        except Exception:  # the socket is gone either way; attendance stays open-ended
            log.exception("leaving live room %s failed", joined.session_id)
            return
        await self._send_out(out)

    # --- Incoming frames -------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        joined = self.joined
        if joined is None:
            return
        if text_data is None:
            await self._error(errors.BAD_MESSAGE, _("Frames are JSON text."))
            return
        if len(text_data) > SLIDE_MAX:
            await self._error(errors.TOO_LARGE, _("The message is too large."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error(errors.BAD_MESSAGE, _("The message is not JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error(errors.BAD_MESSAGE, _("A message is an object with a type."))
            return
        kind = frame["type"]
        limit = {"signal": SIGNAL_MAX, "slide": SLIDE_MAX}.get(kind, FRAME_MAX)
        if len(text_data) > limit:
            await self._error(errors.TOO_LARGE, _("The message is too large."), ref=kind)
            return
        if not self.buckets[KIND_OF.get(kind, "other")].take():
            self.drops += 1
            if self.drops > DROPS_BEFORE_CLOSE:
                await self.close(code=CLOSE_FLOOD)
                return
            if self.drops % 20 == 1:
                await self._error(
                    errors.RATE_LIMITED, _("Too many messages; some were dropped."), ref=kind
                )
            return
        try:
            await self._dispatch(joined, kind, frame)
        except TongkeError as exc:
            await self._error(exc.code, str(exc.message), ref=kind, detail=exc.detail)

    async def _dispatch(self, joined: Joined, kind: str, frame: dict[str, Any]) -> None:
        if kind == "ping":
            pong: dict[str, Any] = {"type": "pong", "t": frame.get("t")}
            if joined.role in ("master", "observer") and frame.get("online"):
                # Who is connected now, from the database: the page reconciles its tiles, so
                # a join or leave event lost between processes heals at the next ping.
                pong["online"] = sorted(await _db(room.online_peers)(joined.session_id))
            await self.send(json.dumps(pong))
        elif kind == "signal":
            await self._relay_signal(joined, frame)
        elif kind == "slide":
            await self._relay_slide(joined, frame)
        elif kind.startswith("sfu."):
            await self._media(joined, kind, frame)
        elif kind in ("chat", "question", "hand"):
            await self._send_out(await _db(room.post_message)(joined, kind, frame.get("text")))
        elif kind == "resolve":
            await self._send_out(await _db(room.resolve_message)(joined, frame.get("id")))
        elif kind == "quiz.push":
            await self._send_out(await _db(quiz.quiz_push)(joined, frame))
        elif kind == "quiz.answer":
            await self._send_out(await _db(quiz.quiz_answer)(joined, frame))
        elif kind == "quiz.close":
            await self._send_out(await _db(quiz.quiz_close)(joined, frame.get("quiz")))
        elif kind == "headcount":
            await self._send_out(await _db(room.set_headcount)(joined, frame.get("count")))
        elif kind == "mode":
            await self._send_out(await _db(room.set_mode)(joined, frame.get("mode")))
            if self.media is not None:
                await self.media.pause_video("master", frame.get("mode") == "audio")
        elif kind == "floor":
            await self._send_out(await _db(room.set_floor)(joined, frame.get("peer")))
        elif kind == "end":
            await self._send_out(await _db(room.end)(joined))
        else:
            raise errors.invalid(errors.BAD_MESSAGE, _("Unknown message type."), type=kind[:40])

    async def _relay_signal(self, joined: Joined, frame: dict[str, Any]) -> None:
        """Offers, answers and ICE candidates pass between the master and a classroom only;
        both are checked before they are passed on."""
        to = frame.get("to")
        if joined.is_master:
            allowed = isinstance(to, str) and to.startswith("c") and to[1:].isdigit()
        else:
            allowed = joined.is_classroom and to == "master"
        if not allowed:
            raise errors.invalid(
                errors.BAD_SIGNAL, _("Signals go between the master and a classroom.")
            )
        event: dict[str, Any] = {"type": "signal", "from": joined.peer}
        try:
            if frame.get("description") is not None:
                event["description"] = check_jsep(frame["description"])
            if frame.get("candidate") is not None:
                event["candidate"] = check_candidate(frame["candidate"])
        except ValueError as exc:
            raise errors.invalid(errors.BAD_SIGNAL, str(exc)) from exc
        if "description" not in event and "candidate" not in event:
            raise errors.invalid(
                errors.BAD_SIGNAL, _("A signal carries a description or a candidate.")
            )
        await self.channel_layer.group_send(group(joined.session_id, str(to)), _wrap(event))

    async def _media(self, joined: Joined, kind: str, frame: dict[str, Any]) -> None:
        """Offers, answers and candidates for Janus (the SFU path)."""
        media = self.media
        if media is None:
            raise errors.invalid(errors.BAD_SIGNAL, _("This room has no media server."))
        link = frame.get("link", "pub")
        if not isinstance(link, str) or not LINK.match(link):
            raise errors.invalid(errors.BAD_SIGNAL, _("Unknown media link."))
        try:
            if kind == "sfu.publish":
                await media.publish(check_jsep(frame.get("description")))
            elif kind == "sfu.subscribe":
                peer = frame.get("peer")
                allowed = (
                    isinstance(peer, str)
                    and LINK.match(peer) is not None
                    and peer not in ("pub", "floor", joined.peer)
                    and (joined.is_master or peer == "master" or link == "floor")
                )
                if not allowed:
                    raise errors.invalid(errors.BAD_SIGNAL, _("You cannot watch that feed."))
                await media.subscribe(link, str(peer), audio_only=link == "floor")
            elif kind == "sfu.answer":
                await media.answer(link, check_jsep(frame.get("description")))
            elif kind == "sfu.trickle":
                raw = frame.get("candidate")
                await media.trickle(link, None if raw is None else check_candidate(raw))
            elif kind == "sfu.leave":
                await media.drop(link)
            else:
                raise errors.invalid(errors.BAD_MESSAGE, _("Unknown message type."))
        except ValueError as exc:
            raise errors.invalid(errors.BAD_SIGNAL, str(exc)) from exc
        except JanusError as exc:
            raise errors.conflict(
                "live.sfu_refused", _("The media server refused: %(r)s") % {"r": exc.reason}
            ) from exc

    async def _relay_slide(self, joined: Joined, frame: dict[str, Any]) -> None:
        if not joined.is_master:
            raise errors.forbidden()
        image = frame.get("image")
        if not isinstance(image, str) or not image.startswith("data:image/jpeg;base64,"):
            raise errors.invalid(errors.BAD_MESSAGE, _("A slide is a JPEG image."))
        peers = await _db(room.audio_mode_peers)(joined.session_id)
        for peer in peers:
            await self.channel_layer.group_send(
                group(joined.session_id, peer), _wrap({"type": "slide", "image": image})
            )

    # --- Outgoing --------------------------------------------------------------------------

    async def _send_out(self, out: Out) -> None:
        assert self.joined is not None
        for to, event in out.events:
            await self.channel_layer.group_send(group(self.joined.session_id, to), _wrap(event))

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        payload = {"type": "error", "code": code, "message": message}
        payload.update({k: v for k, v in extra.items() if v is not None})
        await self.send(json.dumps(payload, ensure_ascii=False, default=str))

    async def room_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == "ended":
            await self.send(json.dumps(event))
            await self.close(code=1000)
            return
        await self.send(json.dumps(event, ensure_ascii=False))

    async def room_replaced(self, message: dict[str, Any]) -> None:
        """A newer connection of the same classroom (or master) took this one's place."""
        joined, self.joined = self.joined, None
        if joined is not None:
            for name in self._groups(joined):
                await self.channel_layer.group_discard(name, self.channel_name)
        await self.send(json.dumps({"type": "replaced"}))
        await self.close(code=CLOSE_REPLACED)


def _wrap(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "room.event", "event": event}


def _classroom_param(query: bytes) -> int | None:
    """``?classroom=<id>``: None when absent, -1 when not a number (refused as not found)."""
    from urllib.parse import parse_qs

    values = parse_qs(query.decode("latin-1")).get("classroom")
    if not values:
        return None
    raw = values[0]
    return int(raw) if raw.isdigit() and len(raw) < 12 else -1
