"""Writes of course sections (offerings) and of classes' fixed home timetables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Invalid
from tongke.courses import errors, policies, rules
from tongke.courses.models import Offering, SelectionRound, Slot
from tongke.courses.services.seats import promote_waitlist
from tongke.orgs.enums import TEACHING_ROLES, SchoolType, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

OFFERING_FIELDS = (
    "code",
    "title",
    "title_en",
    "description",
    "subject",
    "teacher",
    "mode",
    "seats",
    "open_to",
    "grade_min",
    "grade_max",
    "school_types",
    "prerequisites",
    "credits",
    "hours",
    "starts_on",
    "ends_on",
    "is_active",
)


@dataclass(frozen=True)
class SlotIn:
    weekday: int
    starts: time
    ends: time
    label: str = ""


def _check_slots(slots: Iterable[SlotIn]) -> list[SlotIn]:
    checked = list(slots)
    refusal = rules.slots_refusal([rules.Slot(s.weekday, s.starts, s.ends) for s in checked])
    if refusal is not None:
        raise refusal
    return checked


def _teacher_of(person: User, school: OrgUnit) -> bool:
    return RoleAssignment.objects.filter(
        user_id=person.pk, role__in=TEACHING_ROLES, unit__path__startswith=school.path
    ).exists()


def _check_offering_fields(host_school: OrgUnit, fields: dict[str, Any]) -> None:
    teacher = fields.get("teacher")
    if teacher is not None and not _teacher_of(teacher, host_school):
        raise Invalid(_("The teacher must teach at the host school."), code=errors.BAD_TEACHER)
    open_to = fields.get("open_to")
    if open_to is not None and open_to.kind != UnitKind.REGION:
        raise Invalid(_("A section is opened to a region."), code="courses.bad_open_to")
    bad_types = [t for t in fields.get("school_types", []) if t not in SchoolType.values]
    if bad_types:
        raise Invalid(code="courses.bad_school_type", detail={"school_types": bad_types})


@transaction.atomic
def offering_create(
    *,
    actor: User,
    rnd: SelectionRound,
    host_school: OrgUnit,
    slots: Iterable[SlotIn] = (),
    **fields: Any,
) -> Offering:
    if not policies.can_create_offering(actor, rnd, host_school):
        raise errors.forbidden()
    _check_offering_fields(host_school, fields)
    checked = _check_slots(slots)
    offering = Offering(round=rnd, host_school=host_school, **fields)
    errors.full_clean(offering)
    try:
        with transaction.atomic():
            offering.save()
    except IntegrityError as exc:
        raise Invalid(
            _("The course code %(code)s is already used in this round.") % {"code": offering.code},
            code="courses.code_taken",
        ) from exc
    Slot.objects.bulk_create(
        [
            Slot(offering=offering, weekday=s.weekday, starts=s.starts, ends=s.ends, label=s.label)
            for s in checked
        ]
    )
    audit_record(
        actor=actor,
        action="course_offering.create",
        target=offering,
        scope_path=host_school.path,
        changes=diff({}, snapshot(offering, OFFERING_FIELDS)),
    )
    return offering


@transaction.atomic
def offering_update(*, actor: User, offering: Offering, **changes: Any) -> Offering:
    if not policies.can_manage_offering(actor, offering):
        raise errors.forbidden()
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    before = snapshot(offering, OFFERING_FIELDS)
    for key, value in changes.items():
        if key not in ("title", "title_en", "description", "seats", "is_active"):
            raise Invalid(code="invalid", detail={key: "unknown or read-only field"})
        setattr(offering, key, value)
    if offering.seats < offering.taken:
        raise Invalid(
            _("There are already %(n)d students in this section; seats cannot go below that.")
            % {"n": offering.taken},
            code="courses.seats_below_taken",
        )
    errors.full_clean(offering)
    offering.save()
    promoted = promote_waitlist(offering) if offering.seats > before["seats"] else 0
    after = snapshot(offering, OFFERING_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="course_offering.update",
            target=offering,
            scope_path=offering.host_school.path,
            changes=diff(before, after) | ({"promoted": [0, promoted]} if promoted else {}),
        )
    return offering


@transaction.atomic
def home_slots_set(*, actor: User, klass: OrgUnit, slots: Iterable[SlotIn]) -> list[Slot]:
    """Replace a class's fixed home timetable."""
    if klass.kind != UnitKind.CLASS or not policies.can_set_home_timetable(actor, klass):
        raise errors.forbidden()
    checked = _check_slots(slots)
    before = [str(s) for s in Slot.objects.filter(home_class=klass)]
    Slot.objects.filter(home_class=klass).delete()
    created = Slot.objects.bulk_create(
        [
            Slot(home_class=klass, weekday=s.weekday, starts=s.starts, ends=s.ends, label=s.label)
            for s in checked
        ]
    )
    audit_record(
        actor=actor,
        action="home_timetable.set",
        target=klass,
        scope_path=klass.path,
        changes={"slots": [before, [str(s) for s in created]]},
    )
    return created
