"""The curriculum catalogue (LIB-1): writes, reads, import and export of the node tree.

The catalogue is one installation-wide tree of ``CatalogueNode`` (a treebeard materialized
path, four characters a level): stage > subject > textbook edition > grade/volume > chapter
> lesson, plus thematic collections > topics. ``NODE_PARENTS`` says what may sit under what.
Every node carries its stage, subject, edition and grade level as plain columns, inherited
from its parent when not given, so that resources filed under it filter without joins.

Only superusers and regional administrators edit the catalogue (``policies.can_edit_catalogue``).
Each write runs in one transaction, validates, and leaves an audit event (scope path "",
because the catalogue belongs to the whole installation).

``catalogue_import`` reads a tree from JSON (nested) or CSV (one row a node, parents before
children), detected by content. It checks everything first and reports every problem with
its place (a CSV line or a JSON pointer) and a stable code; only a file without problems is
written, in one transaction. Nodes are matched by code, so importing the same file twice
creates nothing new; changed names are updated. ``catalogue_export`` writes the same formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import reduce
from operator import or_
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongke.audit.services import audit_record, diff, snapshot
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.library import policies
from tongke.library.enums import NODE_PARENTS, NodeKind, Stage
from tongke.library.errors import LibraryError
from tongke.library.models import CatalogueNode, Package, Resource
from tongke.orgs.enums import GRADE_LEVEL_MAX, GRADE_LEVEL_MIN

# --- Limits and error codes ----------------------------------------------------------------

MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_BYTES = MAX_BYTES  # the name the API checks an upload's size against
MAX_NODES = 50_000
MAX_DEPTH = 12
MAX_PROBLEMS = 1000  # problems kept in a report; the rest are only counted
CHUNK = 500  # ids or codes per IN (...) query, well under SQLite's variable limit

KINDS = frozenset(NodeKind.values)
STAGES = frozenset(Stage.values)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
FORMULA_CHARS = ("=", "+", "-", "@")
TEXT_LIMITS = {"name": 200, "name_en": 200, "subject": 32, "edition": 80}
INHERITED = ("stage", "subject", "edition", "grade_level")
NODE_FIELDS = ("kind", "code", "name", "name_en", *INHERITED, "is_active")
UPDATABLE = ("code", "name", "name_en", "is_active")
# The value a kind of node must carry itself (a stage node names its stage, and so on).
OWN_VALUE = {NodeKind.STAGE: "stage", NodeKind.SUBJECT: "subject", NodeKind.EDITION: "edition"}
CSV_COLUMNS = (
    "code",
    "parent_code",
    "kind",
    "name",
    "name_en",
    "stage",
    "subject",
    "edition",
    "grade_level",
    "is_active",
)
CSV_REQUIRED = ("code", "parent_code", "kind", "name")
JSON_KEYS = frozenset({*NODE_FIELDS, "children"})
TRUE_WORDS = {"1", "true", "yes", "y"}
FALSE_WORDS = {"0", "false", "no", "n"}

FORBIDDEN = LibraryError.CATALOGUE_FORBIDDEN
BAD_PARENT = LibraryError.CATALOGUE_BAD_PARENT
BAD_POSITION = LibraryError.CATALOGUE_BAD_POSITION
BAD_KIND = LibraryError.CATALOGUE_BAD_KIND
BAD_CODE = LibraryError.CATALOGUE_BAD_CODE
CODE_TAKEN = LibraryError.CATALOGUE_CODE_TAKEN
DUPLICATE_CODE = LibraryError.CATALOGUE_DUPLICATE_CODE
NAME_REQUIRED = LibraryError.CATALOGUE_NAME_REQUIRED
VALUE_REQUIRED = LibraryError.CATALOGUE_VALUE_REQUIRED
TOO_LONG = LibraryError.CATALOGUE_TOO_LONG
FORMULA = LibraryError.CATALOGUE_FORMULA
CONTROL_CHAR = LibraryError.CATALOGUE_CONTROL_CHAR
BAD_VALUE = LibraryError.CATALOGUE_BAD_VALUE
INCONSISTENT = LibraryError.CATALOGUE_INCONSISTENT
BAD_FIELD = LibraryError.CATALOGUE_BAD_FIELD
UNKNOWN_PARENT = LibraryError.CATALOGUE_UNKNOWN_PARENT
PARENT_CHANGED = LibraryError.CATALOGUE_PARENT_CHANGED
KIND_CHANGED = LibraryError.CATALOGUE_KIND_CHANGED
VALUE_CHANGED = LibraryError.CATALOGUE_VALUE_CHANGED
TOO_DEEP = LibraryError.CATALOGUE_TOO_DEEP
TOO_MANY = LibraryError.CATALOGUE_TOO_MANY
TOO_LARGE = LibraryError.CATALOGUE_TOO_LARGE
BAD_UTF8 = "library.catalogue_bad_utf8"
BAD_JSON = LibraryError.CATALOGUE_BAD_JSON
BAD_CSV = LibraryError.CATALOGUE_BAD_CSV
BAD_HEADER = LibraryError.CATALOGUE_BAD_HEADER
EMPTY = LibraryError.CATALOGUE_EMPTY
IN_USE = LibraryError.CATALOGUE_IN_USE
BUSY = LibraryError.CATALOGUE_BUSY

Position = Literal["first-child", "last-child", "left", "right"]
Format = Literal["json", "csv"]


# --- Permission -----------------------------------------------------------------------------


def _require_editor(actor: Any) -> None:
    if not policies.can_edit_catalogue(actor):
        raise PermissionDenied(
            _("Only regional administrators may change the catalogue."), code=FORBIDDEN
        )


# --- Checks shared by the services and the import ------------------------------------------


def _kind_label(kind: str) -> str:
    return str(NodeKind(kind).label) if kind in KINDS else kind


def _parent_problem(kind: str, parent_kind: str) -> str | None:
    """Why a ``kind`` node cannot sit under a ``parent_kind`` node ("" = the top), or None."""
    if parent_kind in NODE_PARENTS.get(kind, ()):
        return None
    if not parent_kind:
        return str(
            _("A %(kind)s cannot stand at the top of the catalogue.") % {"kind": _kind_label(kind)}
        )
    return str(
        _("A %(kind)s cannot be placed under a %(parent)s.")
        % {"kind": _kind_label(kind), "parent": _kind_label(parent_kind)}
    )


def _text_problem(name: str, value: str) -> tuple[str, str] | None:
    if CONTROL.search(value):
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


def _field_problems(values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, code, message) for each bad value among the node's own fields."""
    out: list[tuple[str, str, str]] = []
    if "kind" in values and values["kind"] not in KINDS:
        allowed = ", ".join(NodeKind.values)
        out.append(
            (
                "kind",
                BAD_KIND,
                str(
                    _("“%(value)s” is not a kind of node; use one of: %(allowed)s.")
                    % {"value": values["kind"], "allowed": allowed}
                ),
            )
        )
    if "code" in values and not CODE_RE.match(values["code"]):
        out.append(
            (
                "code",
                BAD_CODE,
                str(
                    _(
                        "“%(value)s” is not a valid code: use up to 80 letters, digits, dots, "
                        "hyphens and underscores, starting with a letter or digit."
                    )
                    % {"value": values["code"][:100]}
                ),
            )
        )
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
                    % {"value": stage, "allowed": ", ".join(Stage.values)}
                ),
            )
        )
    grade = values.get("grade_level")
    if grade is not None and not GRADE_LEVEL_MIN <= grade <= GRADE_LEVEL_MAX:
        out.append(
            (
                "grade_level",
                BAD_VALUE,
                str(
                    _("The grade level must be a whole number from %(min)s to %(max)s.")
                    % {"min": GRADE_LEVEL_MIN, "max": GRADE_LEVEL_MAX}
                ),
            )
        )
    own = OWN_VALUE.get(values.get("kind", ""))
    if own and not values.get(own):
        out.append(
            (
                own,
                VALUE_REQUIRED,
                str(
                    _("A %(kind)s must name its %(field)s.")
                    % {"kind": _kind_label(values["kind"]), "field": own.replace("_", " ")}
                ),
            )
        )
    return out


