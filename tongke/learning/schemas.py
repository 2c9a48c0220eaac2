"""The API contract of the learning platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from tongke.learning.models import AssignmentKind


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PointOut(Schema):
    id: int
    subject: str
    code: str
    name: str
    name_en: str
    grade_level: int | None
    node_id: int | None
    prerequisite_ids: list[int]


class PointIn(StrictIn):
    subject: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    grade_level: int | None = Field(None, ge=1, le=16)
    node_id: int | None = None
    description: str = Field("", max_length=2000)


class EdgeIn(StrictIn):
    before_id: int
    after_id: int


class GraphImportOut(Schema):
    ok: bool
    created: int
    updated: int
    unchanged: int
    problems: list[dict[str, Any]]


class ItemOut(Schema):
    id: int
    family: str
    version: int
    kind: str
    subject: str
    stem: str
    difficulty: float | None
    minutes: float
    point_codes: list[str]
    spec: dict[str, Any] = Field(description="the full item with its answer key (staff only)")


class ItemIn(StrictIn):
    subject: str = Field(min_length=1, max_length=32)
    spec: dict[str, Any] = Field(description="the neutral item (see tongke/learning/specs.py)")
    point_codes: list[str] = Field(default_factory=list, max_length=10)
    shared: bool = False
    minutes: float = Field(2.0, gt=0, le=120)


class ItemRevise(StrictIn):
    spec: dict[str, Any]
    point_codes: list[str] = Field(default_factory=list, max_length=10)


class BankImportOut(Schema):
    format: str | None
    created: int
    skipped: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    item_ids: list[int]


class AssignmentIn(StrictIn):
    class_id: int
    title: str = Field(min_length=1, max_length=200)
    kind: AssignmentKind
    item_ids: list[int] = Field(min_length=1, max_length=100)
    opens_at: datetime
    due_at: datetime
    time_limit_minutes: int | None = Field(None, ge=1, le=600)
    student_ids: list[int] = Field(default_factory=list, max_length=200)


class LearnerItemOut(Schema):
    id: int
    position: int
    view: dict[str, Any] = Field(description="the question without its key")
    answered: bool


class AssignmentOut(Schema):
    id: int
    title: str
    kind: str
    class_id: int
    class_name: str
    teacher_name: str
    opens_at: datetime
    due_at: datetime
    time_limit_minutes: int | None
    minutes: float
    n_items: int


class AttemptOut(Schema):
    id: int
    assignment_id: int | None
    started_at: datetime
    deadline_at: datetime | None
    submitted_at: datetime | None
    score: float | None
    max_score: float
    items: list[LearnerItemOut]


class AnswerIn(StrictIn):
    item_id: int
    answer: dict[str, Any]


class MasteryChangeOut(Schema):
    point_id: int
    code: str
    name: str
    before: float
    after: float


class RecommendationOut(Schema):
    point_id: int
    code: str
    name: str
    mastery: float | None
    reason: str
    lessons: list[dict[str, Any]]


class AnsweredOut(Schema):
    response_id: int
    correct: bool | None
    score: float
    feedback: str
    solution: dict[str, Any]
    mastery: list[MasteryChangeOut]
    recommendations: list[RecommendationOut]


class NextItemOut(Schema):
    item_id: int | None
    point_codes: list[str]
    view: dict[str, Any] | None


class GradeIn(StrictIn):
    score: float = Field(ge=0, le=1)


class LimitIn(StrictIn):
    minutes_per_day: int = Field(ge=1, le=600)


class MasteryOut(Schema):
    point_id: int
    code: str
    name: str
    p: float
    answers: int
    correct: int


class HeatmapOut(Schema):
    students: list[dict[str, Any]]
    points: list[dict[str, Any]]
    cells: list[list[float | None]]
    weakest: list[dict[str, Any]]


class FitOut(Schema):
    subject: str
    queued: bool
