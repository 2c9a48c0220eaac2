"""Scheduling live lessons (CLS-1) and running them: schedule (one or a weekly series),
cancel, move, start and end a session. Who may is ``policies``; a double booking is a 409."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongke.accounts.models import User
from tongke.audit.services import audit_record
from tongke.library.enums import NodeKind
from tongke.library.models import CatalogueNode
from tongke.live import errors, policies, selectors
from tongke.live.enums import QuizStatus, SessionStatus
from tongke.live.models import (
    Classroom,
    LiveQuiz,
    LiveSession,
    Partnership,
    Presence,
)
from tongke.notifications.services import notify
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit

MAX_CLASSROOMS = 60
MAX_OCCURRENCES = 40
MIN_MINUTES, MAX_MINUTES = 10, 240
JOIN_EARLY = timedelta(minutes=30)  # classrooms may come in and test their devices
JOIN_LATE = timedelta(minutes=60)  # a room stays open this long past its planned end
LESSON_KINDS = (NodeKind.LESSON, NodeKind.CHAPTER, NodeKind.TOPIC)


# --- Scheduling (CLS-1) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassroomIn:
    klass: OrgUnit
    tutor: User | None


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
    partners = selectors.partner_school_ids(partnership)
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


def _check_times(starts_at: datetime, minutes: int) -> None:
    if not (MIN_MINUTES <= minutes <= MAX_MINUTES):
        raise errors.invalid(
            errors.BAD_TIMES,
            _("A lesson lasts %(a)d to %(b)d minutes.") % {"a": MIN_MINUTES, "b": MAX_MINUTES},
            field="minutes",
        )
    if starts_at < timezone.now() - timedelta(minutes=10):
        raise errors.invalid(errors.BAD_TIMES, _("The start lies in the past."), field="starts_at")


def _check_free(
    master: User, classes: list[OrgUnit], start: datetime, end: datetime, exclude: int | None = None
) -> None:
    """Neither the master nor a receiving class may be in two live lessons at once."""
    if _busy(Q(master_id=master.pk), start, end, exclude):
        raise errors.conflict(
            "live.master_busy",
            _("%(who)s already teaches a live lesson at %(when)s.")
            % {"who": master.full_name or master.username, "when": when(start)},
        )
    for klass in classes:
        if _busy(Q(classrooms__klass=klass), start, end, exclude):
            raise errors.conflict(
                "live.class_busy",
                _("%(klass)s already receives a live lesson at %(when)s.")
                % {"klass": klass.name, "when": when(start)},
                klass=klass.pk,
            )


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
    actor: User,
    partnership: Partnership,
    host_school: OrgUnit,
    lesson: CatalogueNode,
    title: str,
    starts_at: datetime,
    minutes: int,
    classrooms: list[ClassroomIn],
    master: User | None = None,
    weekly_until: date | None = None,
) -> list[LiveSession]:
    """Schedule a master's session (or a weekly series of them) for receiving classrooms."""
    master = master or actor
    _check_host(actor, partnership, host_school, master, lesson)
    _check_times(starts_at, minutes)
    title = errors.clean_text(title, field="title", limit=200)
    rooms = _check_classrooms(partnership, host_school, classrooms)
    series = uuid.uuid4() if weekly_until else None
    made: list[LiveSession] = []
    for start in _occurrences(starts_at, weekly_until):
        end = start + timedelta(minutes=minutes)
        _check_free(master, [room.klass for room, _school in rooms], start, end)
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
        errors.full_clean(session)
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
    _notify_tutors(made, title, {room.tutor.pk for room, _s in rooms if room.tutor is not None})
    return made


def _check_host(
    actor: User, partnership: Partnership, host: OrgUnit, master: User, lesson: CatalogueNode
) -> None:
    if not partnership.active:
        raise errors.conflict(errors.NOT_A_PARTNER, _("This partnership is no longer active."))
    if host.pk not in selectors.partner_school_ids(partnership):
        raise errors.invalid(
            errors.NOT_A_PARTNER, _("The host school is not in this partnership."), field="host"
        )
    if not policies.can_host(actor, host):
        raise errors.forbidden(_("Only teachers and admins of the host school schedule lessons."))
    if not policies.can_tutor(master, host):
        raise errors.invalid(
            errors.BAD_TUTOR, _("The master teacher must teach at the host school."), field="master"
        )
    if lesson.kind not in LESSON_KINDS:
        raise errors.invalid(
            errors.BAD_LESSON, _("Choose a lesson or chapter of the catalogue."), field="lesson"
        )


def _notify_tutors(made: list[LiveSession], title: str, tutor_ids: set[int]) -> None:
    link = reverse("live:session", args=[made[0].pk])
    for tutor_id in tutor_ids:
        notify(
            user_id=tutor_id,
            kind="live.scheduled",
            title=_("Live lesson scheduled: %(title)s") % {"title": title},
            body=_("%(when)s, %(n)d lesson(s). Join from the classroom's big screen.")
            % {"when": when(made[0].starts_at), "n": len(made)},
            link=link,
        )


def when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _editable(actor: User, session: LiveSession) -> None:
    if not policies.can_manage_session(actor, session):
        raise errors.forbidden()
    if session.status != SessionStatus.SCHEDULED:
        raise errors.conflict(
            "live.not_scheduled",
            _("Only a lesson that has not started can be changed."),
            status=session.status,
        )


@transaction.atomic
def session_cancel(*, actor: User, session: LiveSession, following: bool = False) -> int:
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
            body=when(session.starts_at),
            link=reverse("live:session", args=[session.pk]),
        )
    return count


@transaction.atomic
def session_reschedule(
    *,
    actor: User,
    session: LiveSession,
    starts_at: datetime,
    minutes: int,
    title: str | None = None,
) -> LiveSession:
    _editable(actor, session)
    _check_times(starts_at, minutes)
    end = starts_at + timedelta(minutes=minutes)
    classes = [c.klass for c in session.classrooms.select_related("klass")]
    _check_free(session.master, classes, starts_at, end, exclude=session.pk)
    before = [session.starts_at.isoformat(), session.ends_at.isoformat(), session.title]
    session.starts_at, session.ends_at = starts_at, end
    if title is not None:
        session.title = errors.clean_text(title, field="title", limit=200)
    errors.full_clean(session)
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
            % {"when": when(session.starts_at)},
        )


@transaction.atomic
def session_start(*, actor: User, session: LiveSession) -> LiveSession:
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
def session_end(*, actor: User, session: LiveSession) -> LiveSession:
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
