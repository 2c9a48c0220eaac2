"""Reads of results earned at other schools."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from tongke.accounts.models import User
from tongke.courses import policies
from tongke.courses.models import ExternalResult, Offering, Selection


def result_list(
    *,
    viewer: User | AnonymousUser,
    student_id: int | None = None,
    home_school_id: int | None = None,
) -> QuerySet[ExternalResult]:
    """Results visible through the selection they came from."""
    visible = Selection.objects.filter(policies.selection_visible_to(viewer)).values(
        "student_id", "offering_id"
    )
    qs = ExternalResult.objects.filter(
        Q(
            student_id__in=visible.values("student_id"),
            offering_id__in=visible.values("offering_id"),
        )
    )
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    if home_school_id is not None:
        qs = qs.filter(home_school_id=home_school_id)
    return qs.select_related("student", "home_school", "host_school").order_by(
        "-recorded_at", "-id"
    )


def current_results(
    *,
    viewer: User | AnonymousUser,
    student_id: int | None = None,
    offering: Offering | None = None,
    home_side: bool = False,
) -> QuerySet[ExternalResult]:
    """Results visible to ``viewer`` that no later record superseded."""
    qs = result_list(viewer=viewer, student_id=student_id).filter(superseded_by__isnull=True)
    if offering is not None:
        qs = qs.filter(offering=offering)
    if home_side:
        qs = qs.filter(policies.home_selection_visible_to(viewer))
    return qs
