"""The API contract of the lesson library."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from tongke.core.types import DbId
from tongke.library.enums import Decision, DesignationKind, Licence, ResourceKind, Visibility


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NodeOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    code: str
    name: str
    name_en: str
    stage: str
    subject: str
    edition: str
    grade_level: int | None
    is_active: bool
    children: int


class NodeIn(StrictIn):
    parent_id: DbId | None = None
    kind: str = Field(max_length=16)
    code: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    stage: str = Field("", max_length=16)
    subject: str = Field("", max_length=32)
    edition: str = Field("", max_length=80)
    grade_level: int | None = Field(None, ge=1, le=16)


class NodePatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    code: str | None = Field(None, min_length=1, max_length=80)
    is_active: bool | None = None


class ImportReportOut(Schema):
    ok: bool
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, object]]


class RenditionOut(Schema):
    label: str
    url: str
    width: int | None
    height: int | None
    bitrate_kbps: int
    size_bytes: int
    mime: str


class AssetOut(Schema):
    id: int
    original_name: str
    media_kind: str
    mime: str
    size_bytes: int
    sha256: str
    status: str
    progress: float
    error_code: str
    error_message: str
    duration_s: float | None
    width: int | None
    height: int | None
    pages: int | None
    poster_url: str | None
    preview_url: str | None
    renditions: list[RenditionOut]


class VersionOut(Schema):
    id: int
    resource_id: int
    number: int
    status: str
    title: str
    description: str
    external_url: str
    note: str
    return_reasons: str
    asset: AssetOut | None
    submitted_at: datetime | None
    decided_at: datetime | None


class VersionPatch(StrictIn):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    external_url: str | None = Field(None, max_length=500)
    note: str | None = Field(None, max_length=500)
    asset_id: DbId | None = None


class ResourceOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    description: str
    node_id: int
    node_name: str
    stage: str
    subject: str
    edition: str
    grade_level: int | None
    owner_id: int
    teacher_name: str
    school_id: int
    school_name: str
    region_id: int
    licence: str
    visibility: str
    duration_s: float | None
    view_count: int
    rating: float | None
    rating_count: int
    published_at: datetime | None
    live: VersionOut | None
    url: str


class ResourceIn(StrictIn):
    kind: ResourceKind
    node_id: int
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    licence: Licence
    visibility: Visibility
    school_id: DbId | None = None
    external_url: str = Field("", max_length=500)
    asset_id: DbId | None = None
    note: str = Field("", max_length=500)


class ResourcePatch(StrictIn):
    licence: Licence | None = None
    visibility: Visibility | None = None
    node_id: DbId | None = None


class ReviewIn(StrictIn):
    decision: Decision
    checklist: dict[str, bool] = Field(default_factory=dict)
    reasons: str = Field("", max_length=5000)


class ReasonIn(StrictIn):
    reasons: str = Field("", max_length=500)


class ReviewOut(Schema):
    id: int
    resource_id: int
    version_id: int | None
    reviewer_id: int
    decision: str
    checklist: dict[str, bool]
    reasons: str
    created_at: datetime


class QueueItemOut(Schema):
    version: VersionOut
    resource_id: int
    resource_title: str
    kind: str
    teacher_name: str
    school_name: str


class RatingIn(StrictIn):
    stars: int = Field(ge=1, le=5)


class RatingOut(Schema):
    resource_id: int
    stars: int
    rating: float | None
    rating_count: int


class DesignationIn(StrictIn):
    kind: DesignationKind
    year: int | None = Field(None, ge=2000, le=2100)


class DesignationOut(Schema):
    id: int
    resource_id: int
    kind: str
    region_id: int
    year: int


class TargetIn(StrictIn):
    kind: DesignationKind
    year: int = Field(ge=2000, le=2100)
    target: int = Field(ge=0, le=100000)


class PanelRowOut(Schema):
    kind: str
    label: str
    achieved: int
    target: int | None
    percent: int | None


class PackageIn(StrictIn):
    node_id: int
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    resource_ids: list[DbId] = Field(default_factory=list, max_length=50)


class PackagePatch(StrictIn):
    resource_ids: list[DbId] = Field(max_length=50)


class PackageOut(Schema):
    id: int
    node_id: int
    title: str
    description: str
    owner_id: int
    teacher_name: str
    school_name: str
    resource_ids: list[int]
