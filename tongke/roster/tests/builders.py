"""Small roster files for the tests: a good OneRoster 1.2 bundle (and its 1.1 form), a good
plain CSV, and ways to write them as a zip or a folder."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from tongke.audit.models import AuditEvent
from tongke.orgs.models import OrgUnit, RoleAssignment

Rows = list[list[str]]

MANIFEST: Rows = [
    ["propertyName", "value"],
    ["manifest.version", "1.0"],
    ["oneroster.version", "1.2"],
    ["file.orgs", "bulk"],
    ["file.users", "bulk"],
    ["file.classes", "bulk"],
    ["file.enrollments", "bulk"],
    ["file.roles", "bulk"],
]
ORGS: Rows = [
    [
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
        "tongke_school_type",
        "tongke_location_class",
    ],
    ["org-bj", "active", "2026-01-05", "北京市", "state", "BJ", "", "", ""],
    ["org-test", "active", "", "测试区", "district", "BJ-TESTD", "org-bj", "", ""],
    ["org-s1", "active", "", "测试第一小学", "school", "BJ-TESTS1", "org-test", "primary", "rural"],
]
CLASSES: Rows = [
    [
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ],
    [
        "cls-3a",
        "",
        "",
        "三年级（1）班",
        "03",
        "course-1",
        "C1",
        "homeroom",
        "",
        "org-s1",
        "t1",
        "",
        "",
        "",
    ],
    [
        "cls-4a",
        "",
        "",
        "四年级（1）班",
        "04",
        "course-1",
        "C2",
        "homeroom",
        "",
        "org-s1",
        "t1",
        "",
        "",
        "",
    ],
]
USERS_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
USERS: Rows = [
    USERS_HEADER,
    [
        "u-t1",
        "",
        "",
        "true",
        "ttest01",
        "",
        "老师",
        "张",
        "",
        "",
        "zhang@example.cn",
        "",
        "+86 138 0000 0000",
        "",
        "",
        "",
    ],
    ["u-s1", "", "", "true", "stest01", "", "小明", "王", "", "", "", "", "", "u-p1", "03", ""],
    ["u-s2", "", "", "true", "stest02", "", "小红", "李", "", "", "", "", "", "", "04", ""],
    ["u-p1", "", "", "true", "ptest01", "", "建国", "王", "", "", "", "", "", "u-s1", "", ""],
    [
        "u-a1",
        "",
        "",
        "true",
        "atest01",
        "",
        "Mei",
        "Li",
        "",
        "",
        "li.mei@example.cn",
        "",
        "",
        "",
        "",
        "",
    ],
]
ROLES: Rows = [
    [
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ],
    ["r-t1", "", "", "u-t1", "primary", "teacher", "", "", "org-s1", ""],
    ["r-s1", "", "", "u-s1", "primary", "student", "", "", "org-s1", ""],
    ["r-s2", "", "", "u-s2", "primary", "student", "", "", "org-s1", ""],
    ["r-p1", "", "", "u-p1", "primary", "guardian", "", "", "org-s1", ""],
    ["r-a1", "", "", "u-a1", "primary", "administrator", "", "", "org-s1", ""],
]
ENROLLMENTS: Rows = [
    [
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ],
    ["e-1", "", "", "cls-3a", "org-s1", "u-s1", "student", "false", "", ""],
    ["e-2", "", "", "cls-4a", "org-s1", "u-s2", "student", "false", "", ""],
    ["e-3", "", "", "cls-3a", "org-s1", "u-t1", "teacher", "true", "", ""],
]

PLAIN: Rows = [
    [
        "role",
        "username",
        "full_name",
        "school_code",
        "grade",
        "class_name",
        "guardian_of",
        "email",
        "phone",
    ],
    ["student", "pstu01", "赵一", "BJ-HD-S01", "3", "三年级（1）班", "", "", ""],
    ["student", "pstu02", "钱二", "BJ-HD-S01", "03", "三年级（9）班", "", "", ""],
    ["teacher", "ptea01", "孙老师", "BJ-HD-S01", "3", "三年级（9）班", "", "sun@example.cn", ""],
    ["teacher", "ptea01", "孙老师", "BJ-HD-S01", "", "", "", "", ""],
    ["parent", "ppar01", "赵父", "", "", "", "pstu01", "", "13800000000"],
]


def csv_bytes(rows: Rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def bundle(*, version: str = "1.2") -> dict[str, Any]:
    """The good bundle as {file name: rows}; 1.1 puts roles into users.csv."""
    files: dict[str, Any] = {
        "manifest.csv": [list(r) for r in MANIFEST],
        "orgs.csv": [list(r) for r in ORGS],
        "users.csv": [list(r) for r in USERS],
        "classes.csv": [list(r) for r in CLASSES],
        "enrollments.csv": [list(r) for r in ENROLLMENTS],
        "roles.csv": [list(r) for r in ROLES],
    }
    if version == "1.1":
        roles = {r[3]: (r[5], r[8]) for r in ROLES[1:]}
        users = files["users.csv"]
        users[0] += ["role", "orgSourcedIds"]
        for row in users[1:]:
            row += list(roles[row[0]])
        del files["roles.csv"]
        files["manifest.csv"] = [r for r in files["manifest.csv"] if r[0] != "file.roles"]
        files["manifest.csv"][2][1] = "1.1"
    return files


def _data(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return csv_bytes(content)


def write_zip(files: dict[str, Any], path: Path, *, folder: str = "") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(folder + name, _data(content))
    return path


def write_folder(files: dict[str, Any], path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (path / name).write_bytes(_data(content))
    return path


def write_csv(rows: Rows | bytes, path: Path) -> Path:
    path.write_bytes(_data(rows))
    return path


def snapshot() -> dict[str, int]:
    """How many rows the tables an import writes hold."""
    return {
        "units": OrgUnit.objects.count(),
        "users": get_user_model().objects.count(),
        "roles": RoleAssignment.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def codes(record: Any) -> set[str]:
    return {p["code"] for p in record.problems}


def errors_of(record: Any) -> list[dict[str, Any]]:
    return [p for p in record.problems if p["severity"] == "error"]
