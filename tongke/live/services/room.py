"""Writes of the live room (CLS-2), independent of the transport: joining and leaving (the
attendance ledger), questions, hands and chat, headcounts, media modes, the floor and the
end (the quiz is ``quiz.py``). ``consumers.py`` parses each frame (``frames.py``), checks the
seat's policy and calls one of these; each checks that policy again, writes in one
transaction and returns the events to send (``Out``).

``actor`` is the person in the seat; ``seat`` (``events.Joined``) is where they sit, fixed
when they joined. The room's rows are its own ledger (``Presence``, ``RoomMessage``, the
classroom's headcount and mode), written many times a minute, so they are not audited one
by one: starting and ending the session are (``sessions.py``), and so are quizzes. They are
built from checked frames, without ``full_clean()``: its foreign-key lookups would triple the
queries of the busiest path.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongke.accounts.models import User
from tongke.core.errors import NotFound
from tongke.live import errors, policies, room
from tongke.live.enums import MediaMode, MessageKind, SeatRole, SessionStatus
from tongke.live.events import Joined, Out
from tongke.live.models import Classroom, LiveSession, Presence, RoomMessage
from tongke.live.services.sessions import check_joinable, session_end, session_start

# --- Joining and leaving ---------------------------------------------------------------------


def room_join(
    *, actor: User, session_id: int, classroom_id: int | None, channel: str
) -> tuple[Joined, Out]:
    """Seat ``actor`` in the room (or NotFound / Conflict), record the connection and return
    the seat with the welcome state plus the events announcing them. The master's arrival
    starts a scheduled session."""
    session = policies.access_session(actor, session_id)
    seat = policies.room_seat(actor, session, classroom_id)
    check_joinable(session)
    if seat.role == SeatRole.MASTER and session.status == SessionStatus.SCHEDULED:
        session = session_start(actor=actor, session=session)
    classroom, peer, label = _place(actor, seat)
    now = timezone.now()
    with transaction.atomic():
        # A device that drops and comes back may arrive before its old socket is noticed
        # gone: the new connection replaces the old one.
        stale = list(
            Presence.objects.filter(session=session, peer=peer, left_at__isnull=True).values_list(
                "pk", "channel"
            )
        )
        Presence.objects.filter(pk__in=[pk for pk, _c in stale]).update(left_at=now)
        presence = Presence.objects.create(
            session=session,
            classroom=classroom if seat.role in (SeatRole.CLASSROOM, SeatRole.STUDENT) else None,
            user=actor,
            peer=peer,
            channel=channel,
            joined_at=now,
        )
    joined = Joined(
        session_id=session.pk,
        user_id=actor.pk,
        role=seat.role,
        peer=peer,
        label=label,
        classroom_id=classroom.pk if classroom is not None else None,
        presence_id=presence.pk,
        host_path=session.host_path,
        replaced=[c for _pk, c in stale if c != channel],
    )
    out = Out().add(peer, {"type": "welcome", **room.state(session, joined)})
    if policies.can_publish_media(joined):
        mode = classroom.mode if classroom is not None else MediaMode.VIDEO
        out.add("all", {"type": "peer.joined", "peer": peer, "label": label, "mode": mode})
    return joined, out


def _place(actor: User, seat: policies.Seat) -> tuple[Classroom | None, str, str]:
    """The seat's classroom, peer id and label as the room shows them."""
    classroom = seat.classroom
    if seat.role == SeatRole.MASTER:
        return classroom, "master", room.user_label(actor)
    if seat.role == SeatRole.CLASSROOM and classroom is not None:
        classroom = Classroom.objects.select_related("school", "klass").get(pk=classroom.pk)
        return classroom, classroom.peer, room.classroom_label(classroom)
    if seat.role == SeatRole.STUDENT:
        return classroom, f"u{actor.pk}", room.user_label(actor)
    return classroom, f"o{actor.pk}", room.user_label(actor)


