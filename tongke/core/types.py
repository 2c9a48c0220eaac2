"""Field types shared by every app's schemas."""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from tongke.core.text import forbidden_chars

# The largest value a database row id (a signed 64-bit integer) can hold. A bigger number
# would reach the query and fail there (SQLite: OverflowError), so schemas refuse it first.
MAX_DB_INT = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
"""A row id in a request: a positive integer that fits the database's 64 bits."""


def _iso_text_only(value: Any) -> Any:
    """A date-time arrives as ISO 8601 text: a bare number is not read as a Unix time."""
    if isinstance(value, bool | int | float | Decimal) or (
        isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("expected an ISO 8601 date-time text, e.g. 2026-09-01T08:00:00+08:00")
    return value


IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_text_only),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A date-time in a request: ISO 8601 text only (pydantic would take ``1378669``, a number or
a string of digits in a query, as a Unix time in 1970)."""

CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


def _clock_text_only(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(CLOCK_PATTERN, value):
        raise ValueError("expected a local clock time HH:MM or HH:MM:SS")
    if not isinstance(value, str | time):
        raise ValueError("expected a local clock time HH:MM or HH:MM:SS")
    return value


Clock = Annotated[
    time,
    BeforeValidator(_clock_text_only),
    PlainSerializer(lambda t: t.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CLOCK_PATTERN,
            "description": "A local wall-clock time (HH:MM or HH:MM:SS) in the region's time "
            "zone, without an offset: a timetable slot recurs every week at that time.",
        }
    ),
]
"""A timetable clock time. Not ``format: time``, which (RFC 3339) requires an offset."""


def _plain_line(value: str) -> str:
    bad = forbidden_chars(value)
    if bad:
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        raise ValueError(f"control characters are not allowed ({codes})")
    return value


PlainLine = Annotated[str, AfterValidator(_plain_line)]
"""A one-line text (a name): no control characters, lone surrogates or bidi controls."""
