"""The access rules of the org tree, table-driven over role x scope x action.

Given the demo region (see tongke/demo/seed.py):
- bj_admin administers 北京市 (BJ); hd_admin 海淀区 (BJ-HD); he_admin 河北省 (HE);
- school_admin_01 administers 海淀实验小学 (BJ-HD-S01);
- t0001 teaches class BJ-HD-S01-G03-C1, where s00001 studies; p00001 is s00001's parent;
- s04000 studies at a Hebei teaching point; learner01 belongs to no school.
"""

from __future__ import annotations

from typing import Any

import pytest

from tongke.core.errors import NotFound
from tongke.orgs import policies
from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

CLASS = "BJ-HD-S01-G03-C1"
SCHOOL = "BJ-HD-S01"
OTHER_SCHOOL_CLASS = "BJ-HD-S02-G03-C1"  # same district, another school


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def hebei_school() -> OrgUnit:
    return OrgUnit.objects.filter(kind=UnitKind.SCHOOL, code__startswith="HE-").latest("path")


def sees_unit(actor: Any, code: str) -> bool:
    try:
        policies.access_unit(actor, unit(code).pk)
    except NotFound:
        return False
    return True


def sees_person(actor: Any, other: Any) -> bool:
    try:
        policies.access_user(actor, other.pk)
    except NotFound:
        return False
    return True


ALL = [
    "bj_admin",
    "hd_admin",
    "he_admin",
    "school_admin_01",
    "t0001",
    "s00001",
    "p00001",
    "learner01",
    "reviewer_bj",
]

# (actor, action, target, expected) -- every actor appears for every action.
SEE_CLASS = {
    "bj_admin": True,
    "hd_admin": True,
    "he_admin": False,
    "school_admin_01": True,
    "t0001": True,
    "s00001": True,
    "p00001": True,
    "learner01": False,
    "reviewer_bj": False,
}
SEE_OTHER_SCHOOL_CLASS = SEE_CLASS | {
    "school_admin_01": False,
    "t0001": False,
    "s00001": False,
    "p00001": False,
}
MANAGE_SCHOOL = {a: a in ("bj_admin", "hd_admin", "school_admin_01") for a in ALL}
MANAGE_DISTRICT = {a: a in ("bj_admin", "hd_admin") for a in ALL}
MANAGE_PROVINCE = {a: a == "bj_admin" for a in ALL}
CREATE_SCHOOL_IN_DISTRICT = MANAGE_DISTRICT
SEES_S00001 = ("bj_admin", "hd_admin", "school_admin_01", "t0001", "s00001", "p00001")
SEE_STUDENT = {a: a in SEES_S00001 for a in ALL}
EDIT_STUDENT = MANAGE_SCHOOL
SEE_TEACHER = {a: a not in ("he_admin", "learner01", "reviewer_bj") for a in ALL}
READ_AUDIT = {a: a in ("bj_admin", "hd_admin", "he_admin", "school_admin_01") for a in ALL}


@pytest.mark.parametrize("actor", ALL)
def test_regions_and_schools_are_public_directory_facts(actor, user_named):
    user = user_named(actor)
    assert sees_unit(user, "BJ") and sees_unit(user, "HE") and sees_unit(user, SCHOOL)


@pytest.mark.parametrize("actor,expected", SEE_CLASS.items())
def test_who_sees_a_class(actor, expected, user_named):
    assert sees_unit(user_named(actor), CLASS) is expected


@pytest.mark.parametrize("actor,expected", SEE_OTHER_SCHOOL_CLASS.items())
def test_who_sees_a_class_of_another_school(actor, expected, user_named):
    assert sees_unit(user_named(actor), OTHER_SCHOOL_CLASS) is expected


@pytest.mark.parametrize(
    "table,code",
    [(MANAGE_SCHOOL, SCHOOL), (MANAGE_DISTRICT, "BJ-HD"), (MANAGE_PROVINCE, "BJ")],
    ids=["school", "district", "province"],
)
@pytest.mark.parametrize("actor", ALL)
def test_who_manages_a_unit(actor, table, code, user_named):
    assert policies.can_manage_unit(user_named(actor), unit(code)) is table[actor]


