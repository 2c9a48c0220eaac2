"""The live room over its WebSocket: joining, signaling, the quiz, questions, and every bad
input the issue names (each refused with a code while the room keeps running)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from tongke.live import selectors
from tongke.live.models import Classroom, Presence, QuizAnswer, RoomMessage
from tongke.live.tests.factories import Client, session_now, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_memory_layer(settings: Any) -> None:
    """The room's logic over the in-memory channel layer, whatever the environment sets; the
    Redis layer runs under real servers in bench/live.py. (In this one-loop harness an event
    was lost on PostgreSQL + Redis while channels-redis's reads timed out, which the socket
    timeout in config/base.py has since fixed in the benchmark; pages also heal lost events
    through the master's keepalive, ``online`` in the pong.)"""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


def run(scenario: Any) -> Any:
    return async_to_sync(scenario)()


def rooms_of(session: Any) -> list[Classroom]:
    return list(session.classrooms.order_by("pk"))


def test_master_and_classrooms_meet_and_signal():
    # Given a lesson with three receiving classrooms
    s = session_now()
    c1, c2, _c3 = rooms_of(s)

    async def scenario() -> None:
        master = Client(s, "t0001")
        welcome = await master.open()
        assert welcome["type"] == "welcome" and welcome["you"]["role"] == "master"
        assert len(welcome["classrooms"]) == 3
        assert welcome["session"]["status"] == "live"  # the master's arrival starts it
        room1 = Client(s, "t0043", c1.pk)
        w1 = await room1.open()
        assert w1["you"] == {"peer": c1.peer, "role": "classroom", "label": w1["you"]["label"]}
        assert [c["peer"] for c in w1["classrooms"]] == [c1.peer]  # a room sees only itself
        joined = await master.until("peer.joined", peer=c1.peer)
        assert joined["label"] == w1["you"]["label"]

        # When the master offers and the classroom answers
        await master.send(type="signal", to=c1.peer, description={"type": "offer", "sdp": SDP})
        got = await room1.until("signal")
        assert got["from"] == "master" and got["description"]["type"] == "offer"
        await room1.send(type="signal", to="master", description={"type": "answer", "sdp": SDP})
        assert (await master.until("signal"))["from"] == c1.peer
        await room1.send(
            type="signal",
            to="master",
            candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"},
        )
        assert "candidate" in await master.until("signal")

        # Then a classroom may not signal another classroom, nor send a malformed SDP
        await room1.send(type="signal", to=c2.peer, description={"type": "offer", "sdp": SDP})
        assert (await room1.until("error"))["code"] == "live.bad_signal"
        await room1.send(type="signal", to="master", description={"type": "offer", "sdp": "hi"})
        assert (await room1.until("error"))["code"] == "live.bad_signal"
        await room1.send(type="signal", to="master", candidate={"candidate": 5})
        assert (await room1.until("error"))["code"] == "live.bad_signal"
        await room1.send(type="signal", to="master")
        assert (await room1.until("error"))["code"] == "live.bad_signal"
        await room1.send(type="ping", t=1)
        assert (await room1.until("pong"))["t"] == 1  # and the room keeps running

        await room1.close()
        assert (await master.until("peer.left"))["peer"] == c1.peer
        # The master's keepalive carries who is connected now (from the database)
        await master.send(type="ping", t=2, online=True)
        assert (await master.until("pong"))["online"] == ["master"]
        await master.close()

    run(scenario)
    assert not Presence.objects.filter(session=s, left_at__isnull=True).exists()


def test_quiz_answers_are_counted_per_classroom_and_refused_after_close():
    s = session_now()
    c1, c2, _c3 = rooms_of(s)
    pupil = _student_of(c1)

    async def scenario() -> None:
        master = Client(s, "t0001")
        await master.open()
        room1, room2 = Client(s, "t0043", c1.pk), Client(s, "t0046", c2.pk)
        w1_label = (await room1.open())["you"]["label"]
        await room2.open()
        student = Client(s, pupil)
        ws = await student.open()
        assert ws["you"]["role"] == "student"

        # When the master pushes a typed question
        await master.send(type="quiz.push", prompt="1+1=?", choices=["1", "2", "3"], correct=1)
        quiz = await room1.until("quiz")
        assert quiz["choices"] == ["1", "2", "3"] and "correct" not in quiz
        state = await master.until("quiz.state")
        assert state["correct"] == 1 and len(state["rooms"]) == 3
        await student.until("quiz")
        await student.send(type="chat", text="我是某某")
        assert (await student.until("error"))["code"] == "live.forbidden"  # pupils do not chat
        await student.send(type="question", text="为什么是 2？")
        asked = await master.until("message", kind="question")
        assert (
            asked["from"] == w1_label and "为什么" in asked["text"]
        )  # the room's name, not the child's

        # And the tutors enter their rooms' counts and a student answers on a phone
        await room1.send(type="quiz.answer", quiz=quiz["id"], counts=[2, 10, 1])
        t1 = await master.until("quiz.totals")
        assert t1["room"] == {"peer": c1.peer, "counts": [2, 10, 1], "answered": 13, "correct": 10}
        await room2.send(type="quiz.answer", quiz=quiz["id"], counts=[0, 4, 2])
        assert (await master.until("quiz.totals"))["room"]["correct"] == 4
        await student.send(type="quiz.answer", quiz=quiz["id"], choice=1)
        t3 = await master.until("quiz.totals")
        assert t3["room"]["counts"] == [2, 11, 1]  # the phone adds to its classroom
        # A corrected entry replaces the tutor's earlier one
        await room1.send(type="quiz.answer", quiz=quiz["id"], counts=[1, 12, 0])
        assert (await master.until("quiz.totals"))["room"]["counts"] == [1, 13, 0]

        # Bad answers are refused with a reason
        await room2.send(type="quiz.answer", quiz=quiz["id"], counts=[1, 2])
        assert (await room2.until("error"))["code"] == "live.bad_quiz"
        await room2.send(type="quiz.answer", quiz=quiz["id"], counts=[-1, 2, 0])
        assert (await room2.until("error"))["code"] == "live.bad_quiz"
        await student.send(type="quiz.answer", quiz=quiz["id"], choice=7)
        assert (await student.until("error"))["code"] == "live.bad_quiz"
        await master.send(type="quiz.answer", quiz=quiz["id"], choice=1)
        assert (await master.until("error"))["code"] == "live.forbidden"
        await room1.send(type="quiz.push", prompt="x", choices=["a", "b"], correct=0)
        assert (await room1.until("error"))["code"] == "live.forbidden"
        await master.send(type="quiz.push", prompt="second", choices=["a", "b"], correct=0)
        assert (await master.until("error"))["code"] == "live.quiz_already_open"

        # When the master closes it, every room learns the answer and the totals
        await master.send(type="quiz.close", quiz=quiz["id"])
        closed = await room2.until("quiz.closed")
        assert closed == {
            "type": "quiz.closed",
            "id": quiz["id"],
            "correct": 1,
            "answered": 20,
            "right": 17,
        }
        # Then a late answer is refused and nothing changes
        await room2.send(type="quiz.answer", quiz=quiz["id"], counts=[0, 9, 0])
        assert (await room2.until("error"))["code"] == "live.quiz_closed"
        for c in (master, room1, room2, student):
            await c.close()

    run(scenario)
    assert QuizAnswer.objects.filter(quiz__session=s).count() == 3
    report = selectors.classroom_report(s, rooms_of(s)[0])
    assert (report.answered, report.correct) == (14, 13)


def _student_of(classroom: Classroom) -> str:
    from tongke.orgs.models import RoleAssignment

    found = (
        RoleAssignment.objects.filter(unit=classroom.klass, role="student")
        .values_list("user__username", flat=True)
        .first()
    )
    assert found
    return str(found)


def test_outsiders_and_forged_classrooms_are_refused():
    s = session_now()
    c1, c2, _c3 = rooms_of(s)
    other = session_now(minutes_from_now=5, classes=["BJ-MY-S12-G04-C1"])
    foreign_room = rooms_of(other)[0]
    tj_tutor = _tutor_outside_beijing()

    async def refused(username: str | None, classroom: Any = None) -> tuple[str, int | None]:
        client = Client(s, username, classroom)
        await client.connect()
        error = await client.recv()
        closed = await client.recv()
        return error["code"], closed.get("code")

    async def scenario() -> None:
        # A tutor of an unrelated school (Tianjin) cannot join, as itself or as a classroom
        assert await refused(tj_tutor) == ("live.session_not_found", 4404)
        assert await refused(tj_tutor, c1.pk) == ("live.session_not_found", 4404)
        # A real tutor forging another classroom's id, or one of another lesson
        assert await refused("t0043", c2.pk) == ("live.classroom_not_found", 4404)
        assert await refused("t0054", foreign_room.pk) == ("live.classroom_not_found", 4404)
        assert await refused("t0043", "abc") == ("live.classroom_not_found", 4404)
        assert await refused(None) == ("auth.required", 4404)
        # A parent sees the schedule but has no seat in the room
        assert await refused("p00001") == ("live.session_not_found", 4404)

    run(scenario)
    assert not Presence.objects.filter(session=s).exists()


def _tutor_outside_beijing() -> str:
    from tongke.orgs.models import RoleAssignment

    found = (
        RoleAssignment.objects.filter(role="tutor", unit__code__startswith="TJ")
        .values_list("user__username", flat=True)
        .first()
    )
    assert found
    return str(found)


def test_oversized_flooding_and_malformed_frames_are_refused_and_the_room_runs_on():
    s = session_now()
    c1, c2, _c3 = rooms_of(s)

    async def scenario() -> None:
        master = Client(s, "t0001")
        await master.open()
        room = Client(s, "t0043", c1.pk)
        await room.open()
        await room.send_raw("not json")
        assert (await room.until("error"))["code"] == "live.bad_message"
        await room.send_raw(json.dumps([1, 2]))
        assert (await room.until("error"))["code"] == "live.bad_message"
        await room.send(type="warp.drive")
        assert (await room.until("error"))["code"] == "live.bad_message"
        await room.send(type="chat", text="x" * 20_000)
        assert (await room.until("error"))["code"] == "live.message_too_large"
        await room.send(type="chat", text="字" * 501)
        assert (await room.until("error"))["code"] == "live.message_too_large"
        await room.send(type="question", text="   ")
        assert (await room.until("error"))["code"] == "live.bad_message"
        await room.send(type="headcount", count=10_000)
        assert (await room.until("error"))["code"] == "live.bad_message"
        await room.send(type="mode", mode="smell-o-vision")
        assert (await room.until("error"))["code"] == "live.bad_message"
        await room.send(type="floor", peer=c1.peer)
        assert (await room.until("error"))["code"] == "live.forbidden"
        await master.send(type="floor", peer="c999999")
        assert (await master.until("error"))["code"] == "live.classroom_not_found"
        # Unicode digits are not a classroom's peer (they once got past the check and closed
        # the socket): a clear error, and the room keeps running
        for peer in ("c²", "c٣", "c１"):
            await master.send(type="floor", peer=peer)
            assert (await master.until("error"))["code"] == "live.bad_message"
            await master.send(type="signal", to=peer, description={"type": "offer", "sdp": SDP})
            assert (await master.until("error"))["code"] == "live.bad_signal"
        await master.send(type="slide", image="data:text/html,<script>")
        assert (await master.until("error"))["code"] == "live.bad_message"
        # Flooding chat (from a fresh device): the burst of 5 passes, the rest is dropped
        # with one rate-limit notice
        flooder = Client(s, "t0046", c2.pk)
        await flooder.open()
        for i in range(12):
            await flooder.send(type="chat", text=f"刷屏 {i}")
        events = await flooder.drain()
        chats = [e for e in events if e["type"] == "message"]
        limited = [e for e in events if e.get("code") == "live.rate_limited"]
        assert len(chats) == 5 and len(limited) == 1
        # And the room keeps running: control messages still pass
        await room.send(type="headcount", count=17)
        assert (await master.until("headcount"))["count"] == 17
        await flooder.close()
        await room.close()
        await master.close()

    run(scenario)
    assert RoomMessage.objects.filter(session=s, kind="chat").count() == 5
    assert Classroom.objects.get(pk=c1.pk).students_present == 17


def test_a_tutor_device_that_drops_rejoins_mid_quiz_and_keeps_its_answer():
    s = session_now()
    c1 = rooms_of(s)[0]

    async def scenario() -> None:
        master = Client(s, "t0001")
        await master.open()
        first = Client(s, "t0043", c1.pk)
        await first.open()
        await master.send(type="quiz.push", prompt="2+2=?", choices=["3", "4"], correct=1)
        quiz = await first.until("quiz")
        await first.send(type="quiz.answer", quiz=quiz["id"], counts=[1, 9])
        await first.until("quiz.received")
        assert (await master.until("quiz.totals"))["room"]["counts"] == [1, 9]
        # The big screen's network drops and it comes back before the old socket is noticed
        second = Client(s, "t0043", c1.pk)
        welcome = await second.open()
        assert welcome["quiz"]["id"] == quiz["id"] and welcome["quiz"]["mine"] == [1, 9]
        assert (await first.until("replaced"))["type"] == "replaced"
        assert (await first.recv())["code"] == 4000
        await second.send(type="quiz.answer", quiz=quiz["id"], counts=[0, 10])
        assert (await master.until("quiz.totals"))["room"]["counts"] == [0, 10]
        await second.close()
        await master.close()

    run(scenario)
    rows = selectors.attendance(s)
    mine = next(r for r in rows if r.classroom.pk == c1.pk)
    assert mine.connections == 2 and not mine.online


def test_questions_hands_and_the_floor():
    s = session_now()
    _c1, c2, _ = rooms_of(s)

    async def scenario() -> None:
        master = Client(s, "t0001")
        await master.open()
        room = Client(s, "t0046", c2.pk)
        await room.open()
        await room.send(type="question", text="<b>为什么</b>天是蓝的？")
        q = await master.until("message")
        assert q["kind"] == "question" and q["text"] == "<b>为什么</b>天是蓝的？"
        assert q["peer"] == c2.peer and "千家店" in q["from"]
        await room.send(type="hand")
        hand = await master.until("message")
        await room.send(type="hand")  # a hand already up stays one hand
        await master.send(type="question", text="老师不提问")
        assert (await master.until("error"))["code"] == "live.forbidden"
        await master.send(type="resolve", id=hand["id"])
        assert (await room.until("resolved"))["id"] == hand["id"]
        await master.send(type="floor", peer=c2.peer)
        assert (await room.until("floor"))["peer"] == c2.peer
        await room.close()
        await master.close()

    run(scenario)
    assert RoomMessage.objects.filter(session=s, kind="hand").count() == 1
    s.refresh_from_db()
    assert s.floor_id == c2.pk


def test_an_ended_lesson_refuses_joins():
    from tongke.live import services
    from tongke.live.tests.factories import user

    s = session_now()
    services.session_end(actor=user("t0001"), session=s)
    room_id = rooms_of(s)[0].pk

    async def scenario() -> None:
        client = Client(s, "t0043", room_id)
        await client.connect()
        error = await client.recv()
        assert error["code"] == "live.session_ended"
        assert (await client.recv())["code"] == 4409

    run(scenario)
    assert unit("BJ-HD-S01").pk == s.host_school_id
