"""Shared test fixtures. The test database is seeded once per run with the deterministic
demo region, so tests name demo accounts (see tongke/demo/seed.py); each test runs in a
transaction that is rolled back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from tongke.demo.seed import seed_demo

    with django_db_blocker.unblock():
        seed_demo(media_variety=2)  # two small videos and PDFs: enough to play, quick to make


@pytest.fixture
def user_named(db: Any) -> Callable[[str], Any]:
    from django.contrib.auth import get_user_model

    def get(username: str) -> Any:
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def client_for(db: Any, user_named: Callable[[str], Any]) -> Callable[[str | None], Client]:
    """A test client signed in as the named demo user (None: anonymous)."""

    def make(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(user_named(username))
        return client

    return make
