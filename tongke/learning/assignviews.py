"""Pages of assignments (LRN-3): a learner does one (start, answer each question, hand in;
a timed test shows the server's deadline and refuses late answers with 409), its teacher
follows the results and grades short answers, the assign form shows the class's homework
minutes for the due day (减负), and a class's heatmap with its three weakest points.

Helpers shared with the other learning pages live in ``views.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongke.core.errors import Conflict, Invalid, NotFound, TongkeError
from tongke.learning import forms as f
from tongke.learning import grading, graph, policies, practice, push, selectors
from tongke.learning.enums import AssignmentKind
from tongke.learning.errors import LearningError
from tongke.learning.models import Assignment, Item
from tongke.learning.specs import spec_to_item
from tongke.learning.views import (
    Refusal,
    forbidden,
    id_param,
    question_view,
    solution_of,
    subject_of,
    tabs,
    taught_classes,
)
from tongke.orgs import policies as org_policies
from tongke.orgs import selectors as org_selectors
from tongke.orgs.enums import UnitKind

# --- Assignments ------------------------------------------------------------------------------


def _student_context(request: HttpRequest, assignment: Assignment) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    attempt = selectors.attempt_of(student=user, assignment=assignment)
    responses = selectors.responses_of(attempt) if attempt is not None else {}
    # A test's keys wait until it is over for everyone, so they cannot travel to a classmate.
    reveal = policies.can_see_results(user, assignment, now=now)
    if attempt is None:
        if now < assignment.opens_at:
            state = "not_open"
        elif now >= assignment.due_at:
            state = "closed"
        else:
            state = "ready"
    elif attempt.submitted_at is not None:
        state = "handed_in"
    elif attempt.deadline_at is not None and now > attempt.deadline_at:
        state = "time_up"
    else:
        state = "working"
    entries = []
    if attempt is not None:
        for entry in selectors.assignment_entries(assignment):
            response = responses.get(entry.item_id)
            entries.append(
                {
                    "entry": entry,
                    "view": question_view(entry.item, seed=f"{attempt.pk}-{entry.item_id}"),
                    "response": response,
                    "solution": solution_of(entry.item, response.answer)
                    if response is not None and reveal
                    else None,
                }
            )
    remaining = None
    if state == "working" and attempt is not None and attempt.deadline_at is not None:
        remaining = max(0, int((attempt.deadline_at - now).total_seconds()))
    return {
        "attempt": attempt,
        "state": state,
        "entries": entries,
        "reveal": reveal,
        "remaining": remaining,
        "answered": len(responses),
    }


def _teacher_context(request: HttpRequest, assignment: Assignment) -> dict[str, Any]:
    user = request.user
    attempts = {a.student_id: a for a in selectors.attempt_list(viewer=user, assignment=assignment)}
    rows = [
        {"student": s, "attempt": attempts.get(s.pk)}
        for s in selectors.assignment_students(assignment)
    ]
    waiting = list(selectors.to_grade(viewer=user, assignment=assignment)[:100])
    return {
        "rows": rows,
        "started": len(attempts),
        "handed_in": sum(1 for a in attempts.values() if a.submitted_at is not None),
        "waiting": [{"response": r, "form": f.GradeForm(auto_id=f"g{r.pk}_%s")} for r in waiting],
        "items": selectors.assignment_entries(assignment),
    }


def _follower_context(request: HttpRequest, assignment: Assignment) -> dict[str, Any]:
    """A parent (or an admin who did not set it): their children's progress only."""
    children = [
        {"child": c, "attempt": selectors.attempt_of(student=c, assignment=assignment)}
        for c in org_selectors.children_of(parent=request.user)
        if policies.is_target(c, assignment)
    ]
    return {"children": children, "reveal": policies.can_see_results(request.user, assignment)}


def _assignment_page(
    request: HttpRequest, assignment: Assignment, refusal: Refusal | None = None
) -> HttpResponse:
    user = request.user
    if policies.can_manage_assignment(user, assignment):
        role, extra = "teacher", _teacher_context(request, assignment)
    elif policies.is_target(user, assignment):
        role, extra = "student", _student_context(request, assignment)
    else:
        role, extra = "follower", _follower_context(request, assignment)
    homework_day = None
    if assignment.kind == AssignmentKind.HOMEWORK and role == "teacher":
        homework_day = {
            "used": practice.homework_minutes(assignment.klass, assignment.due_at),
            "limit": practice.homework_limit(assignment.klass),
        }
    context = {
        "tabs": tabs(request),
        "a": assignment,
        "role": role,
        "refusal": refusal,
        "homework_day": homework_day,
        **extra,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "learning/assignment.html", context, status=status)


