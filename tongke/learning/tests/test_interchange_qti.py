"""QTI import: the IMS/OAT items under shared/data/items/qti (2.1 and 2.2), content packages
and QTI 3.0 items.

Each sample either imports as one item or is reported with a sensible code. Which of them
must import is decided from the file itself (one supported interaction, a declared answer,
no template), not from a list of names, so a fuller set of samples is checked the same way.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tongke.learning.interchange import BLANK, import_file
from tongke.learning.tests.samples import SHARED

SAMPLES = SHARED / "items" / "qti"
FILES = sorted(p for p in SAMPLES.rglob("*.xml") if "xsd" not in p.parts)
SUPPORTED = (
    "choiceInteraction",
    "inlineChoiceInteraction",
    "textEntryInteraction",
    "extendedTextInteraction",
    "matchInteraction",
    "associateInteraction",
)
REPORT_CODES = {
    "items.unsupported_type",
    "items.unsupported_feature",
    "items.multiple_interactions",
    "items.no_correct_answer",
    "items.no_interaction",
    "items.malformed",
    "items.wrong_answer_type",
}


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} is not among the samples")
    return path.read_bytes()


def should_import(data: bytes) -> bool:
    """Importable by construction: one answer-collecting interaction, supported, with a
    declared answer (or teacher graded), and no randomising template."""
    text = data.decode("utf-8")
    found = re.findall(r"<(?:\w+:)?(\w+Interaction)\b", text)
    answers = [f for f in found if f not in ("endAttemptInteraction", "mediaInteraction")]
    if len(answers) != 1 or answers[0] not in SUPPORTED or "templateDeclaration" in text:
        return False
    return answers[0] == "extendedTextInteraction" or "<correctResponse" in text


@pytest.mark.skipif(not FILES, reason="QTI samples are not available")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_each_sample_imports_or_is_reported(path: Path):
    # Given a QTI 2.x item file
    data = path.read_bytes()
    # When it is imported with the format detected from the content
    result = import_file(path.name, data)
    # Then it is one item, or one report entry with a sensible code saying why not
    assert result.format == "qti"
    assert result.ok, result.error
    assert len(result.items) + len(result.skipped) == 1
    if should_import(data):
        assert len(result.items) == 1, [str(e) for e in result.report]
    else:
        (skipped,) = result.skipped
        assert skipped.code in REPORT_CODES
        assert skipped.identifier and skipped.position == path.name


@pytest.mark.skipif(not FILES, reason="QTI samples are not available")
def test_how_many_samples_import():
    imported = [p.name for p in FILES if import_file(p.name, p.read_bytes()).items]
    expected = [p.name for p in FILES if should_import(p.read_bytes())]
    print(f"{len(imported)} of {len(FILES)} QTI samples import")
    assert imported == expected
    assert len(imported) >= len(FILES) // 2


def test_single_choice_from_correct_response():
    (item,) = import_file("c.xml", sample("ims-2_2/choice.xml")).items
    assert item.kind == "single"
    assert item.stem_format == "html"
    assert "What does it say?" in item.stem and "<img" in item.stem
    assert [c.id for c in item.choices if c.correct] == ["ChoiceA"]
    assert item.title == "Unattended Luggage"


def test_multiple_choice_weights_come_from_the_mapping():
    (item,) = import_file("m.xml", sample("ims-2_1/choice_multiple.xml")).items
    assert item.kind == "multiple"
    assert item.stem == "Which of the following elements are used to form water?"
    weights = {c.id: c.weight for c in item.choices}
    assert weights["H"] == weights["O"] == 0.5
    assert weights["Cl"] == -0.5
    assert {c.id for c in item.choices if c.correct} == {"H", "O"}


def test_text_entry_gives_every_mapped_answer_case_sensitively():
    (item,) = import_file("t.xml", sample("ims-2_2/text_entry.xml")).items
    assert item.kind == "fill_in"
    assert [(a.text, a.weight) for a in item.answers] == [("York", 1.0), ("york", 0.5)]
    assert item.case_sensitive is True
    assert f"sun of {BLANK};" in item.stem


def test_inline_choice_is_a_single_choice_with_a_blank():
    (item,) = import_file("i.xml", sample("ims-2_1/inline_choice.xml")).items
    assert item.kind == "single"
    assert BLANK in item.stem
    assert [c.text for c in item.choices if c.correct] == ["York"]


def test_match_and_associate_give_pairs():
    (match,) = import_file("m.xml", sample("ims-2_2/match.xml")).items
    assert ("Capulet", "Romeo and Juliet") in match.pairs
    assert ("Prospero", "The Tempest") in match.pairs
    (associate,) = import_file("a.xml", sample("ims-2_2/associate.xml")).items
    assert [tuple(p) for p in associate.pairs] == [
        ("Antonio", "Prospero"),
        ("Capulet", "Montague"),
        ("Demetrius", "Lysander"),
    ]


def test_extended_text_keeps_the_scorer_rubric_for_the_teacher():
    (item,) = import_file("e.xml", sample("ims-2_2/extended_text_rubric.xml")).items
    assert item.kind == "short_answer"
    assert "Scoring Guidelines" in item.grader_info
    assert "Scoring Guidelines" not in item.stem


def test_two_choices_true_and_false_make_a_true_false_item():
    (item,) = import_file("tf.xml", sample("ims-2_2/modalFeedback.xml")).items
    assert item.kind == "true_false"
    assert [c.id for c in item.choices if c.correct] == ["true"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ims-2_2/order.xml", "items.unsupported_type"),
        ("ims-2_2/hotspot.xml", "items.unsupported_type"),
        ("ims-2_2/mc_calc3.xml", "items.unsupported_feature"),
        ("oat-custom-2_2/figure_html5.xml", "items.no_correct_answer"),
    ],
)
def test_items_that_cannot_be_imported_say_why(name, code):
    result = import_file("x.xml", sample(name))
    assert result.items == []
    assert [e.code for e in result.skipped] == [code]


QTI3_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
    identifier="q3-choice" title="三原色" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="multiple" base-type="identifier">
    <qti-correct-response><qti-value>R</qti-value><qti-value>B</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="0">
      <qti-prompt>哪些是光的三原色？</qti-prompt>
      <qti-simple-choice identifier="R">红</qti-simple-choice>
      <qti-simple-choice identifier="Y">黄</qti-simple-choice>
      <qti-simple-choice identifier="B">蓝</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing
      template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
  <qti-modal-feedback outcome-identifier="FEEDBACK" identifier="GENERAL" show-hide="show">
    <qti-content-body><p>还有绿。</p></qti-content-body>
  </qti-modal-feedback>
</qti-assessment-item>"""


