"""Answer logs for knowledge tracing: one compact structure, two file formats.

A :class:`KTData` holds every answer of a set of learners as flat numpy arrays, grouped by
learner and in answer order inside a learner: ``user``, ``item``, ``correct`` and
``position`` (0-based order of the answer inside its learner's sequence). Items map to one
or more knowledge points (skills) through ``item_skills`` (a Q-matrix stored as a padded
``(n_items, max_skills)`` array, ``-1`` for padding). Ids from the files are kept as strings
(``user_ids``, ``item_ids``, ``skill_ids``), so a model fitted on one file can look up the
items and skills of another.

Two formats are read, both checked line by line: a bad line raises :class:`KTDataError`
naming the file and the line, never a bare ``ValueError``.

- ``lines3``: three lines per learner (answer count; comma-separated item ids; comma-separated
  0/1 answers), the format of the DKT/DKVMN data sets. Trailing commas are allowed. Each id is
  an item and, unless a mapping is given, also its own skill.
- ``csv``: one answer per row, ``user_id,skill_id,correct[,timestamp]`` (a header naming the
  columns is optional; with one, an ``item_id`` column may add item ids, and several skills
  of one item are separated by ``;``). Rows are ordered by timestamp inside a learner, file
  order breaking ties; without timestamps file order is answer order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

FORMATS = ("lines3", "csv")
SKILL_SEPARATOR = ";"

CSV_ALIASES = {
    "user_id": ("user_id", "user", "student_id", "student", "learner_id", "uid"),
    "skill_id": ("skill_id", "skill", "skills", "concept_id", "concept", "kc", "knowledge_point"),
    "correct": ("correct", "response", "answer", "label"),
    "timestamp": ("timestamp", "time", "ts", "order_id", "start_time"),
    "item_id": ("item_id", "item", "problem_id", "question_id", "question", "exercise_id"),
}


class KTDataError(Exception):
    """A problem with an input file, located at a (1-based) line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True, eq=False)
class KTData:
    """Answers of many learners; arrays are aligned, one entry per answer."""

    user: np.ndarray  # int32, learner index into user_ids; learners are contiguous blocks
    item: np.ndarray  # int32, item index into item_ids
    correct: np.ndarray  # int8, 1 correct / 0 wrong
    user_ids: list[str]
    item_ids: list[str]
    skill_ids: list[str]
    item_skills: np.ndarray  # int32 (n_items, max_skills), skill indexes, -1 pads
    starts: np.ndarray = field(init=False)  # int64 (n_users + 1), offsets of each learner
    position: np.ndarray = field(init=False)  # int32, order of the answer in its sequence

    def __post_init__(self) -> None:
        n_users = len(self.user_ids)
        if len(self.user) and np.any(np.diff(self.user) < 0):
            raise ValueError("answers must be grouped by learner in increasing learner index")
        counts = np.bincount(self.user, minlength=n_users)
        starts = np.zeros(n_users + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        position = np.arange(len(self.user), dtype=np.int64) - np.repeat(starts[:-1], counts)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "position", position.astype(np.int32))

    @property
    def n_answers(self) -> int:
        return len(self.user)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    def skills_of(self, item: int) -> list[str]:
        return [self.skill_ids[s] for s in self.item_skills[item] if s >= 0]

    def answer_skills(self) -> np.ndarray:
        """(n_answers, max_skills) skill indexes of each answer, -1 pads."""
        return self.item_skills[self.item]

    def select_users(self, users: np.ndarray) -> KTData:
        """The learners at the given indexes (in that order), ids and Q-matrix kept."""
        users = np.asarray(users, dtype=np.int64)
        lengths = self.lengths[users]
        rows = np.repeat(self.starts[users], lengths) + (
            np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        )
        return KTData(
            user=np.repeat(np.arange(len(users), dtype=np.int32), lengths),
            item=self.item[rows],
            correct=self.correct[rows],
            user_ids=[self.user_ids[u] for u in users],
            item_ids=self.item_ids,
            skill_ids=self.skill_ids,
            item_skills=self.item_skills,
        )

    def split_users(self, fraction: float, seed: int = 0) -> tuple[KTData, KTData]:
        """Learners split at random: (the rest, ``fraction`` of them); no learner in both."""
        order = np.random.default_rng(seed).permutation(self.n_users)
        n_second = max(1, min(self.n_users - 1, round(self.n_users * fraction)))
        return self.select_users(np.sort(order[n_second:])), self.select_users(
            np.sort(order[:n_second])
        )

    def with_correct(self, correct: np.ndarray) -> KTData:
        return KTData(
            user=self.user,
            item=self.item,
            correct=np.asarray(correct, dtype=np.int8),
            user_ids=self.user_ids,
            item_ids=self.item_ids,
            skill_ids=self.skill_ids,
            item_skills=self.item_skills,
        )


