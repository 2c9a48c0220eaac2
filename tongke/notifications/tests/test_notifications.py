"""A person sees and marks read only their own notifications."""

from __future__ import annotations

import json

import pytest

from tongke.core.types import MAX_DB_INT
from tongke.notifications.models import Notification
from tongke.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_each_person_sees_and_marks_only_their_own(client_for, user_named):
    mine = notify(user_id=user_named("s00001").pk, kind="test", title="给你的")
    theirs = notify(user_id=user_named("s00002").pk, kind="test", title="给别人的")
    client = client_for("s00001")
    titles = {n["title"] for n in client.get("/api/v1/notifications?limit=200").json()["items"]}
    assert "给你的" in titles and "给别人的" not in titles
    response = client.post(
        "/api/v1/notifications/read",
        json.dumps({"ids": [mine.pk, theirs.pk]}),
        content_type="application/json",
    )
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_ids_beyond_64_bits_are_a_422(client_for):
    response = client_for("s00001").post(
        "/api/v1/notifications/read",
        json.dumps({"ids": [MAX_DB_INT + 1]}),
        content_type="application/json",
    )
    assert response.status_code == 422


def test_anonymous_sees_none(user_named):
    from django.contrib.auth.models import AnonymousUser

    from tongke.notifications import policies

    notify(user_id=user_named("s00001").pk, kind="test", title="x")

    assert not Notification.objects.filter(policies.notification_visible_to(AnonymousUser()))
