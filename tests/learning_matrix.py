"""The learning platform's rows of the access matrix (tests/test_access_matrix.py).

Targets: the demo mathematics graph and bank; a practice assignment set by t0001 for
三年级（1）班 of 海淀实验小学 (BJ-HD-S01-G03-C1), which s00001 has started and in which they
gave a short answer waiting to be graded.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

REGION_ADMINS = {"hd_admin", "bj_admin", "he_admin", "admin"}
STAFF = {"t0001", "reviewer_bj", "school_admin_01", *REGION_ADMINS}
AUTHORS = STAFF - {"reviewer_bj"}
OVER_CLASS = {"t0001", "school_admin_01", "hd_admin", "bj_admin", "admin"}
ADMINS_OVER_CLASS = OVER_CLASS - {"t0001"}
SEES_CLASS = OVER_CLASS | {"s00001", "p00001"}
ASSIGNERS: dict[str | None, int] = {None: 401, "s00001": 403, "p00001": 403}
ASSIGNERS.update(dict.fromkeys(OVER_CLASS, 201))


def learning_setup() -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tongke.learning import graph, practice
    from tongke.learning.models import Item, LearnerState
    from tongke.orgs.models import OrgUnit

    User = get_user_model()
    t0001, s00001 = User.objects.get(username="t0001"), User.objects.get(username="s00001")
    order = graph.topological_order("math")
    edges = set(graph.edges_of("math"))
    first = order[0]
    last = next(p for p in reversed(order) if (first.pk, p.pk) not in edges)
    choice = Item.objects.filter(subject="math", kind="single", is_current=True).order_by("id")[0]
    essay = Item.objects.filter(subject="math", kind="short_answer", is_current=True).order_by(
        "id"
    )[0]
    klass = OrgUnit.objects.get(code="BJ-HD-S01-G03-C1")
    now = timezone.now()
    assignment = practice.assignment_create(
        actor=t0001,
        klass=klass,
        title="矩阵练习",
        kind="practice",
        items=[choice, essay],
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=2),
    )
    attempt = practice.attempt_start(actor=s00001, assignment=assignment)
    graded = practice.answer_submit(
        actor=s00001, attempt=attempt, item=essay, answer={"text": "因为两边同时减去 5。"}
    )
    state, _created = LearnerState.objects.get_or_create(student=s00001)
    state.state = {**state.state, "served": [choice.pk]}
    state.save()
    return {
        "kp_first": first.pk,
        "kp_last": last.pk,
        "kp_code": first.code,
        "item_choice": choice.pk,
        "item_choice_first": choice.spec["choices"][0]["id"],
        "assignment": assignment.pk,
        "attempt": attempt.pk,
        "response": graded.response.pk,
    }


def graph_upload() -> dict[str, Any]:
    body = {"subject": "matrix", "points": [{"code": "mx-1", "name": "矩阵点"}], "edges": []}
    buf = io.BytesIO(json.dumps(body, ensure_ascii=False).encode())
    buf.name = "graph.json"
    return {"file": buf}


def gift_upload() -> dict[str, Any]:
    buf = io.BytesIO(b"::q1:: 1 + 1 = {#2}\n")
    buf.name = "items.gift"
    return {"file": buf}


def learning_operations(i: dict[str, int], op: Callable[..., Any], h: Any) -> list[Any]:
    signed_in, public, visible_then, only, uniq = (
        h.signed_in,
        h.public,
        h.visible_then,
        h.only,
        h.uniq,
    )
    now = "2026-01-01T00:00:00Z"
    return [
        op(
            "GET",
            "/api/v1/learning/subjects/{subject}/points",
            lambda: "/api/v1/learning/subjects/math/points",
            None,
            public(),
        ),
        op(
            "GET",
            "/api/v1/learning/subjects/{subject}/graph",
            lambda: "/api/v1/learning/subjects/math/graph?fmt=csv",
            None,
            public(),
        ),
        op(
            "POST",
            "/api/v1/learning/points",
            lambda: "/api/v1/learning/points",
            lambda: {"subject": "math", "code": uniq("mx-point"), "name": "矩阵知识点"},
            signed_in(201, REGION_ADMINS),
        ),
        op(
            "POST",
            "/api/v1/learning/prerequisites",
            lambda: "/api/v1/learning/prerequisites",
            lambda: {"before_id": i["kp_first"], "after_id": i["kp_last"]},
            signed_in(201, REGION_ADMINS),
        ),
        op(
            "POST",
            "/api/v1/learning/graph/import",
            lambda: "/api/v1/learning/graph/import?dry_run=true",
            None,
            signed_in(200, REGION_ADMINS),
            multipart=graph_upload,
        ),
        op(
            "GET",
            "/api/v1/learning/items",
            lambda: "/api/v1/learning/items?subject=math&limit=5",
            None,
            signed_in(200, STAFF),
        ),
        op(
            "POST",
            "/api/v1/learning/items",
            lambda: "/api/v1/learning/items",
            lambda: {
                "subject": "math",
                "point_codes": [i["kp_code"]],
                "spec": {
                    "kind": "numeric",
                    "stem": "2 + 3 = ?",
                    "numeric_answers": [{"value": 5, "tolerance": 0}],
                },
            },
            signed_in(201, AUTHORS),
        ),
        op(
            "GET",
            "/api/v1/learning/items/{item_id}",
            lambda: f"/api/v1/learning/items/{i['item_choice']}",
            None,
            visible_then(200, STAFF, set()),
        ),
        op(
            "PUT",
            "/api/v1/learning/items/{item_id}",
            lambda: f"/api/v1/learning/items/{i['item_choice']}",
            lambda: {
                "point_codes": [i["kp_code"]],
                "spec": {
                    "kind": "true_false",
                    "stem": "0 是正数。",
                    "choices": [
                        {"id": "true", "text": "对", "correct": False, "weight": 0},
                        {"id": "false", "text": "错", "correct": True, "weight": 1},
                    ],
                },
            },
            visible_then(200, {"admin"}, STAFF),
        ),
        op(
            "POST",
            "/api/v1/learning/items/import",
            lambda: "/api/v1/learning/items/import?subject=math&dry_run=true",
            None,
            signed_in(200, AUTHORS),
            multipart=gift_upload,
        ),
        op(
            "GET",
            "/api/v1/learning/items/export",
            lambda: "/api/v1/learning/items/export?subject=math&fmt=gift&q=zzz-none",
            None,
            signed_in(200, STAFF),
        ),
        op(
            "GET",
            "/api/v1/learning/assignments",
            lambda: "/api/v1/learning/assignments",
            None,
            signed_in(200),
        ),
        op(
            "POST",
            "/api/v1/learning/assignments",
            lambda: "/api/v1/learning/assignments",
            lambda: {
                "class_id": i["C1"],
                "title": "矩阵作业",
                "kind": "practice",
                "item_ids": [i["item_choice"]],
                "opens_at": now,
                "due_at": "2099-01-01T00:00:00Z",
            },
            only(ASSIGNERS, 404),
        ),
        op(
            "GET",
            "/api/v1/learning/assignments/{assignment_id}",
            lambda: f"/api/v1/learning/assignments/{i['assignment']}",
            None,
            visible_then(200, SEES_CLASS, set()),
        ),
        op(
            "POST",
            "/api/v1/learning/assignments/{assignment_id}/attempt",
            lambda: f"/api/v1/learning/assignments/{i['assignment']}/attempt",
            None,
            visible_then(200, {"s00001"}, SEES_CLASS),
        ),
        op(
            "GET",
            "/api/v1/learning/attempts/{attempt_id}",
            lambda: f"/api/v1/learning/attempts/{i['attempt']}",
            None,
            visible_then(200, SEES_CLASS, set()),
        ),
        op(
            "POST",
            "/api/v1/learning/attempts/{attempt_id}/answers",
            lambda: f"/api/v1/learning/attempts/{i['attempt']}/answers",
            lambda: {"item_id": i["item_choice"], "answer": {"choice": i["item_choice_first"]}},
            visible_then(200, {"s00001"}, SEES_CLASS),
        ),
        op(
            "POST",
            "/api/v1/learning/attempts/{attempt_id}/submit",
            lambda: f"/api/v1/learning/attempts/{i['attempt']}/submit",
            None,
            visible_then(200, {"s00001"}, SEES_CLASS),
        ),
        op(
            "POST",
            "/api/v1/learning/responses/{response_id}/grade",
            lambda: f"/api/v1/learning/responses/{i['response']}/grade",
            lambda: {"score": 1},
            visible_then(200, OVER_CLASS, SEES_CLASS),
        ),
        op(
            "PUT",
            "/api/v1/learning/classes/{class_id}/homework-limit",
            lambda: f"/api/v1/learning/classes/{i['C1']}/homework-limit",
            lambda: {"minutes_per_day": 60},
            visible_then(200, ADMINS_OVER_CLASS, SEES_CLASS),
        ),
        op(
            "GET",
            "/api/v1/learning/practice/next",
            lambda: "/api/v1/learning/practice/next?subject=math",
            None,
            signed_in(200),
        ),
        op(
            "POST",
            "/api/v1/learning/practice/answers",
            lambda: "/api/v1/learning/practice/answers",
            lambda: {"item_id": i["item_choice"], "answer": {"choice": i["item_choice_first"]}},
            # Only the question practice served may be answered: s00001 was served this one.
            only({None: 401, "s00001": 200}, 409),
        ),
        op(
            "GET",
            "/api/v1/learning/learners/{learner_id}/mastery",
            lambda: f"/api/v1/learning/learners/{i['s00001']}/mastery",
            None,
            visible_then(200, SEES_CLASS, set()),
        ),
        op(
            "GET",
            "/api/v1/learning/learners/{learner_id}/recommendations",
            lambda: f"/api/v1/learning/learners/{i['s00001']}/recommendations",
            None,
            visible_then(200, SEES_CLASS, set()),
        ),
        op(
            "GET",
            "/api/v1/learning/classes/{class_id}/heatmap",
            lambda: f"/api/v1/learning/classes/{i['C1']}/heatmap",
            None,
            visible_then(200, OVER_CLASS, SEES_CLASS),
        ),
        op(
            "POST",
            "/api/v1/learning/subjects/{subject}/fit",
            lambda: "/api/v1/learning/subjects/math/fit",
            None,
            signed_in(202, REGION_ADMINS),
        ),
    ]
