"""The org tree (ORG-1) and the roles people hold in it (ORG-2).

One tree holds regions, schools, grades and classes. It is a materialized path
(django-treebeard's MP_Node): a subtree is one indexed prefix query on both SQLite and
PostgreSQL, and a role scoped to a node covers everything under it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from tongke.core.text import validate_plain_line
from tongke.orgs.enums import (
    GRADE_LEVEL_MAX,
    GRADE_LEVEL_MIN,
    LocationClass,
    RegionLevel,
    Role,
    SchoolType,
    UnitKind,
)


class OrgUnit(MP_Node):
    steplen = 4

    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("A stable identifier, unique in the whole installation (for example BJ-HD)."),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_line])
    name_en = models.CharField(
        _("English name"), max_length=200, blank=True, validators=[validate_plain_line]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Regions
    region_level = models.CharField(
        _("region level"), max_length=16, choices=RegionLevel.choices, blank=True
    )
    # Schools
    school_type = models.CharField(
        _("school type"), max_length=32, choices=SchoolType.choices, blank=True
    )
    location_class = models.CharField(
        _("location class"), max_length=16, choices=LocationClass.choices, blank=True
    )
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"), null=True, blank=True)
    # Grades and classes
    grade_level = models.PositiveSmallIntegerField(_("grade level"), null=True, blank=True)
    external_id = models.CharField(
        _("roster id"), max_length=128, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [models.Index(fields=["kind", "path"], name="orgunit_kind_path_idx")]
        constraints = [
            models.CheckConstraint(
                name="orgunit_school_fields",
                condition=Q(kind=UnitKind.SCHOOL, school_type__gt="", location_class__gt="")
                | (~Q(kind=UnitKind.SCHOOL) & Q(school_type="", location_class="")),
            ),
            models.CheckConstraint(
                name="orgunit_region_level",
                condition=Q(kind=UnitKind.REGION, region_level__gt="")
                | (~Q(kind=UnitKind.REGION) & Q(region_level="")),
            ),
            models.CheckConstraint(
                name="orgunit_grade_level_range",
                condition=Q(grade_level__isnull=True)
                | Q(grade_level__gte=GRADE_LEVEL_MIN, grade_level__lte=GRADE_LEVEL_MAX),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class RoleAssignment(models.Model):
    """A person holds a role, scoped to an org unit, to a person (parent of a student), or
    to nothing (a lifelong learner). One person may hold many."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="roles", null=True, blank=True
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="guardian_roles",
        null=True,
        blank=True,
        verbose_name=_("child"),
    )
    external_id = models.CharField(
        _("roster id"), max_length=128, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="role_unique_per_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "subject"],
                condition=Q(subject__isnull=False),
                name="role_unique_per_subject",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(unit__isnull=True, subject__isnull=True),
                name="role_unique_unscoped",
            ),
            models.CheckConstraint(
                name="role_scope_shape",
                condition=(Q(role=Role.PARENT, subject__isnull=False, unit__isnull=True))
                | (Q(role=Role.LEARNER, subject__isnull=True, unit__isnull=True))
                | (
                    ~Q(role__in=[Role.PARENT, Role.LEARNER])
                    & Q(unit__isnull=False, subject__isnull=True)
                ),
            ),
        ]
        indexes = [models.Index(fields=["role", "unit"], name="role_role_unit_idx")]

    def __str__(self) -> str:
        scope = self.unit or self.subject or "-"
        return f"{self.user} {self.role} @ {scope}"