def from_sequences(
    sequences: Iterable[tuple[str, Sequence[str], Sequence[int]]],
    item_skills: Mapping[str, Sequence[str]] | None = None,
) -> KTData:
    """Build from ``(user_id, item_ids, answers)`` triples, one per learner, in answer order.

    ``item_skills`` maps an item id to its skill ids; an item not in it is its own skill.
    """
    users: list[str] = []
    item_index: dict[str, int] = {}
    user_col: list[np.ndarray] = []
    item_col: list[np.ndarray] = []
    correct_col: list[np.ndarray] = []
    for user_id, items, answers in sequences:
        if len(items) != len(answers):
            raise ValueError(f"learner {user_id}: {len(items)} items but {len(answers)} answers")
        codes = [item_index.setdefault(i, len(item_index)) for i in items]
        user_col.append(np.full(len(codes), len(users), dtype=np.int32))
        item_col.append(np.asarray(codes, dtype=np.int32))
        correct_col.append(np.asarray(answers, dtype=np.int8))
        users.append(user_id)
    return _assemble(users, list(item_index), user_col, item_col, correct_col, item_skills)


def _assemble(
    users: list[str],
    items: list[str],
    user_col: list[np.ndarray],
    item_col: list[np.ndarray],
    correct_col: list[np.ndarray],
    item_skills: Mapping[str, Sequence[str]] | None,
) -> KTData:
    skill_index: dict[str, int] = {}
    tags = []
    for item in items:
        skills = list(item_skills.get(item, [item])) if item_skills is not None else [item]
        tags.append([skill_index.setdefault(s, len(skill_index)) for s in dict.fromkeys(skills)])
    width = max((len(t) for t in tags), default=1)
    q_matrix = np.full((len(items), max(width, 1)), -1, dtype=np.int32)
    for row, tag in enumerate(tags):
        q_matrix[row, : len(tag)] = tag

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return KTData(
        user=cat(user_col, np.int32),
        item=cat(item_col, np.int32),
        correct=cat(correct_col, np.int8),
        user_ids=users,
        item_ids=items,
        skill_ids=list(skill_index),
        item_skills=q_matrix,
    )


def _fields(text: str) -> list[str]:
    text = text.strip()
    if text.endswith(","):
        text = text[:-1]
    return [f.strip() for f in text.split(",")] if text else []


def _is_int(token: str) -> bool:
    return token.lstrip("-").isdigit()


def parse_lines3(
    text: str, file: str = "<input>", item_skills: Mapping[str, Sequence[str]] | None = None
) -> KTData:
    """Parse the 3-line format; see the module docstring."""
    lines = text.splitlines()
    sequences: list[tuple[str, list[str], list[int]]] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        count_field = _fields(lines[i])
        if len(count_field) != 1 or not count_field[0].isdigit():
            raise KTDataError(
                file, i + 1, f"expected an answer count (a whole number), got {lines[i].strip()!r}"
            )
        count = int(count_field[0])
        if i + 2 >= len(lines):
            raise KTDataError(
                file, i + 1, "a learner needs 3 lines (count, ids, answers); the file ends early"
            )
        ids = _fields(lines[i + 1])
        answers = _fields(lines[i + 2])
        if len(ids) != count:
            raise KTDataError(
                file, i + 2, f"{len(ids)} ids but the count on line {i + 1} says {count}"
            )
        if len(answers) != count:
            raise KTDataError(
                file, i + 3, f"{len(answers)} answers but the count on line {i + 1} says {count}"
            )
        bad_id = next((t for t in ids if not _is_int(t)), None)
        if bad_id is not None:
            raise KTDataError(file, i + 2, f"item id {bad_id!r} is not a whole number")
        bad = next((a for a in answers if a not in ("0", "1")), None)
        if bad is not None:
            raise KTDataError(file, i + 3, f"answer {bad!r} is not 0 or 1")
        sequences.append((str(len(sequences)), ids, [int(a == "1") for a in answers]))
        i += 3
    if not sequences:
        raise KTDataError(file, 1, "no learners in the file")
    return from_sequences(sequences, item_skills)


def _timestamp(token: str) -> float:
    try:
        return float(token)
    except ValueError:
        return datetime.fromisoformat(token.replace("Z", "+00:00")).timestamp()


