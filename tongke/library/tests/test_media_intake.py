"""Taking uploads in (LIB-3, SEC-4): the byte limit while streaming, file names, the type by
content whatever the name says, zip bombs and unsafe archive members, hashing."""

from __future__ import annotations

import hashlib
import io
import stat
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory, override_settings
from PIL import Image

from tongke.core.errors import Invalid, TooLarge
from tongke.library.media import ffmpeg, intake
from tongke.library.media.intake import (
    LimitedUploadHandler,
    check_archive,
    check_filename,
    raise_if_upload_too_large,
    safe_filename,
    sha256_of,
    sniff,
    upload_limit_hit,
)

# --- The upload handler -------------------------------------------------------------------


def _upload_request(
    payload: bytes, name: str = "lesson.mp4"
) -> tuple[WSGIRequest, LimitedUploadHandler]:
    request = RequestFactory().post(
        "/library/upload", {"title": "t", "file": SimpleUploadedFile(name, payload)}
    )
    handler = LimitedUploadHandler(request)
    request.upload_handlers = [handler]
    return request, handler


@override_settings(TONGKE_UPLOAD_LIMIT_BYTES=100_000)
def test_upload_within_the_limit_streams_to_a_temporary_file() -> None:
    # given a 50 kB upload under a 100 kB limit
    payload = bytes(range(256)) * 200
    request, handler = _upload_request(payload)

    # when the view reads the files
    uploaded = request.FILES["file"]

    # then the file is on disk (not in memory), whole, and the limit was not hit
    assert isinstance(uploaded, TemporaryUploadedFile)
    assert Path(uploaded.temporary_file_path()).read_bytes() == payload
    assert not handler.limit_hit
    assert not upload_limit_hit(request)
    raise_if_upload_too_large(request)


@override_settings(TONGKE_UPLOAD_LIMIT_BYTES=100_000)
def test_upload_over_the_limit_is_cut_short_and_leaves_nothing() -> None:
    # given a 1 MB upload under a 100 kB limit (small enough to be streamed, not refused early)
    payload = b"\x00" * 1_000_000
    request, handler = _upload_request(payload)

    # when the view reads the files
    files = request.FILES

    # then the upload stopped soon after the limit, no file came through, the temporary file is
    # gone, and the view can answer 413 library.too_large
    assert handler.limit_hit
    assert upload_limit_hit(request)
    assert "file" not in files
    assert handler.received_bytes < 100_000 + 2 * handler.chunk_size
    assert not Path(handler.file.temporary_file_path()).exists()
    assert request.POST["title"] == "t"
    with pytest.raises(TooLarge) as caught:
        raise_if_upload_too_large(request)
    assert caught.value.status == 413
    assert caught.value.code == "library.too_large"
    assert caught.value.detail == {"limit_bytes": 100_000}
    assert "97.7" in str(caught.value.message)  # 100 000 bytes, said in KB


@override_settings(TONGKE_UPLOAD_LIMIT_BYTES=1000)
def test_upload_whose_content_length_is_far_over_the_limit_is_refused_unread() -> None:
    # given a body whose Content-Length alone exceeds the limit plus the framing slack
    request, handler = _upload_request(b"x" * (intake.FRAMING_SLACK_BYTES + 10_000))

    # when the view reads the files
    files = request.FILES

    # then no byte of the file was written, and the fields before it were still read (the
    # CSRF token of a real form is one)
    assert handler.limit_hit
    assert not files
    assert handler.received_bytes == 0
    assert not hasattr(handler, "file")
    assert request.POST["title"] == "t"


def test_upload_limit_defaults_to_512_mib_without_the_setting() -> None:
    with override_settings():
        from django.conf import settings

        if hasattr(settings, "TONGKE_UPLOAD_LIMIT_BYTES"):
            del settings.TONGKE_UPLOAD_LIMIT_BYTES
        assert LimitedUploadHandler().limit_bytes == 512 * 1024 * 1024


# --- File names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("分数的加法（第一课时）.mp4", "分数的加法（第一课时）.mp4"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\课件.pptx", "课件.pptx"),
        ("C:\\Users\\老师\\Desktop\\lesson.MP4", "lesson.mp4"),
        ("evil\x00.mp4.exe", "evil.mp4.exe"),
        ("line\nbreak\tand\x07bell.pdf", "linebreakandbell.pdf"),
        ("\u202egpj.exe", "gpj.exe"),  # right-to-left override removed
        ("\ufeff老师👩\u200d🏫.pdf", "老师👩\u200d🏫.pdf"),  # BOM removed, emoji joiner kept
        ("..", "file"),
        ("", "file"),
        ("   ", "file"),
        (".hidden", "hidden"),
        ("con.txt", "_con.txt"),
        ('what?<is>"this"|*.doc', "what__is__this___.doc"),
        ("a    b.pdf", "a b.pdf"),
    ],
)
def test_safe_filename(given: str, expected: str) -> None:
    assert safe_filename(given) == expected


