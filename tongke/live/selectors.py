"""Reads of live classes: schedules and calendars, attendance, post-class reports and the
outcomes of a partnership. Every list starts from a ``*_visible_to`` filter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tongke.accounts.models import User
from tongke.core.errors import NotFound
from tongke.learning import policies as learning_policies
from tongke.learning.models import Item
from tongke.library.models import CatalogueNode
from tongke.live import policies
from tongke.live.enums import MessageKind, QuizStatus, SessionStatus
from tongke.live.models import (
    Classroom,
    LiveQuiz,
    LiveSession,
    Partnership,
    PartnershipMember,
    Presence,
    QuizAnswer,
    RoomMessage,
)
from tongke.live.policies import Viewer
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment


def partnership_list(viewer: Viewer) -> QuerySet[Partnership]:
    return (
        Partnership.objects.filter(policies.partnership_visible_to(viewer))
        .select_related("region", "lead_school")
        .prefetch_related(
            Prefetch("members", queryset=PartnershipMember.objects.select_related("school"))
        )
        .annotate(n_sessions=Count("sessions", distinct=True))
        .order_by("name", "pk")
    )


def session_list(
    viewer: Viewer,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    partnership: Partnership | None = None,
    klass: OrgUnit | None = None,
) -> QuerySet[LiveSession]:
    qs = LiveSession.objects.filter(policies.session_visible_to(viewer))
    if start is not None:
        qs = qs.filter(ends_at__gt=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if klass is not None:
        qs = qs.filter(classrooms__klass=klass)
    return (
        qs.select_related("master", "host_school", "lesson", "partnership")
        .prefetch_related(
            Prefetch(
                "classrooms", queryset=Classroom.objects.select_related("klass", "school", "tutor")
            )
        )
        .order_by("starts_at", "pk")
    )


def session_get(viewer: Viewer, session_id: int) -> LiveSession:
    return policies.access_session(viewer, session_id)


def week_bounds(day: datetime | None = None) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday, local time."""
    local = timezone.localtime(day or timezone.now())
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday, monday + timedelta(days=7)


@dataclass
class Entry:
    """A line of someone's live calendar: the session and what they do in it."""

    session: LiveSession
    part: str  # master, tutor, student, parent, watcher
    classroom: Classroom | None = None
    child: str = ""


def calendar(viewer: Viewer, start: datetime, end: datetime) -> list[Entry]:
    """``viewer``'s live lessons between ``start`` and ``end``: as master, as a classroom's
    tutor, as a student of a receiving class, as a parent (per child), or as a watcher."""
    sessions = list(session_list(viewer, start=start, end=end))
    mine = set(policies.student_class_paths(viewer))
    children = _children_classes(viewer)
    out: list[Entry] = []
    for s in sessions:
        rooms = list(s.classrooms.all())
        if s.master_id == viewer.pk:
            out.append(Entry(s, "master"))
            continue
        tutored = [c for c in rooms if c.tutor_id == viewer.pk]
        for c in tutored:
            out.append(Entry(s, "tutor", c))
        studied = [c for c in rooms if c.class_path in mine]
        for c in studied:
            out.append(Entry(s, "student", c))
        kids = [(c, name) for c in rooms for path, name in children if c.class_path == path]
        for c, name in kids:
            out.append(Entry(s, "parent", c, child=name))
        if not (tutored or studied or kids):
            out.append(Entry(s, "watcher"))
    return out


def _children_classes(viewer: Viewer) -> list[tuple[str, str]]:
    ids = org.child_ids(viewer)
    if not ids:
        return []
    return [
        (path, full_name or username)
        for path, full_name, username in RoleAssignment.objects.filter(
            user_id__in=ids, role=Role.STUDENT, unit__isnull=False
        ).values_list("unit__path", "user__full_name", "user__username")
    ]


# --- Scheduling choices ----------------------------------------------------------------------


def host_choices(viewer: Viewer, partnership: Partnership) -> list[OrgUnit]:
    schools = [partnership.lead_school, *[m.school for m in partnership.members.all()]]
    return [s for s in schools if policies.can_host(viewer, s)]


@dataclass
class ClassChoice:
    klass: OrgUnit
    school: OrgUnit
    tutor: User | None


