"""The lesson library's rows of the access matrix (tests/test_access_matrix.py).

Targets: resources of t0001 (a teacher of 海淀实验小学, BJ-HD-S01) shared with all regions:
one published (R), one with a submitted version (V), one with a draft version (D, a lab
link that can be submitted); a package of R; a lesson node.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

REGION_ADMINS = {"hd_admin", "bj_admin", "he_admin", "admin"}
AUTHORS = {"t0001", "school_admin_01"}
SEES_DRAFTS = {"t0001", "school_admin_01", "hd_admin", "bj_admin", "admin", "reviewer_bj"}
TAKES_DOWN = {"reviewer_bj", "hd_admin", "bj_admin", "admin"}
DESIGNATES = {"hd_admin", "bj_admin", "admin"}
RUNS_BJ = {"bj_admin", "admin"}


def library_setup() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from tongke.library import services
    from tongke.library.enums import ResourceKind
    from tongke.library.models import MediaAsset
    from tongke.library.tests.factories import lesson, published, submitted
    from tongke.orgs.models import OrgUnit

    User = get_user_model()
    teacher, reviewer = User.objects.get(username="t0001"), User.objects.get(username="reviewer_bj")
    r = published(teacher, reviewer, kind=ResourceKind.COURSEWARE, title="矩阵 课件")
    v = submitted(teacher, title="矩阵 待审微课")
    node = lesson()
    d = services.resource_create(
        actor=teacher,
        kind=ResourceKind.LAB_LINK,
        node=node,
        title="矩阵 虚拟实验",
        licence="cc-by",
        visibility="all",
        external_url="https://www.geogebra.org/classic",
    )
    package = services.package_create(
        actor=teacher, node=node, title="矩阵 资源包", resource_ids=[r.pk]
    )
    asset = MediaAsset.objects.get(versions__resource=r)
    return {
        "lib_node": node.pk,
        "lib_parent": node.get_parent().pk,
        "lib_r": r.pk,
        "lib_v": v.versions.get().pk,
        "lib_d": d.versions.get().pk,
        "lib_package": package.pk,
        "lib_asset": asset.pk,
        "lib_bj": OrgUnit.objects.get(code="BJ").pk,
    }


def png_upload() -> dict[str, Any]:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "任务单.png"
    return {"file": buf}


def catalogue_upload() -> dict[str, Any]:
    buf = io.BytesIO(b"code,parent_code,kind,name\nMATRIX-COLL,,collection,Matrix collection\n")
    buf.name = "catalogue.csv"
    return {"file": buf}


def library_operations(i: dict[str, int], op: Callable[..., Any], h: Any) -> list[Any]:
    """``op`` builds an Op; ``h`` holds the matrix's helpers (signed_in, public, ...)."""
    signed_in, public, visible_then, only, uniq = (
        h.signed_in,
        h.public,
        h.visible_then,
        h.only,
        h.uniq,
    )
    everyone = set(h.SIGNED_IN)
    anon404 = {None: 404}
    return [
        op(
            "GET",
            "/api/v1/library/catalogue/nodes",
            lambda: "/api/v1/library/catalogue/nodes",
            None,
            public(),
        ),
        op(
            "GET",
            "/api/v1/library/catalogue/nodes/{node_id}",
            lambda: f"/api/v1/library/catalogue/nodes/{i['lib_node']}",
            None,
            public(),
        ),
        op(
            "POST",
            "/api/v1/library/catalogue/nodes",
            lambda: "/api/v1/library/catalogue/nodes",
            lambda: {
                "parent_id": i["lib_parent"],
                "kind": "lesson",
                "code": uniq("MATRIX-L"),
                "name": "矩阵课",
            },
            signed_in(201, REGION_ADMINS),
        ),
        op(
            "PATCH",
            "/api/v1/library/catalogue/nodes/{node_id}",
            lambda: f"/api/v1/library/catalogue/nodes/{i['lib_node']}",
            lambda: {"name_en": "Matrix lesson"},
            signed_in(200, REGION_ADMINS),
        ),
        op(
            "POST",
            "/api/v1/library/catalogue/import",
            lambda: "/api/v1/library/catalogue/import?dry_run=true",
            None,
            signed_in(200, REGION_ADMINS),
            multipart=catalogue_upload,
        ),
        op(
            "GET",
            "/api/v1/library/catalogue/export",
            lambda: f"/api/v1/library/catalogue/export?fmt=csv&root_id={i['lib_parent']}",
            None,
            public(),
        ),
        op(
            "GET",
            "/api/v1/library/catalogue/nodes/{node_id}/packages",
            lambda: f"/api/v1/library/catalogue/nodes/{i['lib_node']}/packages",
            None,
            public(),
        ),
        op("GET", "/api/v1/library/resources", lambda: "/api/v1/library/resources", None, public()),
        op(
            "GET",
            "/api/v1/library/resources/mine",
            lambda: "/api/v1/library/resources/mine",
            None,
            signed_in(200),
        ),
        op(
            "POST",
            "/api/v1/library/resources",
            lambda: "/api/v1/library/resources",
            lambda: {
                "kind": "plan",
                "node_id": i["lib_node"],
                "title": "矩阵 教学设计",
                "licence": "cc-by",
                "visibility": "region",
            },
            signed_in(201, AUTHORS),
        ),
        op(
            "GET",
            "/api/v1/library/resources/{resource_id}",
            lambda: f"/api/v1/library/resources/{i['lib_r']}",
            None,
            only(anon404, 200),
        ),
        op(
            "PATCH",
            "/api/v1/library/resources/{resource_id}",
            lambda: f"/api/v1/library/resources/{i['lib_r']}",
            lambda: {"licence": "cc-by-sa"},
            visible_then(200, {"t0001"}, everyone),
        ),
        op(
            "GET",
            "/api/v1/library/resources/{resource_id}/versions",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/versions",
            None,
            visible_then(200, SEES_DRAFTS, set()),
        ),
        op(
            "GET",
            "/api/v1/library/resources/{resource_id}/reviews",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/reviews",
            None,
            visible_then(200, SEES_DRAFTS, set()),
        ),
        op(
            "POST",
            "/api/v1/library/resources/{resource_id}/draft",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/draft",
            None,
            visible_then(200, {"t0001"}, everyone),
        ),
        op(
            "PATCH",
            "/api/v1/library/versions/{version_id}",
            lambda: f"/api/v1/library/versions/{i['lib_d']}",
            lambda: {"note": "请审阅"},
            visible_then(200, {"t0001"}, SEES_DRAFTS),
        ),
        op(
            "POST",
            "/api/v1/library/versions/{version_id}/submit",
            lambda: f"/api/v1/library/versions/{i['lib_d']}/submit",
            None,
            visible_then(200, {"t0001"}, SEES_DRAFTS),
        ),
        op(
            "GET",
            "/api/v1/library/review/queue",
            lambda: "/api/v1/library/review/queue",
            None,
            signed_in(200, {"reviewer_bj"}),
        ),
        op(
            "POST",
            "/api/v1/library/versions/{version_id}/review",
            lambda: f"/api/v1/library/versions/{i['lib_v']}/review",
            lambda: {
                "decision": "approve",
                "checklist": {
                    "accuracy": True,
                    "values": True,
                    "copyright": True,
                    "technical": True,
                },
            },
            visible_then(200, {"reviewer_bj"}, SEES_DRAFTS),
        ),
        op(
            "POST",
            "/api/v1/library/versions/{version_id}/withdraw",
            lambda: f"/api/v1/library/versions/{i['lib_v']}/withdraw",
            None,
            # The reviewer approved it a moment ago in their own run: nothing left to withdraw.
            visible_then(200, {"t0001"}, SEES_DRAFTS),
        ),
        op(
            "POST",
            "/api/v1/library/uploads",
            lambda: "/api/v1/library/uploads",
            None,
            signed_in(201, AUTHORS),
            multipart=png_upload,
        ),
        op(
            "GET",
            "/api/v1/library/assets/{asset_id}",
            lambda: f"/api/v1/library/assets/{i['lib_asset']}",
            None,
            only(anon404, 200),
        ),
        op(
            "PUT",
            "/api/v1/library/resources/{resource_id}/rating",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/rating",
            lambda: {"stars": 4},
            visible_then(200, everyone - {"t0001"}, everyone),
        ),
        op(
            "POST",
            "/api/v1/library/resources/{resource_id}/designations",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/designations",
            lambda: {"kind": "boutique"},
            visible_then(201, DESIGNATES, everyone),
        ),
        op(
            "GET",
            "/api/v1/library/regions/{region_id}/designations",
            lambda: f"/api/v1/library/regions/{i['lib_bj']}/designations",
            None,
            signed_in(200, RUNS_BJ),
        ),
        op(
            "PUT",
            "/api/v1/library/regions/{region_id}/designation-targets",
            lambda: f"/api/v1/library/regions/{i['lib_bj']}/designation-targets",
            lambda: {"kind": "boutique", "year": 2026, "target": 12},
            signed_in(200, RUNS_BJ),
        ),
        op(
            "POST",
            "/api/v1/library/resources/{resource_id}/take-down",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/take-down",
            lambda: {"reasons": "矩阵测试"},
            visible_then(200, TAKES_DOWN, everyone),
        ),
        op(
            "POST",
            "/api/v1/library/resources/{resource_id}/restore",
            lambda: f"/api/v1/library/resources/{i['lib_r']}/restore",
            lambda: {"reasons": ""},
            # Only those who took it down can restore; for others it is still published, and
            # the owner may see it but not restore it.
            visible_then(200, TAKES_DOWN, everyone),
        ),
        op(
            "POST",
            "/api/v1/library/packages",
            lambda: "/api/v1/library/packages",
            lambda: {"node_id": i["lib_node"], "title": "矩阵包二", "resource_ids": [i["lib_r"]]},
            signed_in(201, AUTHORS),
        ),
        op(
            "PUT",
            "/api/v1/library/packages/{package_id}/items",
            lambda: f"/api/v1/library/packages/{i['lib_package']}/items",
            lambda: {"resource_ids": [i["lib_r"]]},
            visible_then(200, {"t0001"}, everyone),
        ),
        op(
            "DELETE",
            "/api/v1/library/packages/{package_id}",
            lambda: f"/api/v1/library/packages/{i['lib_package']}",
            None,
            visible_then(204, {"t0001"}, everyone),
        ),
    ]
