"""The live room's WebSocket endpoint: ``/ws/live/<session>/`` (``?classroom=<id>`` for a
classroom's device). It parses JSON frames, applies size and rate limits, and routes each
frame through ``ROUTES``: its schema (``frames.py``), the policy that says which seat may
send it (``policies.can_*``), and the service that writes it (``services/room.py``,
``services/quiz.py``) or the relay that passes it on (WebRTC signaling between the master
and the classrooms, the SFU path, slides).

Signing in is the site's session cookie (Channels' AuthMiddlewareStack); the Origin must be an
allowed host. A refused frame answers ``{"type": "error", "code", "message"}`` and the room
keeps running; a connection that keeps flooding is closed (4429).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.core.errors import TongkeError
from tongke.live import errors, frames, policies, room, services, sfu
from tongke.live.enums import MediaMode, MessageKind
from tongke.live.events import Joined, Out
from tongke.live.janus import JanusError
from tongke.orgs import policies as org_policies

log = logging.getLogger(__name__)

FRAME_MAX = 16 * 1024  # chat, quiz, control
SIGNAL_MAX = 96 * 1024  # an SDP with many codecs and candidates
SLIDE_MAX = 300 * 1024  # a still of the master's screen for audio-only rooms
DROPS_BEFORE_CLOSE = 200
CLOSE_NOT_ALLOWED = 4404
CLOSE_REFUSED = 4409
CLOSE_FLOOD = 4429
CLOSE_REPLACED = 4000

# (tokens per second, burst) per kind of frame (``Route.bucket``).
LIMITS: dict[str, tuple[float, float]] = {
    "signal": (60.0, 300.0),
    "talk": (1.0, 5.0),
    "quiz": (5.0, 10.0),
    "slide": (1.0, 3.0),
    "other": (10.0, 30.0),
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


Run = Callable[["LiveRoomConsumer", Joined, Any], Awaitable[None]]
Write = Callable[[User, Joined, Any], Out]
Policy = Callable[[policies.Seated], bool]
Refusal = Callable[[], TongkeError]


@dataclass(frozen=True)
class Route:
    """How one frame type is handled: parsed as ``schema`` after the seat passed ``policy``
    (else ``refusal()``), then ``run``. ``bucket`` and ``limit`` are its rate and size."""

    schema: type[frames.Frame]
    run: Run
    policy: Policy | None = None
    refusal: Refusal = errors.forbidden
    bucket: str = "other"
    limit: int = FRAME_MAX
    media: bool = False  # the SFU path: refused where the room has no media server


def _write(service: Write) -> Run:
    """A room service run in the database thread; its events go out."""

    def call(actor: User, seat: Joined, frame: Any) -> Out:
        org_policies.forget_grants(actor)  # roles are read afresh per frame, as per request
        return service(actor, seat, frame)

    async def run(consumer: LiveRoomConsumer, seat: Joined, frame: Any) -> None:
        await consumer._send_out(await _db(call)(consumer.actor, seat, frame))

    return run


class LiveRoomConsumer(AsyncWebsocketConsumer):
    joined: Joined | None = None
    actor: User
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
            joined, out = await _db(services.room_join)(
                actor=user,
                session_id=session_id,
                classroom_id=classroom_id,
                channel=self.channel_name,
            )
        except TongkeError as exc:
            close = CLOSE_NOT_ALLOWED if exc.status in (403, 404) else CLOSE_REFUSED
            await self._refuse(exc.code, str(exc.message), close)
            return
        self.joined, self.actor = joined, user
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
        if settings.LIVE_JANUS_URL and policies.can_publish_media(joined):
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
        if policies.can_watch_room(joined):
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
            out = await _db(services.room_leave)(actor=self.actor, seat=joined)
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
        route = route_of(kind)
        if len(text_data) > (route.limit if route else FRAME_MAX):
            await self._error(errors.TOO_LARGE, _("The message is too large."), ref=kind)
            return
        if not self.buckets[route.bucket if route else "other"].take():
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
            if route is None:
                raise errors.invalid(errors.BAD_MESSAGE, _("Unknown message type."), type=kind[:40])
            await self._handle(joined, route, frame)
        except TongkeError as exc:
            await self._error(exc.code, str(exc.message), ref=kind, detail=exc.detail)

    async def _handle(self, seat: Joined, route: Route, raw: dict[str, Any]) -> None:
        """The seat's policy first (an unauthorised frame learns nothing of its own faults),
        then the frame's schema, then its handler."""
        if route.media and self.media is None:
            raise errors.invalid(errors.BAD_SIGNAL, _("This room has no media server."))
        if route.policy is not None:
            errors.require(route.policy(seat), route.refusal)
        await route.run(self, seat, frames.parse(route.schema, raw, seat))

    # --- Relays: frames that pass through without a write ----------------------------------

    async def _ping(self, seat: Joined, frame: frames.PingFrame) -> None:
        pong: dict[str, Any] = {"type": "pong", "t": frame.t}
        if policies.can_watch_room(seat) and frame.online:
            # Who is connected now, from the database: the page reconciles its tiles, so
            # a join or leave event lost between processes heals at the next ping.
            pong["online"] = sorted(await _db(room.online_peers)(seat.session_id))
        await self.send(json.dumps(pong))

    async def _signal(self, seat: Joined, frame: frames.SignalFrame) -> None:
        """Offers, answers and ICE candidates pass between the master and a classroom only
        (``frames.SignalFrame`` checks the destination for the seat, then what it carries)."""
        event: dict[str, Any] = {"type": "signal", "from": seat.peer}
        if frame.description is not None:
            event["description"] = frame.description
        if frame.candidate is not None:
            event["candidate"] = frame.candidate
        if "description" not in event and "candidate" not in event:
            raise errors.invalid(
                errors.BAD_SIGNAL, _("A signal carries a description or a candidate.")
            )
        await self.channel_layer.group_send(group(seat.session_id, str(frame.to)), _wrap(event))

    async def _slide(self, seat: Joined, frame: frames.SlideFrame) -> None:
        peers = await _db(room.audio_mode_peers)(seat.session_id)
        for peer in peers:
            await self.channel_layer.group_send(
                group(seat.session_id, peer), _wrap({"type": "slide", "image": frame.image})
            )

    async def _mode(self, seat: Joined, frame: frames.ModeFrame) -> None:
        await _write(_set_mode)(self, seat, frame)
        if self.media is not None:
            await self.media.pause_video("master", frame.mode == MediaMode.AUDIO)

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


