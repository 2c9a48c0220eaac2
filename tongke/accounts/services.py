"""Writes on accounts: API tokens and the sign-in throttle."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tongke.accounts import errors
from tongke.accounts.enums import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TokenScope
from tongke.accounts.models import ApiToken, LoginThrottle, User
from tongke.audit.services import audit_record

TOKEN_PREFIX = "tk_"  # noqa: S105 (a public prefix, not a secret)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Unicode categories refused in names: control (Cc: NUL, tab, newline, DEL...), format (Cf:
# zero-width and bidirectional marks) and surrogate (Cs: a lone half of a UTF-16 pair).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_password_fingerprint(password_hash: str) -> str:
    """A digest of the stored password hash (not of the password). Any change of the
    password, through any path (``set_password``, the admin, ``changepassword``, a form, a
    queryset update), changes the hash and so this value. It is a plain SHA-256 rather than
    an HMAC on SECRET_KEY so that rotating the key does not end every token; it reveals
    nothing the hash beside it in the same database does not. A rehash with new argon2
    parameters at sign-in also changes it, which ends tokens as it ends other sessions."""
    return hashlib.sha256(b"tongke.api_token.password\x00" + password_hash.encode()).hexdigest()


def is_clean_text(text: str) -> bool:
    """No control, format or surrogate character (see ``_REFUSED_CATEGORIES``)."""
    return not any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text)


def _scopes(scopes: Iterable[str]) -> list[str]:
    given = {str(s) for s in scopes}
    known = [s.value for s in TokenScope]
    if not given or not given <= set(known):
        raise errors.bad_token_scopes()
    return [s for s in known if s in given]


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    name: str,
    scopes: Iterable[str] = (TokenScope.READ,),
    expires_in_days: int = TOKEN_DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; returns it with the secret, which is never stored.

    Every token expires (after ``expires_in_days``, 1 to ``TOKEN_MAX_DAYS``), holds the
    given scopes (read only by default) and is bound to the actor's current password."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 100 or not is_clean_text(name):
        raise errors.bad_token_name()
    scope_list = _scopes(scopes)
    if isinstance(expires_in_days, bool) or not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise errors.bad_token_expiry()
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=actor,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
        scopes=scope_list,
        password_fingerprint=api_token_password_fingerprint(actor.password),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action="api_token.create",
        target=token,
        changes={"name": name, "scopes": scope_list, "expires_at": token.expires_at.isoformat()},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token)
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token holding this secret (its ``user`` loaded and active), or None.

    A token is refused once revoked, expired, or when its holder's password has changed
    since it was made; the last also marks it revoked, so the list shows it ended."""
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
    if token.expires_at <= now:
        return None
    if not hmac.compare_digest(
        token.password_fingerprint, api_token_password_fingerprint(token.user.password)
    ):
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
        return None
    # Record use at most once a minute, so a busy client does not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_permits(token: ApiToken, method: str) -> bool:
    """``read`` allows the safe methods; ``write`` allows every method (and includes read)."""
    scopes = set(token.scopes or ())
    if TokenScope.WRITE.value in scopes:
        return True
    return method.upper() in SAFE_METHODS and TokenScope.READ.value in scopes


# --- Sign-in throttle: failures per username and per client address, in the database
# (models.LoginThrottle says why not the cache).


def login_normalize_username(username: str) -> str:
    """The account a typed username resolves to, for counting: what Django's
    AuthenticationForm does (strip, then NFKC), then casefold, so that " s00006",
    "ｓ００００６" and "S00006" all count for s00006. Never truncated: the form checks the
    length of the normalised value, so cutting the raw value would let padding through."""
    return unicodedata.normalize("NFKC", (username or "").strip()).strip().casefold()


def _throttle_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    """(key, limit) pairs. The per-address limit is looser: a school behind one NAT
    shares an address."""
    limit = settings.TONGKE_LOGIN_ATTEMPTS
    name = login_normalize_username(username)
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    keys = [(f"user:{digest}", limit)]
    if ip:
        keys.append((f"ip:{ip}"[:100], limit * 4))
    return keys


def login_check_throttle(*, username: str, ip: str | None) -> None:
    """Raise Throttled when this username or address has failed too often lately."""
    now = timezone.now()
    keys = dict(_throttle_keys(username, ip))
    rows = LoginThrottle.objects.filter(key__in=keys, window_until__gt=now)
    waits = [
        int((row.window_until - now).total_seconds()) + 1
        for row in rows
        if row.count >= keys[row.key]
    ]
    if waits:
        raise errors.login_throttled(max(waits))


@transaction.atomic
def login_record_failure(*, username: str, ip: str | None) -> None:
    """Count one failure for the username and the address, each in one conditional UPDATE
    (``count = count + 1``), so concurrent failures from several processes all count. The
    window slides: it ends TONGKE_LOGIN_WINDOW_S after the latest failure."""
    now = timezone.now()
    until = now + timedelta(seconds=settings.TONGKE_LOGIN_WINDOW_S)
    LoginThrottle.objects.filter(window_until__lte=now).delete()
    for key, _limit in _throttle_keys(username, ip):
        if LoginThrottle.objects.filter(key=key).update(count=F("count") + 1, window_until=until):
            continue
        try:
            with transaction.atomic():
                LoginThrottle.objects.create(key=key, count=1, window_until=until)
        except IntegrityError:  # another process created it meanwhile
            LoginThrottle.objects.filter(key=key).update(count=F("count") + 1, window_until=until)


def login_record_success(*, username: str) -> None:
    LoginThrottle.objects.filter(key=_throttle_keys(username, None)[0][0]).delete()
