"""PDFs (LIB-3, SEC-4): page count and first-page preview of a real PDF, and refusals of PDFs
built here by hand to be hostile: a content stream that inflates past the worker's memory, a
page that takes too long to draw, an absurd page size, too many pages, encryption, not a PDF.
The worker process takes the blow; the test process stays small."""

from __future__ import annotations

import resource
import signal
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tongke.core.errors import Invalid
from tongke.library.media.pdf import make_test_pdf, pdf_info_and_preview

# --- Hand-made PDFs -------------------------------------------------------------------------


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF file from numbered object bodies (object 1 is the catalog), with a correct
    cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, flate: bool = False) -> bytes:
    extra = b" /Filter /FlateDecode" if flate else b""
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def _one_page(content: bytes, *, mediabox: bytes = b"[0 0 595 842]", flate: bool = False) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R >>" % mediabox,
            _stream(content, flate),
        ]
    )


def _repeated_flate(unit: bytes, total: int) -> tuple[bytes, int]:
    """A zlib stream that inflates to ``unit`` repeated up to ``total`` bytes, built without
    compressing all of it: one fully flushed deflate block of a 1 MiB chunk, repeated (each
    full flush resets the compressor, so every chunk encodes to the same bytes), then an empty
    final block and the Adler-32 of the whole. Returns (stream, inflated size)."""
    chunk = unit * max(1, (1 << 20) // len(unit))
    count = max(1, total // len(chunk))
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first[2:] == again  # the 2-byte zlib header, then identical blocks
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(chunk, adler)
    final_empty_block = b"\x03\x00"
    return first + again * (count - 1) + final_empty_block + adler.to_bytes(4, "big"), count * len(
        chunk
    )


def test_repeated_flate_inflates_to_what_it_says() -> None:
    data, size = _repeated_flate(b"q Q ", 5 << 20)
    assert zlib.decompress(data) == b"q Q " * (size // 4)


# --- Real PDFs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lesson_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "lesson.pdf"
    return make_test_pdf(
        path,
        title="分数的加法 Adding fractions",
        lines=["学习目标 Goals", "例题 Examples", "练习 Practice"],
        pages=2,
    )


def test_make_test_pdf_is_small_and_real(lesson_pdf: Path) -> None:
    assert lesson_pdf.read_bytes().startswith(b"%PDF-")
    assert lesson_pdf.stat().st_size < 100_000


def test_preview_of_the_first_page(lesson_pdf: Path, tmp_path: Path) -> None:
    # when a two-page A4 PDF is previewed 480 pixels wide
    dest = tmp_path / "preview.png"
    info = pdf_info_and_preview(lesson_pdf, dest, width=480)

    # then it has two pages and a PNG of A4 proportions
    assert info.pages == 2
    with Image.open(dest) as image:
        assert image.format == "PNG"
        assert image.width == 480
        assert image.height == pytest.approx(480 * 11.69 / 8.27, abs=2)
        assert (info.preview_width, info.preview_height) == image.size
        # and the page is not blank: the title's ink is there
        assert sum(image.convert("L").histogram()[:100]) > 0
    assert [p.name for p in tmp_path.iterdir()] == ["preview.png"]


def test_preview_of_a_very_tall_page_is_capped(tmp_path: Path) -> None:
    src = tmp_path / "strip.pdf"
    src.write_bytes(_one_page(b"0 0 m 100 5000 l S", mediabox=b"[0 0 100 10000]"))
    info = pdf_info_and_preview(src, tmp_path / "p.png", width=200)
    assert info.pages == 1
    assert (info.preview_width, info.preview_height) == (8, 800)  # at most 4x taller than wide


# --- Refusals -------------------------------------------------------------------------------


def _refusal(src: Path, dest: Path, **options: int | float) -> Invalid:
    with pytest.raises(Invalid) as caught:
        pdf_info_and_preview(src, dest, **options)  # type: ignore[arg-type]
    assert caught.value.code == "library.pdf_refused"
    assert not dest.exists()
    assert [p for p in dest.parent.iterdir() if p.name.endswith(".part")] == []
    return caught.value


def test_not_a_pdf_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "fake.pdf"
    src.write_bytes(b"<html><script>alert(1)</script></html>")
    assert _refusal(src, tmp_path / "p.png").detail == {"reason": "not_pdf"}
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    assert _refusal(garbage, tmp_path / "p.png").detail == {"reason": "unreadable"}


def test_absurd_page_size_is_refused(tmp_path: Path) -> None:
    # given a tiny PDF whose page is 10 million points (about 2.2 km) on a side
    src = tmp_path / "huge.pdf"
    src.write_bytes(_one_page(b"0 0 m 1 1 l S", mediabox=b"[0 0 10000000 10000000]"))
    assert src.stat().st_size < 1000
    assert _refusal(src, tmp_path / "p.png").detail == {"reason": "page_size", "page": 1}


def test_too_many_pages_are_refused(tmp_path: Path) -> None:
    # given 2001 real (empty) pages
    count = 2001
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * count
    src = tmp_path / "many.pdf"
    src.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
                *pages,
            ]
        )
    )
    refusal = _refusal(src, tmp_path / "p.png")
    assert refusal.detail == {"reason": "too_many_pages", "pages": 2001}


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "locked.pdf"
    src.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
                b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <%s> /U <%s> >>"
                % (b"11" * 32, b"22" * 32),
            ],
            trailer_extra=b"/Encrypt 4 0 R /ID [<%s> <%s>]" % (b"33" * 16, b"33" * 16),
        )
    )
    assert _refusal(src, tmp_path / "p.png").detail == {"reason": "encrypted"}


def test_flate_bomb_is_refused_without_eating_memory(tmp_path: Path) -> None:
    # given a 600 kB PDF whose page content inflates to 600 MB, and a 512 MiB worker
    content, inflated = _repeated_flate(b" ", 600 << 20)
    src = tmp_path / "bomb.pdf"
    src.write_bytes(_one_page(content, flate=True))
    assert src.stat().st_size < 1_000_000 and inflated >= 600 << 20
    memory = 512 << 20
    own_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    # when it is previewed, then it is refused: the worker ran out of its address space
    refusal = _refusal(src, tmp_path / "p.png", memory_bytes=memory)
    assert refusal.detail["reason"] == "resource_limit"
    assert refusal.detail["signal"] in (signal.SIGABRT, signal.SIGSEGV, signal.SIGKILL)

    # and this process did not grow, and the worker (if it is now the largest child) stayed
    # within its limit
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - own_peak_kib < 50 * 1024
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert after == children_peak_kib or after <= memory // 1024


def test_page_that_takes_too_long_to_draw_is_refused(tmp_path: Path) -> None:
    # given a 4 kB PDF whose page draws ~100 000 filled triangles (seconds of CPU), and 1 s
    content, _size = _repeated_flate(b"0 0 m 595 842 l 10 0 l h f\n", 3 << 20)
    src = tmp_path / "slow.pdf"
    src.write_bytes(_one_page(content, flate=True))
    assert src.stat().st_size < 20_000

    # then the CPU limit stops the worker
    refusal = _refusal(src, tmp_path / "p.png", cpu_s=1)
    assert refusal.detail == {"reason": "resource_limit", "signal": signal.SIGXCPU}
    # and so does the wall-clock limit
    refusal = _refusal(src, tmp_path / "p.png", timeout_s=0.3)
    assert refusal.detail == {"reason": "timeout"}
