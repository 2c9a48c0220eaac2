"""Sending and reading notifications. Senders call ``notify`` inside their transaction: the
row commits with the change it reports, or not at all."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongke.accounts.types import Actor
from tongke.notifications import policies
from tongke.notifications.models import Notification


def notify(*, user_id: int, kind: str, title: str, body: str = "", link: str = "") -> Notification:
    note = Notification(user_id=user_id, kind=kind, title=title[:200], body=body, link=link[:300])
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def notifications_mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(policies.notification_visible_to(actor), read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
