import pytest

pytestmark = pytest.mark.django_db


def test_demo_region_meets_the_promised_sizes(user_named):
    from django.contrib.auth import get_user_model

    from tongke.orgs.enums import Role, SchoolType, UnitKind
    from tongke.orgs.models import OrgUnit, RoleAssignment

    schools = OrgUnit.objects.filter(kind=UnitKind.SCHOOL)
    assert schools.count() >= 40
    assert schools.filter(school_type=SchoolType.TEACHING_POINT).count() >= 4
    assert (
        RoleAssignment.objects.filter(role=Role.STUDENT).values("user").distinct().count() == 4000
    )
    teachers = RoleAssignment.objects.filter(role=Role.TEACHER).values("user").distinct().count()
    assert teachers >= 150
    assert get_user_model().objects.filter(username__startswith="p").count() > 3000
