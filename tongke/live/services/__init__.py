"""Writes of live classes, one module per entity: ``partnerships`` (ORG-4), ``sessions``
(scheduling and running a lesson, CLS-1), ``room`` and ``quiz`` (the live room, CLS-2) and
``recording`` (CLS-3). Each write is ``<entity>_<verb>(*, actor, ...)``; the public names
are re-exported here, so ``from tongke.live import services; services.session_schedule(...)``
reads as before."""

from tongke.live.services.partnerships import partnership_create, partnership_update
from tongke.live.services.quiz import QuizIn, quiz_answer, quiz_close, quiz_open
from tongke.live.services.recording import (
    SUBMIT_TASK,
    recording_append,
    recording_finish,
    recording_path,
    recording_submit,
)
from tongke.live.services.room import (
    classroom_set_headcount,
    classroom_set_mode,
    message_post,
    message_resolve,
    room_end,
    room_join,
    room_leave,
    session_set_floor,
)
from tongke.live.services.sessions import (
    JOIN_EARLY,
    JOIN_LATE,
    LESSON_KINDS,
    MAX_CLASSROOMS,
    MAX_MINUTES,
    MAX_OCCURRENCES,
    MIN_MINUTES,
    ClassroomIn,
    check_joinable,
    session_cancel,
    session_end,
    session_reschedule,
    session_schedule,
    session_start,
    when,
)

__all__ = [
    "JOIN_EARLY",
    "JOIN_LATE",
    "LESSON_KINDS",
    "MAX_CLASSROOMS",
    "MAX_MINUTES",
    "MAX_OCCURRENCES",
    "MIN_MINUTES",
    "SUBMIT_TASK",
    "ClassroomIn",
    "QuizIn",
    "check_joinable",
    "classroom_set_headcount",
    "classroom_set_mode",
    "message_post",
    "message_resolve",
    "partnership_create",
    "partnership_update",
    "quiz_answer",
    "quiz_close",
    "quiz_open",
    "recording_append",
    "recording_finish",
    "recording_path",
    "recording_submit",
    "room_end",
    "room_join",
    "room_leave",
    "session_cancel",
    "session_end",
    "session_reschedule",
    "session_schedule",
    "session_set_floor",
    "session_start",
    "when",
]
