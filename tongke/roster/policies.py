"""Who may import a roster, into where, and see which imports.

An import goes into a region or a school the actor manages (tongke.orgs.policies): a region
admin imports into their region or anything below it, a school admin into their school. What
the import then changes is checked row by row with the org policies (resolve.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from tongke.accounts.types import Viewer
from tongke.core.errors import NotFound
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit
from tongke.roster.models import RosterImport


def can_import(user: Viewer) -> bool:
    return org_policies.is_admin(user)


def can_import_into(user: Viewer, unit: OrgUnit) -> bool:
    return unit.kind in (UnitKind.REGION, UnitKind.SCHOOL) and org_policies.can_manage_unit(
        user, unit
    )


def can_place_in(user: Viewer, paths: Iterable[str]) -> bool:
    """Whether an import by ``user`` may touch people placed at every one of ``paths``."""
    scopes = org_policies.admin_paths(user)
    return all(org_policies.is_within(p, scopes) for p in paths)


def import_target_visible_to(user: Viewer) -> Q:
    """A filter on OrgUnit: the regions and schools ``user`` may import into."""
    regions = Q(kind=UnitKind.REGION) & org_policies.under_paths(
        org_policies.region_admin_paths(user), "path"
    )
    schools = Q(kind=UnitKind.SCHOOL) & org_policies.under_paths(
        org_policies.admin_paths(user), "path"
    )
    return regions | schools


def roster_import_visible_to(user: Viewer) -> Q:
    """A filter on RosterImport: the imports into the admin's scope."""
    paths = org_policies.admin_paths(user)
    if org_policies.ROOT in paths:
        return Q()
    return org_policies.under_paths(paths, "scope_path")


def access_roster_import(user: Viewer, import_id: int) -> RosterImport:
    found = RosterImport.objects.filter(roster_import_visible_to(user), pk=import_id).first()
    if found is None:
        raise NotFound(code="roster.import_not_found")
    return found