def test_qti3_kebab_case_item_imports():
    result = import_file("q3.xml", QTI3_ITEM.encode())
    (item,) = result.items
    assert (item.kind, item.stem, item.source_id) == ("multiple", "哪些是光的三原色？", "q3-choice")
    assert {c.id: c.weight for c in item.choices} == {"R": 0.5, "Y": 0.0, "B": 0.5}
    assert item.explanation == "还有绿。"


NUMERIC_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="g"
    title="g" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="float">
    <correctResponse><value>9.81</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><p>g = <textEntryInteraction responseIdentifier="RESPONSE"/> m/s²</p></itemBody>
  <responseProcessing>
    <responseCondition>
      <responseIf>
        <equal toleranceMode="absolute" tolerance="0.01 0.03">
          <variable identifier="RESPONSE"/><baseValue baseType="float">9.81</baseValue>
        </equal>
        <setOutcomeValue identifier="SCORE">
          <baseValue baseType="float">2</baseValue>
        </setOutcomeValue>
      </responseIf>
    </responseCondition>
  </responseProcessing>
</assessmentItem>"""


def test_numeric_text_entry_reads_the_tolerance_from_response_processing():
    (item,) = import_file("g.xml", NUMERIC_ITEM.encode()).items
    assert item.kind == "numeric"
    (answer,) = item.numeric_answers
    assert answer.low == pytest.approx(9.80) and answer.high == pytest.approx(9.84)
    assert answer.weight == 1.0
    assert item.stem == f"g = {BLANK} m/s²"


def test_numeric_correct_response_of_the_wrong_type_is_refused():
    bad = NUMERIC_ITEM.replace("<value>9.81</value>", "<value>nine</value>")
    bad = re.sub(r"<responseProcessing>.*</responseProcessing>", "", bad, flags=re.S)
    result = import_file("g.xml", bad.encode())
    assert [e.code for e in result.skipped] == ["items.wrong_answer_type"]


def test_an_item_with_two_interactions_is_reported():
    two = NUMERIC_ITEM.replace(
        "m/s²</p>", 'm/s²</p><extendedTextInteraction responseIdentifier="RESPONSE"/>'
    )
    result = import_file("two.xml", two.encode())
    assert [e.code for e in result.skipped] == ["items.multiple_interactions"]


def package(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM" identifier="m">
  <organizations/>
  <resources>
    <resource identifier="r1" type="imsqti_item_xmlv2p1" href="items/g.xml">
      <metadata><imsmd:lom><imsmd:general><imsmd:keyword>
        <imsmd:string>kp:physics.g</imsmd:string>
      </imsmd:keyword></imsmd:general></imsmd:lom></metadata>
      <file href="items/g.xml"/>
    </resource>
    <resource identifier="r2" type="imsqti_item_xmlv2p1" href="items/missing.xml"/>
    <resource identifier="r3" type="imsqti_item_xmlv2p2" href="items/q3.xml"/>
    <resource identifier="t" type="imsqti_test_xmlv2p1" href="test.xml"/>
  </resources>
</manifest>"""


def test_content_package_imports_the_items_its_manifest_lists():
    # Given a package whose manifest lists two present items, one missing item and a test
    data = package(
        {
            "imsmanifest.xml": MANIFEST.encode(),
            "items/g.xml": NUMERIC_ITEM.encode(),
            "items/q3.xml": QTI3_ITEM.encode(),
            "images/unused.png": b"\x89PNG",
        }
    )
    # When it is imported
    result = import_file("bank.zip", data)
    # Then both items arrive, tags from the manifest, and the missing file is reported
    assert result.format == "qti"
    assert [i.source_id for i in result.items] == ["g", "q3-choice"]
    assert result.items[0].knowledge_points == ["physics.g"]
    (missing,) = result.skipped
    assert (missing.code, missing.identifier) == ("items.missing_file", "r2")
    assert "items.feature_ignored" in result.codes()  # the test resource


def test_package_without_manifest_reads_every_item_file():
    data = package({"a/g.xml": NUMERIC_ITEM.encode(), "notes.txt": b"hello"})
    result = import_file("bank.zip", data)
    assert [i.source_id for i in result.items] == ["g"]
    assert result.codes() == ["items.feature_ignored"]
