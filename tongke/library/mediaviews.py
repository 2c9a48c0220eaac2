"""Serving library media after an access check, with HTTP Range (so HTML5 video seeks and
resumes over weak links).

``/library/media/<asset>/<label>``: label is ``original``, ``poster``, ``preview`` or a
rendition label (``240p``, ``360p``, ``720p``, ``audio``). Local files are streamed by Tongke
itself; with S3-compatible storage the answer is a redirect to a short-lived signed address.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from typing import IO, Any

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_GET

from tongke.core.errors import NotFound
from tongke.library import policies
from tongke.library.errors import LibraryError
from tongke.library.processing import storage_url_or_none

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _file_for(asset: Any, label: str) -> Any:
    if label == "original":
        return asset.file, asset.mime
    if label == "poster":
        return asset.poster, "image/jpeg"
    if label == "preview":
        return asset.preview, "image/png"
    rendition = asset.renditions.filter(label=label).first()
    if rendition is None:
        raise NotFound(code=LibraryError.MEDIA_NOT_FOUND)
    return rendition.file, rendition.mime


def _ranged(fh: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        left = length
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        fh.close()


@require_GET
def media_file(request: HttpRequest, asset_id: int, label: str) -> HttpResponse:
    asset = policies.access_asset(request.user, asset_id)
    field, mime = _file_for(asset, label)
    if not field:
        raise NotFound(code=LibraryError.MEDIA_NOT_FOUND)
    signed = storage_url_or_none(field.name)
    if signed:
        return HttpResponseRedirect(signed)
    mime = mime or mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    try:
        size = field.size
        fh = field.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(code=LibraryError.MEDIA_NOT_FOUND) from exc
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            fh.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        streaming = StreamingHttpResponse(_ranged(fh, start, length), status=206, content_type=mime)
        streaming["Content-Length"] = str(length)
        streaming["Content-Range"] = f"bytes {start}-{end}/{size}"
        out: HttpResponse | StreamingHttpResponse = streaming
    else:
        out = FileResponse(fh, content_type=mime)
        out["Content-Length"] = str(size)
    out["Accept-Ranges"] = "bytes"
    out["Cache-Control"] = "private, max-age=3600"
    out["X-Content-Type-Options"] = "nosniff"
    if label == "original":
        out["Content-Disposition"] = "attachment"
    return out  # type: ignore[return-value]
