"""A live session of the demo community for tests, and a WebSocket harness for its room.

The harness drives the real consumer through Channels' communicator inside the test's
transaction: the consumer's database calls run in the thread that called ``async_to_sync``
(the test's own), so they see the test's rows and roll back with it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tongke.library.models import CatalogueNode
from tongke.live import services
from tongke.live.enums import PartnershipKind
from tongke.live.models import LiveSession, Partnership
from tongke.live.routing import websocket_urlpatterns
from tongke.orgs.models import OrgUnit

APP = URLRouter(websocket_urlpatterns)
TUTORS = {"BJ-YQ-S09-G04-C1": "t0043", "BJ-YQ-S10-G04-C1": "t0046", "BJ-MY-S12-G04-C1": "t0054"}
SCHOOL_TUTORS = {"BJ-YQ-S09": "t0043", "BJ-YQ-S10": "t0046", "BJ-MY-S12": "t0054"}


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def community() -> Partnership:
    """The demo's community (海淀实验小学 leading three mountain schools)."""
    found = Partnership.objects.filter(kind=PartnershipKind.COMMUNITY).first()
    assert found is not None, "the demo seeds a community"
    return found


def lesson(stage: str = "primary") -> CatalogueNode:
    node = CatalogueNode.objects.filter(kind="lesson", stage=stage).order_by("-path").first()
    assert node is not None
    return node


def session_now(minutes_from_now: int = 0, classes: list[str] | None = None) -> LiveSession:
    """A 40-minute lesson by t0001 starting now (a fresh lesson node, a free slot)."""
    codes = classes or list(TUTORS)
    start = timezone.now() + timedelta(minutes=minutes_from_now) + timedelta(days=300)
    made = services.session_schedule(
        actor=user("t0001"),
        partnership=community(),
        host_school=unit("BJ-HD-S01"),
        lesson=lesson(),
        title="测试直播课",
        starts_at=start,
        minutes=40,
        classrooms=[services.ClassroomIn(unit(c), user(SCHOOL_TUTORS[c[:9]])) for c in codes],
    )[0]
    # Scheduled far ahead to dodge the demo's own lessons, then moved to now.
    now = timezone.now() + timedelta(minutes=minutes_from_now)
    LiveSession.objects.filter(pk=made.pk).update(
        starts_at=now, ends_at=now + timedelta(minutes=40)
    )
    made.refresh_from_db()
    return made


class Client:
    """One WebSocket connection to a room, as ``username``."""

    def __init__(
        self, session: LiveSession, username: str | None, classroom: int | str | None = None
    ):
        path = f"/ws/live/{session.pk}/"
        if classroom is not None:
            path += f"?classroom={classroom}"
        self.comm = WebsocketCommunicator(APP, path)
        self.username = username

    async def connect(self) -> None:
        """Connect as the user (None: anonymous); the server accepts, then decides."""
        if self.username is None:
            self.comm.scope["user"] = AnonymousUser()
        else:
            self.comm.scope["user"] = await sync_to_async(user)(self.username)
        connected, _sub = await self.comm.connect()
        assert connected

    async def open(self) -> dict[str, Any]:
        await self.connect()
        return await self.recv()

    async def send(self, **frame: Any) -> None:
        await self.comm.send_to(text_data=json.dumps(frame))

    async def send_raw(self, text: str) -> None:
        await self.comm.send_to(text_data=text)

    async def recv(self, timeout: float = 2) -> dict[str, Any]:
        out = await self.comm.receive_output(timeout)
        if out["type"] == "websocket.close":
            return {"type": "<closed>", "code": out.get("code")}
        return dict(json.loads(out["text"]))

    async def until(self, type_: str, timeout: float = 2, **match: Any) -> dict[str, Any]:
        """The next event of ``type_`` (with the ``match`` fields), skipping others."""
        for _ in range(50):
            event = await self.recv(timeout)
            if event["type"] == "<closed>":
                return event
            if event["type"] == type_ and all(event.get(k) == v for k, v in match.items()):
                return event
        raise AssertionError(f"no {type_} event")

    async def drain(self) -> list[dict[str, Any]]:
        got = []
        while not await self.comm.receive_nothing(0.05):
            got.append(await self.recv())
        return got

    async def close(self) -> None:
        await self.comm.disconnect()
