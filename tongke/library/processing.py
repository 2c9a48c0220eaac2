"""Uploads and media processing (LIB-3, SEC-4).

An upload streams to a temporary file (``media.intake.LimitedUploadHandler``), is checked by
content (never by its name), hashed, and stored (local files or S3-compatible storage). Video
and audio are then transcoded into renditions for weak links and a poster, PDFs get a
first-page preview, in a background task (``tasks.process_asset``) that writes its progress
on the asset row so the page can show it. Nothing is half-stored: a refused upload leaves no
row and no file; a failed processing run leaves the asset marked failed with a reason and no
renditions.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.audit.services import audit_record
from tongke.core.errors import PermissionDenied, TongkeError
from tongke.core.tasks import enqueue
from tongke.library import policies
from tongke.library.enums import AssetStatus
from tongke.library.errors import LibraryError
from tongke.library.media import ffmpeg, intake, pdf
from tongke.library.models import MediaAsset, Rendition

log = logging.getLogger(__name__)

NEEDS_PROCESSING = ("video", "audio", "pdf")
ZIP_KINDS = ("slides", "document", "spreadsheet")
PROGRESS_STEP = 0.02


def _local_path(uploaded: Any) -> tuple[Path, bool]:
    """A path on disk for the upload; True when it is a temporary copy to remove."""
    path = getattr(uploaded, "temporary_file_path", None)
    if path is not None:
        return Path(path()), False
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix=".upload")  # noqa: SIM115
    with tmp:
        for chunk in uploaded.chunks():
            tmp.write(chunk)
    return Path(tmp.name), True


def asset_create(*, actor: Any, uploaded: Any) -> MediaAsset:
    """Check an uploaded file by its content and store it. Processing is queued after the
    transaction commits."""
    if not policies.can_author(actor):
        raise PermissionDenied(
            _("Only teachers and school administrators upload."), code=LibraryError.FORBIDDEN
        )
    intake.check_filename(uploaded.name or "")
    name = intake.safe_filename(uploaded.name or "upload")
    path, remove = _local_path(uploaded)
    try:
        detected = intake.sniff(path)
        if detected.kind in ZIP_KINDS:
            intake.check_archive(path)
        digest = intake.sha256_of(path)
        size = path.stat().st_size
        stem = Path(name).stem[:80] or "upload"
        with transaction.atomic():
            asset = MediaAsset(
                owner=actor,
                original_name=name,
                size_bytes=size,
                sha256=digest,
                mime=detected.mime,
                media_kind=detected.kind,
                status=(
                    AssetStatus.PENDING if detected.kind in NEEDS_PROCESSING else AssetStatus.READY
                ),
                progress=0.0 if detected.kind in NEEDS_PROCESSING else 1.0,
            )
            with path.open("rb") as fh:
                asset.file.save(f"{stem}.{detected.ext}", File(fh), save=False)
            try:
                asset.full_clean()
                asset.save()
            except Exception:
                asset.file.delete(save=False)
                raise
            audit_record(
                actor=actor,
                action="library.upload",
                target=asset,
                changes={"file": [None, name], "size": [None, size], "type": [None, detected.mime]},
            )
            if asset.status == AssetStatus.PENDING:
                transaction.on_commit(lambda: _enqueue(asset.pk))
    finally:
        if remove:
            path.unlink(missing_ok=True)
    return asset


def _enqueue(asset_id: int) -> None:
    enqueue("tongke.library.tasks.process_asset", asset_id)


class _Progress:
    """Writes progress to the asset row, at most every ``PROGRESS_STEP``."""

    def __init__(self, asset_id: int, start: float, span: float):
        self.asset_id, self.start, self.span, self.last = asset_id, start, span, -1.0

    def __call__(self, fraction: float) -> None:
        value = min(1.0, max(0.0, self.start + self.span * fraction))
        if value - self.last >= PROGRESS_STEP or fraction >= 1.0:
            MediaAsset.objects.filter(pk=self.asset_id).update(progress=round(value, 3))
            self.last = value


def asset_process(asset_id: int) -> MediaAsset:
    """Probe, transcode and preview one asset. Safe to run twice: a ready asset is left
    alone, and a rerun replaces renditions only on success."""
    claimed = MediaAsset.objects.filter(
        pk=asset_id, status__in=[AssetStatus.PENDING, AssetStatus.FAILED]
    ).update(status=AssetStatus.PROCESSING, progress=0.01, error_code="", error_message="")
    asset = MediaAsset.objects.get(pk=asset_id)
    if not claimed:
        return asset
    work = Path(tempfile.mkdtemp(prefix="tongke-media-"))
    try:
        src = work / f"source.{Path(asset.file.name).suffix.lstrip('.') or 'bin'}"
        with asset.file.open("rb") as fh, src.open("wb") as out:
            shutil.copyfileobj(fh, out, 1024 * 1024)
        if asset.media_kind in ("video", "audio"):
            _process_av(asset, src, work)
        elif asset.media_kind == "pdf":
            _process_pdf(asset, src, work)
        MediaAsset.objects.filter(pk=asset.pk).update(
            status=AssetStatus.READY, progress=1.0, processed_at=timezone.now()
        )
    except TongkeError as exc:
        _fail(asset, exc.code, str(exc.message))
    except Exception as exc:  # an unexpected failure must still leave a readable state
        log.exception("processing asset %s failed", asset_id)
        _fail(asset, LibraryError.PROCESSING_FAILED, type(exc).__name__)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    asset.refresh_from_db()
    return asset


def _fail(asset: MediaAsset, code: str, message: str) -> None:
    for rendition in asset.renditions.all():
        rendition.file.delete(save=False)
    asset.renditions.all().delete()
    MediaAsset.objects.filter(pk=asset.pk).update(
        status=AssetStatus.FAILED, error_code=code[:64], error_message=message[:300]
    )


def _store(field_owner: Any, field: str, path: Path, name: str) -> None:
    with path.open("rb") as fh:
        getattr(field_owner, field).save(name, File(fh), save=False)


def _process_av(asset: MediaAsset, src: Path, work: Path) -> None:
    probe = ffmpeg.probe(src)
    MediaAsset.objects.filter(pk=asset.pk).update(
        duration_s=probe.duration_s, width=probe.width or None, height=probe.height or None
    )
    out_dir = work / "out"
    out_dir.mkdir()
    if probe.has_video:
        outputs = ffmpeg.transcode(
            src, out_dir, probe=probe, on_progress=_Progress(asset.pk, 0.02, 0.93)
        )
        poster_path = work / "poster.jpg"
        ffmpeg.poster(src, poster_path, at_s=min(probe.duration_s * 0.1, 10.0))
    else:
        outputs = ffmpeg.transcode_audio(
            src, out_dir, probe=probe, on_progress=_Progress(asset.pk, 0.02, 0.93)
        )
        poster_path = None
    stem = f"a{asset.pk}"
    with transaction.atomic():
        for old in asset.renditions.all():
            old.file.delete(save=False)
        asset.renditions.all().delete()
        for out in outputs:
            rendition = Rendition(
                asset=asset,
                label=out.label,
                width=out.width or None,
                height=out.height or None,
                bitrate_kbps=out.bitrate_kbps,
                size_bytes=out.size_bytes,
                mime=out.mime,
            )
            _store(rendition, "file", Path(out.path), f"{stem}-{out.label}{Path(out.path).suffix}")
            rendition.save()
        if poster_path is not None:
            _store(asset, "poster", poster_path, f"{stem}-poster.jpg")
            MediaAsset.objects.filter(pk=asset.pk).update(poster=asset.poster.name)


def _process_pdf(asset: MediaAsset, src: Path, work: Path) -> None:
    preview = work / "preview.png"
    info = pdf.pdf_info_and_preview(src, preview, width=480)
    _store(asset, "preview", preview, f"a{asset.pk}-preview.png")
    MediaAsset.objects.filter(pk=asset.pk).update(pages=info.pages, preview=asset.preview.name)


def storage_url_or_none(name: str) -> str | None:
    """The storage's own URL for a file (S3: a signed address); None for local files, which
    Tongke serves itself after an access check."""
    if not name:
        return None
    backend = type(default_storage).__module__
    return default_storage.url(name) if backend.startswith("storages.") else None
