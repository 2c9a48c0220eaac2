"""Reading one CSV file into rows, checking its text, header and every cell.

A file must be UTF-8 (a byte-order mark is allowed). The header names are checked against
the columns the format knows: a missing required column is an error, an unknown one an error
(strict formats) or a warning (OneRoster, which allows extension columns). Every cell is
refused when it starts with a character a spreadsheet runs as a formula (= + @) or holds a
tab, line break or other control character; phone numbers may start with +.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tongke.roster import errors
from tongke.roster.report import Report

MAX_CELL = 1000
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
FORMULA_CHARS = ("=", "+", "@")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,30}$")


@dataclass
class Row:
    file: str
    line: int
    cells: dict[str, str]
    ok: bool = True

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Table:
    file: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.columns


def decode(data: bytes, *, file: str, report: Report) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error(errors.BAD_UTF8, file=file, line=data.count(b"\n", 0, exc.start) + 1)
        return None


def _hint(name: str, candidates: Collection[str]) -> str:
    lowered = {c.lower(): c for c in candidates}
    match = lowered.get(name.lower()) or next(
        iter(difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)), None
    )
    return " " + _("Did you mean %(name)s?") % {"name": match} if match else ""


def check_cell(value: str, *, phone: bool = False) -> tuple[str, dict[str, str]] | None:
    """The reason code (and its parameters) for refusing ``value``, or None when it is fine."""
    if CONTROL.search(value):
        return errors.CONTROL_CHAR, {}
    stripped = value.strip(" ")
    if stripped.startswith(FORMULA_CHARS) and not (phone and PHONE.match(stripped)):
        return errors.FORMULA, {"char": stripped[0]}
    if len(value) > MAX_CELL:
        return errors.TOO_LONG, {"limit": str(MAX_CELL)}
    return None


def read_table(
    data: bytes,
    *,
    file: str,
    report: Report,
    required: Sequence[str],
    known: Collection[str],
    strict: bool,
    phone_columns: Collection[str] = (),
    extension_prefixes: Sequence[str] = ("metadata.",),
) -> Table | None:
    """The rows of a CSV file, or None when the file as a whole cannot be used."""
    text = decode(data, file=file, report=report)
    if text is None:
        return None
    if not text.strip():
        report.error(errors.EMPTY_FILE, file=file)
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        problem = _check_header(header, file, report, required, known, strict, extension_prefixes)
        table = Table(file=file, columns=[h for h in header if h])
        last = reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if problem:
                continue
            table.rows.append(_row(cells, header, file, start, report, phone_columns))
    except csv.Error as exc:
        report.error(errors.BAD_CSV, file=file, line=reader.line_num, reason=str(exc)[:200])
        return None
    return None if problem else table


def _check_header(
    header: list[str],
    file: str,
    report: Report,
    required: Sequence[str],
    known: Collection[str],
    strict: bool,
    extension_prefixes: Sequence[str],
) -> bool:
    """Report what is wrong with the header; True when the file cannot be read on."""
    problem = False
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            report.error(errors.DUPLICATE_COLUMN, file=file, line=1, column=name, value=name)
            problem = True
        seen.add(name)
        if name in known or name.startswith(tuple(extension_prefixes)):
            continue
        hint = _hint(name, known)
        if strict:
            report.error(
                errors.UNKNOWN_COLUMN, file=file, line=1, column=name, value=name, hint=hint
            )
            problem = True
        else:
            report.warning(
                errors.UNKNOWN_COLUMN, file=file, line=1, column=name, value=name, hint=hint
            )
    for name in required:
        if name not in seen:
            unknown = [h for h in header if h and h not in known]
            report.error(
                errors.MISSING_COLUMN,
                file=file,
                line=1,
                column=name,
                value=name,
                hint=_hint(name, unknown),
            )
            problem = True
    return problem


def _row(
    cells: list[str],
    header: list[str],
    file: str,
    line: int,
    report: Report,
    phone_columns: Collection[str],
) -> Row:
    row = Row(file=file, line=line, cells={})
    if len(cells) != len(header):
        report.error(
            errors.ROW_LENGTH, file=file, line=line, found=len(cells), expected=len(header)
        )
        row.ok = False
        return row
    for name, value in zip(header, cells, strict=True):
        if not name:
            continue
        bad = check_cell(value, phone=name in phone_columns)
        if bad is not None:
            code, params = bad
            report.error(code, file=file, line=line, column=name, value=value, **params)
            row.ok = False
        row.cells[name] = value.strip()
    return row
