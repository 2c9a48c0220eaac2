"""Loaders of knowledge-tracing answer files: the two formats, their errors, the layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tongke.learning.kt import StepLayout
from tongke.learning.kt.data import KTDataError, from_sequences, load, parse_csv, to_csv, to_lines3


def write(tmp_path: Path, text: str, name: str = "answers.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_lines3_reads_learners_in_order_with_trailing_commas(tmp_path):
    path = write(tmp_path, "3\n7,8,7,\n1,0,1,\n2\n8,9\n0,0\n\n")

    data = load(path, "lines3")

    assert data.n_users == 2
    assert data.item_ids == ["7", "8", "9"]
    assert [data.item_ids[i] for i in data.item] == ["7", "8", "7", "8", "9"]
    assert data.correct.tolist() == [1, 0, 1, 0, 0]
    assert data.user.tolist() == [0, 0, 0, 1, 1]
    assert data.position.tolist() == [0, 1, 2, 0, 1]
    assert data.starts.tolist() == [0, 3, 5]
    # Each id is an item and its own skill.
    assert [data.skills_of(i) for i in range(3)] == [["7"], ["8"], ["9"]]


def test_lines3_item_to_skills_mapping(tmp_path):
    path = write(tmp_path, "2\n1,2\n1,1\n")

    data = load(path, "lines3", item_skills={"1": ["a", "b"], "2": ["b"]})

    assert data.skills_of(0) == ["a", "b"]
    assert data.skills_of(1) == ["b"]
    assert data.item_skills.shape == (2, 2)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("3\n1,2\n1,0,1\n", 2, "2 ids but the count on line 1 says 3"),
        ("3\n1,2,3\n1,0\n", 3, "2 answers but the count on line 1 says 3"),
        ("2\n1,2\n1,2\n", 3, "answer '2' is not 0 or 1"),
        ("2\n1,2\n1,x\n", 3, "answer 'x' is not 0 or 1"),
        ("two\n1,2\n1,0\n", 1, "expected an answer count"),
        ("2\n1,b\n1,0\n", 2, "item id 'b' is not a whole number"),
        ("2\n1,2\n1,0\n2\n1,2\n", 4, "the file ends early"),
        ("1\n1\n1\n2\n1,,2\n1,0\n", 5, "3 ids but the count on line 4 says 2"),
    ],
)
def test_lines3_ragged_input_names_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, text)

    with pytest.raises(KTDataError) as caught:
        load(path, "lines3")

    assert caught.value.line == line
    assert caught.value.file == str(path)
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_csv_with_header_orders_by_timestamp_inside_a_learner(tmp_path):
    text = (
        "user_id,skill_id,correct,timestamp\n"
        "u1,s1,1,30\n"
        "u2,s2,0,5\n"
        "u1,s2,0,10\n"
        "u1,s1,1,10\n"  # same time as the row above: file order breaks the tie
    )
    data = load(write(tmp_path, text, "a.csv"), "csv")

    assert data.user_ids == ["u1", "u2"]
    assert data.user.tolist() == [0, 0, 0, 1]
    assert [data.skill_ids[data.item_skills[i, 0]] for i in data.item] == ["s2", "s1", "s1", "s2"]
    assert data.correct.tolist() == [0, 1, 1, 0]


def test_csv_without_header_and_multi_skill_items():
    data = parse_csv("a,k1;k2,1\na,k2,0\nb,k1;k2,1\n")

    assert data.user_ids == ["a", "b"]
    assert data.item_ids == ["k1;k2", "k2"]
    assert data.skills_of(0) == ["k1", "k2"]
    assert data.skills_of(1) == ["k2"]


def test_csv_item_column_keeps_items_apart_from_skills():
    text = "user_id,problem_id,skill_id,correct\nu,p1,s,1\nu,p2,s,0\n"

    data = parse_csv(text)

    assert data.item_ids == ["p1", "p2"]
    assert data.skill_ids == ["s"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("user_id,skill_id,correct\nu,s,1\nu,s,2\n", 3, "correct '2' is not 0 or 1"),
        ("user_id,skill_id,correct\nu,s,1\nu,s\n", 3, "2 fields but the first line has 3"),
        ("user_id,skill_id,correct,timestamp\nu,s,1,x\n", 2, "timestamp 'x'"),
        ("u,s,1\nu,,0\n", 2, "empty skill_id"),
        ("u,s,yes\n", 1, "not 0 or 1"),
        ("user,kc\nu,s\n", 1, "header lacks column(s) correct"),
    ],
)
def test_csv_bad_rows_name_the_line(text, line, words):
    with pytest.raises(KTDataError) as caught:
        parse_csv(text, "f.csv")

    assert caught.value.line == line
    assert words in caught.value.message


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(KTDataError, match="no such file"):
        load(tmp_path / "nope.txt", "lines3")


def test_round_trips_through_both_formats(tmp_path):
    data = from_sequences(
        [("a", ["1", "2", "1"], [1, 0, 1]), ("b", ["3"], [0]), ("c", ["2", "3"], [1, 1])]
    )

    back = load(write(tmp_path, to_lines3(data)), "lines3")
    again = parse_csv(to_csv(data))

    for other in (back, again):
        assert other.correct.tolist() == data.correct.tolist()
        assert other.lengths.tolist() == data.lengths.tolist()
        assert [other.item_ids[i] for i in other.item] == [data.item_ids[i] for i in data.item]


def test_split_users_is_a_partition_of_learners():
    data = from_sequences([(f"u{i}", ["1"] * (i + 1), [i % 2] * (i + 1)) for i in range(20)])

    first, second = data.split_users(0.25, seed=3)

    assert second.n_users == 5 and first.n_users == 15
    assert not set(first.user_ids) & set(second.user_ids)
    assert first.n_answers + second.n_answers == data.n_answers
    for part in (first, second):
        for u, name in enumerate(part.user_ids):
            assert part.lengths[u] == int(name[1:]) + 1


def test_step_layout_orders_rows_by_step_longest_sequence_first():
    starts = np.array([0, 2, 5, 6])  # lengths 2, 3, 1

    layout = StepLayout.from_starts(starts)

    assert layout.bounds.tolist() == [0, 3, 5, 6]
    # step 0: sequences by length (1, 0, 2); step 1: (1, 0); step 2: (1,)
    assert layout.rows.tolist() == [2, 0, 5, 3, 1, 4]
