"""Pages of the learning platform (智学平台, LRN-1..5): the home page by role, adaptive
practice, the knowledge graph coloured by mastery and a learner's diagnosis with
recommendations; and the helpers the other pages share. Assignments, the assign form and a
class's heatmap are in ``assignviews.py``, the question bank in ``bankviews.py``.

Each view gets its objects through the ``access_*`` policies, reads through selectors and
writes through one service. A refused action re-renders its page with the service's message
and status (a late answer: 409, "time is up"); a done one redirects. Before a learner's
answer is in, a question reaches the page only as ``grading.learner_view``: no key, no
explanation, no feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tongke.core.errors import Invalid, NotFound, PermissionDenied, TongkeError
from tongke.learning import (
    diagnosis,
    grading,
    graph,
    policies,
    practice,
    push,
    selectors,
    svg,
)
from tongke.learning import forms as f
from tongke.learning.enums import ItemKind
from tongke.learning.errors import LearningError
from tongke.learning.models import Item, KnowledgePoint
from tongke.learning.specs import spec_to_item
from tongke.orgs import policies as org_policies
from tongke.orgs import selectors as org_selectors
from tongke.orgs.enums import TEACHING_ROLES, UnitKind

DEFAULT_SUBJECT = "math"
SUBJECT = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
RECOMMENDATIONS = 3
LAST_ANSWER = "learning_last_answer"
FORBIDDEN = LearningError.FORBIDDEN


class Refusal:
    """A refused action shown on the page it came from."""

    def __init__(self, exc: TongkeError, target: int | None = None):
        self.message = str(exc.message)
        self.code = exc.code
        self.status = exc.status
        self.target = target


def forbidden(message: Any = None) -> PermissionDenied:
    return PermissionDenied(message, code=FORBIDDEN)


def id_param(raw: Any, name: str) -> int | None:
    """An id from the query or the form: empty is None, anything else not an id is a 400."""
    if raw in (None, ""):
        return None
    text = str(raw)
    if not text.isdigit() or len(text) > 11:
        raise Invalid(
            _("'%(name)s' must be a number.") % {"name": name},
            code=LearningError.BAD_PARAMETER,
            detail={"parameter": name},
        )
    return int(text)


def subject_of(request: HttpRequest, given: str | None = None) -> str:
    value = given or request.GET.get("subject") or request.POST.get("subject") or DEFAULT_SUBJECT
    if not SUBJECT.match(value):
        raise Invalid(_("Unknown subject."), code=LearningError.BAD_SUBJECT)
    return value


def taught_classes(user: Any) -> list[Any]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(org_selectors.classes_of(person=user, roles=TEACHING_ROLES))


def is_student(user: Any) -> bool:
    return bool(policies.student_class_paths(user))


def tabs(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    home = reverse("learning:home")
    items = [(home, _("Overview"))]
    if is_student(user):
        items.append((reverse("learning:practice"), _("Practise")))
        items.append((reverse("learning:learner", args=[user.pk]), _("My diagnosis")))
    items.append((reverse("learning:graph", args=[DEFAULT_SUBJECT]), _("Knowledge graph")))
    if taught_classes(user):
        items.append((reverse("learning:assign"), _("Assign work")))
    if policies.is_staff(user):
        items.append((reverse("learning:bank"), _("Question bank")))
    matches = [url for url, _label in items if request.path.startswith(url) and url != home]
    current = max(matches, key=len, default=home if request.path == home else None)
    return [{"url": url, "label": label, "active": url == current} for url, label in items]


def recommendations_for(
    learner: Any, viewer: Any, subject: str, limit: int = RECOMMENDATIONS
) -> list[push.Target]:
    """Recommendations worded for whoever reads them: "your..." for the learner, the
    learner's name for a parent or a teacher."""
    about = None if learner.pk == viewer.pk else (learner.get_full_name() or learner.username)
    return push.recommendations(
        student=learner, subject=subject, viewer=viewer, limit=limit, about=about
    )


def practice_query(subject: str, point_id: int | None) -> str:
    """The query string of the practice page for a subject (and one point)."""
    query = {"subject": subject}
    if point_id:
        query["point"] = str(point_id)
    return urlencode(query)


def summary_of(learner: Any, subject: str) -> dict[str, Any]:
    rows = list(selectors.mastery_list(learner=learner, subject=subject))
    mastered = [m for m in rows if m.p >= push.MASTERED]
    weakest = sorted((m for m in rows if m.p < push.MASTERED), key=lambda m: m.p)[:3]
    return {
        "assessed": len(rows),
        "mastered": len(mastered),
        "average": sum(m.p for m in rows) / len(rows) if rows else None,
        "answers": sum(m.answers for m in rows),
        "weakest": weakest,
    }


