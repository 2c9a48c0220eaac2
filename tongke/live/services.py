"""Writes of live classes: partnerships (ORG-4), scheduling (CLS-1), running a session and
its recording (CLS-3). Room traffic (messages, quiz, presence) is in ``room.py``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.audit.services import audit_record
from tongke.library import processing
from tongke.library import services as library
from tongke.library.enums import Licence, NodeKind, ResourceKind, Visibility
from tongke.library.media.intake import upload_limit_bytes
from tongke.library.models import CatalogueNode, Resource
from tongke.live import errors, policies
from tongke.live.enums import PartnershipKind, QuizStatus, SessionStatus
from tongke.live.models import (
    Classroom,
    LiveQuiz,
    LiveSession,
    Partnership,
    PartnershipMember,
    Presence,
)
from tongke.notifications.services import notify
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit
from tongke.orgs.services import validation_error

MAX_CLASSROOMS = 60
MAX_OCCURRENCES = 40
MIN_MINUTES, MAX_MINUTES = 10, 240
JOIN_EARLY = timedelta(minutes=30)  # classrooms may come in and test their devices
JOIN_LATE = timedelta(minutes=60)  # a room stays open this long past its planned end
LESSON_KINDS = (NodeKind.LESSON, NodeKind.CHAPTER, NodeKind.TOPIC)


def _clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise validation_error(exc) from exc


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise errors.invalid("invalid", _("This field is required."), field=field)
    if len(value) > limit:
        raise errors.invalid("invalid", _("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


# --- Partnerships (ORG-4) --------------------------------------------------------------------


def _schools_under(region: OrgUnit, schools: Iterable[OrgUnit]) -> list[OrgUnit]:
    out = []
    for school in schools:
        if school.kind != UnitKind.SCHOOL or not school.path.startswith(region.path):
            raise errors.invalid(
                errors.NOT_A_PARTNER,
                _("%(name)s is not a school of %(region)s.")
                % {"name": school.name, "region": region.name},
                school=school.pk,
            )
        out.append(school)
    return out


@transaction.atomic
def partnership_create(
    *,
    actor: Any,
    region: OrgUnit,
    kind: str,
    name: str,
    lead_school: OrgUnit,
    members: list[OrgUnit],
    note: str = "",
) -> Partnership:
    if region.kind != UnitKind.REGION or not policies.can_manage_partnership(actor, region):
        raise errors.forbidden(_("Only the regional administrators pair schools."))
    if kind not in PartnershipKind.values:
        raise errors.invalid("invalid", _("Unknown kind."), field="kind")
    _schools_under(region, [lead_school, *members])
    ids = [m.pk for m in members]
    if not members or len(set(ids)) != len(ids) or lead_school.pk in ids:
        raise errors.invalid(
            errors.NOT_A_PARTNER,
            _("Name the partner schools once each, without the lead school."),
            field="members",
        )
    if kind == PartnershipKind.PAIR and len(members) != 1:
        raise errors.invalid(
            errors.NOT_A_PARTNER, _("A pair joins one school to the lead school."), field="members"
        )
    partnership = Partnership(
        kind=kind,
        name=_text(name, field="name", limit=120),
        region=region,
        region_path=region.path,
        lead_school=lead_school,
        note=_text(note, field="note", limit=2000, required=False),
        created_by=actor,
    )
    _clean(partnership)
    partnership.save()
    PartnershipMember.objects.bulk_create(
        [PartnershipMember(partnership=partnership, school=s, school_path=s.path) for s in members]
    )
    audit_record(
        actor=actor,
        action="live.partnership_create",
        target=partnership,
        scope_path=region.path,
        changes={
            "kind": [None, kind],
            "lead_school": [None, lead_school.name],
            "members": [None, [s.name for s in members]],
        },
    )
    return partnership


@transaction.atomic
def partnership_update(
    *,
    actor: Any,
    partnership: Partnership,
    name: str | None = None,
    active: bool | None = None,
    add: Iterable[OrgUnit] = (),
    remove: Iterable[OrgUnit] = (),
) -> Partnership:
    if not policies.can_manage_partnership(actor, partnership.region):
        raise errors.forbidden()
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = [partnership.name, _text(name, field="name", limit=120)]
        partnership.name = changes["name"][1]
    if active is not None and active != partnership.active:
        changes["active"] = [partnership.active, active]
        partnership.active = active
    added = _schools_under(partnership.region, add)
    for school in added:
        if school.pk == partnership.lead_school_id:
            raise errors.invalid(errors.NOT_A_PARTNER, _("The lead school is already in."))
        PartnershipMember.objects.get_or_create(
            partnership=partnership, school=school, defaults={"school_path": school.path}
        )
    removed = [s.pk for s in remove]
    if removed:
        PartnershipMember.objects.filter(partnership=partnership, school_id__in=removed).delete()
    if partnership.kind == PartnershipKind.PAIR and partnership.members.count() != 1:
        raise errors.invalid(errors.NOT_A_PARTNER, _("A pair joins one school to the lead school."))
    if not partnership.members.exists():
        raise errors.invalid(errors.NOT_A_PARTNER, _("A partnership needs a partner school."))
    if added or removed:
        changes["members"] = [None, sorted(m.school.name for m in partnership.members.all())]
    _clean(partnership)
    partnership.save()
    audit_record(
        actor=actor,
        action="live.partnership_update",
        target=partnership,
        scope_path=partnership.region_path,
        changes=changes,
    )
    return partnership


def partner_school_ids(partnership: Partnership) -> set[int]:
    return {partnership.lead_school_id, *partnership.members.values_list("school_id", flat=True)}


# --- Scheduling (CLS-1) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassroomIn:
    klass: OrgUnit
    tutor: Any


def _school_of(klass: OrgUnit) -> OrgUnit:
    school = OrgUnit.objects.filter(
        kind=UnitKind.SCHOOL, path__in=[klass.path[:n] for n in range(4, len(klass.path), 4)]
    ).first()
    if school is None:
        raise errors.invalid(errors.NOT_A_PARTNER, _("The class is not in a school."))
    return school


def _check_classrooms(
    partnership: Partnership, host: OrgUnit, rooms: list[ClassroomIn]
) -> list[tuple[ClassroomIn, OrgUnit]]:
    if not rooms:
        raise errors.invalid(
            errors.NOT_A_PARTNER, _("Choose at least one receiving classroom."), field="classrooms"
        )
    if len(rooms) > MAX_CLASSROOMS:
        raise errors.invalid(
            errors.NOT_A_PARTNER,
            _("At most %(n)d receiving classrooms.") % {"n": MAX_CLASSROOMS},
            field="classrooms",
        )
    partners = partner_school_ids(partnership)
    seen: set[int] = set()
    out = []
    for room in rooms:
        if room.klass.kind != UnitKind.CLASS or room.klass.pk in seen:
            raise errors.invalid(
                errors.NOT_A_PARTNER,
                _("Each receiving classroom is a class, named once."),
                klass=room.klass.pk,
            )
        seen.add(room.klass.pk)
        school = _school_of(room.klass)
        if school.pk not in partners or school.pk == host.pk:
            raise errors.invalid(
                errors.NOT_A_PARTNER,
                _("%(name)s is not a partner school of this partnership.") % {"name": school.name},
                klass=room.klass.pk,
            )
        if room.tutor is None or not policies.can_tutor(room.tutor, room.klass):
            raise errors.invalid(
                errors.BAD_TUTOR,
                _("The tutor of %(klass)s must teach at %(school)s.")
                % {"klass": room.klass.name, "school": school.name},
                klass=room.klass.pk,
            )
        out.append((room, school))
    return out


def _occurrences(starts_at: datetime, weekly_until: date | None) -> list[datetime]:
    if weekly_until is None:
        return [starts_at]
    local = timezone.localtime(starts_at)
    if weekly_until < local.date():
        raise errors.invalid(
            errors.BAD_SCHEDULE, _("The repeat ends before the first lesson."), field="weekly_until"
        )
    out = []
    current = local
    while current.date() <= weekly_until:
        out.append(current)
        if len(out) > MAX_OCCURRENCES:
            raise errors.invalid(
                errors.BAD_SCHEDULE,
                _("At most %(n)d weekly lessons in one schedule.") % {"n": MAX_OCCURRENCES},
                field="weekly_until",
            )
        # Wall-clock time stays put across a daylight-saving change (none in China).
        naive = current.replace(tzinfo=None) + timedelta(days=7)
        current = timezone.make_aware(naive, timezone.get_current_timezone())
    return out


def _busy(q: Q, starts: datetime, ends: datetime, exclude: int | None = None) -> bool:
    qs = LiveSession.objects.filter(q, starts_at__lt=ends, ends_at__gt=starts).exclude(
        status=SessionStatus.CANCELLED
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


@transaction.atomic
def session_schedule(
    *,
    actor: Any,
    partnership: Partnership,
    host_school: OrgUnit,
    lesson: CatalogueNode,
    title: str,
    starts_at: datetime,
    minutes: int,
    classrooms: list[ClassroomIn],
    master: Any = None,
    weekly_until: date | None = None,
) -> list[LiveSession]:
    """Schedule a master's session (or a weekly series of them) for receiving classrooms."""
    master = master or actor
    if not partnership.active:
        raise errors.conflict(errors.NOT_A_PARTNER, _("This partnership is no longer active."))
    if host_school.pk not in partner_school_ids(partnership):
        raise errors.invalid(
            errors.NOT_A_PARTNER, _("The host school is not in this partnership."), field="host"
        )
    if not policies.can_host(actor, host_school):
        raise errors.forbidden(_("Only teachers and admins of the host school schedule lessons."))
    if not policies.can_tutor(master, host_school):
        raise errors.invalid(
            errors.BAD_TUTOR, _("The master teacher must teach at the host school."), field="master"
        )
    if lesson.kind not in LESSON_KINDS:
        raise errors.invalid(
            errors.BAD_LESSON, _("Choose a lesson or chapter of the catalogue."), field="lesson"
        )
    if not (MIN_MINUTES <= minutes <= MAX_MINUTES):
        raise errors.invalid(
            errors.BAD_TIMES,
            _("A lesson lasts %(a)d to %(b)d minutes.") % {"a": MIN_MINUTES, "b": MAX_MINUTES},
            field="minutes",
        )
    if starts_at < timezone.now() - timedelta(minutes=10):
        raise errors.invalid(errors.BAD_TIMES, _("The start lies in the past."), field="starts_at")
    title = _text(title, field="title", limit=200)
    rooms = _check_classrooms(partnership, host_school, classrooms)
    series = uuid.uuid4() if weekly_until else None
    made: list[LiveSession] = []
    for start in _occurrences(starts_at, weekly_until):
        end = start + timedelta(minutes=minutes)
        if _busy(Q(master=master), start, end):
            raise errors.conflict(
                "live.master_busy",
                _("%(who)s already teaches a live lesson at %(when)s.")
                % {"who": master.full_name or master.username, "when": _when(start)},
            )
        for room, _school in rooms:
            if _busy(Q(classrooms__klass=room.klass), start, end):
                raise errors.conflict(
                    "live.class_busy",
                    _("%(klass)s already receives a live lesson at %(when)s.")
                    % {"klass": room.klass.name, "when": _when(start)},
                    klass=room.klass.pk,
                )
        session = LiveSession(
            partnership=partnership,
            title=title,
            master=master,
            host_school=host_school,
            host_path=host_school.path,
            lesson=lesson,
            subject=lesson.subject,
            starts_at=start,
            ends_at=end,
            series=series,
            created_by=actor,
        )
        _clean(session)
        session.save()
        Classroom.objects.bulk_create(
            [
                Classroom(
                    session=session,
                    klass=room.klass,
                    class_path=room.klass.path,
                    school=school,
                    tutor=room.tutor,
                )
                for room, school in rooms
            ]
        )
        made.append(session)
    audit_record(
        actor=actor,
        action="live.session_schedule",
        target=made[0],
        scope_path=host_school.path,
        changes={
            "title": [None, title],
            "starts_at": [None, made[0].starts_at.isoformat()],
            "occurrences": [None, len(made)],
            "classrooms": [None, [room.klass.name for room, _s in rooms]],
        },
    )
    link = reverse("live:session", args=[made[0].pk])
    for tutor_id in {room.tutor.pk for room, _s in rooms}:
        notify(
            user_id=tutor_id,
            kind="live.scheduled",
            title=_("Live lesson scheduled: %(title)s") % {"title": title},
            body=_("%(when)s, %(n)d lesson(s). Join from the classroom's big screen.")
            % {"when": _when(made[0].starts_at), "n": len(made)},
            link=link,
        )
    return made


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _editable(actor: Any, session: LiveSession) -> None:
    if not policies.can_manage_session(actor, session):
        raise errors.forbidden()
    if session.status != SessionStatus.SCHEDULED:
        raise errors.conflict(
            "live.not_scheduled",
            _("Only a lesson that has not started can be changed."),
            status=session.status,
        )


