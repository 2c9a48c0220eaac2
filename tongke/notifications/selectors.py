from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongke.notifications.models import Notification


def notification_list(*, viewer: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user_id=viewer.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, viewer: Any) -> int:
    return Notification.objects.filter(user_id=viewer.pk, read_at__isnull=True).count()
