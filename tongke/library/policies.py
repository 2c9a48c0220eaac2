"""Who may see and do what in the lesson library (LIB-4, LIB-5).

Seeing a resource:
- published and public: anyone, signed in or not;
- published for all regions: anyone signed in (students, teachers, parents, learners);
- published for the region: anyone who belongs somewhere under the owning region (the
  region directly above the owner's school); a parent belongs where their child's class is;
- published for the school: anyone who belongs somewhere under the owner's school;
- in any state: its owner, admins whose scope holds the school, and reviewers whose region
  holds it (they review it and may take it down).

Doing:
- teachers (any teaching role) and school admins create resources at a school where they
  hold that role; owners edit and submit their own;
- reviewers decide on versions of resources whose region lies inside their own; never on
  their own resource;
- reviewers and regional admins of the region take down and restore;
- regional admins designate quality lessons for their region and set its targets.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tongke.core.errors import NotFound
from tongke.library.enums import ResourceStatus, Visibility
from tongke.library.errors import LibraryError
from tongke.library.models import MediaAsset, Package, Resource, ResourceVersion
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit

member_paths = org.member_paths


def reviewer_paths(user: Any) -> list[str]:
    return org.role_paths(user, (Role.REVIEWER,))


def _oversight(user: Any) -> Q:
    """Resources in any state that the user oversees: admins of the school or above, and
    reviewers of the region or above."""
    q = org.under_paths(org.admin_paths(user), "school_path")
    q |= org.under_paths(reviewer_paths(user), "region_path")
    return q


def resource_visible_to(user: Any) -> Q:
    published = Q(status=ResourceStatus.PUBLISHED)
    q = published & Q(visibility=Visibility.PUBLIC)
    if not getattr(user, "is_authenticated", False):
        return q
    if org.ROOT in org.admin_paths(user):
        return Q()
    q |= published & Q(visibility=Visibility.ALL_REGIONS)
    ancestors = sorted({p for path in member_paths(user) for p in org.ancestor_paths(path)})
    if ancestors:
        q |= published & Q(visibility=Visibility.REGION, region_path__in=ancestors)
        q |= published & Q(visibility=Visibility.SCHOOL, school_path__in=ancestors)
    q |= Q(owner_id=user.pk)
    q |= _oversight(user)
    return q


def access_resource(user: Any, resource_id: int) -> Resource:
    found = (
        Resource.objects.filter(resource_visible_to(user), pk=resource_id)
        .select_related("node", "owner", "school", "region", "live_version__asset")
        .first()
    )
    if found is None:
        raise NotFound(code=LibraryError.RESOURCE_NOT_FOUND)
    return found


def can_see_drafts(user: Any, resource: Resource) -> bool:
    """Owner, admins over the school, reviewers over the region: they see versions,
    reviews and unpublished content."""
    if getattr(user, "pk", None) == resource.owner_id:
        return True
    return org.is_within(resource.school_path, org.admin_paths(user)) or org.is_within(
        resource.region_path, reviewer_paths(user)
    )


def authoring_schools(user: Any) -> list[OrgUnit]:
    """Schools where the user may publish: where they teach or administer."""
    if not getattr(user, "is_authenticated", False):
        return []
    paths = [
        g.path
        for g in org.grants_of(user)
        if g.path and g.role in (*TEACHING_ROLES, Role.SCHOOL_ADMIN)
    ]
    if not paths:
        return []
    candidates = {p for path in paths for p in org.ancestor_paths(path)}
    return list(OrgUnit.objects.filter(kind=UnitKind.SCHOOL, path__in=candidates).order_by("path"))


def can_author(user: Any) -> bool:
    return bool(authoring_schools(user))


def can_edit_resource(user: Any, resource: Resource) -> bool:
    return getattr(user, "pk", None) == resource.owner_id and resource.status != (
        ResourceStatus.TAKEN_DOWN
    )


def can_review(user: Any, resource: Resource) -> bool:
    if getattr(user, "pk", None) == resource.owner_id:
        return False
    return org.is_within(resource.region_path, reviewer_paths(user))


def can_take_down(user: Any, resource: Resource) -> bool:
    return org.is_within(resource.region_path, reviewer_paths(user)) or org.is_within(
        resource.region_path, org.region_admin_paths(user)
    )


def designating_regions(user: Any, resource: Resource) -> list[str]:
    """Paths of the regions whose admins the user is and that hold the resource."""
    return [p for p in org.region_admin_paths(user) if resource.region_path.startswith(p)]


def can_designate(user: Any, resource: Resource) -> bool:
    return resource.status == ResourceStatus.PUBLISHED and bool(designating_regions(user, resource))


def is_reviewer(user: Any) -> bool:
    return bool(reviewer_paths(user))


def review_queue_filter(user: Any) -> Q:
    """Versions waiting for this reviewer: inside their region, not their own."""
    paths = reviewer_paths(user)
    if not paths:
        return Q(pk__in=[])
    return org.under_paths(paths, "resource__region_path") & ~Q(resource__owner_id=user.pk)


def access_version(user: Any, version_id: int) -> ResourceVersion:
    version = (
        ResourceVersion.objects.filter(pk=version_id)
        .select_related("resource", "asset", "resource__owner", "resource__node")
        .first()
    )
    if version is None or not can_see_drafts(user, version.resource):
        raise NotFound(code=LibraryError.VERSION_NOT_FOUND)
    return version


def access_asset(user: Any, asset_id: int) -> MediaAsset:
    """A media file: its uploader, or anyone who may see a resource version using it (the
    live version for most viewers, any version for owners, admins and reviewers)."""
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise NotFound(code=LibraryError.ASSET_NOT_FOUND)
    if getattr(user, "pk", None) == asset.owner_id:
        return asset
    live = Resource.objects.filter(resource_visible_to(user), live_version__asset=asset)
    if live.exists():
        return asset
    for version in asset.versions.select_related("resource"):
        if can_see_drafts(user, version.resource):
            return asset
    raise NotFound(code=LibraryError.ASSET_NOT_FOUND)


def access_package(user: Any, package_id: int) -> Package:
    package = (
        Package.objects.filter(pk=package_id).select_related("node", "owner", "school").first()
    )
    if package is None:
        raise NotFound(code=LibraryError.PACKAGE_NOT_FOUND)
    if getattr(user, "pk", None) == package.owner_id:
        return package
    if not Resource.objects.filter(resource_visible_to(user), packages=package).exists():
        raise NotFound(code=LibraryError.PACKAGE_NOT_FOUND)
    return package


def can_manage_designation_targets(user: Any, region: OrgUnit) -> bool:
    return region.kind == UnitKind.REGION and org.is_within(
        region.path, org.region_admin_paths(user)
    )


def can_edit_catalogue(user: Any) -> bool:
    """Regional administrators (of any region; a superuser is one at the root) edit the
    curriculum catalogue, which every region shares."""
    return bool(org.region_admin_paths(user))