def class_choices(partnership: Partnership, host: OrgUnit | None) -> list[ClassChoice]:
    """Classes of the partner schools with their default tutor: the school's tutor, else the
    class's own teacher."""
    schools = [m.school for m in partnership.members.select_related("school")]
    schools += [partnership.lead_school]
    schools = [s for s in schools if host is None or s.pk != host.pk]
    q = Q(pk__in=[])
    for s in schools:
        q |= Q(path__startswith=s.path)
    classes = list(OrgUnit.objects.filter(q, kind=UnitKind.CLASS).order_by("path"))
    by_path = {s.path: s for s in schools}
    grants = list(
        RoleAssignment.objects.filter(
            org.under_paths([s.path for s in schools], "unit__path"), role__in=TEACHING_ROLES
        )
        .select_related("user", "unit")
        .order_by("pk")
    )
    out = []
    for klass in classes:
        school = next(s for p, s in by_path.items() if klass.path.startswith(p))
        paths = [(g, g.unit.path if g.unit is not None else "") for g in grants]
        tutor = next(
            (g.user for g, p in paths if g.role == Role.TUTOR and p == school.path), None
        ) or next((g.user for g, p in paths if p == klass.path), None)
        out.append(ClassChoice(klass, school, tutor))
    return out


# --- Attendance and reports ------------------------------------------------------------------