def test_safe_filename_limits_length_and_keeps_the_extension() -> None:
    name = safe_filename("长" * 500 + ".pdf")
    assert len(name) == intake.MAX_FILENAME_CHARS
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("lesson\x00.mp4", "nul"),
        ("../lesson.mp4", "path_separator"),
        ("a/b.mp4", "path_separator"),
        ("a\\b.mp4", "path_separator"),
        ("bell\x07.mp4", "control_character"),
        ("exe.\u202emp4", "control_character"),
        ("..", "dots"),
        ("", "empty"),
        ("长" * 100 + ".mp4", "too_long"),
    ],
)
def test_check_filename_refuses(name: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_filename(name)
    assert caught.value.code == "library.bad_filename"
    assert caught.value.detail == {"reason": reason}


def test_check_filename_accepts_a_plain_chinese_name() -> None:
    assert check_filename("分数的加法 第1课.pptx") == "分数的加法 第1课.pptx"


# --- Type by content ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("intake") / "clip.bin"  # the name says nothing
    return ffmpeg.make_test_video(path, seconds=1, width=96, height=64)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_sniff_knows_a_real_mp4_whatever_its_name(small_mp4: Path) -> None:
    detected = sniff(small_mp4)
    assert (detected.kind, detected.mime, detected.ext) == ("video", "video/mp4", "mp4")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"This is only text, named like a video.\n" * 20, "unknown"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "unknown",
        ),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "unknown"),
        (b"#!/bin/sh\nrm -rf /\n", "unknown"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "elf"),
        (b"MZ\x90\x00" + b"\x00" * 100, "exe"),
        (b"", "empty"),
    ],
    ids=["text", "svg", "html", "script", "elf", "exe", "empty"],
)
def test_sniff_refuses_non_media_named_mp4(tmp_path: Path, data: bytes, reason: str) -> None:
    path = _write(tmp_path, "lesson.mp4", data)
    with pytest.raises(Invalid) as caught:
        sniff(path)
    assert caught.value.code == "library.unsupported_type"
    assert caught.value.detail["reason"] == reason


def test_sniff_images_pdf_audio_and_transport_streams(tmp_path: Path) -> None:
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(jpeg, "JPEG")
    wav = io.BytesIO()
    import wave

    with wave.open(wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    ts = b"".join(b"\x47" + bytes(187) for _ in range(8))
    cases = {
        "a.mp4": (png.getvalue(), ("image", "image/png", "png")),
        "b.mp4": (jpeg.getvalue(), ("image", "image/jpeg", "jpg")),
        "c.mp4": (wav.getvalue(), ("audio", "audio/wav", "wav")),
        "d.mp4": (b"%PDF-1.7\n%...", ("pdf", "application/pdf", "pdf")),
        "e.mp4": (ts, ("video", "video/mp2t", "ts")),
        "f.mp4": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(64), ("audio", "audio/mpeg", "mp3")),
    }
    for name, (data, expected) in cases.items():
        detected = sniff(_write(tmp_path, name, data))
        assert (detected.kind, detected.mime, detected.ext) == expected, name


def _zip(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"},
            ("slides", "pptx"),
        ),
        (
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"},
            ("document", "docx"),
        ),
        (
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
            ("spreadsheet", "xlsx"),
        ),
        (
            {
                "mimetype": b"application/vnd.oasis.opendocument.presentation",
                "content.xml": b"<x/>",
            },
            ("slides", "odp"),
        ),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
            ("document", "odt"),
        ),
    ],
    ids=["pptx", "docx", "xlsx", "odp", "odt"],
)
def test_sniff_office_files_by_their_members(
    tmp_path: Path, members: dict[str, bytes], expected: tuple[str, str]
) -> None:
    # given an office file built here, named as something else
    path = _zip(tmp_path, "upload.mp4", members)
    detected = sniff(path)
    assert (detected.kind, detected.ext) == expected


def test_sniff_refuses_plain_zips_and_macro_documents(tmp_path: Path) -> None:
    plain = _zip(tmp_path, "a.pptx", {"readme.txt": b"hello"})
    macros = _zip(
        tmp_path,
        "b.pptx",
        {
            "[Content_Types].xml": b"<Types/>",
            "ppt/presentation.xml": b"<p/>",
            "ppt/vbaProject.bin": b"\x00" * 10,
        },
    )
    for path, reason in ((plain, "zip"), (macros, "macros")):
        with pytest.raises(Invalid) as caught:
            sniff(path)
        assert caught.value.code == "library.unsupported_type"
        assert caught.value.detail["reason"] == reason


