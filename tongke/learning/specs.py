"""An item's answer key as stored: the neutral ``interchange.model.Item`` as plain JSON.

``learning.Item.spec`` holds ``item_to_spec(item)``; grading and export read it back with
``spec_to_item``. The JSON names the dataclass fields one for one (choices, fill-in and numeric
answers as objects, matching pairs as ``[left, right]``), so a spec round-trips exactly. A
spec that is not well formed raises ``Invalid`` (``learning.bad_spec``), never a 500.
An item in ``html`` format is read back with its HTML sanitised (``interchange.sanitize``), so
whatever a stored row holds, learners' views, solutions, feedback and exports get only the
allow-listed markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid
from tongke.learning.errors import LearningError
from tongke.learning.interchange.model import (
    KINDS,
    TEXT_FORMATS,
    Choice,
    Item,
    MatchPair,
    NumericAnswer,
    TextAnswer,
)
from tongke.learning.interchange.sanitize import sanitize_item

BAD_SPEC = LearningError.BAD_SPEC


def item_to_spec(item: Item) -> dict[str, Any]:
    """The item as JSON-ready plain data (every field, in the dataclass's terms)."""
    return {
        "kind": item.kind,
        "stem": item.stem,
        "stem_format": item.stem_format,
        "title": item.title,
        "choices": [
            {
                "id": c.id,
                "text": c.text,
                "correct": c.correct,
                "weight": c.weight,
                "feedback": c.feedback,
            }
            for c in item.choices
        ],
        "answers": [
            {"text": a.text, "weight": a.weight, "feedback": a.feedback} for a in item.answers
        ],
        "numeric_answers": [
            {"value": a.value, "tolerance": a.tolerance, "weight": a.weight, "feedback": a.feedback}
            for a in item.numeric_answers
        ],
        "pairs": [[p.left, p.right] for p in item.pairs],
        "explanation": item.explanation,
        "grader_info": item.grader_info,
        "difficulty": item.difficulty,
        "tags": list(item.tags),
        "category": list(item.category),
        "source_id": item.source_id,
        "case_sensitive": item.case_sensitive,
        "version": item.version,
    }


def _bad(what: str) -> Invalid:
    return Invalid(
        _("The stored answer key is not well formed (%(what)s).") % {"what": what},
        code=BAD_SPEC,
        detail={"field": what},
    )


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise _bad(key)
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(key)
    return value


def _number(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(key)
    value = float(value)
    if not math.isfinite(value):
        raise _bad(key)
    return value


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise _bad(key)
    return value


def _objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise _bad(key)
    return value


def _texts(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(key)
    return list(value)


def spec_to_item(spec: Any, *, clean: bool = True) -> Item:
    """The ``Item`` a stored spec describes (missing fields take their defaults), its HTML
    sanitised. ``clean=False`` keeps the HTML as sent, for a service that sanitises it
    itself and keeps the source (``bank.item_create``)."""
    if not isinstance(spec, Mapping):
        raise _bad("spec")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise _bad("kind")
    stem_format = spec.get("stem_format", "plain")
    if stem_format not in TEXT_FORMATS:
        raise _bad("stem_format")
    pairs = spec.get("pairs", [])
    if not isinstance(pairs, list) or not all(
        isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(s, str) for s in p)
        for p in pairs
    ):
        raise _bad("pairs")
    difficulty = spec.get("difficulty")
    if difficulty is not None:
        difficulty = _number(spec, "difficulty", 0.0)
    version = spec.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _bad("version")
    item = Item(
        kind=kind,
        stem=_text(spec, "stem"),
        stem_format=stem_format,
        title=_optional_text(spec, "title"),
        choices=[
            Choice(
                id=_text(c, "id"),
                text=_text(c, "text"),
                correct=_flag(c, "correct"),
                weight=_number(c, "weight", 0.0),
                feedback=_text(c, "feedback"),
            )
            for c in _objects(spec, "choices")
        ],
        answers=[
            TextAnswer(
                text=_text(a, "text"),
                weight=_number(a, "weight", 1.0),
                feedback=_text(a, "feedback"),
            )
            for a in _objects(spec, "answers")
        ],
        numeric_answers=[
            NumericAnswer(
                value=_number(a, "value", math.nan),
                tolerance=_number(a, "tolerance", 0.0),
                weight=_number(a, "weight", 1.0),
                feedback=_text(a, "feedback"),
            )
            for a in _objects(spec, "numeric_answers")
        ],
        pairs=[MatchPair(left, right) for left, right in pairs],
        explanation=_text(spec, "explanation"),
        grader_info=_text(spec, "grader_info"),
        difficulty=difficulty,
        tags=_texts(spec, "tags"),
        category=_texts(spec, "category"),
        source_id=_optional_text(spec, "source_id"),
        case_sensitive=_flag(spec, "case_sensitive"),
        version=version,
    )
    return sanitize_item(item)[0] if clean else item
