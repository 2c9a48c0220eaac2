"""Writes of the lesson library: resources and their versions, review before publishing
(凡进必审), take-down, ratings and views, quality-lesson designations, lesson packages.

A resource's content changes only through a version: the owner edits a draft version,
submits it, a reviewer of the owning region approves it (it becomes the live version and the
resource is published) or returns it with reasons. The approved version stays live while a
newer one waits for review. A decision is a conditional UPDATE on the version's status, so
two reviewers acting on the same item cannot both decide it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.library import policies
from tongke.library.enums import (
    ACCEPTED_FILES,
    CHECKLIST,
    MICRO_MAX_SECONDS,
    RESOURCE_NODE_KINDS,
    AssetStatus,
    Decision,
    DesignationKind,
    Licence,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
    Visibility,
)
from tongke.library.errors import LibraryError
from tongke.library.models import (
    CatalogueNode,
    Designation,
    DesignationTarget,
    MediaAsset,
    Package,
    PackageItem,
    Rating,
    Resource,
    ResourceVersion,
    Review,
    SchoolViews,
)
from tongke.notifications.services import notify
from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

RESOURCE_FIELDS = (
    "kind",
    "node",
    "licence",
    "visibility",
    "status",
    "title",
    "description",
    "live_version",
)
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _forbidden(message: Any = None) -> PermissionDenied:
    return PermissionDenied(
        message or gettext_lazy("You may not do this in the lesson library."),
        code=LibraryError.FORBIDDEN,
    )


def _clean_text(value: str, *, field: str, required: bool, limit: int) -> str:
    """Plain text: stripped, no control characters, within the limit. Markup is kept as text
    and escaped wherever it is shown, so ``<script>`` in a title never runs."""
    text = (value or "").strip()
    if _CONTROL.search(text):
        raise Invalid(
            _("%(field)s contains control characters.") % {"field": field},
            code=LibraryError.BAD_TEXT,
            detail={"field": field},
        )
    if required and not text:
        raise Invalid(
            _("%(field)s is required.") % {"field": field},
            code=LibraryError.REQUIRED,
            detail={"field": field},
        )
    if len(text) > limit:
        raise Invalid(
            _("%(field)s is longer than %(limit)d characters.") % {"field": field, "limit": limit},
            code=LibraryError.TOO_LONG,
            detail={"field": field, "limit": limit},
        )
    return text


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE) or len(url) > 500:
        raise Invalid(
            _("A link must be an http or https address."),
            code=LibraryError.BAD_LINK,
            detail={"field": "external_url"},
        )
    return url


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise Invalid(
            _("%(value)s is not a valid %(field)s.") % {"value": value, "field": field},
            code=LibraryError.BAD_CHOICE,
            detail={"field": field, "allowed": list(choices.values)},
        )
    return value


def region_of(school: OrgUnit) -> OrgUnit:
    """The owning region of a school: the nearest region above it."""
    parent = OrgUnit.objects.get_parent(school)
    while parent is not None and parent.kind != UnitKind.REGION:
        parent = OrgUnit.objects.get_parent(parent)
    if parent is None:
        raise Invalid(_("The school is not inside a region."), code=LibraryError.NO_REGION)
    return parent


def _check_node(node: CatalogueNode) -> None:
    if node.kind not in RESOURCE_NODE_KINDS or not node.is_active:
        raise Invalid(
            _("Resources are filed under a lesson, a chapter or a topic."),
            code=LibraryError.BAD_NODE,
            detail={"kind": node.kind},
        )


def _check_asset(actor: Any, kind: str, asset: MediaAsset | None) -> None:
    if asset is None:
        return
    if asset.owner_id != actor.pk:
        raise _forbidden(_("You may only attach files you uploaded."))
    accepted = ACCEPTED_FILES.get(kind, ())
    if asset.media_kind not in accepted:
        raise Invalid(
            _("This kind of resource does not take a %(kind)s file.") % {"kind": asset.media_kind},
            code=LibraryError.WRONG_FILE_KIND,
            detail={"accepted": list(accepted), "given": asset.media_kind},
        )


def _scope(resource: Resource) -> str:
    return resource.school_path


# --- Resources and versions -----------------------------------------------------------------


@transaction.atomic
def resource_create(
    *,
    actor: Any,
    kind: str,
    node: CatalogueNode,
    title: str,
    licence: str,
    visibility: str,
    description: str = "",
    school: OrgUnit | None = None,
    external_url: str = "",
    asset: MediaAsset | None = None,
    note: str = "",
) -> Resource:
    schools = policies.authoring_schools(actor)
    if not schools:
        raise _forbidden(_("Only teachers and school administrators publish resources."))
    if school is None:
        school = schools[0]
    elif school.pk not in {s.pk for s in schools}:
        raise _forbidden(_("You may only publish for a school where you teach."))
    _choice(kind, ResourceKind, "kind")
    _choice(licence, Licence, "licence")
    _choice(visibility, Visibility, "visibility")
    _check_node(node)
    title = _clean_text(title, field="title", required=True, limit=TITLE_MAX)
    description = _clean_text(
        description, field="description", required=False, limit=DESCRIPTION_MAX
    )
    external_url = _clean_url(external_url)
    _check_asset(actor, kind, asset)
    region = region_of(school)
    resource = Resource(
        kind=kind,
        node=node,
        owner=actor,
        school=school,
        region=region,
        school_path=school.path,
        region_path=region.path,
        licence=licence,
        visibility=visibility,
        status=ResourceStatus.DRAFT,
        title=title,
        description=description,
        stage=node.stage,
        subject=node.subject,
        edition=node.edition,
        grade_level=node.grade_level,
    )
    resource.full_clean()
    resource.save()
    version = ResourceVersion(
        resource=resource,
        number=1,
        title=title,
        description=description,
        asset=asset,
        external_url=external_url,
        note=_clean_text(note, field="note", required=False, limit=500),
        created_by=actor,
    )
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        action="library.resource_create",
        target=resource,
        scope_path=_scope(resource),
        changes={k: [None, v] for k, v in snapshot(resource, RESOURCE_FIELDS).items()},
    )
    return resource


def open_version(resource: Resource) -> ResourceVersion | None:
    """The version being edited or waiting for review, if any."""
    return (
        resource.versions.filter(
            status__in=[VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.SUBMITTED]
        )
        .select_related("asset")
        .first()
    )


@transaction.atomic
def version_start(*, actor: Any, resource: Resource) -> ResourceVersion:
    """The draft the owner edits: the open one, or a new one copied from the live version."""
    if not policies.can_edit_resource(actor, resource):
        raise _forbidden()
    current = open_version(resource)
    if current is not None:
        if current.status == VersionStatus.SUBMITTED:
            raise Conflict(
                _("A version is waiting for review; withdraw it before editing."),
                code=LibraryError.VERSION_IN_REVIEW,
            )
        return current
    live = resource.live_version
    number = (resource.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = ResourceVersion(
        resource=resource,
        number=number + 1,
        title=live.title if live else resource.title,
        description=live.description if live else resource.description,
        asset=live.asset if live else None,
        external_url=live.external_url if live else "",
        created_by=actor,
    )
    version.full_clean()
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as exc:
        raise Conflict(
            _("Another edit of this resource was started at the same time."),
            code=LibraryError.VERSION_CONFLICT,
        ) from exc
    return version


@transaction.atomic
def version_update(
    *,
    actor: Any,
    version: ResourceVersion,
    title: str | None = None,
    description: str | None = None,
    external_url: str | None = None,
    note: str | None = None,
    asset: MediaAsset | None = None,
) -> ResourceVersion:
    resource = version.resource
    if not policies.can_edit_resource(actor, resource):
        raise _forbidden()
    if version.status not in (VersionStatus.DRAFT, VersionStatus.RETURNED):
        raise Conflict(
            _("Only a draft or a returned version can be edited."),
            code=LibraryError.VERSION_NOT_EDITABLE,
            detail={"status": version.status},
        )
    if title is not None:
        version.title = _clean_text(title, field="title", required=True, limit=TITLE_MAX)
    if description is not None:
        version.description = _clean_text(
            description, field="description", required=False, limit=DESCRIPTION_MAX
        )
    if external_url is not None:
        version.external_url = _clean_url(external_url)
    if note is not None:
        version.note = _clean_text(note, field="note", required=False, limit=500)
    if asset is not None:
        _check_asset(actor, resource.kind, asset)
        version.asset = asset
    version.status = VersionStatus.DRAFT
    version.full_clean()
    version.save()
    if resource.status == ResourceStatus.DRAFT:
        # Never published: the resource shows its draft to the owner.
        Resource.objects.filter(pk=resource.pk).update(
            title=version.title, description=version.description
        )
    return version


@transaction.atomic
def resource_update(
    *,
    actor: Any,
    resource: Resource,
    licence: str | None = None,
    visibility: str | None = None,
    node: CatalogueNode | None = None,
) -> Resource:
    """Settings that do not change the content: licence, visibility, catalogue place."""
    if not policies.can_edit_resource(actor, resource):
        raise _forbidden()
    before = snapshot(resource, RESOURCE_FIELDS)
    if licence is not None:
        resource.licence = _choice(licence, Licence, "licence")
    if visibility is not None:
        resource.visibility = _choice(visibility, Visibility, "visibility")
    if node is not None:
        _check_node(node)
        resource.node = node
        resource.stage, resource.subject = node.stage, node.subject
        resource.edition, resource.grade_level = node.edition, node.grade_level
    resource.full_clean()
    resource.save()
    changes = diff(before, snapshot(resource, RESOURCE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action="library.resource_update",
            target=resource,
            scope_path=_scope(resource),
            changes=changes,
        )
        _reindex_on_commit(resource.pk)
    return resource


def _reviewers_of(resource: Resource) -> list[int]:
    prefixes = [
        resource.region_path[:n]
        for n in range(OrgUnit.steplen, len(resource.region_path) + 1, OrgUnit.steplen)
    ]
    return list(
        RoleAssignment.objects.filter(role=Role.REVIEWER, unit__path__in=prefixes)
        .exclude(user_id=resource.owner_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


@transaction.atomic
def version_submit(*, actor: Any, version: ResourceVersion) -> ResourceVersion:
    resource = version.resource
    if not policies.can_edit_resource(actor, resource):
        raise _forbidden()
    if version.status not in (VersionStatus.DRAFT, VersionStatus.RETURNED):
        raise Conflict(
            _("This version was already submitted or decided."),
            code=LibraryError.VERSION_NOT_EDITABLE,
            detail={"status": version.status},
        )
    needs_file = bool(ACCEPTED_FILES.get(resource.kind))
    if resource.kind == ResourceKind.LAB_LINK and not version.external_url:
        raise Invalid(_("A virtual lab needs its link."), code=LibraryError.LINK_REQUIRED)
    if needs_file:
        asset = version.asset
        if asset is None:
            raise Invalid(_("Upload the file before submitting."), code=LibraryError.FILE_REQUIRED)
        if asset.status != AssetStatus.READY:
            raise Conflict(
                _("The file is still being processed (or failed); submit when it is ready."),
                code=LibraryError.FILE_NOT_READY,
                detail={"status": asset.status},
            )
        if resource.kind == ResourceKind.MICRO and (asset.duration_s or 0) > MICRO_MAX_SECONDS:
            raise Invalid(
                _("A micro-lesson lasts at most 5 minutes; this video lasts %(s)d seconds.")
                % {"s": int(asset.duration_s or 0)},
                code=LibraryError.MICRO_TOO_LONG,
                detail={"max_seconds": MICRO_MAX_SECONDS, "seconds": asset.duration_s},
            )
    version.status = VersionStatus.SUBMITTED
    version.submitted_at = timezone.now()
    version.return_reasons = ""
    version.save(update_fields=["status", "submitted_at", "return_reasons"])
    audit_record(
        actor=actor,
        action="library.version_submit",
        target=resource,
        scope_path=_scope(resource),
        changes={"version": [None, version.number]},
    )
    for reviewer_id in _reviewers_of(resource):
        notify(
            user_id=reviewer_id,
            kind="library.review_waiting",
            title=_("A resource is waiting for review: %(t)s") % {"t": version.title},
            link=f"/library/review/{version.pk}/",
        )
    return version


@transaction.atomic
def version_withdraw(*, actor: Any, version: ResourceVersion) -> ResourceVersion:
    """The owner takes a submitted version back to edit it."""
    if not policies.can_edit_resource(actor, version.resource):
        raise _forbidden()
    changed = ResourceVersion.objects.filter(pk=version.pk, status=VersionStatus.SUBMITTED).update(
        status=VersionStatus.DRAFT, submitted_at=None
    )
    if not changed:
        raise Conflict(
            _("This version is not waiting for review."), code=LibraryError.VERSION_NOT_SUBMITTED
        )
    version.refresh_from_db()
    return version


def _check_checklist(checklist: dict[str, Any]) -> dict[str, bool]:
    known = {key for key, _label in CHECKLIST}
    unknown = set(checklist) - known
    if unknown:
        raise Invalid(
            _("Unknown checklist points."),
            code=LibraryError.BAD_CHECKLIST,
            detail={"unknown": sorted(unknown), "known": sorted(known)},
        )
    return {key: bool(checklist.get(key)) for key, _label in CHECKLIST}


@transaction.atomic
def review_decide(
    *,
    actor: Any,
    version: ResourceVersion,
    decision: str,
    checklist: dict[str, Any],
    reasons: str = "",
) -> Review:
    """Approve (publish) or return a submitted version."""
    resource = version.resource
    if not policies.can_review(actor, resource):
        raise PermissionDenied(
            _("Only a reviewer of the owning region may review this resource."),
            code=LibraryError.NOT_REVIEWER,
        )
    if decision not in (Decision.APPROVE, Decision.RETURN):
        raise Invalid(
            _("A review approves or returns."),
            code=LibraryError.BAD_DECISION,
            detail={"allowed": [Decision.APPROVE, Decision.RETURN]},
        )
    ticks = _check_checklist(checklist)
    reasons = _clean_text(reasons, field="reasons", required=False, limit=DESCRIPTION_MAX)
    if decision == Decision.APPROVE and not all(ticks.values()):
        raise Invalid(
            _("Every point of the checklist must hold to approve; otherwise return it."),
            code=LibraryError.CHECKLIST_INCOMPLETE,
            detail={"failed": [k for k, v in ticks.items() if not v]},
        )
    if decision == Decision.RETURN and not reasons:
        raise Invalid(_("Say why the resource is returned."), code=LibraryError.REASONS_REQUIRED)
    now = timezone.now()
    new_status = VersionStatus.APPROVED if decision == Decision.APPROVE else VersionStatus.RETURNED
    decided = ResourceVersion.objects.filter(pk=version.pk, status=VersionStatus.SUBMITTED).update(
        status=new_status, decided_at=now, decided_by=actor, return_reasons=reasons
    )
    if not decided:
        raise Conflict(
            _("This version was already decided or withdrawn."),
            code=LibraryError.ALREADY_DECIDED,
        )
    version.refresh_from_db()
    before = snapshot(resource, RESOURCE_FIELDS)
    if decision == Decision.APPROVE:
        if resource.live_version_id:
            ResourceVersion.objects.filter(pk=resource.live_version_id).update(
                status=VersionStatus.SUPERSEDED
            )
        resource.live_version = version
        resource.title = version.title
        resource.description = version.description
        resource.duration_s = version.asset.duration_s if version.asset else None
        if resource.status == ResourceStatus.DRAFT:
            resource.status = ResourceStatus.PUBLISHED
            resource.published_at = now
        resource.save()
        _reindex_on_commit(resource.pk)
    review = Review(
        resource=resource,
        version=version,
        reviewer=actor,
        decision=decision,
        checklist=ticks,
        reasons=reasons,
    )
    review.save()
    audit_record(
        actor=actor,
        action=f"library.review_{decision}",
        target=resource,
        scope_path=_scope(resource),
        changes={
            "version": [version.number, new_status],
            **diff(before, snapshot(resource, RESOURCE_FIELDS)),
        },
    )
    title = (
        _("Published: %(t)s") if decision == Decision.APPROVE else _("Returned with reasons: %(t)s")
    ) % {"t": version.title}
    notify(
        user_id=resource.owner_id,
        kind=f"library.review_{decision}",
        title=title,
        body=reasons,
        link=f"/library/r/{resource.pk}/",
    )
    return review


@transaction.atomic
def resource_take_down(*, actor: Any, resource: Resource, reasons: str) -> Review:
    if not policies.can_take_down(actor, resource):
        raise _forbidden(_("Only reviewers and administrators of the region take resources down."))
    reasons = _clean_text(reasons, field="reasons", required=True, limit=500)
    if not Resource.objects.filter(pk=resource.pk, status=ResourceStatus.PUBLISHED).update(
        status=ResourceStatus.TAKEN_DOWN, takedown_reason=reasons
    ):
        raise Conflict(
            _("Only a published resource can be taken down."), code=LibraryError.NOT_PUBLISHED
        )
    review = Review(
        resource=resource,
        version=None,
        reviewer=actor,
        decision=Decision.TAKE_DOWN,
        reasons=reasons,
    )
    review.save()
    audit_record(
        actor=actor,
        action="library.resource_take_down",
        target=resource,
        scope_path=_scope(resource),
        changes={
            "status": [ResourceStatus.PUBLISHED, ResourceStatus.TAKEN_DOWN],
            "reasons": [None, reasons],
        },
    )
    notify(
        user_id=resource.owner_id,
        kind="library.take_down",
        title=_("Taken down: %(t)s") % {"t": resource.title},
        body=reasons,
        link=f"/library/r/{resource.pk}/",
    )
    resource.refresh_from_db()
    return review


@transaction.atomic
def resource_restore(*, actor: Any, resource: Resource, reasons: str = "") -> Review:
    if not policies.can_take_down(actor, resource):
        raise _forbidden()
    reasons = _clean_text(reasons, field="reasons", required=False, limit=500)
    if not Resource.objects.filter(
        pk=resource.pk, status=ResourceStatus.TAKEN_DOWN, live_version__isnull=False
    ).update(status=ResourceStatus.PUBLISHED, takedown_reason=""):
        raise Conflict(
            _("Only a taken-down resource can be restored."), code=LibraryError.NOT_TAKEN_DOWN
        )
    review = Review(
        resource=resource, version=None, reviewer=actor, decision=Decision.RESTORE, reasons=reasons
    )
    review.save()
    audit_record(
        actor=actor,
        action="library.resource_restore",
        target=resource,
        scope_path=_scope(resource),
        changes={"status": [ResourceStatus.TAKEN_DOWN, ResourceStatus.PUBLISHED]},
    )
    resource.refresh_from_db()
    return review


# --- Ratings and views ----------------------------------------------------------------------


@transaction.atomic
def resource_rate(*, actor: Any, resource: Resource, stars: int) -> Rating:
    if not getattr(actor, "is_authenticated", False):
        raise _forbidden()
    if resource.status != ResourceStatus.PUBLISHED:
        raise Conflict(_("Only published resources are rated."), code=LibraryError.NOT_PUBLISHED)
    if resource.owner_id == actor.pk:
        raise _forbidden(_("You cannot rate your own resource."))
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise Invalid(_("A rating is 1 to 5 stars."), code=LibraryError.BAD_RATING)
    existing = Rating.objects.select_for_update().filter(resource=resource, user=actor).first()
    if existing is None:
        rating = Rating(resource=resource, user=actor, stars=stars)
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError as exc:
            raise Conflict(
                _("Your rating was saved at the same time; try again."),
                code=LibraryError.RATING_CONFLICT,
            ) from exc
        Resource.objects.filter(pk=resource.pk).update(
            rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars
        )
    else:
        delta = stars - existing.stars
        existing.stars = stars
        existing.save(update_fields=["stars", "updated_at"])
        Resource.objects.filter(pk=resource.pk).update(rating_sum=F("rating_sum") + delta)
        rating = existing
    resource.refresh_from_db(fields=["rating_count", "rating_sum"])
    return rating


def _viewer_school_ids(viewer: Any) -> list[int]:
    paths = policies.member_paths(viewer)
    if not paths:
        return []
    prefixes = {p[:n] for p in paths for n in range(OrgUnit.steplen, len(p) + 1, OrgUnit.steplen)}
    return list(
        OrgUnit.objects.filter(kind=UnitKind.SCHOOL, path__in=prefixes).values_list("pk", flat=True)
    )


def resource_viewed(*, viewer: Any, resource: Resource) -> None:
    """Count a view: on the resource, and once per school the viewer belongs to."""
    if resource.status != ResourceStatus.PUBLISHED:
        return
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(view_count=F("view_count") + 1)
        for school_id in _viewer_school_ids(viewer)[:3]:
            if not SchoolViews.objects.filter(resource=resource, school_id=school_id).update(
                count=F("count") + 1
            ):
                try:
                    with transaction.atomic():
                        SchoolViews.objects.create(resource=resource, school_id=school_id, count=1)
                except IntegrityError:
                    SchoolViews.objects.filter(resource=resource, school_id=school_id).update(
                        count=F("count") + 1
                    )


# --- Designations -----------------------------------------------------------------------------


@transaction.atomic
def designation_add(
    *, actor: Any, resource: Resource, kind: str, year: int | None = None
) -> Designation:
    _choice(kind, DesignationKind, "designation")
    regions = policies.designating_regions(actor, resource)
    if resource.status != ResourceStatus.PUBLISHED or not regions:
        raise _forbidden(
            _("Regional administrators designate published resources of their region.")
        )
    # The most local region the admin runs that holds the resource (a superuser: its own).
    region_path = max(regions, key=len) or resource.region_path
    region = OrgUnit.objects.get(path=region_path)
    year = year or timezone.now().year
    found = Designation.objects.filter(resource=resource, kind=kind, region=region).first()
    if found is not None:
        raise Conflict(
            _("This resource already holds this designation."), code=LibraryError.ALREADY_DESIGNATED
        )
    designation = Designation(
        resource=resource, kind=kind, region=region, year=year, designated_by=actor
    )
    designation.full_clean()
    designation.save()
    audit_record(
        actor=actor,
        action="library.designation_add",
        target=resource,
        scope_path=region.path,
        changes={"designation": [None, kind], "year": [None, year]},
    )
    return designation


@transaction.atomic
def designation_remove(*, actor: Any, designation: Designation) -> None:
    if not policies.can_manage_designation_targets(actor, designation.region):
        raise _forbidden()
    audit_record(
        actor=actor,
        action="library.designation_remove",
        target=designation.resource,
        scope_path=designation.region.path,
        changes={"designation": [designation.kind, None]},
    )
    designation.delete()


@transaction.atomic
def designation_target_set(
    *, actor: Any, region: OrgUnit, kind: str, year: int, target: int
) -> DesignationTarget:
    _choice(kind, DesignationKind, "designation")
    if not policies.can_manage_designation_targets(actor, region):
        raise _forbidden()
    if not 0 <= target <= 100000 or not 2000 <= year <= 2100:
        raise Invalid(
            _("A target is 0 to 100000 for a year between 2000 and 2100."),
            code=LibraryError.BAD_TARGET,
        )
    row, _created = DesignationTarget.objects.update_or_create(
        region=region, kind=kind, year=year, defaults={"target": target}
    )
    audit_record(
        actor=actor,
        action="library.designation_target",
        target=region,
        scope_path=region.path,
        changes={"target": [None, target], "kind": [None, kind], "year": [None, year]},
    )
    return row


# --- Lesson packages -------------------------------------------------------------------------


def _package_resources(actor: Any, node: CatalogueNode, ids: Iterable[int]) -> list[Resource]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    if len(ids) > 50:
        raise Invalid(_("A package holds at most 50 resources."), code=LibraryError.PACKAGE_TOO_BIG)
    found = {
        r.pk: r for r in Resource.objects.filter(policies.resource_visible_to(actor), pk__in=ids)
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(
            _("Some resources do not exist or are not visible to you."),
            code=LibraryError.PACKAGE_UNKNOWN_RESOURCES,
            detail={"ids": missing},
        )
    return [found[i] for i in ids]


@transaction.atomic
def package_create(
    *,
    actor: Any,
    node: CatalogueNode,
    title: str,
    description: str = "",
    resource_ids: Iterable[int] = (),
) -> Package:
    schools = policies.authoring_schools(actor)
    if not schools:
        raise _forbidden(_("Only teachers and school administrators publish packages."))
    _check_node(node)
    package = Package(
        node=node,
        owner=actor,
        school=schools[0],
        title=_clean_text(title, field="title", required=True, limit=TITLE_MAX),
        description=_clean_text(
            description, field="description", required=False, limit=DESCRIPTION_MAX
        ),
    )
    package.full_clean()
    package.save()
    package_set_items(actor=actor, package=package, resource_ids=resource_ids)
    audit_record(
        actor=actor,
        action="library.package_create",
        target=package,
        scope_path=package.school.path,
        changes={"title": [None, package.title]},
    )
    return package


@transaction.atomic
def package_set_items(*, actor: Any, package: Package, resource_ids: Iterable[int]) -> Package:
    if package.owner_id != actor.pk:
        raise _forbidden()
    resources = _package_resources(actor, package.node, resource_ids)
    PackageItem.objects.filter(package=package).delete()
    PackageItem.objects.bulk_create(
        [PackageItem(package=package, resource=r, position=i) for i, r in enumerate(resources)]
    )
    return package


@transaction.atomic
def package_delete(*, actor: Any, package: Package) -> None:
    if package.owner_id != actor.pk:
        raise _forbidden()
    audit_record(
        actor=actor,
        action="library.package_delete",
        target=package,
        scope_path=package.school.path,
        changes={"title": [package.title, None]},
    )
    package.delete()


# --- Search index upkeep ---------------------------------------------------------------------


def _reindex_on_commit(resource_id: int) -> None:
    def run() -> None:
        from tongke.library import search

        search.index_resources([resource_id])

    transaction.on_commit(run)
