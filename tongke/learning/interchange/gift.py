"""GIFT, Moodle's plain-text question format: import and export.

Follows the grammar in Moodle's documentation ("GIFT format") and Moodle's own reader where
the documentation is silent: questions are separated by blank lines; ``//`` starts a comment
line (``// [id:...] [tag:...]`` carry the identifier and tags); ``$CATEGORY:`` switches the
category; ``::title::``; ``[html]``/``[markdown]``/``[plain]``/``[moodle]`` formats; one answer
block ``{...}`` (text after it makes a missing-word question); ``=`` right, ``~`` wrong,
``%50%`` weights, ``#`` feedback, ``####`` general feedback; ``{#...}`` numeric with
``value:tolerance``, ``low..high`` and several answers; ``=a -> b`` matching; ``{T}``/
``{FALSE#wrong#right}`` true/false; ``{}`` essay; the escapes ``\\~ \\= \\# \\{ \\} \\: \\\\``
and ``\\n``. Tongke adds ``[difficulty:x]``, ``[version:n]`` and ``[case-sensitive:true]``
to the metadata comment; Moodle ignores comments, so the files stay valid GIFT.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .model import (
    DESCRIPTION_SKIPPED,
    FEATURE_IGNORED,
    MALFORMED,
    MAX_ITEMS_PER_FILE,
    NO_CORRECT_ANSWER,
    NO_QUESTIONS,
    TOO_MANY_ITEMS,
    WRONG_ANSWER_TYPE,
    Choice,
    ImportResult,
    Item,
    MatchPair,
    NumericAnswer,
    ReportEntry,
    TextAnswer,
    TextFormat,
    TextParts,
    choice_ids,
    collapse_whitespace,
    entry,
    format_number,
    join_around_blank,
    parse_number,
    round_weight,
    split_at_blank,
    true_false_choices,
    validate_item,
)
from .safexml import decode_text

FORMAT = "gift"
_FORMATS: dict[str, TextFormat] = {
    "moodle": "plain",
    "plain": "plain",
    "html": "html",
    "markdown": "markdown",
}
_FORMAT_TAG = re.compile(r"^\[(moodle|html|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?|-?\.\d+)%")
_META = re.compile(r"\[(id|tag|difficulty|version|case-sensitive):([^\]]*)\]")
_TRUE = ("T", "TRUE")
_FALSE = ("F", "FALSE")

# Escaped characters become private-use placeholders while the question is taken apart.
_ESCAPES = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
    "n": "\ue007",
}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})


def _protect(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _clean(raw: str, fmt: str) -> str:
    """Final text of a part: whitespace collapsed in plain text (HTML and Markdown keep their
    line structure), escapes restored (``\\n`` is a real line break in every format)."""
    text = collapse_whitespace(raw) if fmt == "plain" else raw.strip()
    return _restore(text)


def _split_format(raw: str, default: TextFormat) -> tuple[str, TextFormat]:
    raw = raw.strip()
    match = _FORMAT_TAG.match(raw)
    if match:
        return raw[match.end() :], _FORMATS[match.group(1).lower()]
    return raw, default


def category_path(text: str) -> list[str]:
    """``$course$/top/A/B`` -> ["A", "B"]; ``//`` is a slash inside a name."""
    segments = [s.replace("//", "/").strip() for s in re.split(r"(?<!/)/(?!/)", text.strip())]
    segments = [s for s in segments if s]
    while segments and re.fullmatch(r"\$\w+\$", segments[0]):
        segments.pop(0)
    if segments and segments[0] == "top":
        segments.pop(0)
    return segments


def category_text(path: list[str]) -> str:
    return "/".join(["$course$", "top", *(s.replace("/", "//") for s in path)])


# --- Import --------------------------------------------------------------------------------


@dataclass
class _Block:
    line: int
    content: list[str]
    comments: list[str]


def _blocks(text: str) -> Iterator[_Block]:
    """Questions are separated by blank lines; ``//`` lines are comments (metadata)."""
    lines: list[tuple[int, str, bool]] = []
    for number, line in enumerate([*text.split("\n"), ""], start=1):
        if line.strip():
            lines.append((number, line, line.strip().startswith("//")))
        elif lines:
            yield from _split_run(lines)
            lines = []


