"""Every API operation x every role: the status each role gets.

The matrix must name every operation in the OpenAPI document: adding an operation without
adding its row here fails ``test_every_operation_is_in_the_matrix``.

Targets are objects of 海淀实验小学 (BJ-HD-S01) in the demo region, so that the answer
depends on where each role sits (see tongke/orgs/tests/test_policies.py for the cast).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from config.api import api
from tests.learning_matrix import learning_operations, learning_setup
from tests.library_matrix import library_operations, library_setup
from tests.live_matrix import live_operations, live_setup
from tongke.orgs.enums import Role
from tongke.orgs.models import OrgUnit, RoleAssignment

pytestmark = pytest.mark.django_db

ROLES = [
    None,
    "s00001",
    "p00001",
    "t0001",
    "learner01",
    "reviewer_bj",
    "school_admin_01",
    "hd_admin",
    "bj_admin",
    "he_admin",
    "admin",
]
ADMINS_OF_S01 = {"school_admin_01", "hd_admin", "bj_admin", "admin"}
ADMINS_OF_HD = {"hd_admin", "bj_admin", "admin"}
SIGNED_IN = [r for r in ROLES if r]
SEES_CLASS = ADMINS_OF_S01 | {"t0001", "s00001", "p00001"}

_seq = itertools.count(1)


def uniq(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


@dataclass
class Op:
    method: str
    path: str  # the OpenAPI path template
    url: Callable[[], str]
    body: Callable[[], dict[str, Any]] | None
    expect: Callable[[str | None], int]
    multipart: Callable[[], dict[str, Any]] | None = None  # a file upload instead of JSON


def course_setup(users: dict[str, int], units: dict[str, int]) -> dict[str, int]:
    """A first-come round for 海淀区 with two sections hosted by BJ-HD-S02; s00001 holds one."""
    from datetime import time, timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tongke.courses import services as courses

    User = get_user_model()
    hd = User.objects.get(pk=users["hd_admin"])
    host = OrgUnit.objects.get(pk=units["BJ-HD-S02"])
    now = timezone.now()
    rnd = courses.round_create(
        actor=hd,
        scope=OrgUnit.objects.get(pk=units["BJ-HD"]),
        name="matrix",
        mode="first_come",
        status="open",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        drop_until=now + timedelta(days=2),
        max_sections=5,
        max_credits=Decimal(20),
    )
    made = []
    for code, day in (("MX1", 1), ("MX2", 2)):
        made.append(
            courses.offering_create(
                actor=hd,
                rnd=rnd,
                host_school=host,
                slots=[courses.SlotIn(day, time(15), time(16))],
                code=code,
                title=code,
                mode="live_online",
                seats=10,
            )
        )
    picked = courses.selection_create(
        actor=User.objects.get(pk=users["s00001"]), offering=made[0]
    ).selection
    return {
        "round": rnd.pk,
        "offering": made[0].pk,
        "offering2": made[1].pk,
        "selection": picked.pk,
    }


def ids() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    users = dict(get_user_model().objects.values_list("username", "id"))
    units = dict(OrgUnit.objects.values_list("code", "id"))
    return (
        course_setup(users, units)
        | library_setup()
        | learning_setup()
        | live_setup()
        | {
            "BJ": units["BJ"],
            "BJ-HD": units["BJ-HD"],
            "S01": units["BJ-HD-S01"],
            "S02": units["BJ-HD-S02"],
            "C1": units["BJ-HD-S01-G03-C1"],
            "s00001": users["s00001"],
            "t0002": users["t0002"],
            "student_role": RoleAssignment.objects.get(
                user_id=users["s00001"], role=Role.STUDENT
            ).pk,
        }
    )


def signed_in(
    ok: int, who: set[str] | None = None, other: int = 403
) -> Callable[[str | None], int]:
    """401 for anonymous, ``ok`` for ``who`` (everyone signed in when None), else ``other``."""

    def expect(role: str | None) -> int:
        if role is None:
            return 401
        if who is None or role in who:
            return ok
        return other

    return expect


def public(ok: int = 200) -> Callable[[str | None], int]:
    return lambda role: ok


def visible_then(ok: int, allowed: set[str], visible: set[str]) -> Callable[[str | None], int]:
    """401 anonymous; ``ok`` if allowed; 403 if the object is visible but not theirs to
    change; 404 if they cannot see it at all."""

    def expect(role: str | None) -> int:
        if role is None:
            return 401
        if role in allowed:
            return ok
        return 403 if role in visible else 404

    return expect


SEES_STUDENT = ADMINS_OF_S01 | {"t0001", "s00001", "p00001"}
SEES_T0002 = ADMINS_OF_S01 | {"t0001"}
SEES_ROUND = ADMINS_OF_HD | {"school_admin_01", "t0001", "s00001", "p00001"}
DECIDERS = ADMINS_OF_S01 | {"t0001"}


def only(table: dict[str | None, int], default: int) -> Callable[[str | None], int]:
    return lambda role: table.get(role, default)


def operations(i: dict[str, int]) -> list[Op]:
    # Course operations first: the org operations below take s00001's student role away.
    return [
        *course_operations(i),
        *library_operations(i, Op, sys.modules[__name__]),
        *learning_operations(i, Op, sys.modules[__name__]),
        *live_operations(i, Op, sys.modules[__name__]),
        Op("GET", "/api/v1/regions", lambda: "/api/v1/regions", None, public()),
        Op(
            "GET",
            "/api/v1/regions/{region_id}",
            lambda: f"/api/v1/regions/{i['BJ']}",
            None,
            public(),
        ),
        Op(
            "POST",
            "/api/v1/regions",
            lambda: "/api/v1/regions",
            lambda: {
                "code": uniq("BJ-NEW"),
                "name": "新区",
                "level": "district",
                "parent_id": i["BJ"],
            },
            signed_in(201, {"bj_admin", "admin"}),
        ),
        Op(
            "PATCH",
            "/api/v1/regions/{region_id}",
            lambda: f"/api/v1/regions/{i['BJ-HD']}",
            lambda: {"name_en": "Haidian"},
            signed_in(200, ADMINS_OF_HD),
        ),
        Op("GET", "/api/v1/schools", lambda: "/api/v1/schools", None, public()),
        Op("GET", "/api/v1/schools/counts", lambda: "/api/v1/schools/counts", None, public()),
        Op(
            "GET",
            "/api/v1/schools/{school_id}",
            lambda: f"/api/v1/schools/{i['S01']}",
            None,
            public(),
        ),
        Op(
            "POST",
            "/api/v1/schools",
            lambda: "/api/v1/schools",
            lambda: {
                "region_id": i["BJ-HD"],
                "code": uniq("BJ-HD-NEW"),
                "name": "新学校",
                "school_type": "primary",
                "location_class": "urban",
            },
            signed_in(201, ADMINS_OF_HD),
        ),
        Op(
            "PATCH",
            "/api/v1/schools/{school_id}",
            lambda: f"/api/v1/schools/{i['S01']}",
            lambda: {"bandwidth_mbps": 900},
            signed_in(200, ADMINS_OF_S01),
        ),
        Op("GET", "/api/v1/classes", lambda: "/api/v1/classes", None, signed_in(200)),
        Op(
            "GET",
            "/api/v1/classes/{class_id}",
            lambda: f"/api/v1/classes/{i['C1']}",
            None,
            visible_then(200, SEES_CLASS, SEES_CLASS),
        ),
        Op(
            "POST",
            "/api/v1/classes",
            lambda: "/api/v1/classes",
            lambda: {
                "school_id": i["S01"],
                "grade_level": 3,
                "code": uniq("C-NEW"),
                "name": "三年级（9）班",
            },
            signed_in(201, ADMINS_OF_S01),
        ),
        Op(
            "PATCH",
            "/api/v1/classes/{class_id}",
            lambda: f"/api/v1/classes/{i['C1']}",
            lambda: {"name": "三年级（1）班"},
            visible_then(200, ADMINS_OF_S01, SEES_CLASS),
        ),
        Op(
            "GET",
            "/api/v1/classes/{class_id}/students",
            lambda: f"/api/v1/classes/{i['C1']}/students",
            None,
            visible_then(200, SEES_CLASS, SEES_CLASS),
        ),
        Op("GET", "/api/v1/people", lambda: "/api/v1/people", None, signed_in(200)),
        Op(
            "GET",
            "/api/v1/people/{person_id}",
            lambda: f"/api/v1/people/{i['s00001']}",
            None,
            visible_then(200, SEES_STUDENT, SEES_STUDENT),
        ),
        Op(
            "POST",
            "/api/v1/people",
            lambda: "/api/v1/people",
            lambda: {
                "username": uniq("newperson"),
                "full_name": "新同学",
                "role": "student",
                "unit_id": i["C1"],
            },
            visible_then(201, ADMINS_OF_S01, SEES_CLASS),
        ),
        Op(
            "PATCH",
            "/api/v1/people/{person_id}",
            lambda: f"/api/v1/people/{i['s00001']}",
            lambda: {"phone": "13800000000"},
            visible_then(200, ADMINS_OF_S01 | {"s00001"}, SEES_STUDENT),
        ),
        Op("GET", "/api/v1/roles", lambda: "/api/v1/roles", None, signed_in(200)),
        Op(
            "POST",
            "/api/v1/roles",
            lambda: "/api/v1/roles",
            lambda: {"user_id": i["t0002"], "role": "teacher", "unit_id": i["C1"]},
            visible_then(201, ADMINS_OF_S01, SEES_T0002 & SEES_CLASS),
        ),
        Op(
            "DELETE",
            "/api/v1/roles/{role_id}",
            lambda: f"/api/v1/roles/{i['student_role']}",
            None,
            visible_then(204, ADMINS_OF_S01, {"t0001", "s00001", "p00001"}),
        ),
        Op("GET", "/api/v1/me", lambda: "/api/v1/me", None, signed_in(200)),
        Op(
            "GET",
            "/api/v1/audit",
            lambda: "/api/v1/audit",
            None,
            signed_in(200, ADMINS_OF_S01 | {"he_admin"}),
        ),
        Op("GET", "/api/v1/notifications", lambda: "/api/v1/notifications", None, signed_in(200)),
        Op(
            "POST",
            "/api/v1/notifications/read",
            lambda: "/api/v1/notifications/read",
            lambda: {"ids": None},
            signed_in(200),
        ),
        Op("GET", "/api/v1/tokens", lambda: "/api/v1/tokens", None, signed_in(200)),
        Op(
            "POST",
            "/api/v1/tokens",
            lambda: "/api/v1/tokens",
            lambda: {"name": "ci"},
            signed_in(201),
        ),
        Op(
            "DELETE",
            "/api/v1/tokens/{token_id}",
            lambda: "/api/v1/tokens/{own}",
            None,
            signed_in(204),
        ),
    ]


def course_operations(i: dict[str, int]) -> list[Op]:
    r, o, o2, sel = i["round"], i["offering"], i["offering2"], i["selection"]
    sees_round_not: dict[str | None, int] = {k: 404 for k in ROLES if k and k not in SEES_ROUND}
    sees_round_not[None] = 401
    others: dict[str | None, int] = {k: 403 for k in SEES_ROUND if k != "s00001"}
    return [
        Op("GET", "/api/v1/courses/rounds", lambda: "/api/v1/courses/rounds", None, signed_in(200)),
        Op(
            "POST",
            "/api/v1/courses/rounds",
            lambda: "/api/v1/courses/rounds",
            lambda: {
                "scope_id": i["BJ-HD"],
                "name": "新一轮",
                "mode": "lottery",
                "opens_at": "2026-12-01T08:00:00+08:00",
                "closes_at": "2026-12-05T08:00:00+08:00",
                "drop_until": "2026-12-10T08:00:00+08:00",
            },
            signed_in(201, ADMINS_OF_HD),
        ),
        Op(
            "GET",
            "/api/v1/courses/rounds/{round_id}",
            lambda: f"/api/v1/courses/rounds/{r}",
            None,
            visible_then(200, SEES_ROUND, SEES_ROUND),
        ),
        Op(
            "PATCH",
            "/api/v1/courses/rounds/{round_id}",
            lambda: f"/api/v1/courses/rounds/{r}",
            lambda: {"name": "改名"},
            visible_then(200, ADMINS_OF_HD, SEES_ROUND),
        ),
        Op(
            "GET",
            "/api/v1/courses/rounds/{round_id}/fill",
            lambda: f"/api/v1/courses/rounds/{r}/fill",
            None,
            visible_then(200, ADMINS_OF_HD, SEES_ROUND),
        ),
        Op(
            "POST",
            "/api/v1/courses/rounds/{round_id}/draw",
            lambda: f"/api/v1/courses/rounds/{r}/draw",
            lambda: {},
            visible_then(400, ADMINS_OF_HD, SEES_ROUND),  # a first-come round has no lottery
        ),
        Op(
            "PUT",
            "/api/v1/courses/rounds/{round_id}/preferences",
            lambda: f"/api/v1/courses/rounds/{r}/preferences",
            lambda: {"offering_ids": []},
            only(
                {"s00001": 400, **others, **sees_round_not},
                404,
            ),
        ),
        Op(
            "GET",
            "/api/v1/courses/offerings",
            lambda: "/api/v1/courses/offerings",
            None,
            signed_in(200),
        ),
        Op(
            "POST",
            "/api/v1/courses/offerings",
            lambda: "/api/v1/courses/offerings",
            lambda: {
                "round_id": r,
                "host_school_id": i["S02"],
                "code": uniq("NEWC"),
                "title": "新课",
                "mode": "in_person",
                "seats": 5,
                "slots": [{"weekday": 5, "starts": "15:00", "ends": "16:00"}],
            },
            visible_then(201, ADMINS_OF_HD, SEES_ROUND),
        ),
        Op(
            "GET",
            "/api/v1/courses/offerings/{offering_id}",
            lambda: f"/api/v1/courses/offerings/{o}",
            None,
            visible_then(200, SEES_ROUND, SEES_ROUND),
        ),
        Op(
            "PATCH",
            "/api/v1/courses/offerings/{offering_id}",
            lambda: f"/api/v1/courses/offerings/{o}",
            lambda: {"seats": 12},
            visible_then(200, ADMINS_OF_HD, SEES_ROUND),
        ),
        Op(
            "GET",
            "/api/v1/courses/offerings/{offering_id}/roster",
            lambda: f"/api/v1/courses/offerings/{o}/roster",
            None,
            visible_then(200, ADMINS_OF_HD, SEES_ROUND),
        ),
        Op(
            "POST",
            "/api/v1/courses/offerings/{offering_id}/results",
            lambda: f"/api/v1/courses/offerings/{o}/results",
            lambda: {"student_id": i["s00001"], "grade": "A", "score": 92, "passed": True},
            visible_then(201, ADMINS_OF_HD, SEES_ROUND),
        ),
        Op(
            "POST",
            "/api/v1/courses/selections",
            lambda: "/api/v1/courses/selections",
            lambda: {"offering_id": o2},
            only(
                {"s00001": 201, **others, **sees_round_not},
                404,
            ),
        ),
        Op(
            "GET",
            "/api/v1/courses/selections",
            lambda: "/api/v1/courses/selections",
            None,
            signed_in(200),
        ),
        Op(
            "DELETE",
            "/api/v1/courses/selections/{selection_id}",
            lambda: f"/api/v1/courses/selections/{sel}",
            None,
            visible_then(200, ADMINS_OF_S01 | {"s00001"}, SEES_STUDENT),
        ),
        Op(
            "POST",
            "/api/v1/courses/selections/{selection_id}/decision",
            lambda: f"/api/v1/courses/selections/{sel}/decision",
            lambda: {"approve": True},
            visible_then(409, DECIDERS, SEES_STUDENT),  # enrolled already: nothing pending
        ),
        Op(
            "POST",
            "/api/v1/courses/selections/decisions",
            lambda: "/api/v1/courses/selections/decisions",
            lambda: {"ids": [sel], "approve": True},
            visible_then(200, DECIDERS, SEES_STUDENT),
        ),
        Op(
            "GET",
            "/api/v1/courses/results",
            lambda: "/api/v1/courses/results",
            None,
            signed_in(200),
        ),
        Op(
            "GET",
            "/api/v1/courses/home-timetables/{class_id}",
            lambda: f"/api/v1/courses/home-timetables/{i['C1']}",
            None,
            visible_then(200, SEES_CLASS, SEES_CLASS),
        ),
        Op(
            "PUT",
            "/api/v1/courses/home-timetables/{class_id}",
            lambda: f"/api/v1/courses/home-timetables/{i['C1']}",
            lambda: {
                "slots": [{"weekday": 1, "starts": "08:00", "ends": "08:45", "label": "语文"}]
            },
            visible_then(200, ADMINS_OF_S01, SEES_CLASS),
        ),
    ]


def documented_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_is_in_the_matrix():
    covered = {(op.method, op.path) for op in operations(dict.fromkeys(["BJ"], 0) | _zero_ids())}
    assert documented_operations() == covered


def _zero_ids() -> dict[str, int]:
    keys = ("BJ-HD", "S01", "S02", "C1", "s00001", "t0002", "student_role")
    library = ("lib_node", "lib_parent", "lib_r", "lib_v", "lib_d", "lib_package", "lib_asset")
    return {
        k: 0 for k in (*keys, *library, "lib_bj", "round", "offering", "offering2", "selection")
    }


def _token_id(client: Client) -> int:
    response = client.post("/api/v1/tokens", {"name": "matrix"}, content_type="application/json")
    assert response.status_code == 201
    return response.json()["id"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_access_matrix(role, client_for):
    i = ids()
    client = client_for(role)
    failures = []
    for op in operations(i):
        url = op.url()
        if "{own}" in url:
            url = url.replace("{own}", str(_token_id(client) if role else 1))
        body = op.body() if op.body else None
        if op.multipart is not None:
            response = client.post(url, data=op.multipart())
        else:
            response = client.generic(
                op.method,
                url,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
            )
        expected = op.expect(role)
        if response.status_code != expected:
            failures.append(
                f"{op.method} {op.path}: got {response.status_code}, expected {expected}"
            )
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), (op.method, url)
            payload = response.json()
            assert set(payload) == {"code", "message", "detail"}, payload
    assert not failures, "\n".join(failures)


def test_a_revoked_role_does_not_linger_across_requests(client_for, user_named):
    """Grants are read once per request: a role taken away is gone on the next request."""
    admin = client_for("school_admin_01")
    i = ids()
    teacher = client_for("t0001")
    assert teacher.get(f"/api/v1/classes/{i['C1']}").status_code == 200
    role = RoleAssignment.objects.get(user__username="t0001", unit_id=i["C1"], role=Role.TEACHER)
    assert admin.delete(f"/api/v1/roles/{role.pk}").status_code == 204
    # t0001 still teaches at the school (school-level role) but no longer this class:
    # the class stays visible (school teachers see the school's classes).
    assert teacher.get(f"/api/v1/classes/{i['C1']}").status_code == 200
    students = teacher.get(f"/api/v1/people/{i['s00001']}")
    assert students.status_code == 404
