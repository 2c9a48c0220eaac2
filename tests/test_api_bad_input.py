"""Bad input gets a clear 4xx with {code, message, detail}, and nothing changes."""

from __future__ import annotations

import json

import pytest

from tongke.audit.models import AuditEvent
from tongke.orgs.models import OrgUnit, RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_client(client_for):
    """A client that authenticates with a bearer token (no CSRF), as API clients do. It
    writes, so it asks for the ``write`` scope (tokens are read-only by default)."""
    from django.test import Client

    session = client_for("bj_admin")
    body = {"name": "t", "scopes": ["read", "write"]}
    secret = session.post("/api/v1/tokens", body, content_type="application/json").json()["secret"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def unit_id(code: str) -> int:
    return OrgUnit.objects.get(code=code).pk


def snapshot() -> tuple[int, int, int, list[tuple[str, str]]]:
    return (
        OrgUnit.objects.count(),
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
        list(OrgUnit.objects.order_by("path").values_list("path", "name")),
    )


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["message"]
    if code:
        assert body["code"] == code, body
    return body


def test_malformed_json_is_a_400(token_client):
    before = snapshot()
    response = token_client.post(
        "/api/v1/regions", data="{bad json", content_type="application/json"
    )
    assert_error(response, 400, "bad_json")
    assert snapshot() == before


def test_oversized_json_is_a_413(token_client):
    before = snapshot()
    big = json.dumps({"code": "X", "name": "x" * (2 * 1024 * 1024), "level": "district"})
    response = token_client.post("/api/v1/regions", data=big, content_type="application/json")
    assert_error(response, 413, "too_large")
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload,where",
    [
        ({"code": "A1", "name": "甲", "level": "galaxy", "parent_id": 1}, "level"),
        ({"code": "A1", "name": "甲", "level": "district", "parent_id": "one"}, "parent_id"),
        ({"code": "A 1", "name": "甲", "level": "district"}, "code"),
        ({"code": "A1", "name": "", "level": "district"}, "name"),
        ({"code": "A1", "name": "甲", "level": "district", "colour": "red"}, "colour"),
        ([1, 2, 3], ""),
        ("just a string", ""),
    ],
    ids=["bad-enum", "wrong-type", "bad-code", "empty-name", "unknown-field", "array", "string"],
)
def test_wrong_shapes_are_422_with_the_field_named(token_client, payload, where):
    before = snapshot()
    response = token_client.post(
        "/api/v1/regions", data=json.dumps(payload), content_type="application/json"
    )
    body = assert_error(response, 422, "invalid")
    assert where in body["message"]
    assert snapshot() == before


def test_a_cycle_in_the_org_tree_is_refused(token_client):
    before = snapshot()
    response = token_client.patch(
        f"/api/v1/regions/{unit_id('BJ')}",
        data=json.dumps({"parent_id": unit_id("BJ-HD"), "name_en": "Peking"}),
        content_type="application/json",
    )
    assert_error(response, 400, "orgs.cycle")
    assert snapshot() == before  # the name change in the same request was rolled back too


def test_a_region_moved_under_itself_is_refused(token_client):
    response = token_client.patch(
        f"/api/v1/regions/{unit_id('BJ-HD')}",
        data=json.dumps({"parent_id": unit_id("BJ-HD")}),
        content_type="application/json",
    )
    assert_error(response, 400, "orgs.cycle")


def test_ids_of_another_regions_objects_are_not_found(client_for):
    hebei_class = OrgUnit.objects.filter(code__startswith="HE-", kind="class").first()
    client = client_for("bj_admin")
    for url in (f"/api/v1/classes/{hebei_class.pk}", f"/api/v1/classes/{hebei_class.pk}/students"):
        assert_error(client.get(url), 404, "orgs.unit_not_found")
    # Even when it exists, a class of another region reads exactly like a missing one.
    missing = client.get("/api/v1/classes/999999999").json()
    assert client.get(f"/api/v1/classes/{hebei_class.pk}").json() == missing


def test_a_school_cannot_be_put_in_another_admins_region(client_for):
    before = snapshot()
    response = client_for("hd_admin").post(
        "/api/v1/schools",
        data=json.dumps(
            {
                "region_id": unit_id("HE"),
                "code": "SNEAK",
                "name": "越界学校",
                "school_type": "primary",
                "location_class": "rural",
            }
        ),
        content_type="application/json",
    )
    assert_error(response, 403, "orgs.forbidden")
    assert snapshot() == before