def _inconsistent(
    values: dict[str, Any], parent_values: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """A node's own stage, subject, edition or grade level must agree with its parent's,
    where the parent has one."""
    out: list[tuple[str, str, str]] = []
    for attr in INHERITED:
        mine, theirs = values.get(attr), parent_values.get(attr)
        if mine not in ("", None) and theirs not in ("", None) and mine != theirs:
            out.append(
                (
                    attr,
                    INCONSISTENT,
                    str(
                        _(
                            "The parent has %(field)s “%(parent)s”; "
                            "a node under it cannot have “%(value)s”."
                        )
                        % {"field": attr.replace("_", " "), "parent": theirs, "value": mine}
                    ),
                )
            )
    return out


def _raise_first(problems: list[tuple[str, str, str]]) -> None:
    if problems:
        _field, code, message = problems[0]
        raise Invalid(message, code=code, detail={f: m for f, _c, m in problems})


def _clean(node: CatalogueNode) -> None:
    try:
        node.full_clean(exclude=["path", "depth", "numchild"])
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        if "code" in detail:
            raise _code_taken(node.code) from exc
        first = next(iter(detail.values()))[0]
        raise Invalid(first, code=BAD_VALUE, detail=detail) from exc


def _code_taken(code: str) -> Conflict:
    return Conflict(
        _("The code %(code)s is already used in the catalogue.") % {"code": code},
        code=CODE_TAKEN,
    )


def _locked(node: CatalogueNode) -> CatalogueNode:
    return CatalogueNode.objects.select_for_update().get(pk=node.pk)


def _parent_path(path: str) -> str:
    return path[: -CatalogueNode.steplen]


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def node_create(
    *,
    actor: Any,
    parent: CatalogueNode | None,
    kind: str,
    code: str,
    name: str,
    name_en: str = "",
    stage: str = "",
    subject: str = "",
    edition: str = "",
    grade_level: int | None = None,
) -> CatalogueNode:
    """Add a node as the last child of ``parent`` (or at the top when None).

    Stage, subject, edition and grade level not given are taken from the parent.
    """
    _require_editor(actor)
    if kind not in KINDS:
        _raise_first(_field_problems({"kind": kind}))
    if parent is not None:
        parent = _locked(parent)
    problem = _parent_problem(kind, parent.kind if parent else "")
    if problem:
        raise Invalid(problem, code=BAD_PARENT)
    if parent is not None and parent.depth + 1 > MAX_DEPTH:
        raise Invalid(_too_deep_message(), code=TOO_DEEP)
    values: dict[str, Any] = {
        "kind": kind,
        "code": code.strip(),
        "name": name.strip(),
        "name_en": name_en.strip(),
        "stage": stage or (parent.stage if parent else ""),
        "subject": subject.strip() or (parent.subject if parent else ""),
        "edition": edition.strip() or (parent.edition if parent else ""),
        "grade_level": grade_level
        if grade_level is not None
        else (parent.grade_level if parent else None),
    }
    _raise_first(_field_problems(values))
    if parent is not None:
        texts = {"stage": stage, "subject": subject, "edition": edition}
        given: dict[str, Any] = {k: v.strip() for k, v in texts.items() if v.strip()}
        if grade_level is not None:
            given["grade_level"] = grade_level
        _raise_first(_inconsistent(given, {a: getattr(parent, a) for a in INHERITED}))
    if CatalogueNode.objects.filter(code=values["code"]).exists():
        raise _code_taken(values["code"])
    node = CatalogueNode(**values)
    _clean(node)
    try:
        with transaction.atomic():
            if parent is None:
                node = CatalogueNode.objects.add_root(instance=node)
            else:
                node = CatalogueNode.objects.add_child(parent, instance=node)
    except IntegrityError as exc:  # a concurrent create took the code
        raise _code_taken(values["code"]) from exc
    audit_record(
        actor=actor,
        action="catalogue_node.create",
        target=node,
        changes=diff({}, snapshot(node, NODE_FIELDS)),
    )
    return node


@transaction.atomic
def node_update(*, actor: Any, node: CatalogueNode, **fields: Any) -> CatalogueNode:
    """Change a node's code, name, English name or whether it is active."""
    _require_editor(actor)
    node = _locked(node)
    before = snapshot(node, NODE_FIELDS)
    for key, value in fields.items():
        if key not in UPDATABLE:
            raise Invalid(
                _("The field %(field)s cannot be changed here.") % {"field": key},
                code=BAD_FIELD,
                detail={key: "unknown or read-only field"},
            )
        value = bool(value) if key == "is_active" else str(value).strip()
        setattr(node, key, value)
    _raise_first(_field_problems({k: getattr(node, k) for k in ("code", "name", "name_en")}))
    if CatalogueNode.objects.filter(code=node.code).exclude(pk=node.pk).exists():
        raise _code_taken(node.code)
    _clean(node)
    node.save()
    after = snapshot(node, NODE_FIELDS)
    if after != before:
        audit_record(
            actor=actor, action="catalogue_node.update", target=node, changes=diff(before, after)
        )
    return node


@transaction.atomic
def node_move(
    *,
    actor: Any,
    node: CatalogueNode,
    new_parent: CatalogueNode | None,
    position: Position = "last-child",
    sibling: CatalogueNode | None = None,
) -> CatalogueNode:
    """Move ``node`` and its subtree under ``new_parent`` (None: the top of the catalogue).

    ``position`` is "first-child" or "last-child" of the new parent, or "left" / "right" of
    ``sibling``, which must be a child of the new parent. Refuses kinds ``NODE_PARENTS`` does
    not allow and moves under the node itself or its descendants. Inherited values (stage,
    subject, edition, grade level) that the subtree took from the old parent are replaced
    by the new parent's.
    """
    _require_editor(actor)
    if position not in ("first-child", "last-child", "left", "right"):
        raise Invalid(code=BAD_POSITION, detail={"position": position})
    node = _locked(node)
    new_parent = _locked(new_parent) if new_parent is not None else None
    if new_parent is not None and new_parent.path.startswith(node.path):
        raise Invalid(
            _("A node cannot be moved under itself or one of its own descendants."),
            code=BAD_PARENT,
        )
    problem = _parent_problem(node.kind, new_parent.kind if new_parent else "")
    if problem:
        raise Invalid(problem, code=BAD_PARENT)
    new_depth = new_parent.depth + 1 if new_parent else 1
    deepest = (
        CatalogueNode.objects.filter(path__startswith=node.path).aggregate(d=Max("depth"))["d"]
        or node.depth
    )
    if deepest - node.depth + new_depth > MAX_DEPTH:
        raise Invalid(_too_deep_message(), code=TOO_DEEP)
    old_parent = CatalogueNode.objects.get_parent(node)
    parent_path = new_parent.path if new_parent else ""
    if position in ("left", "right"):
        if sibling is None:
            raise Invalid(_("Name the sibling to place the node beside."), code=BAD_POSITION)
        sibling = _locked(sibling)
        if sibling.depth != new_depth or not sibling.path.startswith(parent_path):
            raise Invalid(_("The sibling is not a child of the new parent."), code=BAD_POSITION)
        CatalogueNode.objects.move(node, sibling, pos=position)
    elif new_parent is not None:
        CatalogueNode.objects.move(node, new_parent, pos=position)
    else:
        roots = CatalogueNode.objects.get_root_nodes()
        edge = roots.first() if position == "first-child" else roots.last()
        pos = "first-sibling" if position == "first-child" else "last-sibling"
        CatalogueNode.objects.move(node, edge, pos=pos)
    node.refresh_from_db()
    changes: dict[str, Any] = {
        "parent": [old_parent.code if old_parent else None, new_parent.code if new_parent else None]
    }
    if (old_parent.pk if old_parent else None) != (new_parent.pk if new_parent else None):
        # Below a parent with a value, every node has that value; values the subtree took
        # from the old parent are cleared where the new one has none.
        subtree = CatalogueNode.objects.filter(path__startswith=node.path)
        for attr in INHERITED:
            before = getattr(old_parent, attr) if old_parent else _blank(attr)
            after = getattr(new_parent, attr) if new_parent else _blank(attr)
            if after not in ("", None):
                count = subtree.exclude(**{attr: after}).update(**{attr: after})
            elif before != after:
                count = subtree.filter(**{attr: before}).update(**{attr: after})
            else:
                count = 0
            if count:
                changes[attr] = [before, after]
        node.refresh_from_db()
    audit_record(actor=actor, action="catalogue_node.move", target=node, changes=changes)
    return node


def _blank(attr: str) -> Any:
    return None if attr == "grade_level" else ""


@transaction.atomic
def node_delete(*, actor: Any, node: CatalogueNode) -> None:
    """Delete a node that has no children and that no resource or package is filed under."""
    _require_editor(actor)
    node = _locked(node)
    if CatalogueNode.objects.filter(path__startswith=node.path).exclude(pk=node.pk).exists():
        raise Conflict(_("The node still has children. Move or delete them first."), code=IN_USE)
    if Resource.objects.filter(node=node).exists() or Package.objects.filter(node=node).exists():
        raise Conflict(
            _("Resources or lesson packages are filed under this node; it cannot be deleted."),
            code=IN_USE,
        )
    audit_record(
        actor=actor,
        action="catalogue_node.delete",
        target=node,
        changes=diff(snapshot(node, NODE_FIELDS), {}),
    )
    node.delete()


def _too_deep_message() -> str:
    return str(_("The catalogue is at most %(limit)s levels deep.") % {"limit": MAX_DEPTH})


# --- Reads ---------------------------------------------------------------------------------


def _active(qs: QuerySet[CatalogueNode], include_inactive: bool) -> QuerySet[CatalogueNode]:
    return qs if include_inactive else qs.filter(is_active=True)


def node_get(node_id: int) -> CatalogueNode | None:
    """One node by id, or None. The catalogue is public, so there is no visibility filter."""
    return CatalogueNode.objects.filter(pk=node_id).first()


def node_children(
    node: CatalogueNode | None, include_inactive: bool = False
) -> QuerySet[CatalogueNode]:
    """The children of ``node`` in order (the top-level nodes when None)."""
    if node is None:
        qs = CatalogueNode.objects.filter(depth=1)
    else:
        qs = CatalogueNode.objects.filter(path__startswith=node.path, depth=node.depth + 1)
    return _active(qs, include_inactive).order_by("path")


def node_path(node: CatalogueNode) -> list[CatalogueNode]:
    """The ancestors of ``node`` from the top, then the node itself (one query)."""
    step = CatalogueNode.steplen
    prefixes = [node.path[:end] for end in range(step, len(node.path) + 1, step)]
    return list(CatalogueNode.objects.filter(path__in=prefixes).order_by("path"))


@dataclass
class TreeItem:
    """One node of a browse page with the children loaded below it."""

    node: CatalogueNode
    children: list[TreeItem] = field(default_factory=list)


def node_tree(
    root: CatalogueNode | None, depth: int, include_inactive: bool = False
) -> list[TreeItem]:
    """``depth`` levels of the tree from ``root`` (the root included; the whole top when
    None), read in one query. An inactive node hides its subtree unless asked for."""
    qs = CatalogueNode.objects.all()
    if root is not None:
        qs = qs.filter(path__startswith=root.path, depth__lte=root.depth + depth - 1)
    else:
        qs = qs.filter(depth__lte=depth)
    items: dict[str, TreeItem] = {}
    top: list[TreeItem] = []
    for node in qs.order_by("path"):
        if not include_inactive and not node.is_active:
            continue
        item = TreeItem(node)
        items[node.path] = item
        if node.depth == (root.depth if root is not None else 1):
            top.append(item)
        elif (parent := items.get(_parent_path(node.path))) is not None:
            parent.children.append(item)
    return top


def lesson_nodes_under(
    node: CatalogueNode, include_inactive: bool = False
) -> QuerySet[CatalogueNode]:
    """The lessons in the subtree of ``node`` (the node itself when it is one), in order.
    Lessons under an inactive node are left out unless asked for."""
    qs = CatalogueNode.objects.filter(path__startswith=node.path, kind=NodeKind.LESSON)
    if not include_inactive:
        hidden = list(
            CatalogueNode.objects.filter(path__startswith=node.path, is_active=False)
            .exclude(kind=NodeKind.LESSON)
            .values_list("path", flat=True)
        )
        qs = qs.filter(is_active=True)
        if hidden:
            qs = qs.exclude(reduce(or_, (Q(path__startswith=p) for p in hidden)))
    return qs.order_by("path")


# --- Import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    code: str
    message: str
    line: int | None = None  # CSV: the line the row starts on
    pointer: str = ""  # JSON: the RFC 6901 pointer of the node ("" = the document)
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
    """What an import found and did. When ``ok`` is False nothing was stored."""

    name: str
    format: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
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
            "dry_run": self.dry_run,
            "ok": self.ok,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
        }


