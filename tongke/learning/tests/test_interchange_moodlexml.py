"""Moodle XML import: the Moodle fixtures under shared/data/items/moodlexml, plus small
hand-written files for the types and failures the fixtures do not show.

Every fixture must be accounted for question by question: each ``<question>`` (categories
aside) is either imported or named in the report with a stable code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tongke.learning.interchange import import_file
from tongke.learning.tests.samples import SHARED

SAMPLES = SHARED / "items" / "moodlexml"
FILES = sorted(SAMPLES.rglob("*.xml"))
SKIP_CODES = {
    "items.unsupported_type",
    "items.no_correct_answer",
    "items.invalid_grade",
    "items.description_skipped",
    "items.malformed",
    "items.wrong_answer_type",
    "items.too_few_choices",
    "items.empty_stem",
}


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} is not among the samples")
    return path.read_bytes()


def quiz(*questions: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><quiz>" + "".join(questions) + "</quiz>"
    ).encode()


@pytest.mark.skipif(not FILES, reason="Moodle XML samples are not available")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_question_of_a_sample_is_imported_or_reported(path: Path):
    # Given a Moodle XML fixture
    data = path.read_bytes()
    questions = re.findall(rb'<question\s+type="(?!category")', data)
    # When it is imported
    result = import_file(path.name, data)
    # Then the file is read as Moodle XML and every question is imported or reported
    assert result.format == "moodlexml"
    assert result.ok, result.error
    reported = [e for e in result.report if e.code in SKIP_CODES and e.severity != "warning"]
    assert len(result.items) + len(reported) == len(questions)
    for note in result.report:
        assert note.line is not None and note.position
        assert note.text
    for item in result.items:
        assert item.category, "every fixture sets a category first"


def test_multichoice_with_several_answers_keeps_partial_credit():
    result = import_file("mc.xml", sample("qtype_multichoice/testquestion.moodle.xml"))
    (item,) = result.items
    assert item.kind == "multiple"
    assert item.title == "Multi-choice-001"
    assert {c.text: c.weight for c in item.choices if c.correct} == {"London": 0.5, "Paris": 0.5}
    assert item.explanation == "Berlin, Paris and London"
    assert item.category == ["Default for C1"]


def test_truefalse_keeps_the_feedback_of_each_answer():
    (item,) = import_file("tf.xml", sample("qtype_truefalse/testquestion.moodle.xml")).items
    assert item.kind == "true_false"
    choices = {c.id: c for c in item.choices}
    assert choices["true"].correct and choices["true"].feedback == "This is the right answer."
    assert choices["false"].feedback == "This is the wrong answer."


def test_shortanswer_keeps_weights_feedback_and_the_wildcard():
    (item,) = import_file("sa.xml", sample("qtype_shortanswer/testquestion.moodle.xml")).items
    assert item.kind == "fill_in"
    assert [(a.text, a.weight) for a in item.answers] == [
        ("frog", 1.0),
        ("toad", 0.8),
        ("*", 0.0),
    ]
    assert item.accepted_answers == ["frog"]
    assert item.case_sensitive is False


def test_matching_keeps_pairs_and_the_distractor():
    (item,) = import_file("m.xml", sample("qtype_match/testquestion.moodle.xml")).items
    assert item.kind == "matching"
    assert [tuple(p) for p in item.pairs] == [
        ("frog", "amphibian"),
        ("cat", "mammal"),
        ("newt", "amphibian"),
        ("", "insect"),
    ]


def test_essay_is_a_teacher_graded_short_answer():
    (item,) = import_file("e.xml", sample("qtype_essay/testquestion.moodle.xml")).items
    assert item.kind == "short_answer"
    assert item.explanation == "This is general feedback"


def test_nested_categories_set_the_path():
    result = import_file("c.xml", sample("qformat_xml/nested_categories_with_questions.xml"))
    assert [i.category for i in result.items] == [
        ["Iota"],
        ["Iota", "Kappa"],
        ["Iota", "Kappa"],
        ["Iota", "Kappa", "Lambda"],
        ["Iota", "Mu"],
    ]


def test_invalid_grades_are_refused_with_the_reason():
    result = import_file("g.xml", sample("qformat_xml/error_invalid_grades.xml"))
    assert result.items == []
    assert "items.invalid_grade" in [e.code for e in result.skipped]
    assert any("33" in e.text for e in result.report)


@pytest.mark.parametrize(
    ("name", "qtype"),
    [
        ("qformat_xml/multianswer.xml", "cloze"),
        ("qtype_ddwtos/testquestion.moodle.xml", "gapselect"),
        ("qtype_ordering/testquestion.moodle.xml", "ordering"),
    ],
)
def test_unsupported_types_are_reported_by_name(name, qtype):
    result = import_file("u.xml", sample(name))
    assert result.items == []
    (skipped,) = result.skipped
    assert skipped.code == "items.unsupported_type"
    assert qtype in skipped.text


def test_html_characters_in_idnumbers_survive():
    (item,) = import_file("h.xml", sample("qformat_xml/html_chars_in_idnumbers.xml")).items
    assert item.source_id == "T & F"


def test_old_image_tags_are_reported_as_not_imported():
    result = import_file("i.xml", sample("qformat_xml/sample_questions_with_old_image_tag.xml"))
    assert [i.kind for i in result.items] == ["single"]
    assert "items.feature_ignored" in result.codes()


NUMERICAL = """
<question type="numerical">
  <name><text>g</text></name>
  <questiontext format="html">
    <text><![CDATA[<p>Acceleration of gravity?</p>]]></text>
  </questiontext>
  <answer fraction="100"><text>9.81</text><tolerance>0.05</tolerance>
    <feedback><text>Right</text></feedback></answer>
  <answer fraction="50"><text>10</text><tolerance>0</tolerance></answer>
  <units><unit><multiplier>1</multiplier><unit_name>m/s^2</unit_name></unit></units>
  <tags><tag><text>kp:physics.g</text></tag></tags>
  <idnumber>phys-1</idnumber>
