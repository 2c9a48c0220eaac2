"""What happens in a live room (CLS-2), independent of the transport: joining and leaving
(the attendance ledger), questions, hands and chat, headcounts, media modes and the floor
(the quiz is in ``quiz.py``). The WebSocket consumer (``consumers.py``) parses frames,
applies size and rate limits and calls these functions; each returns the events to send and
to whom.

Everything a room knows lives in the database, so several app-server processes behind the
Redis channel layer serve one room; the channel layer only carries the events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.core.errors import NotFound
from tongke.live import errors, policies, services
from tongke.live.enums import (
    ROOM_CLASSROOM,
    ROOM_MASTER,
    ROOM_OBSERVER,
    ROOM_STUDENT,
    MediaMode,
    MessageKind,
    QuizStatus,
    SessionStatus,
)
from tongke.live.events import Joined, Out, clean_text, need_master
from tongke.live.models import Classroom, LiveSession, Presence, RoomMessage
from tongke.live.quiz import HEADCOUNT_MAX, quiz_view

RECENT_MESSAGES = 50
TURN_TTL_S = 12 * 3600


def _user_label(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user.username)


def classroom_label(classroom: Classroom) -> str:
    return f"{classroom.school.name} {classroom.klass.name}"


def ice_servers(user_id: int) -> list[dict[str, Any]]:
    """STUN and TURN servers for the browser. TURN credentials are short-lived HMACs of a
    secret shared with coturn (the TURN REST API scheme): nothing long-lived reaches a page."""
    servers: list[dict[str, Any]] = []
    if settings.LIVE_STUN_URLS:
        servers.append({"urls": list(settings.LIVE_STUN_URLS)})
    if settings.LIVE_TURN_URLS and settings.LIVE_TURN_SECRET:
        username = f"{int(time.time()) + TURN_TTL_S}:{user_id}"
        digest = hmac.new(
            settings.LIVE_TURN_SECRET.encode(), username.encode(), hashlib.sha1
        ).digest()
        servers.append(
            {
                "urls": list(settings.LIVE_TURN_URLS),
                "username": username,
                "credential": base64.b64encode(digest).decode(),
            }
        )
    return servers


# --- Joining and leaving ---------------------------------------------------------------------


def join(user: Any, session_id: int, classroom_id: int | None, channel: str) -> tuple[Joined, Out]:
    """Seat ``user`` in the room (or NotFound / Conflict), record the connection and return
    the welcome state plus the events announcing them."""
    session = policies.access_session(user, session_id)
    seat = policies.room_seat(user, session, classroom_id)
    services.check_joinable(session)
    if seat.role == ROOM_MASTER and session.status == SessionStatus.SCHEDULED:
        session = services.session_start(actor=user, session=session)
    classroom = seat.classroom
    if seat.role == ROOM_MASTER:
        peer, label = "master", _user_label(user)
    elif seat.role == ROOM_CLASSROOM and classroom is not None:
        classroom = Classroom.objects.select_related("school", "klass").get(pk=classroom.pk)
        peer, label = classroom.peer, classroom_label(classroom)
    elif seat.role == ROOM_STUDENT:
        peer, label = f"u{user.pk}", _user_label(user)
    else:
        peer, label = f"o{user.pk}", _user_label(user)
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
            classroom=classroom if seat.role in (ROOM_CLASSROOM, ROOM_STUDENT) else None,
            user=user,
            peer=peer,
            channel=channel,
            joined_at=now,
        )
    joined = Joined(
        session_id=session.pk,
        user_id=user.pk,
        role=seat.role,
        peer=peer,
        label=label,
        classroom_id=classroom.pk if classroom is not None else None,
        presence_id=presence.pk,
        replaced=[c for _pk, c in stale if c != channel],
    )
    out = Out().add(peer, {"type": "welcome", **state(session, joined)})
    if seat.role in (ROOM_MASTER, ROOM_CLASSROOM):
        mode = classroom.mode if classroom is not None else MediaMode.VIDEO
        out.add("all", {"type": "peer.joined", "peer": peer, "label": label, "mode": mode})
    return joined, out


def leave(joined: Joined) -> Out:
    updated = Presence.objects.filter(pk=joined.presence_id, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    out = Out()
    still_here = Presence.objects.filter(
        session_id=joined.session_id, peer=joined.peer, left_at__isnull=True
    ).exists()
    if updated and not still_here and joined.role in (ROOM_MASTER, ROOM_CLASSROOM):
        out.add("all", {"type": "peer.left", "peer": joined.peer})
    return out


def online_peers(session_id: int) -> set[str]:
    return set(
        Presence.objects.filter(session_id=session_id, left_at__isnull=True).values_list(
            "peer", flat=True
        )
    )


def state(session: LiveSession, joined: Joined) -> dict[str, Any]:
    """Everything a page needs on (re)joining: who is here, the open quiz, recent messages."""
    online = online_peers(session.pk)
    rooms = list(session.classrooms.select_related("school", "klass", "tutor"))
    staff = joined.role in (ROOM_MASTER, ROOM_OBSERVER)
    quiz = session.quizzes.filter(status=QuizStatus.OPEN).first()
    latest = session.messages.select_related(
        "classroom__school", "classroom__klass", "author"
    ).order_by("-pk")[:RECENT_MESSAGES]
    messages = list(reversed(latest))
    data: dict[str, Any] = {
        "you": {"peer": joined.peer, "role": joined.role, "label": joined.label},
        "session": {
            "id": session.pk,
            "title": session.title,
            "status": session.status,
            "master": _user_label(session.master),
            "master_online": "master" in online,
            "floor": f"c{session.floor_id}" if session.floor_id else None,
        },
        "classrooms": [
            {
                "peer": c.peer,
                "label": classroom_label(c),
                "online": c.peer in online,
                "mode": c.mode,
                "students_present": c.students_present,
            }
            for c in rooms
            if staff or c.pk == joined.classroom_id
        ],
        "quiz": quiz_view(quiz, joined, with_totals=staff) if quiz else None,
        "messages": [message_event(m) for m in messages],
        "ice_servers": ice_servers(joined.user_id),
        "sfu": bool(settings.LIVE_JANUS_URL),
    }
    return data


# --- Questions, hands and chat ---------------------------------------------------------------


def message_event(message: RoomMessage) -> dict[str, Any]:
    who = (
        classroom_label(message.classroom)
        if message.classroom is not None and message.kind != MessageKind.CHAT
        else _user_label(message.author)
    )
    return {
        "type": "message",
        "id": message.pk,
        "kind": message.kind,
        "text": message.text,
        "from": who,
        "peer": message.classroom.peer if message.classroom is not None else "",
        "at": timezone.localtime(message.created_at).strftime("%H:%M"),
        "resolved": message.resolved_at is not None,
    }


def post_message(joined: Joined, kind: str, text: Any) -> Out:
    if kind not in MessageKind.values:
        raise errors.invalid(errors.BAD_MESSAGE, _("Unknown message kind."))
    if kind in (MessageKind.QUESTION, MessageKind.HAND) and joined.role not in (
        ROOM_CLASSROOM,
        ROOM_STUDENT,
    ):
        raise errors.forbidden(_("Questions and hands come from the classrooms."))
    if kind == MessageKind.CHAT and joined.role == ROOM_STUDENT:
        # A pupil's question is shown under the classroom's name; chat would show the child's
        # own name to every room, so pupils ask, they do not chat.
        raise errors.forbidden(_("Pupils ask questions; chat is for the teachers."))
    body = "" if kind == MessageKind.HAND else clean_text(text)
    if kind == MessageKind.HAND and joined.classroom_id is not None:
        open_hand = RoomMessage.objects.filter(
            session_id=joined.session_id,
            classroom_id=joined.classroom_id,
            kind=MessageKind.HAND,
            resolved_at__isnull=True,
        ).first()
        if open_hand is not None:  # a hand already up stays one hand
            return Out()
    message = RoomMessage.objects.create(
        session_id=joined.session_id,
        classroom_id=joined.classroom_id,
        author_id=joined.user_id,
        kind=kind,
        text=body,
    )
    message = RoomMessage.objects.select_related(
        "classroom__school", "classroom__klass", "author"
    ).get(pk=message.pk)
    return Out().add("all", message_event(message))


def resolve_message(joined: Joined, message_id: Any) -> Out:
    """The master answers a question or lowers a hand; a classroom may lower its own hand."""
    if not isinstance(message_id, int):
        raise errors.invalid(errors.BAD_MESSAGE, _("A message id is expected."))
    message = RoomMessage.objects.filter(pk=message_id, session_id=joined.session_id).first()
    if message is None:
        raise NotFound(code="live.message_not_found")
    own_hand = message.kind == MessageKind.HAND and message.classroom_id == joined.classroom_id
    if not (joined.is_master or (joined.is_classroom and own_hand)):
        raise errors.forbidden()
    RoomMessage.objects.filter(pk=message.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    return Out().add("all", {"type": "resolved", "id": message.pk})


# --- Classroom state, media mode and the floor -----------------------------------------------


def set_headcount(joined: Joined, count: Any) -> Out:
    if not joined.is_classroom:
        raise errors.forbidden(_("The tutor counts the students in the room."))
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= HEADCOUNT_MAX:
        raise errors.invalid(
            errors.BAD_MESSAGE, _("A headcount is 0 to %(n)d.") % {"n": HEADCOUNT_MAX}
        )
    Classroom.objects.filter(pk=joined.classroom_id or 0).update(students_present=count)
    return Out().add("staff", {"type": "headcount", "peer": joined.peer, "count": count})


def set_mode(joined: Joined, mode: Any) -> Out:
    """A classroom on a weak link switches to audio plus slides (or back to video)."""
    if not joined.is_classroom:
        raise errors.forbidden()
    if mode not in MediaMode.values:
        raise errors.invalid(errors.BAD_MESSAGE, _("Unknown media mode."))
    Classroom.objects.filter(pk=joined.classroom_id or 0).update(mode=mode)
    return Out().add("all", {"type": "mode", "peer": joined.peer, "mode": mode})


def set_floor(joined: Joined, peer: Any) -> Out:
    """The master brings one classroom's audio in for every room (None: back to the master)."""
    need_master(joined)
    classroom_id = None
    if peer is not None:
        if not isinstance(peer, str) or not peer.startswith("c") or not peer[1:].isdigit():
            raise errors.invalid(errors.BAD_MESSAGE, _("Unknown classroom."))
        classroom_id = int(peer[1:])
        if not Classroom.objects.filter(pk=classroom_id, session_id=joined.session_id).exists():
            raise NotFound(code="live.classroom_not_found")
    LiveSession.objects.filter(pk=joined.session_id).update(floor_id=classroom_id)
    return Out().add("all", {"type": "floor", "peer": peer})


def end(joined: Joined) -> Out:
    need_master(joined)
    user = get_user_model().objects.get(pk=joined.user_id)
    session = LiveSession.objects.get(pk=joined.session_id)
    services.session_end(actor=user, session=session)
    return Out().add("all", {"type": "ended"})


def audio_mode_peers(session_id: int) -> list[str]:
    return [
        f"c{pk}"
        for pk in Classroom.objects.filter(session_id=session_id, mode=MediaMode.AUDIO).values_list(
            "pk", flat=True
        )
    ]


def classroom_count(session_id: int) -> int:
    return Classroom.objects.filter(session_id=session_id).count()
