"""Live classes' rows of the access matrix (tests/test_access_matrix.py).

Targets: a pair led by 中关村第一小学 (BJ-HD-S02) with 海淀实验小学 (BJ-HD-S01) as the partner,
owned by 海淀区; a lesson of t0007 (S02's master teacher) received by s00001's class
(BJ-HD-S01-G03-C1) with t0001 as its local tutor.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

RUNS_HD = {"hd_admin", "bj_admin", "admin"}
SEES_PAIR = RUNS_HD | {"t0001", "school_admin_01"}
SEES_SESSION = SEES_PAIR | {"s00001", "p00001"}
READS_REPORT = RUNS_HD | {"t0001", "school_admin_01"}
_days = itertools.count(3)


def live_setup() -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tongke.library.models import CatalogueNode
    from tongke.live import services
    from tongke.orgs.models import OrgUnit

    User = get_user_model()
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(
            code__in=["BJ-HD", "BJ-HD-S01", "BJ-HD-S02", "BJ-HD-S03", "BJ-HD-S01-G03-C1"]
        )
    }
    hd = User.objects.get(username="hd_admin")
    pair = services.partnership_create(
        actor=hd,
        region=units["BJ-HD"],
        kind="pair",
        name="矩阵 结对",
        lead_school=units["BJ-HD-S02"],
        members=[units["BJ-HD-S01"]],
    )
    node = CatalogueNode.objects.filter(kind="lesson").order_by("path").first()
    assert node is not None
    session = services.session_schedule(
        actor=hd,
        partnership=pair,
        host_school=units["BJ-HD-S02"],
        lesson=node,
        title="矩阵 直播课",
        starts_at=timezone.now() + timedelta(days=2),
        minutes=40,
        master=User.objects.get(username="t0007"),
        classrooms=[
            services.ClassroomIn(units["BJ-HD-S01-G03-C1"], User.objects.get(username="t0001"))
        ],
    )[0]
    return {
        "live_pair": pair.pk,
        "live_session": session.pk,
        "live_room": session.classrooms.get().pk,
        "live_node": node.pk,
        "live_hd": units["BJ-HD"].pk,
        "live_s02": units["BJ-HD-S02"].pk,
        "live_s03": units["BJ-HD-S03"].pk,
        "live_c1": units["BJ-HD-S01-G03-C1"].pk,
        "live_t0001": User.objects.get(username="t0001").pk,
        "live_t0007": User.objects.get(username="t0007").pk,
    }


def live_operations(i: dict[str, int], op: Callable[..., Any], h: Any) -> list[Any]:
    from django.utils import timezone

    signed_in, visible_then, only = h.signed_in, h.visible_then, h.only
    s, room = i.get("live_session", 0), i.get("live_room", 0)
    report_table: dict[str | None, int] = {None: 401} | {r: 200 for r in READS_REPORT}
    return [
        op(
            "GET",
            "/api/v1/live/partnerships",
            lambda: "/api/v1/live/partnerships",
            None,
            signed_in(200),
        ),
        op(
            "POST",
            "/api/v1/live/partnerships",
            lambda: "/api/v1/live/partnerships",
            lambda: {
                "region_id": i["live_hd"],
                "kind": "pair",
                "name": "矩阵 新结对",
                "lead_school_id": i["live_s02"],
                "member_ids": [i["live_s03"]],
            },
            signed_in(201, RUNS_HD),
        ),
        op(
            "GET",
            "/api/v1/live/partnerships/{partnership_id}",
            lambda: f"/api/v1/live/partnerships/{i['live_pair']}",
            None,
            visible_then(200, SEES_PAIR, set()),
        ),
        op(
            "PATCH",
            "/api/v1/live/partnerships/{partnership_id}",
            lambda: f"/api/v1/live/partnerships/{i['live_pair']}",
            lambda: {"name": "矩阵 结对（改名）"},
            visible_then(200, RUNS_HD, SEES_PAIR),
        ),
        op("GET", "/api/v1/live/calendar", lambda: "/api/v1/live/calendar", None, signed_in(200)),
        op(
            "POST",
            "/api/v1/live/sessions",
            lambda: "/api/v1/live/sessions",
            lambda: {
                "partnership_id": i["live_pair"],
                "host_school_id": i["live_s02"],
                "lesson_id": i["live_node"],
                "title": "矩阵 新直播课",
                "starts_at": (timezone.now() + timedelta(days=next(_days))).isoformat(),
                "minutes": 40,
                "master_id": i["live_t0007"],
                "classrooms": [{"class_id": i["live_c1"], "tutor_id": i["live_t0001"]}],
            },
            visible_then(201, RUNS_HD, SEES_PAIR),
        ),
        op(
            "GET",
            "/api/v1/live/sessions/{session_id}",
            lambda: f"/api/v1/live/sessions/{s}",
            None,
            visible_then(200, SEES_SESSION, set()),
        ),
        op(
            "POST",
            "/api/v1/live/sessions/{session_id}/cancel",
            lambda: f"/api/v1/live/sessions/{s}/cancel",
            lambda: {"following": False},
            visible_then(200, RUNS_HD, SEES_SESSION),
        ),
        op(
            "GET",
            "/api/v1/live/sessions/{session_id}/attendance",
            lambda: f"/api/v1/live/sessions/{s}/attendance",
            None,
            visible_then(200, SEES_SESSION, set()),
        ),
        op(
            "GET",
            "/api/v1/live/sessions/{session_id}/classrooms/{classroom_id}/report",
            lambda: f"/api/v1/live/sessions/{s}/classrooms/{room}/report",
            None,
            only(report_table, 404),
        ),
    ]
