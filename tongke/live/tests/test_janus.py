"""The Janus client (tongke/live/janus.py).

Three groups: the checks on what browsers send (pure functions); the client against a small
fake Janus (a WebSocket server in the test) for what a real one will not do on demand: stay
silent, drop the connection mid-call; and the client against a REAL Janus (`@pytest.mark.janus`)
started once per run with a throwaway configuration: the VideoRoom plugin and the WebSocket
transport on a free loopback port, nothing else. Those skip only where `janus` is not
installed (CI installs it). Full media needs a browser: the Playwright tests cover it.

Each test runs its own event loop (`asyncio.run`) with its own gateway; none needs the database.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from tongke.live.janus import (
    MAX_CANDIDATE_BYTES,
    MAX_SDP_BYTES,
    NO_SUCH_FEED,
    NO_SUCH_ROOM,
    NO_SUCH_SESSION,
    JanusError,
    JanusGateway,
    check_candidate,
    check_jsep,
    destroy_room,
    ensure_room,
    join_publisher,
    join_subscriber,
    publishers,
    start_subscriber,
)
from tongke.live.tests.janus_process import running_janus

API_SECRET = "tongke-test-secret"
ROOMS = itertools.count(4200)
CANDIDATE = "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0"


def offer(*, complete: bool = True) -> dict[str, str]:
    """A browser-like offer (audio + video, ICE credentials, a DTLS fingerprint); without
    `complete`, a syntactically valid SDP that no WebRTC endpoint could answer."""
    if not complete:
        return {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}
    fingerprint = ":".join(["5A"] * 32)
    lines = ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0"]
    lines += ["a=group:BUNDLE 0 1", "a=msid-semantic: WMS tongke"]
    media = [("audio", 111, "opus/48000/2"), ("video", 96, "VP8/90000")]
    for mid, (kind, pt, codec) in enumerate(media):
        lines += [f"m={kind} 9 UDP/TLS/RTP/SAVPF {pt}", "c=IN IP4 0.0.0.0", "a=rtcp-mux"]
        lines += ["a=ice-ufrag:tkuf", "a=ice-pwd:tongkeicepasswordtongke1", "a=ice-options:trickle"]
        lines += [f"a=fingerprint:sha-256 {fingerprint}", "a=setup:actpass", f"a=mid:{mid}"]
        lines += ["a=sendonly", f"a=msid:tongke {kind}0", f"a=rtpmap:{pt} {codec}"]
        lines += [f"a=ssrc:{1000 + mid} cname:tongke"]
    return {"type": "offer", "sdp": "\r\n".join(lines) + "\r\n"}


def run(main: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(asyncio.wait_for(main(), 20))


# -- what browsers send -----------------------------------------------------------------------


def test_check_jsep_keeps_only_type_and_sdp():
    sdp = offer()["sdp"]
    assert check_jsep({"type": "offer", "sdp": sdp}) == {"type": "offer", "sdp": sdp}
    assert check_jsep({"type": "answer", "sdp": "v=0\r\n", "trickle": True, "x": 1}) == {
        "type": "answer",
        "sdp": "v=0\r\n",
    }
    assert len(check_jsep({"type": "offer", "sdp": "v=0" + "a" * (MAX_SDP_BYTES - 3)})["sdp"])


@pytest.mark.parametrize(
    "jsep",
    [
        None,
        "v=0",
        ["offer", "v=0"],
        {},
        {"sdp": "v=0\r\n"},
        {"type": "pranswer", "sdp": "v=0\r\n"},
        {"type": "rollback", "sdp": "v=0\r\n"},
        {"type": "OFFER", "sdp": "v=0\r\n"},
        {"type": "offer"},
        {"type": "offer", "sdp": None},
        {"type": "offer", "sdp": 0},
        {"type": "offer", "sdp": ""},
        {"type": "offer", "sdp": " v=0\r\n"},
        {"type": "offer", "sdp": "o=- 1 1 IN IP4 127.0.0.1\r\n"},
        {"type": "offer", "sdp": "v=0" + "a" * MAX_SDP_BYTES},
        {"type": "offer", "sdp": "v=0" + "é" * (MAX_SDP_BYTES // 2)},  # 2 bytes each
        {"type": "offer", "sdp": "v=0\r\ns=\x00\r\n"},
        {"type": "offer", "sdp": "v=0\r\ns=\ud800\r\n"},
    ],
)
def test_check_jsep_refuses(jsep: object):
    with pytest.raises(ValueError, match=r"\w"):
        check_jsep(jsep)


def test_check_candidate_keeps_the_three_fields():
    got = check_candidate({"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0})
    assert got == {"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0}
    browser = {"candidate": CANDIDATE, "sdpMid": None, "sdpMLineIndex": 1, "usernameFragment": "u"}
    assert check_candidate(browser) == {"candidate": CANDIDATE, "sdpMid": None, "sdpMLineIndex": 1}
    end = {"candidate": "", "sdpMid": None, "sdpMLineIndex": None}
    assert check_candidate(end) == end
    assert check_candidate({"candidate": CANDIDATE, "sdpMid": "audio"})["sdpMLineIndex"] is None


@pytest.mark.parametrize(
    "candidate",
    [
        None,
        CANDIDATE,
        [CANDIDATE, "0", 0],
        {},
        {"sdpMid": "0", "sdpMLineIndex": 0},
        {"candidate": None, "sdpMid": "0"},
        {"candidate": 7, "sdpMid": "0"},
        {"candidate": CANDIDATE},
        {"candidate": CANDIDATE, "sdpMid": None, "sdpMLineIndex": None},
        {"candidate": "a=" + CANDIDATE, "sdpMid": "0"},
        {"candidate": "typ host", "sdpMid": "0"},
        {"candidate": CANDIDATE + "\r\na=ice-pwd:stolen", "sdpMid": "0"},
        {"candidate": CANDIDATE + "\n", "sdpMid": "0"},
        {"candidate": CANDIDATE + "\x00", "sdpMid": "0"},
        {"candidate": "candidate:" + "1" * MAX_CANDIDATE_BYTES, "sdpMid": "0"},
        {"candidate": CANDIDATE, "sdpMid": 0},
        {"candidate": CANDIDATE, "sdpMid": "0\r\na=x"},
        {"candidate": CANDIDATE, "sdpMid": "m" * 33},
        {"candidate": CANDIDATE, "sdpMLineIndex": "0"},
        {"candidate": CANDIDATE, "sdpMLineIndex": -1},
        {"candidate": CANDIDATE, "sdpMLineIndex": 1.0},
        {"candidate": CANDIDATE, "sdpMLineIndex": True},
        {"candidate": CANDIDATE, "sdpMLineIndex": 10**6},
    ],
)
def test_check_candidate_refuses(candidate: object):
    with pytest.raises(ValueError, match=r"\w"):
        check_candidate(candidate)


# -- a fake Janus -----------------------------------------------------------------------------


def with_fake_janus(
    answer: Callable[[dict[str, Any], ServerConnection], Awaitable[None]],
    test: Callable[[str], Awaitable[None]],
) -> None:
    """Run `test(url)` against a WebSocket server that hands each request to `answer`."""

    async def handler(ws: ServerConnection) -> None:
        async for raw in ws:
            await answer(json.loads(raw), ws)

    async def main() -> None:
        protocols = [Subprotocol("janus-protocol")]
        async with serve(handler, "127.0.0.1", 0, subprotocols=protocols) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            await test(f"ws://127.0.0.1:{port}")

    run(main)


def reply(request: dict[str, Any], kind: str, **rest: Any) -> str:
    return json.dumps({"janus": kind, "transaction": request["transaction"], **rest})


def test_a_dropped_connection_fails_the_waiting_call_and_the_next_call_reconnects():
    seen: list[dict[str, Any]] = []

    async def answer(request: dict[str, Any], ws: ServerConnection) -> None:
        seen.append(request)
        if len(seen) == 1:
            await ws.close()  # mid-call
        else:
            await ws.send(reply(request, "success", data={"id": 7}))

    async def test(url: str) -> None:
        gateway = JanusGateway(url, api_secret="s3cret", timeout=5)
        with pytest.raises(JanusError, match="connection to Janus") as caught:
            await gateway.create_session(keepalive=None)
        assert caught.value.code is None
        session = await gateway.create_session(keepalive=None)
        assert session.id == 7
        await gateway.close()

    with_fake_janus(answer, test)
    assert [r["apisecret"] for r in seen] == ["s3cret", "s3cret"]


def test_a_silent_janus_times_out():
    async def answer(request: dict[str, Any], ws: ServerConnection) -> None:
        pass

    async def test(url: str) -> None:
        gateway = JanusGateway(url, timeout=0.2)
        with pytest.raises(JanusError, match="did not answer 'create'"):
            await gateway.create_session()
        await gateway.close()

    with_fake_janus(answer, test)


def test_keepalives_go_out_on_schedule_and_events_reach_their_handle():
    keepalives: list[float] = []

    async def answer(request: dict[str, Any], ws: ServerConnection) -> None:
        kind = request["janus"]
        if kind == "keepalive":
            keepalives.append(time.monotonic())
            await ws.send(reply(request, "ack", session_id=1))
        elif kind in ("create", "attach"):
            await ws.send(reply(request, "success", data={"id": 1 if kind == "create" else 2}))
        elif kind == "message":  # the event before its ack, as Janus sometimes does
            data = {"plugin": "janus.plugin.videoroom", "data": {"videoroom": "event"}}
            await ws.send(reply(request, "event", sender=2, plugindata=data))
            await ws.send(reply(request, "ack"))
            await ws.send(json.dumps({"janus": "webrtcup", "session_id": 1, "sender": 2}))
            await ws.send(json.dumps({"janus": "hangup", "session_id": 1, "sender": 99}))

    async def test(url: str) -> None:
        gateway = JanusGateway(url, timeout=5)
        session = await gateway.create_session(keepalive=0.05)
        handle = await session.attach()
        assert await handle.message({"request": "configure"}) == ({"videoroom": "event"}, None)
        event = await asyncio.wait_for(handle.events.get(), 5)
        assert event["janus"] == "webrtcup"
        await asyncio.sleep(0.3)
        await gateway.close()
        assert handle.events.get_nowait()["janus"] == "detached"  # told of the closed gateway
        assert handle.events.empty()  # the hangup for handle 99 went nowhere

    with_fake_janus(answer, test)
    assert len(keepalives) >= 3


def test_an_unreachable_janus_is_a_janus_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening

    async def main() -> None:
        with pytest.raises(JanusError, match="cannot connect") as caught:
            await JanusGateway(f"ws://127.0.0.1:{port}", timeout=2).create_session()
        assert caught.value.code is None

    run(main)


# -- a real Janus -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def janus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("janus") is None:
        pytest.skip("janus is not installed (apt-get install janus); CI installs it")
    with running_janus(tmp_path_factory.mktemp("janus"), api_secret=API_SECRET) as url:
        yield url


def with_janus(url: str, test: Callable[[JanusGateway], Awaitable[None]]) -> None:
    async def main() -> None:
        gateway = JanusGateway(url, api_secret=API_SECRET, timeout=5)
        try:
            await test(gateway)
        finally:
            await gateway.close()

    run(main)


@pytest.mark.janus
def test_ensure_room_is_idempotent_and_destroy_room_too(janus_url: str):
    room = next(ROOMS)

    async def test(gateway: JanusGateway) -> None:
        session = await gateway.create_session()
        handle = await session.attach()
        assert (await handle.request({"request": "exists", "room": room}))["exists"] is False
        others = [await session.attach() for _ in range(3)]
        # at once: each sees no room, each creates it, and the ones that lose the race are fine
        await asyncio.gather(
            *(
                ensure_room(h, room, description="Grade 7 maths", publishers=4, secret="k")
                for h in others
            )
        )
        await ensure_room(handle, room, description="Grade 7 maths", publishers=4, secret="k")
        assert (await handle.request({"request": "exists", "room": room}))["exists"] is True
        listed = await handle.request({"request": "list"})
        assert room not in [r["room"] for r in listed["list"]]  # private
        assert await publishers(handle, room) == []
        with pytest.raises(JanusError) as caught:  # the room's secret guards it
            await destroy_room(handle, room)
        assert caught.value.code == 429 and "secret" in caught.value.reason
        for _ in range(2):
            await destroy_room(handle, room, secret="k")
        assert (await handle.request({"request": "exists", "room": room}))["exists"] is False
        await session.destroy()

    with_janus(janus_url, test)


@pytest.mark.janus
def test_a_plain_join_lists_the_participant_but_not_as_a_publisher(janus_url: str):
    room = next(ROOMS)

    async def test(gateway: JanusGateway) -> None:
        session = await gateway.create_session()
        admin, teacher = await session.attach(), await session.attach()
        await ensure_room(admin, room, description="Plain join", publishers=2)
        body = {"request": "join", "ptype": "publisher", "room": room, "display": "Teacher Li"}
        data, jsep = await teacher.message(body)
        assert data["videoroom"] == "joined" and data["room"] == room and jsep is None
        listed = await admin.request({"request": "listparticipants", "room": room})
        assert listed["participants"] == [
            {"id": data["id"], "display": "Teacher Li", "publisher": False}
        ]
        assert await publishers(admin, room) == []
        await teacher.detach()
        await teacher.detach()  # already gone: fine
        await destroy_room(admin, room)
        await session.destroy()

    with_janus(janus_url, test)


@pytest.mark.janus
def test_janus_errors_carry_janus_codes(janus_url: str):
    async def test(gateway: JanusGateway) -> None:
        session = await gateway.create_session()
        handle = await session.attach()
        missing = next(ROOMS)
        with pytest.raises(JanusError) as asynchronous:
            await handle.message({"request": "join", "ptype": "publisher", "room": missing})
        with pytest.raises(JanusError) as synchronous:
            await handle.request({"request": "listparticipants", "room": missing})
        with pytest.raises(JanusError) as core:
            await session.attach("janus.plugin.nosuchthing")
        assert (asynchronous.value.code, synchronous.value.code) == (NO_SUCH_ROOM, NO_SUCH_ROOM)
        assert f"({missing})" in asynchronous.value.reason
        assert core.value.code == 460 and "nosuchthing" in str(core.value)
        await session.destroy()

    with_janus(janus_url, test)
    with pytest.raises(JanusError) as unauthorized:
        run(lambda: JanusGateway(janus_url, timeout=5).create_session())
    assert unauthorized.value.code == 403


@pytest.mark.janus
def test_publishing_offers_get_answers_or_errors_never_silence(janus_url: str):
    room = next(ROOMS)

    async def test(gateway: JanusGateway) -> None:
        session = await gateway.create_session()
        admin, teacher, student = [await session.attach() for _ in range(3)]
        await ensure_room(admin, room, description="Publishing", publishers=2)
        # given an offer no WebRTC endpoint could make, when it is published, then Janus refuses
        with pytest.raises(JanusError) as refused:
            await join_publisher(teacher, room, display="Fake", offer=offer(complete=False))
        assert refused.value.code == 465  # JANUS_ERROR_JSEP_INVALID_SDP
        with pytest.raises(ValueError, match="expected an offer"):
            await join_publisher(teacher, room, display="Fake", offer=offer() | {"type": "answer"})
        # given a complete offer, then Janus answers it and lists the publisher
        feed, answer = await join_publisher(teacher, room, display="Teacher Wang", offer=offer())
        assert answer["type"] == "answer" and answer["sdp"].startswith("v=0")
        assert "a=recvonly" in answer["sdp"] and "a=candidate:" in answer["sdp"]
        listed = await admin.request({"request": "listparticipants", "room": room})
        assert [p["id"] for p in listed["participants"]] == [feed]
        await teacher.trickle({"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0})
        await teacher.trickle(None)
        # with no media flowing (no browser here), the feed is not subscribable yet
        assert await publishers(admin, room) == []
        with pytest.raises(JanusError) as no_feed:
            await join_subscriber(student, room, feed=feed)
        assert no_feed.value.code == NO_SUCH_FEED
        with pytest.raises(JanusError, match="did we offer"):
            await start_subscriber(student, room, answer={"type": "answer", "sdp": answer["sdp"]})
        await destroy_room(admin, room)
        await session.destroy()

    with_janus(janus_url, test)


@pytest.mark.janus
def test_keepalive_and_destroy(janus_url: str):
    async def test(gateway: JanusGateway) -> None:
        session = await gateway.create_session(keepalive=0.05)
        await asyncio.sleep(0.2)  # a few keepalives went out and were acknowledged
        await session.keepalive()
        await session.attach()
        await session.destroy()
        with pytest.raises(JanusError) as gone:
            await session.keepalive()
        assert gone.value.code == NO_SUCH_SESSION
        await session.destroy()  # twice: fine

    with_janus(janus_url, test)


@pytest.mark.janus
def test_the_gateway_reconnects_after_the_connection_drops(janus_url: str):
    room = next(ROOMS)

    async def test(gateway: JanusGateway) -> None:
        session = await gateway.create_session()
        handle = await session.attach()
        await ensure_room(handle, room, description="Reconnect", publishers=1)
        assert gateway._ws is not None
        await gateway._ws.close()  # as if Janus restarted
        event = await asyncio.wait_for(handle.events.get(), 5)
        assert event["janus"] == "detached" and "connection" in event["reason"]
        # then the next call opens a new connection; Janus ended the old one's sessions
        fresh = await gateway.create_session()
        again = await fresh.attach()
        assert (await again.request({"request": "exists", "room": room}))["exists"] is True
        with pytest.raises(JanusError) as old:
            await session.keepalive()
        assert old.value.code == NO_SUCH_SESSION
        await destroy_room(again, room)
        await fresh.destroy()

    with_janus(janus_url, test)
