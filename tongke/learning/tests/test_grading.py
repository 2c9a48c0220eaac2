"""Grading by the server, and what a learner sees before answering."""

from __future__ import annotations

import json

import pytest

from tongke.core.errors import Invalid
from tongke.learning import grading
from tongke.learning.interchange import Choice, Item, MatchPair, NumericAnswer, TextAnswer


def single() -> Item:
    return Item(
        kind="single",
        stem="3x + 5 = 20，x = ?",
        choices=[Choice("a", "3"), Choice("b", "5", correct=True, weight=1.0), Choice("c", "25/3")],
        explanation="移项得 3x = 15，x = 5。",
    )


def test_single_choice_is_graded_by_the_key():
    assert grading.grade(single(), {"choice": "b"}).correct is True
    wrong = grading.grade(single(), {"choice": "a"})
    assert (wrong.correct, wrong.score) == (False, 0.0)


def test_multiple_choice_gives_partial_credit_by_weights():
    item = Item(
        kind="multiple",
        stem="哪些是有理数？",
        choices=[
            Choice("a", "-3", True, 0.5),
            Choice("b", "π", False, -0.5),
            Choice("c", "0.5", True, 0.5),
        ],
    )
    assert grading.grade(item, {"choices": ["a", "c"]}).correct is True
    assert grading.grade(item, {"choices": ["a"]}).score == pytest.approx(0.5)
    assert grading.grade(item, {"choices": ["a", "b"]}).score == 0.0


def test_fill_in_accepts_several_answers_normalized():
    item = Item(
        kind="fill_in", stem="方程 2x=10 的解是 _____", answers=[TextAnswer("x=5"), TextAnswer("5")]
    )
    for given in ("5", "ｘ＝５", "  X=5 ", "x = 5"):
        result = grading.grade(item, {"text": given})
        assert result.correct is (given != "x = 5"), given  # inner spaces are kept
    assert grading.grade(item, {"text": "6"}).correct is False


def test_numeric_answers_have_a_tolerance():
    item = Item(kind="numeric", stem="π ≈ ?", numeric_answers=[NumericAnswer(3.14, 0.01)])
    assert grading.grade(item, {"value": 3.145}).correct is True
    assert grading.grade(item, {"value": "3.149"}).correct is True
    assert grading.grade(item, {"value": 3.2}).correct is False


def test_matching_scores_the_share_of_right_pairs():
    item = Item(
        kind="matching",
        stem="连线",
        pairs=[
            MatchPair("y=2x", "正比例函数"),
            MatchPair("y=x²", "二次函数"),
            MatchPair("y=1/x", "反比例函数"),
        ],
    )
    full = {"y=2x": "正比例函数", "y=x²": "二次函数", "y=1/x": "反比例函数"}
    assert grading.grade(item, {"pairs": full}).correct is True
    half = grading.grade(item, {"pairs": {**full, "y=1/x": "二次函数"}})
    assert half.score == pytest.approx(2 / 3) and half.correct is False


def test_short_answers_wait_for_the_teacher():
    item = Item(kind="short_answer", stem="说明理由")
    assert grading.grade(item, {"text": "因为……"}).correct is None


@pytest.mark.parametrize(
    ("item", "answer"),
    [
        (single(), {"choice": "z"}),
        (single(), {"choices": ["b"]}),
        (single(), "b"),
        (single(), {"choice": 2}),
        (Item(kind="numeric", stem="?", numeric_answers=[NumericAnswer(1)]), {"value": "abc"}),
        (Item(kind="numeric", stem="?", numeric_answers=[NumericAnswer(1)]), {"value": True}),
        (Item(kind="numeric", stem="?", numeric_answers=[NumericAnswer(1)]), {"value": "nan"}),
        (Item(kind="fill_in", stem="?", answers=[TextAnswer("1")]), {"text": ["1"]}),
        (Item(kind="fill_in", stem="?", answers=[TextAnswer("1")]), {"text": "x" * 5000}),
        (Item(kind="matching", stem="?", pairs=[MatchPair("a", "b")]), {"pairs": {"zz": "b"}}),
    ],
)
def test_an_answer_of_the_wrong_type_is_refused_not_marked_wrong(item, answer):
    with pytest.raises(Invalid) as refused:
        grading.grade(item, answer)
    assert refused.value.code == "learning.bad_answer"


def test_the_learner_view_carries_no_key_no_feedback_no_explanation():
    item = single()
    item.choices[1].feedback = "对！"
    view = json.dumps(grading.learner_view(item), ensure_ascii=False)
    assert "correct" not in view and "weight" not in view
    assert "对！" not in view and "移项" not in view
    solution = grading.solution_view(item)
    assert solution["correct_choices"] == ["b"] and "移项" in solution["explanation"]
