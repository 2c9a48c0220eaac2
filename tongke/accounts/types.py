"""The types every service, selector and policy signature uses for the person acting."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from tongke.accounts.models import User

Actor: TypeAlias = User
"""A signed-in person who changes something (services' ``actor``)."""

Viewer: TypeAlias = User | AnonymousUser
"""Whoever asks to see something: a signed-in person or an anonymous visitor (policies' and
selectors' ``user`` / ``viewer``)."""
