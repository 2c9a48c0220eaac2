"""School partnerships (ORG-4): a strong school paired with one weaker school (结对帮扶) or
several (联校网教共同体), run by the regional administrators of the region they sit in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.live import errors, policies
from tongke.live.enums import PartnershipKind
from tongke.live.models import Partnership, PartnershipMember
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit


def _schools_under(region: OrgUnit, schools: Iterable[OrgUnit]) -> list[OrgUnit]:
    out = []
    for school in schools:
        if school.kind != UnitKind.SCHOOL or not school.path.startswith(region.path):
            raise errors.invalid(
                errors.NOT_A_PARTNER,
                _("%(name)s is not a school of %(region)s.")
                % {"name": school.name, "region": region.name},
                school=school.pk,
            )
        out.append(school)
    return out


@transaction.atomic
def partnership_create(
    *,
    actor: User,
    region: OrgUnit,
    kind: str,
    name: str,
    lead_school: OrgUnit,
    members: list[OrgUnit],
    note: str = "",
) -> Partnership:
    if region.kind != UnitKind.REGION or not policies.can_manage_partnership(actor, region):
        raise errors.forbidden(_("Only the regional administrators pair schools."))
    if kind not in PartnershipKind.values:
        raise errors.invalid("invalid", _("Unknown kind."), field="kind")
    _schools_under(region, [lead_school, *members])
    ids = [m.pk for m in members]
    if not members or len(set(ids)) != len(ids) or lead_school.pk in ids:
        raise errors.invalid(
            errors.NOT_A_PARTNER,
            _("Name the partner schools once each, without the lead school."),
            field="members",
        )
    if kind == PartnershipKind.PAIR and len(members) != 1:
        raise errors.invalid(
            errors.NOT_A_PARTNER, _("A pair joins one school to the lead school."), field="members"
        )
    partnership = Partnership(
        kind=kind,
        name=errors.clean_text(name, field="name", limit=120),
        region=region,
        region_path=region.path,
        lead_school=lead_school,
        note=errors.clean_text(note, field="note", limit=2000, required=False),
        created_by=actor,
    )
    errors.full_clean(partnership)
    partnership.save()
    PartnershipMember.objects.bulk_create(
        [PartnershipMember(partnership=partnership, school=s, school_path=s.path) for s in members]
    )
    audit_record(
        actor=actor,
        action="live.partnership_create",
        target=partnership,
        scope_path=region.path,
        changes={
            "kind": [None, kind],
            "lead_school": [None, lead_school.name],
            "members": [None, [s.name for s in members]],
        },
    )
    return partnership


@transaction.atomic
def partnership_update(
    *,
    actor: User,
    partnership: Partnership,
    name: str | None = None,
    active: bool | None = None,
    add: Iterable[OrgUnit] = (),
    remove: Iterable[OrgUnit] = (),
) -> Partnership:
    if not policies.can_manage_partnership(actor, partnership.region):
        raise errors.forbidden()
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = [partnership.name, errors.clean_text(name, field="name", limit=120)]
        partnership.name = changes["name"][1]
    if active is not None and active != partnership.active:
        changes["active"] = [partnership.active, active]
        partnership.active = active
    added = _schools_under(partnership.region, add)
    for school in added:
        if school.pk == partnership.lead_school_id:
            raise errors.invalid(errors.NOT_A_PARTNER, _("The lead school is already in."))
        PartnershipMember.objects.get_or_create(
            partnership=partnership, school=school, defaults={"school_path": school.path}
        )
    removed = [s.pk for s in remove]
    if removed:
        PartnershipMember.objects.filter(partnership=partnership, school_id__in=removed).delete()
    if partnership.kind == PartnershipKind.PAIR and partnership.members.count() != 1:
        raise errors.invalid(errors.NOT_A_PARTNER, _("A pair joins one school to the lead school."))
    if not partnership.members.exists():
        raise errors.invalid(errors.NOT_A_PARTNER, _("A partnership needs a partner school."))
    if added or removed:
        changes["members"] = [None, sorted(m.school.name for m in partnership.members.all())]
    errors.full_clean(partnership)
    partnership.save()
    audit_record(
        actor=actor,
        action="live.partnership_update",
        target=partnership,
        scope_path=partnership.region_path,
        changes=changes,
    )
    return partnership
