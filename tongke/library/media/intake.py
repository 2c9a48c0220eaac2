"""Taking an upload in: stream it to disk under a byte limit, name it safely, and tell what it is
by its content (never by its name or the browser's Content-Type).

Nothing here touches the database or storage; the caller decides what to keep. Every refusal is
an ``Invalid`` (or ``TooLarge``) with a stable ``library.*`` code:

``library.too_large``         the upload passed ``TONGKE_UPLOAD_LIMIT_BYTES`` (413)
``library.bad_filename``      a name with NUL, a control character or a path separator
``library.unsupported_type``  content that is not one of the accepted kinds
``library.archive_refused``   a zip that is a bomb, has unsafe member names, or is damaged
"""

from __future__ import annotations

import hashlib
import itertools
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from tongke.core.errors import Invalid, TooLarge
from tongke.library.errors import LibraryError

DEFAULT_UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024
# Content-Length counts the whole multipart body: the file plus form fields (at most
# DATA_UPLOAD_MAX_MEMORY_SIZE) and boundaries. A body larger than the limit plus this slack
# cannot carry a file within the limit, so it is refused before a byte is read.
FRAMING_SLACK_BYTES = 2 * 1024 * 1024

MAX_FILENAME_CHARS = 120
MAX_EXTENSION_CHARS = 16
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}
_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')

# Zip limits (OOXML and ODF files are zips). Declared sizes come from the central directory;
# Python's zipfile never inflates a member past its declared size, so these bound any reader
# that uses it.
ARCHIVE_MAX_MEMBERS = 5000
ARCHIVE_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
ARCHIVE_MAX_RATIO = 100
ARCHIVE_RATIO_MIN_BYTES = 1024 * 1024  # small members may compress as they like

SNIFF_BYTES = 8192
HASH_CHUNK = 1024 * 1024


# --- The upload handler ------------------------------------------------------------------------


def upload_limit_bytes() -> int:
    return int(getattr(settings, "TONGKE_UPLOAD_LIMIT_BYTES", DEFAULT_UPLOAD_LIMIT_BYTES))


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file and stops the upload as soon as the files of one
    request pass the limit (``TONGKE_UPLOAD_LIMIT_BYTES``; a lesson upload carries one file).

    Install it before anything reads the body: ``request.upload_handlers =
    [LimitedUploadHandler(request)]``. After ``request.FILES`` was read, ``limit_hit`` (or
    ``upload_limit_hit(request)``) says whether the upload was cut short; the partly written
    temporary file is already deleted then, and ``request.FILES`` holds no part of it.

    A body whose Content-Length alone shows it is too large gets no byte of its file written:
    the form fields before the file (the CSRF token) are still parsed, so the view can answer
    413 rather than a CSRF failure. The rest of the body is read and discarded (``StopUpload``
    without a connection reset), so the client sees that answer rather than a reset
    connection; behind ASGI Django has received the body before the view runs anyway, so a
    cap on the body size belongs in the reverse proxy.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit_bytes: int | None = None):
        super().__init__(request)
        self.limit_bytes = limit_bytes if limit_bytes is not None else upload_limit_bytes()
        self.limit_hit = False
        self.received_bytes = 0

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile]] | None:
        if content_length and content_length > self.limit_bytes + FRAMING_SLACK_BYTES:
            self.limit_hit = True
        return None

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        if self.limit_hit:
            raise StopUpload(connection_reset=False)
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received_bytes += len(raw_data)
        if self.received_bytes > self.limit_bytes:
            self.limit_hit = True
            # The parser closes (and so deletes) the temporary file of the file being read.
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def upload_limit_hit(request: HttpRequest) -> bool:
    """Whether a ``LimitedUploadHandler`` on this request cut the upload short. Read
    ``request.FILES`` (or ``request.POST``) first."""
    return any(isinstance(h, LimitedUploadHandler) and h.limit_hit for h in request.upload_handlers)


def raise_if_upload_too_large(request: HttpRequest) -> None:
    """Raise ``TooLarge(code=LibraryError.TOO_LARGE)`` when the upload passed the limit."""
    for handler in request.upload_handlers:
        if isinstance(handler, LimitedUploadHandler) and handler.limit_hit:
            limit = handler.limit_bytes
            raise TooLarge(
                _("The file is larger than the limit of %(size)s.")
                % {"size": filesizeformat(limit)},
                code=LibraryError.TOO_LARGE,
                detail={"limit_bytes": limit},
            )


