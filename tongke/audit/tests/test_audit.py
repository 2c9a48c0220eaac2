"""The audit log: every write on people, roles and org data leaves an append-only event."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from tongke.audit.models import AppendOnlyError, AuditEvent
from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def latest() -> AuditEvent:
    return AuditEvent.objects.order_by("-id")[0]


def test_changing_a_school_records_who_what_and_before_after(client_for, user_named):
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    response = client_for("school_admin_01").patch(
        f"/api/v1/schools/{school.pk}",
        data=json.dumps({"bandwidth_mbps": 300, "name_en": "Haidian Exp. Primary"}),
        content_type="application/json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    event = latest()
    assert event.action == "org_unit.update"
    assert event.actor_id == user_named("school_admin_01").pk
    assert event.target_id == str(school.pk)
    assert event.changes == {
        "bandwidth_mbps": [1000, 300],
        "name_en": ["Haidian Experimental Primary School", "Haidian Exp. Primary"],
    }
    assert event.scope_path == school.path
    assert event.ip == "10.1.2.3"


def test_a_write_that_changes_nothing_records_nothing(client_for):
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    before = AuditEvent.objects.count()
    client_for("school_admin_01").patch(
        f"/api/v1/schools/{school.pk}",
        data=json.dumps({"bandwidth_mbps": school.bandwidth_mbps}),
        content_type="application/json",
    )
    assert AuditEvent.objects.count() == before


def test_people_and_roles_are_audited(client_for):
    client = client_for("school_admin_01")
    klass = OrgUnit.objects.get(code="BJ-HD-S01-G03-C1")
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    person = client.post(
        "/api/v1/people",
        data=json.dumps(
            {"username": "newkid", "full_name": "新同学", "role": "teacher", "unit_id": school.pk}
        ),
        content_type="application/json",
    ).json()
    create, first_role = AuditEvent.objects.order_by("-id")[1], latest()
    assert create.action == "person.create" and create.changes["username"] == [None, "newkid"]
    assert first_role.action == "role.grant" and first_role.scope_path == school.path
    role = client.post(
        "/api/v1/roles",
        data=json.dumps({"user_id": person["id"], "role": "teacher", "unit_id": klass.pk}),
        content_type="application/json",
    ).json()
    assert latest().action == "role.grant"
    assert latest().scope_path == klass.path
    client.delete(f"/api/v1/roles/{role['id']}")
    assert latest().action == "role.revoke"
    assert latest().changes["role"] == ["teacher", None]


def test_a_refused_write_leaves_no_event(client_for):
    before = AuditEvent.objects.count()
    klass = OrgUnit.objects.get(code="BJ-HD-S01-G03-C1")
    client_for("t0001").patch(
        f"/api/v1/classes/{klass.pk}",
        data=json.dumps({"name": "x"}),
        content_type="application/json",
    )
    assert AuditEvent.objects.count() == before


def test_events_cannot_be_changed_or_deleted_through_the_orm(client_for):
    client_for("bj_admin").post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    event = latest()
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_raw_updates_and_deletes(client_for):
    client_for("bj_admin").post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    event = latest()
    for sql in (
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "api_token.create"


def test_regional_admins_read_the_events_of_their_scope_only(client_for):
    hd_school = OrgUnit.objects.get(code="BJ-HD-S01")
    he_school = OrgUnit.objects.filter(code__startswith="HE-", kind="school").first()
    client_for("hd_admin").patch(
        f"/api/v1/schools/{hd_school.pk}",
        data=json.dumps({"bandwidth_mbps": 1}),
        content_type="application/json",
    )
    client_for("he_admin").patch(
        f"/api/v1/schools/{he_school.pk}",
        data=json.dumps({"bandwidth_mbps": 2}),
        content_type="application/json",
    )
    seen_by_bj = {
        e["target_id"]
        for e in client_for("bj_admin").get("/api/v1/audit?limit=200").json()["items"]
    }
    seen_by_he = {
        e["target_id"]
        for e in client_for("he_admin").get("/api/v1/audit?limit=200").json()["items"]
    }
    assert str(hd_school.pk) in seen_by_bj and str(he_school.pk) not in seen_by_bj
    assert str(he_school.pk) in seen_by_he and str(hd_school.pk) not in seen_by_he


def test_the_audit_page_lists_events_for_admins_and_refuses_others(client_for):
    assert client_for("bj_admin").get("/orgs/audit/").status_code == 200
    assert client_for("t0001").get("/orgs/audit/").status_code == 403
    assert client_for(None).get("/orgs/audit/").status_code == 302


def test_the_audit_page_shows_changes_whatever_their_keys_are_named(client_for, user_named):
    """A change key named like a dict method (``items``, ``keys``, ``values``) once made the
    template call the value instead of the method: 500 for every admin (trust fault 3)."""
    from tongke.audit.services import audit_record

    admin = user_named("bj_admin")
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    audit_record(
        actor=admin,
        action="learning.assignment_create",
        target=school,
        scope_path=school.path,
        changes={"items": 3, "keys": [1, 2], "values": ["a", None], "name": "期中测验"},
    )
    response = client_for("bj_admin").get("/orgs/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "期中测验" in body
    # a [before, after] pair reads as a change; a single value is shown whole (not its 1st char)
    assert "1 → 2" in body and "a → ∅" in body