def _split_run(lines: list[tuple[int, str, bool]]) -> Iterator[_Block]:
    """One run of non-blank lines, split where a question ends with ``}`` on a line and
    another answer block follows (questions written without a blank line between them)."""
    protected = [("" if comment else _protect(text)) for _n, text, comment in lines]
    opens_after = [False] * len(lines)
    seen = False
    for index in range(len(lines) - 1, -1, -1):
        opens_after[index] = seen
        seen = seen or "{" in protected[index]
    start = 0
    for index, text in enumerate(protected):
        if text.rstrip().endswith("}") and opens_after[index]:
            yield _block(lines[start : index + 1])
            start = index + 1
    if start < len(lines):
        yield _block(lines[start:])


def _block(lines: list[tuple[int, str, bool]]) -> _Block:
    content = [text for _n, text, comment in lines if not comment]
    comments = [text.strip()[2:] for _n, text, comment in lines if comment]
    first = next((n for n, _text, comment in lines if not comment), lines[0][0])
    return _Block(first, content, comments)


def parse_gift(data: bytes) -> ImportResult:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    result = ImportResult(FORMAT)
    category: list[str] = []
    number = 0
    for block in _blocks(text):
        if len(result.items) >= MAX_ITEMS_PER_FILE:
            result.report.append(
                entry(
                    TOO_MANY_ITEMS,
                    _("Only the first %(count)s questions were read."),
                    severity="warning",
                    count=MAX_ITEMS_PER_FILE,
                ).where(line=block.line)
            )
            break
        body = _protect("\n".join(block.content).strip())
        if not body:
            continue
        if body.startswith("$CATEGORY:"):
            first, _sep, rest = body.partition("\n")
            category = category_path(_restore(first[len("$CATEGORY:") :]))
            body = rest.strip()
            if not body:
                continue
        number += 1
        title, body = _title(body)
        item, notes = _parse_question(body, title, block.comments)
        where: dict[str, Any] = {
            "line": block.line,
            "position": f"question {number}",
            "identifier": title,
        }
        result.report += [n.where(**where) for n in notes]
        if item is None:
            continue
        item.category = list(category)
        problems = validate_item(item)
        result.report += [p.where(**where) for p in problems]
        if not any(p.severity in ("error", "fatal") for p in problems):
            result.items.append(item)
    if not result.items and not result.report:
        result.report.append(
            entry(NO_QUESTIONS, _("The file holds no GIFT questions."), severity="warning")
        )
    return result


def _metadata(comments: Iterable[str], item: Item, notes: list[ReportEntry]) -> None:
    for comment in comments:
        for key, value in _META.findall(comment):
            value = value.strip()
            if key == "id" and value:
                item.source_id = value
            elif key == "tag" and value:
                item.tags.append(value)
            elif key == "difficulty":
                number = parse_number(value)
                if number is None:
                    notes.append(
                        entry(
                            FEATURE_IGNORED,
                            _("The difficulty %(value)r is not a number; it was ignored."),
                            severity="warning",
                            value=value,
                        )
                    )
                item.difficulty = number
            elif key == "version" and value.isdigit():
                item.version = int(value)
            elif key == "case-sensitive":
                item.case_sensitive = value.lower() in ("true", "1", "yes")


def _title(body: str) -> tuple[str | None, str]:
    if not body.startswith("::"):
        return None, body
    end = body.find("::", 2)
    if end == -1:
        return None, body[2:].lstrip()
    return collapse_whitespace(_restore(body[2:end])) or None, body[end + 2 :].strip()


