"""Reads for the roster import pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from tongke.accounts.types import Viewer
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit
from tongke.roster import policies
from tongke.roster.models import RosterImport

MAX_TARGETS = 2000


def roster_import_list(*, viewer: Viewer, limit: int = 20) -> QuerySet[RosterImport]:
    return RosterImport.objects.filter(policies.roster_import_visible_to(viewer)).order_by(
        "-created_at", "-id"
    )[:limit]


def import_target_list(*, viewer: Viewer) -> list[OrgUnit]:
    """The regions and schools ``viewer`` may import into, in tree order."""
    return list(
        OrgUnit.objects.filter(policies.import_target_visible_to(viewer), is_active=True)
        .only("pk", "kind", "code", "name", "name_en", "path", "depth")
        .order_by("path")[:MAX_TARGETS]
    )


def import_target_get(*, code: str) -> OrgUnit | None:
    """The region or school with ``code`` (the command line names its target by code)."""
    return OrgUnit.objects.filter(code=code, kind__in=[UnitKind.REGION, UnitKind.SCHOOL]).first()


def import_actor_get(*, username: str | None) -> Any:
    """The active person named ``username``, or the first active superuser when None."""
    User = get_user_model()
    people = User.objects.filter(is_active=True)
    if username:
        return people.filter(username=username).first()
    return people.filter(is_superuser=True).order_by("pk").first()
