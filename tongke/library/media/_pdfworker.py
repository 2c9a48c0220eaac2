"""Render the first page of a PDF to PNG, inside resource limits. Run by ``pdf.py`` as a script
(``python -I _pdfworker.py SRC DEST WIDTH MEMORY_BYTES CPU_S MAX_PAGES MAX_POINTS``), never
imported by Tongke: a hostile PDF can only exhaust this process, which the kernel then stops.

It imports nothing from Tongke or Django, so it starts fast and its memory is its own. It
prints one JSON line: ``{"ok": true, "pages": N, "width": W, "height": H}`` or
``{"ok": false, "reason": "..."}``; a crash or a kill (memory, CPU) shows as a failed exit.
"""

from __future__ import annotations

import json
import resource
import sys

MAX_ASPECT = 4  # a preview is at most this many times taller than wide


def _limit(memory_bytes: int, cpu_s: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, 64 * 1024 * 1024))


def _answer(**fields: object) -> int:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
    return 0 if fields.get("ok") else 2


def render(src: str, dest: str, width: int, max_pages: int, max_points: float) -> int:
    with open(src, "rb") as fh:
        if fh.read(5) != b"%PDF-":
            return _answer(ok=False, reason="not_pdf")

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(src)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        reason = "encrypted" if "password" in message or "security" in message else "unreadable"
        return _answer(ok=False, reason=reason)
    if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
        return _answer(ok=False, reason="encrypted")
    pages = len(pdf)
    if pages < 1:
        return _answer(ok=False, reason="no_pages")
    if pages > max_pages:
        return _answer(ok=False, reason="too_many_pages", pages=pages)
    for index in range(pages):
        w, h = pdf.get_page_size(index)
        if not (0 < w <= max_points and 0 < h <= max_points):
            return _answer(ok=False, reason="page_size", page=index + 1)
    page = pdf[0]
    w, h = page.get_size()
    scale = min(width / w, width * MAX_ASPECT / h)
    try:
        image = page.render(scale=scale, may_draw_forms=False).to_pil()
    except (pdfium.PdfiumError, MemoryError):
        return _answer(ok=False, reason="render_failed")
    image.save(dest, format="PNG", optimize=True)
    return _answer(ok=True, pages=pages, width=image.width, height=image.height)


def main(argv: list[str]) -> int:
    src, dest, width, memory_bytes, cpu_s, max_pages, max_points = argv
    _limit(int(memory_bytes), int(cpu_s))
    return render(src, dest, int(width), int(max_pages), float(max_points))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
