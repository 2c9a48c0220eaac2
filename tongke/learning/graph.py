"""The knowledge graph (LRN-1): writes, reads, import and export.

Per subject, knowledge points (``KnowledgePoint``) joined by prerequisite edges
(``Prerequisite``: ``before`` must be learnt before ``after``). The graph is a DAG: an edge that
would close a cycle is refused with the cycle's path (``learning.graph_cycle``). Each point may
be aligned to a chapter or lesson of the library catalogue (``node``). Only superusers and regional
administrators edit graphs (``policies.can_edit_graph``); every write runs in one transaction,
validates, and leaves an audit event with scope path "" (graphs belong to the installation,
like the catalogue). Graph writes of one subject are serialized by locking the subject's first
point, so two concurrent edges cannot close a cycle together.

``graph_import`` reads a subject's graph, detected by content, from

- JSON::

    {"subject": "math", "stage": "junior",
     "points": [{"code": "jm-abs", "name": "绝对值", "name_en": "Absolute value",
                 "grade_level": 7, "node_code": "J-MATH-PEP-7A-C1-L2", "description": ""}],
     "edges": [["jm-number-line", "jm-abs"]]}

  ``stage`` may also be given per point; ``edges`` are ``[before_code, after_code]`` pairs.
- CSV (UTF-8, a byte-order mark is fine) with the header
  ``type,subject,code,name,name_en,stage,grade_level,node_code,description,before,after``
  (only ``type`` is required; the other columns as needed): a ``point`` row gives the point
  columns (and the one ``subject`` of the file), an ``edge`` row gives ``before`` and ``after``.

It checks everything first and reports every problem with its place (a CSV line or a JSON
pointer) and a stable code: bad or duplicate codes, codes of another subject, unknown catalogue
nodes, unknown points in edges, self-loops, duplicate edges, and a cycle among the existing and
the new edges (Kahn's algorithm; one cycle's path is reported). Only a file without problems is
written, in one transaction. Points are matched by code and edges by their ends, so importing
the same file twice creates nothing; changed fields are updated. An import only adds and
updates: points and edges missing from the file are kept. ``graph_export`` writes the same
formats, so an export imports back into an empty subject unchanged.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import re
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.learning import policies
from tongke.learning.errors import LearningError
from tongke.learning.models import KnowledgePoint, Prerequisite
from tongke.library.enums import NodeKind, Stage
from tongke.library.models import CatalogueNode
from tongke.orgs.enums import GRADE_LEVEL_MAX, GRADE_LEVEL_MIN

# --- Limits and error codes ----------------------------------------------------------------

MAX_BYTES = 5 * 1024 * 1024
MAX_POINTS = 20_000
MAX_EDGES = 100_000
MAX_PROBLEMS = 1000
CHUNK = 500

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
SUBJECT_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# Control characters, and lone surrogates (half of a UTF-16 pair, which cannot be stored).
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # keeps lines
FORMULA_CHARS = ("=", "+", "-", "@")
TEXT_LIMITS = {"name": 200, "name_en": 200, "description": 2000}
NODE_KINDS = (NodeKind.CHAPTER, NodeKind.LESSON, NodeKind.TOPIC)
STAGES = frozenset(Stage.values)
POINT_FIELDS = (
    "subject",
    "code",
    "name",
    "name_en",
    "stage",
    "grade_level",
    "node",
    "description",
    "position",
)
UPDATABLE = ("code", "name", "name_en", "stage", "grade_level", "node", "description", "position")
IMPORTED = ("name", "name_en", "stage", "grade_level", "node", "description")
POINT_KEYS = frozenset(
    {"code", "name", "name_en", "stage", "grade_level", "node_code", "description"}
)
TOP_KEYS = frozenset({"subject", "stage", "points", "edges"})
CSV_COLUMNS = (
    "type",
    "subject",
    "code",
    "name",
    "name_en",
    "stage",
    "grade_level",
    "node_code",
    "description",
    "before",
    "after",
)

FORBIDDEN = LearningError.GRAPH_FORBIDDEN
CYCLE = LearningError.GRAPH_CYCLE
SELF_LOOP = LearningError.GRAPH_SELF_LOOP
CROSS_SUBJECT = LearningError.GRAPH_CROSS_SUBJECT
CODE_TAKEN = LearningError.GRAPH_CODE_TAKEN
DUPLICATE_CODE = LearningError.GRAPH_DUPLICATE_CODE
DUPLICATE_EDGE = LearningError.GRAPH_DUPLICATE_EDGE
UNKNOWN_POINT = LearningError.GRAPH_UNKNOWN_POINT
UNKNOWN_NODE = LearningError.GRAPH_UNKNOWN_NODE
BAD_NODE = LearningError.GRAPH_BAD_NODE
BAD_CODE = LearningError.GRAPH_BAD_CODE
BAD_SUBJECT = LearningError.GRAPH_BAD_SUBJECT
BAD_VALUE = LearningError.GRAPH_BAD_VALUE
BAD_FIELD = LearningError.GRAPH_BAD_FIELD
NAME_REQUIRED = LearningError.GRAPH_NAME_REQUIRED
TOO_LONG = LearningError.GRAPH_TOO_LONG
CONTROL_CHAR = LearningError.GRAPH_CONTROL_CHAR
FORMULA = LearningError.GRAPH_FORMULA
TOO_LARGE = LearningError.GRAPH_TOO_LARGE
TOO_MANY = LearningError.GRAPH_TOO_MANY
BAD_UTF8 = "learning.graph_bad_utf8"
BAD_JSON = LearningError.GRAPH_BAD_JSON
BAD_CSV = LearningError.GRAPH_BAD_CSV
BAD_HEADER = LearningError.GRAPH_BAD_HEADER
EMPTY = LearningError.GRAPH_EMPTY
BUSY = LearningError.GRAPH_BUSY

Format = Literal["json", "csv"]
K = TypeVar("K", bound=Hashable)


# --- Permission ----------------------------------------------------------------------------


def _require_editor(actor: Any) -> None:
    if not policies.can_edit_graph(actor):
        raise PermissionDenied(
            _("Only regional administrators may change the knowledge graph."), code=FORBIDDEN
        )


# --- Graph algorithms (plain ids or codes, no database) ------------------------------------


def kahn_order(
    nodes: Sequence[K], edges: Iterable[tuple[K, K]], key: Mapping[K, Any] | None = None
) -> tuple[list[K], list[K]]:
    """Kahn's algorithm: (the nodes in a topological order, the nodes left on a cycle or
    behind one). Among nodes ready at once, the smallest ``key`` (default: order in
    ``nodes``) comes first, so the order is deterministic."""
    rank = key if key is not None else {n: i for i, n in enumerate(nodes)}
    children: dict[K, list[K]] = defaultdict(list)
    indegree: dict[K, int] = dict.fromkeys(nodes, 0)
    for before, after in edges:
        if before in indegree and after in indegree:
            children[before].append(after)
            indegree[after] += 1
    ready = [(rank[n], i, n) for i, n in enumerate(nodes) if indegree[n] == 0]
    heapq.heapify(ready)
    index = {n: i for i, n in enumerate(nodes)}
    order: list[K] = []
    while ready:
        _rank, _i, node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, (rank[child], index[child], child))
    placed = set(order)
    return order, [n for n in nodes if n not in placed]


def find_cycle(nodes: Iterable[K], edges: Iterable[tuple[K, K]]) -> list[K]:
    """One cycle among ``nodes`` as a closed path ``[a, b, ..., a]``, or [] when none.

    Depth-first search without recursion; meant for the nodes Kahn's algorithm left over."""
    members = set(nodes)
    children: dict[K, list[K]] = defaultdict(list)
    for before, after in edges:
        if before in members and after in members:
            children[before].append(after)
    state: dict[K, int] = {}  # 1: on the current path, 2: done
    for start in sorted(members, key=repr):
        if start in state:
            continue
        path: list[K] = [start]
        state[start] = 1
        stack = [iter(children[start])]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(children[child]))
    return []


