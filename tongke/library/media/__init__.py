"""Media processing for the lesson library (LIB-3, SEC-4): plain functions and dataclasses, no
models; the caller stores what they return.

- ``intake``: the upload handler with a byte limit, file names, type by content, zip checks,
  hashing.
- ``ffmpeg``: probe (a duration you can trust), the rendition ladder with progress, poster,
  audio-only, test videos.
- ``pdf``: page count and first-page preview in a resource-limited process, test PDFs.

Error codes: ``library.too_large`` (413), ``library.bad_filename``,
``library.unsupported_type``, ``library.archive_refused``, ``library.media_unreadable``,
``library.media_unsupported``, ``library.too_long``, ``library.transcode_failed``,
``library.pdf_refused`` (all 400).
"""

from tongke.library.media.ffmpeg import (
    DEFAULT_LADDER,
    MICRO_LESSON_MAX_S,
    PlannedRendition,
    Probe,
    RenditionOut,
    Rung,
    check_duration,
    make_test_video,
    plan_ladder,
    poster,
    poster_at,
    probe,
    transcode,
    transcode_audio,
)
from tongke.library.media.intake import (
    Detected,
    LimitedUploadHandler,
    check_archive,
    check_filename,
    raise_if_upload_too_large,
    safe_filename,
    sha256_of,
    sniff,
    upload_limit_hit,
)
from tongke.library.media.pdf import PdfInfo, make_test_pdf, pdf_info_and_preview

__all__ = [
    "DEFAULT_LADDER",
    "MICRO_LESSON_MAX_S",
    "Detected",
    "LimitedUploadHandler",
    "PdfInfo",
    "PlannedRendition",
    "Probe",
    "RenditionOut",
    "Rung",
    "check_archive",
    "check_duration",
    "check_filename",
    "make_test_pdf",
    "make_test_video",
    "pdf_info_and_preview",
    "plan_ladder",
    "poster",
    "poster_at",
    "probe",
    "raise_if_upload_too_large",
    "safe_filename",
    "sha256_of",
    "sniff",
    "transcode",
    "transcode_audio",
    "upload_limit_hit",
]
