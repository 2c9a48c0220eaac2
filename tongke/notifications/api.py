"""A person's own notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from tongke.accounts.auth import SIGNED_IN, actor_of
from tongke.core.pagination import PageParams, page_schema, paginate
from tongke.core.types import DbId
from tongke.notifications import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationFilter(PageParams):
    unread: bool = False


class MarkReadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    ids: list[DbId] | None = Field(None, max_length=500, description="None marks all as read")


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=page_schema(NotificationOut),
    auth=SIGNED_IN,
    summary="My notifications",
)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> dict[str, Any]:
    qs = selectors.notification_list(viewer=actor_of(request), unread_only=filters.unread)
    rows, frame = paginate(qs, filters)
    return frame | {"items": rows}


@router.post(
    "/notifications/read", response=MarkedOut, auth=SIGNED_IN, summary="Mark notifications read"
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    return {"marked": services.notifications_mark_read(actor=actor_of(request), ids=payload.ids)}
