"""Writing audit events. Services of other apps call ``audit_record`` inside their transaction,
so an event exists exactly when the change it describes was committed."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from tongke.audit.models import AuditEvent
from tongke.core.request_context import current_ip


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The plain values of ``fields`` on ``obj`` (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    scope_path: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = ""
    if actor is not None and actor_id is not None:
        actor_label = getattr(actor, "username", "") or str(actor)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:300]
    event = AuditEvent(
        actor_id=actor_id,
        actor_label=actor_label or "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        scope_path=scope_path,
        changes={
            k: [_plain(x) for x in v] if isinstance(v, list) else _plain(v)
            for k, v in (changes or {}).items()
        },
        ip=current_ip(),
    )
    event.save()
    return event
