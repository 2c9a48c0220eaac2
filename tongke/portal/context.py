"""The navigation shown on every page, by what the signed-in person may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tongke.library import policies as library_policies
from tongke.orgs import policies
from tongke.roster import policies as roster_policies


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = [(reverse("portal:home"), _("Home")), (reverse("orgs:browse"), _("Schools"))]
    if user is not None and user.is_authenticated:
        items.append((reverse("orgs:people"), _("People")))
        items.append((reverse("courses:catalogue"), _("Course selection")))
    items.append((reverse("library:home"), _("Lesson library")))
    if user is not None and user.is_authenticated:
        items.append((reverse("learning:home"), _("Learning")))
        items.append((reverse("live:home"), _("Live classes")))
    if user is not None and user.is_authenticated and library_policies.is_reviewer(user):
        items.append((reverse("library:review-queue"), _("Review")))
    if user is not None and user.is_authenticated and policies.can_read_audit(user):
        items.append((reverse("orgs:audit"), _("Audit log")))
    if user is not None and user.is_authenticated and roster_policies.can_import(user):
        items.append((reverse("roster:upload"), _("Roster import")))
    items.append(("/api/v1/docs", _("API")))
    path = request.path
    matches = [url for url, _label in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)  # one current page: the longest match
    return {
        "nav_items": [
            {"url": url, "label": label, "active": url == current} for url, label in items
        ]
    }
