"""Reads for the roster import pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongke.orgs.models import OrgUnit
from tongke.roster import policies
from tongke.roster.models import RosterImport

MAX_TARGETS = 2000


def roster_import_list(*, viewer: Any, limit: int = 20) -> QuerySet[RosterImport]:
    return RosterImport.objects.filter(policies.roster_import_visible_to(viewer)).order_by(
        "-created_at", "-id"
    )[:limit]


def import_target_list(*, viewer: Any) -> list[OrgUnit]:
    """The regions and schools ``viewer`` may import into, in tree order."""
    return list(
        OrgUnit.objects.filter(policies.import_target_visible_to(viewer), is_active=True)
        .only("pk", "kind", "code", "name", "name_en", "path", "depth")
        .order_by("path")[:MAX_TARGETS]
    )
