"""The neutral question model that every interchange format maps to and from.

Plain dataclasses, independent of Django models: the question bank's database models map from
these later. An importer returns ``Item`` objects plus ``ReportEntry`` notes; ``validate_item``
holds the rules every item must pass whatever format it came from; ``normalize_answer`` is the
one normalization of fill-in answers that grading reuses.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ItemKind = Literal[
    "single", "multiple", "true_false", "fill_in", "numeric", "short_answer", "matching"
]
KINDS: tuple[str, ...] = (
    "single",
    "multiple",
    "true_false",
    "fill_in",
    "numeric",
    "short_answer",
    "matching",
)
CHOICE_KINDS = ("single", "multiple", "true_false")
TEXT_FORMATS = ("plain", "html", "markdown")
TextFormat = Literal["plain", "html", "markdown"]
Severity = Literal["fatal", "error", "warning", "info"]

# Where the answer of a missing-word question sits inside its stem (exactly five
# underscores; a longer line of underscores is just text).
BLANK = "_____"
BLANK_PATTERN = re.compile(r"(?<!_)_____(?!_)")


def split_at_blank(text: str) -> tuple[str, str] | None:
    """(before, after) around the stem's answer blank, or None when there is none."""
    match = BLANK_PATTERN.search(text)
    return (text[: match.start()], text[match.end() :]) if match else None


# Weights are fractions of full credit, kept to Moodle's precision (7 decimals).
WEIGHT_DIGITS = 7
# Positive weights of a multiple-answer item must add up to 1 within this.
WEIGHT_SUM_TOLERANCE = 0.0005
KP_PREFIX = "kp:"


@dataclass
class Choice:
    """One option of a single, multiple or true/false item.

    ``correct`` says whether the option belongs to the answer key (single: full credit;
    multiple: positive credit). ``weight`` is the credit for choosing it, -1..1.
    """

    id: str
    text: str
    correct: bool = False
    weight: float = 0.0
    feedback: str = ""


@dataclass
class TextAnswer:
    """An accepted fill-in answer; ``*`` matches anything (Moodle's wildcard)."""

    text: str
    weight: float = 1.0
    feedback: str = ""


@dataclass
class NumericAnswer:
    """A numeric answer: ``value`` ± ``tolerance``. A range lo..hi is stored as its middle
    and half-width, which is what it means."""

    value: float
    tolerance: float = 0.0
    weight: float = 1.0
    feedback: str = ""

    @property
    def low(self) -> float:
        return self.value - self.tolerance

    @property
    def high(self) -> float:
        return self.value + self.tolerance

    @classmethod
    def from_range(
        cls, low: str | float, high: str | float, *, weight: float = 1.0, feedback: str = ""
    ) -> NumericAnswer:
        """Build from a range, computed in decimal so that 3.141..3.142 gives 3.1415 ± 0.0005."""
        lo, hi = Decimal(str(low)), Decimal(str(high))
        if lo > hi:
            lo, hi = hi, lo
        return cls(float((lo + hi) / 2), float((hi - lo) / 2), weight, feedback)

    def accepts(self, number: float) -> bool:
        slack = 1e-9 * max(1.0, abs(self.value))
        return self.low - slack <= number <= self.high + slack


class MatchPair(NamedTuple):
    """A (left, right) pair; an empty left is a distractor on the right-hand side."""

    left: str
    right: str


@dataclass
class Item:
    """A question in the bank, as the interchange formats see it."""

    kind: ItemKind
    stem: str
    stem_format: TextFormat = "plain"
    title: str | None = None
    choices: list[Choice] = field(default_factory=list)
    answers: list[TextAnswer] = field(default_factory=list)
    numeric_answers: list[NumericAnswer] = field(default_factory=list)
    pairs: list[MatchPair] = field(default_factory=list)
    explanation: str = ""
    grader_info: str = ""
    difficulty: float | None = None
    tags: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    source_id: str | None = None
    case_sensitive: bool = False
    version: int = 1

    @property
    def accepted_answers(self) -> list[str]:
        """Fill-in answers that earn full credit."""
        return [a.text for a in self.answers if a.weight >= 1.0]

    @property
    def knowledge_points(self) -> list[str]:
        """Knowledge-point codes (the Q-matrix row), from tags written ``kp:<code>``."""
        return [t[len(KP_PREFIX) :] for t in self.tags if t.startswith(KP_PREFIX)]

    @property
    def correct_choices(self) -> list[Choice]:
        return [c for c in self.choices if c.correct]


