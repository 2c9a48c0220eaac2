"""The admin pages: a school admin runs their school from the browser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongke.audit.models import AuditEvent
from tongke.orgs.enums import Role
from tongke.orgs.models import OrgUnit, RoleAssignment

pytestmark = pytest.mark.django_db


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def test_a_school_admin_adds_a_class_a_student_and_a_parent(client_for):
    client = client_for("school_admin_01")
    school = unit("BJ-HD-S01")

    # Given the school page, when the admin adds a class in a grade the school lacks,
    response = client.post(
        f"/orgs/units/{school.pk}/add/class/",
        {"grade_level": 1, "code": "BJ-HD-S01-G01-C1", "name": "一年级（1）班"},
    )
    # then the class exists under a new grade node, and its page opens.
    klass = unit("BJ-HD-S01-G01-C1")
    assert response.status_code == 302 and response["Location"] == f"/orgs/units/{klass.pk}/"
    assert klass.path.startswith(school.path) and klass.depth == school.depth + 2

    response = client.post(
        f"/orgs/units/{klass.pk}/add-student/",
        {"username": "new_pupil", "full_name": "李小新", "password": "a-long-enough-pw"},
    )
    pupil = get_user_model().objects.get(username="new_pupil")
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=pupil, role=Role.STUDENT, unit=klass).exists()
    assert pupil.check_password("a-long-enough-pw")

    response = client.post(
        f"/orgs/people/{pupil.pk}/add-parent/", {"username": "new_parent", "full_name": "李大新"}
    )
    assert response.status_code == 302
    parent = get_user_model().objects.get(username="new_parent")
    assert RoleAssignment.objects.filter(user=parent, role=Role.PARENT, subject=pupil).exists()
    assert not parent.has_usable_password()

    page = client.get(f"/orgs/people/{pupil.pk}/").content.decode()
    assert "李大新" in page and "一年级（1）班" in page


def test_a_taken_username_re_renders_the_form_with_the_reason(client_for):
    client = client_for("school_admin_01")
    klass = unit("BJ-HD-S01-G03-C1")
    before = RoleAssignment.objects.count(), AuditEvent.objects.count()
    response = client.post(
        f"/orgs/units/{klass.pk}/add-student/", {"username": "t0001", "full_name": "重名"}
    )
    assert response.status_code == 409
    assert "t0001" in response.content.decode()
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_invalid_form_input_is_a_400_page(client_for):
    school = unit("BJ-HD-S01")
    response = client_for("school_admin_01").post(
        f"/orgs/units/{school.pk}/add/class/", {"grade_level": 99, "code": "bad code!", "name": ""}
    )
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.parametrize(
    "who,status", [("t0001", 403), ("p00001", 403), ("he_admin", 404), (None, 302)]
)
def test_only_admins_of_the_class_may_add_students(client_for, who, status):
    klass = unit("BJ-HD-S01-G03-C1")
    before = RoleAssignment.objects.count()
    response = client_for(who).post(
        f"/orgs/units/{klass.pk}/add-student/", {"username": "sneaky", "full_name": "偷偷"}
    )
    assert response.status_code == status
    assert RoleAssignment.objects.count() == before


def test_an_admin_resets_a_password_and_it_is_audited_without_the_value(client_for, user_named):
    student = user_named("s00001")
    response = client_for("school_admin_01").post(
        f"/orgs/people/{student.pk}/password/", {"password": "fresh-password-2026"}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("fresh-password-2026")
    event = AuditEvent.objects.order_by("-id")[0]
    assert event.action == "person.set_password"
    assert "fresh-password-2026" not in str(event.changes)


def test_a_weak_password_is_refused_on_the_page(client_for, user_named):
    student = user_named("s00001")
    response = client_for("school_admin_01").post(
        f"/orgs/people/{student.pk}/password/", {"password": "12345678"}
    )
    assert response.status_code == 400


def test_roles_are_given_by_place_code_and_taken_away(client_for, user_named):
    client = client_for("school_admin_01")
    teacher = user_named("t0002")
    response = client.post(
        f"/orgs/people/{teacher.pk}/roles/", {"role": "teacher", "unit_code": "BJ-HD-S01-G03-C1"}
    )
    assert response.status_code == 302
    role = RoleAssignment.objects.get(user=teacher, unit__code="BJ-HD-S01-G03-C1")
    assert client.post(f"/orgs/roles/{role.pk}/revoke/").status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    # A class of another school is not even visible to this admin: the same answer as a
    # code that does not exist, and nothing is written.
    before = RoleAssignment.objects.count()
    for code in ("BJ-HD-S02-G03-C1", "NO-SUCH-CODE"):
        response = client.post(
            f"/orgs/people/{teacher.pk}/roles/", {"role": "teacher", "unit_code": code}
        )
        assert response.status_code == 404
    # A place it can see but not manage (its district) is refused as forbidden.
    response = client.post(
        f"/orgs/people/{teacher.pk}/roles/", {"role": "teacher", "unit_code": "BJ-HD"}
    )
    assert response.status_code in (400, 403)
    assert RoleAssignment.objects.count() == before


def test_people_search_lists_only_visible_people(client_for, user_named):
    mine, other = user_named("s00001"), user_named("s04000")
    page = client_for("t0001").get("/orgs/people/?role=student").content.decode()
    assert f"/orgs/people/{mine.pk}/" in page and f"/orgs/people/{other.pk}/" not in page
    page = client_for("he_admin").get("/orgs/people/?q=s00001").content.decode()
    assert f"/orgs/people/{mine.pk}/" not in page


def test_a_region_admin_edits_a_school_from_the_page(client_for):
    school = unit("BJ-HD-S01")
    response = client_for("hd_admin").post(
        f"/orgs/units/{school.pk}/edit/",
        {
            "name": school.name,
            "name_en": school.name_en,
            "is_active": "on",
            "school_type": "nine_year",
            "location_class": "urban",
            "bandwidth_mbps": 800,
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.school_type == "nine_year" and school.bandwidth_mbps == 800
