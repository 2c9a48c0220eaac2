"""JSON API of the lesson library (/api/v1/library/...)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from tongke.accounts.auth import PUBLIC, SIGNED_IN
from tongke.core.errors import Invalid, NotFound, PermissionDenied, TooLarge
from tongke.core.pagination import PageParams, page_schema, paginate
from tongke.core.patches import patch_changes
from tongke.core.types import DbId
from tongke.library import catalogue, policies, processing, selectors, services
from tongke.library.errors import LibraryError
from tongke.library.media import intake
from tongke.library.models import CatalogueNode, MediaAsset, Package, Resource, ResourceVersion
from tongke.library.schemas import (
    AssetOut,
    DesignationIn,
    DesignationOut,
    ImportReportOut,
    NodeIn,
    NodeOut,
    NodePatch,
    PackageIn,
    PackageOut,
    PackagePatch,
    PanelRowOut,
    QueueItemOut,
    RatingIn,
    RatingOut,
    ReasonIn,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
    ReviewIn,
    ReviewOut,
    TargetIn,
    VersionOut,
    VersionPatch,
)
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind

router = Router(tags=["library"])


def _media_url(asset_id: int, label: str) -> str:
    return reverse("library:media", args=[asset_id, label])


def asset_out(a: MediaAsset) -> dict[str, Any]:
    return {
        "id": a.pk,
        "original_name": a.original_name,
        "media_kind": a.media_kind,
        "mime": a.mime,
        "size_bytes": a.size_bytes,
        "sha256": a.sha256,
        "status": a.status,
        "progress": a.progress,
        "error_code": a.error_code,
        "error_message": a.error_message,
        "duration_s": a.duration_s,
        "width": a.width,
        "height": a.height,
        "pages": a.pages,
        "poster_url": _media_url(a.pk, "poster") if a.poster else None,
        "preview_url": _media_url(a.pk, "preview") if a.preview else None,
        "renditions": [
            {
                "label": r.label,
                "url": _media_url(a.pk, r.label),
                "width": r.width,
                "height": r.height,
                "bitrate_kbps": r.bitrate_kbps,
                "size_bytes": r.size_bytes,
                "mime": r.mime,
            }
            for r in selectors.renditions_of(a)
        ],
    }


def version_out(v: ResourceVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "resource_id": v.resource_id,
        "number": v.number,
        "status": v.status,
        "title": v.title,
        "description": v.description,
        "external_url": v.external_url,
        "note": v.note,
        "return_reasons": v.return_reasons,
        "asset": asset_out(v.asset) if v.asset else None,
        "submitted_at": v.submitted_at,
        "decided_at": v.decided_at,
    }


def resource_out(r: Resource, *, with_live: bool = True) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "status": r.status,
        "title": r.title,
        "description": r.description,
        "node_id": r.node_id,
        "node_name": r.node.name,
        "stage": r.stage,
        "subject": r.subject,
        "edition": r.edition,
        "grade_level": r.grade_level,
        "owner_id": r.owner_id,
        "teacher_name": r.owner.full_name,
        "school_id": r.school_id,
        "school_name": r.school.name,
        "region_id": r.region_id,
        "licence": r.licence,
        "visibility": r.visibility,
        "duration_s": r.duration_s,
        "view_count": r.view_count,
        "rating": r.rating,
        "rating_count": r.rating_count,
        "published_at": r.published_at,
        "live": version_out(r.live_version) if with_live and r.live_version else None,
        "url": reverse("library:resource", args=[r.pk]),
    }


def node_out(n: CatalogueNode) -> dict[str, Any]:
    return {
        "id": n.pk,
        "parent_id": getattr(n, "parent_id_value", None),
        "kind": n.kind,
        "code": n.code,
        "name": n.name,
        "name_en": n.name_en,
        "stage": n.stage,
        "subject": n.subject,
        "edition": n.edition,
        "grade_level": n.grade_level,
        "is_active": n.is_active,
        "children": n.numchild,
    }


def _access_node(node_id: int) -> CatalogueNode:
    node = catalogue.node_get(node_id)
    if node is None:
        raise NotFound(code=LibraryError.NODE_NOT_FOUND)
    return node


def _the_file(request: HttpRequest, file: UploadedFile | None) -> UploadedFile:
    """The uploaded file, or 413 when it was cut off at the limit, or 400 when none came."""
    intake.raise_if_upload_too_large(request)
    if file is None:
        raise Invalid(_("Send the file as the multipart field 'file'."), code=LibraryError.NO_FILE)
    return file


def _access_own_asset(user: Any, asset_id: int) -> MediaAsset:
    asset = policies.access_asset(user, asset_id)
    if asset.owner_id != user.pk:
        raise PermissionDenied(code=LibraryError.FORBIDDEN)
    return asset


# --- Catalogue --------------------------------------------------------------------------------


class NodeFilter(Schema):
    model_config = ConfigDict(extra="forbid")
    parent_id: DbId | None = Field(None, description="children of this node; none: the roots")


@router.get(
    "/library/catalogue/nodes",
    response=list[NodeOut],
    auth=PUBLIC,
    summary="Catalogue nodes under a parent (the roots without one)",
)
def list_nodes(request: HttpRequest, filters: Query[NodeFilter]) -> list[dict[str, Any]]:
    parent = _access_node(filters.parent_id) if filters.parent_id else None
    return [
        node_out(n) | {"parent_id": parent.pk if parent else None}
        for n in catalogue.node_children(parent)
    ]


@router.get(
    "/library/catalogue/nodes/{int:node_id}", response=NodeOut, auth=PUBLIC, summary="One node"
)
def get_node(request: HttpRequest, node_id: int) -> dict[str, Any]:
    node = _access_node(node_id)
    path = catalogue.node_path(node)
    return node_out(node) | {"parent_id": path[-2].pk if len(path) > 1 else None}


@router.post(
    "/library/catalogue/nodes",
    response={201: NodeOut},
    auth=SIGNED_IN,
    summary="Add a catalogue node (regional admins)",
)
def create_node(request: HttpRequest, payload: NodeIn) -> Status[Any]:
    parent = _access_node(payload.parent_id) if payload.parent_id else None
    fields = payload.model_dump(exclude={"parent_id"})
    node = catalogue.node_create(actor=request.user, parent=parent, **fields)
    return Status(201, node_out(node) | {"parent_id": parent.pk if parent else None})


@router.patch(
    "/library/catalogue/nodes/{int:node_id}",
    response=NodeOut,
    auth=SIGNED_IN,
    summary="Rename or retire a catalogue node (regional admins)",
)
def patch_node(request: HttpRequest, node_id: int, payload: NodePatch) -> dict[str, Any]:
    node = _access_node(node_id)
    node = catalogue.node_update(actor=request.user, node=node, **patch_changes(payload))
    return node_out(node)


@router.post(
    "/library/catalogue/import",
    response=ImportReportOut,
    auth=SIGNED_IN,
    summary="Import a catalogue tree from JSON or CSV (all or nothing; dry_run to check)",
)
def import_catalogue(
    request: HttpRequest, file: File[UploadedFile | None] = None, dry_run: bool = False
) -> dict[str, Any]:
    file = _the_file(request, file)
    if file.size and file.size > catalogue.MAX_BYTES:
        raise TooLarge(code=LibraryError.CATALOGUE_TOO_LARGE)
    data = b"".join(file.chunks())
    report = catalogue.catalogue_import(
        actor=request.user, name=file.name or "catalogue", data=data, dry_run=dry_run
    )
    return catalogue.report_dict(report)


@router.get(
    "/library/catalogue/export",
    auth=PUBLIC,
    summary="Export the catalogue (or one subtree) as JSON or CSV",
)
def export_catalogue(
    request: HttpRequest, fmt: str = "json", root_id: int | None = None
) -> HttpResponse:
    if fmt not in ("json", "csv"):
        raise Invalid(code=LibraryError.BAD_FORMAT, detail={"allowed": ["json", "csv"]})
    root = _access_node(root_id) if root_id else None
    body = catalogue.catalogue_export(root, fmt)  # type: ignore[arg-type]
    response = HttpResponse(
        body, content_type="application/json" if fmt == "json" else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="catalogue.{fmt}"'
    return response


# --- Resources ----------------------------------------------------------------------------------


class ResourceQuery(Schema):
    model_config = ConfigDict(extra="forbid")
    q: str = Field("", max_length=200, description="words in Chinese or English")
    stage: str = Field("", max_length=16)
    subject: str = Field("", max_length=32)
    grade_level: int | None = Field(None, ge=1, le=16)
    edition: str = Field("", max_length=80)
    kind: str = Field("", max_length=16)
    region_id: DbId | None = None
    node_id: DbId | None = None


@router.get(
    "/library/resources",
    response=page_schema(ResourceOut),
    auth=PUBLIC,
    summary="Search and filter the published resources I may see",
)
def list_resources(
    request: HttpRequest, filters: Query[ResourceQuery], page: Query[PageParams]
) -> dict[str, Any]:
    qs = selectors.resource_list(
        viewer=request.user, filters=selectors.ResourceFilters(**filters.model_dump())
    )
    rows, frame = paginate(qs, page)
    return frame | {"items": [resource_out(r, with_live=False) for r in rows]}


@router.get(
    "/library/resources/mine",
    response=page_schema(ResourceOut),
    auth=SIGNED_IN,
    summary="My resources in every state",
)
def my_resources(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    rows, frame = paginate(selectors.resource_mine(viewer=request.user), page)
    return frame | {"items": [resource_out(r) for r in rows]}


@router.post(
    "/library/resources",
    response={201: ResourceOut},
    auth=SIGNED_IN,
    summary="Create a resource (a draft; submit its version for review to publish)",
)
def create_resource(request: HttpRequest, payload: ResourceIn) -> Status[Any]:
    node = _access_node(payload.node_id)
    school = (
        org_policies.access_unit(request.user, payload.school_id, UnitKind.SCHOOL)
        if payload.school_id
        else None
    )
    asset = _access_own_asset(request.user, payload.asset_id) if payload.asset_id else None
    resource = services.resource_create(
        actor=request.user,
        kind=payload.kind,
        node=node,
        title=payload.title,
        description=payload.description,
        licence=payload.licence,
        visibility=payload.visibility,
        school=school,
        external_url=payload.external_url,
        asset=asset,
        note=payload.note,
    )
    return Status(201, resource_out(resource))


@router.get(
    "/library/resources/{int:resource_id}",
    response=ResourceOut,
    auth=PUBLIC,
    summary="One resource (counts a view)",
)
def get_resource(request: HttpRequest, resource_id: int) -> dict[str, Any]:
    resource = policies.access_resource(request.user, resource_id)
    if resource.owner_id != getattr(request.user, "pk", None):
        services.resource_viewed(viewer=request.user, resource=resource)
    return resource_out(resource)


@router.patch(
    "/library/resources/{int:resource_id}",
    response=ResourceOut,
    auth=SIGNED_IN,
    summary="Change licence, visibility or catalogue place (owner)",
)
def patch_resource(
    request: HttpRequest, resource_id: int, payload: ResourcePatch
) -> dict[str, Any]:
    resource = policies.access_resource(request.user, resource_id)
    changes = patch_changes(payload)
    if "node_id" in changes:
        changes["node"] = _access_node(changes.pop("node_id"))
    return resource_out(services.resource_update(actor=request.user, resource=resource, **changes))


@router.get(
    "/library/resources/{int:resource_id}/versions",
    response=list[VersionOut],
    auth=SIGNED_IN,
    summary="Every version (owner, reviewers and admins)",
)
def list_versions(request: HttpRequest, resource_id: int) -> list[dict[str, Any]]:
    resource = policies.access_resource(request.user, resource_id)
    if not policies.can_see_drafts(request.user, resource):
        raise NotFound(code=LibraryError.RESOURCE_NOT_FOUND)
    return [version_out(v) for v in selectors.versions_of(resource)]


@router.post(
    "/library/resources/{int:resource_id}/draft",
    response=VersionOut,
    auth=SIGNED_IN,
    summary="Start (or get) the draft version to edit (owner)",
)
def start_draft(request: HttpRequest, resource_id: int) -> dict[str, Any]:
    resource = policies.access_resource(request.user, resource_id)
    return version_out(services.version_start(actor=request.user, resource=resource))


@router.patch(
    "/library/versions/{int:version_id}",
    response=VersionOut,
    auth=SIGNED_IN,
    summary="Edit a draft version (owner)",
)
def patch_version(request: HttpRequest, version_id: int, payload: VersionPatch) -> dict[str, Any]:
    version = policies.access_version(request.user, version_id)
    changes = patch_changes(payload)
    if "asset_id" in changes:
        asset_id = changes.pop("asset_id")
        changes["asset"] = _access_own_asset(request.user, asset_id) if asset_id else None
    return version_out(services.version_update(actor=request.user, version=version, **changes))


@router.post(
    "/library/versions/{int:version_id}/submit",
    response=VersionOut,
    auth=SIGNED_IN,
    summary="Submit a version for review (owner)",
)
def submit_version(request: HttpRequest, version_id: int) -> dict[str, Any]:
    version = policies.access_version(request.user, version_id)
    return version_out(services.version_submit(actor=request.user, version=version))


@router.post(
    "/library/versions/{int:version_id}/withdraw",
    response=VersionOut,
    auth=SIGNED_IN,
    summary="Take a submitted version back to edit it (owner)",
)
def withdraw_version(request: HttpRequest, version_id: int) -> dict[str, Any]:
    version = policies.access_version(request.user, version_id)
    return version_out(services.version_withdraw(actor=request.user, version=version))


# --- Uploads ------------------------------------------------------------------------------------


@router.post(
    "/library/uploads",
    response={201: AssetOut},
    auth=SIGNED_IN,
    summary="Upload a file (checked by content; video, audio and PDF are processed in the "
    "background: poll the asset for progress)",
)
def upload(request: HttpRequest, file: File[UploadedFile | None] = None) -> Status[Any]:
    file = _the_file(request, file)
    asset = processing.asset_create(actor=request.user, uploaded=file)
    return Status(201, asset_out(asset))


@router.get(
    "/library/assets/{int:asset_id}",
    response=AssetOut,
    auth=PUBLIC,
    summary="A media file: processing status, progress and renditions",
)
def get_asset(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    return asset_out(policies.access_asset(request.user, asset_id))


# --- Review -------------------------------------------------------------------------------------


@router.get(
    "/library/review/queue",
    response=page_schema(QueueItemOut),
    auth=SIGNED_IN,
    summary="Versions waiting for my review (reviewers)",
)
def review_queue(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    if not policies.is_reviewer(request.user):
        raise PermissionDenied(code=LibraryError.NOT_REVIEWER)
    rows, frame = paginate(selectors.review_queue(viewer=request.user), page)
    return frame | {
        "items": [
            {
                "version": version_out(v),
                "resource_id": v.resource_id,
                "resource_title": v.resource.title,
                "kind": v.resource.kind,
                "teacher_name": v.resource.owner.full_name,
                "school_name": v.resource.school.name,
            }
            for v in rows
        ]
    }


def review_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "resource_id": r.resource_id,
        "version_id": r.version_id,
        "reviewer_id": r.reviewer_id,
        "decision": r.decision,
        "checklist": r.checklist,
        "reasons": r.reasons,
        "created_at": r.created_at,
    }


@router.post(
    "/library/versions/{int:version_id}/review",
    response=ReviewOut,
    auth=SIGNED_IN,
    summary="Approve (publish) or return a submitted version (reviewers of the region)",
)
def review_version(request: HttpRequest, version_id: int, payload: ReviewIn) -> dict[str, Any]:
    version = policies.access_version(request.user, version_id)
    review = services.review_decide(
        actor=request.user,
        version=version,
        decision=payload.decision,
        checklist=payload.checklist,
        reasons=payload.reasons,
    )
    return review_out(review)


@router.get(
    "/library/resources/{int:resource_id}/reviews",
    response=list[ReviewOut],
    auth=SIGNED_IN,
    summary="Review decisions on a resource (owner, reviewers and admins)",
)
def list_reviews(request: HttpRequest, resource_id: int) -> list[dict[str, Any]]:
    resource = policies.access_resource(request.user, resource_id)
    if not policies.can_see_drafts(request.user, resource):
        raise NotFound(code=LibraryError.RESOURCE_NOT_FOUND)
    return [review_out(r) for r in selectors.reviews_of(resource)]


@router.post(
    "/library/resources/{int:resource_id}/take-down",
    response=ReviewOut,
    auth=SIGNED_IN,
    summary="Take a published resource down, with reasons (reviewers and regional admins)",
)
def take_down(request: HttpRequest, resource_id: int, payload: ReasonIn) -> dict[str, Any]:
    resource = policies.access_resource(request.user, resource_id)
    return review_out(
        services.resource_take_down(actor=request.user, resource=resource, reasons=payload.reasons)
    )


@router.post(
    "/library/resources/{int:resource_id}/restore",
    response=ReviewOut,
    auth=SIGNED_IN,
    summary="Restore a taken-down resource (reviewers and regional admins)",
)
def restore(request: HttpRequest, resource_id: int, payload: ReasonIn) -> dict[str, Any]:
    resource = policies.access_resource(request.user, resource_id)
    return review_out(
        services.resource_restore(actor=request.user, resource=resource, reasons=payload.reasons)
    )


# --- Ratings and designations -------------------------------------------------------------


@router.put(
    "/library/resources/{int:resource_id}/rating",
    response=RatingOut,
    auth=SIGNED_IN,
    summary="Rate a resource 1-5 (once per person; a second call changes the rating)",
)
def rate(request: HttpRequest, resource_id: int, payload: RatingIn) -> dict[str, Any]:
    resource = policies.access_resource(request.user, resource_id)
    rating = services.resource_rate(actor=request.user, resource=resource, stars=payload.stars)
    return {
        "resource_id": resource.pk,
        "stars": rating.stars,
        "rating": resource.rating,
        "rating_count": resource.rating_count,
    }


@router.post(
    "/library/resources/{int:resource_id}/designations",
    response={201: DesignationOut},
    auth=SIGNED_IN,
    summary="Designate a quality lesson (regional admins)",
)
def designate(request: HttpRequest, resource_id: int, payload: DesignationIn) -> Status[Any]:
    resource = policies.access_resource(request.user, resource_id)
    d = services.designation_add(
        actor=request.user, resource=resource, kind=payload.kind, year=payload.year
    )
    return Status(
        201,
        {
            "id": d.pk,
            "resource_id": d.resource_id,
            "kind": d.kind,
            "region_id": d.region_id,
            "year": d.year,
        },
    )


@router.get(
    "/library/regions/{int:region_id}/designations",
    response=list[PanelRowOut],
    auth=SIGNED_IN,
    summary="Quality-lesson designations against the region's targets this year",
)
def designation_panel(request: HttpRequest, region_id: int, year: int | None = None) -> list[Any]:
    region = org_policies.access_unit(request.user, region_id, UnitKind.REGION)
    if not policies.can_manage_designation_targets(request.user, region):
        raise PermissionDenied(code=LibraryError.FORBIDDEN)
    return [
        {
            "kind": row.kind,
            "label": row.label,
            "achieved": row.achieved,
            "target": row.target,
            "percent": row.percent,
        }
        for row in selectors.designation_panel(region=region, year=year)
    ]


@router.put(
    "/library/regions/{int:region_id}/designation-targets",
    response=list[PanelRowOut],
    auth=SIGNED_IN,
    summary="Set a region's yearly target for a designation (regional admins)",
)
def set_target(request: HttpRequest, region_id: int, payload: TargetIn) -> list[Any]:
    region = org_policies.access_unit(request.user, region_id, UnitKind.REGION)
    services.designation_target_set(
        actor=request.user,
        region=region,
        kind=payload.kind,
        year=payload.year,
        target=payload.target,
    )
    return designation_panel(request, region_id, payload.year)


# --- Packages -----------------------------------------------------------------------------------


def package_out(p: Package, resource_ids: list[int]) -> dict[str, Any]:
    return {
        "id": p.pk,
        "node_id": p.node_id,
        "title": p.title,
        "description": p.description,
        "owner_id": p.owner_id,
        "teacher_name": p.owner.full_name,
        "school_name": p.school.name,
        "resource_ids": resource_ids,
    }


@router.get(
    "/library/catalogue/nodes/{int:node_id}/packages",
    response=list[PackageOut],
    auth=PUBLIC,
    summary="Lesson packages for one lesson (only the resources I may see)",
)
def node_packages(request: HttpRequest, node_id: int) -> list[dict[str, Any]]:
    node = _access_node(node_id)
    return [
        package_out(p, [r.pk for r in items])
        for p, items in selectors.packages_for_node(viewer=request.user, node=node)
    ]


@router.post(
    "/library/packages",
    response={201: PackageOut},
    auth=SIGNED_IN,
    summary="Bundle resources into a lesson package (teachers)",
)
def create_package(request: HttpRequest, payload: PackageIn) -> Status[Any]:
    node = _access_node(payload.node_id)
    package = services.package_create(
        actor=request.user,
        node=node,
        title=payload.title,
        description=payload.description,
        resource_ids=payload.resource_ids,
    )
    return Status(201, package_out(package, list(dict.fromkeys(payload.resource_ids))))


@router.put(
    "/library/packages/{int:package_id}/items",
    response=PackageOut,
    auth=SIGNED_IN,
    summary="Replace a package's resources, in order (owner)",
)
def set_package_items(request: HttpRequest, package_id: int, payload: PackagePatch) -> Any:
    package = policies.access_package(request.user, package_id)
    services.package_set_items(
        actor=request.user, package=package, resource_ids=payload.resource_ids
    )
    return package_out(package, list(dict.fromkeys(payload.resource_ids)))


@router.delete(
    "/library/packages/{int:package_id}",
    response={204: None},
    auth=SIGNED_IN,
    summary="Delete a package (owner; the resources stay)",
)
def delete_package(request: HttpRequest, package_id: int) -> Status[None]:
    package = policies.access_package(request.user, package_id)
    services.package_delete(actor=request.user, package=package)
    return Status(204, None)