</question>"""


def test_numerical_with_tolerance_imports_and_units_are_reported():
    result = import_file("n.xml", quiz(NUMERICAL))
    (item,) = result.items
    assert item.kind == "numeric"
    assert [(a.value, a.tolerance, a.weight) for a in item.numeric_answers] == [
        (9.81, 0.05, 1.0),
        (10.0, 0.0, 0.5),
    ]
    assert item.numeric_answers[0].feedback == "Right"
    assert item.knowledge_points == ["physics.g"]
    assert item.source_id == "phys-1"
    assert result.codes() == ["items.feature_ignored"]
    assert "m/s^2" in result.report[0].text


def test_numerical_answer_of_the_wrong_type_is_refused():
    bad = NUMERICAL.replace("<text>9.81</text>", "<text>nine</text>")
    result = import_file("n.xml", quiz(bad, NUMERICAL))
    assert len(result.items) == 1
    (skipped,) = result.skipped
    assert skipped.code == "items.wrong_answer_type"
    assert skipped.position == "question 1"


def test_choice_question_without_a_correct_answer_is_refused_and_the_rest_imported():
    no_answer = """<question type="multichoice"><name><text>none</text></name>
      <questiontext format="html"><text>Pick one</text></questiontext><single>true</single>
      <answer fraction="0"><text>a</text></answer><answer fraction="0"><text>b</text></answer>
    </question>"""
    result = import_file("q.xml", quiz(no_answer, NUMERICAL))
    assert [i.kind for i in result.items] == ["numeric"]
    (skipped,) = result.skipped
    assert (skipped.code, skipped.identifier, skipped.line) == (
        "items.no_correct_answer",
        "none",
        1,
    )


def test_description_is_skipped_with_a_note():
    description = """<question type="description"><name><text>Intro</text></name>
      <questiontext format="html"><text>Read first.</text></questiontext></question>"""
    result = import_file("d.xml", quiz(description))
    assert result.items == []
    assert [(e.code, e.severity) for e in result.report] == [("items.description_skipped", "info")]