# --- File names -----------------------------------------------------------------------------

_JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners: part of emoji and some scripts


def _invisible(ch: str) -> bool:
    """Control, format (bidirectional overrides such as U+202E, BOM), surrogate, private or
    unassigned characters: nothing a file name needs, and some disguise its extension."""
    category = unicodedata.category(ch)
    return category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and ch not in _JOINERS)


def check_filename(name: str) -> str:
    """Return ``name`` unchanged if it is a plain file name; refuse one with NUL, control
    characters, a path separator, or nothing but dots (``library.bad_filename``)."""
    reason = None
    if not name or not name.strip():
        reason = "empty"
    elif "\x00" in name:
        reason = "nul"
    elif "/" in name or "\\" in name:
        reason = "path_separator"
    elif any(_invisible(ch) for ch in name):
        reason = "control_character"
    elif name.strip(". ") == "":
        reason = "dots"
    elif len(name.encode("utf-8")) > 255:
        reason = "too_long"
    if reason is not None:
        raise Invalid(
            _("The file name is not acceptable. Rename the file and try again."),
            code=LibraryError.BAD_FILENAME,
            detail={"reason": reason},
        )
    return name


def safe_filename(name: str, *, default: str = "file") -> str:
    """A harmless file name made from ``name``: the last path component only, no NUL, control
    or format characters (such as right-to-left overrides; emoji joiners stay), no leading dots,
    no characters that Windows refuses; letters of every script are kept. At most
    ``MAX_FILENAME_CHARS`` characters, the extension kept; never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not _invisible(ch))
    name = _UNSAFE_CHARS.sub("_", name)
    name = " ".join(name.split())  # collapse runs of whitespace
    name = name.strip(". ")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > MAX_EXTENSION_CHARS or not ext.isalnum():
        stem, ext = name, ""
    stem = stem.rstrip(". ")
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = stem[: MAX_FILENAME_CHARS - (len(ext) + 1 if ext else 0)].rstrip(". ") or default
    return f"{stem}.{ext.lower()}" if ext else stem


# --- What a file is, by content --------------------------------------------------------------


@dataclass(frozen=True)
class Detected:
    kind: str  # video, audio, pdf, slides, document, spreadsheet, image
    mime: str
    ext: str  # canonical extension, without a dot


# filetype's extension -> (kind, mime, ext); anything it recognises that is not here is refused.
_ACCEPTED = {
    "mp4": ("video", "video/mp4", "mp4"),
    "mov": ("video", "video/quicktime", "mov"),
    "m4v": ("video", "video/x-m4v", "m4v"),
    "3gp": ("video", "video/3gpp", "3gp"),
    "webm": ("video", "video/webm", "webm"),
    "mkv": ("video", "video/x-matroska", "mkv"),
    "avi": ("video", "video/x-msvideo", "avi"),
    "flv": ("video", "video/x-flv", "flv"),
    "mpg": ("video", "video/mpeg", "mpg"),
    "mp3": ("audio", "audio/mpeg", "mp3"),
    "m4a": ("audio", "audio/mp4", "m4a"),
    "aac": ("audio", "audio/aac", "aac"),
    "wav": ("audio", "audio/wav", "wav"),
    "ogg": ("audio", "audio/ogg", "ogg"),
    "flac": ("audio", "audio/flac", "flac"),
    "png": ("image", "image/png", "png"),
    "apng": ("image", "image/png", "png"),
    "jpg": ("image", "image/jpeg", "jpg"),
    "webp": ("image", "image/webp", "webp"),
    "gif": ("image", "image/gif", "gif"),
}
_MPEG_TS = Detected("video", "video/mp2t", "ts")
_PDF = Detected("pdf", "application/pdf", "pdf")
_OOXML = {
    "ppt/": Detected(
        "slides",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    "word/": Detected(
        "document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xl/": Detected(
        "spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    ),
}
_ODF = {
    "application/vnd.oasis.opendocument.presentation": Detected(
        "slides", "application/vnd.oasis.opendocument.presentation", "odp"
    ),
    "application/vnd.oasis.opendocument.text": Detected(
        "document", "application/vnd.oasis.opendocument.text", "odt"
    ),
    "application/vnd.oasis.opendocument.spreadsheet": Detected(
        "spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", "ods"
    ),
}


def _unsupported(reason: str) -> Invalid:
    return Invalid(
        _("This type of file is not accepted. Upload a video, audio, PDF, slides or document."),
        code=LibraryError.UNSUPPORTED_TYPE,
        detail={"reason": reason},
    )


def _is_mpeg_ts(head: bytes) -> bool:
    """MPEG transport stream: a 0x47 sync byte every 188 bytes (or every 192 bytes after a
    4-byte timecode, as in .m2ts)."""
    for offset, packet in ((0, 188), (4, 192)):
        spots = [offset + i * packet for i in range(5)]
        if spots[-1] < len(head) and all(head[i] == 0x47 for i in spots):
            return True
    return False


def sniff(path: str | Path) -> Detected:
    """What the file at ``path`` is, judged by its bytes alone. Zips are checked with
    ``check_archive`` before their member list is trusted. Refuses anything else (text, HTML,
    SVG, scripts, executables, other archives) with ``library.unsupported_type``."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise _unsupported("empty")
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if _is_mpeg_ts(head):
        return _MPEG_TS
    guess = filetype.guess(head)
    if guess is not None and guess.extension in _ACCEPTED:
        kind, mime, ext = _ACCEPTED[guess.extension]
        return Detected(kind, mime, ext)
    raise _unsupported(guess.extension if guess is not None else "unknown")