@transaction.atomic
def session_cancel(*, actor: Any, session: LiveSession, following: bool = False) -> int:
    """Cancel a lesson, or it and the rest of its weekly series. Returns how many. The status
    is changed by a conditional update, so a lesson that started or was cancelled meanwhile
    is refused."""
    _editable(actor, session)
    targets = LiveSession.objects.filter(pk=session.pk)
    if following and session.series:
        targets = LiveSession.objects.filter(
            series=session.series, starts_at__gte=session.starts_at
        )
    ids = list(targets.filter(status=SessionStatus.SCHEDULED).values_list("pk", flat=True))
    count = LiveSession.objects.filter(pk__in=ids, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.CANCELLED
    )
    if session.pk not in ids or not count:
        raise errors.conflict(
            "live.not_scheduled", _("Only a lesson that has not started can be changed.")
        )
    session.status = SessionStatus.CANCELLED
    audit_record(
        actor=actor,
        action="live.session_cancel",
        target=session,
        scope_path=session.host_path,
        changes={"status": [SessionStatus.SCHEDULED, SessionStatus.CANCELLED], "count": count},
    )
    tutors = set(Classroom.objects.filter(session_id__in=ids).values_list("tutor_id", flat=True))
    for tutor_id in tutors:
        notify(
            user_id=tutor_id,
            kind="live.cancelled",
            title=_("Live lesson cancelled: %(title)s") % {"title": session.title},
            body=_when(session.starts_at),
            link=reverse("live:session", args=[session.pk]),
        )
    return count


