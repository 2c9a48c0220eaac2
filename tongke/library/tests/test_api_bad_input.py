"""Bad input to the library API: each answer is a 4xx with a code, nothing is half-stored,
nothing is executed (issue 3, "Bad input to try")."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path

import pytest
from django.test import override_settings

from tongke.library import processing
from tongke.library.enums import AssetStatus, VersionStatus
from tongke.library.media import ffmpeg
from tongke.library.models import MediaAsset, Resource
from tongke.library.tests.factories import ALL_TICKED, lesson, submitted

pytestmark = pytest.mark.django_db


def upload(client, name: str, data: bytes):
    buf = io.BytesIO(data)
    buf.name = name
    return client.post("/api/v1/library/uploads", {"file": buf})


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code, body


def test_an_upload_over_the_limit_is_cut_off_with_413_and_nothing_stored(client_for):
    teacher = client_for("t0001")
    before = MediaAsset.objects.count()
    with override_settings(TONGKE_UPLOAD_LIMIT_BYTES=64 * 1024):
        response = upload(teacher, "big.mp4", b"\0" * (200 * 1024))
    assert_refused(response, 413, "library.too_large")
    assert MediaAsset.objects.count() == before


def test_a_text_file_named_mp4_is_refused_by_content(client_for):
    before = MediaAsset.objects.count()
    response = upload(client_for("t0001"), "lesson.mp4", b"this is not a video\n" * 50)
    assert_refused(response, 400, "library.unsupported_type")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>'
    assert_refused(upload(client_for("t0001"), "poster.mp4", svg), 400, "library.unsupported_type")
    html = b"<!doctype html><script>alert(1)</script>"
    assert_refused(upload(client_for("t0001"), "page.pdf", html), 400, "library.unsupported_type")
    assert MediaAsset.objects.count() == before


def test_a_zip_bomb_dressed_as_slides_is_refused(client_for):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p/>")
        z.writestr("ppt/media/huge.bin", b"\0" * (40 * 1024 * 1024))
    response = upload(client_for("t0001"), "课件.pptx", buf.getvalue())
    assert_refused(response, 400, "library.archive_refused")


def test_a_zip_member_climbing_out_is_refused(client_for):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w/>")
        z.writestr("../../etc/cron.d/evil", "* * * * * root sh")
    response = upload(client_for("t0001"), "plan.docx", buf.getvalue())
    assert_refused(response, 400, "library.archive_refused")


def test_file_names_with_paths_or_nul_never_reach_storage(client_for, tmp_path: Path):
    pdf = tmp_path / "a.pdf"
    from tongke.library.media import pdf as pdfmod

    pdfmod.make_test_pdf(pdf, title="t", lines=["x"], pages=1)
    response = upload(client_for("t0001"), "../../../etc/passwd.pdf", pdf.read_bytes())
    if response.status_code == 201:
        asset = MediaAsset.objects.get(pk=response.json()["id"])
        assert "/" not in asset.original_name and ".." not in asset.original_name
        assert asset.file.name.startswith("library/originals/")
    else:
        assert_refused(response, 400, "library.bad_filename")
    nul = upload(client_for("t0001"), "bad\x00name.pdf", pdf.read_bytes())
    assert nul.status_code in (201, 400)
    if nul.status_code == 201:
        assert "\x00" not in MediaAsset.objects.get(pk=nul.json()["id"]).original_name


def test_a_truncated_video_fails_processing_with_a_reason(client_for, tmp_path: Path):
    video = tmp_path / "v.mp4"
    ffmpeg.make_test_video(video, seconds=3, width=160, height=120)
    data = video.read_bytes()
    response = upload(client_for("t0001"), "cut.mp4", data[: len(data) // 2])
    if response.status_code == 400:  # refused at the door
        assert response.json()["code"] in ("library.media_unreadable", "library.unsupported_type")
        return
    assert response.status_code == 201
    asset = processing.asset_process(response.json()["id"])
    assert asset.status == AssetStatus.FAILED
    assert asset.error_code == "library.media_unreadable"
    assert not asset.renditions.exists()


def test_a_pdf_bomb_fails_processing_without_a_preview(client_for):
    # One page whose content stream inflates to 64 MB of drawing operators.
    stream = zlib.compress(b"0 0 m 1 1 l S\n" * (64 * 1024 * 1024 // 14), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    response = upload(client_for("t0001"), "bomb.pdf", out.getvalue())
    if response.status_code == 400:
        assert response.json()["code"] == "library.pdf_refused"
        return
    assert response.status_code == 201
    asset = processing.asset_process(response.json()["id"])
    assert asset.status == AssetStatus.FAILED, asset.error_code
    assert asset.error_code == "library.pdf_refused"
    assert not asset.preview


def test_markup_in_a_title_comes_back_as_text(client_for):
    teacher = client_for("t0001")
    title = '<script>alert(1)</script><a href="javascript:alert(2)">x</a>'
    response = teacher.post(
        "/api/v1/library/resources",
        json.dumps(
            {
                "kind": "plan",
                "node_id": lesson().pk,
                "title": title,
                "description": '<svg onload="alert(3)">',
                "licence": "cc-by",
                "visibility": "school",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["title"] == title  # JSON carries text; pages escape it
    page = teacher.get(f"/library/r/{response.json()['id']}/")
    if page.status_code == 200:
        assert b"<script>alert(1)" not in page.content
        assert b"&lt;script&gt;alert(1)" in page.content


def test_a_second_reviewer_gets_409_and_a_student_cannot_reach_the_review(client_for, user_named):
    resource = submitted(user_named("t0001"))
    version = resource.versions.get()
    url = f"/api/v1/library/versions/{version.pk}/review"
    body = json.dumps({"decision": "approve", "checklist": ALL_TICKED})
    student = client_for("s00001").post(url, body, content_type="application/json")
    assert_refused(student, 404, "library.version_not_found")
    first = client_for("reviewer_bj").post(url, body, content_type="application/json")
    assert first.status_code == 200
    again = client_for("reviewer_bj").post(
        url,
        json.dumps({"decision": "return", "checklist": {}, "reasons": "late"}),
        content_type="application/json",
    )
    assert_refused(again, 409, "library.already_decided")
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


def test_wrong_shapes_are_422_and_unknown_fields_refused(client_for, user_named):
    teacher = client_for("t0001")
    for body in (
        {"kind": "hologram", "node_id": 1, "title": "x", "licence": "cc-by", "visibility": "all"},
        {"kind": "plan", "node_id": "one", "title": "x", "licence": "cc-by", "visibility": "all"},
        {"kind": "plan", "node_id": 1, "title": "x", "licence": "mine", "visibility": "all"},
        {"kind": "plan", "node_id": 1, "title": "x" * 201, "licence": "cc-by", "visibility": "all"},
        {
            "kind": "plan",
            "node_id": 1,
            "title": "x",
            "licence": "cc-by",
            "visibility": "all",
            "x": 1,
        },
    ):
        response = teacher.post(
            "/api/v1/library/resources", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422, body
    resource = submitted(user_named("t0001"))
    rating = client_for("s04000").put(
        f"/api/v1/library/resources/{resource.pk}/rating",
        json.dumps({"stars": 9}),
        content_type="application/json",
    )
    assert rating.status_code in (404, 422)  # not published yet: not visible to the student
    hostile = client_for(None).get(
        "/api/v1/library/resources", {"q": '"; DROP TABLE x; -- * OR NEAR(' * 5}
    )
    assert hostile.status_code in (200, 422)
    assert Resource.objects.exists()