def test_a_parent_asking_for_another_child_gets_404(client_for, user_named):
    client = client_for("p00001")
    other = user_named("s04000")
    assert_error(client.get(f"/api/v1/people/{other.pk}"), 404, "orgs.person_not_found")
    assert_error(client.get(f"/api/v1/roles?user_id={other.pk}"), 404)


def test_a_teacher_editing_another_schools_class_is_refused(client_for):
    before = snapshot()
    client = client_for("t0001")
    other = unit_id("BJ-HD-S02-G03-C1")
    response = client.patch(
        f"/api/v1/classes/{other}",
        data=json.dumps({"name": "改名"}),
        content_type="application/json",
    )
    assert_error(response, 404)
    own = unit_id("BJ-HD-S01-G03-C1")
    response = client.patch(
        f"/api/v1/classes/{own}", data=json.dumps({"name": "改名"}), content_type="application/json"
    )
    assert_error(response, 403, "orgs.forbidden")
    assert snapshot() == before


def test_a_duplicate_code_is_a_conflict(token_client):
    before = snapshot()
    response = token_client.post(
        "/api/v1/regions",
        data=json.dumps(
            {"code": "BJ-HD", "name": "重复", "level": "district", "parent_id": unit_id("BJ")}
        ),
        content_type="application/json",
    )
    assert_error(response, 409, "orgs.code_taken")
    assert snapshot() == before


def test_a_duplicate_username_is_a_conflict(token_client):
    response = token_client.post(
        "/api/v1/people",
        data=json.dumps(
            {
                "username": "t0001",
                "full_name": "重名",
                "role": "teacher",
                "unit_id": unit_id("BJ-HD-S01"),
            }
        ),
        content_type="application/json",
    )
    assert_error(response, 409, "orgs.username_taken")


def test_a_role_at_the_wrong_kind_of_place_is_refused(token_client, user_named):
    before = snapshot()
    response = token_client.post(
        "/api/v1/roles",
        data=json.dumps(
            {"user_id": user_named("t0002").pk, "role": "student", "unit_id": unit_id("BJ")}
        ),
        content_type="application/json",
    )
    assert_error(response, 400, "orgs.role_scope")
    assert snapshot() == before


def test_a_role_held_twice_is_a_conflict(token_client, user_named):
    response = token_client.post(
        "/api/v1/roles",
        data=json.dumps(
            {
                "user_id": user_named("s00001").pk,
                "role": "student",
                "unit_id": unit_id("BJ-HD-S01-G03-C1"),
            }
        ),
        content_type="application/json",
    )
    assert_error(response, 409, "orgs.role_exists")


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=100000", "offset=-1", "limit=abc", "school_type=castle", "region_id=x"],
)
def test_bad_list_parameters_are_422(client_for, query):
    assert_error(client_for("bj_admin").get(f"/api/v1/schools?{query}"), 422, "invalid")


def test_an_unknown_api_path_is_a_json_404(client_for):
    assert_error(client_for("bj_admin").get("/api/v1/nothing-here"), 404)


def test_null_for_a_required_field_is_refused(token_client):
    response = token_client.patch(
        f"/api/v1/schools/{unit_id('BJ-HD-S01')}",
        data=json.dumps({"name": None}),
        content_type="application/json",
    )
    assert_error(response, 400, "invalid")


def test_a_person_without_a_place_is_refused_for_non_superusers(client_for):
    response = client_for("school_admin_01").post(
        "/api/v1/people",
        data=json.dumps({"username": "floating", "full_name": "无处"}),
        content_type="application/json",
    )
    assert_error(response, 400, "orgs.placement_required")


def test_a_weak_password_is_refused(token_client):
    response = token_client.post(
        "/api/v1/people",
        data=json.dumps(
            {
                "username": "weakling",
                "full_name": "弱",
                "password": "12345678",
                "role": "teacher",
                "unit_id": unit_id("BJ-HD-S01"),
            }
        ),
        content_type="application/json",
    )
    assert_error(response, 400, "accounts.weak_password")


def test_a_locked_sqlite_database_is_a_503_to_retry_not_a_500(client_for, monkeypatch):
    from django.db import OperationalError

    from tongke.orgs import selectors

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "person_list", locked)
    response = client_for("bj_admin").get("/api/v1/people")
    assert_error(response, 503, "busy")
    assert response["Retry-After"] == "1"