@transaction.atomic
def session_reschedule(
    *, actor: Any, session: LiveSession, starts_at: datetime, minutes: int, title: str | None = None
) -> LiveSession:
    _editable(actor, session)
    if not (MIN_MINUTES <= minutes <= MAX_MINUTES):
        raise errors.invalid(errors.BAD_TIMES, _("A lesson lasts 10 to 240 minutes."))
    end = starts_at + timedelta(minutes=minutes)
    if _busy(Q(master_id=session.master_id), starts_at, end, exclude=session.pk):
        raise errors.conflict("live.master_busy", _("The master teacher is busy then."))
    before = [session.starts_at.isoformat(), session.ends_at.isoformat(), session.title]
    session.starts_at, session.ends_at = starts_at, end
    if title is not None:
        session.title = _text(title, field="title", limit=200)
    _clean(session)
    session.save()
    audit_record(
        actor=actor,
        action="live.session_reschedule",
        target=session,
        scope_path=session.host_path,
        changes={"when": [before, [starts_at.isoformat(), end.isoformat(), session.title]]},
    )
    return session


# --- Running a session -----------------------------------------------------------------------


def check_joinable(session: LiveSession, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        raise errors.conflict(errors.CANCELLED, _("This lesson was cancelled."))
    if session.status == SessionStatus.ENDED or now > session.ends_at + JOIN_LATE:
        raise errors.conflict(errors.ENDED, _("This lesson has ended."))
    if now < session.starts_at - JOIN_EARLY:
        raise errors.conflict(
            errors.NOT_OPEN_YET,
            _("The room opens 30 minutes before the lesson (%(when)s).")
            % {"when": _when(session.starts_at)},
        )


@transaction.atomic
def session_start(*, actor: Any, session: LiveSession) -> LiveSession:
    if session.master_id != actor.pk and not policies.can_manage_session(actor, session):
        raise errors.forbidden()
    check_joinable(session)
    if session.status == SessionStatus.LIVE:
        return session
    updated = LiveSession.objects.filter(pk=session.pk, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.LIVE, started_at=timezone.now()
    )
    session.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            action="live.session_start",
            target=session,
            scope_path=session.host_path,
            changes={"status": [SessionStatus.SCHEDULED, SessionStatus.LIVE]},
        )
    return session


