"""Demo data for the learning platform (LRN-1, LRN-2): the junior-secondary mathematics
knowledge graph and its question bank.

The graph (160 knowledge points aligned to the PEP edition's chapters and lessons, with their
prerequisites) is imported from ``tongke/learning/data/graph_junior_math.json`` through the
graph import, as the ``admin`` user, so it is validated like any upload. The bank is read from
the data files of ``tongke.learning.demo_items`` (about 1,700 items of all seven kinds, each
tagged to one or two points) and stored with bulk inserts: ``learning.Item`` rows whose
``spec`` holds the neutral item as JSON, and the ``ItemPoint`` rows of the Q-matrix. Items
are shared with every region (no owner, scope path ""), family ``DEMO-<point>-<n>``, source
"demo".

Run after the library's catalogue is seeded (the points are aligned to its nodes). Both halves
are idempotent: when every demo point exists the graph is left alone (an administrator's edits
survive), and an existing demo bank is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from tongke.learning import graph
from tongke.learning.demo_items import load_items
from tongke.learning.models import Item, ItemPoint, KnowledgePoint
from tongke.learning.specs import item_to_spec

GRAPH_FILE = Path(__file__).resolve().parents[1] / "learning" / "data" / "graph_junior_math.json"
SUBJECT = "math"
SOURCE = "demo"
FAMILY_PREFIX = "DEMO-"
BATCH = 500


def seed_learning(*, actor: Any = None) -> dict[str, int]:
    """Import the demo graph and store the demo bank, unless they are there already.

    Returns counts: points and edges created by the import, items and Q-matrix rows created.
    """
    out = {"points": 0, "edges": 0, "items": 0, "item_points": 0}
    data = GRAPH_FILE.read_bytes()
    codes = [p["code"] for p in json.loads(data)["points"]]
    with transaction.atomic():
        if KnowledgePoint.objects.filter(code__in=codes).count() < len(codes):
            if actor is None:
                actor = get_user_model().objects.get(username="admin")
            report = graph.graph_import(actor=actor, name=GRAPH_FILE.name, data=data)
            if not report.ok:
                raise RuntimeError(
                    f"the demo knowledge graph did not import: {report.problems[:3]}"
                )
            out["points"], out["edges"] = report.points_created, report.edges_created
        if not Item.objects.filter(source=SOURCE, family__startswith=FAMILY_PREFIX).exists():
            out["items"], out["item_points"] = _store_bank()
    return out


def _store_bank() -> tuple[int, int]:
    demo = load_items()
    point_ids = dict(KnowledgePoint.objects.filter(subject=SUBJECT).values_list("code", "pk"))
    rows = [
        Item(
            family=d.family,
            version=1,
            is_current=True,
            kind=d.item.kind,
            subject=SUBJECT,
            stem=d.item.stem,
            stem_format=d.item.stem_format,
            spec=item_to_spec(d.item),
            explanation=d.item.explanation,
            difficulty=d.item.difficulty,
            minutes=d.minutes,
            source=SOURCE,
            owner=None,
            school=None,
            scope_path="",
        )
        for d in demo
    ]
    Item.objects.bulk_create(rows, batch_size=BATCH)
    item_ids = dict(
        Item.objects.filter(source=SOURCE, family__startswith=FAMILY_PREFIX).values_list(
            "family", "pk"
        )
    )
    links = [
        ItemPoint(item_id=item_ids[d.family], point_id=point_ids[code])
        for d in demo
        for code in d.points
    ]
    ItemPoint.objects.bulk_create(links, batch_size=BATCH)
    return len(rows), len(links)
