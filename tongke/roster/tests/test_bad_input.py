"""A bad file changes nothing: every problem is reported with its file, line, column and a
stable code, and not one row of a file with a problem is written."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from tongke.orgs.models import OrgUnit
from tongke.roster.enums import ImportStatus
from tongke.roster.services import roster_import
from tongke.roster.tests.builders import bundle, csv_bytes, errors_of, snapshot, write_zip

pytestmark = pytest.mark.django_db

Files = dict[str, Any]


def _run(files: Files, tmp_path, actor, *, target: str = "BJ", **kwargs: Any):
    path = write_zip(files, tmp_path / "bundle.zip")
    return roster_import(
        actor=actor,
        path=path,
        file_name="bundle.zip",
        target=OrgUnit.objects.get(code=target),
        **kwargs,
    )


def _drop(name: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        del files[name]

    return change


def _set(name: str, row: int, col: int, value: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files[name][row][col] = value

    return change


def _append(name: str, row: list[str]) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files[name].append(row)

    return change


def _bad_utf8(files: Files) -> None:
    files["users.csv"] = csv_bytes(files["users.csv"]).replace("小红".encode(), b"\xff\xfe")


def _no_roles(files: Files) -> None:
    del files["roles.csv"]


def _orgs_loop(files: Files) -> None:
    files["orgs.csv"][2][6] = "org-s2"
    files["orgs.csv"].append(["org-s2", "", "", "环", "district", "LOOP", "org-test", "", ""])


def _no_child(files: Files) -> None:
    files["users.csv"][2][13] = files["users.csv"][4][13] = ""


def _short_row(files: Files) -> None:
    files["enrollments.csv"].append(["e-9", "", "", "cls-3a"])


# (name, change, (file, line, column, code)) — the problem that must be reported.
CASES: list[tuple[str, Callable[[Files], None], tuple[str, int | None, str, str]]] = [
    (
        "missing enrollments.csv",
        _drop("enrollments.csv"),
        ("bundle.zip", None, "", "roster.missing_file"),
    ),
    ("missing orgs.csv", _drop("orgs.csv"), ("bundle.zip", None, "", "roster.missing_file")),
    ("no roles anywhere", _no_roles, ("users.csv", 1, "role", "roster.missing_roles")),
    (
        "header typo",
        _set("users.csv", 0, 4, "usernme"),
        ("users.csv", 1, "username", "roster.missing_column"),
    ),
    (
        "missing grades column",
        _set("classes.csv", 0, 4, "grade"),
        ("classes.csv", 1, "grades", "roster.missing_column"),
    ),
    (
        "duplicate column",
        _set("orgs.csv", 0, 5, "name"),
        ("orgs.csv", 1, "name", "roster.duplicate_column"),
    ),
    (
        "duplicate sourcedId",
        _set("users.csv", 3, 0, "u-s1"),
        ("users.csv", 4, "sourcedId", "roster.duplicate_id"),
    ),
    (
        "same id in roles.csv and enrollments.csv",
        _set("enrollments.csv", 1, 0, "r-t1"),
        ("enrollments.csv", 2, "sourcedId", "roster.duplicate_id"),
    ),
    (
        "duplicate username",
        _set("users.csv", 3, 4, "stest01"),
        ("users.csv", 4, "username", "roster.duplicate_value"),
    ),
    (
        "enrollment to a missing class",
        _append("enrollments.csv", ["e-9", "", "", "cls-nope", "", "u-s1", "student", "", "", ""]),
        ("enrollments.csv", 5, "classSourcedId", "roster.unknown_reference"),
    ),
    (
        "enrollment of a missing user",
        _append("enrollments.csv", ["e-9", "", "", "cls-3a", "", "u-nope", "student", "", "", ""]),
        ("enrollments.csv", 5, "userSourcedId", "roster.unknown_reference"),
    ),
    (
        "class of a missing school",
        _set("classes.csv", 1, 9, "org-nope"),
        ("classes.csv", 2, "schoolSourcedId", "roster.unknown_reference"),
    ),
    (
        "role at a missing org",
        _set("roles.csv", 1, 8, "org-nope"),
        ("roles.csv", 2, "orgSourcedId", "roster.unknown_reference"),
    ),
    (
        "guardian of a missing student",
        _set("users.csv", 4, 13, "u-nope"),
        ("users.csv", 5, "agentSourcedIds", "roster.unknown_reference"),
    ),
    (
        "bad enrollment role",
        _set("enrollments.csv", 1, 6, "studnet"),
        ("enrollments.csv", 2, "role", "roster.bad_value"),
    ),
    ("bad org type", _set("orgs.csv", 3, 4, "skool"), ("orgs.csv", 4, "type", "roster.bad_value")),
    (
        "bad person role",
        _set("roles.csv", 1, 5, "wizard"),
        ("roles.csv", 2, "role", "roster.bad_value"),
    ),
    (
        "bad status",
        _set("users.csv", 1, 1, "deleted"),
        ("users.csv", 2, "status", "roster.bad_value"),
    ),
    (
        "bad school type",
        _set("orgs.csv", 3, 7, "castle"),
        ("orgs.csv", 4, "tongke_school_type", "roster.bad_value"),
    ),
    (
        "bad enabledUser",
        _set("users.csv", 1, 3, "maybe"),
        ("users.csv", 2, "enabledUser", "roster.bad_value"),
    ),
    (
        "bad manifest version",
        _set("manifest.csv", 2, 1, "9.9"),
        ("manifest.csv", 3, "value", "roster.bad_version"),
    ),
    (
        "formula with =",
        _set("users.csv", 2, 6, '=HYPERLINK("http://evil.example","x")'),
        ("users.csv", 3, "givenName", "roster.formula"),
    ),
    (
        "formula with +",
        _set("orgs.csv", 3, 3, "+cmd|' /C calc'!A0"),
        ("orgs.csv", 4, "name", "roster.formula"),
    ),
    (
        "formula with @",
        _set("classes.csv", 1, 3, "@SUM(1+1)"),
        ("classes.csv", 2, "title", "roster.formula"),
    ),
    (
        "formula in an email",
        _set("users.csv", 1, 10, "=1+1@example.cn"),
        ("users.csv", 2, "email", "roster.formula"),
    ),
    (
        "tab in a name",
        _set("users.csv", 2, 7, "\t王"),
        ("users.csv", 3, "familyName", "roster.control_char"),
    ),
    (
        "carriage return in a name",
        _set("users.csv", 2, 6, "小\r明"),
        ("users.csv", 3, "givenName", "roster.control_char"),
    ),
    ("bad UTF-8", _bad_utf8, ("users.csv", 4, "", "roster.bad_utf8")),
    (
        "class with a KG grade",
        _set("classes.csv", 1, 4, "KG"),
        ("classes.csv", 2, "grades", "roster.bad_grade"),
    ),
    (
        "class with no grade",
        _set("classes.csv", 2, 4, ""),
        ("classes.csv", 3, "grades", "roster.bad_grade"),
    ),
    (
        "class with grade 99",
        _set("classes.csv", 2, 4, "99"),
        ("classes.csv", 3, "grades", "roster.bad_grade"),
    ),
    (
        "bad username",
        _set("users.csv", 2, 4, "bad name!"),
        ("users.csv", 3, "username", "roster.bad_username"),
    ),
    (
        "bad email",
        _set("users.csv", 1, 10, "not-an-email"),
        ("users.csv", 2, "email", "roster.bad_email"),
    ),
    (
        "bad phone",
        _set("users.csv", 1, 12, "call me"),
        ("users.csv", 2, "phone", "roster.bad_phone"),
    ),
    ("missing name", _set("users.csv", 2, 6, ""), ("users.csv", 3, "givenName", "roster.required")),
    ("parent loop", _orgs_loop, ("orgs.csv", 3, "parentSourcedId", "roster.cycle")),
    ("short row", _short_row, ("enrollments.csv", 5, "", "roster.row_length")),
    (
        "school mismatch",
        _set("enrollments.csv", 1, 4, "org-test"),
        ("enrollments.csv", 2, "schoolSourcedId", "roster.school_mismatch"),
    ),
    (
        "class under a district",
        _set("classes.csv", 1, 9, "org-test"),
        ("classes.csv", 2, "schoolSourcedId", "roster.bad_parent"),
    ),
    (
        "teacher at a district",
        _set("roles.csv", 1, 8, "org-test"),
        ("roles.csv", 2, "orgSourcedId", "roster.role_scope"),
    ),
    (
        "code of another unit",
        _set("orgs.csv", 3, 5, "BJ-HD-S01-G03-C1"),
        ("orgs.csv", 4, "identifier", "roster.code_taken"),
    ),
    (
        "username of a superuser",
        _set("users.csv", 2, 4, "admin"),
        ("users.csv", 3, "username", "roster.username_taken"),
    ),
    (
        "enrolled in a deleted class",
        _set("classes.csv", 1, 1, "tobedeleted"),
        ("enrollments.csv", 2, "classSourcedId", "roster.reference_deleted"),
    ),
    ("guardian with no child", _no_child, ("users.csv", 5, "username", "roster.no_place")),
]


@pytest.mark.parametrize(
    "change,expected", [(c, e) for _n, c, e in CASES], ids=[n for n, _c, _e in CASES]
)
def test_a_bad_bundle_is_rejected_whole_and_the_report_names_the_place(
    tmp_path, user_named, change, expected
):
    # Given the good bundle with one thing wrong
    files = bundle()
    change(files)
    before = snapshot()

    # When Beijing's admin imports it
    record = _run(files, tmp_path, user_named("bj_admin"))

    # Then it is rejected, nothing was written, and the report names the problem and place
    assert record.status == ImportStatus.REJECTED
    assert snapshot() == before
    file, line, column, code = expected
    places = [(p["file"], p["line"], p["column"], p["code"]) for p in errors_of(record)]
    assert (file, line, column, code) in places, places
    assert all(p["message"] and p["code"].startswith("roster.") for p in record.problems)


def test_every_problem_is_reported_not_just_the_first(tmp_path, user_named):
    # Given a bundle with a formula, a missing class and a bad grade in different files
    files = bundle()
    files["users.csv"][2][6] = "=1+1"
    files["enrollments.csv"].append(["e-9", "", "", "cls-nope", "", "u-s1", "student", "", "", ""])
    files["classes.csv"][2][4] = "KG"

    # When it is imported
    record = _run(files, tmp_path, user_named("bj_admin"))

    # Then all three are in the report, and nothing that only follows from them
    found = {(p["file"], p["code"]) for p in errors_of(record)}
    assert found == {
        ("users.csv", "roster.formula"),
        ("enrollments.csv", "roster.unknown_reference"),
        ("classes.csv", "roster.bad_grade"),
    }


def test_a_guardian_with_no_child_may_be_created_by_a_superuser(tmp_path, user_named):
    # Given a guardian without a linked child (a person with no place in the tree)
    files = bundle()
    files["users.csv"][4][13] = ""
    files["users.csv"][2][13] = ""

    # When the platform's superuser imports it, it is accepted (Beijing's admin is refused)
    assert _run(files, tmp_path, user_named("bj_admin")).status == ImportStatus.REJECTED
    assert _run(files, tmp_path, user_named("admin")).status == ImportStatus.OK


def test_a_file_over_the_limit_is_refused_unread(tmp_path, user_named, settings):
    # Given a limit smaller than the bundle
    settings.TONGKE_ROSTER_MAX_BYTES = 500
    before = snapshot()

    # When it is imported
    record = _run(bundle(), tmp_path, user_named("bj_admin"))

    # Then it is refused as too large
    assert [p["code"] for p in errors_of(record)] == ["roster.too_large"]
    assert snapshot() == before


def _zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buf.getvalue()


def _good_entries() -> list[tuple[str, bytes]]:
    return [(name, csv_bytes(rows)) for name, rows in bundle().items()]


def _import_bytes(data: bytes, tmp_path, actor, name: str = "bundle.zip"):
    path = tmp_path / name
    path.write_bytes(data)
    return roster_import(
        actor=actor, path=path, file_name=name, target=OrgUnit.objects.get(code="BJ")
    )


@pytest.mark.parametrize(
    "entries,code",
    [
        ([*_good_entries(), ("../orgs.csv", b"x")], "roster.unsafe_path"),
        ([*_good_entries(), ("/etc/passwd", b"x")], "roster.unsafe_path"),
        ([*_good_entries(), ("C:/windows/users.csv", b"x")], "roster.unsafe_path"),
        ([*_good_entries(), ("a/../../users.csv", b"x")], "roster.unsafe_path"),
        (
            [*_good_entries(), *[(f"junk/{i}.txt", b"x") for i in range(70)]],
            "roster.too_many_entries",
        ),
        ([*_good_entries(), ("other/users.csv", b"x")], "roster.duplicate_file"),
        (
            [(n, d) for n, d in _good_entries() if n != "users.csv"]
            + [("users.csv", b"sourcedId,username\r\n" + b"\r\n" * 3_000_000)],
            "roster.zip_bomb",
        ),
    ],
    ids=["dotdot", "absolute", "drive", "nested dotdot", "too many", "twice", "bomb"],
)
def test_an_unsafe_zip_is_refused(tmp_path, user_named, entries, code):
    # Given a zip with an unsafe entry
    before = snapshot()

    # When it is imported
    record = _import_bytes(_zip_bytes(entries), tmp_path, user_named("bj_admin"))

    # Then it is refused with the reason and nothing changed
    assert record.status == ImportStatus.REJECTED
    assert code in {p["code"] for p in errors_of(record)}
    assert snapshot() == before


def test_a_zip_unpacking_past_the_limit_is_refused(tmp_path, user_named, settings):
    # Given a zip that is small but declares more unpacked bytes than the limit
    padded = [(n, d + b"\r\n" * 5000 if n == "users.csv" else d) for n, d in _good_entries()]
    data = _zip_bytes(padded)
    settings.TONGKE_ROSTER_MAX_BYTES = len(data) + 10

    # When it is imported
    record = _import_bytes(data, tmp_path, user_named("bj_admin"))

    # Then it is refused as a zip bomb
    assert "roster.zip_bomb" in {p["code"] for p in errors_of(record)}


def test_a_corrupt_zip_is_refused(tmp_path, user_named):
    record = _import_bytes(b"PK\x03\x04" + b"\x00garbage" * 50, tmp_path, user_named("bj_admin"))
    assert [p["code"] for p in errors_of(record)] == ["roster.bad_zip"]


def test_a_file_with_a_bom_and_crlf_is_fine(tmp_path, user_named):
    # Given a bundle whose files start with a UTF-8 byte-order mark
    files = {name: b"\xef\xbb\xbf" + csv_bytes(rows) for name, rows in bundle().items()}

    # When it is imported, it is accepted
    record = _run(files, tmp_path, user_named("bj_admin"))
    assert record.status == ImportStatus.OK, record.problems
