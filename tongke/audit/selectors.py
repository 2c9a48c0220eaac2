from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from tongke.audit.models import AuditEvent


def audit_event_list(
    *,
    visible: Q,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching ``visible`` (a scope filter from the caller's policy) and the filters."""
    qs = AuditEvent.objects.filter(visible)
    filters: dict[str, Any] = {
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "actor_id": actor_id,
        "at__gte": since,
        "at__lt": until,
    }
    return qs.filter(**{k: v for k, v in filters.items() if v not in (None, "")}).order_by(
        "-at", "-id"
    )
