"""The roster import page: who may use it, uploading, the report and its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongke.orgs.models import OrgUnit
from tongke.roster.enums import ImportStatus
from tongke.roster.models import RosterImport
from tongke.roster.report import report_csv, spreadsheet_safe
from tongke.roster.tests.builders import PLAIN, bundle, csv_bytes, snapshot, write_zip

pytestmark = pytest.mark.django_db


def _zip(tmp_path, files=None) -> SimpleUploadedFile:
    path = write_zip(files or bundle(), tmp_path / "bundle.zip")
    return SimpleUploadedFile("bundle.zip", path.read_bytes(), content_type="application/zip")


def _post(client, upload, code="BJ", **extra):
    data = {"file": upload, "target": OrgUnit.objects.get(code=code).pk, **extra}
    return client.post("/roster/", data)


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    response = client_for(None).get("/roster/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("username", ["t0001", "s00001", "p00001"])
def test_people_who_administer_nothing_get_403(client_for, username):
    assert client_for(username).get("/roster/").status_code == 403


def test_the_page_offers_the_admins_regions_and_schools(client_for):
    # When Haidian's admin opens the page
    html = client_for("hd_admin").get("/roster/").content.decode()

    # Then it offers Haidian and its schools, not Beijing or Hebei
    haidian = OrgUnit.objects.get(code="BJ-HD")
    assert f'value="{haidian.pk}"' in html
    assert "BJ-HD-S01" in html
    assert f'value="{OrgUnit.objects.get(code="BJ").pk}"' not in html
    assert "HE-ZJK" not in html
    assert 'enctype="multipart/form-data"' in html
    assert "<script" not in html and 'style="' not in html


def test_uploading_a_good_zip_imports_it_and_shows_the_counts(client_for, tmp_path):
    # Given Beijing's admin
    client = client_for("bj_admin")

    # When they upload the good bundle into Beijing
    response = _post(client, _zip(tmp_path))

    # Then they land on the import's page, which shows what changed
    assert response.status_code == 302
    record = RosterImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert record.status == ImportStatus.OK
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="import-counts"' in html
    assert OrgUnit.objects.filter(external_id="org-s1").exists()

    # And the import is listed on the upload page
    assert "bundle.zip" in client.get("/roster/").content.decode()


def test_a_dry_run_from_the_page_changes_nothing(client_for, tmp_path):
    client = client_for("bj_admin")
    before = snapshot()
    response = _post(client, _zip(tmp_path), dry_run="on")
    record = RosterImport.objects.latest("id")
    assert response.status_code == 302 and record.dry_run and record.status == ImportStatus.OK
    assert snapshot() == before  # no unit, person, role or audit event


def test_a_bad_upload_shows_the_report_with_lines_and_a_safe_csv(client_for, tmp_path):
    # Given a bundle with a formula in a name
    files = bundle()
    files["users.csv"][2][6] = '=HYPERLINK("http://evil.example","x")'
    client = client_for("bj_admin")
    before = snapshot()

    # When it is uploaded
    response = _post(client, _zip(tmp_path, files))

    # Then nothing changed and the page lists the problem with its place and code
    assert snapshot() == before
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-report"' in page
    assert "users.csv" in page and "givenName" in page and "roster.formula" in page
    assert '<td class="num">3</td>' in page
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in page  # shown escaped

    # And the CSV report escapes the formula so spreadsheets show it as text
    record = RosterImport.objects.latest("id")
    download = client.get(f"/roster/imports/{record.pk}/report.csv")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    formula = next(r for r in rows if r["code"] == "roster.formula")
    assert (formula["file"], formula["line"], formula["column"]) == ("users.csv", "3", "givenName")
    assert formula["value"].startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_a_plain_csv_can_be_uploaded(client_for):
    client = client_for("hd_admin")
    upload = SimpleUploadedFile("roster.csv", csv_bytes(PLAIN), content_type="text/csv")
    response = _post(client, upload, code="BJ-HD")
    assert response.status_code == 302
    assert RosterImport.objects.latest("id").status == ImportStatus.OK


def test_a_target_outside_the_admins_scope_is_refused(client_for, tmp_path):
    # When Haidian's admin posts an import into Beijing
    response = _post(client_for("hd_admin"), _zip(tmp_path), code="BJ")

    # Then the form refuses the choice and nothing is recorded
    assert response.status_code == 400
    assert not RosterImport.objects.exists()


def test_an_upload_over_the_limit_is_dropped_and_reported(client_for, tmp_path, settings):
    # Given a limit smaller than the bundle
    settings.TONGKE_ROSTER_MAX_BYTES = 300
    client = client_for("bj_admin")

    # When the bundle is uploaded
    response = _post(client, _zip(tmp_path))

    # Then the import is recorded as rejected for its size
    record = RosterImport.objects.latest("id")
    assert response.status_code == 302
    assert record.status == ImportStatus.REJECTED
    assert [p["code"] for p in record.problems] == ["roster.too_large"]


def test_a_request_far_over_the_limit_is_refused_before_reading(client_for, tmp_path, settings):
    settings.TONGKE_ROSTER_MAX_BYTES = 10
    client = client_for("bj_admin")
    big = SimpleUploadedFile("big.zip", b"PK\x03\x04" + b"x" * 100_000)
    response = _post(client, big)
    assert response.status_code == 413
    assert not RosterImport.objects.exists()


def test_imports_are_visible_only_inside_the_admins_scope(client_for, tmp_path):
    # Given an import into Beijing by Beijing's admin
    response = _post(client_for("bj_admin"), _zip(tmp_path))
    url = response["Location"]
    record = RosterImport.objects.latest("id")

    # Then Haidian's admin neither sees it listed nor opens it, nor its report
    hd = client_for("hd_admin")
    assert hd.get(url).status_code == 404
    assert hd.get(f"/roster/imports/{record.pk}/report.csv").status_code == 404
    assert url not in hd.get("/roster/").content.decode()
    # And the platform's superuser does
    assert client_for("admin").get(url).status_code == 200


def test_the_upload_needs_a_csrf_token(user_named, tmp_path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_named("bj_admin"))
    response = _post(client, _zip(tmp_path))
    assert response.status_code == 403
    assert not RosterImport.objects.exists()


def test_report_cells_that_spreadsheets_would_run_are_escaped():
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("王小明") == "王小明"
    text = report_csv([{"severity": "error", "code": "roster.formula", "value": "=cmd"}])
    assert "'=cmd" in text and text.startswith("severity,code,file,line,column,value,message")