# --- The room's writes, frame by frame ------------------------------------------------------


def _talk(schema: type[frames.Frame], kind: MessageKind, policy: Policy, refusal: Refusal) -> Route:
    """Chat, questions and hands: ``services.message_post``."""

    def post(actor: User, seat: Joined, frame: Any) -> Out:
        text = getattr(frame, "text", "")
        return services.message_post(actor=actor, seat=seat, kind=kind, text=text)

    return Route(schema, _write(post), policy, refusal, bucket="talk")


def _sfu(
    schema: type[frames.Frame], handle: Callable[..., Awaitable[None]], bucket: str = "signal"
) -> Route:
    """An ``sfu.*`` frame for this connection's Janus link (``Route.media``: checked first)."""

    async def run(consumer: LiveRoomConsumer, seat: Joined, frame: Any) -> None:
        assert consumer.media is not None
        await handle(consumer.media, seat, frame)

    return Route(schema, run, bucket=bucket, media=True)


def _resolve(actor: User, seat: Joined, frame: frames.ResolveFrame) -> Out:
    return services.message_resolve(actor=actor, seat=seat, message_id=frame.id)


def _quiz_push(actor: User, seat: Joined, frame: frames.QuizPushFrame) -> Out:
    typed = None
    if frame.prompt is not None and frame.choices is not None and frame.correct is not None:
        typed = services.QuizIn(frame.prompt, frame.choices, frame.correct)
    return services.quiz_open(actor=actor, seat=seat, item_id=frame.item, typed=typed)


def _quiz_answer(actor: User, seat: Joined, frame: frames.QuizAnswerFrame) -> Out:
    return services.quiz_answer(
        actor=actor, seat=seat, quiz_id=frame.quiz, choice=frame.choice, counts=frame.counts
    )


