"""The API contract of course selection."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from tongke.core.pagination import PageParams
from tongke.core.types import Clock, DbId, IsoDateTime
from tongke.courses.enums import Mode, RoundMode, RoundStatus, SelectionStatus
from tongke.orgs.enums import SchoolType


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SlotSchema(StrictIn):
    weekday: int = Field(ge=1, le=7, description="1 = Monday ... 7 = Sunday")
    starts: Clock
    ends: Clock
    label: str = Field("", max_length=100)


class RoundIn(StrictIn):
    scope_id: DbId = Field(description="The region or school whose students take part.")
    name: str = Field(min_length=1, max_length=200)
    mode: RoundMode
    opens_at: IsoDateTime
    closes_at: IsoDateTime
    drop_until: IsoDateTime
    max_sections: int = Field(3, ge=1, le=50)
    max_credits: Decimal = Field(Decimal(10), gt=0, le=1000, max_digits=5, decimal_places=1)
    max_choices: int = Field(5, ge=1, le=20)
    lottery_seed: int | None = Field(None, ge=0, le=2**62)
    rural_priority: bool = False


class RoundPatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=200)
    status: RoundStatus | None = None
    opens_at: IsoDateTime | None = None
    closes_at: IsoDateTime | None = None
    drop_until: IsoDateTime | None = None
    max_sections: int | None = Field(None, ge=1, le=50)
    max_credits: Decimal | None = Field(None, gt=0, le=1000, max_digits=5, decimal_places=1)
    max_choices: int | None = Field(None, ge=1, le=20)
    rural_priority: bool | None = None


class RoundOut(Schema):
    id: int
    scope_id: int
    scope_name: str
    name: str
    mode: RoundMode
    status: RoundStatus
    is_open: bool
    opens_at: datetime
    closes_at: datetime
    drop_until: datetime
    max_sections: int
    max_credits: Decimal
    max_choices: int
    rural_priority: bool
    drawn_at: datetime | None


class OfferingIn(StrictIn):
    round_id: int
    host_school_id: int
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    subject: str = Field("", max_length=64)
    teacher_id: DbId | None = None
    mode: Mode
    seats: int = Field(ge=0, le=100_000)
    open_to_id: DbId | None = Field(None, description="A region; empty: all regions.")
    grade_min: int = Field(1, ge=1, le=16)
    grade_max: int = Field(16, ge=1, le=16)
    school_types: list[SchoolType] = Field(default_factory=list, max_length=10)
    prerequisites: list[str] = Field(default_factory=list, max_length=20)
    credits: Decimal = Field(Decimal(1), ge=0, le=100, max_digits=4, decimal_places=1)
    hours: int = Field(16, ge=0, le=1000)
    starts_on: date | None = None
    ends_on: date | None = None
    slots: list[SlotSchema] = Field(default_factory=list, max_length=20)


class OfferingPatch(StrictIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    title_en: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    seats: int | None = Field(None, ge=0, le=100_000)
    is_active: bool | None = None


class SlotOut(Schema):
    weekday: int
    starts: Clock
    ends: Clock
    label: str


class OfferingOut(Schema):
    id: int
    round_id: int
    host_school_id: int
    host_school_name: str
    code: str
    title: str
    title_en: str
    description: str
    subject: str
    teacher_id: int | None
    teacher_name: str | None
    mode: Mode
    seats: int
    taken: int
    seats_left: int
    waitlist: int
    open_to_id: int | None
    grade_min: int
    grade_max: int
    school_types: list[str]
    prerequisites: list[str]
    credits: Decimal
    hours: int
    slots: list[SlotOut]


class SelectionIn(StrictIn):
    offering_id: int
    waitlist: bool = Field(False, description="Queue on the waitlist when the section is full.")


class SelectionOut(Schema):
    id: int
    student_id: int
    student_name: str
    offering_id: int
    offering_code: str
    offering_title: str
    host_school_name: str
    round_id: int
    status: SelectionStatus
    waitlist_position: int | None
    home_school_id: int
    approve_by: datetime | None
    created_at: datetime


class DecisionIn(StrictIn):
    approve: bool


class BulkDecisionIn(StrictIn):
    ids: list[int] = Field(min_length=1, max_length=1000)
    approve: bool


class BulkDecisionOut(Schema):
    decided: int


class PreferencesIn(StrictIn):
    offering_ids: list[DbId] = Field(max_length=20, description="Ranked, best first.")


class PreferencesOut(Schema):
    round_id: int
    offering_ids: list[int]


class DrawOut(Schema):
    enrolled: int
    waitlisted: int
    unplaced: int


class ResultIn(StrictIn):
    student_id: int
    grade: str = Field(min_length=1, max_length=16)
    score: Decimal | None = Field(None, ge=0, le=1000, max_digits=5, decimal_places=1)
    passed: bool


class ResultOut(Schema):
    id: int
    student_id: int
    student_name: str
    offering_id: int
    course_code: str
    course_title: str
    home_school_id: int
    host_school_id: int
    host_school_name: str
    grade: str
    score: Decimal | None
    passed: bool
    credits: Decimal
    hours: int
    supersedes_id: int | None
    recorded_at: datetime


class HomeTimetableIn(StrictIn):
    slots: list[SlotSchema] = Field(max_length=80)


class FillRow(Schema):
    id: int
    code: str
    title: str
    host_school: str
    seats: int
    taken: int
    pending: int
    waitlist: int
    fill: int


class HomeTimetableOut(Schema):
    model_config = ConfigDict(from_attributes=True)
    class_id: int
    slots: list[SlotOut]


# --- Query filters of the lists ----------------------------------------------------------


class OfferingFilter(PageParams):
    round_id: DbId | None = None
    subject: str | None = Field(None, max_length=64)
    mode: Mode | None = None
    host_school_id: DbId | None = None
    q: str | None = Field(None, max_length=100)
    with_seats: bool = False


class RosterFilter(PageParams):
    status: SelectionStatus | None = None


class SelectionFilter(PageParams):
    student_id: DbId | None = None
    round_id: DbId | None = None
    status: SelectionStatus | None = None
    home_school_id: DbId | None = None


class ResultFilter(PageParams):
    student_id: DbId | None = None
    home_school_id: DbId | None = None