def report_dict(report: ImportReport) -> dict[str, Any]:
    """The report as the API returns it (``ImportReportOut``): the problems as ``errors``."""
    out = report.as_dict()
    out["errors"] = out.pop("problems")
    return out


class _Stop(Exception):
    """Reading stops: the file as a whole cannot be used (already reported)."""


@dataclass(eq=False)
class _Item:
    """One node read from the file, before it is matched against the database."""

    where: dict[str, Any]
    values: dict[str, Any]  # kind, code, name, name_en, and the inherited ones given
    given: frozenset[str] = frozenset()  # the fields the file has (even when blank)
    is_active: bool | None = None
    parent: _Item | None = None  # the parent read from the same file
    parent_code: str = ""  # a parent already in the database ("" = the top)
    parent_node: CatalogueNode | None = None  # that parent, once found
    valid: bool = True
    depth: int = 0
    effective: dict[str, Any] = field(default_factory=dict)
    existing: CatalogueNode | None = None
    node: CatalogueNode | None = None

    @property
    def code(self) -> str:
        return str(self.values.get("code", ""))

    @property
    def kind(self) -> str:
        return str(self.values.get("kind", ""))


class _Reader:
    """Turns the file into ``_Item`` s, reporting what is wrong with each."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.items: list[_Item] = []

    def problem(self, item_where: dict[str, Any], code: str, message: Any, fld: str = "") -> None:
        self.report.add(code, message, field=fld, **item_where)

    def item(self, where: dict[str, Any], raw: dict[str, Any]) -> _Item:
        if len(self.items) >= MAX_NODES:
            self.problem(
                where,
                TOO_MANY,
                _("The file holds more than %(limit)s nodes; split it.") % {"limit": MAX_NODES},
            )
            raise _Stop
        values: dict[str, Any] = {}
        ok = True
        for key in ("kind", "code", "name", "name_en", "stage", "subject", "edition"):
            value = raw.get(key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                self.problem(where, BAD_VALUE, _("The value must be text."), key)
                ok = False
                continue
            value = value.strip()
            if value or key in ("kind", "code", "name"):
                values[key] = value
        grade = _parse_grade(raw.get("grade_level"))
        if grade is False:
            self.problem(
                where,
                BAD_VALUE,
                _("The grade level must be a whole number from %(min)s to %(max)s.")
                % {"min": GRADE_LEVEL_MIN, "max": GRADE_LEVEL_MAX},
                "grade_level",
            )
            ok = False
        elif grade is not None:
            values["grade_level"] = grade
        is_active = _parse_bool(raw.get("is_active"))
        if isinstance(is_active, str):
            self.problem(where, BAD_VALUE, _("Use true or false."), "is_active")
            is_active, ok = None, False
        for fld, code, message in _field_problems(values):
            if fld == "code" and not values["code"]:
                code, message = BAD_CODE, str(_("A code is required."))
            self.problem(where, code, message, fld)
            ok = False
        given = frozenset(k for k, v in raw.items() if v is not None)
        item = _Item(where=where, values=values, given=given, is_active=is_active, valid=ok)
        self.items.append(item)
        return item

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
        except RecursionError as exc:
            self.report.add(TOO_DEEP, _too_deep_message(), pointer="")
            raise _Stop from exc
        except ValueError as exc:
            self.report.add(BAD_JSON, _("The JSON is not well formed."), pointer="")
            raise _Stop from exc
        if not isinstance(doc, list):
            self.report.add(BAD_JSON, _("The file must hold a list of nodes ([...])."), pointer="")
            raise _Stop
        # Depth-first, parents before children, without recursion.
        stack: list[tuple[Any, str, _Item | None, int]] = [
            (raw, f"/{i}", None, 1) for i, raw in reversed(list(enumerate(doc)))
        ]
        while stack:
            raw, pointer, parent, depth = stack.pop()
            where = {"pointer": pointer}
            if not isinstance(raw, dict):
                self.problem(where, BAD_JSON, _("A node must be an object ({...})."))
                continue
            unknown = sorted(set(raw) - JSON_KEYS - ({"parent_code"} if parent is None else set()))
            for key in unknown:
                self.problem(
                    where, BAD_FIELD, _("Unknown field %(field)s.") % {"field": key[:40]}, key[:40]
                )
            item = self.item(where, raw)
            if unknown:
                item.valid = False
            item.parent = parent
            if parent is None:
                parent_code = raw.get("parent_code") or ""
                if not isinstance(parent_code, str):
                    self.problem(where, BAD_VALUE, _("The value must be text."), "parent_code")
                    item.valid = False
                else:
                    item.parent_code = parent_code.strip()
            children = raw.get("children") or []
            if not isinstance(children, list):
                self.problem(where, BAD_JSON, _("children must be a list."), "children")
                item.valid = False
                continue
            if children and depth >= MAX_DEPTH:
                self.problem(where, TOO_DEEP, _too_deep_message(), "children")
                item.valid = False
                continue
            for i, child in reversed(list(enumerate(children))):
                stack.append((child, f"{pointer}/children/{i}", item, depth + 1))

    # CSV -------------------------------------------------------------------------------

    def read_csv(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        seen: dict[str, _Item] = {}  # code -> the first row that defines it
        pending: list[tuple[_Item, str]] = []
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
                item = self.item(where, raw)
                pending.append((item, raw.get("parent_code", "").strip()))
                if item.code and item.code not in seen:
                    seen[item.code] = item
        except csv.Error as exc:
            self.report.add(
                BAD_CSV,
                _("The CSV cannot be read: %(reason)s.") % {"reason": str(exc)[:200]},
                line=reader.line_num,
            )
            raise _Stop from exc
        defined: set[str] = set()
        for item, parent_code in pending:
            if parent_code:
                if parent_code in defined:
                    item.parent = seen[parent_code]
                elif parent_code in seen:
                    self.problem(
                        item.where,
                        UNKNOWN_PARENT,
                        _(
                            "The parent %(code)s is defined further down (line %(line)s); "
                            "list parents before their children."
                        )
                        % {"code": parent_code, "line": seen[parent_code].where["line"]},
                        "parent_code",
                    )
                    item.valid = False
                else:
                    item.parent_code = parent_code
            if item.code:
                defined.add(item.code)

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
        for name in CSV_REQUIRED:
            if name not in header:
                problems.append(_("The column %(name)s is missing.") % {"name": name})
        for message in problems:
            self.report.add(BAD_HEADER, message, line=1)
        if problems:
            raise _Stop


def _parse_grade(value: Any) -> int | Literal[False] | None:
    """The grade level, None when not given, False when not a valid one."""
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


def _parse_bool(value: Any) -> bool | Literal["bad"] | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return "bad"


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _existing_by_code(codes: Iterable[str], *, lock: bool) -> dict[str, CatalogueNode]:
    out: dict[str, CatalogueNode] = {}
    qs = CatalogueNode.objects.select_for_update() if lock else CatalogueNode.objects.all()
    for chunk in _chunks(sorted(set(codes))):
        out.update((n.code, n) for n in qs.filter(code__in=chunk))
    return out


def _codes_by_path(paths: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(set(p for p in paths if p))):
        out.update(CatalogueNode.objects.filter(path__in=chunk).values_list("path", "code"))
    return out


class _Planner:
    """Matches the items against the database and works out what to create and change."""

    def __init__(self, report: ImportReport, items: list[_Item], *, lock: bool) -> None:
        self.report = report
        self.items = items
        self.lock = lock

    def problem(self, item: _Item, code: str, message: Any, fld: str = "") -> None:
        self.report.add(code, message, field=fld, **item.where)
        item.valid = False

    def plan(self) -> tuple[list[_Item], list[_Item]]:
        """(items to create, existing nodes to update), both empty when there are problems."""
        first: dict[str, _Item] = {}
        for item in self.items:
            if not item.code or not CODE_RE.match(item.code):
                continue
            if item.code in first:
                other = first[item.code].where
                place = (
                    str(_("line %(line)s") % {"line": other["line"]})
                    if "line" in other
                    else other["pointer"]
                )
                self.problem(
                    item,
                    DUPLICATE_CODE,
                    _("The code %(code)s appears more than once in the file (first at %(place)s).")
                    % {"code": item.code, "place": place},
                    "code",
                )
            else:
                first[item.code] = item
        outside = {i.parent_code for i in self.items if i.parent is None and i.parent_code}
        existing = _existing_by_code([*first, *outside], lock=self.lock)
        parent_codes = _codes_by_path(_parent_path(n.path) for n in existing.values())
        creates: list[_Item] = []
        updates: list[_Item] = []
        for item in self.items:  # parents come before their children
            self._resolve(item, existing, parent_codes)
            if not item.valid:
                continue
            if item.existing is None:
                creates.append(item)
            elif self._changes(item):
                updates.append(item)
            else:
                self.report.unchanged += 1
        if not self.report.ok:
            self.report.unchanged = 0
            return [], []
        self.report.created, self.report.updated = len(creates), len(updates)
        return creates, updates

    def _resolve(
        self, item: _Item, existing: dict[str, CatalogueNode], parent_codes: dict[str, str]
    ) -> None:
        parent_node: CatalogueNode | None = None
        if item.parent is not None:
            parent_kind = item.parent.kind
            parent_effective = item.parent.effective
            parent_depth = item.parent.depth
            parent_code = item.parent.code
            if not item.parent.valid:
                # Its own problems are reported; still check this node's own values.
                item.valid = False
                parent_kind = ""
        elif item.parent_code:
            parent_node = existing.get(item.parent_code)
            if parent_node is None:
                self.problem(
                    item,
                    UNKNOWN_PARENT,
                    _("The parent %(code)s is neither in the file nor in the catalogue.")
                    % {"code": item.parent_code},
                    "parent_code",
                )
                return
            item.parent_node = parent_node
            parent_kind = parent_node.kind
            parent_effective = {a: getattr(parent_node, a) for a in INHERITED}
            parent_depth = parent_node.depth
            parent_code = parent_node.code
        else:
            parent_kind, parent_effective, parent_depth, parent_code = "", {}, 0, ""
        item.depth = parent_depth + 1
        item.effective = {
            a: item.values.get(a, parent_effective.get(a, _blank(a))) for a in INHERITED
        }
        if not item.valid or (item.parent is not None and not parent_kind):
            return
        problem = _parent_problem(item.kind, parent_kind)
        if problem:
            self.problem(item, BAD_PARENT, problem, "kind")
            return
        for attr, code, message in _inconsistent(item.values, parent_effective):
            self.problem(item, code, message, attr)
        if not item.valid:
            return
        if item.depth > MAX_DEPTH:
            self.problem(item, TOO_DEEP, _too_deep_message())
            return
        node = existing.get(item.code)
        if node is None:
            return
        item.existing = node
        if node.kind != item.kind:
            self.problem(
                item,
                KIND_CHANGED,
                _("%(code)s is a %(stored)s in the catalogue, not a %(kind)s.")
                % {
                    "code": item.code,
                    "stored": _kind_label(node.kind),
                    "kind": _kind_label(item.kind),
                },
                "kind",
            )
            return
        stored_parent = parent_codes.get(_parent_path(node.path), "")
        if stored_parent != parent_code:
            self.problem(
                item,
                PARENT_CHANGED,
                _(
                    "%(code)s stands under %(stored)s in the catalogue, but the file puts it "
                    "under %(parent)s. Move it in the catalogue first."
                )
                % {
                    "code": item.code,
                    "stored": stored_parent or _("the top"),
                    "parent": parent_code or _("the top"),
                },
                "parent_code",
            )
            return
        for attr in INHERITED:
            stored = getattr(node, attr)
            if item.effective[attr] != stored:
                self.problem(
                    item,
                    VALUE_CHANGED,
                    _(
                        "%(code)s has %(field)s “%(stored)s” in the catalogue, but the file "
                        "says “%(value)s”. The import changes names only."
                    )
                    % {
                        "code": item.code,
                        "field": attr.replace("_", " "),
                        "stored": stored if stored is not None else "",
                        "value": item.effective[attr] if item.effective[attr] is not None else "",
                    },
                    attr,
                )
                return
        item.effective = {a: getattr(node, a) for a in INHERITED}

    def _changes(self, item: _Item) -> bool:
        node = item.existing
        assert node is not None
        changed = False
        for attr in ("name", "name_en"):
            value = item.values.get(attr, "")
            if attr in item.given and getattr(node, attr) != value:
                setattr(node, attr, value)
                changed = True
        if item.is_active is not None and node.is_active != item.is_active:
            node.is_active = item.is_active
            changed = True
        return changed


def _allocate_paths(creates: list[_Item]) -> Counter[str]:
    """Give each new node its path, after the last child its parent has, and count the new
    children of parents that already exist (by their path; "" is the top)."""
    step = CatalogueNode.steplen
    holders: dict[str, int] = {}  # existing parent path -> its depth
    for item in creates:
        if item.parent is None or item.parent.existing is not None:
            holder = item.parent.existing if item.parent else item.parent_node
            holders[holder.path if holder else ""] = holder.depth if holder else 0
    last: dict[str, int] = {}
    if holders.pop("", None) is not None:
        top = CatalogueNode.objects.filter(depth=1).aggregate(m=Max("path"))["m"]
        last[""] = CatalogueNode._str2int(top) if top else 0
    for chunk in _chunks(sorted(holders)):
        query = reduce(or_, (Q(path__startswith=p, depth=holders[p] + 1) for p in chunk))
        for path in CatalogueNode.objects.filter(query).values_list("path", flat=True):
            number = CatalogueNode._str2int(path[-step:])
            last[path[:-step]] = max(last.get(path[:-step], 0), number)
    added: Counter[str] = Counter()
    for item in creates:
        assert item.node is not None
        if item.parent is not None and item.parent.node is not None:
            parent_path = item.parent.node.path  # created just before, in file order
        else:
            holder = item.parent.existing if item.parent else item.parent_node
            parent_path = holder.path if holder else ""
            added[parent_path] += 1
        number = last.get(parent_path, 0) + 1
        last[parent_path] = number
        key = CatalogueNode._int2str(number)
        if len(key) > step:
            raise Conflict(_("Too many children under one node."), code=TOO_MANY)
        item.node.path = parent_path + CatalogueNode.alphabet[0] * (step - len(key)) + key
        item.node.depth = len(item.node.path) // step
    return added


def catalogue_import(*, actor: Any, name: str, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import a catalogue tree from JSON or CSV ``data`` (see the module docstring).

    Returns the report; when it holds problems nothing was stored. ``dry_run`` checks and
    counts without storing. Raises PermissionDenied for an actor who may not edit the
    catalogue, and Conflict when the catalogue changed under a running import.
    """
    _require_editor(actor)
    report = ImportReport(name=name[:200], dry_run=dry_run)
    reader = _Reader(report)
    try:
        text = _decode(data, report)
        report.format = "json" if text.lstrip()[:1] in ("[", "{") else "csv"
        if report.format == "json":
            reader.read_json(text)
        else:
            reader.read_csv(text)
    except _Stop:
        return report
    if not reader.items:
        if report.ok:
            report.add(EMPTY, _("The file holds no nodes."))
        return report
    try:
        # Matching and writing in one transaction, the nodes matched locked (PostgreSQL), so
        # a parent cannot vanish between the check and the write.
        with transaction.atomic():
            creates, updates = _Planner(report, reader.items, lock=not dry_run).plan()
            _build(report, creates)
            if report.ok and not dry_run:
                _write(actor, report, creates, updates)
    except IntegrityError as exc:
        raise Conflict(
            _("The catalogue changed while the file was imported. Please try again."), code=BUSY
        ) from exc
    return report


