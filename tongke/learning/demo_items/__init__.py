"""The demo question bank: junior-secondary mathematics, made by code (LRN-2 demo).

Every knowledge point of ``data/graph_junior_math.json`` has a generator here: parametric
templates that compute their answers (solve 3x+5=20, evaluate |−7|, the angle sum of a
heptagon, the vertex of a parabola...) plus hand-written statements and concept questions.
``generate_items()`` runs them all with a fixed seed per point, so the bank is the same on
every machine: nine to fifteen items a point, all seven kinds, each with an explanation, a
difficulty on the IRT scale (-2 easy .. 2 hard, from the template and its numbers), expected
minutes, and one or two knowledge points (``kp:<code>`` tags, the Q-matrix row). No two items
share a stem. The items are ``interchange.model.Item`` objects; ``demo.seed_learning`` stores
them as ``learning.Item`` rows.

The package: ``base`` (number text, the ``Gen`` context, the registry), and the generators of
``grade7``, ``grade8`` and ``grade9``, which register themselves on import.
"""

from __future__ import annotations

from tongke.learning.demo_items import grade7, grade8, grade9  # noqa: F401 (they register)
from tongke.learning.demo_items.base import GENERATORS, SEED, DemoItem, generate_items

__all__ = ["GENERATORS", "SEED", "DemoItem", "generate_items"]
