"""Importing the plain roster CSV (role,username,full_name,school_code,grade,class_name,
guardian_of,email,phone)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment
from tongke.roster.enums import ImportKind, ImportStatus
from tongke.roster.services import roster_import
from tongke.roster.tests.builders import PLAIN, csv_bytes, errors_of, snapshot, write_csv

pytestmark = pytest.mark.django_db


def _rows() -> list[list[str]]:
    return [list(r) for r in PLAIN]


def _import(rows, tmp_path, actor, target="BJ-HD", **kwargs):
    path = write_csv(rows, tmp_path / "roster.csv")
    return roster_import(
        actor=actor,
        path=path,
        file_name="roster.csv",
        target=OrgUnit.objects.get(code=target),
        **kwargs,
    )


def _roles_of(username):
    return set(
        RoleAssignment.objects.filter(user__username=username).values_list(
            "role", "unit__name", "subject__username"
        )
    )


def test_a_good_plain_csv_places_people_in_existing_and_new_classes(tmp_path, user_named):
    # Given a plain CSV for Haidian's first school, naming one existing and one new class
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    classes_before = OrgUnit.objects.filter(
        kind=UnitKind.CLASS, path__startswith=school.path
    ).count()

    # When Haidian's admin imports it
    record = _import(_rows(), tmp_path, user_named("hd_admin"))

    # Then it is accepted; one class was created (under the existing grade 3)
    assert record.status == ImportStatus.OK, record.problems
    assert record.kind == ImportKind.PLAIN_CSV
    assert (
        OrgUnit.objects.filter(kind=UnitKind.CLASS, path__startswith=school.path).count()
        == classes_before + 1
    )
    new_class = OrgUnit.objects.get(name="三年级（9）班", path__startswith=school.path)
    assert OrgUnit.objects.get_parent(new_class).grade_level == 3
    assert record.counts["classes"] == {"created": 1, "updated": 0, "unchanged": 1, "removed": 0}
    assert "grades" not in record.counts

    # And people have their roles, the teacher at the school and at the class
    assert _roles_of("pstu01") == {(Role.STUDENT, "三年级（1）班", None)}
    assert _roles_of("pstu02") == {(Role.STUDENT, "三年级（9）班", None)}
    assert _roles_of("ptea01") == {
        (Role.TEACHER, "三年级（9）班", None),
        (Role.TEACHER, school.name, None),
    }
    assert _roles_of("ppar01") == {(Role.PARENT, None, "pstu01")}
    teacher = get_user_model().objects.get(username="ptea01")
    assert (teacher.full_name, teacher.email, teacher.external_id) == (
        "孙老师",
        "sun@example.cn",
        None,
    )
    assert get_user_model().objects.get(username="ppar01").phone == "13800000000"


def test_the_same_plain_csv_twice_changes_nothing(tmp_path, user_named):
    # Given a plain CSV imported once
    actor = user_named("hd_admin")
    assert _import(_rows(), tmp_path, actor).status == ImportStatus.OK
    before = snapshot()

    # When it is imported again
    record = _import(_rows(), tmp_path, actor)

    # Then nothing changed
    assert record.status == ImportStatus.OK
    assert snapshot() == before
    assert all(c["created"] == c["updated"] == 0 for c in record.counts.values())


def test_a_school_admin_imports_into_their_school(tmp_path, user_named):
    # When the admin of BJ-HD-S01 imports the CSV into their school
    record = _import(_rows(), tmp_path, user_named("school_admin_01"), target="BJ-HD-S01")

    # Then it is accepted
    assert record.status == ImportStatus.OK, record.problems
    assert _roles_of("ppar01") == {(Role.PARENT, None, "pstu01")}


def test_an_existing_person_gets_a_new_role_and_name(tmp_path, user_named):
    # Given the demo teacher t0001 (of BJ-HD-S01), renamed in the file and given a new class
    rows = [
        _rows()[0],
        ["teacher", "t0001", "新名字", "BJ-HD-S01", "4", "四年级（1）班", "", "", ""],
    ]

    # When Haidian's admin imports it
    record = _import(rows, tmp_path, user_named("hd_admin"))

    # Then the same person was updated, not duplicated
    assert record.status == ImportStatus.OK, record.problems
    assert record.counts["users"] == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}
    assert user_named("t0001").full_name == "新名字"
    assert (Role.TEACHER, "四年级（1）班", None) in _roles_of("t0001")


def _tj_student() -> str:
    found = (
        RoleAssignment.objects.filter(role=Role.STUDENT, unit__code__startswith="TJ")
        .select_related("user")
        .first()
    )
    assert found is not None
    return found.user.username


def _row(**cells: str) -> list[str]:
    return [cells.get(c, "") for c in PLAIN[0]]


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda rows: rows[0].__setitem__(2, "fullname"), (1, "fullname", "roster.unknown_column")),
        (
            lambda rows: rows[0].__setitem__(2, "fullname"),
            (1, "full_name", "roster.missing_column"),
        ),
        (
            lambda rows: rows[1].__setitem__(3, "BJ-NOPE"),
            (2, "school_code", "roster.unknown_school"),
        ),
        (
            lambda rows: rows[1].__setitem__(3, "TJ-HP-S14"),
            (2, "school_code", "roster.unknown_school"),
        ),
        (lambda rows: rows[1].__setitem__(5, ""), (2, "class_name", "roster.required")),
        (lambda rows: rows[1].__setitem__(4, "七"), (2, "grade", "roster.bad_grade")),
        (lambda rows: rows[1].__setitem__(0, "wizard"), (2, "role", "roster.bad_value")),
        (
            lambda rows: rows[1].__setitem__(2, "=cmd|'/c calc'!A1"),
            (2, "full_name", "roster.formula"),
        ),
        (lambda rows: rows[1].__setitem__(2, "@SUM(A1)"), (2, "full_name", "roster.formula")),
        (
            lambda rows: rows[4].__setitem__(2, "别的名字"),
            (5, "full_name", "roster.conflicting_rows"),
        ),
        (
            lambda rows: rows[5].__setitem__(6, "nobody_here"),
            (6, "guardian_of", "roster.unknown_reference"),
        ),
        (
            lambda rows: rows.append(
                _row(role="school_admin", username="sa_x", full_name="甲", school_code="BJ-HD-S01")
            ),
            (7, "school_code", "roster.forbidden"),
        ),
        (
            lambda rows: rows.append(
                _row(role="parent", username="px", full_name="乙", guardian_of=_tj_student())
            ),
            (7, "guardian_of", "roster.forbidden"),
        ),
        (
            lambda rows: rows.append(
                _row(
                    role="student",
                    username="admin",
                    full_name="丙",
                    school_code="BJ-HD-S01",
                    grade="3",
                    class_name="三年级（1）班",
                )
            ),
            (7, "username", "roster.forbidden"),
        ),
        (lambda rows: rows.append(["student", "x"]), (7, "", "roster.row_length")),
    ],
    ids=[
        "unknown column",
        "missing column",
        "unknown school",
        "school of another region",
        "student without class",
        "bad grade",
        "bad role",
        "formula =",
        "formula @",
        "conflicting rows",
        "unknown guardian_of",
        "school admin by school admin",
        "parent of a child elsewhere",
        "superuser as student",
        "short row",
    ],
)
def test_a_bad_plain_csv_is_rejected_whole(tmp_path, user_named, change, expected):
    # Given the good plain CSV with one thing wrong
    rows = _rows()
    change(rows)
    before = snapshot()

    # When the admin of its school imports it into the school
    record = _import(rows, tmp_path, user_named("school_admin_01"), target="BJ-HD-S01")

    # Then it is rejected, nothing changed, and the report names the line and column
    assert record.status == ImportStatus.REJECTED
    assert snapshot() == before
    places = [(p["line"], p["column"], p["code"]) for p in errors_of(record)]
    assert expected in places, places


def test_a_single_oneroster_file_is_recognised(tmp_path, user_named):
    # Given one users.csv of a OneRoster bundle, uploaded as if it were a plain CSV
    rows = [["sourcedId", "username", "givenName", "familyName"], ["u1", "x", "明", "王"]]

    # When it is imported
    record = _import(rows, tmp_path, user_named("hd_admin"))

    # Then the report says to upload the whole bundle
    assert "roster.oneroster_file" in {p["code"] for p in errors_of(record)}


def test_a_plain_csv_with_gbk_text_is_refused_as_not_utf8(tmp_path, user_named):
    # Given a plain CSV saved in GBK (a common spreadsheet default)
    data = csv_bytes(_rows()).decode("utf-8").encode("gbk")

    # When it is imported
    record = _import(data, tmp_path, user_named("hd_admin"))

    # Then it is refused at the first line with non-UTF-8 bytes
    assert [(p["line"], p["code"]) for p in errors_of(record)] == [(2, "roster.bad_utf8")]