def longest_path_layers(nodes: Sequence[K], edges: Iterable[tuple[K, K]]) -> dict[K, int]:
    """Each node's layer: 0 for a node with no prerequisite, else one more than its deepest
    prerequisite (longest-path layering). Nodes on a cycle go below everything else."""
    edge_list = [(b, a) for b, a in edges]
    order, left = kahn_order(nodes, edge_list)
    parents: dict[K, list[K]] = defaultdict(list)
    for before, after in edge_list:
        parents[after].append(before)
    layer: dict[K, int] = {}
    for node in order:
        layer[node] = max((layer[p] + 1 for p in parents[node] if p in layer), default=0)
    bottom = max(layer.values(), default=-1) + 1
    for node in left:
        layer[node] = bottom
    return layer


def _path_between(start: K, goal: K, children: Mapping[K, Iterable[K]]) -> list[K]:
    """A shortest path start -> ... -> goal along ``children`` (breadth first), or []."""
    came: dict[K, K | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path: list[K] = []
            at: K | None = node
            while at is not None:
                path.append(at)
                at = came[at]
            return path[::-1]
        for child in children.get(node, ()):
            if child not in came:
                came[child] = node
                queue.append(child)
    return []


# --- Checks shared by the services and the import ------------------------------------------


def _text_problem(name: str, value: str) -> tuple[str, str] | None:
    control = CONTROL_IN_TEXT if name == "description" else CONTROL
    if control.search(value):
        return CONTROL_CHAR, str(_("The text holds a tab, line break or other control character."))
    if value.startswith(FORMULA_CHARS):
        return FORMULA, str(
            _("The text starts with “%(char)s”, which spreadsheets run as a formula. Remove it.")
            % {"char": value[0]}
        )
    limit = TEXT_LIMITS[name]
    if len(value) > limit:
        return TOO_LONG, str(_("The text is longer than %(limit)s characters.") % {"limit": limit})
    return None


def _grade_message() -> str:
    return str(
        _("The grade level must be a whole number from %(min)s to %(max)s.")
        % {"min": GRADE_LEVEL_MIN, "max": GRADE_LEVEL_MAX}
    )


def _subject_problem(subject: Any) -> str | None:
    if not isinstance(subject, str) or not SUBJECT_RE.match(subject):
        return str(
            _(
                "“%(value)s” is not a valid subject: use up to 32 lower-case letters, digits, "
                "hyphens and underscores, starting with a letter."
            )
            % {"value": str(subject)[:40]}
        )
    return None


def _field_problems(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, code, message) for each bad value among a point's own fields."""
    out: list[tuple[str, str, str]] = []
    if "code" in values and not CODE_RE.match(values["code"]):
        message = (
            _("A code is required.")
            if not values["code"]
            else _(
                "“%(value)s” is not a valid code: use up to 80 letters, digits, dots, "
                "hyphens and underscores, starting with a letter or digit."
            )
            % {"value": values["code"][:100]}
        )
        out.append(("code", BAD_CODE, str(message)))
    if "name" in values and not values["name"]:
        out.append(("name", NAME_REQUIRED, str(_("A name is required."))))
    for name in TEXT_LIMITS:
        if values.get(name):
            problem = _text_problem(name, values[name])
            if problem:
                out.append((name, *problem))
    stage = values.get("stage")
    if stage and stage not in STAGES:
        out.append(
            (
                "stage",
                BAD_VALUE,
                str(
                    _("“%(value)s” is not a stage; use one of: %(allowed)s.")
                    % {"value": str(stage)[:40], "allowed": ", ".join(Stage.values)}
                ),
            )
        )
    grade = values.get("grade_level")
    if grade is not None and (
        isinstance(grade, bool)
        or not isinstance(grade, int)
        or not GRADE_LEVEL_MIN <= grade <= GRADE_LEVEL_MAX
    ):
        out.append(("grade_level", BAD_VALUE, _grade_message()))
    return out


def _node_problem(node: CatalogueNode, subject: str) -> str | None:
    if node.kind not in NODE_KINDS:
        return str(
            _("The catalogue node %(code)s is a %(kind)s; align points to a chapter or lesson.")
            % {"code": node.code, "kind": node.get_kind_display()}
        )
    if node.subject and node.subject != subject:
        return str(
            _("The catalogue node %(code)s belongs to the subject %(other)s, not %(subject)s.")
            % {"code": node.code, "other": node.subject, "subject": subject}
        )
    return None


def _raise_first(problems: list[tuple[str, str, str]]) -> None:
    if problems:
        _field, code, message = problems[0]
        raise Invalid(message, code=code, detail={f: m for f, _c, m in problems})


def _clean(point: KnowledgePoint) -> None:
    try:
        point.full_clean()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        if "code" in detail:
            raise _code_taken(point.code) from exc
        first = next(iter(detail.values()))[0]
        raise Invalid(first, code=BAD_VALUE, detail=detail) from exc


def _code_taken(code: str) -> Conflict:
    return Conflict(
        _("The code %(code)s is already used by a knowledge point.") % {"code": code},
        code=CODE_TAKEN,
    )


def _lock_subject(subject: str) -> None:
    """Serialize the graph writes of one subject: lock its first point (PostgreSQL; SQLite
    transactions already hold the database's write lock)."""
    list(
        KnowledgePoint.objects.select_for_update()
        .filter(subject=subject)
        .order_by("id")
        .values_list("id", flat=True)[:1]
    )


def _cycle_message(names: Sequence[str]) -> str:
    return str(_("The prerequisites would form a cycle: %(cycle)s.") % {"cycle": " → ".join(names)})


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def point_create(
    *,
    actor: Any,
    subject: str,
    code: str,
    name: str,
    name_en: str = "",
    stage: str = "",
    grade_level: int | None = None,
    node: CatalogueNode | None = None,
    description: str = "",
) -> KnowledgePoint:
    """Add a knowledge point at the end of its subject's graph."""
    _require_editor(actor)
    subject = subject.strip()
    problem = _subject_problem(subject)
    if problem:
        raise Invalid(problem, code=BAD_SUBJECT, detail={"subject": problem})
    values: dict[str, Any] = {
        "code": code.strip(),
        "name": name.strip(),
        "name_en": name_en.strip(),
        "stage": stage.strip(),
        "grade_level": grade_level,
        "description": description.strip(),
    }
    _raise_first(_field_problems(values))
    if node is not None:
        problem = _node_problem(node, subject)
        if problem:
            raise Invalid(problem, code=BAD_NODE, detail={"node": problem})
    if KnowledgePoint.objects.filter(code=values["code"]).exists():
        raise _code_taken(values["code"])
    last = KnowledgePoint.objects.filter(subject=subject).aggregate(m=Max("position"))["m"]
    point = KnowledgePoint(
        subject=subject, node=node, position=0 if last is None else last + 1, **values
    )
    _clean(point)
    try:
        with transaction.atomic():
            point.save()
    except IntegrityError as exc:  # a concurrent create took the code
        raise _code_taken(values["code"]) from exc
    audit_record(
        actor=actor,
        action="knowledge_point.create",
        target=point,
        changes=diff({}, snapshot(point, POINT_FIELDS)),
    )
    return point


@transaction.atomic
def point_update(*, actor: Any, point: KnowledgePoint, **fields: Any) -> KnowledgePoint:
    """Change a point's code, names, stage, grade level, catalogue node, description or
    position. The subject cannot change (the point's edges stay within it)."""
    _require_editor(actor)
    point = KnowledgePoint.objects.select_for_update().get(pk=point.pk)
    before = snapshot(point, POINT_FIELDS)
    for key, value in fields.items():
        if key not in UPDATABLE:
            raise Invalid(
                _("The field %(field)s cannot be changed here.") % {"field": key},
                code=BAD_FIELD,
                detail={key: "unknown or read-only field"},
            )
        if key == "node":
            if value is not None:
                problem = _node_problem(value, point.subject)
                if problem:
                    raise Invalid(problem, code=BAD_NODE, detail={"node": problem})
        elif key in ("grade_level", "position"):
            pass
        else:
            value = str(value).strip()
        setattr(point, key, value)
    _raise_first(
        _field_problems(
            {k: getattr(point, k) for k in ("code", "name", "name_en", "stage", "grade_level")}
            | {"description": point.description}
        )
    )
    if KnowledgePoint.objects.filter(code=point.code).exclude(pk=point.pk).exists():
        raise _code_taken(point.code)
    _clean(point)
    point.save()
    after = snapshot(point, POINT_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            action="knowledge_point.update",
            target=point,
            changes=diff(before, after),
        )
    return point


@transaction.atomic
def prerequisite_add(*, actor: Any, before: KnowledgePoint, after: KnowledgePoint) -> Prerequisite:
    """Make ``before`` a prerequisite of ``after`` (idempotent: an existing edge is returned).

    Refuses an edge between subjects, a self-loop, and an edge that would close a cycle; the
    cycle's path (codes, closed) is in ``detail["cycle"]``."""
    _require_editor(actor)
    if before.pk == after.pk:
        raise Invalid(
            _("A knowledge point cannot be its own prerequisite."),
            code=SELF_LOOP,
            detail={"cycle": [before.code, before.code]},
        )
    if before.subject != after.subject:
        raise Invalid(
            _("A prerequisite must belong to the same subject as the point it unlocks."),
            code=CROSS_SUBJECT,
        )
    _lock_subject(after.subject)
    existing = Prerequisite.objects.filter(before=before, after=after).first()
    if existing is not None:
        return existing
    children: dict[int, list[int]] = defaultdict(list)
    for b, a in edges_of(after.subject):
        children[b].append(a)
    path = _path_between(after.pk, before.pk, children)
    if path:
        ids = [before.pk, *path]
        names = dict(KnowledgePoint.objects.filter(pk__in=ids).values_list("pk", "code"))
        codes = [names[i] for i in ids]
        raise Invalid(_cycle_message(codes), code=CYCLE, detail={"cycle": codes})
    edge = Prerequisite(before=before, after=after)
    try:
        edge.full_clean()
    except ValidationError as exc:
        raise Invalid(exc.messages[0], code=BAD_VALUE) from exc
    edge.save()
    audit_record(
        actor=actor,
        action="prerequisite.add",
        target=edge,
        target_label=f"{before.code} → {after.code}",
        changes={"before": [None, before.code], "after": [None, after.code]},
    )
    return edge


@transaction.atomic
def prerequisite_remove(*, actor: Any, before: KnowledgePoint, after: KnowledgePoint) -> bool:
    """Remove the edge ``before`` -> ``after``; False when there was none."""
    _require_editor(actor)
    edge = Prerequisite.objects.filter(before=before, after=after).first()
    if edge is None:
        return False
    audit_record(
        actor=actor,
        action="prerequisite.remove",
        target=edge,
        target_label=f"{before.code} → {after.code}",
        changes={"before": [before.code, None], "after": [after.code, None]},
    )
    edge.delete()
    return True


# --- Reads ---------------------------------------------------------------------------------


def subjects() -> list[str]:
    """The subjects that have a knowledge graph."""
    return list(
        KnowledgePoint.objects.order_by("subject").values_list("subject", flat=True).distinct()
    )


def points_of(subject: str) -> list[KnowledgePoint]:
    """The subject's points in curriculum order, with their catalogue nodes."""
    return list(
        KnowledgePoint.objects.filter(subject=subject)
        .select_related("node")
        .order_by("position", "id")
    )


def edges_of(subject: str) -> list[tuple[int, int]]:
    """The subject's edges as (before_id, after_id)."""
    return list(
        Prerequisite.objects.filter(after__subject=subject)
        .order_by("after_id", "before_id")
        .values_list("before_id", "after_id")
    )


def prerequisites_closure(point: KnowledgePoint) -> list[KnowledgePoint]:
    """Every point that must come before ``point`` (all ancestors), nearest first; points at
    the same distance in curriculum order."""
    parents: dict[int, list[int]] = defaultdict(list)
    for before, after in edges_of(point.subject):
        parents[after].append(before)
    distance: dict[int, int] = {point.pk: 0}
    queue = deque([point.pk])
    while queue:
        node = queue.popleft()
        for parent in parents[node]:
            if parent not in distance:
                distance[parent] = distance[node] + 1
                queue.append(parent)
    del distance[point.pk]
    found = KnowledgePoint.objects.filter(pk__in=list(distance)).select_related("node")
    return sorted(found, key=lambda p: (distance[p.pk], p.position, p.pk))


def topological_order(subject: str) -> list[KnowledgePoint]:
    """The subject's points so that every prerequisite comes before what it unlocks; among
    points free at the same time, curriculum order first."""
    points = points_of(subject)
    by_id = {p.pk: p for p in points}
    order, left = kahn_order(list(by_id), edges_of(subject))
    if left:  # cannot happen through the services; say so rather than drop points
        raise Conflict(_("The knowledge graph holds a cycle."), code=CYCLE)
    return [by_id[i] for i in order]


def layers(subject: str) -> list[list[KnowledgePoint]]:
    """The subject's points in layers for drawing: a point sits one layer below its deepest
    prerequisite (longest-path layering); within a layer, curriculum order."""
    points = points_of(subject)
    layer = longest_path_layers([p.pk for p in points], edges_of(subject))
    out: list[list[KnowledgePoint]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for point in points:
        out[layer[point.pk]].append(point)
    return out


# --- Import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    code: str
    message: str
    line: int | None = None  # CSV: the line the row starts on
    pointer: str = ""  # JSON: the RFC 6901 pointer ("" = the document)
    field: str = ""

    @property
    def where(self) -> str:
        if self.line is not None:
            place = str(_("line %(line)s") % {"line": self.line})
            return place + (f", {self.field}" if self.field else "")
        if self.field:
            return f"{self.pointer}/{self.field.replace('~', '~0').replace('/', '~1')}"
        return self.pointer or "/"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "where": self.where}


@dataclass
class ImportReport:
    """What a graph import found and did. When ``ok`` is False nothing was stored."""

    name: str
    format: str = ""
    subject: str = ""
    dry_run: bool = False
    points_created: int = 0
    points_updated: int = 0
    points_unchanged: int = 0
    edges_created: int = 0
    edges_unchanged: int = 0
    cycle: list[str] = field(default_factory=list)  # codes of one cycle found, closed
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def codes(self) -> set[str]:
        return {p.code for p in self.problems}

    def add(self, code: str, message: Any, **where: Any) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ImportProblem(code=code, message=str(message), **where))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "subject": self.subject,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "points_created": self.points_created,
            "points_updated": self.points_updated,
            "points_unchanged": self.points_unchanged,
            "edges_created": self.edges_created,
            "edges_unchanged": self.edges_unchanged,
            "cycle": self.cycle,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
        }


