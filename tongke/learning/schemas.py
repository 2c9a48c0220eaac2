"""The API contract of the learning platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from tongke.learning.enums import AssignmentKind
from tongke.learning.interchange.model import lone_surrogate_at


class StrictIn(Schema):
    """Every JSON input of the learning API: unknown fields are refused, and so is a lone
    surrogate (half of a UTF-16 pair, e.g. ``"\\ud800x"``) in any text, however deep in a
    question's ``spec`` or an ``answer`` (it cannot be stored or hashed as UTF-8)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_lone_surrogate(cls, value: Any) -> Any:
        where = lone_surrogate_at(value)
        if where is not None:
            raise ValueError(
                _("a text holds a lone surrogate (half of a UTF-16 pair) at %(where)s")
                % {"where": where or "(value)"}
            )
        return value


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


HELD = (
    " Null while the results are held: a timed test holds them until it is over for everyone "
    "(its due time); its teacher sees them at once (see `results_held`)."
)


class LearnerItemOut(Schema):
    id: int
    position: int
    view: dict[str, Any] = Field(description="the question without its key")
    answered: bool
    correct: bool | None = Field(
        description="Whether the answer was right; null when not answered, waiting for the "
        "teacher (short answers), or held." + HELD
    )
    score: float | None = Field(
        description="0..1 of the question's point; null when not answered or graded yet." + HELD
    )
    solution: dict[str, Any] | None = Field(
        description="The key and the explanation of an answered question." + HELD
    )


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
    results_held: bool = Field(
        description="True while the results are held from this reader: `score` and each "
        "item's `correct`, `score` and `solution` are then null."
    )
    score: float | None = Field(description="The attempt's score once handed in." + HELD)
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
    results_held: bool = Field(
        description="True during an open timed test: the answer is saved and graded, but "
        "`correct`, `score`, `feedback` and `solution` are null and `mastery` and "
        "`recommendations` empty until the test is over for everyone; read them then from "
        "`GET /learning/attempts/{attempt_id}`."
    )
    correct: bool | None = Field(
        description="Whether the answer was right; null for a short answer (the teacher "
        "grades it) or while held."
    )
    score: float | None = Field(description="0..1 of the question's point; null while held.")
    feedback: str | None = Field(description="Feedback on the answer given; null while held.")
    solution: dict[str, Any] | None = Field(
        description="The key and the explanation; null while held."
    )
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
