"""The sign-in throttle: one count per person whatever the spelling, kept in shared storage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tongke.accounts import services
from tongke.accounts.models import LoginThrottle
from tongke.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# Spellings that Django's AuthenticationForm resolves to the account "s00006": it strips the
# value and NFKC-normalises it (full-width letters and digits become ASCII).
VARIANTS = [
    " s00006",
    "s00006 ",
    "\ts00006",
    "\u3000s00006",  # an ideographic space
    "ｓ００００６",  # full-width
    " " * 200 + "s00006",  # longer than the field once the spaces count
]


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def lock(username: str, attempts: int) -> None:
    client = Client()
    for _ in range(attempts):
        assert sign_in(client, username, "wrong") == 200


@pytest.mark.parametrize("variant", VARIANTS, ids=repr)
def test_every_spelling_of_a_username_signs_in_when_not_locked(variant, user_named):
    """The control for the test below: each variant really is the account."""
    user_named("s00006")
    assert sign_in(Client(), variant, DEMO_PASSWORD) == 302


@pytest.mark.parametrize("variant", VARIANTS, ids=repr)
def test_a_locked_account_stays_locked_for_every_spelling(variant, settings):
    # Given an account locked by failures with its plain name
    settings.TONGKE_LOGIN_ATTEMPTS = 3
    lock("s00006", 3)
    # When the right password comes with another spelling of the name, from another client
    response = Client(REMOTE_ADDR="10.9.9.9").post(
        "/accounts/login/", {"username": variant, "password": DEMO_PASSWORD}
    )
    # Then it is refused like the plain name
    assert response.status_code == 429


def test_failures_under_other_spellings_count_for_the_account(settings):
    settings.TONGKE_LOGIN_ATTEMPTS = 3
    client = Client()
    for variant in ("S00006", " s00006", "ｓ００００６"):
        assert sign_in(client, variant, "wrong") == 200
    assert sign_in(Client(REMOTE_ADDR="10.9.9.9"), "s00006", DEMO_PASSWORD) == 429


def test_the_count_survives_clearing_the_process_cache(settings):
    """The cache is never the source of truth: a restart or a second worker (another
    process cache) still sees the failures."""
    settings.TONGKE_LOGIN_ATTEMPTS = 3
    lock("s00006", 3)
    cache.clear()
    assert sign_in(Client(REMOTE_ADDR="10.9.9.9"), "s00006", DEMO_PASSWORD) == 429


def test_the_lock_ends_with_its_window(settings):
    settings.TONGKE_LOGIN_ATTEMPTS = 3
    lock("s00006", 3)
    LoginThrottle.objects.update(window_until=timezone.now() - timedelta(seconds=1))
    assert sign_in(Client(), "s00006", DEMO_PASSWORD) == 302


def test_failures_add_up_in_one_row_per_key():
    for _ in range(3):
        services.login_record_failure(username="s00006", ip="10.1.2.3")
    rows = dict(LoginThrottle.objects.values_list("key", "count"))
    assert sorted(rows.values()) == [3, 3]
    assert any(k.startswith("ip:") for k in rows) and any(k.startswith("user:") for k in rows)
    assert not any("s00006" in k for k in rows)  # usernames are stored hashed


def test_expired_rows_are_purged_on_write():
    LoginThrottle.objects.create(
        key="user:old", count=4, window_until=timezone.now() - timedelta(seconds=1)
    )
    services.login_record_failure(username="someone", ip=None)
    assert not LoginThrottle.objects.filter(key="user:old").exists()
    assert LoginThrottle.objects.count() == 1


def test_a_success_clears_the_username_count_but_not_the_address_count(settings):
    settings.TONGKE_LOGIN_ATTEMPTS = 3
    client = Client()
    assert sign_in(client, "s00006", "wrong") == 200
    assert sign_in(client, "s00006", DEMO_PASSWORD) == 302
    keys = set(LoginThrottle.objects.values_list("key", flat=True))
    assert all(k.startswith("ip:") for k in keys) and keys
