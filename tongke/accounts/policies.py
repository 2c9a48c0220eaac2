"""Who may do what with accounts: a person sees and revokes only their own API tokens."""

from __future__ import annotations

from tongke.accounts.models import ApiToken, User
from tongke.core.errors import NotFound


def access_api_token(user: User, token_id: int) -> ApiToken:
    """One of ``user``'s own tokens; another person's answers as missing."""
    token = ApiToken.objects.filter(user_id=user.pk, pk=token_id).first()
    if token is None:
        raise NotFound(code="accounts.token_not_found")
    return token
