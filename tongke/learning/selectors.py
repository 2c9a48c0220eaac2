"""Reads of the learning platform; lists start from the policies' ``*_visible_to`` filters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tongke.core.errors import NotFound
from tongke.learning import policies
from tongke.learning.errors import LearningError
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
from tongke.orgs.enums import Role
from tongke.orgs.models import RoleAssignment


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
        .select_related("item", "attempt__assignment__klass")
        .order_by("-created_at", "-id")[:limit]
    )


# --- Reads of the pages ---------------------------------------------------------------------


def item_get(item_id: int) -> Item:
    """An item by id, for a learner's answer: the service checks it was served to them."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(code=LearningError.ITEM_NOT_FOUND)
    return item


def point_get(point_id: int, *, subject: str = "") -> KnowledgePoint:
    qs = KnowledgePoint.objects.filter(pk=point_id).select_related("node")
    if subject:
        qs = qs.filter(subject=subject)
    point = qs.first()
    if point is None:
        raise NotFound(code=LearningError.POINT_NOT_FOUND)
    return point


def attempt_list(*, viewer: Any, assignment: Assignment) -> QuerySet[Attempt]:
    """The attempts of an assignment whose learners ``viewer`` may read."""
    return (
        Attempt.objects.filter(assignment=assignment, student__in=policies.learner_queryset(viewer))
        .select_related("student")
        .annotate(
            n_answered=Count("responses", distinct=True),
            n_right=Count("responses", filter=Q(responses__correct=True), distinct=True),
        )
        .order_by("student__username")
    )


def assignment_students(assignment: Assignment) -> list[Any]:
    """The students who do the assignment: the named group, or the whole class."""
    group = list(assignment.students.order_by("username"))
    if group:
        return group
    return list(
        get_user_model()
        .objects.filter(roles__unit_id=assignment.klass_id, roles__role=Role.STUDENT)
        .order_by("username")
        .distinct()
    )


def assignments_set_by(*, teacher: Any, limit: int = 30) -> list[Assignment]:
    """The assignments the teacher set, newest due first, with the short answers waiting."""
    return list(
        Assignment.objects.filter(teacher_id=teacher.pk)
        .select_related("klass")
        .annotate(
            waiting=Count(
                "attempts__responses",
                filter=Q(attempts__responses__correct__isnull=True),
                distinct=True,
            )
        )
        .order_by("-due_at", "-id")[:limit]
    )


def class_mastery(*, klass: Any, subject: str) -> dict[int, float]:
    """The class's average mastery per point (over the students who were assessed)."""
    students = RoleAssignment.objects.filter(unit=klass, role=Role.STUDENT).values("user_id")
    rows = (
        Mastery.objects.filter(student_id__in=students, point__subject=subject)
        .values("point_id")
        .annotate(avg=Avg("p"))
        .order_by("point_id")
    )
    return {r["point_id"]: float(r["avg"]) for r in rows}


def students_of_class(klass: Any, ids: list[int]) -> list[Any]:
    """The users with these ids, in the given order (membership is checked by the service)."""
    from django.contrib.auth import get_user_model

    found = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]
