"""Reads of the lesson library; every list starts from ``policies.resource_visible_to``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from tongke.core.errors import NotFound
from tongke.library import policies
from tongke.library.enums import (
    RESOURCE_NODE_KINDS,
    DesignationKind,
    ResourceStatus,
    VersionStatus,
)
from tongke.library.errors import LibraryError
from tongke.library.models import (
    CatalogueNode,
    Designation,
    DesignationTarget,
    MediaAsset,
    Package,
    PackageItem,
    Rendition,
    Resource,
    ResourceVersion,
    Review,
    SchoolViews,
)
from tongke.orgs import policies as org
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit

RENDITION_ORDER = {"240p": 0, "360p": 1, "720p": 2, "audio": 3}


@dataclass(frozen=True)
class ResourceFilters:
    q: str = ""
    stage: str = ""
    subject: str = ""
    grade_level: int | None = None
    edition: str = ""
    kind: str = ""
    region_id: int | None = None
    node_id: int | None = None


def resource_list(
    *, viewer: Any, filters: ResourceFilters | None = None, published_only: bool = True
) -> QuerySet[Resource]:
    """Resources the viewer may see, filtered, most relevant first when searching and
    newest first otherwise."""
    f = filters or ResourceFilters()
    qs = Resource.objects.filter(policies.resource_visible_to(viewer))
    if published_only:
        qs = qs.filter(status=ResourceStatus.PUBLISHED)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.subject:
        qs = qs.filter(subject=f.subject)
    if f.grade_level:
        qs = qs.filter(grade_level=f.grade_level)
    if f.edition:
        qs = qs.filter(edition=f.edition)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.region_id:
        region = OrgUnit.objects.filter(pk=f.region_id).values_list("path", flat=True).first()
        qs = qs.filter(region_path__startswith=region) if region else qs.none()
    if f.node_id:
        node = CatalogueNode.objects.filter(pk=f.node_id).values_list("path", flat=True).first()
        qs = qs.filter(node__path__startswith=node) if node else qs.none()
    qs = qs.select_related("node", "owner", "school", "live_version__asset")
    if f.q.strip():
        from tongke.library import search

        return search.search(qs, f.q)
    return qs.order_by("-published_at", "-id")


def resource_mine(*, viewer: Any) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(owner_id=viewer.pk)
        .select_related("node", "live_version__asset")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ResourceVersion.objects.filter(
                    status__in=[
                        VersionStatus.DRAFT,
                        VersionStatus.SUBMITTED,
                        VersionStatus.RETURNED,
                    ]
                ).select_related("asset"),
                to_attr="open_versions",
            )
        )
        .order_by("-updated_at", "-id")
    )


def review_queue(*, viewer: Any) -> QuerySet[ResourceVersion]:
    return (
        ResourceVersion.objects.filter(
            policies.review_queue_filter(viewer), status=VersionStatus.SUBMITTED
        )
        .select_related(
            "resource", "resource__owner", "resource__school", "resource__node", "asset"
        )
        .order_by("submitted_at", "id")
    )


def renditions_of(asset: MediaAsset | None) -> list[Rendition]:
    if asset is None:
        return []
    rows = list(asset.renditions.all())
    return sorted(rows, key=lambda r: RENDITION_ORDER.get(r.label, 9))


def versions_of(resource: Resource) -> QuerySet[ResourceVersion]:
    return resource.versions.select_related("asset", "decided_by").order_by("-number")


def reviews_of(resource: Resource) -> QuerySet[Review]:
    return resource.reviews.select_related("reviewer", "version").order_by("-created_at", "-id")


def packages_for_node(*, viewer: Any, node: CatalogueNode) -> list[tuple[Package, list[Resource]]]:
    """The packages for one lesson, each with the resources in it the viewer may see;
    packages with nothing visible are left out."""
    visible = Resource.objects.filter(
        policies.resource_visible_to(viewer), status=ResourceStatus.PUBLISHED
    )
    items = (
        PackageItem.objects.filter(package__node=node, resource__in=visible)
        .select_related("package", "package__owner", "package__school", "resource")
        .order_by("package_id", "position", "id")
    )
    grouped: dict[int, tuple[Package, list[Resource]]] = {}
    for item in items:
        grouped.setdefault(item.package_id, (item.package, []))[1].append(item.resource)
    return list(grouped.values())


def packages_of(*, viewer: Any) -> QuerySet[Package]:
    return (
        Package.objects.filter(owner_id=viewer.pk)
        .select_related("node")
        .annotate(n_items=Count("items"))
        .order_by("-created_at")
    )


def school_views(resource: Resource, limit: int = 10) -> QuerySet[SchoolViews]:
    return resource.school_views.select_related("school").order_by("-count")[:limit]


def designations_of(resource: Resource) -> QuerySet[Designation]:
    return resource.designations.select_related("region").order_by("kind")


@dataclass(frozen=True)
class TargetRow:
    kind: str
    label: str
    achieved: int
    target: int | None

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return min(100, round(100 * self.achieved / self.target))


def designation_panel(*, region: OrgUnit, year: int | None = None) -> list[TargetRow]:
    """Designations counted against the region's targets for a year: designations made by
    the region itself or by any region below it."""
    year = year or timezone.now().year
    achieved = dict(
        Designation.objects.filter(region__path__startswith=region.path, year=year)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    targets = dict(
        DesignationTarget.objects.filter(region=region, year=year).values_list("kind", "target")
    )
    return [
        TargetRow(kind.value, str(kind.label), achieved.get(kind.value, 0), targets.get(kind.value))
        for kind in DesignationKind
    ]


def library_counts(*, viewer: Any) -> dict[str, int]:
    visible = Resource.objects.filter(
        policies.resource_visible_to(viewer), status=ResourceStatus.PUBLISHED
    )
    return {
        "resources": visible.count(),
        "waiting": review_queue(viewer=viewer).count() if policies.is_reviewer(viewer) else 0,
    }


def facet_values(*, viewer: Any) -> dict[str, list[Any]]:
    """The editions and grade levels present in the visible library, for filter menus."""
    visible = Resource.objects.filter(
        policies.resource_visible_to(viewer), status=ResourceStatus.PUBLISHED
    )
    return {
        "editions": sorted(e for e in visible.values_list("edition", flat=True).distinct() if e),
        "grades": sorted(g for g in visible.values_list("grade_level", flat=True).distinct() if g),
        "subjects": sorted(s for s in visible.values_list("subject", flat=True).distinct() if s),
    }


def lesson_resources(*, viewer: Any, node: CatalogueNode) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(
            policies.resource_visible_to(viewer), status=ResourceStatus.PUBLISHED, node=node
        )
        .select_related("owner", "school", "live_version__asset")
        .order_by("-rating_sum", "-view_count", "-id")
    )


def node_resource_counts(*, viewer: Any, nodes: list[CatalogueNode]) -> dict[int, int]:
    """How many visible published resources lie under each node (its subtree)."""
    out: dict[int, int] = {}
    visible = Resource.objects.filter(
        policies.resource_visible_to(viewer), status=ResourceStatus.PUBLISHED
    )
    for node in nodes:
        out[node.pk] = visible.filter(node__path__startswith=node.path).count()
    return out


# --- Reads for the pages ---------------------------------------------------------------------


def node_get(node_id: int) -> CatalogueNode:
    """An active catalogue node (the catalogue is public)."""
    node = CatalogueNode.objects.filter(pk=node_id, is_active=True).first()
    if node is None:
        raise NotFound(code=LibraryError.NODE_NOT_FOUND)
    return node


def resource_node_choices() -> list[tuple[int, str]]:
    """Nodes a resource may be filed under, in catalogue order, each labelled with its own
    name first and then the path above it (so a narrow menu still shows the lesson)."""
    nodes = list(
        CatalogueNode.objects.filter(is_active=True)
        .only("pk", "path", "name", "kind")
        .order_by("path")
    )
    names = {n.path: n.name for n in nodes}
    step = CatalogueNode.steplen
    out = []
    for n in nodes:
        if n.kind not in RESOURCE_NODE_KINDS:
            continue
        above = [n.path[:i] for i in range(step, len(n.path), step)]
        if any(p not in names for p in above):
            continue  # under an inactive node
        out.append((n.pk, f"{n.name} · {' › '.join(names[p] for p in above)}"))
    return out


def region_choices(*, viewer: Any) -> list[OrgUnit]:
    """The regions owning resources the viewer may see, for the region filter."""
    visible = Resource.objects.filter(
        policies.resource_visible_to(viewer), status=ResourceStatus.PUBLISHED
    )
    return list(
        OrgUnit.objects.filter(pk__in=visible.values("region_id").distinct()).order_by("path")
    )


def package_resources(*, viewer: Any, package: Package) -> list[Resource]:
    """The resources of a package the viewer may see, in the package's order."""
    visible = Resource.objects.filter(policies.resource_visible_to(viewer))
    if getattr(viewer, "pk", None) != package.owner_id:
        visible = visible.filter(status=ResourceStatus.PUBLISHED)
    items = (
        PackageItem.objects.filter(package=package, resource__in=visible)
        .select_related("resource", "resource__owner", "resource__school")
        .order_by("position", "id")
    )
    return [item.resource for item in items]


def regions_administered(*, viewer: Any) -> list[OrgUnit]:
    """The regions the viewer administers (a superuser: the top-level regions)."""
    paths = org.region_admin_paths(viewer)
    if not paths:
        return []
    if org.ROOT in paths:
        return list(OrgUnit.objects.filter(kind=UnitKind.REGION, depth=1).order_by("path"))
    return list(OrgUnit.objects.filter(kind=UnitKind.REGION, path__in=paths).order_by("path"))


def designated_resources(*, region: OrgUnit, year: int | None = None) -> QuerySet[Designation]:
    """The designations counted on a region's panel for a year."""
    year = year or timezone.now().year
    return (
        Designation.objects.filter(region__path__startswith=region.path, year=year)
        .select_related("resource", "resource__school", "region")
        .order_by("kind", "-created_at")
    )


def designation_get(*, viewer: Any, designation_id: int) -> Designation:
    found = (
        Designation.objects.filter(pk=designation_id).select_related("region", "resource").first()
    )
    if found is None or not policies.can_manage_designation_targets(viewer, found.region):
        raise NotFound(code=LibraryError.DESIGNATION_NOT_FOUND)
    return found
