"""Who may see and do what in live classes and school partnerships.

- A partnership is run by the regional admins over its region; the admins, teachers and
  tutors of its schools see it.
- A live session is seen by its master teacher, the tutors of its receiving classrooms, the
  admins over the host school or a receiving class, the teachers of those schools, the
  students of the receiving classes and their parents (their live schedule).
- In the room: the master teaches; a classroom's device is joined by its tutor (or an admin of
  that school standing in); a student of a receiving class answers quizzes and asks questions
  from a phone; admins above watch. Anyone else, a tutor of an unrelated school included,
  gets the same NotFound as for a missing session. What each seat may do there (open a quiz,
  answer it, ask, chat, signal...) is a ``can_*(seat)`` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tongke.accounts.models import User
from tongke.core.errors import NotFound
from tongke.live.enums import MessageKind, SeatRole
from tongke.live.models import Classroom, LiveSession, Partnership, PartnershipMember, RoomMessage
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit

# Who is asking: a signed-in person, or anyone (lists and pages answer anonymous visitors too).
Viewer: TypeAlias = User | AnonymousUser


def _school_path(path: str) -> str:
    """The school a class or grade path lies in (schools sit at varying depths)."""
    unit = OrgUnit.objects.filter(kind=UnitKind.SCHOOL, path__in=org.ancestor_paths(path)).first()
    return unit.path if unit else path


def _teaching_school_paths(user: Viewer) -> list[str]:
    """Schools where the user teaches or tutors (a class-level grant counts for its school)."""
    return sorted({_school_path(p) for p in org.teaching_paths(user)})


def student_class_paths(user: Viewer) -> list[str]:
    return sorted(
        {g.path for g in org.grants_of(user) if g.role == Role.STUDENT and g.path is not None}
    )


# --- Partnerships ----------------------------------------------------------------------------


def partnership_visible_to(user: Viewer) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    admin = org.admin_paths(user)
    if org.ROOT in admin:
        return Q()
    schools = _teaching_school_paths(user) + admin
    members = PartnershipMember.objects.filter(org.under_paths(schools, "school_path")).values(
        "partnership_id"
    )
    return (
        org.under_paths(admin, "region_path")
        | Q(pk__in=members)
        | org.under_paths(schools, "lead_school__path")
    )


def access_partnership(user: Viewer, partnership_id: int) -> Partnership:
    found = (
        Partnership.objects.filter(partnership_visible_to(user), pk=partnership_id)
        .select_related("region", "lead_school")
        .first()
    )
    if found is None:
        raise NotFound(code="live.partnership_not_found")
    return found


def can_pair_schools(user: Viewer) -> bool:
    """Regional admins pair schools (and see the partnership form)."""
    return bool(org.region_admin_paths(user))


def can_manage_partnership(user: Viewer, region: OrgUnit) -> bool:
    return org.is_within(region.path, org.region_admin_paths(user))


# --- Sessions --------------------------------------------------------------------------------


def session_visible_to(user: Viewer) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    admin = org.admin_paths(user)
    if org.ROOT in admin:
        return Q()
    schools = _teaching_school_paths(user)
    classes = student_class_paths(user) + org.children_class_paths(user)
    received = Classroom.objects.filter(
        org.under_paths(admin + schools, "class_path")
        | Q(tutor_id=user.pk)
        | Q(class_path__in=classes)
    ).values("session_id")
    return Q(master_id=user.pk) | org.under_paths(admin + schools, "host_path") | Q(pk__in=received)


def access_session(user: Viewer, session_id: int) -> LiveSession:
    found = (
        LiveSession.objects.filter(session_visible_to(user), pk=session_id)
        .select_related("master", "host_school", "lesson", "partnership")
        .first()
    )
    if found is None:
        raise NotFound(code="live.session_not_found")
    return found


def can_manage_session(user: Viewer, session: LiveSession) -> bool:
    """The master, and the admins over the host school, edit, cancel and run it."""
    return session.master_id == user.pk or org.is_within(session.host_path, org.admin_paths(user))


def can_host(user: Viewer, school: OrgUnit) -> bool:
    """Who schedules a session hosted by ``school``: its teachers and its admins."""
    grants = org.grants_of(user)
    teaches = any(
        g.role in TEACHING_ROLES and g.path is not None and g.path.startswith(school.path)
        for g in grants
    )
    return teaches or org.is_within(school.path, org.admin_paths(user))


def can_tutor(person: User, klass: OrgUnit) -> bool:
    """A tutor must teach (or tutor) at the receiving class's school or in the class."""
    school_path = _school_path(klass.path)
    return any(
        g.role in TEACHING_ROLES
        and g.path is not None
        and (g.path == school_path or klass.path.startswith(g.path))
        for g in org.grants_of(person)
    )


def can_drive_classroom(user: Viewer, classroom: Classroom) -> bool:
    """The classroom's tutor, or an admin of its school standing in."""
    return classroom.tutor_id == user.pk or org.is_within(
        classroom.class_path, org.admin_paths(user)
    )


