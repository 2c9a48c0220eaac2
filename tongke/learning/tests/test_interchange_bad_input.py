"""Hostile and broken input: a file-level failure is one clear fatal entry and no items; a
broken question is one entry and the others still import; nothing raises."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tongke.core.errors import Invalid, TooLarge
from tongke.learning.interchange import (
    Choice,
    ImportResult,
    Item,
    ReportEntry,
    import_file,
    qti,
    safexml,
    validate_item,
)
from tongke.learning.tests.samples import SHARED

SAMPLES = SHARED / "items"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="essay"><questiontext><text>&lol9;</text></questiontext></question></quiz>"""

EXTERNAL_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><questiontext><text>&xxe;</text></questiontext></question></quiz>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE assessmentItem SYSTEM "http://example.com/evil.dtd">
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x" title="x"/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "http://example.com/x.dtd"> %remote;]><quiz/>"""

GOOD_GIFT = "::ok::中国的首都是{=北京 ~上海}。\n\n"


def fatal(result: ImportResult, code: str) -> ReportEntry:
    assert result.items == []
    error = result.error
    assert error is not None, result.report
    assert error.code == code
    assert [e.severity for e in result.report] == ["fatal"]
    assert error.text
    return error


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_FILE, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion_laughs", "external_file", "external_dtd", "parameter_entity"],
)
def test_dtds_and_entities_are_refused(data):
    error = fatal(import_file("evil.xml", data), "items.xml_forbidden")
    assert "root:" not in error.text  # nothing from /etc/passwd leaks into the message


@pytest.mark.parametrize("fmt", [None, "moodlexml", "qti"])
def test_billion_laughs_is_refused_whatever_format_is_asked(fmt):
    fatal(import_file("evil.xml", BILLION_LAUGHS, fmt), "items.xml_forbidden")


def test_malformed_moodle_xml_is_one_error_with_its_line():
    data = b"<?xml version='1.0'?>\n<quiz>\n<question type='essay'>\n<name><text>x</name>\n</quiz>"
    error = fatal(import_file("broken.xml", data), "items.malformed")
    assert error.params["line"] == 4  # whichever language is active
    assert "4" in error.text


def test_malformed_qti_item_is_one_error():
    data = (SAMPLES / "qti" / "ims-2_2" / "choice.xml").read_bytes()[:700]
    fatal(import_file("choice.xml", data, "qti"), "items.malformed")


def test_truncated_gift_brace_refuses_that_question_only():
    # Given three questions, the second missing its closing brace
    data = (GOOD_GIFT + "Broken question {=a ~b\n\n" + "Last {T}\n").encode()
    # When imported
    result = import_file("q.gift", data)
    # Then the others import and the broken one is reported with its line
    assert [i.kind for i in result.items] == ["single", "true_false"]
    (skipped,) = result.skipped
    assert (skipped.code, skipped.line, skipped.position) == ("items.malformed", 3, "question 2")


def test_gift_with_two_answer_blocks_is_malformed():
    result = import_file("q.gift", b"Water is {=H2O} and salt is {=NaCl}.")
    assert [e.code for e in result.skipped] == ["items.malformed"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("q.gift", b"Pick one {~a ~b ~c}"),
        ("q.gift", b"Match {=a -> }"),
        (
            "q.xml",
            b"<quiz><question type='truefalse'><questiontext><text>x</text></questiontext>"
            b"<answer fraction='0'><text>true</text></answer>"
            b"<answer fraction='0'><text>false</text></answer></question></quiz>",
        ),
        (
            "q.xml",
            b"<assessmentItem xmlns='http://www.imsglobal.org/xsd/imsqti_v2p2' identifier='n'>"
            b"<responseDeclaration identifier='R' cardinality='single' baseType='identifier'/>"
            b"<itemBody><choiceInteraction responseIdentifier='R' maxChoices='1'>"
            b"<simpleChoice identifier='a'>A</simpleChoice>"
            b"<simpleChoice identifier='b'>B</simpleChoice>"
            b"</choiceInteraction></itemBody></assessmentItem>",
        ),
    ],
)
def test_an_item_without_a_correct_answer_is_refused(name, data):
    result = import_file(name, data)
    assert result.ok and result.items == []
    (skipped,) = result.skipped
    assert skipped.code in ("items.no_correct_answer", "items.malformed")


def test_gift_choice_without_correct_answer_next_to_good_ones():
    result = import_file("q.gift", (GOOD_GIFT + "Pick one {~a ~b ~c}").encode())
    assert len(result.items) == 1
    assert [e.code for e in result.skipped] == ["items.no_correct_answer"]


@pytest.mark.parametrize("answer", [b"{#abc}", b"{#1..x}", b"{#3:wide}", b"{#=nan}"])
def test_numeric_answer_of_the_wrong_type_is_refused(answer):
    result = import_file("q.gift", b"How many? " + answer)
    assert [e.code for e in result.skipped] == ["items.wrong_answer_type"]


def test_multiple_answer_weights_that_do_not_add_up_are_refused():
    result = import_file("q.gift", b"Pick {~%33%a ~%33%b ~%33%c ~d}")
    assert [e.code for e in result.skipped] == ["items.invalid_grade"]


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_member_is_refused_before_it_is_read():
    # Given a small package whose one item unpacks to 20 MB
    data = zip_of({"imsmanifest.xml": b"<manifest/>", "items/bomb.xml": b"\0" * (20 << 20)})
    assert len(data) < 100_000
    # When imported, Then the package is refused as too large, with no items
    fatal(import_file("bomb.zip", data), "items.package_too_large")


