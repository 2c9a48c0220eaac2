"""A knowledge graph drawn by the server as SVG, coloured by mastery (LRN-1, LRN-4).

Layout: layers by longest path from the points with no prerequisite (a point with none is
pulled down to just above the first point it unlocks, so it does not wait at the top), drawn
from top to bottom; within a layer, points are ordered by the barycentre of their neighbours
in the layers above and below (a few sweeps down and up), which removes most crossings.
Points are rounded rectangles with their name on up to two lines and the mastery percent;
edges are cubic curves with arrowheads. A point's fill goes from red through amber to green
with its mastery; grey means not yet assessed. A legend sits on top.

The page's Content-Security-Policy forbids inline styles, so the SVG uses presentation
attributes (``fill``, ``stroke``, ``font-size``) and ``class`` only: no ``style`` attribute and
no ``<style>`` element. Every text is escaped. The ``viewBox`` lets a page scale the drawing to
a phone's width (``max-width: 100%; height: auto``).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from tongke.learning.graph import longest_path_layers
from tongke.learning.models import KnowledgePoint

NODE_W = 150
NODE_H = 52
GAP_X = 18
GAP_Y = 54
MARGIN = 16
LEGEND_H = 44
FONT_SIZE = 12.5
LINE_EM = (NODE_W - 14) / FONT_SIZE  # room for one line, in ems
SWEEPS = 4

GREY = "#e5e7eb"
TEXT = "#1f2937"
STROKE = "#6b7280"
HIGHLIGHT = "#1d4ed8"
EDGE = "#9ca3af"
# Red, amber, green (pastel enough for dark text on top).
STOPS = ((0.0, (242, 139, 130)), (0.5, (251, 210, 122)), (1.0, (129, 201, 149)))


def mastery_colour(p: float | None) -> str:
    """The fill for a mastery 0..1 on a red-amber-green scale; grey for None."""
    if p is None:
        return GREY
    p = min(1.0, max(0.0, float(p)))
    for (x0, c0), (x1, c1) in pairwise(STOPS):
        if p <= x1:
            t = (p - x0) / (x1 - x0)
            rgb = (round(a + (b - a) * t) for a, b in zip(c0, c1, strict=True))
            return "#" + "".join(f"{v:02x}" for v in rgb)
    return "#" + "".join(f"{v:02x}" for v in STOPS[-1][1])


def _width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.56


def wrap_name(name: str, lines: int = 2, room: float = LINE_EM) -> list[str]:
    """The name on at most ``lines`` lines of ``room`` ems; the last one ends in "…" when
    the name does not fit."""
    name = " ".join(name.split())
    out: list[str] = []
    current, used = "", 0.0
    for ch in name:
        w = _width(ch)
        if used + w > room:
            out.append(current.rstrip())
            current, used = "", 0.0
            if len(out) == lines:  # more text than room: cut the last line short
                last = out[-1]
                while last and sum(_width(c) for c in last) + _width("…") > room:
                    last = last[:-1]
                out[-1] = last.rstrip() + "…"
                return out
            if ch == " ":
                continue
        current += ch
        used += w
    out.append(current)
    return out


def _order_layers(
    rows: list[list[int]], parents: Mapping[int, list[int]], children: Mapping[int, list[int]]
) -> list[list[int]]:
    """Barycentre ordering: each layer sorted by the mean slot of its neighbours in the
    layers already placed (sweeps down, then up); ties keep the current order."""

    def slots() -> dict[int, float]:
        out: dict[int, float] = {}
        for row in rows:
            middle = (len(row) - 1) / 2
            for i, node in enumerate(row):
                out[node] = i - middle
        return out

    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        sequence = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        for index in sequence:
            where = slots()
            row = rows[index]
            neighbours = parents if down else children
            middle = (len(row) - 1) / 2
            keyed = []
            for slot, node in enumerate(row):
                found = [where[n] for n in neighbours.get(node, ())]
                keyed.append((sum(found) / len(found) if found else slot - middle, slot, node))
            keyed.sort()
            rows[index] = [node for _bary, _slot, node in keyed]
    return rows


def _layout(
    ids: Sequence[int], edges: Sequence[tuple[int, int]]
) -> tuple[dict[int, tuple[float, float]], float, float]:
    """(top-left corner of each node, width, height)."""
    layer = longest_path_layers(ids, edges)
    parents: dict[int, list[int]] = defaultdict(list)
    children: dict[int, list[int]] = defaultdict(list)
    for before, after in edges:
        parents[after].append(before)
        children[before].append(after)
    # A point with no prerequisite sits just above the first point it unlocks.
    for node in ids:
        if not parents[node] and children[node]:
            layer[node] = max(0, min(layer[c] for c in children[node]) - 1)
    count = max(layer.values(), default=-1) + 1
    rows: list[list[int]] = [[] for _ in range(count)]
    for node in ids:  # curriculum order to start with
        rows[layer[node]].append(node)
    rows = _order_layers(rows, parents, children)
    widest = max((len(r) for r in rows), default=0)
    width = 2 * MARGIN + widest * NODE_W + max(0, widest - 1) * GAP_X
    width = max(width, 2 * MARGIN + 560)  # room for the legend
    height = 2 * MARGIN + LEGEND_H + count * NODE_H + max(0, count - 1) * GAP_Y
    place: dict[int, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        row_width = len(row) * NODE_W + max(0, len(row) - 1) * GAP_X
        left = (width - row_width) / 2
        top = MARGIN + LEGEND_H + r * (NODE_H + GAP_Y)
        for i, node in enumerate(row):
            place[node] = (left + i * (NODE_W + GAP_X), top)
    return place, width, height


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _percent(p: float | None) -> str:
    return "—" if p is None else f"{round(min(1.0, max(0.0, p)) * 100)}%"


def _legend() -> list[str]:
    out = [f'<g class="kg-legend" transform="translate({MARGIN},{MARGIN})">']
    out.append(f'<text x="0" y="14" fill="{TEXT}" font-size="12">{escape(_("Mastery"))}</text>')
    x = 64
    for p in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(
            f'<rect x="{x}" y="2" width="46" height="16" rx="3" fill="{mastery_colour(p)}" '
            f'stroke="{STROKE}" stroke-width="0.5"/>'
            f'<text x="{x + 23}" y="32" text-anchor="middle" fill="{TEXT}" '
            f'font-size="11">{_percent(p)}</text>'
        )
        x += 52
    out.append(
        f'<rect x="{x + 12}" y="2" width="46" height="16" rx="3" fill="{GREY}" '
        f'stroke="{STROKE}" stroke-width="0.5"/>'
        f'<text x="{x + 64}" y="14" fill="{TEXT}" font-size="11">'
        f"{escape(_('not yet assessed'))}</text>"
    )
    out.append("</g>")
    return out


def graph_svg(
    points: Sequence[KnowledgePoint],
    edges: Iterable[tuple[int, int]],
    mastery: Mapping[int, float | None],
    *,
    highlight: Iterable[int] = frozenset(),
    link: Callable[[KnowledgePoint], str] | None = None,
    title: Any = None,
    ident: str = "kg",
) -> str:
    """The graph of ``points`` (edges as (before_id, after_id); edges to points not drawn
    are left out) as an SVG document fragment.

    ``mastery`` maps point ids to 0..1 (missing or None: not yet assessed); ``highlight``
    points get a thick blue border; ``link`` gives each point's address (an ``<a>`` around
    it); ``title`` (text or a lazy translation) names the drawing for screen readers.
    ``ident`` prefixes the ids inside the SVG, so several drawings can share a page.
    """
    ids = [p.pk for p in points]
    drawn = set(ids)
    edge_list = sorted({(b, a) for b, a in edges if b in drawn and a in drawn and b != a})
    marked = set(highlight)
    place, width, height = _layout(ids, edge_list)
    label = title if title is not None else _("Knowledge graph")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kg" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-labelledby="{ident}-title" font-family="system-ui, sans-serif" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{ident}-title">{escape(str(label))}</title>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0 0L10 5L0 10z" fill="{EDGE}"/></marker></defs>',
        *_legend(),
        f'<g class="kg-edges" fill="none" stroke="{EDGE}" stroke-width="1.2" '
        f'marker-end="url(#{ident}-arrow)">',
    ]
    for before, after in edge_list:
        x1, y1 = place[before]
        x2, y2 = place[after]
        sx, sy = x1 + NODE_W / 2, y1 + NODE_H
        tx, ty = x2 + NODE_W / 2, y2 - 2
        bend = max(24.0, (ty - sy) / 2)
        out.append(
            f'<path d="M{_n(sx)} {_n(sy)}C{_n(sx)} {_n(sy + bend)} {_n(tx)} {_n(ty - bend)} '
            f'{_n(tx)} {_n(ty)}"/>'
        )
    out.append("</g>")
    out.append(f'<g class="kg-nodes" fill="{TEXT}" text-anchor="middle">')
    for point in points:
        x, y = place[point.pk]
        p = mastery.get(point.pk)
        lines = wrap_name(point.name)
        hint = f"{point.name} · {_percent(p)}" if p is not None else point.name
        if p is None:
            hint += f" · {_('not yet assessed')}"
        css = "kg-node kg-highlight" if point.pk in marked else "kg-node"
        stroke = (
            f'stroke="{HIGHLIGHT}" stroke-width="3"'
            if point.pk in marked
            else f'stroke="{STROKE}" stroke-width="1"'
        )
        cx = x + NODE_W / 2
        first = y + (20 if len(lines) > 1 else 26)
        parts = [
            f"<g class={quoteattr(css)} data-point={quoteattr(str(point.pk))}>",
            f"<title>{escape(hint)}</title>",
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{NODE_W}" height="{NODE_H}" rx="8" '
            f'fill="{mastery_colour(p)}" {stroke}/>',
            f'<text x="{_n(cx)}" y="{_n(first)}">',
        ]
        for i, line in enumerate(lines):
            parts.append(f'<tspan x="{_n(cx)}" dy="{0 if i == 0 else 15}">{escape(line)}</tspan>')
        parts.append("</text>")
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(y + NODE_H - 6)}" font-size="10">{_percent(p)}</text>'
        )
        parts.append("</g>")
        node = "".join(parts)
        if link is not None:
            node = f"<a href={quoteattr(link(point))}>{node}</a>"
        out.append(node)
    out.append("</g></svg>")
    return "\n".join(out)