def _union_minutes(spans: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for a, b in sorted(spans):
        if current is None or a > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (a, b)
        else:
            current = (current[0], max(current[1], b))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return round(total / 60, 1)


@dataclass
class Attendance:
    classroom: Classroom
    first_joined: datetime | None = None
    last_left: datetime | None = None
    minutes: float = 0.0
    connections: int = 0
    online: bool = False
    phones: int = 0  # students who answered or asked from their own phone


def attendance(session: LiveSession, now: datetime | None = None) -> list[Attendance]:
    """Per receiving classroom: when its device first joined and last left, minutes present
    (the union of its connections, clipped to the session), reconnects and phones."""
    now = now or timezone.now()
    until = session.ended_at or min(now, session.ends_at + timedelta(hours=1))
    rooms = list(session.classrooms.select_related("klass", "school", "tutor"))
    rows: dict[int, Attendance] = {c.pk: Attendance(c) for c in rooms}
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    phones: dict[int, set[int]] = defaultdict(set)
    for p in Presence.objects.filter(session=session, classroom__isnull=False).order_by(
        "joined_at"
    ):
        row = rows.get(p.classroom_id or 0)
        if row is None:
            continue
        if p.peer.startswith("u"):
            phones[row.classroom.pk].add(p.user_id)
            continue
        left = p.left_at or until
        row.connections += 1
        row.online = row.online or p.left_at is None
        row.first_joined = min(filter(None, [row.first_joined, p.joined_at]))
        row.last_left = max(filter(None, [row.last_left, left]))
        spans[row.classroom.pk].append((p.joined_at, max(p.joined_at, left)))
    for pk, row in rows.items():
        row.minutes = _union_minutes(spans[pk])
        row.phones = len(phones[pk])
    return list(rows.values())


@dataclass
class QuizLine:
    quiz: LiveQuiz
    counts: list[int]
    answered: int
    correct: int

    @property
    def rate(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass
class Report:
    session: LiveSession
    classroom: Classroom
    attendance: Attendance
    quizzes: list[QuizLine] = field(default_factory=list)
    questions: list[RoomMessage] = field(default_factory=list)
    hands: int = 0

    @property
    def answered(self) -> int:
        return sum(q.answered for q in self.quizzes)

    @property
    def correct(self) -> int:
        return sum(q.correct for q in self.quizzes)


def classroom_report(session: LiveSession, classroom: Classroom) -> Report:
    """The post-class report of one receiving classroom: attendance, every quiz with the
    room's answers, and the questions it asked."""
    row = next(a for a in attendance(session) if a.classroom.pk == classroom.pk)
    report = Report(session, classroom, row)
    answers: dict[int, list[int]] = {}
    for quiz_id, counts in QuizAnswer.objects.filter(
        quiz__session=session, classroom=classroom
    ).values_list("quiz_id", "counts"):
        total = answers.setdefault(quiz_id, [])
        for i, n in enumerate(counts):
            while len(total) <= i:
                total.append(0)
            total[i] += int(n)
    for quiz in session.quizzes.order_by("pk"):
        counts = answers.get(quiz.pk, [])
        counts = counts + [0] * (len(quiz.choices) - len(counts))
        report.quizzes.append(
            QuizLine(quiz, counts, sum(counts), counts[quiz.correct] if counts else 0)
        )
    messages = RoomMessage.objects.filter(session=session, classroom=classroom)
    report.questions = list(messages.filter(kind=MessageKind.QUESTION).order_by("pk"))
    report.hands = messages.filter(kind=MessageKind.HAND).count()
    return report


def visible_classrooms(viewer: Viewer, session: LiveSession) -> list[Classroom]:
    """The receiving classrooms whose reports ``viewer`` may read: the master and admins over
    the host see all; a tutor, the school's admins and teachers see their own school's;
    students and parents see none (the report is about the room, not a person)."""
    rooms = list(session.classrooms.select_related("klass", "school", "tutor"))
    if policies.can_manage_session(viewer, session):
        return rooms
    admin = org.admin_paths(viewer)
    schools = policies._teaching_school_paths(viewer)
    return [
        c for c in rooms if c.tutor_id == viewer.pk or org.is_within(c.class_path, admin + schools)
    ]


@dataclass
class SchoolOutcome:
    school: OrgUnit
    lessons: int = 0
    minutes: float = 0.0
    answered: int = 0
    correct: int = 0

    @property
    def rate(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def partnership_outcomes(partnership: Partnership) -> dict[str, Any]:
    """What a pairing delivered: lessons held, minutes received and quiz accuracy per
    partner school (ORG-4's tracked outcomes)."""
    sessions = list(
        LiveSession.objects.filter(partnership=partnership).exclude(status=SessionStatus.CANCELLED)
    )
    held = [s for s in sessions if s.status == SessionStatus.ENDED]
    by_school: dict[int, SchoolOutcome] = {
        m.school_id: SchoolOutcome(m.school) for m in partnership.members.select_related("school")
    }
    for s in held:
        for row in attendance(s):
            out = by_school.get(row.classroom.school_id)
            if out is None:
                continue
            out.lessons += 1 if row.connections else 0
            out.minutes += row.minutes
    for school_id, correct, counts in QuizAnswer.objects.filter(
        quiz__session__partnership=partnership, quiz__status=QuizStatus.CLOSED
    ).values_list("classroom__school_id", "quiz__correct", "counts"):
        out = by_school.get(school_id)
        if out is None:
            continue
        out.answered += sum(int(n) for n in counts)
        out.correct += int(counts[correct]) if correct < len(counts) else 0
    return {
        "scheduled": len(sessions),
        "held": len(held),
        "upcoming": sum(1 for s in sessions if s.status == SessionStatus.SCHEDULED),
        "schools": list(by_school.values()),
    }


def quiz_items(viewer: Viewer, session: LiveSession, limit: int = 40) -> list[Item]:
    """Bank questions with one right choice aligned with the session's lesson (its chapter),
    for the master to push; typed questions cover the rest."""

    node = session.lesson
    anchor = CatalogueNode.objects.get_parent(node) if node.kind == "lesson" else node
    path = anchor.path if anchor is not None else node.path
    return list(
        Item.objects.filter(
            learning_policies.item_visible_to(viewer),
            is_current=True,
            kind__in=["single", "true_false"],
            points__node__path__startswith=path,
        )
        .distinct()
        .order_by("pk")[:limit]
    )


def schools_under(paths: list[str]) -> list[OrgUnit]:
    if not paths:
        return []
    return list(
        OrgUnit.objects.filter(org.under_paths(paths), kind=UnitKind.SCHOOL).order_by("path")
    )


def visible_classroom(viewer: Viewer, session: LiveSession, classroom_id: int) -> Classroom:
    found = next((c for c in visible_classrooms(viewer, session) if c.pk == classroom_id), None)
    if found is None:
        raise NotFound(code="live.classroom_not_found")
    return found


def partner_class(partnership: Partnership, class_id: int) -> OrgUnit:
    """A class of one of the partnership's schools (seen through the partnership, so a master
    teacher may name classes of schools it does not belong to)."""

    schools = [
        partnership.lead_school.path,
        *partnership.members.values_list("school_path", flat=True),
    ]
    found = OrgUnit.objects.filter(
        org.under_paths(schools), pk=class_id, kind=UnitKind.CLASS
    ).first()
    if found is None:
        raise NotFound(code="live.class_not_found")
    return found


def partner_teacher(partnership: Partnership, user_id: int) -> User:
    """A teacher or tutor of one of the partnership's schools."""

    schools = [
        partnership.lead_school.path,
        *partnership.members.values_list("school_path", flat=True),
    ]
    teaches = RoleAssignment.objects.filter(
        org.under_paths(schools, "unit__path"), user_id=user_id, role__in=TEACHING_ROLES
    )
    if not teaches.exists():
        raise NotFound(code="live.teacher_not_found")
    return User.objects.get(pk=user_id)


def partner_school_ids(partnership: Partnership) -> set[int]:
    """The lead school and the partner schools of ``partnership``."""
    return {partnership.lead_school_id, *partnership.members.values_list("school_id", flat=True)}
