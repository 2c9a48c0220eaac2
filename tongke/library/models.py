"""The shared lesson library (空中课堂, LIB-1..6).

- ``CatalogueNode``: one tree, stage > subject > textbook edition > grade/volume > chapter >
  lesson, plus thematic collections (moral education, PE, arts...) with topics.
- ``Resource``: what a teacher shares (a video lesson, a micro-lesson, courseware...), filed
  under a catalogue node, owned by a teacher and their school, reviewed before it is seen.
- ``ResourceVersion``: an edit of a resource; each version passes review on its own, so a new
  version waits while the approved one stays live (``Resource.live_version``).
- ``MediaAsset`` and ``Rendition``: an uploaded file and what processing made of it (video
  renditions for weak links, audio-only, a poster, a PDF's first-page preview).
- ``Review``: the append-only record of reviewers' decisions.
- ``Package``: one teacher's bundle of resources for one lesson; several teachers may
  publish the same lesson in their own style.
- ``Rating``, ``SchoolViews``: ratings 1-5 and view counts per school.
- ``Designation`` and ``DesignationTarget``: a region's quality-lesson designations and its
  yearly targets.
- ``SearchEntry``: the segmented text the full-text index reads (see ``search.py``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from tongke.library.enums import (
    AssetStatus,
    Decision,
    DesignationKind,
    Licence,
    NodeKind,
    ResourceKind,
    ResourceStatus,
    Stage,
    VersionStatus,
    Visibility,
)
from tongke.orgs.models import OrgUnit


class AppendOnlyError(RuntimeError):
    pass


class CatalogueNode(MP_Node):
    steplen = 4

    kind = models.CharField(_("kind"), max_length=16, choices=NodeKind.choices)
    code = models.CharField(
        _("code"),
        max_length=80,
        unique=True,
        help_text=_("A stable identifier, unique in the catalogue (for example JM-PEP-7A-C2-L1)."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    # Carried down from the stage / subject / edition / volume above, so that a resource's
    # filters are plain columns.
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=32, blank=True)
    edition = models.CharField(_("textbook edition"), max_length=80, blank=True)
    grade_level = models.PositiveSmallIntegerField(_("grade level"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catalogue node")
        verbose_name_plural = _("catalogue nodes")
        indexes = [models.Index(fields=["kind", "stage", "subject"], name="catnode_filters")]

    def __str__(self) -> str:
        return self.name


class MediaAsset(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="media_assets"
    )
    file = models.FileField(_("file"), upload_to="library/originals/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size_bytes = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    mime = models.CharField(_("type"), max_length=100)
    media_kind = models.CharField(_("media kind"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=AssetStatus.choices, default=AssetStatus.PENDING
    )
    progress = models.FloatField(_("progress"), default=0.0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    poster = models.FileField(upload_to="library/posters/%Y/%m/", max_length=300, blank=True)
    preview = models.FileField(upload_to="library/previews/%Y/%m/", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        constraints = [
            models.CheckConstraint(
                name="asset_progress_range", condition=Q(progress__gte=0, progress__lte=1)
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class Rendition(models.Model):
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="renditions")
    label = models.CharField(max_length=16)  # 240p, 360p, 720p, audio
    file = models.FileField(upload_to="library/renditions/%Y/%m/", max_length=300)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bitrate_kbps = models.PositiveIntegerField(default=0)
    size_bytes = models.BigIntegerField(default=0)
    mime = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "label"], name="rendition_one_per_label")
        ]

    def __str__(self) -> str:
        return self.label


class Resource(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    node = models.ForeignKey(
        CatalogueNode, on_delete=models.PROTECT, related_name="resources", verbose_name=_("lesson")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="library_resources",
        verbose_name=_("teacher"),
    )
    school = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="library_resources",
        verbose_name=_("school"),
    )
    region = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    # Paths of school and region, for visibility filters without joins.
    school_path = models.CharField(max_length=255, db_index=True)
    region_path = models.CharField(max_length=255, db_index=True)
    licence = models.CharField(_("licence"), max_length=16, choices=Licence.choices)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    # The live (approved) content, copied from the live version when it is approved.
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    live_version = models.ForeignKey(
        "ResourceVersion", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Copied from the catalogue node, for filters.
    stage = models.CharField(max_length=16, blank=True)
    subject = models.CharField(max_length=32, blank=True)
    edition = models.CharField(max_length=80, blank=True)
    grade_level = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    takedown_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [
            models.Index(fields=["status", "visibility"], name="resource_visibility"),
            models.Index(fields=["stage", "subject", "grade_level"], name="resource_filters"),
        ]
        constraints = [
            models.CheckConstraint(
                name="resource_rating_sum_range",
                condition=Q(
                    rating_sum__gte=F("rating_count"), rating_sum__lte=F("rating_count") * 5
                ),
            ),
            models.CheckConstraint(
                name="resource_published_has_live",
                condition=~Q(status=ResourceStatus.PUBLISHED) | Q(live_version__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None


class ResourceVersion(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    asset = models.ForeignKey(
        MediaAsset, on_delete=models.PROTECT, related_name="versions", null=True, blank=True
    )
    external_url = models.URLField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    note = models.CharField(_("note to the reviewer"), max_length=500, blank=True)
    return_reasons = models.TextField(_("reasons"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        ordering = ["resource_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="version_number_unique"),
            # At most one version being edited or waiting for review per resource.
            models.UniqueConstraint(
                fields=["resource"],
                condition=Q(
                    status__in=[
                        VersionStatus.DRAFT,
                        VersionStatus.SUBMITTED,
                        VersionStatus.RETURNED,
                    ]
                ),
                name="version_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Review(models.Model):
    """One reviewer decision. Append-only: a decision is never changed, only followed."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(
        ResourceVersion, on_delete=models.CASCADE, related_name="reviews", null=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    checklist = models.JSONField(_("checklist"), default=dict)
    reasons = models.TextField(_("reasons"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.resource_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("review decisions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("review decisions are append-only")


class Package(models.Model):
    node = models.ForeignKey(
        CatalogueNode, on_delete=models.PROTECT, related_name="packages", verbose_name=_("lesson")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="library_packages"
    )
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    resources = models.ManyToManyField(Resource, through="PackageItem", related_name="packages")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson package")
        verbose_name_plural = _("lesson packages")

    def __str__(self) -> str:
        return self.title


class PackageItem(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "resource"], name="package_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.package_id}:{self.resource_id}"


class Rating(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="rating_once_per_user"),
            models.CheckConstraint(
                name="rating_stars_range", condition=Q(stars__gte=1, stars__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}"


class SchoolViews(models.Model):
    """How often people of one school opened one resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="school_views")
    school = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "school"], name="school_views_once")
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.count}"


class Designation(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="designations")
    kind = models.CharField(_("designation"), max_length=32, choices=DesignationKind.choices)
    region = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "kind", "region"], name="designation_once")
        ]

    def __str__(self) -> str:
        return self.kind


class DesignationTarget(models.Model):
    region = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("designation"), max_length=32, choices=DesignationKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.PositiveIntegerField(_("target"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "year"], name="target_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.target}"


class SearchEntry(models.Model):
    """The words of one resource as the full-text index sees them: jieba-segmented title,
    description, catalogue path and teacher name, separated by spaces (see search.py)."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    title_words = models.TextField(default="")
    body_words = models.TextField(default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title_words[:50]
