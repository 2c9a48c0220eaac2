from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongke.accounts.models import ApiToken
from tongke.core.errors import NotFound


def api_token_list(*, viewer: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=viewer.pk).order_by("-created_at")


def access_api_token(viewer: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user_id=viewer.pk, pk=token_id).first()
    if token is None:
        raise NotFound(code="accounts.token_not_found")
    return token
