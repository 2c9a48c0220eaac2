"""Importing good OneRoster bundles: the tree, people and roles they make; re-imports change
nothing; tobedeleted removes; scope is enforced."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongke.audit.models import AuditEvent
from tongke.core.errors import PermissionDenied
from tongke.orgs.enums import LocationClass, RegionLevel, Role, SchoolType, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment
from tongke.roster.enums import ImportKind, ImportStatus
from tongke.roster.services import roster_import
from tongke.roster.tests.builders import bundle, codes, snapshot, write_folder, write_zip

pytestmark = pytest.mark.django_db


def _import(actor, path, code="BJ", **kwargs):
    return roster_import(
        actor=actor,
        path=path,
        file_name=path.name,
        target=OrgUnit.objects.get(code=code),
        **kwargs,
    )


def _roles_of(username):
    return set(
        RoleAssignment.objects.filter(user__username=username).values_list(
            "role", "unit__code", "subject__username"
        )
    )


def test_a_good_bundle_as_zip_builds_the_tree_people_and_roles(tmp_path, user_named):
    # Given a OneRoster 1.2 bundle zipped inside a folder, and Beijing's admin
    path = write_zip(bundle(), tmp_path / "bundle.zip", folder="export/")
    actor = user_named("bj_admin")
    before = AuditEvent.objects.count()

    # When it is imported into Beijing
    record = _import(actor, path)

    # Then it is accepted and the district, school, grades and classes exist under Beijing
    assert record.status == ImportStatus.OK, record.problems
    assert record.kind == ImportKind.ONEROSTER_ZIP
    bj = OrgUnit.objects.get(code="BJ")
    assert bj.external_id == "org-bj"  # the bundle's state org is Beijing itself
    district = OrgUnit.objects.get(external_id="org-test")
    assert (district.kind, district.region_level, district.code) == (
        UnitKind.REGION,
        RegionLevel.DISTRICT,
        "BJ-TESTD",
    )
    assert OrgUnit.objects.get_parent(district).pk == bj.pk
    school = OrgUnit.objects.get(external_id="org-s1")
    assert (school.kind, school.school_type, school.location_class) == (
        UnitKind.SCHOOL,
        SchoolType.PRIMARY,
        LocationClass.RURAL,
    )
    assert OrgUnit.objects.get_parent(school).pk == district.pk
    klass = OrgUnit.objects.get(external_id="cls-3a")
    grade = OrgUnit.objects.get_parent(klass)
    assert (grade.kind, grade.grade_level, grade.name) == (UnitKind.GRADE, 3, "三年级")
    assert OrgUnit.objects.get_parent(grade).pk == school.pk
    assert klass.name == "三年级（1）班"

    # And the people, with Chinese names family-name first and others given-name first
    User = get_user_model()
    assert User.objects.get(username="ttest01").full_name == "张老师"
    assert User.objects.get(username="stest01").full_name == "王小明"
    assert User.objects.get(username="atest01").full_name == "Mei Li"
    assert User.objects.get(username="ttest01").phone == "+86 138 0000 0000"
    assert User.objects.get(username="stest01").external_id == "u-s1"
    assert not User.objects.get(username="stest01").has_usable_password()

    # And their roles: enrollments at classes, staff roles at the school, the guardian link
    assert _roles_of("stest01") == {(Role.STUDENT, "BJ-TESTS1-C1", None)}
    assert _roles_of("ttest01") == {
        (Role.TEACHER, "BJ-TESTS1", None),
        (Role.TEACHER, "BJ-TESTS1-C1", None),
    }
    assert _roles_of("atest01") == {(Role.SCHOOL_ADMIN, "BJ-TESTS1", None)}
    assert _roles_of("ptest01") == {(Role.PARENT, None, "stest01")}
    assert RoleAssignment.objects.get(external_id="e-1").user.username == "stest01"

    # And the counts say so, and every change left an audit event
    assert record.counts["orgs"] == {"created": 2, "updated": 1, "unchanged": 0, "removed": 0}
    assert record.counts["grades"]["created"] == 2
    assert record.counts["classes"]["created"] == 2
    assert record.counts["users"]["created"] == 5
    assert record.counts["roles"]["created"] == 2
    assert record.counts["enrollments"]["created"] == 3
    assert record.counts["guardians"]["created"] == 1
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[before:])
    assert actions.count("person.create") == 5
    assert actions.count("role.grant") == 6
    assert "roster.import" in actions


def test_a_good_bundle_as_folder_in_the_1_1_style_gives_the_same_result(tmp_path, user_named):
    # Given the same bundle as a folder, with roles in users.csv (OneRoster 1.1)
    path = write_folder(bundle(version="1.1"), tmp_path / "bundle")

    # When it is imported
    record = _import(user_named("bj_admin"), path)

    # Then the same people and roles exist
    assert record.status == ImportStatus.OK, record.problems
    assert record.kind == ImportKind.ONEROSTER_FOLDER
    assert _roles_of("atest01") == {(Role.SCHOOL_ADMIN, "BJ-TESTS1", None)}
    assert _roles_of("ptest01") == {(Role.PARENT, None, "stest01")}
    assert _roles_of("ttest01") == {
        (Role.TEACHER, "BJ-TESTS1", None),
        (Role.TEACHER, "BJ-TESTS1-C1", None),
    }


@pytest.mark.parametrize("version", ["1.2", "1.1"])
def test_importing_the_same_bundle_twice_changes_nothing_the_second_time(
    tmp_path, user_named, version
):
    # Given a bundle that was imported once
    path = write_zip(bundle(version=version), tmp_path / "bundle.zip")
    actor = user_named("bj_admin")
    assert _import(actor, path).status == ImportStatus.OK
    before = snapshot()

    # When it is imported again
    record = _import(actor, path)

    # Then nothing was created, changed or audited
    assert record.status == ImportStatus.OK, record.problems
    assert snapshot() == before
    for entity, counts in record.counts.items():
        assert counts["created"] == counts["updated"] == counts["removed"] == 0, entity


def test_tobedeleted_removes_the_enrollment_and_the_guardian_link(tmp_path, user_named):
    # Given an imported bundle
    files = bundle()
    actor = user_named("bj_admin")
    assert _import(actor, write_zip(files, tmp_path / "one.zip")).status == ImportStatus.OK

    # When the student's enrollment and the parent's role come back marked tobedeleted
    files["enrollments.csv"][2][1] = "tobedeleted"  # e-2: stest02 in cls-4a
    files["users.csv"][4][1] = "tobedeleted"  # u-p1, the parent of stest01
    record = _import(actor, write_zip(files, tmp_path / "two.zip"))

    # Then the enrollment and the guardian role are gone and the parent is deactivated
    assert record.status == ImportStatus.OK, record.problems
    assert not RoleAssignment.objects.filter(external_id="e-2").exists()
    assert _roles_of("ptest01") == set()
    assert not get_user_model().objects.get(username="ptest01").is_active
    assert record.counts["enrollments"]["removed"] == 1
    assert record.counts["guardians"]["removed"] == 1
    assert record.counts["users"]["removed"] == 1

    # And doing it again changes nothing
    before = snapshot()
    again = _import(actor, write_zip(files, tmp_path / "three.zip"))
    assert again.status == ImportStatus.OK
    assert snapshot() == before


def test_a_moved_enrollment_and_renamed_class_are_updated(tmp_path, user_named):
    # Given an imported bundle
    files = bundle()
    actor = user_named("bj_admin")
    assert _import(actor, write_zip(files, tmp_path / "one.zip")).status == ImportStatus.OK

    # When the class is renamed and promoted to grade 4, and a student moves class
    files["classes.csv"][1][3] = "四年级（3）班"
    files["classes.csv"][1][4] = "04"
    files["enrollments.csv"][2][3] = "cls-3a"  # e-2: stest02 now in cls-3a
    record = _import(actor, write_zip(files, tmp_path / "two.zip"))

    # Then the class sits under grade 4 with its new name and the enrollment points at it
    assert record.status == ImportStatus.OK, record.problems
    klass = OrgUnit.objects.get(external_id="cls-3a")
    assert klass.name == "四年级（3）班"
    assert OrgUnit.objects.get_parent(klass).grade_level == 4
    assert RoleAssignment.objects.get(external_id="e-2").unit_id == klass.pk
    assert record.counts["classes"]["updated"] == 1
    assert record.counts["enrollments"]["updated"] == 1


def test_a_dry_run_reports_what_would_change_and_writes_nothing(tmp_path, user_named):
    # Given a good bundle
    path = write_zip(bundle(), tmp_path / "bundle.zip")
    before = snapshot()

    # When it is imported as a dry run
    record = _import(user_named("bj_admin"), path, dry_run=True)

    # Then it is valid, counts what it would do, and nothing changed
    assert record.status == ImportStatus.OK and record.dry_run
    assert record.counts["users"]["created"] == 5
    assert snapshot() == before


def test_existing_units_and_people_are_taken_over_by_code_and_username(tmp_path, user_named):
    # Given a bundle naming Haidian (BJ-HD) and the demo teacher t0001 of its first school
    files = bundle()
    files["orgs.csv"][2][5] = "BJ-HD"  # org-test is Haidian
    files["orgs.csv"][3][5] = "BJ-HD-S01"  # org-s1 is its first school
    files["users.csv"][1][4] = "t0001"  # u-t1 is t0001
    t0001 = user_named("t0001")

    # When it is imported into Beijing
    record = _import(user_named("bj_admin"), write_zip(files, tmp_path / "b.zip"))

    # Then the existing units and person got the roster ids instead of being duplicated
    assert record.status == ImportStatus.OK, record.problems
    assert OrgUnit.objects.get(code="BJ-HD").external_id == "org-test"
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    assert school.external_id == "org-s1"
    assert school.name == "测试第一小学"
    t0001.refresh_from_db()
    assert t0001.external_id == "u-t1"
    assert (Role.TEACHER, "BJ-HD-S01-C1", None) in _roles_of("t0001")


def test_a_region_admin_cannot_import_into_another_region(tmp_path, user_named):
    # Given Haidian's admin and a good bundle
    path = write_zip(bundle(), tmp_path / "bundle.zip")
    before = snapshot()

    # When they try to import into Beijing (above their scope) or Hebei
    for code in ("BJ", "HE-ZJK"):
        with pytest.raises(PermissionDenied):
            _import(user_named("hd_admin"), path, code=code)

    # Then nothing changed
    assert snapshot() == before


def test_a_bundle_reaching_outside_the_target_region_is_rejected(tmp_path, user_named):
    # Given Haidian's admin and a bundle whose state org is Beijing (above Haidian)
    path = write_zip(bundle(), tmp_path / "bundle.zip")
    before = snapshot()

    # When it is imported into Haidian
    record = _import(user_named("hd_admin"), path, code="BJ-HD")

    # Then it is rejected at the Beijing row and nothing changed
    assert record.status == ImportStatus.REJECTED
    problem = next(p for p in record.problems if p["code"] == "roster.outside_target")
    assert (problem["file"], problem["line"], problem["column"]) == ("orgs.csv", 2, "identifier")
    assert snapshot() == before


def test_an_enrollment_in_a_class_of_another_region_is_rejected(tmp_path, user_named):
    # Given a class in Zhangjiakou that was imported before with roster id cls-zjk
    klass = OrgUnit.objects.filter(kind=UnitKind.CLASS, code__startswith="HE-ZJK").first()
    OrgUnit.objects.filter(pk=klass.pk).update(external_id="cls-zjk")
    files = bundle()
    files["enrollments.csv"].append(["e-9", "", "", "cls-zjk", "", "u-s1", "student", "", "", ""])

    # When Beijing's admin imports a bundle enrolling a student there
    record = _import(user_named("bj_admin"), write_zip(files, tmp_path / "b.zip"))

    # Then the row is rejected
    assert record.status == ImportStatus.REJECTED
    problem = next(p for p in record.problems if p["code"] == "roster.outside_target")
    assert (problem["file"], problem["line"], problem["column"]) == (
        "enrollments.csv",
        5,
        "classSourcedId",
    )


def test_a_school_admin_imports_into_their_school_but_cannot_grant_admin_roles(
    tmp_path, user_named
):
    # Given the admin of BJ-HD-S01 and a bundle for that school that also names an administrator
    files = bundle()
    files["orgs.csv"] = [files["orgs.csv"][0], files["orgs.csv"][3]]
    files["orgs.csv"][1][5] = "BJ-HD-S01"
    files["orgs.csv"][1][6] = ""
    before = snapshot()

    # When it is imported into the school
    record = _import(
        user_named("school_admin_01"), write_zip(files, tmp_path / "b.zip"), code="BJ-HD-S01"
    )

    # Then the administrator row is refused (only region admins give admin roles) and
    # nothing was written
    assert record.status == ImportStatus.REJECTED
    problem = next(p for p in record.problems if p["code"] == "roster.forbidden")
    assert (problem["file"], problem["line"]) == ("roles.csv", 6)
    assert snapshot() == before

    # And without that row the rest is imported into the school
    files["roles.csv"] = files["roles.csv"][:5]
    files["users.csv"] = files["users.csv"][:5]
    record = _import(
        user_named("school_admin_01"), write_zip(files, tmp_path / "c.zip"), code="BJ-HD-S01"
    )
    assert record.status == ImportStatus.OK, record.problems
    assert (Role.STUDENT, "BJ-HD-S01-C1", None) in _roles_of("stest01")


def test_a_school_without_type_columns_gets_defaults_and_a_warning(tmp_path, user_named):
    # Given a bundle whose school row has no Tongke school type or location class
    files = bundle()
    files["orgs.csv"][3][7] = files["orgs.csv"][3][8] = ""

    # When it is imported
    record = _import(user_named("bj_admin"), write_zip(files, tmp_path / "b.zip"))

    # Then the school is nine-year and urban, and the report warns about it
    assert record.status == ImportStatus.OK
    school = OrgUnit.objects.get(external_id="org-s1")
    assert (school.school_type, school.location_class) == (
        SchoolType.NINE_YEAR,
        LocationClass.URBAN,
    )
    warning = next(p for p in record.problems if p["code"] == "roster.default_school_type")
    assert (warning["severity"], warning["line"]) == ("warning", 4)


def test_unused_files_are_ignored_with_a_warning(tmp_path, user_named):
    # Given a bundle with courses.csv, academicSessions.csv and a readme
    files = bundle()
    files["courses.csv"] = "sourcedId,title\r\ncourse-1,语文\r\n"
    files["academicSessions.csv"] = "sourcedId,title\r\nt1,2026\r\n"
    files["README.txt"] = "hello"

    # When it is imported
    record = _import(user_named("bj_admin"), write_zip(files, tmp_path / "b.zip"))

    # Then it is accepted and the extra files are named as ignored
    assert record.status == ImportStatus.OK
    assert codes(record) == {"roster.ignored_file"}
    assert {p["file"] for p in record.problems} == {
        "courses.csv",
        "academicSessions.csv",
        "README.txt",
    }


def test_an_existing_school_without_a_parent_in_the_file_stays_where_it_is(tmp_path, user_named):
    # Given a bundle whose only org is Haidian's first school, with no parentSourcedId
    files = bundle()
    files["orgs.csv"] = [files["orgs.csv"][0], files["orgs.csv"][3]]
    files["orgs.csv"][1][5] = "BJ-HD-S01"
    files["orgs.csv"][1][6] = ""

    # When it is imported into Beijing
    record = _import(user_named("bj_admin"), write_zip(files, tmp_path / "b.zip"))

    # Then the school was taken over but not moved out of Haidian
    assert record.status == ImportStatus.OK, record.problems
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    assert school.external_id == "org-s1"
    assert OrgUnit.objects.get_parent(school).code == "BJ-HD"


def test_a_school_whose_parent_changes_is_moved(tmp_path, user_named):
    # Given an imported bundle
    files = bundle()
    actor = user_named("bj_admin")
    assert _import(actor, write_zip(files, tmp_path / "one.zip")).status == ImportStatus.OK

    # When the school's parent becomes Beijing itself
    files["orgs.csv"][3][6] = "org-bj"
    record = _import(actor, write_zip(files, tmp_path / "two.zip"))

    # Then the school (with its grades and classes) sits under Beijing
    assert record.status == ImportStatus.OK, record.problems
    school = OrgUnit.objects.get(external_id="org-s1")
    assert OrgUnit.objects.get_parent(school).code == "BJ"
    klass = OrgUnit.objects.get(external_id="cls-3a")
    assert klass.path.startswith(school.path)
