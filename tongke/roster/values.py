"""Checking single values of a row (both formats): required text, names, usernames, e-mail,
phone numbers, grades and enumerations. Each reports its problem at the row and column and
returns None when the value cannot be used."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tongke.orgs.enums import GRADE_LEVEL_MAX, GRADE_LEVEL_MIN
from tongke.roster import errors
from tongke.roster.report import Report
from tongke.roster.table import PHONE, Row

T = TypeVar("T")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_username = UnicodeUsernameValidator()


def text(
    report: Report, row: Row, column: str, *, required: bool = True, limit: int = 200
) -> str | None:
    value = row.get(column)
    if not value:
        if required:
            report.error(errors.REQUIRED, file=row.file, line=row.line, column=column)
            return None
        return ""
    if len(value) > limit:
        report.error(
            errors.TOO_LONG, file=row.file, line=row.line, column=column, value=value, limit=limit
        )
        return None
    return value


def username(report: Report, row: Row, column: str, *, required: bool = True) -> str | None:
    value = text(report, row, column, required=required, limit=150)
    if not value:
        return value
    try:
        _username(value)
    except ValidationError:
        report.error(errors.BAD_USERNAME, file=row.file, line=row.line, column=column, value=value)
        return None
    return value


def email(report: Report, row: Row, column: str) -> str | None:
    value = text(report, row, column, required=False, limit=254)
    if not value:
        return value
    try:
        validate_email(value)
    except ValidationError:
        report.error(errors.BAD_EMAIL, file=row.file, line=row.line, column=column, value=value)
        return None
    return value


def phone(report: Report, row: Row, column: str) -> str | None:
    value = text(report, row, column, required=False, limit=32)
    if not value:
        return value
    if not PHONE.match(value):
        report.error(errors.BAD_PHONE, file=row.file, line=row.line, column=column, value=value)
        return None
    return value


def full_name(given: str, family: str, middle: str = "") -> str:
    """Chinese names are family name then given name, with no space; others "given family"."""
    if CJK.search(given + family):
        return f"{family}{given}".replace(" ", "")
    return " ".join(p for p in (given, middle, family) if p)


def grade(value: str) -> int | None:
    """A grade level from "07", "7" or "13"; None for anything else (KG, PK, Other...)."""
    value = value.strip()
    if not re.fullmatch(r"\d{1,2}", value):
        return None
    level = int(value)
    return level if GRADE_LEVEL_MIN <= level <= GRADE_LEVEL_MAX else None


def enum(report: Report, row: Row, column: str, mapping: Mapping[str, T]) -> T | None:
    """The mapped value of a cell, compared case-insensitively; None (reported) otherwise."""
    value = row.get(column)
    key = value.lower()
    if key in mapping:
        return mapping[key]
    if not value:
        report.error(errors.REQUIRED, file=row.file, line=row.line, column=column)
        return None
    allowed = ", ".join(sorted(k for k in mapping if k))
    report.error(
        errors.BAD_VALUE,
        file=row.file,
        line=row.line,
        column=column,
        value=value,
        allowed=allowed,
    )
    return None


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]
