"""The record of each roster import (ORG-5): who, when, what file, the outcome and the report.

Rejected imports and dry runs are recorded too. The report is kept as JSON (see report.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongke.orgs.models import OrgUnit
from tongke.roster.enums import ENTITIES, ImportKind, ImportStatus


class RosterImport(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    actor_label = models.CharField(_("imported by"), max_length=200, blank=True)
    target = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported into"),
    )
    target_label = models.CharField(_("imported into"), max_length=200, blank=True)
    scope_path = models.CharField(_("scope"), max_length=255, db_index=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    kind = models.CharField(_("format"), max_length=32, choices=ImportKind.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.file_name} → {self.target_label} ({self.status})"

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list((self.report or {}).get("problems", []))

    @property
    def count_rows(self) -> list[tuple[str, object, dict[str, int]]]:
        """(entity, label, {action: n}) for the entities this import counted, in order."""
        counts = self.counts or {}
        return [(key, label, counts[key]) for key, label in ENTITIES if key in counts]
