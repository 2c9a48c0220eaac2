"""GIFT import against the golden parse results shipped with the samples.

Every ``NAME.gift`` under shared/data/items/gift comes with ``NAME.json`` (the parse the
GIFT-grammar-PEG.js project expects). The test maps that JSON onto Tongke's model and checks
the meaning field by field: kind, stem (with ``_____`` where a missing-word answer sits),
title, identifier and tags, choices with correctness, weights and feedback, true/false with
its feedback, fill-in answers, numeric values/tolerances/ranges, matching pairs, general
feedback; categories set the category of later questions; descriptions are skipped with a
note. It runs over whatever pairs the folder holds, so a fuller set is checked the same way.

One deliberate difference: for true/false the grammar names the two feedbacks
``trueFeedback``/``falseFeedback`` by position, while GIFT (Moodle) defines the first as the
feedback for a wrong answer and the second for a right answer; Tongke follows Moodle, so the
test compares the first with the wrong choice's feedback and the second with the right one's.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import pytest

from tongke.learning.interchange import (
    BLANK,
    Item,
    import_file,
    match_fill_in,
    normalize_answer,
)
from tongke.learning.interchange.gift import parse_gift
from tongke.learning.interchange.model import looks_like_html, plain_to_html
from tongke.learning.tests.samples import SHARED

SAMPLES = SHARED / "items" / "gift"
PAIRS = sorted(p for p in SAMPLES.glob("*.gift") if p.with_suffix(".json").exists())
KINDS = {"Essay": "short_answer", "TF": "true_false", "Short": "fill_in", "Numerical": "numeric"}
KINDS |= {"Matching": "matching"}
FORMATS = {"moodle": "plain", "plain": "plain", "html": "html", "markdown": "markdown"}

pytestmark = pytest.mark.skipif(not PAIRS, reason="GIFT samples are not available")


def text(node: dict[str, Any] | None) -> str:
    return "" if node is None else node["text"]


def formatted_parts(want: dict[str, Any]) -> list[dict[str, Any]]:
    parts = [want["stem"], want.get("globalFeedback"), want.get("trueFeedback")]
    parts.append(want.get("falseFeedback"))
    if isinstance(want.get("choices"), list):
        for choice in want["choices"]:
            parts += [choice.get("feedback")]
            if want["type"] == "MC":
                parts.append(choice["text"])
    for pair in want.get("matchPairs") or []:
        parts.append(pair["subquestion"])
    return [p for p in parts if isinstance(p, dict) and "format" in p]


def item_format(want: dict[str, Any]) -> str:
    """An item has one text format: HTML with real markup in any part makes it HTML."""
    stem = FORMATS[want["stem"]["format"]]
    parts = formatted_parts(want)
    if any(p["format"] == "html" and looks_like_html(p["text"]) for p in parts):
        return "html"
    return stem


def expect(node: dict[str, Any] | None, fmt: str) -> str:
    """The text a JSON text object should give in an item of format ``fmt``."""
    if node is None:
        return ""
    own = FORMATS[node["format"]]
    if fmt == "html" and own != "html":
        return plain_to_html(node["text"])
    if fmt != "html" and own == "html":
        return html.unescape(node["text"])
    return node["text"]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def expected_weight(choice: dict[str, Any]) -> float:
    if choice["weight"] is not None:
        return choice["weight"] / 100
    return 1.0 if choice["isCorrect"] else 0.0


def check_numeric(answer: Any, spec: dict[str, Any]) -> None:
    if spec["type"] == "simple":
        assert close(answer.value, spec["number"]) and answer.tolerance == 0
    elif spec["type"] == "range":
        assert close(answer.value, spec["number"]) and close(answer.tolerance, spec["range"])
    else:
        assert close(answer.low, spec["numberLow"]) and close(answer.high, spec["numberHigh"])


def check(item: Item, want: dict[str, Any]) -> None:
    fmt = item_format(want)
    kind = KINDS.get(want["type"])
    if want["type"] == "MC":
        assert item.kind in ("single", "multiple")
    else:
        assert item.kind == kind
    assert item.stem_format == fmt
    assert item.stem == expect(want["stem"], fmt)
    assert item.title == want.get("title")
    assert item.source_id == want.get("id")
    assert item.tags == (want.get("tags") or [])
    assert item.explanation == expect(want.get("globalFeedback"), fmt)
    if want.get("hasEmbeddedAnswers"):
        assert BLANK in item.stem
    if want["type"] == "MC":
        assert len(item.choices) == len(want["choices"])
        for choice, spec in zip(item.choices, want["choices"], strict=True):
            weight = expected_weight(spec)
            assert choice.text == expect(spec["text"], fmt)
            assert choice.feedback == expect(spec["feedback"], fmt)
            assert close(choice.weight, weight)
            expected_correct = weight >= 1 if item.kind == "single" else weight > 0
            assert choice.correct == expected_correct
    elif want["type"] == "TF":
        right = next(c for c in item.choices if c.correct)
        wrong = next(c for c in item.choices if not c.correct)
        assert right.id == ("true" if want["isTrue"] else "false")
        assert wrong.feedback == expect(want["trueFeedback"], fmt)
        assert right.feedback == expect(want["falseFeedback"], fmt)
    elif want["type"] == "Short":
        # Accepted answers are strings to compare with, not formatted text.
        assert [a.text for a in item.answers] == [text(c["text"]) for c in want["choices"]]
        feedback = [expect(c["feedback"], fmt) for c in want["choices"]]
        assert [a.feedback for a in item.answers] == feedback
        for accepted, spec in zip(item.answers, want["choices"], strict=True):
            assert close(accepted.weight, 1.0 if spec["weight"] is None else spec["weight"] / 100)
    elif want["type"] == "Numerical":
        specs = want["choices"]
        if isinstance(specs, dict):
            (answer,) = item.numeric_answers
            check_numeric(answer, specs)
            assert answer.weight == 1.0
        else:
            # A catch-all "~#feedback" has no number; Tongke reports it as not imported.
            specs = [s for s in specs if isinstance(s.get("text"), dict)]
            assert len(item.numeric_answers) == len(specs)
            for answer, spec in zip(item.numeric_answers, specs, strict=True):
                check_numeric(answer, spec["text"])
                weight = 1.0 if spec["weight"] is None else spec["weight"] / 100
                assert close(answer.weight, weight)
                assert answer.feedback == expect(spec["feedback"], fmt)
    elif want["type"] == "Matching":
        right_format = want["stem"]["format"]
        assert [tuple(p) for p in item.pairs] == [
            (
                expect(p["subquestion"], fmt),
                expect({"text": p["subanswer"], "format": right_format}, fmt),
            )
            for p in want["matchPairs"]
        ]


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_gift_sample_matches_its_expected_parse(path: Path):
    # Given a GIFT sample and the parse its grammar project expects
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    # When it is imported
    result = import_file(path.name, path.read_bytes())
    # Then it is read as GIFT, nothing is refused, and each question means the same
    assert result.format == "gift"
    assert result.ok
    assert result.skipped == [], [str(e) for e in result.skipped]
    questions = [q for q in expected if q["type"] not in ("Category", "Description")]
    descriptions = [q for q in expected if q["type"] == "Description"]
    assert len(result.items) == len(questions)
    assert result.codes().count("items.description_skipped") == len(descriptions)
    for item, want in zip(result.items, questions, strict=True):
        check(item, want)


def test_every_sample_is_checked():
    assert len(PAIRS) >= 25


def test_category_applies_to_the_questions_after_it():
    # Given a category line (as in category1.gift) followed by questions
    data = (SAMPLES / "category1.gift").read_bytes() + b"\n\nQ1 {T}\n\n$CATEGORY: a//b/c\n\nQ2{F}"
    # When it is imported
    items = parse_gift(data).items
    # Then each question carries the category in force ($course$/top dropped, // = slash)
    assert items[0].category == ["Default for LING-373-2194-B"]
    assert items[1].category == ["a/b", "c"]


def test_chinese_missing_word_question_keeps_no_spaces_around_the_blank():
    result = import_file("zh.gift", "中国的首都是{=北京 ~上海 ~广州}。".encode())
    (item,) = result.items
    assert item.stem == f"中国的首都是{BLANK}。"
    assert [c.text for c in item.choices if c.correct] == ["北京"]


def test_knowledge_points_difficulty_and_case_come_from_the_metadata_comment():
    data = "// [id:q1] [tag:kp:fractions] [tag:easy] [difficulty:-0.4] [case-sensitive:true]\n"
    item = import_file("q.gift", (data + "Write pH. {=pH}").encode()).items[0]
    assert item.knowledge_points == ["fractions"]
    assert item.tags == ["kp:fractions", "easy"]
    assert item.difficulty == -0.4
    assert item.case_sensitive is True
    assert item.accepted_answers == ["pH"]


def test_numeric_catch_all_feedback_is_reported_not_lost_silently():
    result = import_file("n.gift", b"Year? {#=1822:0 ~#Wrong year}")
    (item,) = result.items
    assert [a.value for a in item.numeric_answers] == [1822]
    assert result.codes() == ["items.feature_ignored"]


def test_html_with_markup_in_an_answer_makes_the_whole_item_html():
    (item,) = import_file("h.gift", b"Is 1 < 2? {=[html]<b>yes</b> ~no}").items
    assert item.stem_format == "html"
    assert item.stem == "Is 1 &lt; 2?"
    assert [c.text for c in item.choices] == ["<b>yes</b>", "no"]


def test_questions_without_a_blank_line_between_them_are_still_separated():
    data = b"// [id:a]\nQ1 {T}\n// [id:b]\nQ2 {=x ~y}\n"
    data += b"The holiday is on the {\n~2nd\n=4th\n}\nThursday."
    result = import_file("q.gift", data)
    assert [(i.source_id, i.kind) for i in result.items] == [
        ("a", "true_false"),
        ("b", "single"),
        (None, "single"),
    ]
    assert result.items[2].stem == f"The holiday is on the {BLANK} Thursday."
    assert result.report == []


def test_a_gift_file_starting_with_markup_is_still_gift():
    result = import_file("q.gift", b"<b>Bold</b> question? {T}")
    assert result.format == "gift"
    assert [i.stem for i in result.items] == ["<b>Bold</b> question?"]


@pytest.mark.parametrize(
    ("response", "case_sensitive", "expected"),
    [
        ("ＨＥＬＬＯ　Ｗｏｒｌｄ", False, "hello world"),  # full-width letters and space
        ("  two   words ", False, "two words"),
        ("Straße", False, "strasse"),  # casefold, not lower
        ("PH", True, "PH"),
        ("１２３。", False, "123."),
    ],
)
def test_fill_in_answers_are_normalized_once_for_import_and_grading(
    response, case_sensitive, expected
):
    assert normalize_answer(response, case_sensitive=case_sensitive) == expected


def test_fill_in_grading_reuses_the_normalization_and_the_wildcard():
    data = "Capital of China? {=北京 =%50%Peking =%0%*#No}".encode()
    (item,) = import_file("q.gift", data).items
    assert match_fill_in(item, " 北京 ") is item.answers[0]
    assert match_fill_in(item, "ＰＥＫＩＮＧ") is item.answers[1]
    assert match_fill_in(item, "Shanghai") is item.answers[2]
    assert match_fill_in(item, "") is None
