"""Who sees which notifications: a person sees, and marks read, only their own."""

from __future__ import annotations

from django.db.models import Q

from tongke.accounts.types import Viewer


def notification_visible_to(user: Viewer) -> Q:
    """A filter on Notification: the user's own (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(user_id=user.pk)
