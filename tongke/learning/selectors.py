"""Reads of the learning platform; lists start from the policies' ``*_visible_to`` filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tongke.learning import policies
from tongke.learning.models import (
    Assignment,
    AssignmentItem,
    Attempt,
    Item,
    ItemPoint,
    KnowledgePoint,
    Mastery,
    Response,
)


def item_list(
    *,
    viewer: Any,
    subject: str = "",
    point_id: int | None = None,
    kind: str = "",
    q: str = "",
) -> QuerySet[Item]:
    qs = Item.objects.filter(policies.item_visible_to(viewer), is_current=True)
    if subject:
        qs = qs.filter(subject=subject)
    if point_id:
        qs = qs.filter(point_links__point_id=point_id)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(stem__icontains=q[:100])
    return qs.prefetch_related(
        Prefetch("point_links", queryset=ItemPoint.objects.select_related("point"))
    ).order_by("subject", "family", "id")


def assignment_list(*, viewer: Any) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(policies.assignment_visible_to(viewer))
        .select_related("klass", "teacher")
        .annotate(n_items=Count("entries", distinct=True))
        .distinct()
        .order_by("-due_at", "-id")
    )


def assignment_entries(assignment: Assignment) -> list[AssignmentItem]:
    return list(assignment.entries.select_related("item").order_by("position", "id"))


def attempt_of(*, student: Any, assignment: Assignment) -> Attempt | None:
    return Attempt.objects.filter(student_id=student.pk, assignment=assignment).first()


def responses_of(attempt: Attempt) -> dict[int, Response]:
    return {r.item_id: r for r in attempt.responses.all()}


def to_grade(*, viewer: Any, assignment: Assignment) -> QuerySet[Response]:
    """Short answers of the assignment waiting for the teacher."""
    return (
        Response.objects.filter(
            attempt__assignment=assignment,
            correct__isnull=True,
            student__in=policies.learner_queryset(viewer),
        )
        .select_related("item", "student")
        .order_by("created_at")
    )


def mastery_list(*, learner: Any, subject: str = "") -> QuerySet[Mastery]:
    qs = Mastery.objects.filter(student_id=learner.pk).select_related("point")
    if subject:
        qs = qs.filter(point__subject=subject)
    return qs.order_by("point__position", "point_id")


def point_list(*, subject: str) -> QuerySet[KnowledgePoint]:
    return (
        KnowledgePoint.objects.filter(subject=subject)
        .select_related("node")
        .order_by("position", "id")
    )


def open_assignments_for(*, student: Any) -> QuerySet[Assignment]:
    now = timezone.now()
    return (
        Assignment.objects.filter(policies.assignment_visible_to(student), due_at__gt=now)
        .filter(Q(opens_at__lte=now))
        .select_related("klass", "teacher")
        .distinct()
        .order_by("due_at")
    )


def recent_responses(*, learner: Any, limit: int = 20) -> QuerySet[Response]:
    return (
        Response.objects.filter(student_id=learner.pk)
        .select_related("item")
        .order_by("-created_at", "-id")[:limit]
    )
