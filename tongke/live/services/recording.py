"""The master's recording (CLS-3 -> LIB-2): MediaRecorder chunks appended in order while the
lesson runs, then filed in the library as a live-class recording of the lesson, processed by
ffmpeg and submitted for review once ready (``tasks.submit_recording``, enqueued by name:
task modules import services, never the other way round)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.library import processing
from tongke.library import services as library
from tongke.library.enums import Licence, ResourceKind, Visibility
from tongke.library.media.intake import upload_limit_bytes
from tongke.library.models import Resource
from tongke.live import errors
from tongke.live.enums import SessionStatus
from tongke.live.models import LiveSession
from tongke.live.services.sessions import when
from tongke.notifications.services import notify

SUBMIT_TASK = "tongke.live.tasks.submit_recording"


def recording_path(session: LiveSession) -> Path:
    folder = Path(settings.MEDIA_ROOT).parent / "live-recordings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"session-{session.pk}.webm"


def recording_append(*, actor: User, session: LiveSession, seq: int, data: bytes) -> int:
    """Append chunk ``seq`` of the master's MediaRecorder stream. Chunks come in order; a
    repeated chunk (a retry after a lost answer) is acknowledged and ignored. Returns the next
    expected sequence number."""
    if session.master_id != actor.pk:
        raise errors.forbidden(_("Only the master teacher records the lesson."))
    if session.status not in (SessionStatus.LIVE, SessionStatus.SCHEDULED):
        raise errors.conflict(errors.RECORDING, _("The lesson is not running."))
    if session.recording_id is not None:
        raise errors.conflict(errors.RECORDING, _("The recording was already handed in."))
    if not data:
        raise errors.invalid(errors.RECORDING, _("The chunk is empty."))
    with transaction.atomic():
        locked = LiveSession.objects.select_for_update().get(pk=session.pk)
        if seq < locked.recording_seq:
            return locked.recording_seq
        if seq != locked.recording_seq:
            raise errors.conflict(
                errors.RECORDING,
                _("Chunk %(got)d arrived, %(want)d was expected.")
                % {"got": seq, "want": locked.recording_seq},
                expected=locked.recording_seq,
            )
        if locked.recording_bytes + len(data) > upload_limit_bytes():
            raise errors.invalid(
                errors.RECORDING, _("The recording is larger than uploads may be.")
            )
        path = recording_path(locked)
        mode = "ab" if seq else "wb"
        with path.open(mode) as fh:
            fh.write(data)
        LiveSession.objects.filter(pk=locked.pk).update(
            recording_seq=seq + 1, recording_bytes=locked.recording_bytes + len(data)
        )
    session.recording_seq = seq + 1
    return seq + 1


class _Spooled:
    """The appended recording, shaped like a temporary upload for ``asset_create``."""

    def __init__(self, path: Path, name: str):
        self._path = path
        self.name = name

    def temporary_file_path(self) -> str:
        return str(self._path)


def recording_finish(*, actor: User, session: LiveSession) -> Resource:
    """Hand the recording to the library as a live-class recording of the lesson. ffmpeg
    processes it in the background; once it is ready it is submitted for review like any
    resource (``recording_submit``)."""
    if session.master_id != actor.pk:
        raise errors.forbidden(_("Only the master teacher records the lesson."))
    if session.recording_id is not None:
        raise errors.conflict(errors.RECORDING, _("The recording was already handed in."))
    path = recording_path(session)
    if session.recording_bytes == 0 or not path.exists():
        raise errors.invalid(errors.RECORDING, _("Nothing was recorded."))
    stamp = timezone.localtime(session.starts_at).strftime("%Y%m%d-%H%M")
    with transaction.atomic():
        asset = processing.asset_create(
            actor=actor, uploaded=_Spooled(path, f"live-{session.pk}-{stamp}.webm")
        )
        resource = library.resource_create(
            actor=actor,
            kind=ResourceKind.LIVE_RECORDING,
            node=session.lesson,
            title=_("%(title)s (live lesson, %(when)s)")
            % {"title": session.title, "when": when(session.starts_at)},
            description=_("Recorded in the dual-teacher live lesson of %(school)s.")
            % {"school": session.host_school.name},
            licence=Licence.CC_BY_NC_SA,
            visibility=Visibility.REGION,
            school=session.host_school,
            asset=asset,
        )
        LiveSession.objects.filter(pk=session.pk).update(recording=resource)
        audit_record(
            actor=actor,
            action="live.recording_finish",
            target=session,
            scope_path=session.host_path,
            changes={"recording": [None, resource.pk], "bytes": session.recording_bytes},
        )
        transaction.on_commit(lambda: _enqueue_submit(session.pk))
    path.unlink(missing_ok=True)
    session.recording = resource
    return resource


def _enqueue_submit(session_id: int) -> None:
    import_string(SUBMIT_TASK).enqueue(session_id)


def recording_submit(*, session_id: int) -> str:
    """Process the recording if nobody has yet, then submit it for review, as the session's
    master (a background task: there is no request actor). Returns what happened; while
    another worker is still transcoding it, "waiting" (the task tries again later). Not one
    transaction: transcoding takes minutes; ``version_submit`` is its own."""
    session = LiveSession.objects.select_related("recording", "master").get(pk=session_id)
    resource = session.recording
    if resource is None:
        return "none"
    version = resource.versions.order_by("-number").first()
    if version is None or version.asset_id is None or version.status != "draft":
        return "done"
    asset = processing.asset_process(version.asset_id)
    if asset.status == "ready":
        library.version_submit(actor=session.master, version=version)
        return "submitted"
    if asset.status == "failed":
        notify(
            user_id=session.master_id,
            kind="live.recording_failed",
            title=_("The recording of %(title)s could not be processed.")
            % {"title": session.title},
            body=asset.error_message,
            link=reverse("library:resource", args=[resource.pk]),
        )
        return "failed"
    return "waiting"