def parse_csv(text: str, file: str = "<input>") -> KTData:
    """Parse the long CSV format; see the module docstring."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    first = next(rows, None)
    while first is not None and not any(c.strip() for c in first):
        first = next(rows, None)
    if first is None:
        raise KTDataError(file, 1, "the file is empty")
    columns = {"user_id": 0, "skill_id": 1, "correct": 2, "timestamp": 3}
    known_names = {a for aliases in CSV_ALIASES.values() for a in aliases}
    has_header = any(c.strip().lower() in known_names for c in first) or (
        len(first) >= 3 and first[2].strip() not in ("0", "1")
    )
    width = len(first)
    if has_header:
        names = [c.strip().lower() for c in first]
        columns = {}
        for key, aliases in CSV_ALIASES.items():
            found = next((names.index(a) for a in aliases if a in names), None)
            if found is not None:
                columns[key] = found
        missing = [k for k in ("user_id", "skill_id", "correct") if k not in columns]
        if len(missing) == 3 and width in (3, 4):
            raise KTDataError(
                file, 1, f"correct {first[2].strip()!r} is not 0 or 1 (nor is the line a header)"
            )
        if missing:
            raise KTDataError(
                file, 1, f"header lacks column(s) {', '.join(missing)} (got {','.join(names)})"
            )
        rows_iter: Iterable[list[str]] = rows
        line_offset = 2
    else:
        if width not in (3, 4):
            raise KTDataError(
                file, 1, f"expected user_id,skill_id,correct[,timestamp], got {width} fields"
            )
        if width == 3:
            columns.pop("timestamp")
        rows_iter = [first, *rows]
        line_offset = 1

    user_index: dict[str, int] = {}
    item_index: dict[str, int] = {}
    item_skills: dict[str, list[str]] = {}
    users: list[int] = []
    items: list[int] = []
    answers: list[int] = []
    times: list[float] = []
    c_user, c_skill, c_correct = columns["user_id"], columns["skill_id"], columns["correct"]
    c_time, c_item = columns.get("timestamp"), columns.get("item_id")
    for n, row in enumerate(rows_iter):
        line = n + line_offset
        if not any(c.strip() for c in row):
            continue
        if len(row) != width:
            raise KTDataError(file, line, f"{len(row)} fields but the first line has {width}")
        user, skill, answer = row[c_user].strip(), row[c_skill].strip(), row[c_correct].strip()
        if not user:
            raise KTDataError(file, line, "empty user_id")
        skills = [s.strip() for s in skill.split(SKILL_SEPARATOR) if s.strip()]
        if not skills:
            raise KTDataError(file, line, "empty skill_id")
        if answer not in ("0", "1"):
            raise KTDataError(file, line, f"correct {answer!r} is not 0 or 1")
        item = row[c_item].strip() if c_item is not None else SKILL_SEPARATOR.join(skills)
        if not item:
            raise KTDataError(file, line, "empty item_id")
        known = item_skills.setdefault(item, skills)
        if known != skills:
            raise KTDataError(
                file, line, f"item {item!r} has skills {skills}, earlier {known} (one tag per item)"
            )
        if c_time is not None:
            try:
                times.append(_timestamp(row[c_time].strip()))
            except ValueError:
                raise KTDataError(
                    file, line, f"timestamp {row[c_time].strip()!r} is not a number or ISO time"
                ) from None
        users.append(user_index.setdefault(user, len(user_index)))
        items.append(item_index.setdefault(item, len(item_index)))
        answers.append(answer == "1")
    if not users:
        raise KTDataError(file, line_offset, "no answers in the file")
    user_arr = np.asarray(users, dtype=np.int32)
    keys: list[np.ndarray] = (
        [np.asarray(times, dtype=np.float64), user_arr] if times else [user_arr]
    )
    order = np.lexsort(keys)  # stable: file order breaks ties
    return _assemble(
        list(user_index),
        list(item_index),
        [user_arr[order]],
        [np.asarray(items, dtype=np.int32)[order]],
        [np.asarray(answers, dtype=np.int8)[order]],
        item_skills,
    )


def load(
    path: str | Path, fmt: str, item_skills: Mapping[str, Sequence[str]] | None = None
) -> KTData:
    """Read ``path`` in format ``fmt`` (``lines3`` or ``csv``)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KTDataError(name, 0, "no such file") from None
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise KTDataError(name, line, "not UTF-8 text") from None
    if fmt == "lines3":
        return parse_lines3(text, name, item_skills)
    if fmt == "csv":
        return parse_csv(text, name)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def to_lines3(data: KTData) -> str:
    """The 3-line text of ``data`` (item ids; skills are not written)."""
    out = []
    ids = np.asarray(data.item_ids, dtype=object)
    for u in range(data.n_users):
        a, b = data.starts[u], data.starts[u + 1]
        out.append(f"{b - a}\n{','.join(ids[data.item[a:b]])},\n")
        out.append(",".join(data.correct[a:b].astype(str)) + ",\n")
    return "".join(out)


def to_csv(data: KTData, with_items: bool = False) -> str:
    """The long CSV text of ``data`` with a header; position is written as timestamp."""
    skills = [
        SKILL_SEPARATOR.join(data.skill_ids[s] for s in row if s >= 0) for row in data.item_skills
    ]
    users = np.asarray(data.user_ids, dtype=object)[data.user]
    head = "user_id,item_id,skill_id,correct,timestamp\n" if with_items else None
    lines = [head or "user_id,skill_id,correct,timestamp\n"]
    for u, i, c, t in zip(users, data.item, data.correct, data.position, strict=True):
        middle = f"{data.item_ids[i]},{skills[i]}" if with_items else skills[i]
        lines.append(f"{u},{middle},{c},{t}\n")
    return "".join(lines)