@dataclass(frozen=True)
class Seat:
    """How a person takes part in a room."""

    role: SeatRole
    classroom: Classroom | None

    @property
    def classroom_id(self) -> int | None:
        return self.classroom.pk if self.classroom is not None else None

    @property
    def peer(self) -> str:
        if self.role == SeatRole.MASTER:
            return "master"
        if self.role == SeatRole.CLASSROOM and self.classroom is not None:
            return self.classroom.peer
        return ""


def room_seat(user: Viewer, session: LiveSession, classroom_id: int | None) -> Seat:
    """The seat ``user`` takes in ``session``'s room, or NotFound. ``classroom_id`` is asked
    for by a classroom device; a forged or foreign one is refused like a missing one."""
    if classroom_id is not None:
        classroom = Classroom.objects.filter(session=session, pk=classroom_id).first()
        if classroom is None or not can_drive_classroom(user, classroom):
            raise NotFound(code="live.classroom_not_found")
        return Seat(SeatRole.CLASSROOM, classroom)
    if session.master_id == user.pk:
        return Seat(SeatRole.MASTER, None)
    classes = student_class_paths(user)
    if classes:
        mine = Classroom.objects.filter(session=session, class_path__in=classes).first()
        if mine is not None:
            return Seat(SeatRole.STUDENT, mine)
    admin = org.admin_paths(user)
    if (
        org.is_within(session.host_path, admin)
        or Classroom.objects.filter(org.under_paths(admin, "class_path"), session=session).exists()
    ):
        return Seat(SeatRole.OBSERVER, None)
    raise NotFound(code="live.session_not_found")


# --- In the room: what a seat may do (frames are routed through these in consumers.py) ------


class Seated(Protocol):
    """A seat in a room: a ``Seat`` on the page, or a connection's ``events.Joined``."""

    @property
    def role(self) -> SeatRole: ...

    @property
    def classroom_id(self) -> int | None: ...

    @property
    def peer(self) -> str: ...


def can_watch_room(seat: Seated) -> bool:
    """The master and the admins watching see every classroom: quiz totals, headcounts and
    who is online."""
    return seat.role in (SeatRole.MASTER, SeatRole.OBSERVER)


def can_publish_media(seat: Seated) -> bool:
    """The master's and the classrooms' devices send a picture (a tile, an SFU feed);
    phones and observers only receive."""
    return seat.role in (SeatRole.MASTER, SeatRole.CLASSROOM)


def can_open_quiz(seat: Seated) -> bool:
    return seat.role == SeatRole.MASTER


def can_close_quiz(seat: Seated) -> bool:
    return seat.role == SeatRole.MASTER


def can_answer_quiz(seat: Seated) -> bool:
    """A classroom's tutor enters the room's counts; a student answers from a phone."""
    return seat.role in (SeatRole.CLASSROOM, SeatRole.STUDENT) and seat.classroom_id is not None


def can_ask(seat: Seated) -> bool:
    """Questions and raised hands come from the classrooms (a pupil's phone included)."""
    return seat.role in (SeatRole.CLASSROOM, SeatRole.STUDENT)


def can_chat(seat: Seated) -> bool:
    """A pupil's question is shown under the classroom's name; chat would show the child's
    own name to every room, so pupils ask, they do not chat."""
    return seat.role != SeatRole.STUDENT


def can_resolve_message(seat: Seated, message: RoomMessage) -> bool:
    """The master answers a question or lowers a hand; a classroom may lower its own hand."""
    own_hand = message.kind == MessageKind.HAND and message.classroom_id == seat.classroom_id
    return seat.role == SeatRole.MASTER or (seat.role == SeatRole.CLASSROOM and own_hand)


def can_count_heads(seat: Seated) -> bool:
    """The tutor counts the students in the room."""
    return seat.role == SeatRole.CLASSROOM


def can_switch_mode(seat: Seated) -> bool:
    """A classroom on a weak link switches itself to audio plus slides."""
    return seat.role == SeatRole.CLASSROOM


def can_give_floor(seat: Seated) -> bool:
    return seat.role == SeatRole.MASTER


def can_send_slides(seat: Seated) -> bool:
    return seat.role == SeatRole.MASTER


def can_end_room(seat: Seated) -> bool:
    return seat.role == SeatRole.MASTER


def can_signal(seat: Seated, to: str | None) -> bool:
    """WebRTC signals pass between the master and a classroom only."""
    if seat.role == SeatRole.MASTER:
        return to is not None and to.startswith("c") and to[1:].isascii() and to[1:].isdigit()
    return seat.role == SeatRole.CLASSROOM and to == "master"


def can_watch_feed(seat: Seated, link: str, peer: str) -> bool:
    """Through the SFU, the master watches every classroom; a classroom watches the master
    and the classroom brought in (the floor); nobody subscribes to itself."""
    return peer != seat.peer and (
        seat.role == SeatRole.MASTER or peer == "master" or link == "floor"
    )
