"""The report of an import: every rejected file, row or cell with its place and a stable code.

The report is kept as JSON on the import record, shown on the page, printed by the command
and downloadable as CSV. The CSV is safe to open in a spreadsheet: a cell that starts with a
character a spreadsheet would run as a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from tongke.roster import errors
from tongke.roster.enums import Severity

MAX_KEPT = 1000  # problems kept per import; the rest are only counted
VALUE_CHARS = 80
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Problem:
    severity: str
    code: str
    message: str
    file: str = ""
    line: int | None = None
    column: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Where:
    """A place in the input: a file and (for rows) a line number."""

    file: str
    line: int | None = None


class Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.errors = 0
        self.warnings = 0
        self.dropped = 0
        self._seen: set[tuple[str, str, int | None, str, str]] = set()

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def add(
        self,
        severity: str,
        code: str,
        *,
        where: Where | None = None,
        file: str = "",
        line: int | None = None,
        column: str = "",
        value: str = "",
        **params: Any,
    ) -> None:
        if where is not None:
            file, line = file or where.file, line if line is not None else where.line
        key = (code, file, line, column, value)
        if key in self._seen:  # the same problem once is enough
            return
        self._seen.add(key)
        if severity == Severity.ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.problems) >= MAX_KEPT:
            self.dropped += 1
            return
        params.setdefault("value", value)
        shown = value if len(value) <= VALUE_CHARS else value[: VALUE_CHARS - 1] + "…"
        self.problems.append(
            Problem(
                severity=severity,
                code=code,
                message=errors.message(code, **params),
                file=file,
                line=line,
                column=column,
                value=shown,
            )
        )

    def error(self, code: str, **kwargs: Any) -> None:
        self.add(Severity.ERROR, code, **kwargs)

    def warning(self, code: str, **kwargs: Any) -> None:
        self.add(Severity.WARNING, code, **kwargs)

    def as_json(self) -> dict[str, Any]:
        problems = sorted(
            self.problems,
            key=lambda p: (p.severity != Severity.ERROR, p.file, p.line or 0, p.column),
        )
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "dropped": self.dropped,
            "problems": [p.as_dict() for p in problems],
        }


def spreadsheet_safe(value: Any) -> str:
    """A cell value that a spreadsheet shows as text rather than runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


REPORT_COLUMNS = ("severity", "code", "file", "line", "column", "value", "message")


def report_csv(problems: Iterable[dict[str, Any]]) -> str:
    """The problems as CSV text (with a header), every cell made spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for p in problems:
        writer.writerow([spreadsheet_safe(p.get(c, "")) for c in REPORT_COLUMNS])
    return out.getvalue()
