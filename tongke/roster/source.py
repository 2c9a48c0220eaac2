"""Reading what was handed in: a OneRoster bundle (zip or folder) or one plain CSV file.

Nothing is unpacked to disk. A zip is refused when it has too many entries, names that try
to leave the bundle (absolute paths, '..', drive letters, links), encrypted entries, or
entries whose declared or actual size is over the limit or suspiciously well compressed
(a zip bomb). Only the files the import uses are read, each into memory under the limit.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tongke.roster import errors
from tongke.roster.enums import ImportKind
from tongke.roster.report import Report, Where

MAX_ENTRIES = 64
MAX_RATIO = 100  # uncompressed / compressed, checked for entries over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
CHUNK = 64 * 1024

# The files of a OneRoster 1.1/1.2 CSV bundle, by lower-case name.
ONEROSTER_FILES = {
    name.lower(): name
    for name in (
        "manifest.csv",
        "orgs.csv",
        "users.csv",
        "classes.csv",
        "enrollments.csv",
        "roles.csv",
        "courses.csv",
        "academicSessions.csv",
        "demographics.csv",
        "userProfiles.csv",
        "lineItems.csv",
        "results.csv",
        "categories.csv",
        "scoreScales.csv",
        "resources.csv",
        "classResources.csv",
        "courseResources.csv",
        "userResources.csv",
        "lineItemLearningObjectiveIds.csv",
        "lineItemScoreScales.csv",
        "resultLearningObjectiveIds.csv",
        "resultScoreScales.csv",
        "assessmentLineItems.csv",
        "assessmentResults.csv",
    )
}
# The files this import reads; the others are reported as ignored.
USED_FILES = (
    "manifest.csv",
    "orgs.csv",
    "users.csv",
    "classes.csv",
    "enrollments.csv",
    "roles.csv",
)
PLAIN = "plain"
JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|\._|Thumbs\.db$)")


@dataclass
class Source:
    kind: str
    name: str
    files: dict[str, bytes] = field(default_factory=dict)


def sniff_kind(path: Path) -> str:
    if path.is_dir():
        return ImportKind.ONEROSTER_FOLDER
    with path.open("rb") as fh:
        head = fh.read(4)
    if head in (b"PK\x03\x04", b"PK\x05\x06"):
        return ImportKind.ONEROSTER_ZIP
    return ImportKind.PLAIN_CSV


def read_source(
    path: Path, *, name: str, kind: str, report: Report, max_bytes: int
) -> Source | None:
    """The files in ``path`` (raw bytes), or None after reporting why they cannot be read."""
    if kind == ImportKind.ONEROSTER_FOLDER:
        return _read_folder(path, name=name, report=report, max_bytes=max_bytes)
    size = path.stat().st_size
    if size > max_bytes:
        report.error(errors.TOO_LARGE, file=name, limit=max_bytes)
        return None
    if kind == ImportKind.ONEROSTER_ZIP:
        return _read_zip(path, name=name, report=report, max_bytes=max_bytes)
    return Source(kind=kind, name=name, files={PLAIN: path.read_bytes()})


def is_safe_name(raw: str) -> bool:
    if not raw or len(raw) > 255 or "\x00" in raw or "\\" in raw:
        return False
    if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        return False
    return all(part not in ("..", ".") for part in raw.rstrip("/").split("/"))


def _pick(raw: str, chosen: dict[str, str], report: Report, bundle: str) -> tuple[str | None, bool]:
    """The OneRoster name ``raw`` stands for when the import reads it; (None, ok) otherwise."""
    base = raw.rsplit("/", 1)[-1]
    canonical = ONEROSTER_FILES.get(base.lower())
    if canonical is None or canonical not in USED_FILES:
        report.warning(errors.IGNORED_FILE, file=raw)
        return None, True
    if canonical in chosen:
        report.error(errors.DUPLICATE_FILE, file=bundle, value=canonical)
        return None, False
    chosen[canonical] = raw
    return canonical, True


def _read_zip(path: Path, *, name: str, report: Report, max_bytes: int) -> Source | None:
    where = Where(name)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.error(errors.BAD_ZIP, where=where, reason=str(exc)[:200])
        return None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            report.error(errors.TOO_MANY_ENTRIES, where=where, count=len(infos), limit=MAX_ENTRIES)
            return None
        ok = True
        chosen: dict[str, str] = {}
        picked: list[tuple[str, zipfile.ZipInfo]] = []
        declared = 0
        for info in infos:
            raw = info.filename
            if not is_safe_name(raw) or stat.S_ISLNK(info.external_attr >> 16):
                report.error(errors.UNSAFE_PATH, where=where, value=raw)
                ok = False
                continue
            if info.is_dir() or JUNK.search(raw):
                continue
            if info.flag_bits & 0x1:
                report.error(errors.BAD_ZIP, file=raw, reason="encrypted")
                ok = False
                continue
            canonical, fine = _pick(raw, chosen, report, name)
            ok = ok and fine
            if canonical is None:
                continue
            declared += info.file_size
            ratio_bad = info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            )
            if info.file_size > max_bytes or ratio_bad:
                report.error(errors.ZIP_BOMB, where=where, value=raw)
                ok = False
                continue
            picked.append((canonical, info))
        if declared > max_bytes:
            report.error(errors.ZIP_BOMB, where=where, value=name)
            ok = False
        if not ok:
            return None
        files: dict[str, bytes] = {}
        for canonical, info in picked:
            data = _read_entry(archive, info, report=report, bundle=name, max_bytes=max_bytes)
            if data is None:
                return None
            files[canonical] = data
    return Source(kind=ImportKind.ONEROSTER_ZIP, name=name, files=files)


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, report: Report, bundle: str, max_bytes: int
) -> bytes | None:
    """The entry's bytes, read in chunks and never beyond its declared size."""
    limit = min(info.file_size, max_bytes)
    buf = bytearray()
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(CHUNK):
                buf += chunk
                if len(buf) > limit:
                    report.error(errors.ZIP_BOMB, file=bundle, value=info.filename)
                    return None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        report.error(errors.BAD_ZIP, file=info.filename, reason=str(exc)[:200])
        return None
    return bytes(buf)


def _read_folder(path: Path, *, name: str, report: Report, max_bytes: int) -> Source | None:
    where = Where(name)
    entries = sorted(path.iterdir())
    if len(entries) > MAX_ENTRIES:
        report.error(errors.TOO_MANY_ENTRIES, where=where, count=len(entries), limit=MAX_ENTRIES)
        return None
    ok = True
    chosen: dict[str, str] = {}
    picked: list[tuple[str, Path]] = []
    total = 0
    for entry in entries:
        if entry.is_symlink():
            report.error(errors.UNSAFE_PATH, where=where, value=entry.name)
            ok = False
            continue
        if entry.is_dir() or JUNK.search(entry.name):
            continue
        canonical, fine = _pick(entry.name, chosen, report, name)
        ok = ok and fine
        if canonical is None:
            continue
        total += entry.stat().st_size
        picked.append((canonical, entry))
    if total > max_bytes:
        report.error(errors.TOO_LARGE, where=where, limit=max_bytes)
        return None
    if not ok:
        return None
    return Source(
        kind=ImportKind.ONEROSTER_FOLDER,
        name=name,
        files={canonical: entry.read_bytes() for canonical, entry in picked},
    )
