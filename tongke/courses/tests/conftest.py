"""Fixtures for course selection: a first-come round for Haidian with a few sections."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tongke.courses import services
from tongke.courses.enums import Mode, RoundMode, RoundStatus
from tongke.courses.models import Offering, SelectionRound
from tongke.orgs.models import OrgUnit

_codes = itertools.count(1)


@pytest.fixture
def unit() -> Callable[[str], OrgUnit]:
    return lambda code: OrgUnit.objects.get(code=code)


@pytest.fixture
def make_round(user_named: Any, unit: Any) -> Callable[..., SelectionRound]:
    def make(
        scope: str = "BJ-HD", mode: str = RoundMode.FIRST_COME, by: str = "hd_admin", **kw: Any
    ) -> SelectionRound:
        now = timezone.now()
        fields: dict[str, Any] = {
            "name": "2026秋季跨校选修",
            "mode": mode,
            "status": RoundStatus.OPEN,
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=7),
            "drop_until": now + timedelta(days=14),
            "max_sections": 3,
            "max_credits": Decimal(6),
        }
        fields.update(kw)
        return services.round_create(actor=user_named(by), scope=unit(scope), **fields)

    return make


@pytest.fixture
def make_offering(user_named: Any, unit: Any) -> Callable[..., Offering]:
    def make(
        rnd: SelectionRound,
        *,
        host: str = "BJ-HD-S02",
        by: str = "hd_admin",
        seats: int = 2,
        slots: list[tuple[int, str, str]] | None = None,
        **kw: Any,
    ) -> Offering:
        fields: dict[str, Any] = {
            "code": f"C{next(_codes):04d}",
            "title": kw.pop("title", "机器人编程"),
            "mode": Mode.LIVE_ONLINE,
            "seats": seats,
            "grade_min": 1,
            "grade_max": 12,
            "credits": Decimal(2),
        }
        fields.update(kw)
        slot_in = [
            services.SlotIn(d, time.fromisoformat(a), time.fromisoformat(b))
            for d, a, b in (slots if slots is not None else [(3, "15:00", "16:30")])
        ]
        return services.offering_create(
            actor=user_named(by), rnd=rnd, host_school=unit(host), slots=slot_in, **fields
        )

    return make