# --- Home -------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    subject = subject_of(request)
    student = is_student(user)
    children = [
        {
            "child": child,
            "summary": summary_of(child, subject),
            "recommendations": recommendations_for(child, user, subject),
            "assignments": list(selectors.open_assignments_for(student=child)[:10]),
        }
        for child in org_selectors.children_of(parent=user)[:10]
    ]
    classes = taught_classes(user)
    context = {
        "tabs": tabs(request),
        "subject": subject,
        "student": student,
        "open_assignments": list(selectors.open_assignments_for(student=user)[:20])
        if student
        else [],
        "summary": summary_of(user, subject) if student else None,
        "recommendations": recommendations_for(user, user, subject) if student else [],
        "children": children,
        "classes": classes,
        "assignments_set": selectors.assignments_set_by(teacher=user) if classes else [],
        "staff": policies.is_staff(user),
        "admin": policies.can_administer(user),
        "subjects": graph.subjects(),
    }
    return render(request, "learning/home.html", context)


# --- Questions on a page ----------------------------------------------------------------------


def question_view(item: Item, seed: str) -> dict[str, Any]:
    """What the learner sees of a question before answering (no key): the grader's
    ``learner_view`` with option letters and translated true/false labels."""
    view = grading.learner_view(spec_to_item(item.spec), seed=seed)
    labels = {"true": _("True"), "false": _("False")}
    for n, choice in enumerate(view.get("choices", [])):
        choice["letter"] = chr(ord("A") + n) if n < 26 else str(n + 1)
        if view["kind"] == "true_false" and choice["id"] in labels:
            choice["text"] = labels[choice["id"]]
    view["item_id"] = item.pk
    view["minutes"] = item.minutes
    view["kind_label"] = ItemKind(item.kind).label if item.kind in ItemKind.values else item.kind
    return view


def solution_of(item: Item, answer: Any) -> dict[str, Any]:
    """The key and explanation of an answered question, with the learner's own answer, for the
    page after their answer is in."""
    spec = spec_to_item(item.spec)
    solution = grading.solution_view(spec)
    view = question_view(item, seed="")
    given = answer if isinstance(answer, dict) else {}
    chosen = {given.get("choice")} | set(given.get("choices") or [])
    correct = set(solution.get("correct_choices", []))
    options = [
        {**c, "chosen": c["id"] in chosen, "correct": c["id"] in correct}
        for c in view.get("choices", [])
    ]
    accepted: list[str] = []
    if item.kind == "fill_in":
        accepted = [str(a) for a in solution.get("accepted", [])]
    elif item.kind == "numeric":
        for a in solution.get("accepted", []):
            text = f"{a['value']:g}"
            accepted.append(f"{text} ± {a['tolerance']:g}" if a.get("tolerance") else text)
    pairs = [
        {"left": left, "right": right, "given": (given.get("pairs") or {}).get(left, "")}
        for left, right in (solution.get("pairs") or {}).items()
    ]
    given_text = given.get("text")
    value = given.get("value")
    return {
        "options": options,
        "accepted": accepted,
        "pairs": pairs,
        "given_text": given_text if isinstance(given_text, str) else "",
        "given_value": f"{value:g}" if isinstance(value, int | float) else (value or ""),
        "explanation": solution.get("explanation") or item.explanation,
    }


# --- Adaptive practice ------------------------------------------------------------------------


def _practice_page(
    request: HttpRequest,
    *,
    subject: str,
    point: KnowledgePoint | None,
    item: Item | None,
    refusal: Refusal | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "tabs": tabs(request),
        "subject": subject,
        "point": point,
        "view": question_view(item, seed=f"{user.pk}-{item.pk}") if item is not None else None,
        "item_points": [link.point for link in item.point_links.all()] if item else [],
        "refusal": refusal,
    }
    status = refusal.status if refusal is not None else 200
    return render(request, "learning/practice.html", context, status=status)


@login_required
def practice_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    subject = subject_of(request)
    raw_point = request.POST.get("point") if request.method == "POST" else request.GET.get("point")
    point_id = id_param(raw_point, "point")
    point = selectors.point_get(point_id, subject=subject) if point_id else None
    if request.method != "POST":
        item = practice.practice_next(actor=user, subject=subject, point=point)
        return _practice_page(request, subject=subject, point=point, item=item)
    item_id = id_param(request.POST.get("item"), "item")
    if item_id is None:
        raise Invalid(_("Which question is this answer for?"), code=LearningError.NO_ITEM)
    item = selectors.item_get(item_id)
    view = grading.learner_view(spec_to_item(item.spec))
    try:
        answer = f.answer_from(item.kind, view, request.POST)
        result = practice.practice_answer(actor=user, item=item, answer=answer)
    except TongkeError as exc:
        if exc.code in ("learning.not_served", "learning.item_superseded"):
            return _practice_page(
                request, subject=subject, point=point, item=None, refusal=Refusal(exc)
            )
        return _practice_page(
            request, subject=subject, point=point, item=item, refusal=Refusal(exc, item.pk)
        )
    request.session[LAST_ANSWER] = {
        "response": result.response.pk,
        "mastery": [[c.point_id, c.name, c.before, c.after] for c in result.mastery],
        "feedback": result.graded.feedback,
    }
    target = reverse("learning:answered", args=[result.response.pk])
    return redirect(f"{target}?{practice_query(subject, point.pk if point else None)}")


