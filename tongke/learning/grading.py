"""Grading answers against an item's key, and the view of an item a learner may see.

An answer is a small JSON object whose shape depends on the item's kind:

=============  ==============================================  ==========================
kind           answer                                          graded
=============  ==============================================  ==========================
single         ``{"choice": "a"}``                             the chosen option's weight
true_false     ``{"choice": "true"}``                          as single
multiple       ``{"choices": ["a", "c"]}``                     sum of weights, 0..1
fill_in        ``{"text": "x=5"}``                             normalized match (NFKC...)
numeric        ``{"value": 3.14}`` (or a string "3.14")        within the tolerance
matching       ``{"pairs": {"left": "right", ...}}``           share of correct pairs
short_answer   ``{"text": "..."}``                             by the teacher (None here)
=============  ==============================================  ==========================

An answer of the wrong shape is refused (``learning.bad_answer``), never graded as wrong.
``learner_view`` is what reaches the browser before an answer: options and pairs without
any mark of which are right, no explanation, no feedback.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tongke.core.errors import Invalid
from tongke.learning.errors import LearningError
from tongke.learning.interchange import model as im

MAX_TEXT = 2000


@dataclass(frozen=True)
class Graded:
    correct: bool | None  # None: waits for a teacher
    score: float  # 0..1 of the item's points
    feedback: str = ""


def _bad(kind: str, expected: str) -> Invalid:
    return Invalid(
        _("This answer does not fit a %(kind)s question: send %(expected)s.")
        % {"kind": kind, "expected": expected},
        code=LearningError.BAD_ANSWER,
        detail={"kind": kind, "expected": expected},
    )


def _text(answer: Any, kind: str) -> str:
    if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
        raise _bad(kind, '{"text": "..."}')
    text = answer["text"]
    if len(text) > MAX_TEXT or "\x00" in text:
        raise Invalid(_("The answer is too long."), code=LearningError.BAD_ANSWER)
    return text


def _choice_ids(item: im.Item) -> set[str]:
    return {c.id for c in item.choices}


def grade(item: im.Item, answer: Any) -> Graded:
    kind = item.kind
    if kind in ("single", "true_false"):
        if not isinstance(answer, dict) or not isinstance(answer.get("choice"), str):
            raise _bad(kind, '{"choice": "<option id>"}')
        chosen = next((c for c in item.choices if c.id == answer["choice"]), None)
        if chosen is None:
            raise _bad(kind, '{"choice": "<option id>"}')
        score = max(0.0, chosen.weight if chosen.weight else (1.0 if chosen.correct else 0.0))
        return Graded(score >= 0.999, min(1.0, score), chosen.feedback)
    if kind == "multiple":
        picks = answer.get("choices") if isinstance(answer, dict) else None
        if not isinstance(picks, list) or not all(isinstance(p, str) for p in picks):
            raise _bad(kind, '{"choices": ["<option id>", ...]}')
        if len(set(picks)) != len(picks) or not set(picks) <= _choice_ids(item):
            raise _bad(kind, '{"choices": ["<option id>", ...]}')
        picked = [c for c in item.choices if c.id in picks]
        if any(c.weight for c in item.choices):
            score = sum(c.weight for c in picked)
        else:
            key = {c.id for c in item.choices if c.correct}
            score = 1.0 if set(picks) == key else 0.0
        score = max(0.0, min(1.0, score))
        return Graded(score >= 0.999, score)
    if kind == "fill_in":
        hit = im.match_fill_in(item, _text(answer, kind))
        score = max(0.0, min(1.0, hit.weight)) if hit else 0.0
        return Graded(score >= 0.999, score, hit.feedback if hit else "")
    if kind == "numeric":
        raw = answer.get("value") if isinstance(answer, dict) else None
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise _bad(kind, '{"value": <number>}')
        number = im.parse_number(raw) if isinstance(raw, str) else float(raw)
        if number is None or not math.isfinite(number):
            raise _bad(kind, '{"value": <number>}')
        best = max(
            (a for a in item.numeric_answers if a.accepts(number)),
            key=lambda a: a.weight,
            default=None,
        )
        score = max(0.0, min(1.0, best.weight)) if best else 0.0
        return Graded(score >= 0.999, score, best.feedback if best else "")
    if kind == "matching":
        given = answer.get("pairs") if isinstance(answer, dict) else None
        lefts = [p.left for p in item.pairs if p.left]
        if not isinstance(given, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in given.items()
        ):
            raise _bad(kind, '{"pairs": {"<left>": "<right>", ...}}')
        if not set(given) <= set(lefts):
            raise _bad(kind, '{"pairs": {"<left>": "<right>", ...}}')
        pairs = {p.left: p.right for p in item.pairs if p.left}
        hits = sum(1 for left in lefts if given.get(left) == pairs[left])
        score = hits / len(lefts) if lefts else 0.0
        return Graded(score >= 0.999, score)
    if kind == "short_answer":
        _text(answer, kind)
        return Graded(None, 0.0)
    raise Invalid(_("Unknown question kind."), code=LearningError.BAD_ITEM)


def _stable_shuffle(values: list[str], seed: str) -> list[str]:
    # surrogatepass: a stem stored before lone surrogates were refused still gets an order.
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()
    rng = random.Random(int(digest[:12], 16))
    out = list(values)
    rng.shuffle(out)
    return out


def learner_view(item: im.Item, *, seed: str = "") -> dict[str, Any]:
    """The question as a learner sees it before answering: no key, no feedback."""
    view: dict[str, Any] = {"kind": item.kind, "stem": item.stem, "stem_format": item.stem_format}
    if item.kind in ("single", "multiple", "true_false"):
        view["choices"] = [{"id": c.id, "text": c.text} for c in item.choices]
    if item.kind == "matching":
        view["lefts"] = [p.left for p in item.pairs if p.left]
        view["rights"] = _stable_shuffle(sorted({p.right for p in item.pairs}), seed or item.stem)
    return view


def solution_view(item: im.Item) -> dict[str, Any]:
    """The answer key and explanation, shown after the learner's answer is in."""
    out: dict[str, Any] = {"explanation": item.explanation}
    if item.kind in ("single", "multiple", "true_false"):
        out["correct_choices"] = [c.id for c in item.choices if c.correct]
    elif item.kind == "fill_in":
        out["accepted"] = item.accepted_answers
    elif item.kind == "numeric":
        out["accepted"] = [
            {"value": a.value, "tolerance": a.tolerance}
            for a in item.numeric_answers
            if a.weight >= 1
        ]
    elif item.kind == "matching":
        out["pairs"] = {p.left: p.right for p in item.pairs if p.left}
    return out