@pytest.mark.parametrize("actor,expected", CREATE_SCHOOL_IN_DISTRICT.items())
def test_who_creates_a_school_in_a_district(actor, expected, user_named):
    allowed = policies.can_create_unit(user_named(actor), unit("BJ-HD"), UnitKind.SCHOOL)
    assert allowed is expected


@pytest.mark.parametrize("actor,expected", SEE_STUDENT.items())
def test_who_sees_a_student(actor, expected, user_named):
    assert sees_person(user_named(actor), user_named("s00001")) is expected


@pytest.mark.parametrize("actor,expected", EDIT_STUDENT.items())
def test_who_edits_a_student(actor, expected, user_named):
    assert policies.can_edit_user(user_named(actor), user_named("s00001")) is expected


@pytest.mark.parametrize("actor,expected", SEE_TEACHER.items())
def test_who_sees_the_class_teacher(actor, expected, user_named):
    assert sees_person(user_named(actor), user_named("t0001")) is expected


@pytest.mark.parametrize("actor,expected", READ_AUDIT.items())
def test_who_reads_the_audit_log(actor, expected, user_named):
    assert policies.can_read_audit(user_named(actor)) is expected


@pytest.mark.parametrize(
    "actor,role,code,expected",
    [
        ("bj_admin", Role.SCHOOL_ADMIN, SCHOOL, True),
        ("hd_admin", Role.SCHOOL_ADMIN, SCHOOL, True),
        ("school_admin_01", Role.SCHOOL_ADMIN, SCHOOL, False),  # no self-promotion of peers
        ("school_admin_01", Role.TEACHER, CLASS, True),
        ("school_admin_01", Role.STUDENT, CLASS, True),
        ("school_admin_01", Role.TEACHER, OTHER_SCHOOL_CLASS, False),
        ("school_admin_01", Role.REGION_ADMIN, "BJ-HD", False),
        ("hd_admin", Role.REGION_ADMIN, "BJ-HD", True),
        ("hd_admin", Role.REGION_ADMIN, "BJ", False),
        ("hd_admin", Role.REVIEWER, "BJ-HD", True),
        ("he_admin", Role.TEACHER, CLASS, False),
        ("t0001", Role.STUDENT, CLASS, False),
        ("p00001", Role.STUDENT, CLASS, False),
        ("learner01", Role.TEACHER, CLASS, False),
    ],
)
def test_who_grants_which_role_where(actor, role, code, expected, user_named):
    assert policies.can_grant_role(user_named(actor), role, unit(code)) is expected


@pytest.mark.parametrize(
    "actor,expected",
    [("school_admin_01", True), ("hd_admin", True), ("t0001", False), ("he_admin", False)],
)
def test_who_names_a_parent(actor, expected, user_named):
    child = user_named("s00001")
    assert policies.can_grant_role(user_named(actor), Role.PARENT, subject=child) is expected


def test_a_parent_sees_only_their_own_children(user_named):
    parent = user_named("p00001")
    assert sees_person(parent, user_named("s00001"))
    assert not sees_person(parent, user_named("s00002")) or (
        # siblings share a parent in the demo; then both are their children
        user_named("s00002").pk in policies.child_ids(parent)
    )
    assert not sees_person(parent, user_named("s04000"))


def test_a_student_sees_no_classmates(user_named):
    student = user_named("s00001")
    classmates = (
        policies.RoleAssignment.objects.filter(unit__code=CLASS, role=Role.STUDENT)
        .exclude(user=student)
        .values_list("user_id", flat=True)
    )
    assert classmates
    for pk in classmates:
        with pytest.raises(NotFound):
            policies.access_user(student, pk)


def test_missing_and_forbidden_look_the_same(user_named):
    outsider = user_named("he_admin")
    with pytest.raises(NotFound) as missing:
        policies.access_unit(outsider, 10**9)
    with pytest.raises(NotFound) as forbidden:
        policies.access_unit(outsider, unit(CLASS).pk)
    assert missing.value.as_dict() == forbidden.value.as_dict()


def test_a_superuser_is_an_admin_of_everything(user_named):
    admin = user_named("admin")
    assert policies.can_manage_unit(admin, unit("HE"))
    assert sees_person(admin, user_named("s04000"))
    assert policies.can_create_unit(admin, None, UnitKind.REGION)
