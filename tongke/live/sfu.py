"""The SFU path of the live room (CLS-3 at scale): one connection's media through Janus.

When ``TONGKE_JANUS_URL`` is set, pages no longer connect peer to peer. Each master or
classroom page publishes its camera and microphone to the lesson's Janus VideoRoom and
subscribes to the feeds it shows (a classroom: the master, and the classroom brought in; the
master: every classroom). The page sends its offers, answers and ICE candidates over the room's
WebSocket; the consumer hands them to a ``MediaLink``, which speaks to Janus server-side
(``janus.py``). Browsers never reach Janus's API, only its media ports.

Feed ids are fixed per seat (the master 1, classroom ``c<n>`` 1000 + n), so a page knows whom
to subscribe to without asking; a feed becomes available when Janus reports its media up.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tongke.live import errors, frames, janus, policies
from tongke.live.events import Joined

log = logging.getLogger(__name__)

MASTER_FEED = 1
CLASSROOM_FEED_BASE = 1000
USER_ID_EXISTS = 436  # a feed id still held by a connection that is going away
PUBLISH_RETRIES = 5

_gateways: dict[int, janus.JanusGateway] = {}


def gateway() -> janus.JanusGateway:
    """One connection to Janus per event loop (per server process)."""
    loop_id = id(asyncio.get_running_loop())
    found = _gateways.get(loop_id)
    if found is None:
        found = janus.JanusGateway(
            settings.LIVE_JANUS_URL, api_secret=settings.LIVE_JANUS_API_SECRET or None
        )
        _gateways[loop_id] = found
    return found


def feed_of(peer: str) -> int | None:
    if peer == "master":
        return MASTER_FEED
    if peer.startswith("c") and peer[1:].isascii() and peer[1:].isdigit():
        return CLASSROOM_FEED_BASE + int(peer[1:])
    return None


def peer_of(feed: int) -> str | None:
    if feed == MASTER_FEED:
        return "master"
    if feed > CLASSROOM_FEED_BASE:
        return f"c{feed - CLASSROOM_FEED_BASE}"
    return None


def room_secret(session_id: int) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"live-room-{session_id}".encode(), hashlib.sha256).hexdigest()[:32]


Send = Callable[[dict[str, Any]], Awaitable[None]]


class MediaLink:
    """One page's Janus session: its publisher handle and a handle per subscription."""

    def __init__(
        self, *, session_id: int, peer: str, label: str, rooms: int, send: Send, announce: Send
    ):
        self.room = session_id
        self.peer = peer
        self.label = label
        self.rooms = rooms
        self.send = send  # to this page
        self.announce = announce  # to every page of the room
        self.session: janus.JanusSession | None = None
        self.handles: dict[str, janus.JanusHandle] = {}
        self.watchers: list[asyncio.Task[None]] = []

    async def _session(self) -> janus.JanusSession:
        if self.session is None:
            self.session = await gateway().create_session()
        return self.session

    async def _handle(self, link: str) -> janus.JanusHandle:
        old = self.handles.pop(link, None)
        if old is not None:
            await old.detach()
        session = await self._session()
        handle = await session.attach()
        self.handles[link] = handle
        self.watchers.append(asyncio.create_task(self._watch(link, handle)))
        return handle

    async def feeds(self) -> list[str]:
        """Peers whose media is up in the room now."""
        session = await self._session()
        handle = self.handles.get("probe") or await session.attach()
        self.handles["probe"] = handle
        await janus.ensure_room(
            handle,
            self.room,
            description=f"tongke live {self.room}",
            publishers=self.rooms + 1,
            secret=room_secret(self.room),
        )
        out = []
        for p in await janus.publishers(handle, self.room):
            peer = peer_of(int(p.get("id", 0)))
            if peer is not None and peer != self.peer:
                out.append(peer)
        return out

    async def publish(self, offer: dict[str, Any]) -> None:
        feed = feed_of(self.peer)
        if feed is None:
            raise janus.JanusError(None, "only the master and classrooms publish")
        await self.feeds()  # makes sure the room exists
        for attempt in range(PUBLISH_RETRIES):
            handle = await self._handle("pub")
            try:
                _id, answer = await janus.join_publisher(
                    handle, self.room, display=self.label[:60], offer=offer, feed_id=feed
                )
            except janus.JanusError as exc:
                if exc.code != USER_ID_EXISTS or attempt == PUBLISH_RETRIES - 1:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))  # the old connection is leaving
                continue
            await self.send({"type": "sfu.answer", "link": "pub", "description": answer})
            return

    async def subscribe(self, link: str, peer: str, audio_only: bool = False) -> None:
        feed = feed_of(peer)
        if feed is None:
            raise ValueError("unknown peer")
        handle = await self._handle(link)
        offer = await janus.join_subscriber(
            handle, self.room, feed=feed, mids=["0"] if audio_only else None
        )
        await self.send({"type": "sfu.offer", "link": link, "peer": peer, "description": offer})

    async def answer(self, link: str, description: dict[str, Any]) -> None:
        handle = self.handles.get(link)
        if handle is None:
            raise ValueError("no such subscription")
        await janus.start_subscriber(handle, self.room, answer=description)

    async def trickle(self, link: str, candidate: dict[str, Any] | None) -> None:
        handle = self.handles.get(link)
        if handle is not None:
            await handle.trickle(candidate)

    async def pause_video(self, link: str, paused: bool) -> None:
        """A classroom on a weak link stops receiving the master's video (and back)."""
        handle = self.handles.get(link)
        if handle is not None:
            await handle.message(
                {"request": "configure", "streams": [{"mid": "1", "send": not paused}]}
            )

    async def drop(self, link: str) -> None:
        handle = self.handles.pop(link, None)
        if handle is not None:
            await handle.detach()

    async def _watch(self, link: str, handle: janus.JanusHandle) -> None:
        """Tell the room when this page's published media is up; tell the page when a
        subscription's publisher went away."""
        while True:
            event = await handle.events.get()
            kind = event.get("janus")
            if kind == "webrtcup" and link == "pub":
                await self.announce({"type": "feed", "peer": self.peer})
            elif kind in ("hangup", "detached") and link != "pub":
                await self.send({"type": "sfu.gone", "link": link})
                return
            elif kind == "detached":
                return

    async def close(self) -> None:
        for task in self.watchers:
            task.cancel()
        if self.session is not None:
            try:
                await self.session.destroy()
            except janus.JanusError:
                log.info("janus session of %s was gone already", self.peer)
        self.session = None
        self.handles.clear()


