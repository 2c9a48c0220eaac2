"""How API callers prove who they are: a bearer token, or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from tongke.accounts import errors
from tongke.accounts.models import User
from tongke.accounts.services import api_token_authenticate, api_token_permits
from tongke.core.errors import NotAuthenticated


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tk_...``. A token that is present but wrong (unknown, revoked,
    expired, or older than its holder's password) is refused outright (401), never treated
    as anonymous. A token without the ``write`` scope used on an unsafe method is a 403."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token)
        if api_token is None:
            raise AuthenticationError()
        if not api_token_permits(api_token, request.method or ""):
            raise errors.token_scope_missing()
        user = api_token.user
        request.user = user
        request._tongke_token_auth = True  # type: ignore[attr-defined]
        return user


class Session(SessionAuth):
    """The signed-in browser session. CSRF is checked on unsafe methods."""


def anonymous(request: HttpRequest) -> Any:
    """Lets an operation answer anonymous callers (public directory data)."""
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    if not getattr(request, "user", None):
        request.user = AnonymousUser()
    return request.user if request.user.is_authenticated else AnonymousUser.__name__


def actor_of(request: HttpRequest) -> User:
    """The signed-in person making this request, typed: what handlers behind ``SIGNED_IN`` or
    ``login_required`` pass to services as ``actor``. Anonymous here is a 401, never a 500."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


SIGNED_IN = [TokenAuth(), Session()]
PUBLIC = [TokenAuth(), Session(), anonymous]
