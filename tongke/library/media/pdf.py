"""PDFs: count the pages and render a first-page preview, in a separate, resource-limited
process; and make small real PDFs for tests and the demo.

A hostile PDF (a content stream that inflates to gigabytes, a page that takes minutes to draw,
a page the size of a city, a million pages) can only exhaust the worker process
(``_pdfworker.py``: address space ``memory_bytes``, CPU ``cpu_s``, a wall-clock timeout), which
the kernel or the timeout then stops; Tongke answers ``Invalid(code=LibraryError.PDF_REFUSED)``
with the reason in ``detail``.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid
from tongke.library.errors import LibraryError
from tongke.library.media.ffmpeg import cjk_font_file

WORKER = Path(__file__).with_name("_pdfworker.py")
PREVIEW_WIDTH = 480
MEMORY_BYTES = 1024 * 1024 * 1024
CPU_S = 20
TIMEOUT_S = 30.0
MAX_PAGES = 2000
MAX_INCHES = 200  # the PDF format's own limit on a page side
POINTS_PER_INCH = 72

_MESSAGES: dict[str, Any] = {
    "not_pdf": _("This file is not a PDF."),
    "encrypted": _("This PDF is encrypted or protected by a password. Upload an unprotected copy."),
    "too_many_pages": _("This PDF has too many pages (at most 2000)."),
    "page_size": _("A page of this PDF has an impossible size."),
}


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    preview_width: int = 0
    preview_height: int = 0


def _refused(reason: str, **detail: Any) -> Invalid:
    message = _MESSAGES.get(
        reason, _("This PDF cannot be read or previewed. Export it again and upload the copy.")
    )
    return Invalid(message, code=LibraryError.PDF_REFUSED, detail={"reason": reason, **detail})


def pdf_info_and_preview(
    src: str | Path,
    dest_png: str | Path,
    *,
    width: int = PREVIEW_WIDTH,
    memory_bytes: int = MEMORY_BYTES,
    cpu_s: int = CPU_S,
    timeout_s: float = TIMEOUT_S,
    max_pages: int = MAX_PAGES,
) -> PdfInfo:
    """Page count, and page 1 rendered ``width`` pixels wide (at most four times as tall) to
    ``dest_png``. Refuses (``library.pdf_refused``, ``detail.reason``): ``not_pdf``,
    ``encrypted``, ``too_many_pages``, ``page_size`` (a side over 200 inches), ``unreadable``,
    ``render_failed``, ``resource_limit`` (the worker was killed for passing its memory or CPU
    limit) and ``timeout``.
    Nothing is written to ``dest_png`` unless the preview succeeded."""
    src, dest = Path(src), Path(dest_png)
    with src.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise _refused("not_pdf")
    part = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
    args = [
        sys.executable, "-I", str(WORKER), str(src.resolve()), str(part), str(width),
        str(memory_bytes), str(cpu_s), str(max_pages), str(MAX_INCHES * POINTS_PER_INCH),
    ]  # fmt: skip
    try:
        try:
            done = subprocess.run(  # noqa: S603
                args, capture_output=True, timeout=timeout_s, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            raise _refused("timeout") from exc
        answer: dict[str, Any] = {}
        lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
        if lines:
            try:
                answer = json.loads(lines[-1])
            except ValueError:
                answer = {}
        if done.returncode < 0:  # killed by a signal: out of memory (abort) or of CPU time
            raise _refused("resource_limit", signal=-done.returncode)
        if done.returncode != 0 or not answer.get("ok"):
            reason = str(answer.get("reason") or "render_failed")
            extra = {k: v for k, v in answer.items() if k in ("pages", "page")}
            raise _refused(reason, **extra)
        if not part.exists() or part.stat().st_size == 0:
            raise _refused("render_failed")
        part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    return PdfInfo(
        pages=int(answer["pages"]),
        preview_width=int(answer.get("width", 0)),
        preview_height=int(answer.get("height", 0)),
    )


# --- Test PDFs ------------------------------------------------------------------------------

PAGE_DPI = 100
A4_INCHES = (8.27, 11.69)


def make_test_pdf(dest: str | Path, *, title: str, lines: list[str], pages: int = 2) -> Path:
    """A small real PDF (A4 pages, black-and-white raster text) with ``title`` and ``lines``
    on each page and a page number. Chinese text is drawn when a CJK font is installed;
    otherwise only the ASCII characters of the text are drawn. Two pages stay under 100 KB."""
    from PIL import Image, ImageDraw, ImageFont

    font_file = cjk_font_file()

    def font(size: int) -> Any:
        if font_file:
            return ImageFont.truetype(font_file, size)
        return ImageFont.load_default(size)

    def text(value: str) -> str:
        return value if font_file else value.encode("ascii", "ignore").decode("ascii")

    size = (round(A4_INCHES[0] * PAGE_DPI), round(A4_INCHES[1] * PAGE_DPI))
    big, body, small = font(PAGE_DPI * 2 // 5), font(PAGE_DPI // 4), font(PAGE_DPI // 6)
    margin = PAGE_DPI * 3 // 4
    images = []
    for number in range(1, max(1, pages) + 1):
        image = Image.new("1", size, 1)
        draw = ImageDraw.Draw(image)
        draw.text((margin, margin), text(title), font=big, fill=0)
        y = margin + PAGE_DPI * 3 // 4
        draw.line((margin, y, size[0] - margin, y), fill=0, width=2)
        y += PAGE_DPI // 3
        for line in lines:
            draw.text((margin, y), text(line), font=body, fill=0)
            y += PAGE_DPI * 2 // 5
        draw.text((margin, size[1] - margin), f"{number} / {pages}", font=small, fill=0)
        images.append(image)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
    try:
        images[0].save(
            part, format="PDF", save_all=True, append_images=images[1:], resolution=PAGE_DPI
        )
        part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    return dest