# --- Archives -------------------------------------------------------------------------------


def _refused(path: Path, **limits: int) -> str:
    with pytest.raises(Invalid) as caught:
        check_archive(path, **limits)
    assert caught.value.code == "library.archive_refused"
    return str(caught.value.detail["reason"])


def test_zip_bomb_by_ratio_is_refused_even_when_named_pptx(tmp_path: Path) -> None:
    # given a pptx-looking zip with one member that inflates ~1000 times (20 MB from ~20 kB)
    bomb = _zip(
        tmp_path,
        "bomb.pptx",
        {
            "[Content_Types].xml": b"<Types/>",
            "ppt/presentation.xml": b"<p/>",
            "ppt/media/blank.bin": b"\x00" * 20_000_000,
        },
    )
    assert bomb.stat().st_size < 100_000
    assert _refused(bomb) == "ratio"
    # and sniffing it refuses it too, before reading any member
    with pytest.raises(Invalid) as caught:
        sniff(bomb)
    assert caught.value.code == "library.archive_refused"


def test_zip_limits_on_total_size_and_member_count(tmp_path: Path) -> None:
    many = _zip(tmp_path, "many.zip", {f"m{i}.xml": b"<x/>" for i in range(20)})
    assert _refused(many, max_members=10) == "too_many_members"
    big = _zip(tmp_path, "big.zip", {f"m{i}.xml": bytes(range(256)) * 40 for i in range(5)})
    assert _refused(big, max_total_bytes=30_000) == "too_large"
    check_archive(many)
    check_archive(big)


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "ppt/../../evil.txt", "/etc/cron.d/evil", "..\\evil.txt", "C:/evil.txt"],
)
def test_zip_members_with_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "x.pptx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr(zipfile.ZipInfo(name), b"boom")
    assert _refused(path) == "unsafe_name"


def test_zip_member_with_nul_in_its_name_is_refused(tmp_path: Path) -> None:
    # zipfile cuts names at NUL when writing, so patch the bytes of a same-length name
    path = _zip(tmp_path, "x.docx", {"[Content_Types].xml": b"<Types/>", "wordXevil.xml": b"<x/>"})
    path.write_bytes(path.read_bytes().replace(b"wordXevil.xml", b"word\x00evil.xml"))
    assert _refused(path) == "unsafe_name"


def test_zip_links_duplicates_overlaps_and_damage_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("ppt/slide.xml")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert _refused(link) == "link"

    duplicate = tmp_path / "dup.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(duplicate, "w") as zf:
            zf.writestr("a.xml", b"1")
            zf.writestr("a.xml", b"2")
    assert _refused(duplicate) == "duplicate_name"

    # two directory entries pointing at the same data (the "overlapping files" bomb)
    overlap = _zip(tmp_path, "overlap.zip", {"a.xml": b"A" * 1000, "b.xml": b"B" * 1000})
    data = bytearray(overlap.read_bytes())
    central = [i for i in range(len(data)) if data[i : i + 4] == b"PK\x01\x02"]
    first_offset = struct.unpack_from("<I", data, central[0] + 42)[0]
    struct.pack_into("<I", data, central[1] + 42, first_offset)
    overlap.write_bytes(bytes(data))
    assert _refused(overlap) == "overlapping_members"

    damaged = _write(tmp_path, "damaged.pptx", b"PK\x03\x04" + b"\x00" * 200)
    assert _refused(damaged) == "damaged"


def test_zip_with_a_large_plausible_member_passes(tmp_path: Path) -> None:
    # given a 2 MB slide XML that compresses like real text does (well under 100 times)
    xml = "".join(f"<a:t>第{i}题 {i * 7919 % 10007}/{i % 97}</a:t>" for i in range(60_000))
    data = xml.encode()
    assert len(data) > intake.ARCHIVE_RATIO_MIN_BYTES
    path = _zip(
        tmp_path, "ok.pptx", {"[Content_Types].xml": b"<Types/>", "ppt/slides/slide1.xml": data}
    )
    assert len(data) / len(zlib.compress(data)) < intake.ARCHIVE_MAX_RATIO
    # then it is accepted
    check_archive(path)
    assert sniff(path).kind == "slides"


# --- Hashing --------------------------------------------------------------------------------


def test_sha256_of_streams_the_whole_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # larger than one chunk
    path = _write(tmp_path, "blob", data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()
