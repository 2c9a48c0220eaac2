"""Writes on accounts: API tokens and the sign-in throttle."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tongke.accounts import errors
from tongke.accounts.models import ApiToken, User
from tongke.audit.services import audit_record

TOKEN_PREFIX = "tk_"  # noqa: S105 (a public prefix, not a secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; returns it with the secret, which is never stored."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise errors.bad_token_name()
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=actor, name=name, prefix=prefix, digest=_digest(secret), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", target=token, changes={"name": name})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token)
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active user holding this secret, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Record use at most once a minute, so a busy client does not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Sign-in throttle: counts failures per username and per client address in the cache.


def _throttle_keys(username: str, ip: str | None) -> list[str]:
    keys = [f"login-fail:user:{hashlib.sha256(username.lower().encode()).hexdigest()[:32]}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def login_check_throttle(*, username: str, ip: str | None) -> None:
    """Raise Throttled when this username or address has failed too often lately."""
    limit = settings.TONGKE_LOGIN_ATTEMPTS
    now = time.time()
    for key in _throttle_keys(username, ip):
        # The per-address limit is looser: a school behind one NAT shares an address.
        key_limit = limit * 4 if ":ip:" in key else limit
        record = cache.get(key)
        if record and record["count"] >= key_limit:
            wait = int(record["until"] - now)
            if wait > 0:
                raise errors.login_throttled(wait)


def login_record_failure(*, username: str, ip: str | None) -> None:
    window = settings.TONGKE_LOGIN_WINDOW_S
    now = time.time()
    for key in _throttle_keys(username, ip):
        record = cache.get(key) or {"count": 0, "until": now + window}
        record["count"] += 1
        record["until"] = now + window
        cache.set(key, record, timeout=window)


def login_record_success(*, username: str) -> None:
    cache.delete(_throttle_keys(username, None)[0])
