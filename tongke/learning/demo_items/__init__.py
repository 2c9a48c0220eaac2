"""The demo question bank: junior-secondary mathematics (LRN-2 demo), kept as data.

Every knowledge point of ``learning/data/graph_junior_math.json`` has nine to fifteen items
here, of all seven kinds: parametric exercises with computed answers (solve 3x+5=20, evaluate
|−7|, the angle sum of a heptagon, the vertex of a parabola...) plus statements and concept
questions, each with an explanation, a difficulty on the IRT scale (-2 easy .. 2 hard),
expected minutes, and one or two knowledge points (``kp:<code>`` tags, the Q-matrix row). No
two items share a stem. The items sit in ``data/grade7.jsonl``, ``grade8.jsonl`` and
``grade9.jsonl``, one JSON object a line, points in textbook order; they were produced once
by seeded generators (in the project's history before the bank became data) and are edited
as data now. ``loader`` reads and checks them (the record format is described there);
``demo.seed_learning`` stores them as ``learning.Item`` rows.

``POINTS`` are the points with items, in bank order; ``load_items()`` is the whole bank.
"""

from __future__ import annotations

from tongke.learning.demo_items.loader import DemoDataError, DemoItem, load_items, point_codes

POINTS: tuple[str, ...] = point_codes()

__all__ = ["POINTS", "DemoDataError", "DemoItem", "load_items"]