@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    return _assignment_page(request, policies.access_assignment(request.user, assignment_id))


@login_required
@require_POST
def assignment_start(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = policies.access_assignment(request.user, assignment_id)
    try:
        practice.attempt_start(actor=request.user, assignment=assignment)
    except TongkeError as exc:
        return _assignment_page(request, assignment, Refusal(exc))
    return redirect(reverse("learning:assignment", args=[assignment.pk]))


@login_required
@require_POST
def assignment_answer(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = request.user
    assignment = policies.access_assignment(user, assignment_id)
    item_id = id_param(request.POST.get("item"), "item")
    try:
        attempt = selectors.attempt_of(student=user, assignment=assignment)
        if attempt is None:
            raise Conflict(_("Start the assignment first."), code=LearningError.NOT_STARTED)
        entry = next(
            (e for e in selectors.assignment_entries(assignment) if e.item_id == item_id), None
        )
        if entry is None:
            raise NotFound(
                _("This question is not part of the assignment."), code=LearningError.NOT_IN_SET
            )
        view = grading.learner_view(spec_to_item(entry.item.spec))
        answer = f.answer_from(entry.item.kind, view, request.POST)
        practice.answer_submit(actor=user, attempt=attempt, item=entry.item, answer=answer)
    except TongkeError as exc:
        return _assignment_page(request, assignment, Refusal(exc, item_id))
    url = reverse("learning:assignment", args=[assignment.pk])
    return redirect(f"{url}#item-{item_id}")


@login_required
@require_POST
def assignment_submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = request.user
    assignment = policies.access_assignment(user, assignment_id)
    attempt = selectors.attempt_of(student=user, assignment=assignment)
    try:
        if attempt is None:
            raise Conflict(_("Start the assignment first."), code=LearningError.NOT_STARTED)
        attempt = practice.attempt_submit(actor=user, attempt=attempt)
    except TongkeError as exc:
        return _assignment_page(request, assignment, Refusal(exc))
    messages.success(
        request,
        _("Handed in: %(score)s of %(max)s points so far.")
        % {"score": f"{attempt.score or 0:g}", "max": f"{attempt.max_score:g}"},
    )
    return redirect(reverse("learning:assignment", args=[assignment.pk]))


@login_required
@require_POST
def response_grade(request: HttpRequest, response_id: int) -> HttpResponse:
    user = request.user
    response = policies.access_response(user, response_id)
    assignment_id = response.attempt.assignment_id
    form = f.GradeForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Choose a score: 0, 0.5 or 1."), code=LearningError.BAD_SCORE)
        practice.response_grade(actor=user, response=response, score=form.cleaned_data["score"])
    except TongkeError as exc:
        if assignment_id is None:
            raise
        assignment = policies.access_assignment(user, assignment_id)
        return _assignment_page(request, assignment, Refusal(exc, response.pk))
    messages.success(
        request, _("Graded the answer of %(name)s.") % {"name": response.student.get_full_name()}
    )
    if assignment_id is None:
        return redirect(reverse("learning:learner", args=[response.student_id]))
    return redirect(reverse("learning:assignment", args=[assignment_id]))


# --- Assigning work ---------------------------------------------------------------------------


def _default_times() -> tuple[datetime, datetime]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    due = (now + timedelta(days=1)).replace(hour=20, minute=0)
    return now, due


@login_required
def assign(request: HttpRequest) -> HttpResponse:
    user = request.user
    classes = taught_classes(user)
    if not classes:
        raise forbidden(_("Only the teachers of a class assign work to it."))
    subject = subject_of(request)
    points = graph.points_of(subject)
    opens, due = _default_times()
    initial = {
        "klass": id_param(request.GET.get("class"), "class") or classes[0].pk,
        "point": id_param(request.GET.get("point"), "point"),
        "opens_at": opens,
        "due_at": due,
        "kind": AssignmentKind.HOMEWORK,
    }
    bound = request.method == "POST"
    form = f.AssignForm(
        request.POST if bound else None, classes=classes, points=points, initial=initial
    )
    action = request.POST.get("action", "") if bound else ""
    refusal = None
    valid = form.is_valid() if bound else False
    if bound and action == "assign":
        try:
            if not valid:
                raise Invalid(_("Check the form and try again."), code=LearningError.BAD_FORM)
            d = form.cleaned_data
            klass = org_policies.access_unit(user, d["klass"], UnitKind.CLASS)
            items = [policies.access_item(user, pk) for pk in form.item_ids]
            by_id = {s.pk: s for s in org_selectors.class_students(viewer=user, klass=klass)}
            if any(pk not in by_id for pk in form.student_ids):
                raise Invalid(
                    _("Some students are not in this class."), code=LearningError.NOT_IN_CLASS
                )
            created = practice.assignment_create(
                actor=user,
                klass=klass,
                title=d["title"],
                kind=d["kind"],
                items=items,
                opens_at=d["opens_at"],
                due_at=d["due_at"],
                time_limit_minutes=d["time_limit_minutes"],
                students=[by_id[pk] for pk in form.student_ids],
            )
        except TongkeError as exc:
            refusal = Refusal(exc)
        else:
            messages.success(request, _("Assigned: %(title)s") % {"title": created.title})
            return redirect(reverse("learning:assignment", args=[created.pk]))
    # The class, day and point the form shows (also while it is not yet valid).
    source = request.POST if bound else request.GET
    class_id = id_param(source.get("klass") or source.get("class"), "class") or classes[0].pk
    klass = next((c for c in classes if c.pk == class_id), classes[0])
    point_id = id_param(source.get("point"), "point")
    due_at = form.cleaned_data.get("due_at") if valid else None
    due_at = due_at or due
    chosen_ids = form.item_ids if valid else []
    if bound and not valid:
        raw = request.POST.getlist("items")
        chosen_ids = [int(v) for v in raw[: practice.MAX_ITEMS] if v.isdigit() and len(v) < 12]
    chosen: list[Item] = []
    for pk in dict.fromkeys(chosen_ids):
        try:
            chosen.append(policies.access_item(user, pk))
        except NotFound:
            continue
    shown: list[Item] = []
    if point_id:
        shown = list(selectors.item_list(viewer=user, subject=subject, point_id=point_id)[:60])
    chosen_set = {i.pk for i in chosen}
    planned = round(sum(i.minutes for i in chosen), 1)
    used = practice.homework_minutes(klass, due_at)
    limit = practice.homework_limit(klass)
    context = {
        "tabs": tabs(request),
        "form": form,
        "subject": subject,
        "klass": klass,
        "chosen": chosen,
        "shown": [i for i in shown if i.pk not in chosen_set],
        "point_id": point_id,
        "planned": planned,
        "used": used,
        "limit": limit,
        "total": round(used + planned, 1),
        "over": (source.get("kind") or AssignmentKind.HOMEWORK) == AssignmentKind.HOMEWORK
        and limit is not None
        and used + planned > limit,
        "due_day": timezone.localtime(due_at).date(),
        "students": list(org_selectors.class_students(viewer=user, klass=klass)[:200]),
        "student_ids": set(form.student_ids),
        "show_errors": action == "assign",
        "refusal": refusal,
    }
    status = 200
    if refusal is not None:
        status = refusal.status
    return render(request, "learning/assign.html", context, status=status)


# --- A class's heatmap ------------------------------------------------------------------------


@login_required
def heatmap(request: HttpRequest, class_id: int) -> HttpResponse:
    user = request.user
    klass = org_policies.access_unit(user, class_id, UnitKind.CLASS)
    if not policies.can_read_class(user, klass):
        raise forbidden(_("Only the teachers of a class see its heatmap."))
    subject = subject_of(request)
    heat = push.class_heatmap(klass=klass, subject=subject, viewer=user)
    rows = [
        {"student": s, "cells": [heat.cells.get((s.pk, p.pk)) for p in heat.points]}
        for s in heat.students
    ]
    context = {
        "tabs": tabs(request),
        "klass": klass,
        "subject": subject,
        "points": heat.points,
        "rows": rows,
        "averages": [heat.averages.get(p.pk) for p in heat.points],
        "weakest": heat.weakest,
    }
    return render(request, "learning/heatmap.html", context)