@dataclass(frozen=True)
class ReportEntry:
    """One note of an import: what could not be imported (or was imported with a loss) and why.

    ``code`` is stable and machine-readable; ``message`` is a translatable English template
    filled with ``params``. ``severity``: ``fatal`` (the whole file was refused, no items),
    ``error`` (this question was skipped), ``warning`` (imported, something was lost), ``info``.
    """

    code: str
    message: str | Promise
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    line: int | None = None
    position: str | None = None
    identifier: str | None = None

    @property
    def text(self) -> str:
        template = str(self.message)
        try:
            return template % dict(self.params)
        except (KeyError, TypeError, ValueError):
            return template

    def where(
        self, *, line: int | None = None, position: str | None = None, identifier: str | None = None
    ) -> ReportEntry:
        """The same entry located at a question (keeps what is already set)."""
        return replace(
            self,
            line=self.line if self.line is not None else line,
            position=self.position or position,
            identifier=self.identifier or identifier,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.text,
            "line": self.line,
            "position": self.position,
            "identifier": self.identifier,
        }

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"line {self.line}" if self.line is not None else "",
                self.position or "",
                self.identifier or "",
            )
            if part
        )
        return f"{self.code} ({where}): {self.text}" if where else f"{self.code}: {self.text}"


@dataclass
class ImportResult:
    """What an import gives: the items it could parse and a report on everything else."""

    format: str | None
    items: list[Item] = field(default_factory=list)
    report: list[ReportEntry] = field(default_factory=list)

    @property
    def error(self) -> ReportEntry | None:
        """The file-level failure, if the whole file was refused."""
        return next((e for e in self.report if e.severity == "fatal"), None)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def skipped(self) -> list[ReportEntry]:
        """One entry per question that could not be imported."""
        return [e for e in self.report if e.severity == "error"]

    def codes(self) -> list[str]:
        return [e.code for e in self.report]

    def raise_for_error(self) -> None:
        """Raise the file-level failure as Tongke's typed error (for services)."""
        entry = self.error
        if entry is None:
            return
        from tongke.core.errors import Invalid, TooLarge

        cls = TooLarge if entry.code in (TOO_LARGE, PACKAGE_TOO_LARGE) else Invalid
        raise cls(entry.text, code=entry.code, detail=entry.as_dict())


class InterchangeError(Exception):
    """A whole file (or package) is refused; carries one fatal report entry."""

    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        self.entry = ReportEntry(code, message, params, severity="fatal")
        super().__init__(self.entry.text)


# Stable report codes.
MALFORMED = "items.malformed"
INVALID_CHARACTER = "items.invalid_character"
UNSUPPORTED_TYPE = "items.unsupported_type"
UNSUPPORTED_FEATURE = "items.unsupported_feature"
NO_CORRECT_ANSWER = "items.no_correct_answer"
WRONG_ANSWER_TYPE = "items.wrong_answer_type"
INVALID_GRADE = "items.invalid_grade"
TOO_FEW_CHOICES = "items.too_few_choices"
EMPTY_STEM = "items.empty_stem"
MULTIPLE_INTERACTIONS = "items.multiple_interactions"
NO_INTERACTION = "items.no_interaction"
MISSING_FILE = "items.missing_file"
FEATURE_IGNORED = "items.feature_ignored"
DESCRIPTION_SKIPPED = "items.description_skipped"
NO_QUESTIONS = "items.no_questions"
TOO_MANY_ITEMS = "items.too_many_items"
# File-level (fatal) codes.
EMPTY_FILE = "items.empty_file"
TOO_LARGE = "items.too_large"
BAD_ENCODING = "items.bad_encoding"
XML_FORBIDDEN = "items.xml_forbidden"
XML_TOO_COMPLEX = "items.xml_too_complex"
UNKNOWN_FORMAT = "items.unknown_format"
PACKAGE_INVALID = "items.package_invalid"
PACKAGE_UNSAFE = "items.package_unsafe"
PACKAGE_TOO_LARGE = "items.package_too_large"

MAX_ITEMS_PER_FILE = 10_000


