"""Demo data for cross-school course selection (CLS-5).

A first-come round for 海淀区, open now, with a dozen afternoon sections hosted by the four
Haidian schools; a fixed home timetable for 三年级（1）班 of 海淀实验小学 (s00001's class);
a few dozen picks by other students so the fill view, a full section with a waitlist and
pending approvals have something to show; and a lottery round for 朝阳区 still in draft.

Everything is written through the course-selection services, so audit events exist. It
avoids what the course tests rely on: no picks by students of BJ-HD-S01-G03-C1, no approval
rule for BJ-HD-S01, and the home timetable leaves 08:00-09:00 and every afternoon from
15:00 free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tongke.courses import services
from tongke.courses.enums import Mode, RoundMode, RoundStatus, SelectionStatus
from tongke.courses.models import ApprovalRule, Selection, SelectionRound
from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

HD_ROUND = "2026秋季学期 海淀区跨校选修"
CY_ROUND = "2026秋季学期 朝阳区跨校选修（抽签）"
HOME_CLASS = "BJ-HD-S01-G03-C1"

LIVE, HERE = Mode.LIVE_ONLINE, Mode.IN_PERSON
PRIMARY, JUNIOR = (3, 6), (7, 9)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    title_en: str
    subject: str
    host: str
    mode: str
    seats: int
    credits: str
    grades: tuple[int, int]
    slots: tuple[tuple[int, str, str], ...]
    description: str = ""


# Mon-Fri afternoons; a few overlap on purpose (3D打印 with 机器人编程, 英语戏剧 with 合唱,
# 剪纸 with 书法, 英语辩论 with 生物实验) so the catalogue can show conflicts.
HD_SECTIONS = (
    Section(
        "HD-ROBOT",
        "机器人编程",
        "Robot programming",
        "科技",
        "BJ-HD-S02",
        LIVE,
        30,
        "2",
        PRIMARY,
        ((1, "15:30", "17:00"),),
        "用图形化编程让小车走迷宫、避障碍。",
    ),
    Section(
        "HD-CALLI",
        "书法",
        "Calligraphy",
        "艺术",
        "BJ-HD-S01",
        HERE,
        24,
        "1",
        PRIMARY,
        ((2, "15:30", "16:30"),),
        "从楷书笔画练起，期末完成一幅作品。",
    ),
    Section(
        "HD-CHOIR",
        "合唱",
        "Choir",
        "艺术",
        "BJ-HD-S02",
        HERE,
        40,
        "1",
        PRIMARY,
        ((3, "15:30", "16:30"),),
    ),
    Section(
        "HD-XQ",
        "中国象棋",
        "Chinese chess",
        "体育",
        "BJ-HD-S01",
        LIVE,
        30,
        "1",
        PRIMARY,
        ((4, "15:30", "16:30"),),
    ),
    Section(
        "HD-3DP",
        "3D打印",
        "3D printing",
        "科技",
        "BJ-HD-S02",
        HERE,
        20,
        "2",
        PRIMARY,
        ((1, "16:00", "17:00"),),
        "设计并打印自己的小作品。",
    ),
    Section(
        "HD-DRAMA",
        "英语戏剧",
        "English drama",
        "语言",
        "BJ-HD-S01",
        LIVE,
        30,
        "2",
        PRIMARY,
        ((3, "16:00", "17:00"),),
    ),
    Section(
        "HD-ASTRO",
        "天文观测",
        "Astronomy",
        "科学",
        "BJ-HD-S02",
        LIVE,
        25,
        "2",
        PRIMARY,
        ((5, "15:30", "17:00"),),
        "认识星座，用望远镜观测月面。",
    ),
    Section(
        "HD-PAPER",
        "剪纸",
        "Paper cutting",
        "艺术",
        "BJ-HD-S01",
        HERE,
        20,
        "1",
        PRIMARY,
        ((2, "16:00", "17:00"),),
    ),
    Section(
        "HD-AI",
        "人工智能入门",
        "Introduction to AI",
        "科技",
        "BJ-HD-S04",
        LIVE,
        40,
        "2",
        JUNIOR,
        ((1, "15:30", "17:00"),),
    ),
    Section(
        "HD-GO",
        "围棋",
        "Go",
        "体育",
        "BJ-HD-S03",
        HERE,
        30,
        "1",
        JUNIOR,
        ((2, "15:30", "16:30"),),
    ),
    Section(
        "HD-BIO",
        "生物实验",
        "Biology lab",
        "科学",
        "BJ-HD-S04",
        HERE,
        24,
        "2",
        JUNIOR,
        ((4, "15:30", "17:00"),),
    ),
    Section(
        "HD-DEBATE",
        "英语辩论",
        "English debate",
        "语言",
        "BJ-HD-S03",
        LIVE,
        30,
        "1",
        JUNIOR,
        ((4, "16:00", "17:00"),),
    ),
)

CY_SECTIONS = (
    Section(
        "CY-DANCE",
        "民族舞",
        "Folk dance",
        "艺术",
        "BJ-CY-S05",
        HERE,
        24,
        "1",
        PRIMARY,
        ((2, "15:30", "16:30"),),
    ),
    Section(
        "CY-SCI",
        "趣味科学实验",
        "Fun science experiments",
        "科学",
        "BJ-CY-S05",
        LIVE,
        30,
        "2",
        PRIMARY,
        ((4, "15:30", "17:00"),),
    ),
    Section(
        "CY-PHOTO",
        "摄影入门",
        "Photography basics",
        "艺术",
        "BJ-CY-S06",
        LIVE,
        30,
        "1",
        JUNIOR,
        ((3, "15:30", "16:30"),),
    ),
    Section(
        "CY-FOOTBALL",
        "校园足球",
        "School football",
        "体育",
        "BJ-CY-S06",
        HERE,
        40,
        "1",
        JUNIOR,
        ((5, "15:30", "17:00"),),
    ),
)

# The fixed home timetable of 三年级（1）班: lessons 09:00-11:40 and 13:30-14:50.
HOME_LESSONS = {
    1: ("语文 · 数学 · 英语", "科学 · 美术"),
    2: ("数学 · 语文 · 道德与法治", "体育 · 音乐"),
    3: ("英语 · 语文 · 数学", "信息科技 · 体育"),
    4: ("语文 · 数学 · 科学", "美术 · 劳动"),
    5: ("数学 · 英语 · 语文", "班会 · 阅读"),
}

# Who picks what: (class code, how many of its students, section codes, waitlist if full).
# TEACHERS_CLASS stands for the other class of 三年级（1）班's head teacher (t0001), so the
# teacher's home-school page has picks to show.
TEACHERS_CLASS = "teachers-class"
PICKS = (
    (TEACHERS_CLASS, 6, ("HD-CALLI", "HD-ASTRO"), False),
    (TEACHERS_CLASS, 4, ("HD-XQ",), False),
    ("BJ-HD-S01-G04-C1", 8, ("HD-ROBOT", "HD-CHOIR"), False),
    ("BJ-HD-S02-G04-C1", 12, ("HD-3DP",), True),
    ("BJ-HD-S02-G05-C1", 10, ("HD-3DP", "HD-DRAMA"), True),
    ("BJ-HD-S03-G07-C1", 8, ("HD-AI", "HD-GO"), False),
    ("BJ-HD-S03-G08-C1", 5, ("HD-BIO",), False),
)
APPROVING_SCHOOL = "BJ-HD-S02"  # its picks wait for approval; the first 12 are approved
APPROVED = 12


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _teachers(school: OrgUnit) -> list[Any]:
    ids = (
        RoleAssignment.objects.filter(role=Role.TEACHER, unit=school)
        .order_by("user__username")
        .values_list("user_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=list(ids)).order_by("username"))


def _students(class_code: str, skip: int, n: int) -> list[Any]:
    ids = (
        RoleAssignment.objects.filter(role=Role.STUDENT, unit__code=class_code)
        .order_by("user__username")
        .values_list("user_id", flat=True)[skip : skip + n]
    )
    return list(get_user_model().objects.filter(pk__in=list(ids)).order_by("username"))


def _teachers_other_class() -> str:
    """Another class taught by a teacher of HOME_CLASS (the demo's t0001), or a fallback."""
    teachers = RoleAssignment.objects.filter(role=Role.TEACHER, unit__code=HOME_CLASS).values(
        "user_id"
    )
    other = (
        RoleAssignment.objects.filter(
            role=Role.TEACHER, user_id__in=teachers, unit__kind=UnitKind.CLASS
        )
        .exclude(unit__code=HOME_CLASS)
        .order_by("user__username", "unit__path")
        .values_list("unit__code", flat=True)
        .first()
    )
    return other or "BJ-HD-S01-G05-C2"


def _slot(day: int, starts: str, ends: str, label: str = "") -> services.SlotIn:
    return services.SlotIn(day, time.fromisoformat(starts), time.fromisoformat(ends), label)


def _offer(actor: Any, rnd: SelectionRound, sections: tuple[Section, ...]) -> dict[str, Any]:
    made: dict[str, Any] = {}
    used: dict[str, int] = {}
    staff: dict[str, list[Any]] = {}
    for s in sections:
        host = _unit(s.host)
        if s.host not in staff:
            staff[s.host] = _teachers(host)
        teachers = staff[s.host]
        teacher = teachers[used.get(s.host, 0) % len(teachers)] if teachers else None
        used[s.host] = used.get(s.host, 0) + 1
        made[s.code] = services.offering_create(
            actor=actor,
            rnd=rnd,
            host_school=host,
            slots=[_slot(*slot) for slot in s.slots],
            code=s.code,
            title=s.title,
            title_en=s.title_en,
            description=s.description,
            subject=s.subject,
            teacher=teacher,
            mode=s.mode,
            seats=s.seats,
            credits=Decimal(s.credits),
            hours=16 if Decimal(s.credits) < 2 else 32,
            grade_min=s.grades[0],
            grade_max=s.grades[1],
        )
    return made


def seed_courses() -> bool:
    """Seed the course-selection demo; returns False when it is there already."""
    hd = _unit("BJ-HD")
    if SelectionRound.objects.filter(scope=hd, name=HD_ROUND).exists():
        return False
    now = timezone.now()
    hd_admin = _user("hd_admin")
    bj_admin = _user("bj_admin")

    # A class's fixed home timetable: what its students' picks must not overlap.
    services.home_slots_set(
        actor=hd_admin,
        klass=_unit(HOME_CLASS),
        slots=[
            slot
            for day, (morning, afternoon) in HOME_LESSONS.items()
            for slot in (
                _slot(day, "09:00", "11:40", morning),
                _slot(day, "13:30", "14:50", afternoon),
            )
        ],
    )

    rnd = services.round_create(
        actor=hd_admin,
        scope=hd,
        name=HD_ROUND,
        mode=RoundMode.FIRST_COME,
        status=RoundStatus.OPEN,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        drop_until=now + timedelta(days=37),
        max_sections=3,
        max_credits=Decimal(6),
        lottery_seed=SEED_HD,
    )
    offerings = _offer(hd_admin, rnd, HD_SECTIONS)

    # 中关村第一小学 approves its students' picks; the others enrol at once.
    approving = _unit(APPROVING_SCHOOL)
    ApprovalRule.objects.create(school=approving, required=True, hours=48)
    taken: dict[str, int] = {}
    teachers_class = _teachers_other_class()
    for class_code, n, codes, waitlist in PICKS:
        if class_code == TEACHERS_CLASS:
            class_code = teachers_class
        skip = taken.get(class_code, 0)
        taken[class_code] = skip + n
        for student in _students(class_code, skip, n):
            for code in codes:
                offering = offerings[code]
                offering.refresh_from_db(fields=["taken"])
                if offering.taken >= offering.seats and not waitlist:
                    continue
                services.selection_create(actor=student, offering=offering, waitlist=waitlist)
    school_admin = (
        RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, unit=approving)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if school_admin is not None:
        pending = list(
            Selection.objects.filter(
                round=rnd, home_school=approving, status=SelectionStatus.PENDING
            ).order_by("id")[:APPROVED]
        )
        services.selections_decide_bulk(actor=school_admin.user, selections=pending, approve=True)

    # 朝阳区 prepares a lottery round; it is still a draft.
    cy = services.round_create(
        actor=bj_admin,
        scope=_unit("BJ-CY"),
        name=CY_ROUND,
        mode=RoundMode.LOTTERY,
        status=RoundStatus.DRAFT,
        opens_at=now + timedelta(days=7),
        closes_at=now + timedelta(days=14),
        drop_until=now + timedelta(days=21),
        max_sections=2,
        max_credits=Decimal(4),
        max_choices=3,
        lottery_seed=SEED_CY,
        rural_priority=True,
    )
    _offer(bj_admin, cy, CY_SECTIONS)
    return True


SEED_HD = 20260901
SEED_CY = 20260902