# --- The room's ``sfu.*`` frames (routed by ``consumers.ROUTES``) ----------------------------


async def _call(call: Awaitable[None]) -> None:
    try:
        await call
    except ValueError as exc:
        raise errors.invalid(errors.BAD_SIGNAL, str(exc)) from exc
    except janus.JanusError as exc:
        raise errors.conflict(
            "live.sfu_refused", _("The media server refused: %(r)s") % {"r": exc.reason}
        ) from exc


async def on_publish(media: MediaLink, seat: Joined, frame: frames.SfuPublishFrame) -> None:
    await _call(media.publish(frame.description))


async def on_subscribe(media: MediaLink, seat: Joined, frame: frames.SfuSubscribeFrame) -> None:
    if not policies.can_watch_feed(seat, frame.link, frame.peer):
        raise errors.invalid(errors.BAD_SIGNAL, _("You cannot watch that feed."))
    await _call(media.subscribe(frame.link, frame.peer, audio_only=frame.link == "floor"))


async def on_answer(media: MediaLink, seat: Joined, frame: frames.SfuAnswerFrame) -> None:
    await _call(media.answer(frame.link, frame.description))


async def on_trickle(media: MediaLink, seat: Joined, frame: frames.SfuTrickleFrame) -> None:
    await _call(media.trickle(frame.link, frame.candidate))


async def on_leave(media: MediaLink, seat: Joined, frame: frames.SfuLeaveFrame) -> None:
    await _call(media.drop(frame.link))


async def on_unknown(media: MediaLink, seat: Joined, frame: frames.SfuFrame) -> None:
    raise errors.invalid(errors.BAD_MESSAGE, _("Unknown message type."))