def entry(
    code: str, message: str | Promise, severity: Severity = "error", **params: Any
) -> ReportEntry:
    return ReportEntry(code, message, params, severity=severity)


# --- Validation --------------------------------------------------------------------------

# A lone surrogate (U+D800..U+DFFF on its own) is half of a UTF-16 pair: a Python string may
# hold one (JSON's "\ud800", UTF-7, escape codecs), but it cannot be encoded as UTF-8, so
# it could be neither stored nor hashed. Every text that comes in is checked for one.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    return LONE_SURROGATE.search(text) is not None


def lone_surrogate_at(value: Any) -> str | None:
    """Where a lone surrogate sits in plain data (strings, dict keys and values, lists,
    nested to any depth): a dotted path such as ``choices.0.text`` ("" for ``value``
    itself), or None when there is none. Walks without recursion, so depth is no limit."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, str):
            if has_lone_surrogate(current):
                return path
        elif isinstance(current, Mapping):
            for key, child in current.items():
                name = str(key)
                if has_lone_surrogate(name):
                    return f"{path}.(key)".lstrip(".")
                stack.append((f"{path}.{name}".lstrip("."), child))
        elif isinstance(current, list | tuple):
            stack.extend((f"{path}.{n}".lstrip("."), child) for n, child in enumerate(current))
    return None


def item_texts(item: Item) -> list[tuple[str, str]]:
    """Every text of an item with its place (``stem``, ``choices.0.text``, ...): the texts
    shown in the item's format and the plain ones (ids, accepted answers, tags)."""
    out = [
        ("stem", item.stem),
        ("title", item.title or ""),
        ("explanation", item.explanation),
        ("grader_info", item.grader_info),
        ("source_id", item.source_id or ""),
    ]
    for n, choice in enumerate(item.choices):
        out += [(f"choices.{n}.id", choice.id), (f"choices.{n}.text", choice.text)]
        out.append((f"choices.{n}.feedback", choice.feedback))
    for n, answer in enumerate(item.answers):
        out += [(f"answers.{n}.text", answer.text), (f"answers.{n}.feedback", answer.feedback)]
    for n, numeric in enumerate(item.numeric_answers):
        out.append((f"numeric_answers.{n}.feedback", numeric.feedback))
    for n, pair in enumerate(item.pairs):
        out += [(f"pairs.{n}.left", pair.left), (f"pairs.{n}.right", pair.right)]
    out += [(f"tags.{n}", tag) for n, tag in enumerate(item.tags)]
    out += [(f"category.{n}", name) for n, name in enumerate(item.category)]
    return out


def _weights_ok(weights: list[float]) -> bool:
    return all(math.isfinite(w) and -1.0 <= w <= 1.0 for w in weights)


def validate_item(item: Item) -> list[ReportEntry]:
    """The rules every item obeys whatever its source; an ``error`` entry means refuse it."""
    found: list[ReportEntry] = []
    if item.kind not in KINDS:
        return [entry(UNSUPPORTED_TYPE, _("Unknown question kind %(kind)r."), kind=item.kind)]
    broken = next((where for where, text in item_texts(item) if has_lone_surrogate(text)), None)
    if broken is not None:
        return [
            entry(
                INVALID_CHARACTER,
                _(
                    "The text at %(where)s holds a lone surrogate (half of a UTF-16 pair), "
                    "which is not a character; remove it."
                ),
                where=broken,
            )
        ]
    if item.stem_format not in TEXT_FORMATS:
        found.append(
            entry(MALFORMED, _("Unknown text format %(format)r."), format=item.stem_format)
        )
    if not item.stem.strip():
        found.append(entry(EMPTY_STEM, _("The question has no text.")))
    if item.difficulty is not None and not math.isfinite(item.difficulty):
        found.append(entry(MALFORMED, _("The difficulty is not a finite number.")))
    if item.kind in CHOICE_KINDS:
        found += _validate_choices(item)
    elif item.kind == "fill_in":
        found += _validate_fill_in(item)
    elif item.kind == "numeric":
        found += _validate_numeric(item)
    elif item.kind == "matching":
        found += _validate_matching(item)
    return found


