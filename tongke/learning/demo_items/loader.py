"""Reads the demo question bank from ``data/grade<7|8|9>.jsonl`` into ``DemoItem`` objects.

Each line of a file is one item, a JSON object with these keys (in this order in the files):

``family``
    the stable family id, ``DEMO-<first point>-<n>``; it is also the item's ``source_id``.
``points``
    one or more knowledge-point codes, first the point the item was written for; the item's
    tags are ``kp:<code>`` for each (its Q-matrix row).
``kind``, ``difficulty``, ``minutes``, ``stem``, ``explanation``
    as on ``interchange.model.Item`` (difficulty on the IRT scale, minutes to answer).
the answer, by kind
    ``single``: ``choices`` (texts, ids A, B, ... in order) and ``answer``, the right id;
    ``multiple``: ``choices`` and ``answer``, the right ids (each right option earns
    1/len(right), each wrong one costs 1/len(wrong)); ``true_false``: ``answer``, a boolean;
    ``numeric``: ``answer``, a number, and ``tolerance`` (optional, 0); ``fill_in``:
    ``accept``, the accepted texts; ``short_answer``: ``model``, the model answer;
    ``matching``: ``pairs``, ``[left, right]`` (an empty left is a distractor).

A line that is not such an object raises ``DemoDataError`` naming the file and line. The files
are read once per process; every ``load_items`` call builds fresh ``Item`` objects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from tongke.learning.interchange.model import (
    KINDS,
    KP_PREFIX,
    Choice,
    Item,
    ItemKind,
    MatchPair,
    NumericAnswer,
    TextAnswer,
    choice_ids,
    round_weight,
    true_false_choices,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("grade7.jsonl", "grade8.jsonl", "grade9.jsonl")
FAMILY_PREFIX = "DEMO-"
COMMON_KEYS = ("family", "points", "kind", "difficulty", "minutes", "stem", "explanation")
T = TypeVar("T")


class DemoDataError(ValueError):
    """A malformed record in a demo data file; the message starts with ``<file>:<line>``."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where


@dataclass
class DemoItem:
    """One question of the demo bank: its stable family id, the item, and minutes to answer."""

    family: str
    item: Item
    minutes: float

    @property
    def points(self) -> list[str]:
        return self.item.knowledge_points


@dataclass(frozen=True)
class Record:
    """One parsed line of a data file, before it is checked."""

    where: str
    data: Any


@cache
def read_records(directory: Path = DATA_DIR) -> tuple[Record, ...]:
    """Every non-blank line of the data files, parsed as JSON, in bank order."""
    out: list[Record] = []
    for name in FILES:
        path = directory / name
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                out.append(Record(where, json.loads(line)))
            except json.JSONDecodeError as error:
                raise DemoDataError(where, f"not JSON ({error.msg})") from error
    return tuple(out)


NAMES = {str: "a string", bool: "a boolean", list: "a list", float: "a number"}


def _get(data: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    """``data[key]`` when it is a ``kind`` (``float`` takes any JSON number, never a boolean)."""
    value: Any = data.get(key)
    wanted: type | tuple[type, ...] = (int, float) if kind is float else kind
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, wanted):
        raise DemoDataError(where, f"{key!r} is missing or not {NAMES[kind]}")
    if kind is float:
        if not math.isfinite(value):
            raise DemoDataError(where, f"{key!r} must be a finite number")
        return cast(T, float(value))
    return cast(T, value)


