"""Reason codes of the roster import.

Every rejected row or file in an import report carries one of these codes. They are stable
(scripts and support staff match on them) and documented in docs/roster.md; the message is a
translated sentence for people.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid, PermissionDenied

# Files and archives
TOO_LARGE = "roster.too_large"
EMPTY_FILE = "roster.empty_file"
BAD_ZIP = "roster.bad_zip"
TOO_MANY_ENTRIES = "roster.too_many_entries"
UNSAFE_PATH = "roster.unsafe_path"
ZIP_BOMB = "roster.zip_bomb"
DUPLICATE_FILE = "roster.duplicate_file"
IGNORED_FILE = "roster.ignored_file"
MISSING_FILE = "roster.missing_file"
BAD_UTF8 = "roster.bad_utf8"
BAD_CSV = "roster.bad_csv"
MISSING_COLUMN = "roster.missing_column"
UNKNOWN_COLUMN = "roster.unknown_column"
DUPLICATE_COLUMN = "roster.duplicate_column"
ROW_LENGTH = "roster.row_length"
ONEROSTER_FILE = "roster.oneroster_file"
MISSING_ROLES = "roster.missing_roles"
BAD_VERSION = "roster.bad_version"
# Cells
FORMULA = "roster.formula"
CONTROL_CHAR = "roster.control_char"
REQUIRED = "roster.required"
TOO_LONG = "roster.too_long"
BAD_VALUE = "roster.bad_value"
BAD_USERNAME = "roster.bad_username"
BAD_EMAIL = "roster.bad_email"
BAD_PHONE = "roster.bad_phone"
BAD_GRADE = "roster.bad_grade"
MULTI_GRADE = "roster.multi_grade"
DUPLICATE_ID = "roster.duplicate_id"
DUPLICATE_VALUE = "roster.duplicate_value"
CONFLICTING_ROWS = "roster.conflicting_rows"
PASSWORD_IGNORED = "roster.password_ignored"  # noqa: S105 (a reason code)
# References and the org tree
CYCLE = "roster.cycle"
UNKNOWN_REFERENCE = "roster.unknown_reference"
UNKNOWN_SCHOOL = "roster.unknown_school"
BAD_PARENT = "roster.bad_parent"
SCHOOL_MISMATCH = "roster.school_mismatch"
REFERENCE_DELETED = "roster.reference_deleted"
IGNORED_ORG = "roster.ignored_org"
IGNORED_ROLE = "roster.ignored_role"
IGNORED_AGENT = "roster.ignored_agent"
DEFAULT_SCHOOL_TYPE = "roster.default_school_type"
# Against what is already there, and who may change it
OUTSIDE_TARGET = "roster.outside_target"
KIND_MISMATCH = "roster.kind_mismatch"
CODE_TAKEN = "roster.code_taken"
USERNAME_TAKEN = "roster.username_taken"
FORBIDDEN = "roster.forbidden"
ROLE_SCOPE = "roster.role_scope"
DUPLICATE_ROLE = "roster.duplicate_role"
ROLE_CONFLICT = "roster.role_conflict"
GUARDIAN_NOT_STUDENT = "roster.guardian_not_student"
SELF_REVOKE = "roster.self_revoke"
NO_PLACE = "roster.no_place"
APPLY_FAILED = "roster.apply_failed"
BAD_TARGET = "roster.bad_target"

MESSAGES: dict[str, Any] = {
    TOO_LARGE: _("The file is larger than the limit of %(limit)s bytes."),
    EMPTY_FILE: _("The file is empty."),
    BAD_ZIP: _("The zip archive cannot be read (%(reason)s)."),
    TOO_MANY_ENTRIES: _("The archive has %(count)s entries; at most %(limit)s are allowed."),
    UNSAFE_PATH: _(
        "Unsafe name in the archive (absolute path, '..', drive letter or link): %(value)s."
    ),
    ZIP_BOMB: _(
        "The archive entry %(value)s unpacks to more than allowed, or to another size than "
        "the archive declares."
    ),
    DUPLICATE_FILE: _("The bundle holds two files named %(value)s."),
    IGNORED_FILE: _("This file is not used by the import and was ignored."),
    MISSING_FILE: _("The required file %(value)s is missing."),
    BAD_UTF8: _("The file is not valid UTF-8 text. Save it as “CSV UTF-8” and try again."),
    BAD_CSV: _("The file is not valid CSV (%(reason)s)."),
    MISSING_COLUMN: _("The required column %(value)s is missing.%(hint)s"),
    UNKNOWN_COLUMN: _("Unknown column %(value)s.%(hint)s"),
    DUPLICATE_COLUMN: _("The column %(value)s appears twice."),
    ROW_LENGTH: _("The row has %(found)s cells but the header has %(expected)s."),
    ONEROSTER_FILE: _(
        "This looks like one file of a OneRoster bundle. Upload the whole bundle as a zip."
    ),
    MISSING_ROLES: _(
        "users.csv has no role column and there is no roles.csv, so people's roles are unknown."
    ),
    BAD_VERSION: _("OneRoster version %(value)s is not supported (1.0, 1.1 and 1.2 are)."),
    FORMULA: _("The cell starts with “%(char)s”, which spreadsheets run as a formula. Remove it."),
    CONTROL_CHAR: _("The cell holds a tab, line break or other control character."),
    REQUIRED: _("A value is required."),
    TOO_LONG: _("The value is longer than %(limit)s characters."),
    BAD_VALUE: _("“%(value)s” is not allowed here; use one of: %(allowed)s."),
    BAD_USERNAME: _("Not a valid username: use letters, digits and @ . + - _ only."),
    BAD_EMAIL: _("Not a valid e-mail address."),
    BAD_PHONE: _("Not a valid phone number."),
    BAD_GRADE: _("No usable grade: give a grade from 01 to 12 (or 1 to 16)."),
    MULTI_GRADE: _("The class lists several grades; it is placed in grade %(grade)s."),
    DUPLICATE_ID: _("The id %(value)s already appears on line %(first)s."),
    DUPLICATE_VALUE: _("The value %(value)s already appears on line %(first)s."),
    CONFLICTING_ROWS: _("This row disagrees with line %(first)s about the same person."),
    PASSWORD_IGNORED: _("Passwords are never imported; this column was ignored."),
    CYCLE: _("The parents of this org form a loop."),
    UNKNOWN_REFERENCE: _("No %(what)s with id %(value)s in the bundle or imported before."),
    UNKNOWN_SCHOOL: _("No school with code %(value)s inside the place you import into."),
    BAD_PARENT: _("A %(kind)s cannot be placed under a %(parent)s."),
    SCHOOL_MISMATCH: _("The class %(value)s does not belong to this school."),
    REFERENCE_DELETED: _("This row refers to %(value)s, which is marked tobedeleted."),
    IGNORED_ORG: _("Orgs of type %(value)s have no place in the Tongke tree; the row was ignored."),
    IGNORED_ROLE: _("The role %(value)s has no Tongke equivalent; the row was ignored."),
    IGNORED_AGENT: _(
        "The link to %(value)s is not between a guardian and a student; it was ignored."
    ),
    DEFAULT_SCHOOL_TYPE: _(
        "No tongke_school_type or tongke_location_class: the new school is recorded as "
        "%(school_type)s and %(location_class)s. Correct it if that is wrong."
    ),
    OUTSIDE_TARGET: _("%(value)s lies outside %(target)s, the place you import into."),
    KIND_MISMATCH: _("The roster id %(value)s belongs to a %(kind)s, not a %(expected)s."),
    CODE_TAKEN: _("The code %(value)s is already used by another unit."),
    USERNAME_TAKEN: _("The username %(value)s is already taken by another person."),
    FORBIDDEN: _("You may not make this change: it lies outside your scope."),
    ROLE_SCOPE: _("The role %(value)s cannot be given at a %(kind)s."),
    DUPLICATE_ROLE: _("The same role is already given on line %(first)s."),
    ROLE_CONFLICT: _("This person already holds this role from another roster record (%(value)s)."),
    GUARDIAN_NOT_STUDENT: _(
        "%(value)s is not a student in any class, so no guardian can be linked."
    ),
    SELF_REVOKE: _("You cannot take away your own admin role."),
    NO_PLACE: _(
        "A new person needs a place: a class enrollment, a role at a school, or a child to "
        "be the guardian of."
    ),
    APPLY_FAILED: _("The import stopped while writing (%(reason)s). Nothing was changed."),
    BAD_TARGET: _("Choose a region or school that you administer."),
}


def _labelled(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """Enum values in parameters become their translated labels ("school" -> 学校)."""
    from tongke.orgs.enums import LocationClass, Role, SchoolType, UnitKind

    enums: dict[str, Any] = {
        "kind": UnitKind,
        "parent": UnitKind,
        "expected": UnitKind if code == KIND_MISMATCH else None,
        "school_type": SchoolType,
        "location_class": LocationClass,
        "value": Role if code == ROLE_SCOPE else None,
    }
    out = dict(params)
    for key, enum in enums.items():
        value = out.get(key)
        if enum is not None and isinstance(value, str) and value in enum.values:
            out[key] = enum(value).label
    return out


def message(code: str, **params: Any) -> str:
    """The translated sentence for ``code``; unknown or missing parameters never raise."""
    template = str(MESSAGES.get(code, code))
    params.setdefault("hint", "")
    params = _labelled(code, params)
    try:
        return template % {k: ("" if v is None else v) for k, v in params.items()}
    except (KeyError, ValueError, TypeError):
        return template


def forbidden() -> PermissionDenied:
    return PermissionDenied(_("You may not import a roster here."), code=FORBIDDEN)


def bad_target() -> Invalid:
    return Invalid(MESSAGES[BAD_TARGET], code=BAD_TARGET)