def _validate_choices(item: Item) -> list[ReportEntry]:
    choices = item.choices
    if len(choices) < 2:
        return [entry(TOO_FEW_CHOICES, _("A choice question needs at least two choices."))]
    ids = [c.id for c in choices]
    if len(set(ids)) != len(ids) or not all(ids):
        return [entry(MALFORMED, _("Choice identifiers must be present and unique."))]
    weights = [c.weight for c in choices]
    if not _weights_ok(weights):
        return [
            entry(
                INVALID_GRADE,
                _("Every choice's credit must lie between -100%% and 100%%."),
            )
        ]
    if item.kind == "true_false":
        if sorted(ids) != ["false", "true"]:
            return [
                entry(MALFORMED, _("A true/false item has exactly the choices true and false."))
            ]
        if len([c for c in choices if c.correct]) != 1:
            return [entry(NO_CORRECT_ANSWER, _("A true/false item needs exactly one answer."))]
    if not any(c.correct for c in choices):
        return [entry(NO_CORRECT_ANSWER, _("No choice is marked correct."))]
    if item.kind in ("single", "true_false") and any(c.correct and c.weight < 1 for c in choices):
        return [entry(INVALID_GRADE, _("A correct choice must give full credit."))]
    if item.kind == "multiple":
        if any(c.correct and c.weight <= 0 for c in choices):
            return [entry(INVALID_GRADE, _("A correct choice must give some credit."))]
        total = sum(c.weight for c in choices if c.weight > 0)
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            return [
                entry(
                    INVALID_GRADE,
                    _("The positive credits add up to %(total)s%%, not 100%%."),
                    total=_percent(total),
                )
            ]
    return []


def _validate_fill_in(item: Item) -> list[ReportEntry]:
    if not item.answers:
        return [entry(NO_CORRECT_ANSWER, _("The fill-in question has no accepted answer."))]
    if any(not a.text.strip() for a in item.answers):
        return [entry(MALFORMED, _("An accepted answer is empty."))]
    if not _weights_ok([a.weight for a in item.answers]):
        return [entry(INVALID_GRADE, _("Every answer's credit must lie between -100%% and 100%%."))]
    if not any(a.weight >= 1.0 and a.text != "*" for a in item.answers):
        return [entry(NO_CORRECT_ANSWER, _("No accepted answer gives full credit."))]
    return []


def _validate_numeric(item: Item) -> list[ReportEntry]:
    if not item.numeric_answers:
        return [entry(NO_CORRECT_ANSWER, _("The numeric question has no answer."))]
    for answer in item.numeric_answers:
        if not (math.isfinite(answer.value) and math.isfinite(answer.tolerance)):
            return [entry(WRONG_ANSWER_TYPE, _("A numeric answer is not a finite number."))]
        if answer.tolerance < 0:
            return [entry(MALFORMED, _("A numeric tolerance is negative."))]
    if not _weights_ok([a.weight for a in item.numeric_answers]):
        return [entry(INVALID_GRADE, _("Every answer's credit must lie between -100%% and 100%%."))]
    if not any(a.weight >= 1.0 for a in item.numeric_answers):
        return [entry(NO_CORRECT_ANSWER, _("No numeric answer gives full credit."))]
    return []


def _validate_matching(item: Item) -> list[ReportEntry]:
    real = [p for p in item.pairs if p.left.strip()]
    if not real:
        return [entry(NO_CORRECT_ANSWER, _("The matching question has no pair."))]
    if any(not p.right.strip() for p in item.pairs):
        return [entry(MALFORMED, _("A matching pair has no right-hand side."))]
    return []


# --- Small shared helpers ------------------------------------------------------------------


def round_weight(weight: float) -> float:
    """Weights are kept to 7 decimals (Moodle's precision), so 1/3 and 33.33333% agree."""
    value = round(weight, WEIGHT_DIGITS)
    return 0.0 if value == 0 else value


def _percent(weight: float) -> str:
    return format_number(weight * 100)