def test_package_over_the_total_unpacked_limit_is_refused(monkeypatch):
    monkeypatch.setattr(qti, "MAX_PACKAGE_UNCOMPRESSED", 1000)
    data = zip_of({f"f{n}.txt": b"x" * 600 for n in range(3)})
    fatal(import_file("big.zip", data), "items.package_too_large")


def test_package_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(qti, "MAX_PACKAGE_MEMBERS", 5)
    fatal(
        import_file("many.zip", zip_of({f"{n}.xml": b"" for n in range(6)})),
        "items.package_too_large",
    )


@pytest.mark.parametrize(
    "name", ["../evil.xml", "items/../../evil.xml", "/etc/evil.xml", "a\\..\\b"]
)
def test_path_traversal_member_refuses_the_package(name):
    data = zip_of({"imsmanifest.xml": b"<manifest/>", name: b"<x/>"})
    fatal(import_file("p.zip", data), "items.package_unsafe")


def test_manifest_pointing_outside_the_package_is_refused():
    manifest = (
        b"<manifest xmlns='http://www.imsglobal.org/xsd/imscp_v1p1'><resources>"
        b"<resource identifier='r' type='imsqti_item_xmlv2p1' href='../../etc/passwd'/>"
        b"</resources></manifest>"
    )
    fatal(import_file("p.zip", zip_of({"imsmanifest.xml": manifest})), "items.package_unsafe")


def test_bomb_inside_a_package_member_refuses_the_package():
    manifest = (
        b"<manifest xmlns='http://www.imsglobal.org/xsd/imscp_v1p1'><resources>"
        b"<resource identifier='r' type='imsqti_item_xmlv2p1' href='a.xml'/>"
        b"</resources></manifest>"
    )
    data = zip_of({"imsmanifest.xml": manifest, "a.xml": BILLION_LAUGHS})
    fatal(import_file("p.zip", data), "items.xml_forbidden")


def test_not_a_zip_is_one_error():
    fatal(import_file("p.zip", b"PK\x03\x04 this is not a zip"), "items.package_invalid")


def test_non_utf8_gift_is_one_error():
    fatal(import_file("q.gift", GOOD_GIFT.encode("gbk")), "items.bad_encoding")


def test_non_utf8_xml_without_a_declared_encoding_is_one_error():
    data = "<quiz><question type='essay'><name><text>中文</text></name></question></quiz>"
    fatal(import_file("q.xml", data.encode("gbk")), "items.bad_encoding")


def test_xml_that_declares_its_encoding_is_read_in_it():
    data = (
        "<?xml version='1.0' encoding='GBK'?><quiz><question type='essay'><name><text>作文"
        "</text></name><questiontext><text>写一写你的家乡。</text></questiontext></question></quiz>"
    )
    (item,) = import_file("q.xml", data.encode("gbk")).items
    assert (item.title, item.stem) == ("作文", "写一写你的家乡。")


def test_utf8_with_bom_and_utf16_gift_are_read():
    assert len(import_file("q.gift", GOOD_GIFT.encode("utf-8-sig")).items) == 1
    assert len(import_file("q.gift", GOOD_GIFT.encode("utf-16")).items) == 1


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"])
@pytest.mark.parametrize("name", ["q.gift", "q.xml", "q.zip"])
def test_empty_file_is_one_error(name, data):
    fatal(import_file(name, data), "items.empty_file")


def test_too_large_file_is_one_error(monkeypatch):
    monkeypatch.setattr(safexml, "MAX_XML_BYTES", 100)
    fatal(import_file("q.gift", b"Q {T}\n\n" * 50), "items.too_large")
    assert import_file("q.gift", b"Q {T}\n\n" * 50, "gift").error is not None


def test_deeply_nested_xml_is_refused():
    data = b"<quiz>" + b"<a>" * 1000 + b"</a>" * 1000 + b"</quiz>"
    fatal(import_file("deep.xml", data), "items.xml_too_complex")


def test_xml_of_another_kind_is_one_error():
    fatal(import_file("x.xml", b"<html><body>hi</body></html>"), "items.unknown_format")
    fatal(import_file("x.xml", b"<questestinterop/>"), "items.unknown_format")
    fatal(import_file("x.gift", b"Q {T}", fmt="csv"), "items.unknown_format")


def test_fatal_result_raises_a_typed_error_for_services():
    with pytest.raises(Invalid) as caught:
        import_file("evil.xml", BILLION_LAUGHS).raise_for_error()
    assert caught.value.code == "items.xml_forbidden"
    with pytest.raises(TooLarge):
        import_file("bomb.zip", zip_of({"a.xml": b"\0" * (11 << 20)})).raise_for_error()
    import_file("ok.gift", GOOD_GIFT.encode()).raise_for_error()  # no failure, no raise


def truncations(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [data[: len(data) * k // 7] for k in range(1, 7)]


@pytest.mark.parametrize(
    "path",
    [
        SAMPLES / "gift" / "options1.gift",
        SAMPLES / "moodlexml" / "qtype_multichoice" / "testquestion.moodle.xml",
        SAMPLES / "qti" / "ims-2_2" / "match.xml",
    ],
    ids=lambda p: p.name,
)
def test_truncated_samples_never_raise(path: Path):
    if not path.exists():
        pytest.skip("sample not available")
    for data in truncations(path):
        result = import_file(path.name, data)
        assert result.items or result.report


def test_validate_item_refuses_a_choice_item_without_a_correct_answer():
    item = Item(
        kind="single",
        stem="Pick one",
        choices=[Choice("A", "a"), Choice("B", "b")],
    )
    assert [e.code for e in validate_item(item)] == ["items.no_correct_answer"]
    item.choices[0].correct, item.choices[0].weight = True, 1.0
    assert validate_item(item) == []