@login_required
def practice_answered(request: HttpRequest, response_id: int) -> HttpResponse:
    """The result of one practice answer: right or wrong, the solution (only now), the
    mastery change per knowledge point and the updated recommendations."""
    user = request.user
    response = policies.access_response(user, response_id)
    if response.student_id != user.pk:
        raise NotFound(code=LearningError.RESPONSE_NOT_FOUND)
    subject = subject_of(request, response.item.subject or None)
    point_id = id_param(request.GET.get("point"), "point")
    last = request.session.get(LAST_ANSWER) or {}
    changes = []
    if last.get("response") == response.pk:
        changes = [
            {
                "point_id": pid,
                "name": name,
                "before": before,
                "after": after,
                "delta": round(after - before, 2),
            }
            for pid, name, before, after in last.get("mastery", [])
        ]
    context = {
        "tabs": tabs(request),
        "subject": subject,
        "point_id": point_id,
        "response": response,
        "view": question_view(response.item, seed=f"{user.pk}-{response.item_id}"),
        "solution": solution_of(response.item, response.answer),
        "feedback": last.get("feedback", "") if last.get("response") == response.pk else "",
        "changes": changes,
        "recommendations": recommendations_for(user, user, subject),
        "next_query": practice_query(subject, point_id),
    }
    return render(request, "learning/answered.html", context)


# --- The knowledge graph ----------------------------------------------------------------------


@login_required
def graph_page(request: HttpRequest, subject: str) -> HttpResponse:
    user = request.user
    subject = subject_of(request, subject)
    points = graph.points_of(subject)
    if not points:
        raise NotFound(_("This subject has no knowledge graph."), code=LearningError.NO_GRAPH)
    learner_id = id_param(request.GET.get("learner"), "learner")
    class_id = id_param(request.GET.get("class"), "class")
    if learner_id is None and class_id is None and not is_student(user):
        # Not a learner: a parent sees their first child, a teacher their first class.
        child = org_selectors.children_of(parent=user).first()
        classes = taught_classes(user)
        if child is not None:
            learner_id = child.pk
        elif classes:
            class_id = classes[0].pk
    highlight: list[int] = []
    link: Callable[[KnowledgePoint], str] | None = None
    if class_id is not None:
        klass = org_policies.access_unit(user, class_id, UnitKind.CLASS)
        if not policies.can_read_class(user, klass):
            raise forbidden(_("Only the teachers of a class see its mastery."))
        mastery: dict[int, float] = selectors.class_mastery(klass=klass, subject=subject)
        highlight = sorted(mastery, key=lambda pid: mastery[pid])[:3]
        shown_for = klass.display_name
    else:
        learner: Any = policies.access_learner(user, learner_id) if learner_id else user
        mastery = diagnosis.mastery_of(learner, subject)
        highlight = [
            t.point.pk
            for t in push.learning_targets(student=learner, subject=subject, limit=RECOMMENDATIONS)
        ]
        shown_for = learner.get_full_name() or learner.username
        if learner.pk == user.pk and is_student(user):
            base = reverse("learning:practice")

            def link(point: KnowledgePoint) -> str:
                return f"{base}?{practice_query(subject, point.pk)}"

    drawing = svg.graph_svg(
        points,
        graph.edges_of(subject),
        mastery,
        highlight=highlight,
        link=link,
        title=_("Knowledge graph of %(subject)s, coloured by the mastery of %(who)s")
        % {"subject": subject, "who": shown_for},
    )
    views = []
    if is_student(user):
        views.append({"label": _("Me"), "query": ""})
    for child in org_selectors.children_of(parent=user):
        views.append({"label": child.get_full_name(), "query": f"learner={child.pk}"})
    for klass_row in taught_classes(user):
        views.append({"label": klass_row.display_name, "query": f"class={klass_row.pk}"})
    current = f"class={class_id}" if class_id else (f"learner={learner_id}" if learner_id else "")
    context = {
        "tabs": tabs(request),
        "subject": subject,
        "subjects": graph.subjects(),
        "svg": mark_safe(drawing),  # noqa: S308 - drawn by svg.graph_svg, every text escaped
        "shown_for": shown_for,
        "views": views,
        "current": current,
        "assessed": len(mastery),
        "total": len(points),
        "linked": link is not None,
        "fit": request.GET.get("fit") == "1",
    }
    return render(request, "learning/graph.html", context)


# --- A learner's diagnosis --------------------------------------------------------------------


@login_required
def learner_page(request: HttpRequest, learner_id: int) -> HttpResponse:
    user = request.user
    learner = policies.access_learner(user, learner_id)
    subject = subject_of(request)
    responses = [
        {"response": r, "held": not policies.can_see_results(user, r.attempt.assignment)}
        for r in selectors.recent_responses(learner=learner, limit=20)
    ]
    context = {
        "tabs": tabs(request),
        "learner": learner,
        "is_self": learner.pk == user.pk,
        "subject": subject,
        "summary": summary_of(learner, subject),
        "mastery": list(selectors.mastery_list(learner=learner, subject=subject)),
        "recommendations": recommendations_for(learner, user, subject, limit=5),
        "responses": responses,
    }
    return render(request, "learning/learner.html", context)