class _Stop(Exception):
    """Reading stops: the file as a whole cannot be used (already reported)."""


@dataclass(eq=False)
class _Point:
    where: dict[str, Any]
    values: dict[str, Any]  # code, name and the other fields the file gives
    node_code: str | None = None  # None: not given; "": no node
    valid: bool = True
    existing: KnowledgePoint | None = None
    node: CatalogueNode | None = None

    @property
    def code(self) -> str:
        return str(self.values.get("code", ""))


@dataclass(eq=False)
class _Edge:
    where: dict[str, Any]
    before: str
    after: str
    valid: bool = True


class _Reader:
    """Turns the file into points and edges, reporting what is wrong with each."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.subject: str | None = None
        self.stage = ""
        self.points: list[_Point] = []
        self.edges: list[_Edge] = []

    def problem(self, where: dict[str, Any], code: str, message: Any, fld: str = "") -> None:
        self.report.add(code, message, field=fld, **where)

    def point(self, where: dict[str, Any], raw: Mapping[str, Any]) -> None:
        if len(self.points) >= MAX_POINTS:
            self.problem(
                where, TOO_MANY, _("The file holds more than %(n)s points.") % {"n": MAX_POINTS}
            )
            raise _Stop
        values: dict[str, Any] = {}
        ok = True
        for key in ("code", "name", "name_en", "stage", "description", "node_code"):
            value = raw.get(key)
            if value is None:
                if key in ("code", "name"):
                    values[key] = ""
                continue
            if not isinstance(value, str):
                self.problem(where, BAD_VALUE, _("The value must be text."), key)
                ok = False
                continue
            values[key] = value.strip()
        if "grade_level" in raw:
            grade = _parse_grade(raw["grade_level"])
            if grade is False:
                self.problem(where, BAD_VALUE, _grade_message(), "grade_level")
                ok = False
            else:
                values["grade_level"] = grade
        node_code = values.pop("node_code", None)
        if "stage" not in values and self.stage:
            values["stage"] = self.stage
        for fld, code, message in _field_problems(values):
            self.problem(where, code, message, fld)
            ok = False
        self.points.append(_Point(where=where, values=values, node_code=node_code, valid=ok))

    def edge(self, where: dict[str, Any], before: Any, after: Any) -> None:
        if len(self.edges) >= MAX_EDGES:
            self.problem(
                where, TOO_MANY, _("The file holds more than %(n)s edges.") % {"n": MAX_EDGES}
            )
            raise _Stop
        ok = True
        for name, value in (("before", before), ("after", after)):
            if not isinstance(value, str) or not value.strip():
                self.problem(where, UNKNOWN_POINT, _("Name the point by its code."), name)
                ok = False
        if ok:
            self.edges.append(_Edge(where, before.strip(), after.strip()))

    # JSON ------------------------------------------------------------------------------

    def read_json(self, text: str) -> None:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            self.report.add(
                BAD_JSON,
                _("The JSON is not well formed: %(reason)s.") % {"reason": exc.msg},
                line=exc.lineno,
            )
            raise _Stop from exc
        except (RecursionError, ValueError) as exc:
            self.report.add(BAD_JSON, _("The JSON is not well formed."))
            raise _Stop from exc
        if not isinstance(doc, dict):
            self.report.add(
                BAD_JSON, _("The file must hold one object with subject, points and edges.")
            )
            raise _Stop
        for key in sorted(set(doc) - TOP_KEYS):
            self.report.add(BAD_FIELD, _("Unknown field %(field)s.") % {"field": key[:40]})
        self.subject = doc.get("subject")
        stage = doc.get("stage") or ""
        if not isinstance(stage, str):
            self.report.add(BAD_VALUE, _("The value must be text."), pointer="/stage")
        else:
            self.stage = stage.strip()
        points, edges = doc.get("points", []), doc.get("edges", [])
        if not isinstance(points, list) or not isinstance(edges, list):
            self.report.add(BAD_JSON, _("points and edges must be lists."))
            raise _Stop
        for i, raw in enumerate(points):
            where = {"pointer": f"/points/{i}"}
            if not isinstance(raw, dict):
                self.problem(where, BAD_JSON, _("A point must be an object ({...})."))
                continue
            unknown = sorted(set(raw) - POINT_KEYS)
            for key in unknown:
                self.problem(
                    where, BAD_FIELD, _("Unknown field %(field)s.") % {"field": key[:40]}, key[:40]
                )
            self.point(where, raw)
            if unknown:
                self.points[-1].valid = False
        for i, raw in enumerate(edges):
            where = {"pointer": f"/edges/{i}"}
            if not isinstance(raw, list) or len(raw) != 2:
                self.problem(where, BAD_JSON, _("An edge must be a pair [before, after]."))
                continue
            self.edge(where, raw[0], raw[1])

    # CSV -------------------------------------------------------------------------------

    def read_csv(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        subjects: Counter[str] = Counter()
        try:
            header = [h.strip().lower() for h in next(reader)]
            self._check_header(header)
            last = reader.line_num
            for cells in reader:
                line, last = last + 1, reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                where = {"line": line}
                if len(cells) != len(header):
                    self.problem(
                        where,
                        BAD_CSV,
                        _("The row has %(found)s cells but the header has %(expected)s.")
                        % {"found": len(cells), "expected": len(header)},
                    )
                    continue
                raw = dict(zip(header, cells, strict=True))
                kind = raw.get("type", "").strip().lower()
                if kind == "point":
                    subject = raw.get("subject", "").strip()
                    if subject:
                        subjects[subject] += 1
                    self.point(where, {k: v for k, v in raw.items() if k in POINT_KEYS})
                elif kind == "edge":
                    self.edge(where, raw.get("before", ""), raw.get("after", ""))
                else:
                    self.problem(
                        where,
                        BAD_VALUE,
                        _("“%(value)s” is not a row type; use point or edge.")
                        % {"value": kind[:40]},
                        "type",
                    )
        except csv.Error as exc:
            self.report.add(
                BAD_CSV,
                _("The CSV cannot be read: %(reason)s.") % {"reason": str(exc)[:200]},
                line=reader.line_num,
            )
            raise _Stop from exc
        except StopIteration as exc:
            raise _Stop from exc
        if len(subjects) > 1:
            self.report.add(
                BAD_SUBJECT,
                _("A file holds one subject's graph; this one names %(subjects)s.")
                % {"subjects": ", ".join(sorted(subjects))[:200]},
            )
            raise _Stop
        self.subject = next(iter(subjects), None)

    def _check_header(self, header: list[str]) -> None:
        problems = []
        for name, count in Counter(header).items():
            if count > 1:
                problems.append(_("The column %(name)s appears twice.") % {"name": name[:40]})
            elif name not in CSV_COLUMNS:
                problems.append(
                    _("Unknown column %(name)s; the columns are: %(columns)s.")
                    % {"name": name[:40], "columns": ", ".join(CSV_COLUMNS)}
                )
        if "type" not in header:
            problems.append(_("The column %(name)s is missing.") % {"name": "type"})
        for message in problems:
            self.report.add(BAD_HEADER, message, line=1)
        if problems:
            raise _Stop


def _parse_grade(value: Any) -> int | Literal[False] | None:
    """The grade level, None when blank, False when not a valid one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or len(value) > 3:
            return False
        value = int(value)
    if not isinstance(value, int) or not GRADE_LEVEL_MIN <= value <= GRADE_LEVEL_MAX:
        return False
    return value