def _sniff_zip(path: Path) -> Detected:
    check_archive(path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        lowered = [n.lower() for n in names]
        if any(n.endswith("vbaproject.bin") for n in lowered):
            raise _unsupported("macros")
        if "mimetype" in names:
            with zf.open("mimetype") as member:
                odf_type = member.read(100).decode("ascii", "replace").strip()
            if odf_type in _ODF:
                return _ODF[odf_type]
        if "[Content_Types].xml" in names:
            for prefix, detected in _OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return detected
    raise _unsupported("zip")


def _archive_refused(reason: str, **extra: Any) -> Invalid:
    return Invalid(
        _("This archive cannot be accepted: it is damaged, unsafe or expands too much."),
        code=LibraryError.ARCHIVE_REFUSED,
        detail={"reason": reason, **extra},
    )


def _unsafe_member_name(raw: str) -> bool:
    if "\x00" in raw:
        return True
    name = raw.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def check_archive(
    path: str | Path,
    *,
    max_members: int = ARCHIVE_MAX_MEMBERS,
    max_total_bytes: int = ARCHIVE_MAX_TOTAL_BYTES,
    max_ratio: int = ARCHIVE_MAX_RATIO,
) -> None:
    """Refuse a zip before anything reads its members (``library.archive_refused``): damaged
    or encrypted, too many members, too large once inflated, a member that inflates more than
    ``max_ratio`` times, members whose data overlap (the "overlapping files" bomb), duplicate
    names, links, or names with ``..``, an absolute path or NUL. Reads only the directory."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _archive_refused("damaged") from exc
    if len(infos) > max_members:
        raise _archive_refused("too_many_members", members=len(infos))
    total = 0
    seen: set[str] = set()
    for info in infos:
        if _unsafe_member_name(info.orig_filename):
            raise _archive_refused("unsafe_name")
        if info.filename in seen:
            raise _archive_refused("duplicate_name")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise _archive_refused("encrypted")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _archive_refused("link")
        total += info.file_size
        if total > max_total_bytes:
            raise _archive_refused("too_large", limit_bytes=max_total_bytes)
        if info.file_size > ARCHIVE_RATIO_MIN_BYTES and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            raise _archive_refused("ratio", limit=max_ratio)
    spans = sorted((i.header_offset, i.header_offset + i.compress_size) for i in infos)
    for (_start, end), (next_start, _end) in itertools.pairwise(spans):
        if next_start < end:
            raise _archive_refused("overlapping_members")


# --- Hashing --------------------------------------------------------------------------------


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
