"""Authentication: argon2, sessions, API tokens, sign-in throttling, CSRF, security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from tongke.accounts.models import ApiToken
from tongke.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_passwords_are_hashed_with_argon2(user_named):
    assert user_named("t0001").password.startswith("argon2")


def test_sign_in_with_the_form_starts_a_session():
    client = Client()
    response = client.post("/accounts/login/", {"username": "t0001", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "t0001"


def test_repeated_failures_are_throttled_with_a_clear_message(settings):
    settings.TONGKE_LOGIN_ATTEMPTS = 3
    client = Client()
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "t0001", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post("/accounts/login/", {"username": "t0001", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many" in response.content.decode() or "过多" in response.content.decode()
    assert client.get("/api/v1/me").status_code == 401  # even the right password waits


def test_the_throttle_is_per_username(settings):
    settings.TONGKE_LOGIN_ATTEMPTS = 2
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "t0001", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "t0002", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_an_api_token_works_is_stored_hashed_and_can_be_revoked(client_for):
    session = client_for("t0001")
    created = session.post("/api/v1/tokens", {"name": "script"}, content_type="application/json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert secret not in (stored.digest, stored.prefix) and len(stored.digest) == 64

    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/me").json()["username"] == "t0001"
    assert session.get("/api/v1/tokens").json()["items"][0]["name"] == "script"
    assert "secret" not in session.get("/api/v1/tokens").json()["items"][0]

    assert session.delete(f"/api/v1/tokens/{stored.pk}").status_code == 204
    response = bearer.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_a_wrong_token_is_refused_not_treated_as_anonymous():
    response = Client(HTTP_AUTHORIZATION="Bearer tk_nope").get("/api/v1/schools")
    assert response.status_code == 401


def test_an_expired_token_is_refused(client_for):
    from datetime import timedelta

    from django.utils import timezone

    session = client_for("t0001")
    created = session.post(
        "/api/v1/tokens", {"name": "short", "expires_in_days": 1}, content_type="application/json"
    ).json()
    ApiToken.objects.filter(pk=created["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {created['secret']}").get("/api/v1/me").status_code
        == 401
    )


def test_session_api_writes_need_the_csrf_token(user_named):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_named("bj_admin"))
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf"
    client.get("/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


def test_forms_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "t0001", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "csrf" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/orgs/", "/api/v1/schools"])
def test_security_headers(path):
    response = Client().get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script_or_style(client_for):
    for who, path in [
        (None, "/"),
        ("bj_admin", "/"),
        ("t0001", "/"),
        ("p00001", "/"),
        (None, "/accounts/login/"),
    ]:
        html = client_for(who).get(path).content.decode()
        assert "<script>" not in html and "style=" not in html, (who, path)


def test_check_deploy_is_clean_in_production_configuration(tmp_path):
    env = {
        **os.environ,
        "TONGKE_HOME": str(tmp_path),
        "TONGKE_PRODUCTION": "1",
        "TONGKE_SECRET_KEY": "k" * 30 + "Q7!x" * 10,
        "TONGKE_ALLOWED_HOSTS": "tongke.example.org",
        "TONGKE_DATABASE_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tongke.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
