"""The API contract of live classes and partnerships."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from tongke.core.types import IsoDateTime
from tongke.live.enums import PartnershipKind


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SchoolRef(Schema):
    id: int
    name: str


class PartnershipIn(StrictIn):
    region_id: int = Field(description="The region that owns the pairing (you administer it).")
    kind: PartnershipKind
    name: str = Field(min_length=1, max_length=120)
    lead_school_id: int
    member_ids: list[int] = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=2000)


class PartnershipPatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=120)
    active: bool | None = None
    add_ids: list[int] = Field(default_factory=list, max_length=200)
    remove_ids: list[int] = Field(default_factory=list, max_length=200)


class SchoolOutcomeOut(Schema):
    school: SchoolRef
    lessons: int
    minutes: float
    answered: int
    correct: int


class PartnershipOut(Schema):
    id: int
    kind: str
    name: str
    region: SchoolRef
    lead_school: SchoolRef
    members: list[SchoolRef]
    active: bool


class PartnershipDetailOut(PartnershipOut):
    scheduled: int
    held: int
    upcoming: int
    outcomes: list[SchoolOutcomeOut]


class ClassroomIn(StrictIn):
    class_id: int
    tutor_id: int


class SessionIn(StrictIn):
    partnership_id: int
    host_school_id: int
    lesson_id: int = Field(description="A catalogue lesson, chapter or topic.")
    title: str = Field(min_length=1, max_length=200)
    starts_at: IsoDateTime
    minutes: int = Field(ge=10, le=240)
    classrooms: list[ClassroomIn] = Field(min_length=1, max_length=60)
    master_id: int | None = Field(None, description="Default: you.")
    weekly_until: date | None = Field(None, description="Repeat weekly until this day.")


class CancelIn(StrictIn):
    following: bool = Field(False, description="Also cancel the rest of its weekly series.")


class ClassroomOut(Schema):
    id: int
    class_id: int
    class_name: str
    school: SchoolRef
    tutor_id: int
    tutor_name: str
    students_present: int | None
    mode: str


class SessionOut(Schema):
    id: int
    partnership_id: int
    title: str
    master_id: int
    master_name: str
    host_school: SchoolRef
    lesson_id: int
    lesson_name: str
    subject: str
    starts_at: datetime
    ends_at: datetime
    status: str
    series: str | None
    recording_id: int | None
    classrooms: list[ClassroomOut]
    room_url: str


class CalendarOut(Schema):
    session: SessionOut
    part: str = Field(description="master, tutor, student, parent or watcher")
    classroom_id: int | None
    child: str


class AttendanceOut(Schema):
    classroom_id: int
    classroom: str
    first_joined: datetime | None
    last_left: datetime | None
    minutes: float
    connections: int
    online: bool
    students_present: int | None
    phones: int


class QuizLineOut(Schema):
    quiz_id: int
    prompt: str
    choices: list[str]
    correct: int
    counts: list[int]
    answered: int
    right: int


class QuestionOut(Schema):
    id: int
    text: str
    at: datetime
    answered: bool


class ReportOut(Schema):
    session_id: int
    classroom_id: int
    attendance: AttendanceOut
    quizzes: list[QuizLineOut]
    questions: list[QuestionOut]
    hands: int
