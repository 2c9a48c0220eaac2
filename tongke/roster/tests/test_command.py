"""``tongke import-roster``: prints the report, exits non-zero on rejection."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongke.orgs.models import OrgUnit
from tongke.roster.models import RosterImport
from tongke.roster.tests.builders import PLAIN, bundle, snapshot, write_csv, write_folder, write_zip

pytestmark = pytest.mark.django_db


def _call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_folder_and_prints_the_counts(tmp_path):
    # Given a bundle folder
    path = write_folder(bundle(), tmp_path / "bundle")

    # When Beijing's admin imports it from the command line
    out, _err = _call(str(path), "--region", "BJ", "--as", "bj_admin")

    # Then it says what it did
    assert "into 北京市 as bj_admin: ok" in out
    assert "users" in out and "created     5" in out
    assert OrgUnit.objects.filter(external_id="org-s1").exists()
    assert RosterImport.objects.latest("id").actor_label == "bj_admin"


def test_the_command_acts_as_a_superuser_by_default(tmp_path):
    path = write_csv(PLAIN, tmp_path / "roster.csv")
    out, _err = _call(str(path), "--region", "BJ-HD")
    assert "as admin: ok" in out


def test_a_rejected_import_prints_every_problem_and_exits_non_zero(tmp_path):
    # Given a bundle with a formula and an enrollment to a missing class
    files = bundle()
    files["users.csv"][2][6] = "=1+1"
    files["enrollments.csv"].append(["e-9", "", "", "cls-nope", "", "u-s1", "student", "", "", ""])
    path = write_zip(files, tmp_path / "bad.zip")
    before = snapshot()
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "report.csv"

    # When it is imported
    with pytest.raises(CommandError, match="rejected"):
        call_command(
            "import_roster",
            str(path),
            "--region",
            "BJ",
            "--report",
            str(report),
            stdout=out,
            stderr=err,
        )

    # Then the problems are printed with file, line, column and code, and nothing changed
    assert "users.csv:3 [givenName] roster.formula" in err.getvalue()
    assert "enrollments.csv:5 [classSourcedId] roster.unknown_reference" in err.getvalue()
    assert snapshot() == before
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert {r["code"] for r in rows} >= {"roster.formula", "roster.unknown_reference"}
    assert next(r for r in rows if r["code"] == "roster.formula")["value"] == "'=1+1"


def test_a_dry_run_writes_nothing(tmp_path):
    path = write_zip(bundle(), tmp_path / "bundle.zip")
    before = snapshot()
    out, _err = _call(str(path), "--region", "BJ", "--dry-run")
    assert "ok (dry run)" in out
    assert snapshot() == before


@pytest.mark.parametrize(
    "args,message",
    [
        (["--region", "NOPE"], "No region or school"),
        (["--region", "BJ", "--as", "nobody"], "No active user"),
        (["--region", "BJ", "--as", "hd_admin"], "roster.forbidden"),
        (["--region", "BJ", "--as", "t0001"], "roster.forbidden"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, args, message):
    path = write_zip(bundle(), tmp_path / "bundle.zip")
    with pytest.raises(CommandError, match=message):
        _call(str(path), *args)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        _call(str(tmp_path / "nope.zip"), "--region", "BJ")
