"""The room's frames, seat policies and quiz services on their own: what each seat may do
(a table over role x action), how a refused field becomes the room's error code, and the
audit trail of a quiz."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from tongke.audit.models import AuditEvent
from tongke.core.errors import Invalid, PermissionDenied
from tongke.live import frames, policies, services
from tongke.live.enums import SeatRole
from tongke.live.events import Joined
from tongke.live.models import QuizAnswer
from tongke.live.tests.factories import session_now, user

M, C, S, OB = SeatRole.MASTER, SeatRole.CLASSROOM, SeatRole.STUDENT, SeatRole.OBSERVER


def seat(role: SeatRole) -> Joined:
    classroom = 7 if role in (C, S) else None
    peer = {M: "master", C: "c7", S: "u3", OB: "o4"}[role]
    return Joined(session_id=1, user_id=3, role=role, peer=peer, label="", classroom_id=classroom)


ALLOWED = {
    policies.can_watch_room: {M, OB},
    policies.can_publish_media: {M, C},
    policies.can_open_quiz: {M},
    policies.can_close_quiz: {M},
    policies.can_answer_quiz: {C, S},
    policies.can_ask: {C, S},
    policies.can_chat: {M, C, OB},
    policies.can_count_heads: {C},
    policies.can_switch_mode: {C},
    policies.can_give_floor: {M},
    policies.can_send_slides: {M},
    policies.can_end_room: {M},
}


@pytest.mark.parametrize("policy", list(ALLOWED), ids=lambda p: p.__name__)
@pytest.mark.parametrize("role", list(SeatRole))
def test_what_each_seat_may_do(policy: Any, role: SeatRole):
    assert policy(seat(role)) == (role in ALLOWED[policy])


@pytest.mark.parametrize(
    ("role", "to", "allowed"),
    [
        (M, "c12", True),
        (M, "master", False),
        (M, "c", False),
        (M, None, False),
        (C, "master", True),
        (C, "c8", False),
        (S, "master", False),
        (OB, "master", False),
    ],
)
def test_signals_go_between_the_master_and_a_classroom(role, to, allowed):
    assert policies.can_signal(seat(role), to) is allowed


def test_feeds_a_seat_may_watch():
    assert policies.can_watch_feed(seat(M), "c8", "c8")
    assert policies.can_watch_feed(seat(C), "master", "master")
    assert policies.can_watch_feed(seat(C), "floor", "c8")
    assert not policies.can_watch_feed(seat(C), "c8", "c8")  # another room, not the floor
    assert not policies.can_watch_feed(seat(C), "floor", "c7")  # itself


@pytest.mark.parametrize(
    ("schema", "raw", "code", "detail"),
    [
        (frames.ChatFrame, {"text": 5}, "live.bad_message", None),
        (frames.ChatFrame, {}, "live.bad_message", None),
        (frames.ChatFrame, {"text": "字" * 501}, "live.message_too_large", {"limit": 500}),
        (frames.QuizPushFrame, {"item": True}, "live.bad_quiz", {"field": "item"}),
        (
            frames.QuizPushFrame,
            {"prompt": "p", "choices": ["a"]},
            "live.bad_quiz",
            {"field": "choices"},
        ),
        (
            frames.QuizPushFrame,
            {"prompt": "p", "choices": ["a", "b"], "correct": 2},
            "live.bad_quiz",
            {"field": "correct"},
        ),
        (frames.QuizAnswerFrame, {"quiz": "1"}, "live.bad_quiz", {"field": "quiz"}),
        (frames.HeadcountFrame, {"count": True}, "live.bad_message", None),
        (frames.SignalFrame, {"to": "c9", "description": {"type": "x"}}, "live.bad_signal", None),
        (frames.SfuPublishFrame, {"link": "pub\t"}, "live.bad_signal", None),
        (frames.FloorFrame, {"peer": "master"}, "live.bad_message", None),
    ],
)
def test_a_refused_field_is_the_rooms_error_code(schema, raw, code, detail):
    with pytest.raises(Invalid) as refused:
        frames.parse(
            schema, {"type": get_args(schema.model_fields["type"].annotation)[0], **raw}, seat(M)
        )
    assert (refused.value.code, refused.value.detail) == (code, detail)


def test_a_bank_item_makes_the_typed_fields_moot():
    frame = frames.parse(
        frames.QuizPushFrame, {"type": "quiz.push", "item": 4, "prompt": 5}, seat(M)
    )
    assert (frame.item, frame.prompt, frame.choices, frame.correct) == (4, None, None, None)


@pytest.mark.django_db
def test_a_quiz_is_audited_when_opened_and_closed_and_answers_go_through_the_service():
    s = session_now()
    master, tutor = user("t0001"), user("t0043")
    room = s.classrooms.get(tutor=tutor)
    seated, _out = services.room_join(actor=master, session_id=s.pk, classroom_id=None, channel="a")
    device, _out = services.room_join(
        actor=tutor, session_id=s.pk, classroom_id=room.pk, channel="b"
    )
    typed = services.QuizIn("1+1=?", ["1", "2"], 1)
    with pytest.raises(PermissionDenied):
        services.quiz_open(actor=tutor, seat=device, typed=typed)
    out = services.quiz_open(actor=master, seat=seated, typed=typed)
    quiz_id = out.events[0][1]["id"]
    services.quiz_answer(actor=tutor, seat=device, quiz_id=quiz_id, counts=[3, 9])
    services.quiz_close(actor=master, seat=seated, quiz_id=quiz_id)
    assert QuizAnswer.objects.get(quiz_id=quiz_id).counts == [3, 9]
    events = AuditEvent.objects.filter(action__startswith="live.quiz_", target_id=str(quiz_id))
    assert sorted(events.values_list("action", flat=True)) == ["live.quiz_close", "live.quiz_open"]
    closed = events.get(action="live.quiz_close")
    assert closed.scope_path == s.host_path
    assert (closed.changes["answered"], closed.changes["right"]) == (12, 9)
