from __future__ import annotations

from django.db.models import QuerySet

from tongke.accounts.models import User
from tongke.notifications import policies
from tongke.notifications.models import Notification


def notification_list(*, viewer: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(policies.notification_visible_to(viewer))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, viewer: User) -> int:
    return Notification.objects.filter(
        policies.notification_visible_to(viewer), read_at__isnull=True
    ).count()