@transaction.atomic
def session_end(*, actor: Any, session: LiveSession) -> LiveSession:
    if not policies.can_manage_session(actor, session):
        raise errors.forbidden()
    if session.status in (SessionStatus.ENDED, SessionStatus.CANCELLED):
        return session
    now = timezone.now()
    before = session.status
    LiveSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.ENDED, ended_at=now, started_at=session.started_at or now
    )
    Presence.objects.filter(session=session, left_at__isnull=True).update(left_at=now)
    LiveQuiz.objects.filter(session=session, status=QuizStatus.OPEN).update(
        status=QuizStatus.CLOSED, closed_at=now
    )
    session.refresh_from_db()
    audit_record(
        actor=actor,
        action="live.session_end",
        target=session,
        scope_path=session.host_path,
        changes={"status": [before, SessionStatus.ENDED]},
    )
    return session


# --- Recording (CLS-3 -> LIB-2) --------------------------------------------------------------


def recording_path(session: LiveSession) -> Path:
    folder = Path(settings.MEDIA_ROOT).parent / "live-recordings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"session-{session.pk}.webm"


def recording_append(*, actor: Any, session: LiveSession, seq: int, data: bytes) -> int:
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


def recording_finish(*, actor: Any, session: LiveSession) -> Resource:
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
            % {"title": session.title, "when": _when(session.starts_at)},
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


def _enqueue_submit(session_id: int, delay_s: int = 0) -> None:
    from tongke.live.tasks import submit_recording

    if delay_s:
        submit_recording.using(run_after=timezone.now() + timedelta(seconds=delay_s)).enqueue(
            session_id
        )
    else:
        submit_recording.enqueue(session_id)


def recording_submit(session_id: int) -> str:
    """Process the recording if nobody has yet, then submit it for review. While another
    worker is still transcoding it, try again later."""
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
    _enqueue_submit(session_id, delay_s=20)
    return "waiting"