def format_number(value: float) -> str:
    """A number as short text: 1822, 3.1415, 33.33333 (no exponent, no trailing zeros)."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def parse_number(text: str) -> float | None:
    """A finite decimal number, or None (no inf, nan, hex or underscores)."""
    text = text.strip()
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    try:
        value = float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None
    return value if math.isfinite(value) else None


def choice_ids(count: int) -> list[str]:
    """Stable generated choice identifiers: A, B, ..., Z, AA, AB, ..."""
    out = []
    for n in range(count):
        name, k = "", n
        while True:
            name = chr(ord("A") + k % 26) + name
            k = k // 26 - 1
            if k < 0:
                break
        out.append(name)
    return out


def true_false_choices(
    answer: bool, *, true_feedback: str = "", false_feedback: str = ""
) -> list[Choice]:
    return [
        Choice("true", "True", answer, 1.0 if answer else 0.0, true_feedback),
        Choice("false", "False", not answer, 0.0 if answer else 1.0, false_feedback),
    ]


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def join_around_blank(before: str, after: str) -> str:
    """Stem text with the answer blank between ``before`` and ``after``: one space on each
    side, none next to CJK text (where words are not separated by spaces)."""
    before, after = before.strip(), after.strip()
    out = before
    if before:
        out += "" if _CJK.match(before[-1]) else " "
    out += BLANK
    if after:
        out += "" if _CJK.match(after[0]) else " "
        out += after
    return out


_HTML_MARKUP = re.compile(r"<[a-zA-Z/!][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def looks_like_html(text: str) -> bool:
    return bool(_HTML_MARKUP.search(text))


def plain_to_html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def unify_formats(
    stem_format: TextFormat, parts: list[tuple[str, str]]
) -> tuple[TextFormat, list[str]]:
    """Give every text of an item one format (an item has one ``stem_format``).

    ``parts`` are (text, format), the stem first. HTML with real markup wins and the other
    parts are escaped into it; an HTML part with no markup is read as plain text.
    """
    target: TextFormat = stem_format
    if target != "html" and any(f == "html" and looks_like_html(t) for t, f in parts):
        target = "html"
    out = []
    for text, fmt in parts:
        if fmt == target or not text:
            out.append(text)
        elif target == "html":
            out.append(plain_to_html(text))
        elif fmt == "html":
            out.append(html.unescape(text))
        else:
            out.append(text)
    return target, out


class TextParts:
    """Every formatted text of one question, collected while it is parsed and then given one
    format (see ``unify_formats``) before the item is built; ``add`` returns an index."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []
        self.unified: list[str] = []

    def add(self, text: str, fmt: str) -> int:
        self.parts.append((text, fmt))
        return len(self.parts) - 1

    def unify(self, stem_format: TextFormat) -> TextFormat:
        fmt, self.unified = unify_formats(stem_format, self.parts)
        return fmt

    def __getitem__(self, index: int | None) -> str:
        return "" if index is None else self.unified[index]


def collapse_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def plain_text_of(text: str, fmt: str) -> str:
    """Readable one-line text of a stem in any format (for names and titles)."""
    if fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return collapse_whitespace(text)


def default_name(item: Item) -> str:
    """A name for formats that require one, from the start of the stem."""
    text = plain_text_of(item.stem, item.stem_format)
    return (text[:60] + "…") if len(text) > 60 else (text or "Question")


# --- Fill-in answers -----------------------------------------------------------------------


def normalize_answer(text: str, *, case_sensitive: bool = False) -> str:
    """The one normalization of fill-in answers, for import and for grading.

    NFKC (full-width letters, digits and spaces become half-width; compatibility forms are
    folded), full-width CJK punctuation that NFKC keeps is mapped too, whitespace is trimmed
    and collapsed, and case is folded unless the item is case sensitive.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_FULLWIDTH_PUNCT)
    text = collapse_whitespace(text)
    return text if case_sensitive else text.casefold()


_FULLWIDTH_PUNCT = str.maketrans({"。": ".", "，": ",", "、": ",", "；": ";", "：": ":"})


def match_fill_in(item: Item, response: str) -> TextAnswer | None:
    """The best accepted answer that ``response`` matches, or None (``*`` matches anything)."""
    given = normalize_answer(response, case_sensitive=item.case_sensitive)
    best: TextAnswer | None = None
    for answer in item.answers:
        if answer.text == "*":
            hit = bool(given)
        else:
            pattern = normalize_answer(answer.text, case_sensitive=item.case_sensitive)
            if "*" in pattern:
                regex = ".*".join(re.escape(p) for p in pattern.split("*"))
                hit = re.fullmatch(regex, given, re.DOTALL) is not None
            else:
                hit = pattern == given
        if hit and (best is None or answer.weight > best.weight):
            best = answer
    return best
