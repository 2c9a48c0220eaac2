"""What a seat sees of a live room (CLS-2): the welcome state a page gets on (re)joining,
the payloads of room events, quiz totals per classroom, and the STUN/TURN servers for the
browser. Reads only: the room's writes are ``services/room.py`` and ``services/quiz.py``,
the frames that call them ``frames.py``, their routing ``consumers.py``.

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
from django.utils import timezone

from tongke.accounts.models import User
from tongke.live import policies
from tongke.live.enums import MediaMode, MessageKind, QuizStatus
from tongke.live.events import Joined
from tongke.live.models import Classroom, LiveQuiz, LiveSession, Presence, QuizAnswer, RoomMessage

RECENT_MESSAGES = 50
TURN_TTL_S = 12 * 3600


def user_label(user: User) -> str:
    return str(user.full_name or user.username)


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
    staff = policies.can_watch_room(joined)
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
            "master": user_label(session.master),
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


def message_event(message: RoomMessage) -> dict[str, Any]:
    who = (
        classroom_label(message.classroom)
        if message.classroom is not None and message.kind != MessageKind.CHAT
        else user_label(message.author)
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


def quiz_view(quiz: LiveQuiz, joined: Joined, *, with_totals: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": quiz.pk,
        "prompt": quiz.prompt,
        "choices": quiz.choices,
        "status": quiz.status,
    }
    if with_totals:
        view["correct"] = quiz.correct
        view["rooms"] = rooms_totals(quiz)
    elif joined.classroom_id is not None:
        mine = QuizAnswer.objects.filter(
            quiz=quiz, classroom_id=joined.classroom_id, responder_id=joined.user_id
        ).first()
        view["mine"] = mine.counts if mine else None
    if quiz.status == QuizStatus.CLOSED:
        view["correct"] = quiz.correct
    return view


def _totals(quiz: LiveQuiz, peer: str, rows: list[list[int]]) -> dict[str, Any]:
    """One classroom's votes per option, summed over its responders."""
    counts = [0] * len(quiz.choices)
    for row in rows:
        for i, n in enumerate(row[: len(counts)]):
            counts[i] += int(n)
    return {
        "peer": peer,
        "counts": counts,
        "answered": sum(counts),
        "correct": counts[quiz.correct] if counts else 0,
    }


def room_totals(quiz: LiveQuiz, classroom_id: int) -> dict[str, Any]:
    rows = QuizAnswer.objects.filter(quiz=quiz, classroom_id=classroom_id).values_list(
        "counts", flat=True
    )
    return _totals(quiz, f"c{classroom_id}", list(rows))


def rooms_totals(quiz: LiveQuiz) -> list[dict[str, Any]]:
    """Every receiving classroom's totals, in two queries whatever the number of rooms."""
    by_room: dict[int, list[list[int]]] = {}
    for classroom_id, counts in QuizAnswer.objects.filter(quiz=quiz).values_list(
        "classroom_id", "counts"
    ):
        by_room.setdefault(classroom_id, []).append(counts)
    room_ids = Classroom.objects.filter(session_id=quiz.session_id).order_by("pk")
    return [
        _totals(quiz, f"c{pk}", by_room.get(pk, [])) for pk in room_ids.values_list("pk", flat=True)
    ]


def audio_mode_peers(session_id: int) -> list[str]:
    return [
        f"c{pk}"
        for pk in Classroom.objects.filter(session_id=session_id, mode=MediaMode.AUDIO).values_list(
            "pk", flat=True
        )
    ]


def classroom_count(session_id: int) -> int:
    return Classroom.objects.filter(session_id=session_id).count()