def _place(where: Mapping[str, Any]) -> str:
    if "line" in where:
        return str(_("line %(line)s") % {"line": where["line"]})
    return str(where.get("pointer", "/"))


class _Planner:
    """Matches the file against the database and works out what to write."""

    def __init__(self, report: ImportReport, reader: _Reader, subject: str) -> None:
        self.report = report
        self.reader = reader
        self.subject = subject
        self.names: dict[str, str] = {}

    def problem(self, item: _Point | _Edge, code: str, message: Any, fld: str = "") -> None:
        self.report.add(code, message, field=fld, **item.where)
        item.valid = False

    def plan(self) -> tuple[list[_Point], list[_Point], list[_Edge]]:
        """(points to create, points to update, edges to create), all empty on problems."""
        first: dict[str, _Point] = {}
        for point in self.reader.points:
            if not point.code or not CODE_RE.match(point.code):
                continue
            if point.code in first:
                self.problem(
                    point,
                    DUPLICATE_CODE,
                    _("The code %(code)s appears more than once in the file (first at %(place)s).")
                    % {"code": point.code, "place": _place(first[point.code].where)},
                    "code",
                )
            else:
                first[point.code] = point
        self.names = {code: str(p.values.get("name") or code) for code, p in first.items()}
        existing: dict[str, KnowledgePoint] = {}
        for chunk in _chunks(sorted(first)):
            existing.update((p.code, p) for p in KnowledgePoint.objects.filter(code__in=chunk))
        self._match_points(existing)
        subject_points = {
            code: pk
            for code, pk in KnowledgePoint.objects.filter(subject=self.subject).values_list(
                "code", "pk"
            )
        }
        new_edges = self._check_edges(first, subject_points)
        self._check_cycle(first, subject_points, new_edges)
        creates = [p for p in first.values() if p.valid and p.existing is None]
        if not self.report.ok:
            return [], [], []
        updates = [p for p in first.values() if p.valid and p.existing is not None and p.values]
        self.report.points_created = len(creates)
        self.report.points_updated = len(updates)
        self.report.points_unchanged = len(first) - len(creates) - len(updates)
        self.report.edges_created = len(new_edges)
        self.report.edges_unchanged = len(self.reader.edges) - len(new_edges)
        return creates, updates, new_edges

    def _match_points(self, existing: dict[str, KnowledgePoint]) -> None:
        wanted = {p.node_code for p in self.reader.points if p.node_code}
        nodes: dict[str, CatalogueNode] = {}
        for chunk in _chunks(sorted(wanted)):
            nodes.update((n.code, n) for n in CatalogueNode.objects.filter(code__in=chunk))
        for point in self.reader.points:
            if point.node_code:
                node = nodes.get(point.node_code)
                if node is None:
                    self.problem(
                        point,
                        UNKNOWN_NODE,
                        _("There is no catalogue node with the code %(code)s.")
                        % {"code": point.node_code[:100]},
                        "node_code",
                    )
                else:
                    problem = _node_problem(node, self.subject)
                    if problem:
                        self.problem(point, BAD_NODE, problem, "node_code")
                    point.node = node
            found = existing.get(point.code)
            if found is None or not point.valid:
                continue
            if found.subject != self.subject:
                self.problem(
                    point,
                    CODE_TAKEN,
                    _("The code %(code)s belongs to a point of the subject %(subject)s.")
                    % {"code": point.code, "subject": found.subject},
                    "code",
                )
                continue
            point.existing = found
            changed: dict[str, Any] = {}
            for key in IMPORTED:
                if key == "node":
                    if point.node_code is None:
                        continue
                    value: Any = point.node.pk if point.node is not None else None
                    if found.node_id != value:
                        changed["node"] = point.node
                elif key in point.values and getattr(found, key) != point.values[key]:
                    changed[key] = point.values[key]
            point.values = changed  # for an existing point: what changes

    def _check_edges(self, first: dict[str, _Point], subject_points: dict[str, int]) -> list[_Edge]:
        known = set(first) | set(subject_points)
        existing_edges = set(
            Prerequisite.objects.filter(after__subject=self.subject).values_list(
                "before__code", "after__code"
            )
        )
        seen: dict[tuple[str, str], _Edge] = {}
        new: list[_Edge] = []
        for edge in self.reader.edges:
            for name in ("before", "after"):
                code = getattr(edge, name)
                if code not in known:
                    self.problem(
                        edge,
                        UNKNOWN_POINT,
                        _("There is no point %(code)s in this file or in the subject %(subject)s.")
                        % {"code": code[:100], "subject": self.subject},
                        name,
                    )
            if edge.before == edge.after:
                self.problem(
                    edge,
                    SELF_LOOP,
                    _("The point %(code)s cannot be its own prerequisite.") % {"code": edge.before},
                )
            pair = (edge.before, edge.after)
            if pair in seen:
                self.problem(
                    edge,
                    DUPLICATE_EDGE,
                    _(
                        "The edge %(before)s → %(after)s appears more than once "
                        "(first at %(place)s)."
                    )
                    % {
                        "before": edge.before,
                        "after": edge.after,
                        "place": _place(seen[pair].where),
                    },
                )
                continue
            seen[pair] = edge
            if edge.valid and pair not in existing_edges:
                new.append(edge)
        return new

    def _check_cycle(
        self, first: dict[str, _Point], subject_points: dict[str, int], new: list[_Edge]
    ) -> None:
        """Kahn's algorithm over the existing and the new edges; one cycle is reported."""
        nodes = list(dict.fromkeys([*subject_points, *first]))
        existing = list(
            Prerequisite.objects.filter(after__subject=self.subject).values_list(
                "before__code", "after__code"
            )
        )
        pairs = [*existing, *((e.before, e.after) for e in new)]
        _order, left = kahn_order(nodes, pairs)
        if not left:
            return
        cycle = find_cycle(left, pairs)
        self.report.cycle = cycle
        links = set(pairwise(cycle))
        culprit = next((e for e in new if (e.before, e.after) in links), None)
        names = dict(
            KnowledgePoint.objects.filter(subject=self.subject, code__in=cycle).values_list(
                "code", "name"
            )
        )
        names.update(self.names)
        labels = [f"{names.get(code, code)} ({code})" for code in cycle]
        where = culprit.where if culprit is not None else {}
        self.report.add(CYCLE, _cycle_message(labels), field="", **where)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def graph_import(*, actor: Any, name: str, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import a subject's graph from JSON or CSV ``data`` (see the module docstring).

    Returns the report; when it holds problems nothing was stored. ``dry_run`` checks and
    counts without storing. Raises PermissionDenied for an actor who may not edit graphs and
    Conflict when the graph changed under a running import."""
    _require_editor(actor)
    report = ImportReport(name=name[:200], dry_run=dry_run)
    reader = _Reader(report)
    try:
        text = _decode(data, report)
        report.format = "json" if text.lstrip()[:1] in ("{", "[") else "csv"
        if report.format == "json":
            reader.read_json(text)
        else:
            reader.read_csv(text)
    except _Stop:
        return report
    subject = reader.subject
    problem = _subject_problem(subject) if subject is not None else None
    if subject is None:
        report.add(BAD_SUBJECT, _("Name the subject of the graph."), field="subject")
        return report
    if problem:
        report.add(BAD_SUBJECT, problem, field="subject")
        return report
    assert isinstance(subject, str)
    report.subject = subject
    if not reader.points and not reader.edges:
        if report.ok:
            report.add(EMPTY, _("The file holds no points and no edges."))
        return report
    try:
        with transaction.atomic():
            if not dry_run:
                _lock_subject(subject)
            creates, updates, edges = _Planner(report, reader, subject).plan()
            if report.ok and not dry_run and (creates or updates or edges):
                _write(actor, report, subject, creates, updates, edges)
    except IntegrityError as exc:
        raise Conflict(
            _("The knowledge graph changed while the file was imported. Please try again."),
            code=BUSY,
        ) from exc
    return report


def _write(
    actor: Any,
    report: ImportReport,
    subject: str,
    creates: list[_Point],
    updates: list[_Point],
    edges: list[_Edge],
) -> None:
    last = KnowledgePoint.objects.filter(subject=subject).aggregate(m=Max("position"))["m"]
    start = 0 if last is None else last + 1
    new_points = []
    for offset, item in enumerate(creates):
        values = {k: v for k, v in item.values.items() if k != "code"}
        values.setdefault("grade_level", None)
        point = KnowledgePoint(
            subject=subject,
            code=item.code,
            node=item.node,
            position=start + offset,
            **values,
        )
        point.clean_fields(exclude=["node"])  # values are checked; no query per point
        new_points.append(point)
    KnowledgePoint.objects.bulk_create(new_points, batch_size=CHUNK)
    changed_fields: set[str] = set()
    changed = []
    for item in updates:
        assert item.existing is not None
        for key, value in item.values.items():
            setattr(item.existing, key, value)
            changed_fields.add(key)
        changed.append(item.existing)
    if changed:
        KnowledgePoint.objects.bulk_update(changed, sorted(changed_fields), batch_size=CHUNK)
    ids = dict(KnowledgePoint.objects.filter(subject=subject).values_list("code", "pk"))
    Prerequisite.objects.bulk_create(
        [Prerequisite(before_id=ids[e.before], after_id=ids[e.after]) for e in edges],
        batch_size=CHUNK,
    )
    audit_record(
        actor=actor,
        action="knowledge_graph.import",
        target_type=KnowledgePoint._meta.label_lower,
        target_label=f"{subject}: {report.name}",
        changes={
            "format": report.format,
            "subject": subject,
            "points_created": report.points_created,
            "points_updated": report.points_updated,
            "edges_created": report.edges_created,
        },
    )


def _decode(data: bytes, report: ImportReport) -> str:
    if len(data) > MAX_BYTES:
        report.add(
            TOO_LARGE,
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)},
        )
        raise _Stop
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add(
            BAD_UTF8,
            _("The file is not UTF-8 text. Save it as UTF-8 and try again."),
            line=data.count(b"\n", 0, exc.start) + 1,
        )
        raise _Stop from exc
    if not text.strip():
        report.add(EMPTY, _("The file holds no points and no edges."))
        raise _Stop
    return text


# --- Export --------------------------------------------------------------------------------


def graph_export(subject: str, fmt: Format) -> bytes:
    """The subject's graph as JSON or CSV that ``graph_import`` reads back (points in
    curriculum order, then edges). CSV starts with a byte-order mark for spreadsheets."""
    if fmt not in ("json", "csv"):
        raise Invalid(code=BAD_VALUE, detail={"fmt": fmt})
    points = points_of(subject)
    codes = {p.pk: p.code for p in points}
    rank = {p.pk: i for i, p in enumerate(points)}
    edges = sorted(edges_of(subject), key=lambda e: (rank[e[1]], rank[e[0]]))
    pairs = [[codes[b], codes[a]] for b, a in edges]
    if fmt == "csv":
        return _export_csv(subject, points, pairs)
    stages = {p.stage for p in points}
    stage = next(iter(stages)) if len(stages) == 1 else None
    doc: dict[str, Any] = {"subject": subject}
    if stage:
        doc["stage"] = stage
    doc["points"] = []
    for p in points:
        entry: dict[str, Any] = {"code": p.code, "name": p.name, "name_en": p.name_en}
        if stage is None:
            entry["stage"] = p.stage
        entry["grade_level"] = p.grade_level
        entry["node_code"] = p.node.code if p.node is not None else ""
        entry["description"] = p.description
        doc["points"].append(entry)
    doc["edges"] = pairs
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _export_csv(subject: str, points: list[KnowledgePoint], pairs: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in points:
        writer.writerow(
            [
                "point",
                subject,
                p.code,
                p.name,
                p.name_en,
                p.stage,
                "" if p.grade_level is None else p.grade_level,
                p.node.code if p.node is not None else "",
                p.description,
                "",
                "",
            ]
        )
    for before, after in pairs:
        writer.writerow(["edge", "", "", "", "", "", "", "", "", before, after])
    return out.getvalue().encode("utf-8-sig")


def points_by_code(subject: str, codes: Iterable[str]) -> dict[str, KnowledgePoint]:
    """The subject's points with the given codes, by code."""
    wanted = sorted(set(codes))
    out: dict[str, KnowledgePoint] = {}
    for chunk in _chunks(wanted):
        out.update(
            (p.code, p) for p in KnowledgePoint.objects.filter(subject=subject, code__in=chunk)
        )
    return out
