"""The demo bank's loader refuses a malformed record, naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tongke.learning.demo_items.loader import FILES, DemoDataError, load_bank, read_records

GOOD: dict[str, Any] = {
    "family": "DEMO-jm-x-1",
    "points": ["jm-x"],
    "kind": "single",
    "difficulty": -1,
    "minutes": 1,
    "stem": "1+1=?",
    "choices": ["2", "3"],
    "answer": "A",
    "explanation": "1+1=2.",
}


def write(tmp_path: Path, *lines: str) -> Path:
    (tmp_path / FILES[0]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in FILES[1:]:
        (tmp_path / name).write_text("", encoding="utf-8")
    return tmp_path


def test_a_good_record_loads(tmp_path: Path):
    (demo,) = load_bank(read_records(write(tmp_path, json.dumps(GOOD))))
    assert demo.family == "DEMO-jm-x-1" and demo.points == ["jm-x"]
    assert [c.correct for c in demo.item.choices] == [True, False]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"kind": "essay"}, "unknown 'kind'"),
        ({"stem": 3}, "'stem' is missing or not a string"),
        ({"difficulty": True}, "'difficulty' is missing or not a number"),
        ({"answer": "C"}, "'answer' 'C' is not one of the choices"),
        ({"choices": ["2", "2"]}, "'choices' has a repeated entry"),
        ({"tolerance": 0.1}, "unexpected keys ['tolerance']"),
        ({"family": "DEMO-jm-y-1"}, "must start with DEMO-jm-x-"),
        ({"explanation": None}, "'explanation' is missing"),
    ],
)
def test_a_malformed_record_is_refused_with_its_file_and_line(
    tmp_path: Path, change: dict[str, Any], problem: str
):
    second = {**GOOD, "family": "DEMO-jm-x-2", "stem": "2+2=?", **change}
    with pytest.raises(DemoDataError) as refused:
        load_bank(read_records(write(tmp_path, json.dumps(GOOD), json.dumps(second))))
    assert str(refused.value).startswith(f"{FILES[0]}:2: ") and problem in str(refused.value)


def test_broken_json_and_repeats_are_refused(tmp_path: Path):
    with pytest.raises(DemoDataError, match=r"^grade7\.jsonl:1: not JSON"):
        read_records(write(_mk(tmp_path / "a"), "{"))
    again = json.dumps({**GOOD, "family": "DEMO-jm-x-2"})
    with pytest.raises(
        DemoDataError, match=r"^grade7\.jsonl:2: the stem '1\+1=\?' repeats grade7\.jsonl:1"
    ):
        load_bank(read_records(write(_mk(tmp_path / "b"), json.dumps(GOOD), again)))


def _mk(path: Path) -> Path:
    path.mkdir()
    return path
