"""The API contract for the org tree, people and roles."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from tongke.core.types import DbId, PlainLine
from tongke.orgs.enums import LocationClass, RegionLevel, Role, SchoolType

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class StrictIn(Schema):
    """Input schemas refuse unknown fields instead of ignoring them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    level: RegionLevel
    parent_id: int | None
    depth: int
    is_active: bool


class RegionIn(StrictIn):
    code: str = Code
    name: PlainLine = Field(min_length=1, max_length=200)
    name_en: PlainLine = Field("", max_length=200)
    level: RegionLevel
    parent_id: DbId | None = None


class RegionPatch(StrictIn):
    name: PlainLine | None = Field(None, min_length=1, max_length=200)
    name_en: PlainLine | None = Field(None, max_length=200)
    level: RegionLevel | None = None
    is_active: bool | None = None
    parent_id: DbId | None = Field(None, description="Move the region under another region.")


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    region_id: int | None
    school_type: SchoolType
    location_class: LocationClass
    bandwidth_mbps: int | None
    is_active: bool


class SchoolIn(StrictIn):
    region_id: DbId
    code: str = Code
    name: PlainLine = Field(min_length=1, max_length=200)
    name_en: PlainLine = Field("", max_length=200)
    school_type: SchoolType
    location_class: LocationClass
    bandwidth_mbps: int | None = Field(None, ge=0, le=100_000)


class SchoolPatch(StrictIn):
    name: PlainLine | None = Field(None, min_length=1, max_length=200)
    name_en: PlainLine | None = Field(None, max_length=200)
    school_type: SchoolType | None = None
    location_class: LocationClass | None = None
    bandwidth_mbps: int | None = Field(None, ge=0, le=100_000)
    is_active: bool | None = None
    region_id: DbId | None = Field(None, description="Move the school to another region.")


class ClassOut(Schema):
    id: int
    code: str
    name: str
    school_id: int | None
    grade_level: int | None
    is_active: bool


class ClassIn(StrictIn):
    school_id: DbId
    grade_level: int = Field(ge=1, le=16)
    code: str = Code
    name: PlainLine = Field(min_length=1, max_length=200)


class ClassPatch(StrictIn):
    name: PlainLine | None = Field(None, min_length=1, max_length=200)
    is_active: bool | None = None


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    is_active: bool


class RoleOut(Schema):
    id: int
    user_id: int
    role: Role
    unit_id: int | None
    unit_name: str | None
    unit_kind: str | None
    subject_id: int | None
    created_at: datetime


class PersonDetailOut(PersonOut):
    email: str
    phone: str
    roles: list[RoleOut]


class PersonIn(StrictIn):
    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    full_name: PlainLine = Field(min_length=1, max_length=150)
    email: str = Field("", max_length=254)
    phone: PlainLine = Field("", max_length=32)
    password: str | None = Field(None, min_length=8, max_length=128)
    role: Role | None = Field(None, description="The first role (required unless superuser).")
    unit_id: DbId | None = Field(None, description="Where the first role applies.")
    subject_id: DbId | None = Field(None, description="The child, when the first role is parent.")


class PersonPatch(StrictIn):
    full_name: PlainLine | None = Field(None, min_length=1, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    is_active: bool | None = None


class RoleIn(StrictIn):
    user_id: DbId
    role: Role
    unit_id: DbId | None = None
    subject_id: DbId | None = None


class SchoolCountsOut(Schema):
    total: int
    by_type: dict[str, int]
    by_location: dict[str, int]


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, object]
    ip: str | None