def room_leave(*, actor: User, seat: Joined) -> Out:
    """Close the connection's attendance span; the room hears the peer left once its last
    connection has."""
    with transaction.atomic():
        updated = Presence.objects.filter(pk=seat.presence_id, left_at__isnull=True).update(
            left_at=timezone.now()
        )
        still_here = Presence.objects.filter(
            session_id=seat.session_id, peer=seat.peer, left_at__isnull=True
        ).exists()
    out = Out()
    if updated and not still_here and policies.can_publish_media(seat):
        out.add("all", {"type": "peer.left", "peer": seat.peer})
    return out


# --- Questions, hands and chat ---------------------------------------------------------------


@transaction.atomic
def message_post(*, actor: User, seat: Joined, kind: MessageKind, text: str = "") -> Out:
    """A question or a raised hand from a classroom, or a chat line between teachers.
    ``text`` is already cleaned (``frames.clean_text``); a hand has none."""
    if kind == MessageKind.CHAT:
        errors.require(policies.can_chat(seat), errors.pupils_ask)
    else:
        errors.require(policies.can_ask(seat), errors.asks_from_classrooms)
    body = "" if kind == MessageKind.HAND else text
    if kind == MessageKind.HAND and seat.classroom_id is not None:
        open_hand = RoomMessage.objects.filter(
            session_id=seat.session_id,
            classroom_id=seat.classroom_id,
            kind=MessageKind.HAND,
            resolved_at__isnull=True,
        ).first()
        if open_hand is not None:  # a hand already up stays one hand
            return Out()
    message = RoomMessage.objects.create(
        session_id=seat.session_id,
        classroom_id=seat.classroom_id,
        author=actor,
        kind=kind,
        text=body,
    )
    message = RoomMessage.objects.select_related(
        "classroom__school", "classroom__klass", "author"
    ).get(pk=message.pk)
    return Out().add("all", room.message_event(message))


@transaction.atomic
def message_resolve(*, actor: User, seat: Joined, message_id: int) -> Out:
    """The master answers a question or lowers a hand; a classroom may lower its own hand."""
    message = RoomMessage.objects.filter(pk=message_id, session_id=seat.session_id).first()
    if message is None:
        raise NotFound(code="live.message_not_found")
    errors.require(policies.can_resolve_message(seat, message))
    RoomMessage.objects.filter(pk=message.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    return Out().add("all", {"type": "resolved", "id": message.pk})


# --- Classroom state, media mode, the floor and the end --------------------------------------


@transaction.atomic
def classroom_set_headcount(*, actor: User, seat: Joined, count: int) -> Out:
    errors.require(policies.can_count_heads(seat), errors.tutor_counts)
    Classroom.objects.filter(pk=seat.classroom_id or 0).update(students_present=count)
    return Out().add("staff", {"type": "headcount", "peer": seat.peer, "count": count})


@transaction.atomic
def classroom_set_mode(*, actor: User, seat: Joined, mode: MediaMode) -> Out:
    """A classroom on a weak link switches to audio plus slides (or back to video)."""
    errors.require(policies.can_switch_mode(seat))
    Classroom.objects.filter(pk=seat.classroom_id or 0).update(mode=mode)
    return Out().add("all", {"type": "mode", "peer": seat.peer, "mode": str(mode)})


@transaction.atomic
def session_set_floor(*, actor: User, seat: Joined, peer: str | None) -> Out:
    """The master brings one classroom's audio in for every room (None: back to the master)."""
    errors.require(policies.can_give_floor(seat), errors.master_only)
    classroom_id = None
    if peer is not None:
        classroom_id = int(peer[1:])
        if not Classroom.objects.filter(pk=classroom_id, session_id=seat.session_id).exists():
            raise NotFound(code="live.classroom_not_found")
    LiveSession.objects.filter(pk=seat.session_id).update(floor_id=classroom_id)
    return Out().add("all", {"type": "floor", "peer": peer})


def room_end(*, actor: User, seat: Joined) -> Out:
    """The master ends the lesson for every room (``sessions.session_end``, audited)."""
    errors.require(policies.can_end_room(seat), errors.master_only)
    session = LiveSession.objects.get(pk=seat.session_id)
    session_end(actor=actor, session=session)
    return Out().add("all", {"type": "ended"})
