"""What an input file asks for, in one shape for both formats.

A parser (oneroster.py, plaincsv.py) turns files into a Plan: the org units, people and roles
the file describes, each with the place in the file it came from. References between them are
strings:

- ``spec:<key>``   another spec of the same plan;
- ``ext:<id>``     something imported before, by its roster id (``external_id``);
- ``code:<code>``  an existing org unit, by its code (plain CSV schools);
- ``user:<name>``  an existing person, by username (plain CSV guardians);
- ``target``       the region or school the import goes into.

resolve.py matches a plan against the database and the actor's scope; services.py writes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from tongke.roster.report import Where

TARGET = "target"


def spec_ref(key: str) -> str:
    return f"spec:{key}"


def derived_id(kind: str, *parts: str) -> str:
    """A stable roster id for a record the bundle does not name (1.1 roles, guardian links);
    hashed when it would not fit the 128 characters of ``external_id``."""
    plain = ":".join(("or", kind, *parts))
    if len(plain) <= 128:
        return plain
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"or:{kind}:{digest}"


@dataclass
class UnitSpec:
    key: str
    kind: str  # region | school | class
    where: Where
    entity: str  # "orgs" | "classes"
    name: str
    parent: str  # a reference (see the module docstring)
    parent_column: str = ""
    external_id: str | None = None
    code: str = ""  # for a new unit; a class's code is finished by the resolver
    code_suffix: str = ""  # classes: appended to the school's code
    name_en: str | None = None
    region_level: str | None = None
    school_type: str | None = None
    location_class: str | None = None
    grade_level: int | None = None
    remove: bool = False
    natural: bool = False  # matched by (school, grade, name) instead of a roster id


@dataclass
class UserSpec:
    key: str
    where: Where
    username: str
    external_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # full_name, email, phone, is_active
    remove: bool = False


@dataclass
class RoleSpec:
    entity: str  # "roles" | "enrollments" | "guardians"
    where: Where
    role: str
    user: str  # a reference
    unit: str | None = None  # a reference
    subject: str | None = None  # a reference to a person (parents)
    external_id: str | None = None
    remove: bool = False
    user_column: str = ""
    unit_column: str = ""
    subject_column: str = ""
    # Plain CSV implies a teacher's school role once per class row: repeats are not errors.
    implied: bool = False


@dataclass
class Plan:
    kind: str
    units: list[UnitSpec] = field(default_factory=list)  # parents before children
    users: list[UserSpec] = field(default_factory=list)
    roles: list[RoleSpec] = field(default_factory=list)
    # References to rows that were rejected: whatever refers to them is not reported again.
    broken: set[str] = field(default_factory=set)
