"""Moodle XML (``<quiz><question type="...">``): import and export.

Supported question types: multichoice (single and multiple answer), truefalse, shortanswer,
numerical (units are ignored with a warning), matching, essay; ``category`` entries set the
category path of the questions after them; ``description`` entries are skipped with a note;
every other type (cloze/multianswer, gapselect, ddwtos, ordering, calculated, ...) is reported
as ``items.unsupported_type``. Texts may be CDATA; ``fraction`` is a percentage; tags,
idnumber, generalfeedback and graderinfo are kept. Tongke adds ``<tongke_difficulty>`` and
``<tongke_version>`` elements, which Moodle's importer ignores.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import Element

from django.utils.translation import gettext_lazy as _

from .gift import category_path, category_text
from .model import (
    DESCRIPTION_SKIPPED,
    FEATURE_IGNORED,
    INVALID_GRADE,
    MALFORMED,
    MAX_ITEMS_PER_FILE,
    NO_CORRECT_ANSWER,
    NO_QUESTIONS,
    TOO_MANY_ITEMS,
    UNKNOWN_FORMAT,
    UNSUPPORTED_TYPE,
    WRONG_ANSWER_TYPE,
    Choice,
    ImportResult,
    InterchangeError,
    Item,
    MatchPair,
    NumericAnswer,
    ReportEntry,
    TextAnswer,
    TextFormat,
    TextParts,
    choice_ids,
    default_name,
    entry,
    format_number,
    looks_like_html,
    parse_number,
    round_weight,
    true_false_choices,
    validate_item,
)
from .safexml import XmlDocument, parse_xml

FORMAT = "moodlexml"
SUPPORTED = ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "match", "essay")
# The grades Moodle offers (question_bank::fraction_options_full), as fractions.
MOODLE_GRADES = sorted(
    {
        0.0,
        1.0,
        0.9,
        0.8333333,
        0.8,
        0.75,
        0.7,
        0.6666667,
        0.6,
        0.5,
        0.4,
        0.3333333,
        0.3,
        0.25,
        0.2,
        0.1666667,
        0.1428571,
        0.125,
        0.1111111,
        0.1,
        0.05,
    }
)
_FROM_MOODLE: dict[str, TextFormat] = {
    "html": "html",
    "markdown": "markdown",
    "plain_text": "plain",
}
_TO_MOODLE = {"html": "html", "markdown": "markdown", "plain": "plain_text"}


# --- Import --------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, refused: ReportEntry) -> None:
        super().__init__(refused.code)
        self.entry = refused


def parse_moodlexml(data: bytes) -> ImportResult:
    return parse_document(parse_xml(data))


def parse_document(doc: XmlDocument) -> ImportResult:
    if doc.root.tag != "quiz":
        raise InterchangeError(
            UNKNOWN_FORMAT,
            _("This is not a Moodle XML file: the root element is <%(root)s>, not <quiz>."),
            root=doc.root.tag,
        )
    result = ImportResult(FORMAT)
    category: list[str] = []
    number = 0
    for question in doc.root.iter("question"):
        qtype = (question.get("type") or "").strip().lower()
        line = doc.line(question)
        if qtype == "category":
            category = category_path(_text(question.find("category")))
            continue
        number += 1
        where: dict[str, Any] = {
            "line": line,
            "position": f"question {number}",
            "identifier": _text(question.find("name")) or None,
        }
        if len(result.items) >= MAX_ITEMS_PER_FILE:
            result.report.append(
                entry(
                    TOO_MANY_ITEMS,
                    _("Only the first %(count)s questions were read."),
                    severity="warning",
                    count=MAX_ITEMS_PER_FILE,
                ).where(**where)
            )
            break
        notes: list[ReportEntry] = []
        try:
            item = _question(question, qtype, notes)
        except _Refused as refused:
            result.report += [n.where(**where) for n in [*notes, refused.entry]]
            continue
        item.category = list(category)
        problems = validate_item(item)
        result.report += [n.where(**where) for n in [*notes, *problems]]
        if not any(p.severity == "error" for p in problems):
            result.items.append(item)
    if not result.items and not result.report:
        result.report.append(
            entry(NO_QUESTIONS, _("The file holds no questions."), severity="warning")
        )
    return result


def _text(element: Element | None) -> str:
    """The ``<text>`` child of an element (Moodle's way of holding every text), stripped."""
    if element is None:
        return ""
    child = element.find("text")
    node = child if child is not None else element
    return (node.text or "").strip()


def _formatted(
    element: Element | None, default: str = "moodle_auto_format"
) -> tuple[str, TextFormat]:
    """(text, Tongke format) of a Moodle text field; auto-format text with tags is HTML."""
    text = _text(element)
    moodle = (element.get("format") if element is not None else None) or default
    fmt = _FROM_MOODLE.get(moodle)
    if fmt is None:
        return text, "html" if looks_like_html(text) else "plain"
    return text, fmt


def _fraction(answer: Element, notes: list[ReportEntry]) -> float:
    raw = answer.get("fraction", "0")
    value = parse_number(raw)
    if value is None:
        raise _Refused(entry(INVALID_GRADE, _("The grade %(grade)r is not a number."), grade=raw))
    fraction = round_weight(value / 100)
    if not any(abs(abs(fraction) - g) < 0.00001 for g in MOODLE_GRADES):
        notes.append(
            entry(
                INVALID_GRADE,
                _("The grade %(grade)s%% is not one Moodle offers; check it (Moodle refuses it)."),
                severity="warning",
                grade=raw,
            )
        )
    return fraction


def _question(question: Element, qtype: str, notes: list[ReportEntry]) -> Item:
    if qtype == "description":
        raise _Refused(
            entry(
                DESCRIPTION_SKIPPED,
                _("A description is not a question; skipped."),
                severity="info",
            )
        )
    if qtype not in SUPPORTED:
        raise _Refused(
            entry(
                UNSUPPORTED_TYPE,
                _("The Moodle question type %(type)r is not supported."),
                type=qtype or "(none)",
            )
        )
    stem, stem_fmt = _formatted(question.find("questiontext"))
    texts = TextParts()
    texts.add(stem, stem_fmt)
    explanation = texts.add(*_formatted(question.find("generalfeedback")))
    item = Item(kind="short_answer", stem=stem, title=_text(question.find("name")) or None)
    item.source_id = (question.findtext("idnumber") or "").strip() or None
    item.tags = [t for t in (_text(tag) for tag in question.iter("tag")) if t]
    item.difficulty = parse_number(question.findtext("tongke_difficulty") or "")
    version = (question.findtext("tongke_version") or "").strip()
    item.version = int(version) if version.isdigit() else 1
    if question.find(".//file") is not None or (question.findtext("image") or "").strip():
        notes.append(
            entry(
                FEATURE_IGNORED,
                _("Embedded files and images were not imported; their references remain."),
                severity="warning",
            )
        )

    answers = question.findall("answer")
    choices: list[tuple[int, int, float]] = []  # (text, feedback, weight)
    feedback: list[int] = []  # per fill-in or numeric answer
    pairs: list[tuple[int, int]] = []
    correct_true: bool | None = None
    true_false_feedback: dict[bool, int] = {}
    grader: int | None = None
    if qtype == "multichoice":
        single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
        item.kind = "single" if single else "multiple"
        for answer in answers:
            text = texts.add(*_formatted(answer, "html"))
            choices.append(
                (text, texts.add(*_formatted(answer.find("feedback"))), _fraction(answer, notes))
            )
    elif qtype == "truefalse":
        item.kind = "true_false"
        for answer in answers:
            said = _text(answer).lower()
            if said not in ("true", "false"):
                raise _Refused(
                    entry(MALFORMED, _("A true/false answer must be 'true' or 'false'."))
                )
            true_false_feedback[said == "true"] = texts.add(*_formatted(answer.find("feedback")))
            if _fraction(answer, notes) > 0:
                correct_true = said == "true"
        if correct_true is None:
            raise _Refused(entry(NO_CORRECT_ANSWER, _("No answer is marked correct.")))
    elif qtype == "shortanswer":
        item.kind = "fill_in"
        item.case_sensitive = (question.findtext("usecase") or "0").strip() == "1"
        for answer in answers:
            if _text(answer):
                item.answers.append(TextAnswer(_text(answer), _fraction(answer, notes)))
                feedback.append(texts.add(*_formatted(answer.find("feedback"))))
    elif qtype == "numerical":
        item.kind = "numeric"
        _numeric(question, answers, item, notes)
        for answer in answers:
            if _text(answer) != "*":
                feedback.append(texts.add(*_formatted(answer.find("feedback"))))
    elif qtype in ("matching", "match"):
        item.kind = "matching"
        for sub in question.findall("subquestion"):
            left = texts.add(*_formatted(sub, "html"))
            pairs.append((left, texts.add(_text(sub.find("answer")), "plain")))
    else:
        grader = texts.add(*_formatted(question.find("graderinfo")))

    item.stem_format = texts.unify(stem_fmt)
    item.stem, item.explanation, item.grader_info = texts[0], texts[explanation], texts[grader]
    for cid, (text, fb, weight) in zip(choice_ids(len(choices)), choices, strict=True):
        correct = weight >= 1.0 if item.kind == "single" else weight > 0
        item.choices.append(Choice(cid, texts[text], correct, weight, texts[fb]))
    if correct_true is not None:
        item.choices = true_false_choices(
            correct_true,
            true_feedback=texts[true_false_feedback.get(True)],
            false_feedback=texts[true_false_feedback.get(False)],
        )
    rows: list[TextAnswer | NumericAnswer] = [*item.answers, *item.numeric_answers]
    for row, fb in zip(rows, feedback, strict=True):
        row.feedback = texts[fb]
    item.pairs = [MatchPair(texts[left], texts[right]) for left, right in pairs]
    return item


def _numeric(
    question: Element, answers: list[Element], item: Item, notes: list[ReportEntry]
) -> None:
    units = [u for u in question.iter("unit") if (u.findtext("unit_name") or "").strip()]
    if units:
        notes.append(
            entry(
                FEATURE_IGNORED,
                _("Units (%(units)s) are not supported; answers are plain numbers."),
                severity="warning",
                units=", ".join((u.findtext("unit_name") or "").strip() for u in units),
            )
        )
    for answer in answers:
        said = _text(answer)
        if said == "*":
            notes.append(
                entry(
                    FEATURE_IGNORED,
                    _("The catch-all answer (*) was not imported."),
                    severity="warning",
                )
            )
            continue
        value = parse_number(said)
        tolerance_text = (answer.findtext("tolerance") or "0").strip() or "0"
        tolerance = parse_number(tolerance_text)
        if value is None or tolerance is None:
            raise _Refused(
                entry(
                    WRONG_ANSWER_TYPE,
                    _("The numeric answer %(answer)r (tolerance %(tolerance)r) is not a number."),
                    answer=said,
                    tolerance=tolerance_text,
                )
            )
        item.numeric_answers.append(NumericAnswer(value, abs(tolerance), _fraction(answer, notes)))


# --- Export --------------------------------------------------------------------------------


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


def _text_field(parent: Element, tag: str, text: str, fmt: str | None = None) -> Element:
    field = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(field, "text", text)
    return field


def export_moodlexml(items: Iterable[Item]) -> bytes:
    quiz = Element("quiz")
    category: list[str] = []
    for item in items:
        if item.category != category:
            category = list(item.category)
            question = _sub(quiz, "question", type="category")
            _text_field(question, "category", category_text(category))
        _export_item(quiz, item)
    _indent(quiz)
    body = ET.tostring(quiz, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


_TYPES = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true_false": "truefalse",
    "fill_in": "shortanswer",
    "numeric": "numerical",
    "matching": "matching",
    "short_answer": "essay",
}


def _percent(weight: float) -> str:
    return format_number(round(weight * 100, 5))


def _export_item(quiz: Element, item: Item) -> None:
    fmt = _TO_MOODLE.get(item.stem_format, "plain_text")
    question = _sub(quiz, "question", type=_TYPES[item.kind])
    _text_field(question, "name", item.title or default_name(item))
    _text_field(question, "questiontext", item.stem, fmt)
    _text_field(question, "generalfeedback", item.explanation, fmt)
    _sub(question, "defaultgrade", "1")
    _sub(question, "penalty", "1" if item.kind == "true_false" else "0.3333333")
    _sub(question, "hidden", "0")
    _sub(question, "idnumber", item.source_id or "")
    if item.kind in ("single", "multiple"):
        _sub(question, "single", "true" if item.kind == "single" else "false")
        _sub(question, "shuffleanswers", "true")
        _sub(question, "answernumbering", "abc")
        for choice in item.choices:
            answer = _text_field(question, "answer", choice.text, fmt)
            answer.set("fraction", _percent(choice.weight))
            _text_field(answer, "feedback", choice.feedback, fmt)
    elif item.kind == "true_false":
        for choice in sorted(item.choices, key=lambda c: c.id != "true"):
            answer = _text_field(question, "answer", choice.id, "moodle_auto_format")
            answer.set("fraction", "100" if choice.correct else "0")
            _text_field(answer, "feedback", choice.feedback, fmt)
    elif item.kind == "fill_in":
        _sub(question, "usecase", "1" if item.case_sensitive else "0")
        for ans in item.answers:
            answer = _text_field(question, "answer", ans.text, "moodle_auto_format")
            answer.set("fraction", _percent(ans.weight))
            _text_field(answer, "feedback", ans.feedback, fmt)
    elif item.kind == "numeric":
        for num in item.numeric_answers:
            answer = _text_field(question, "answer", format_number(num.value), "moodle_auto_format")
            answer.set("fraction", _percent(num.weight))
            _sub(answer, "tolerance", format_number(num.tolerance))
            _text_field(answer, "feedback", num.feedback, fmt)
    elif item.kind == "matching":
        _sub(question, "shuffleanswers", "true")
        for pair in item.pairs:
            sub = _text_field(question, "subquestion", pair.left, fmt)
            _text_field(sub, "answer", pair.right)
    else:
        _sub(question, "responseformat", "editor")
        _sub(question, "responserequired", "1")
        _sub(question, "responsefieldlines", "15")
        _sub(question, "attachments", "0")
        _text_field(question, "graderinfo", item.grader_info, fmt)
        _text_field(question, "responsetemplate", "", fmt)
    if item.difficulty is not None:
        _sub(question, "tongke_difficulty", format_number(item.difficulty))
    if item.version != 1:
        _sub(question, "tongke_version", str(item.version))
    if item.tags:
        tags = _sub(question, "tags")
        for tag in item.tags:
            _text_field(tags, "tag", tag)


def _indent(element: Element, level: int = 0) -> None:
    """Pretty-print structure only: elements holding a ``<text>`` value are left alone."""
    children = list(element)
    if not children or element.tag == "text":
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in children:
        _indent(child, level + 1)
        child.tail = pad
    children[-1].tail = "\n" + "  " * level
