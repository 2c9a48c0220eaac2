from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongke.accounts.models import ApiToken


def api_token_list(*, viewer: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=viewer.pk).order_by("-created_at")
