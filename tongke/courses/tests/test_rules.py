"""The pick rules (``courses.rules``) over hand-made snapshots: no database, table-driven.

Each row says: given this snapshot, when it is judged, then this is the answer (an error code
and, where it matters, the reason or detail), the same answer the service, the catalogue and
the lottery give."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from tongke.courses import errors, rules
from tongke.courses.enums import RoundMode, RoundStatus, SelectionStatus
from tongke.orgs.enums import LocationClass, SchoolType

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
CLASS = "0001000100010001"  # region > district > school > class


@pytest.fixture(autouse=True)
def english():
    """Messages and slots read in English here (zh-Hans is the default language)."""
    with translation.override("en"):
        yield


def slot(day: int, a: str, b: str, label: str = "", sid: int = 0) -> rules.Slot:
    return rules.Slot(day, time.fromisoformat(a), time.fromisoformat(b), label, sid)


def section(sid: int = 1, *slots: rules.Slot, **kw: object) -> rules.Section:
    fields: dict[str, object] = {
        "id": sid,
        "title": f"S{sid}",
        "round_id": 1,
        "slots": slots or (slot(3, "15:00", "16:30"),),
        "credits": Decimal(2),
        "seats": 10,
        "taken": 0,
    }
    fields.update(kw)
    return rules.Section(**fields)  # type: ignore[arg-type]


ROUND = rules.Round(
    id=1,
    mode=RoundMode.FIRST_COME,
    status=RoundStatus.OPEN,
    scope_path=CLASS[:8],
    opens_at=NOW - timedelta(hours=1),
    closes_at=NOW + timedelta(days=7),
    drop_until=NOW + timedelta(days=14),
    max_sections=3,
    max_credits=Decimal(6),
)
STUDENT = rules.Student(
    class_path=CLASS,
    grade_level=5,
    school_type=SchoolType.PRIMARY,
    location_class=LocationClass.URBAN,
)


def pick(s: rules.Section, status: str = SelectionStatus.ENROLLED) -> rules.Pick:
    return rules.Pick(s, s.round_id, status, id=100 + s.id)


def snap(
    target: rules.Section | None = None,
    picks: tuple[rules.Pick, ...] = (),
    student: rules.Student = STUDENT,
    rnd: rules.Round = ROUND,
) -> rules.Snapshot:
    return rules.Snapshot(student, picks, target or section(), rnd, NOW)


# --- Slots and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (slot(3, "15:00", "16:30"), slot(3, "16:00", "17:00"), True),
        (slot(3, "15:00", "16:30"), slot(3, "16:30", "17:00"), False),  # touching ends
        (slot(3, "15:00", "16:30"), slot(4, "15:00", "16:30"), False),  # another day
        (slot(3, "15:00", "17:00"), slot(3, "15:30", "16:00"), True),  # inside
    ],
)
def test_slots_overlap_on_the_same_day_only(a, b, overlap):
    assert a.overlaps(b) is overlap and b.overlaps(a) is overlap


@pytest.mark.parametrize(
    ("a_dates", "b_dates", "overlap"),
    [
        ((date(2026, 9, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2027, 1, 15)), False),
        ((date(2026, 9, 1), date(2026, 11, 1)), (date(2026, 11, 1), date(2027, 1, 15)), True),
        ((None, None), (date(2026, 11, 1), date(2027, 1, 15)), True),  # no dates: all term
        ((date(2026, 9, 1), None), (date(2026, 11, 1), date(2027, 1, 15)), True),
    ],
)
def test_sections_without_dates_run_all_term(a_dates, b_dates, overlap):
    a = section(1, starts_on=a_dates[0], ends_on=a_dates[1])
    b = section(2, starts_on=b_dates[0], ends_on=b_dates[1])
    assert rules.dates_overlap(a, b) is overlap


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        ([slot(3, "15:00", "16:00"), slot(4, "15:00", "16:00")], None),
        ([slot(8, "15:00", "16:00")], errors.BAD_SLOT),
        ([slot(3, "16:00", "15:00")], errors.BAD_SLOT),
        ([slot(3, "15:00", "16:00"), slot(3, "15:30", "16:30")], errors.BAD_SLOT),
        ([], None),
    ],
)
def test_a_sections_own_slots_are_checked(slots, code):
    refusal = rules.slots_refusal(slots)
    assert (refusal.code if refusal else None) == code


def test_a_slot_reads_as_the_model_shows_it():
    assert str(slot(3, "15:00", "16:30")) == "Wednesday 15:00-16:30"


# --- Round windows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "at", "open_", "drop"),
    [
        (RoundStatus.OPEN, NOW, True, True),
        (RoundStatus.OPEN, NOW - timedelta(hours=2), False, False),  # before it opens
        (RoundStatus.OPEN, NOW + timedelta(days=8), False, True),  # closed, drops still open
        (RoundStatus.CLOSED, NOW, False, True),
        (RoundStatus.OPEN, NOW + timedelta(days=15), False, False),
        (RoundStatus.DRAFT, NOW, False, False),
    ],
)
def test_the_pick_and_drop_windows(status, at, open_, drop):
    rnd = replace(ROUND, status=status)
    assert rules.round_is_open(rnd, at) is open_
    assert rules.round_drop_open(rnd, at) is drop


@pytest.mark.parametrize(
    ("closes", "drops", "ok"),
    [
        (timedelta(days=1), timedelta(days=2), True),
        (timedelta(days=1), timedelta(days=1), True),  # drops may end with the close
        (timedelta(days=-1), timedelta(days=1), False),
        (timedelta(days=2), timedelta(days=1), False),
    ],
)
def test_round_dates(closes, drops, ok):
    rnd = replace(ROUND, opens_at=NOW, closes_at=NOW + closes, drop_until=NOW + drops)
    refusal = rules.round_dates_refusal(rnd)
    assert (refusal is None) is ok
    assert refusal is None or refusal.code == errors.ROUND_DATES


# --- Eligibility, limits, clashes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"rnd": {"scope_path": "00020001"}}, "round"),
        ({"section": {"open_to_path": "0002"}}, "region"),
        ({"section": {"open_to_path": "0001"}}, None),
        ({"section": {"grade_min": 7, "grade_max": 9}}, "grade"),
        ({"section": {"school_types": (SchoolType.JUNIOR,)}}, "school_type"),
        ({"section": {"school_types": (SchoolType.PRIMARY,)}}, None),
        ({"section": {"prerequisites": ("C1", "C2")}}, "prerequisite"),
        ({"section": {"prerequisites": ("C1",)}, "student": {"passed": frozenset({"C1"})}}, None),
        # Round before region before grade: the first reason is the one given.
        ({"rnd": {"scope_path": "0002"}, "section": {"grade_min": 9}}, "round"),
        ({"section": {"open_to_path": "0002", "grade_min": 9}}, "region"),
    ],
)
def test_eligibility(change, reason):
    target = replace(section(), **change.get("section", {}))
    student = replace(STUDENT, **change.get("student", {}))
    rnd = replace(ROUND, **change.get("rnd", {}))
    refusal = rules.eligibility_refusal(student, target, rnd)
    if reason is None:
        assert refusal is None
    else:
        assert refusal is not None and refusal.code == errors.NOT_ELIGIBLE
        assert refusal.detail == {"reason": reason}


def test_missing_prerequisites_are_named():
    target = section(prerequisites=("C1", "C2", "C3"))
    refusal = rules.eligibility_refusal(replace(STUDENT, passed=frozenset({"C2"})), target, ROUND)
    assert refusal is not None and str(refusal.message) == "First pass: C1, C3."


@pytest.mark.parametrize(
    ("held", "credits", "limits", "over"),
    [
        (2, Decimal(2), {"max_sections": 3}, False),
        (3, Decimal(1), {"max_sections": 3, "max_credits": Decimal(10)}, True),
        (2, Decimal(3), {"max_credits": Decimal(6)}, True),  # 2 x 2 + 3 > 6
        (1, Decimal(4), {"max_credits": Decimal(6)}, False),  # 2 + 4 = 6: at the limit
    ],
)
def test_limits_of_sections_and_credits(held, credits, limits, over):
    rnd = replace(ROUND, **limits)
    mine = [section(10 + i) for i in range(held)]
    assert rules.over_limits(mine, section(1, credits=credits), rnd) is over
    refusal = rules.limit_refusal(mine, section(1, credits=credits), rnd)
    assert (refusal is not None) is over
    if refusal is not None:
        assert refusal.code == errors.LIMIT
        assert refusal.detail == {
            "sections": held,
            "max_sections": rnd.max_sections,
            "credits": str(Decimal(2) * held),
            "max_credits": str(rnd.max_credits),
        }


@pytest.mark.parametrize(
    ("home", "held", "target", "expect"),
    [
        # A clash with the home timetable names its label (or the slot, without one).
        ([slot(3, "15:30", "16:10", "体育")], [], section(1), {"home": "体育"}),
        ([slot(3, "15:30", "16:10")], [], section(1), {"home": "Wednesday 15:30-16:10"}),
        ([], [section(2, slot(3, "16:00", "17:00"))], section(1), {"offering_id": 2}),
        ([], [section(2, slot(4, "15:00", "16:30"))], section(1), None),
        # Another section in weeks that do not overlap does not clash.
        (
            [],
            [section(2, starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 31))],
            section(1, starts_on=date(2026, 11, 1), ends_on=date(2027, 1, 15)),
            None,
        ),
        # The section itself (a pick being re-judged) never clashes with itself.
        ([], [section(1)], section(1), None),
        # The home timetable is looked at first, then the picks in week order.
        ([slot(3, "16:00", "16:20", "班会")], [section(2)], section(1), {"home": "班会"}),
        (
            [],
            [
                section(2, slot(3, "16:00", "17:00", sid=5)),
                section(3, slot(3, "15:00", "15:30", sid=9)),
            ],
            section(1),
            {"offering_id": 3},
        ),
    ],
)
def test_timetable_clashes(home, held, target, expect):
    clash = rules.timetable_clash(home, held, target)
    if expect is None:
        assert clash is None
    elif "home" in expect:
        assert clash is not None and expect["home"] in clash["with"] and "home_slot" in clash
    else:
        assert clash is not None and clash["offering_id"] == expect["offering_id"]
        assert clash["with"] == f"S{expect['offering_id']}"


# --- Judging a pick: the checks in the service's order --------------------------------------

BUSY = section(2, slot(3, "16:00", "17:00"))


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (snap(), ""),
        (snap(rnd=replace(ROUND, mode=RoundMode.LOTTERY)), errors.ROUND_NOT_FIRST_COME),
        (snap(rnd=replace(ROUND, status=RoundStatus.CLOSED)), errors.ROUND_CLOSED),
        (snap(section(is_active=False)), errors.NOT_ELIGIBLE),
        (snap(section(grade_min=9)), errors.NOT_ELIGIBLE),
        (snap(picks=(pick(section(1)),)), errors.ALREADY_HELD),
        (snap(picks=(pick(section(1), SelectionStatus.WAITLISTED),)), errors.ALREADY_HELD),
        (
            snap(
                rnd=replace(ROUND, max_sections=1),
                picks=(pick(section(4, slot(1, "08:00", "09:00"))),),
            ),
            errors.LIMIT,
        ),
        (snap(picks=(pick(BUSY),)), errors.CONFLICT),
        (snap(student=replace(STUDENT, home=(slot(3, "15:00", "15:40"),))), errors.CONFLICT),
        # A pick in another round does not count towards this round's limits...
        (
            snap(
                rnd=replace(ROUND, max_sections=1),
                picks=(pick(section(4, slot(1, "08:00", "09:00"), round_id=2)),),
            ),
            "",
        ),
        # ...but its slots still clash.
        (snap(picks=(pick(replace(BUSY, round_id=2)),)), errors.CONFLICT),
        # The round is judged before the section, eligibility before the picks.
        (
            snap(section(is_active=False), rnd=replace(ROUND, status=RoundStatus.DRAFT)),
            errors.ROUND_CLOSED,
        ),
        (snap(section(grade_min=9), picks=(pick(section(1)),)), errors.NOT_ELIGIBLE),
        (snap(picks=(pick(section(1)), pick(BUSY))), errors.ALREADY_HELD),
    ],
)
def test_judging_a_pick(given, code):
    verdict = rules.judge_pick(given)
    assert verdict.code == code and verdict.ok is (code == "")


@pytest.mark.parametrize(("taken", "full"), [(0, False), (9, False), (10, True)])
def test_a_pick_that_passes_says_whether_it_would_queue(taken, full):
    verdict = rules.judge_pick(snap(section(taken=taken)))
    assert verdict.ok and verdict.full is full


def test_a_conflict_says_what_it_clashes_with():
    verdict = rules.judge_pick(snap(picks=(pick(BUSY),)))
    assert verdict.refusal is not None
    assert verdict.refusal.detail == {
        "with": "S2",
        "slot": "Wednesday 15:00-16:30",
        "offering_id": 2,
    }
    assert str(verdict.refusal.message) == "This section's time overlaps S2."


@pytest.mark.parametrize(
    ("took_seat", "waitlist", "approval", "status"),
    [
        (True, False, False, SelectionStatus.ENROLLED),
        (True, True, False, SelectionStatus.ENROLLED),
        (True, False, True, SelectionStatus.PENDING),
        (False, True, True, SelectionStatus.WAITLISTED),
        (False, False, False, None),  # full: refused
    ],
)
def test_placement_follows_the_databases_answer(took_seat, waitlist, approval, status):
    assert rules.placement(took_seat=took_seat, waitlist=waitlist, needs_approval=approval) == (
        status
    )


# --- The lottery -----------------------------------------------------------------------------


def test_the_draw_order_is_fixed_by_the_seed():
    ids = list(range(1, 41))
    assert rules.draw_order(ids, 42) == rules.draw_order(reversed(ids), 42)
    assert rules.draw_order(ids, 1) != rules.draw_order(ids, 2)
    assert sorted(rules.draw_order(ids, 7)) == ids


def test_priority_groups_go_first_in_their_random_order():
    ids = list(range(1, 21))
    plain = rules.draw_order(ids, 5)
    priority = {i: 0 if i % 4 == 0 else (2 if i == 7 else 1) for i in ids}
    ordered = rules.draw_order(ids, 5, priority)
    rural = [i for i in plain if priority[i] == 0]
    assert ordered[: len(rural)] == rural and ordered[-1] == 7
    assert [i for i in ordered if priority[i] == 1] == [i for i in plain if priority[i] == 1]


@pytest.mark.parametrize(
    ("student", "rank"),
    [
        (replace(STUDENT, location_class=LocationClass.RURAL), 0),
        (replace(STUDENT, location_class=LocationClass.REMOTE), 0),
        (replace(STUDENT, school_type=SchoolType.TEACHING_POINT), 0),
        (STUDENT, 1),
        (None, 2),
    ],
)
def test_lottery_priority(student, rank):
    assert rules.lottery_priority(student) == rank


def test_the_draft_gives_one_section_per_pass_within_seats_limits_and_timetable():
    a = section(1, slot(1, "15:00", "16:00"))
    b = section(2, slot(2, "15:00", "16:00"))
    clash_a = section(3, slot(1, "15:30", "16:30"))
    order = [11, 12, 13, 14]
    prefs = {11: [a, b], 12: [a, b], 13: [clash_a, a], 14: [a]}
    students = {11: STUDENT, 12: STUDENT, 13: STUDENT, 14: None}
    got = rules.draft(order, prefs, students, {1: 2, 2: 1, 3: 1}, ROUND)
    # Pass 1: 11 and 12 take a (its 2 seats), 13 takes clash_a. Pass 2: 11 takes b; 12 finds
    # nothing left; 13's a is gone. 14 is no longer a student.
    assert [s.id for s in got[11]] == [1, 2]
    assert [s.id for s in got[12]] == [1]
    assert [s.id for s in got[13]] == [3]
    assert got[14] == []


def test_the_draft_keeps_the_limits_and_the_home_timetable():
    a = section(1, slot(1, "15:00", "16:00"), credits=Decimal(4))
    b = section(2, slot(2, "15:00", "16:00"), credits=Decimal(4))
    c = section(3, slot(3, "15:00", "16:00"))
    busy_home = replace(STUDENT, home=(slot(3, "15:30", "16:00", "体育"),))
    got = rules.draft(
        [1, 2], {1: [a, b, c], 2: [c, a]}, {1: STUDENT, 2: busy_home}, {1: 5, 2: 5, 3: 5}, ROUND
    )
    assert [s.id for s in got[1]] == [1, 3]  # b would pass 6 credits
    assert [s.id for s in got[2]] == [1]  # c clashes with the home timetable
