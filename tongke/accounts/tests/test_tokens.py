"""API tokens: bound to the password, expiring, scoped, minted only from a browser session."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tongke.accounts import errors, services
from tongke.accounts.models import ApiToken, User
from tongke.core.errors import Invalid
from tongke.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Quiet-river-2027-lantern"


def create(session: Client, **body) -> dict:
    response = session.post("/api/v1/tokens", {"name": "script", **body}, "application/json")
    assert response.status_code == 201, response.content
    return response.json()


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- (a) a password change ends every token, by whatever path it happens ------------------


def _save_set_password(user: User) -> None:
    user.set_password(NEW_PASSWORD)
    user.save()


def _admin_form(user: User) -> None:
    form = AdminPasswordChangeForm(user, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()


def _change_form(user: User) -> None:
    data = {
        "old_password": DEMO_PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    form = PasswordChangeForm(user, data)
    assert form.is_valid(), form.errors
    form.save()


def _changepassword_command(user: User) -> None:
    target = "django.contrib.auth.management.commands.changepassword.getpass.getpass"
    with mock.patch(target, return_value=NEW_PASSWORD):
        call_command("changepassword", user.username, stdout=mock.MagicMock())


def _queryset_update(user: User) -> None:
    User.objects.filter(pk=user.pk).update(password=make_password(NEW_PASSWORD))


@pytest.mark.parametrize(
    "change",
    [_save_set_password, _admin_form, _change_form, _changepassword_command, _queryset_update],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_password_change_ends_every_token(change, client_for, user_named):
    # Given two working tokens
    session = client_for("t0001")
    secrets = [create(session)["secret"], create(session, scopes=["write"])["secret"]]
    assert all(bearer(s).get("/api/v1/me").status_code == 200 for s in secrets)
    # When the password changes
    change(user_named("t0001"))
    # Then neither works any more, and both show as revoked
    for secret in secrets:
        response = bearer(secret).get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["code"] == "auth.required"
    assert ApiToken.objects.filter(user__username="t0001", revoked_at__isnull=True).count() == 0


def test_other_changes_to_the_person_keep_their_tokens(client_for, user_named):
    secret = create(client_for("t0001"))["secret"]
    user = user_named("t0001")
    user.full_name = "新名字"
    user.last_login = timezone.now()
    user.save()
    assert (
        Client()
        .post("/accounts/login/", {"username": "t0001", "password": DEMO_PASSWORD})
        .status_code
        == 302
    )
    assert bearer(secret).get("/api/v1/me").status_code == 200


# --- (b) every token expires ------------------------------------------------------------


def test_a_token_expires_after_90_days_by_default(client_for):
    before = timezone.now()
    created = create(client_for("t0001"))
    after = timezone.now()
    expires = ApiToken.objects.get(pk=created["id"]).expires_at
    assert expires is not None
    assert before + timedelta(days=90) <= expires <= after + timedelta(days=90)
    assert created["expires_at"] is not None


@pytest.mark.parametrize("days", [None, 0, 366, 3650])
def test_a_token_cannot_be_made_to_live_forever_or_past_a_year(days, client_for):
    response = client_for("t0001").post(
        "/api/v1/tokens", {"name": "x", "expires_in_days": days}, "application/json"
    )
    assert response.status_code == 422
    assert not ApiToken.objects.filter(user__username="t0001").exists()


def test_the_service_refuses_a_lifetime_past_the_limit(user_named):
    with pytest.raises(Invalid) as caught:
        services.api_token_create(actor=user_named("t0001"), name="x", expires_in_days=366)
    assert caught.value.code == errors.TOKEN_EXPIRY


def test_a_year_is_allowed(client_for):
    created = create(client_for("t0001"), expires_in_days=365)
    assert created["expires_at"] is not None


# --- (c) a token cannot mint tokens -------------------------------------------------------


@pytest.mark.parametrize("scopes", [["read"], ["write"]])
def test_a_bearer_token_cannot_create_tokens(scopes, client_for):
    secret = create(client_for("t0001"), scopes=scopes)["secret"]
    response = bearer(secret).post("/api/v1/tokens", {"name": "child"}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] in (errors.TOKEN_SESSION_REQUIRED, errors.TOKEN_SCOPE)
    assert ApiToken.objects.filter(user__username="t0001").count() == 1


def test_a_write_token_is_told_that_only_a_session_creates_tokens(client_for):
    secret = create(client_for("t0001"), scopes=["write"])["secret"]
    response = bearer(secret).post("/api/v1/tokens", {"name": "child"}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == errors.TOKEN_SESSION_REQUIRED


# --- (d) scopes ---------------------------------------------------------------------------


def test_a_token_is_read_only_unless_asked_otherwise(client_for):
    created = create(client_for("t0001"))
    assert created["scopes"] == ["read"]
    client = bearer(created["secret"])
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/notifications/read", {"ids": None}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == errors.TOKEN_SCOPE
    response = client.delete(f"/api/v1/tokens/{created['id']}")
    assert response.status_code == 403
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


def test_a_write_token_may_read_and_write(client_for):
    created = create(client_for("t0001"), scopes=["read", "write"])
    assert created["scopes"] == ["read", "write"]
    client = bearer(created["secret"])
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/notifications/read", {"ids": None}, "application/json")
    assert response.status_code == 200
    listed = client_for("t0001").get("/api/v1/tokens").json()["items"][0]
    assert listed["scopes"] == ["read", "write"]


@pytest.mark.parametrize("scopes", [["admin"], [], ["read", "READ "], "read", [1]])
def test_unknown_scopes_are_refused(scopes, client_for):
    response = client_for("t0001").post(
        "/api/v1/tokens", {"name": "x", "scopes": scopes}, "application/json"
    )
    assert response.status_code == 422
    assert not ApiToken.objects.filter(user__username="t0001").exists()


def test_the_service_refuses_unknown_scopes(user_named):
    with pytest.raises(Invalid) as caught:
        services.api_token_create(actor=user_named("t0001"), name="x", scopes=["root"])
    assert caught.value.code == errors.TOKEN_SCOPES


# --- names --------------------------------------------------------------------------------

BAD_NAMES = ["a\x00b", "a\x07b", "line\nbreak", "a\x7fb", "a\u200bb", "\u202eevil", "a\ud800b"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_control_characters_in_a_token_name_are_refused(name, client_for):
    body = json.dumps({"name": name})  # a lone surrogate travels as a \\ud800 escape
    response = client_for("t0001").post("/api/v1/tokens", body, "application/json")
    assert response.status_code == 422, response.content
    assert not ApiToken.objects.filter(user__username="t0001").exists()


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_the_service_refuses_control_characters_in_a_name(name, user_named):
    with pytest.raises(Invalid) as caught:
        services.api_token_create(actor=user_named("t0001"), name=name)
    assert caught.value.code == errors.TOKEN_NAME


def test_a_chinese_name_with_spaces_is_fine(client_for):
    assert create(client_for("t0001"), name="  成绩 同步 脚本 ")["name"] == "成绩 同步 脚本"


def test_the_migration_binds_old_tokens_as_the_service_does():
    """Migration 0003 carries its own copy of the fingerprint; it must not drift."""
    import importlib

    migration = importlib.import_module(
        "tongke.accounts.migrations.0003_bind_existing_tokens_to_password_and_expiry"
    )
    for password_hash in ("argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA", "!", ""):
        assert migration._fingerprint(password_hash) == services.api_token_password_fingerprint(
            password_hash
        )
