"""NUL and other control characters never make it into a name (trust fault 10): the API
answers 422 naming the field, the pages re-show the form, and the model refuses them on any
other path (roster import, services)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

BAD = ["\x00", "a\x00b", "甲\n乙", "班\t级", "x\x7f", "\u202e班级", "\x1b[31m"]


def school() -> OrgUnit:
    return OrgUnit.objects.get(code="BJ-HD-S01")


@pytest.mark.parametrize("bad", BAD)
def test_the_api_refuses_control_chars_in_class_and_person_names(client_for, bad):
    client = client_for("school_admin_01")
    before = OrgUnit.objects.count(), get_user_model().objects.count()
    response = client.post(
        "/api/v1/classes",
        json.dumps(
            {"school_id": school().pk, "grade_level": 3, "code": "BJ-HD-S01-X1", "name": bad}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422 and "name" in response.json()["message"]
    response = client.post(
        "/api/v1/people",
        json.dumps(
            {"username": "ctl_person", "full_name": bad, "role": "teacher", "unit_id": school().pk}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422 and "full_name" in response.json()["message"]
    klass = OrgUnit.objects.filter(code__startswith="BJ-HD-S01-G").filter(kind="class").first()
    response = client.patch(
        f"/api/v1/classes/{klass.pk}", json.dumps({"name": bad}), content_type="application/json"
    )
    assert response.status_code == 422
    assert (OrgUnit.objects.count(), get_user_model().objects.count()) == before


def test_the_page_refuses_a_class_name_with_a_nul(client_for):
    response = client_for("school_admin_01").post(
        f"/orgs/units/{school().pk}/add/class/",
        {"grade_level": 1, "code": "BJ-HD-S01-G01-C9", "name": "一年级\x00（9）班"},
    )
    assert response.status_code in (200, 400)
    assert not OrgUnit.objects.filter(code="BJ-HD-S01-G01-C9").exists()


def test_the_model_refuses_them_on_every_path():
    unit = school()
    unit.name = "海淀\x00实验小学"
    with pytest.raises(ValidationError) as err:
        unit.full_clean()
    assert "name" in err.value.message_dict


def test_ordinary_chinese_and_english_names_pass(client_for):
    response = client_for("school_admin_01").post(
        "/api/v1/classes",
        json.dumps(
            {
                "school_id": school().pk,
                "grade_level": 3,
                "code": "BJ-HD-S01-X2",
                "name": "三年级（9）班 Class 9·A",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
