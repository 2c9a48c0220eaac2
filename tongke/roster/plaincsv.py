"""Parsing the plain roster CSV (one row per person and role; see docs/roster.md).

    role,username,full_name,school_code,grade,class_name,guardian_of,email,phone

``role``, ``username``, ``full_name`` and ``school_code`` are required columns; the others are
optional. Header names are checked exactly: an unknown column is an error. People are matched
by username, schools by code (they must exist inside the place imported into), classes by
school, grade and name (created when missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from tongke.orgs.enums import Role, UnitKind
from tongke.roster import errors, values
from tongke.roster.plan import Plan, RoleSpec, UnitSpec, UserSpec, spec_ref
from tongke.roster.report import Report, Where
from tongke.roster.source import PLAIN, Source
from tongke.roster.table import Row, read_table

COLUMNS = (
    "role",
    "username",
    "full_name",
    "school_code",
    "grade",
    "class_name",
    "guardian_of",
    "email",
    "phone",
)
REQUIRED = ("role", "username", "full_name", "school_code")
ROLES: dict[str, str] = {
    "student": Role.STUDENT,
    "学生": Role.STUDENT,
    "teacher": Role.TEACHER,
    "教师": Role.TEACHER,
    "master_teacher": Role.MASTER_TEACHER,
    "tutor": Role.TUTOR,
    "parent": Role.PARENT,
    "guardian": Role.PARENT,
    "家长": Role.PARENT,
    "school_admin": Role.SCHOOL_ADMIN,
    "学校管理员": Role.SCHOOL_ADMIN,
}
TEACHING = (Role.TEACHER, Role.MASTER_TEACHER, Role.TUTOR)


@dataclass
class _Line:
    row: Row
    role: str
    username: str
    school_code: str
    grade: int | None
    class_name: str
    guardian_of: str


def parse_plain(source: Source, report: Report) -> Plan | None:
    name = source.name
    data = source.files[PLAIN]
    table = read_table(
        data,
        file=name,
        report=report,
        required=REQUIRED,
        known=COLUMNS,
        strict=True,
        phone_columns=("phone",),
    )
    if table is None:
        first_line = data.split(b"\n", 1)[0]
        if b"sourcedId" in first_line:
            report.error(errors.ONEROSTER_FILE, file=name, line=1)
        return None
    plan = Plan(kind=source.kind)
    users: dict[str, UserSpec] = {}
    lines: list[_Line] = []
    for row in table.rows:
        line = _line(row, report)
        username = values.username(report, row, "username")
        full_name = values.text(report, row, "full_name", limit=150)
        email = values.email(report, row, "email")
        phone = values.phone(report, row, "phone")
        if not row.ok or None in (line, username, full_name, email, phone):
            if username:
                plan.broken.add(spec_ref(f"puser:{username}"))
            continue
        assert line is not None and username
        lines.append(line)
        fields = {"full_name": full_name}
        if email:
            fields["email"] = email
        if phone:
            fields["phone"] = phone
        known = users.get(username)
        if known is None:
            users[username] = UserSpec(
                key=f"puser:{username}",
                where=Where(row.file, row.line),
                username=username,
                fields=fields,
            )
            continue
        if any(known.fields.get(k, v) != v for k, v in fields.items()):
            report.error(
                errors.CONFLICTING_ROWS,
                file=row.file,
                line=row.line,
                column="full_name",
                value=username,
                first=known.where.line,
            )
            continue
        known.fields.update(fields)
    plan.users = list(users.values())
    classes: dict[str, UnitSpec] = {}
    for line in lines:
        row = line.row
        where = Where(row.file, row.line)
        user = spec_ref(f"puser:{line.username}")
        if line.role == Role.PARENT:
            student = line.guardian_of
            in_file = student in users or spec_ref(f"puser:{student}") in plan.broken
            plan.roles.append(
                RoleSpec(
                    entity="guardians",
                    where=where,
                    role=Role.PARENT,
                    user=user,
                    subject=spec_ref(f"puser:{student}") if in_file else f"user:{student}",
                    user_column="username",
                    subject_column="guardian_of",
                    implied=True,
                )
            )
            continue
        school = f"code:{line.school_code}"
        klass: str | None = None
        if line.class_name and line.grade is not None:
            key = f"pclass:{line.school_code}:{line.grade}:{line.class_name}"
            if key not in classes:
                classes[key] = UnitSpec(
                    key=key,
                    kind=UnitKind.CLASS,
                    where=where,
                    entity="classes",
                    name=line.class_name,
                    parent=school,
                    parent_column="school_code",
                    grade_level=line.grade,
                    natural=True,
                )
            klass = spec_ref(key)
        if line.role == Role.STUDENT or (line.role in TEACHING and klass):
            plan.roles.append(
                RoleSpec(
                    entity="enrollments",
                    where=where,
                    role=line.role,
                    user=user,
                    unit=klass,
                    user_column="username",
                    unit_column="class_name",
                    implied=True,
                )
            )
        if line.role != Role.STUDENT:
            plan.roles.append(
                RoleSpec(
                    entity="roles",
                    where=where,
                    role=line.role,
                    user=user,
                    unit=school,
                    user_column="username",
                    unit_column="school_code",
                    implied=True,
                )
            )
    plan.units = list(classes.values())
    # Guardian links after the class roles, so that their checks see the students' classes.
    plan.roles.sort(key=lambda r: r.entity == "guardians")
    return plan


def _line(row: Row, report: Report) -> _Line | None:
    role = values.enum(report, row, "role", ROLES)
    school_code = values.text(report, row, "school_code", required=False, limit=64)
    class_name = values.text(report, row, "class_name", required=False, limit=200)
    guardian_of = values.username(report, row, "guardian_of", required=role == Role.PARENT)
    if role is None or school_code is None or class_name is None or guardian_of is None:
        return None
    where = {"file": row.file, "line": row.line}
    ok = True
    if role != Role.PARENT and not school_code:
        report.error(errors.REQUIRED, column="school_code", **where)
        ok = False
    level = values.grade(row.get("grade")) if row.get("grade") else None
    if row.get("grade") and level is None:
        report.error(errors.BAD_GRADE, column="grade", value=row.get("grade"), **where)
        ok = False
    needs_class = role == Role.STUDENT or (role in TEACHING and (class_name or row.get("grade")))
    if needs_class:
        if not row.get("grade"):
            report.error(errors.BAD_GRADE, column="grade", **where)
            ok = False
        if not class_name:
            report.error(errors.REQUIRED, column="class_name", **where)
            ok = False
    if not ok:
        return None
    return _Line(
        row=row,
        role=role,
        username=row.get("username"),
        school_code=school_code,
        grade=level,
        class_name=class_name,
        guardian_of=guardian_of,
    )