def _parse_question(
    body: str, title: str | None, comments: list[str]
) -> tuple[Item | None, list[ReportEntry]]:
    notes: list[ReportEntry] = []
    opening, closing = body.find("{"), body.find("}")
    if opening == -1 and closing == -1:
        return None, [
            entry(
                DESCRIPTION_SKIPPED,
                _("A description (text without an answer block) is not a question; skipped."),
                severity="info",
            )
        ]
    if opening == -1 or closing == -1 or closing < opening:
        return None, [
            entry(
                MALFORMED,
                _("The answer block's braces do not match; escape literal braces as \\{ and \\}."),
            )
        ]
    rest = body[closing + 1 :]
    if "{" in body[opening + 1 : closing] or "{" in rest or "}" in rest:
        return None, [
            entry(
                MALFORMED,
                _(
                    "A question has one answer block; escape literal braces as \\{ and \\} "
                    "(several blanks in one question are not supported)."
                ),
            )
        ]
    before, fmt = _split_format(body[:opening], "plain")
    stem_before, stem_after = _clean(before, fmt), _clean(rest, fmt)
    stem = join_around_blank(stem_before, stem_after) if stem_after else stem_before

    answer = body[opening + 1 : closing].strip()
    general = ""
    cut = answer.rfind("####")
    if cut != -1:
        general, answer = answer[cut + 4 :], answer[:cut].strip()
    texts = TextParts()
    texts.add(stem, fmt)
    explanation = texts.add(*_part(general, fmt)) if general.strip() else None

    item = Item(kind="short_answer", stem=stem, stem_format=fmt, title=title)
    _metadata(comments, item, notes)
    finish: Callable[[], None] | None = None
    try:
        if answer == "":
            item.kind = "short_answer"
        elif answer.startswith("#"):
            finish = _numeric(item, answer[1:], fmt, texts, notes)
        elif "~" in answer:
            finish = _choices(item, answer, fmt, texts)
        elif _is_matching(answer):
            finish = _matching(item, answer, fmt, texts)
        elif answer.split("#", 1)[0].strip().upper() in _TRUE + _FALSE:
            finish = _true_false(item, answer, fmt, texts)
        else:
            finish = _short(item, answer, fmt, texts)
    except _Refused as refused:
        return None, [*notes, refused.entry]

    item.stem_format = texts.unify(fmt)
    item.stem = texts[0]
    item.explanation = texts[explanation]
    if finish is not None:
        finish()
    return item, notes


class _Refused(Exception):
    def __init__(self, refused: ReportEntry) -> None:
        super().__init__(refused.code)
        self.entry = refused


def _part(raw: str, default: TextFormat) -> tuple[str, TextFormat]:
    text, fmt = _split_format(raw, default)
    return _clean(text, fmt), fmt


