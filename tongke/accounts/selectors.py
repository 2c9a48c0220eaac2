from __future__ import annotations

from django.db.models import QuerySet

from tongke.accounts.models import ApiToken, User


def api_token_list(*, viewer: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=viewer.pk).order_by("-created_at")
