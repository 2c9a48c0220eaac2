"""Writes of selection rounds: set one up, change, open or close it."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Invalid
from tongke.courses import errors, policies, rules
from tongke.courses.models import SelectionRound
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit

ROUND_FIELDS = (
    "name",
    "mode",
    "status",
    "opens_at",
    "closes_at",
    "drop_until",
    "max_sections",
    "max_credits",
    "max_choices",
    "lottery_seed",
    "rural_priority",
)


def _check_round_dates(rnd: SelectionRound) -> None:
    refusal = rules.round_dates_refusal(rnd)
    if refusal is not None:
        raise refusal


@transaction.atomic
def round_create(*, actor: User, scope: OrgUnit, **fields: Any) -> SelectionRound:
    if scope.kind not in (UnitKind.REGION, UnitKind.SCHOOL) or not policies.can_create_round(
        actor, scope
    ):
        raise errors.forbidden()
    fields.setdefault("lottery_seed", random.SystemRandom().randrange(1, 2**31))
    rnd = SelectionRound(scope=scope, created_by=actor, **fields)
    _check_round_dates(rnd)
    errors.full_clean(rnd)
    rnd.save()
    audit_record(
        actor=actor,
        action="course_round.create",
        target=rnd,
        scope_path=scope.path,
        changes=diff({}, snapshot(rnd, ROUND_FIELDS)),
    )
    return rnd


@transaction.atomic
def round_update(*, actor: User, rnd: SelectionRound, **changes: Any) -> SelectionRound:
    if not policies.can_manage_round(actor, rnd):
        raise errors.forbidden()
    rnd = SelectionRound.objects.select_for_update().select_related("scope").get(pk=rnd.pk)
    before = snapshot(rnd, ROUND_FIELDS)
    if rnd.drawn_at and {"mode", "lottery_seed"} & set(changes):
        raise Invalid(
            _("The lottery was drawn; its mode and seed are fixed."), code=errors.ALREADY_DRAWN
        )
    for key, value in changes.items():
        if key not in ROUND_FIELDS:
            raise Invalid(code="invalid", detail={key: "unknown or read-only field"})
        setattr(rnd, key, value)
    _check_round_dates(rnd)
    errors.full_clean(rnd)
    rnd.save()
    after = snapshot(rnd, ROUND_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="course_round.update",
            target=rnd,
            scope_path=rnd.scope.path,
            changes=diff(before, after),
        )
    return rnd


def round_is_open(rnd: SelectionRound, now: datetime | None = None) -> bool:
    """Picks are taken now (``rules.round_is_open`` at the current time)."""
    return rules.round_is_open(rnd, now or timezone.now())


def round_drop_open(rnd: SelectionRound, now: datetime | None = None) -> bool:
    """Drops are taken now (``rules.round_drop_open`` at the current time)."""
    return rules.round_drop_open(rnd, now or timezone.now())