def _quiz_close(actor: User, seat: Joined, frame: frames.QuizCloseFrame) -> Out:
    return services.quiz_close(actor=actor, seat=seat, quiz_id=frame.quiz)


def _headcount(actor: User, seat: Joined, frame: frames.HeadcountFrame) -> Out:
    return services.classroom_set_headcount(actor=actor, seat=seat, count=frame.count)


def _set_mode(actor: User, seat: Joined, frame: frames.ModeFrame) -> Out:
    return services.classroom_set_mode(actor=actor, seat=seat, mode=frame.mode)


def _floor(actor: User, seat: Joined, frame: frames.FloorFrame) -> Out:
    return services.session_set_floor(actor=actor, seat=seat, peer=frame.peer)


def _end(actor: User, seat: Joined, frame: frames.EndFrame) -> Out:
    return services.room_end(actor=actor, seat=seat)


C = LiveRoomConsumer
ROUTES: dict[str, Route] = {
    "ping": Route(frames.PingFrame, C._ping),
    "signal": Route(frames.SignalFrame, C._signal, bucket="signal", limit=SIGNAL_MAX),
    "slide": Route(
        frames.SlideFrame, C._slide, policies.can_send_slides, bucket="slide", limit=SLIDE_MAX
    ),
    "sfu.publish": _sfu(frames.SfuPublishFrame, sfu.on_publish),
    "sfu.subscribe": _sfu(frames.SfuSubscribeFrame, sfu.on_subscribe),
    "sfu.answer": _sfu(frames.SfuAnswerFrame, sfu.on_answer),
    "sfu.trickle": _sfu(frames.SfuTrickleFrame, sfu.on_trickle),
    "sfu.leave": _sfu(frames.SfuLeaveFrame, sfu.on_leave),
    "chat": _talk(frames.ChatFrame, MessageKind.CHAT, policies.can_chat, errors.pupils_ask),
    "question": _talk(
        frames.QuestionFrame, MessageKind.QUESTION, policies.can_ask, errors.asks_from_classrooms
    ),
    "hand": _talk(
        frames.HandFrame, MessageKind.HAND, policies.can_ask, errors.asks_from_classrooms
    ),
    "resolve": Route(frames.ResolveFrame, _write(_resolve)),
    "quiz.push": Route(
        frames.QuizPushFrame,
        _write(_quiz_push),
        policies.can_open_quiz,
        errors.master_only,
        bucket="quiz",
    ),
    "quiz.answer": Route(
        frames.QuizAnswerFrame,
        _write(_quiz_answer),
        policies.can_answer_quiz,
        errors.answers_from_classrooms,
        bucket="quiz",
    ),
    "quiz.close": Route(
        frames.QuizCloseFrame,
        _write(_quiz_close),
        policies.can_close_quiz,
        errors.master_only,
        bucket="quiz",
    ),
    "headcount": Route(
        frames.HeadcountFrame, _write(_headcount), policies.can_count_heads, errors.tutor_counts
    ),
    "mode": Route(frames.ModeFrame, C._mode, policies.can_switch_mode),
    "floor": Route(frames.FloorFrame, _write(_floor), policies.can_give_floor, errors.master_only),
    "end": Route(frames.EndFrame, _write(_end), policies.can_end_room, errors.master_only),
}
# Any other ``sfu.*`` type: refused as the SFU path refuses it (no media server, or unknown).
SFU_OTHER = _sfu(frames.SfuFrame, sfu.on_unknown, bucket="other")


def route_of(kind: str) -> Route | None:
    return ROUTES.get(kind) or (SFU_OTHER if kind.startswith("sfu.") else None)


def _wrap(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "room.event", "event": event}


def _classroom_param(query: bytes) -> int | None:
    """``?classroom=<id>``: None when absent, -1 when not a number (refused as not found)."""
    from urllib.parse import parse_qs

    values = parse_qs(query.decode("latin-1")).get("classroom")
    if not values:
        return None
    raw = values[0]
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else -1