def _weight(segment: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(segment)
    if not match:
        return None, segment
    return round_weight(float(match.group(1)) / 100), segment[match.end() :]


def _segments(answer: str, markers: str) -> list[tuple[str, str]]:
    """Split at (unescaped) markers; text before the first marker counts as an answer, as in
    Moodle, marked with the first of ``markers``."""
    pieces = re.split(f"([{re.escape(markers)}])", answer)
    out = []
    if pieces[0].strip():
        out.append((markers[0], pieces[0]))
    for i in range(1, len(pieces), 2):
        out.append((pieces[i], pieces[i + 1]))
    return out


def _choices(item: Item, answer: str, fmt: TextFormat, texts: TextParts) -> Callable[[], None]:
    single = "=" in answer
    item.kind = "single" if single else "multiple"
    segments = _segments(answer, "~=")
    rows = []
    for cid, (marker, raw) in zip(choice_ids(len(segments)), segments, strict=True):
        weight, raw = _weight(raw)
        if weight is None:
            weight = 1.0 if marker == "=" else 0.0
        text_raw, _sep, feedback_raw = raw.partition("#")
        text = texts.add(*_part(text_raw, fmt))
        feedback = texts.add(*_part(feedback_raw, fmt)) if feedback_raw.strip() else None
        correct = weight >= 1.0 if single else weight > 0
        rows.append((cid, text, correct, weight, feedback))

    def finish() -> None:
        item.choices = [Choice(c, texts[t], ok, w, texts[f]) for c, t, ok, w, f in rows]

    return finish


def _is_matching(answer: str) -> bool:
    """Matching when every ``=`` answer has the form ``left -> right`` (Moodle only asks for
    one ``->`` somewhere; a short answer that happens to contain an arrow stays one)."""
    segments = _segments(answer, "=")
    return bool(segments) and all("->" in raw for _marker, raw in segments)


def _matching(item: Item, answer: str, fmt: TextFormat, texts: TextParts) -> Callable[[], None]:
    item.kind = "matching"
    rows = []
    for _marker, raw in _segments(answer, "="):
        if "->" not in raw:
            raise _Refused(
                entry(MALFORMED, _("Every matching answer needs the form =left -> right."))
            )
        left_raw, _sep, right_raw = raw.partition("->")
        rows.append((texts.add(*_part(left_raw, fmt)), texts.add(_clean(right_raw, fmt), fmt)))

    def finish() -> None:
        item.pairs = [MatchPair(texts[left], texts[right]) for left, right in rows]

    return finish


def _true_false(item: Item, answer: str, fmt: TextFormat, texts: TextParts) -> Callable[[], None]:
    """``{TRUE#wrong#right}``: as in Moodle, the first feedback is for a wrong answer and the
    second for a right one, whichever the answer is."""
    item.kind = "true_false"
    bits = answer.split("#", 2)
    value = bits[0].strip().upper() in _TRUE
    wrong = texts.add(*_part(bits[1], fmt)) if len(bits) > 1 and bits[1].strip() else None
    right = texts.add(*_part(bits[2], fmt)) if len(bits) > 2 and bits[2].strip() else None

    def finish() -> None:
        true_fb, false_fb = (right, wrong) if value else (wrong, right)
        item.choices = true_false_choices(
            value, true_feedback=texts[true_fb], false_feedback=texts[false_fb]
        )

    return finish


def _short(item: Item, answer: str, fmt: TextFormat, texts: TextParts) -> Callable[[], None]:
    item.kind = "fill_in"
    rows = []
    for _marker, raw in _segments(answer, "="):
        weight, raw = _weight(raw)
        text_raw, _sep, feedback_raw = raw.partition("#")
        text = _clean(_split_format(text_raw, fmt)[0], fmt)
        feedback = texts.add(*_part(feedback_raw, fmt)) if feedback_raw.strip() else None
        rows.append((text, 1.0 if weight is None else weight, feedback))

    def finish() -> None:
        item.answers = [TextAnswer(t, w, texts[f]) for t, w, f in rows]

    return finish


def _numeric(
    item: Item, answer: str, fmt: TextFormat, texts: TextParts, notes: list[ReportEntry]
) -> Callable[[], None]:
    item.kind = "numeric"
    if "~" in answer:
        answer = answer[: answer.index("~")]
        notes.append(
            entry(
                FEATURE_IGNORED,
                _("The feedback for any other numeric answer (~) was not imported."),
                severity="warning",
            )
        )
    rows = []
    for _marker, raw in _segments(answer, "="):
        weight, raw = _weight(raw)
        value_raw, _sep, feedback_raw = raw.partition("#")
        numeric = _number_answer(_restore(value_raw).strip())
        feedback = texts.add(*_part(feedback_raw, fmt)) if feedback_raw.strip() else None
        rows.append((numeric, 1.0 if weight is None else weight, feedback))
    if not rows:
        raise _Refused(entry(NO_CORRECT_ANSWER, _("The numeric question has no answer.")))

    def finish() -> None:
        item.numeric_answers = []
        for numeric, weight, feedback in rows:
            numeric.weight, numeric.feedback = weight, texts[feedback]
            item.numeric_answers.append(numeric)

    return finish


def _number_answer(text: str) -> NumericAnswer:
    cut = text.find("..")
    if cut > 0:
        low, high = parse_number(text[:cut]), parse_number(text[cut + 2 :])
        if low is not None and high is not None:
            return NumericAnswer.from_range(text[:cut].strip(), text[cut + 2 :].strip())
    else:
        value_text, _sep, tolerance_text = (
            text.partition(":")
            if text.find(":") > 0
            else (
                text,
                "",
                "",
            )
        )
        value = parse_number(value_text)
        tolerance = parse_number(tolerance_text) if tolerance_text.strip() else 0.0
        if value is not None and tolerance is not None:
            return NumericAnswer(value, abs(tolerance))
    raise _Refused(
        entry(
            WRONG_ANSWER_TYPE,
            _("The numeric answer %(answer)r is not a number, number:tolerance or low..high."),
            answer=text,
        )
    )


# --- Export --------------------------------------------------------------------------------


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _weight_text(weight: float) -> str:
    return f"%{format_number(round(weight * 100, 5))}%"


def _feedback(text: str) -> str:
    return f"#{_escape(text)}" if text else ""


def export_gift(items: Iterable[Item]) -> bytes:
    chunks: list[str] = []
    category: list[str] = []
    for item in items:
        if item.category != category:
            category = list(item.category)
            chunks.append(f"$CATEGORY: {category_text(category)}\n")
        chunks.append(_export_item(item))
    return "\n".join(chunks).encode("utf-8")


def _export_item(item: Item) -> str:
    lines = []
    meta = [f"[id:{item.source_id}]"] if item.source_id else []
    meta += [f"[tag:{tag}]" for tag in item.tags]
    if item.difficulty is not None:
        meta.append(f"[difficulty:{format_number(item.difficulty)}]")
    if item.version != 1:
        meta.append(f"[version:{item.version}]")
    if item.case_sensitive:
        meta.append("[case-sensitive:true]")
    if meta:
        lines.append("// " + " ".join(meta))
    head = f"::{_escape(item.title)}::" if item.title else ""
    stem = item.stem
    around = split_at_blank(stem)
    before = around[0] if around else stem
    if item.stem_format != "plain":
        head += f"[{item.stem_format}]"
    elif before.startswith(("[", "//")):
        head += "[plain]"
    block = _answer_block(item)
    if around:
        lines.append(f"{head}{_escape(around[0])}{block}{_escape(around[1])}")
    else:
        lines.append(f"{head}{_escape(stem)}{block}")
    return "\n".join(lines) + "\n"


def _answer_block(item: Item) -> str:
    body: list[str] = []
    if item.kind in ("single", "multiple"):
        for choice in item.choices:
            if item.kind == "single" and choice.weight >= 1.0:
                mark = "="
            elif choice.weight == 0:
                mark = "~"
            else:
                mark = "~" + _weight_text(choice.weight)
            body.append(f"{mark}{_escape(choice.text)}{_feedback(choice.feedback)}")
    elif item.kind == "true_false":
        value = next((c.id == "true" for c in item.choices if c.correct), True)
        feedback = {c.id: c.feedback for c in item.choices}
        right = feedback.get("true" if value else "false", "")
        wrong = feedback.get("false" if value else "true", "")
        answer = "TRUE" if value else "FALSE"
        if wrong or right:
            answer += f"#{_escape(wrong)}"
        if right:
            answer += f"#{_escape(right)}"
        body.append(answer)
    elif item.kind == "fill_in":
        for ans in item.answers:
            mark = "=" if ans.weight >= 1.0 else "=" + _weight_text(ans.weight)
            body.append(f"{mark}{_escape(ans.text)}{_feedback(ans.feedback)}")
    elif item.kind == "numeric":
        simple = len(item.numeric_answers) == 1 and item.numeric_answers[0].weight >= 1.0
        if simple and not item.numeric_answers[0].feedback:
            only = item.numeric_answers[0]
            tolerance = f":{format_number(only.tolerance)}" if only.tolerance else ""
            body.append(f"#{format_number(only.value)}{tolerance}")
        else:
            body.append("#")
            for num in item.numeric_answers:
                weight = "" if num.weight >= 1.0 else _weight_text(num.weight)
                number = f"{format_number(num.value)}:{format_number(num.tolerance)}"
                body.append(f"={weight}{number}{_feedback(num.feedback)}")
    elif item.kind == "matching":
        for pair in item.pairs:
            body.append(f"={_escape(pair.left)} -> {_escape(pair.right)}")
    if item.explanation:
        body.append(f"####{_escape(item.explanation)}")
    if not body:
        return "{}"
    if len(body) == 1 and item.kind in ("true_false", "numeric", "short_answer"):
        return "{" + body[0] + "}"
    if item.kind == "numeric" and body[0] == "#":
        return "{#\n" + "".join(f"\t{line}\n" for line in body[1:]) + "}"
    return "{\n" + "".join(f"\t{line}\n" for line in body) + "}"