def _texts(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    values = _get(data, key, list, where)
    if not values or not all(isinstance(v, str) for v in values):
        raise DemoDataError(where, f"{key!r} must be a non-empty list of strings")
    if len(set(values)) != len(values):
        raise DemoDataError(where, f"{key!r} has a repeated entry")
    return cast(list[str], values)


def _single(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    texts = _texts(data, "choices", where)
    ids = choice_ids(len(texts))
    key = _get(data, "answer", str, where)
    if key not in ids:
        raise DemoDataError(where, f"'answer' {key!r} is not one of the choices {ids}")
    choices = [
        Choice(i, text, i == key, 1.0 if i == key else 0.0)
        for i, text in zip(ids, texts, strict=True)
    ]
    return {"choices": choices}


def _multiple(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    texts = _texts(data, "choices", where)
    ids = choice_ids(len(texts))
    keys = _texts(data, "answer", where)
    if not set(keys) <= set(ids) or len(keys) == len(ids):
        raise DemoDataError(where, f"'answer' must be some, not all, of the choices {ids}")
    gain, loss = round_weight(1 / len(keys)), round_weight(-1 / (len(ids) - len(keys)))
    choices = [
        Choice(i, text, i in keys, gain if i in keys else loss)
        for i, text in zip(ids, texts, strict=True)
    ]
    return {"choices": choices}


def _true_false(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {"choices": true_false_choices(_get(data, "answer", bool, where))}


def _numeric(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    tolerance = _get(data, "tolerance", float, where) if "tolerance" in data else 0.0
    if tolerance < 0:
        raise DemoDataError(where, "'tolerance' must not be negative")
    return {"numeric_answers": [NumericAnswer(_get(data, "answer", float, where), tolerance)]}


def _fill_in(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {"answers": [TextAnswer(text) for text in _texts(data, "accept", where)]}


def _short_answer(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {"grader_info": _get(data, "model", str, where)}


def _matching(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    pairs = _get(data, "pairs", list, where)
    if not pairs or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in pairs
    ):
        raise DemoDataError(where, "'pairs' must be a non-empty list of [left, right] strings")
    return {"pairs": [MatchPair(left, right) for left, right in pairs]}


# kind -> (the keys its answer may use, and how they become Item fields)
ANSWERS: dict[str, tuple[tuple[str, ...], Callable[[Mapping[str, Any], str], dict[str, Any]]]] = {
    "single": (("choices", "answer"), _single),
    "multiple": (("choices", "answer"), _multiple),
    "true_false": (("answer",), _true_false),
    "numeric": (("answer", "tolerance"), _numeric),
    "fill_in": (("accept",), _fill_in),
    "short_answer": (("model",), _short_answer),
    "matching": (("pairs",), _matching),
}
assert set(ANSWERS) == set(KINDS)


def build_item(record: Record) -> DemoItem:
    """The ``DemoItem`` of one record; ``DemoDataError`` when the record is malformed."""
    data, where = record.data, record.where
    if not isinstance(data, dict):
        raise DemoDataError(where, "a record must be a JSON object")
    kind = _get(data, "kind", str, where)
    if kind not in ANSWERS:
        raise DemoDataError(where, f"unknown 'kind' {kind!r} (one of {', '.join(ANSWERS)})")
    answer_keys, answer = ANSWERS[kind]
    unknown = sorted(set(data) - {*COMMON_KEYS, *answer_keys})
    if unknown:
        raise DemoDataError(where, f"unexpected keys {unknown} for a {kind} item")
    family = _get(data, "family", str, where)
    points = _texts(data, "points", where)
    if not family.startswith(f"{FAMILY_PREFIX}{points[0]}-"):
        raise DemoDataError(where, f"'family' {family!r} must start with DEMO-{points[0]}-")
    minutes = _get(data, "minutes", float, where)
    item = Item(
        kind=cast(ItemKind, kind),
        stem=_get(data, "stem", str, where),
        explanation=_get(data, "explanation", str, where),
        difficulty=_get(data, "difficulty", float, where),
        tags=[KP_PREFIX + p for p in points],
        source_id=family,
        **answer(data, where),
    )
    return DemoItem(family, item, minutes)


def load_bank(records: Sequence[Record]) -> list[DemoItem]:
    """Every record as a ``DemoItem``, in order; a repeated family or stem is refused."""
    out: list[DemoItem] = []
    families: dict[str, str] = {}
    stems: dict[str, str] = {}
    for record in records:
        demo = build_item(record)
        for seen, key, what in ((families, demo.family, "family"), (stems, demo.item.stem, "stem")):
            if key in seen:
                raise DemoDataError(record.where, f"the {what} {key!r} repeats {seen[key]}")
            seen[key] = record.where
        out.append(demo)
    return out


def load_items(codes: Sequence[str] | None = None) -> list[DemoItem]:
    """The whole demo bank, or the items written for ``codes`` (in the order given): those
    items of the bank whose first point is one of them. An unknown code raises ``KeyError``."""
    bank = load_bank(read_records())
    if codes is None:
        return bank
    by_point: dict[str, list[DemoItem]] = {}
    for demo in bank:
        by_point.setdefault(demo.points[0], []).append(demo)
    return [demo for code in codes for demo in by_point[code]]


def point_codes() -> tuple[str, ...]:
    """The knowledge points the bank has items for, in bank (textbook) order."""
    return tuple(dict.fromkeys(demo.points[0] for demo in load_items()))