def _build(report: ImportReport, creates: list[_Item]) -> None:
    """The unsaved nodes to create, each checked field by field as the model declares."""
    for item in creates:
        item.node = CatalogueNode(
            kind=item.kind,
            code=item.code,
            name=item.values["name"],
            name_en=item.values.get("name_en", ""),
            is_active=item.is_active if item.is_active is not None else True,
            **item.effective,
        )
        try:
            item.node.clean_fields(exclude=["path", "depth", "numchild"])
        except ValidationError as exc:
            for fld, messages in exc.message_dict.items():
                report.add(BAD_VALUE, messages[0], field=fld, **item.where)


def _write(actor: Any, report: ImportReport, creates: list[_Item], updates: list[_Item]) -> None:
    added = _allocate_paths(creates)
    children = Counter(
        item.parent.node.path for item in creates if item.parent and item.parent.node
    )
    nodes = [item.node for item in creates if item.node is not None]
    for node in nodes:
        node.numchild = children.get(node.path, 0)
    CatalogueNode.objects.bulk_create(nodes, batch_size=CHUNK)
    for path, count in added.items():
        if path:
            CatalogueNode.objects.filter(path=path).update(numchild=F("numchild") + count)
    changed = [item.existing for item in updates if item.existing is not None]
    CatalogueNode.objects.bulk_update(changed, ["name", "name_en", "is_active"], batch_size=CHUNK)
    audit_record(
        actor=actor,
        action="catalogue.import",
        target_type=CatalogueNode._meta.label_lower,
        target_label=report.name,
        changes={
            "format": report.format,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
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
        report.add(EMPTY, _("The file holds no nodes."))
        raise _Stop
    return text


# --- Export --------------------------------------------------------------------------------


def catalogue_export(root: CatalogueNode | None, fmt: Format) -> bytes:
    """The subtree of ``root`` (the whole catalogue when None) as JSON or CSV that
    ``catalogue_import`` reads back. A subtree's top names its parent (``parent_code``), so
    it imports where that parent exists. CSV starts with a byte-order mark for spreadsheets."""
    if fmt not in ("json", "csv"):
        raise Invalid(code=BAD_VALUE, detail={"fmt": fmt})
    qs = CatalogueNode.objects.all()
    above: CatalogueNode | None = None
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
        above = CatalogueNode.objects.get_parent(root) if root.depth > 1 else None
    nodes = list(qs.order_by("path"))
    codes = {n.path: n.code for n in nodes}
    if above is not None:
        codes[above.path] = above.code
    if fmt == "csv":
        return _export_csv(nodes, codes)
    return _export_json(nodes, above)


def _export_csv(nodes: list[CatalogueNode], codes: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for node in nodes:
        writer.writerow(
            [
                node.code,
                codes.get(_parent_path(node.path), ""),
                node.kind,
                node.name,
                node.name_en,
                node.stage,
                node.subject,
                node.edition,
                "" if node.grade_level is None else node.grade_level,
                "true" if node.is_active else "false",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _export_json(nodes: list[CatalogueNode], above: CatalogueNode | None) -> bytes:
    top: list[dict[str, Any]] = []
    by_path: dict[str, tuple[CatalogueNode, dict[str, Any]]] = {}
    for node in nodes:
        entry: dict[str, Any] = {"kind": node.kind, "code": node.code, "name": node.name}
        if node.name_en:
            entry["name_en"] = node.name_en
        holder = by_path.get(_parent_path(node.path))
        parent = holder[0] if holder else above
        for attr in INHERITED:
            value = getattr(node, attr)
            if value not in ("", None) and (parent is None or getattr(parent, attr) != value):
                entry[attr] = value
        if not node.is_active:
            entry["is_active"] = False
        if holder is None:
            if above is not None:
                entry = {"parent_code": above.code, **entry}
            top.append(entry)
        else:
            holder[1].setdefault("children", []).append(entry)
        by_path[node.path] = (node, entry)
    return (json.dumps(top, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
