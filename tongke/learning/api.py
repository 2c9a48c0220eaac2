"""JSON API of the learning platform (/api/v1/learning/...)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from tongke.accounts.auth import PUBLIC, SIGNED_IN
from tongke.core.errors import Invalid, NotFound, PermissionDenied
from tongke.core.pagination import PageParams, page_schema, paginate
from tongke.learning import (
    bank,
    diagnosis,
    grading,
    graph,
    policies,
    practice,
    push,
    selectors,
)
from tongke.learning.errors import LearningError
from tongke.learning.models import Assignment, Attempt, Item, KnowledgePoint
from tongke.learning.schemas import (
    AnsweredOut,
    AnswerIn,
    AssignmentIn,
    AssignmentOut,
    AttemptOut,
    BankImportOut,
    EdgeIn,
    FitOut,
    GradeIn,
    HeatmapOut,
    ItemIn,
    ItemOut,
    ItemRevise,
    LimitIn,
    MasteryOut,
    NextItemOut,
    PointIn,
    PointOut,
    RecommendationOut,
)
from tongke.learning.specs import item_to_spec, spec_to_item
from tongke.library.catalogue import node_get
from tongke.library.errors import LibraryError
from tongke.library.media import intake
from tongke.orgs import policies as org_policies
from tongke.orgs.enums import UnitKind

router = Router(tags=["learning"])


def _point(point_id: int) -> KnowledgePoint:
    return selectors.point_get(point_id)


def point_out(p: KnowledgePoint, prereqs: list[int] | None = None) -> dict[str, Any]:
    return {
        "id": p.pk,
        "subject": p.subject,
        "code": p.code,
        "name": p.name,
        "name_en": p.name_en,
        "grade_level": p.grade_level,
        "node_id": p.node_id,
        "prerequisite_ids": prereqs or [],
    }


def item_out(i: Item) -> dict[str, Any]:
    stem, spec = i.stem, i.spec
    if i.stem_format == "html" or (isinstance(spec, dict) and spec.get("stem_format") == "html"):
        # Read back through spec_to_item, which sanitises (for rows stored before the bank did).
        item = spec_to_item(spec)
        stem, spec = item.stem, item_to_spec(item)
    return {
        "id": i.pk,
        "family": i.family,
        "version": i.version,
        "kind": i.kind,
        "subject": i.subject,
        "stem": stem,
        "difficulty": i.difficulty,
        "minutes": i.minutes,
        "point_codes": [link.point.code for link in i.point_links.all()],
        "spec": spec,
    }


def _file(request: HttpRequest, file: UploadedFile | None) -> bytes:
    intake.raise_if_upload_too_large(request)
    if file is None:
        raise Invalid(_("Send the file as the multipart field 'file'."), code=LearningError.NO_FILE)
    if file.size and file.size > bank.MAX_IMPORT_BYTES:
        raise Invalid(_("The file is too large."), code=LearningError.IMPORT_TOO_LARGE)
    return b"".join(file.chunks())


# --- Knowledge graph ----------------------------------------------------------------------------


@router.get(
    "/learning/subjects/{subject}/points",
    response=list[PointOut],
    auth=PUBLIC,
    summary="The knowledge points of a subject, with their prerequisites",
)
def list_points(request: HttpRequest, subject: str) -> list[dict[str, Any]]:
    before: dict[int, list[int]] = {}
    for b, a in graph.edges_of(subject[:32]):
        before.setdefault(a, []).append(b)
    return [point_out(p, before.get(p.pk)) for p in graph.points_of(subject[:32])]


@router.post(
    "/learning/points",
    response={201: PointOut},
    auth=SIGNED_IN,
    summary="Add a knowledge point (regional admins)",
)
def create_point(request: HttpRequest, payload: PointIn) -> Status[Any]:
    node = None
    if payload.node_id:
        node = node_get(payload.node_id)
        if node is None:
            raise NotFound(code=LibraryError.NODE_NOT_FOUND)
    fields = payload.model_dump(exclude={"node_id"})
    point = graph.point_create(actor=request.user, node=node, **fields)
    return Status(201, point_out(point))


@router.post(
    "/learning/prerequisites",
    response={201: PointOut},
    auth=SIGNED_IN,
    summary="Add a prerequisite edge (a cycle is refused with its path)",
)
def add_prerequisite(request: HttpRequest, payload: EdgeIn) -> Status[Any]:
    before, after = _point(payload.before_id), _point(payload.after_id)
    graph.prerequisite_add(actor=request.user, before=before, after=after)
    return Status(201, point_out(after, [payload.before_id]))


@router.post(
    "/learning/graph/import",
    auth=SIGNED_IN,
    summary="Import a knowledge graph from JSON or CSV (all or nothing; dry_run to check)",
)
def import_graph(
    request: HttpRequest, file: File[UploadedFile | None] = None, dry_run: bool = False
) -> dict[str, Any]:
    data = _file(request, file)
    name = file.name if file is not None and file.name else "graph"
    return graph.graph_import(actor=request.user, name=name, data=data, dry_run=dry_run).as_dict()


@router.get(
    "/learning/subjects/{subject}/graph",
    auth=PUBLIC,
    summary="Export a subject's knowledge graph as JSON or CSV",
)
def export_graph(request: HttpRequest, subject: str, fmt: str = "json") -> HttpResponse:
    if fmt not in ("json", "csv"):
        raise Invalid(code=LearningError.BAD_FORMAT, detail={"allowed": ["json", "csv"]})
    body = graph.graph_export(subject[:32], fmt)  # type: ignore[arg-type]
    response = HttpResponse(
        body, content_type="application/json" if fmt == "json" else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="graph-{subject[:32]}.{fmt}"'
    return response


# --- Question bank ------------------------------------------------------------------------------


class ItemQuery(Schema):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field("", max_length=32)
    point_id: int | None = None
    kind: str = Field("", max_length=16)
    q: str = Field("", max_length=100)


def _staff(request: HttpRequest) -> None:
    if not policies.is_staff(request.user):
        raise PermissionDenied(
            _("The question bank is open to teachers and administrators."),
            code=LearningError.BANK_FORBIDDEN,
        )


@router.get(
    "/learning/items",
    response=page_schema(ItemOut),
    auth=SIGNED_IN,
    summary="Questions in the bank, with keys (staff)",
)
def list_items(
    request: HttpRequest, filters: Query[ItemQuery], page: Query[PageParams]
) -> dict[str, Any]:
    _staff(request)
    qs = selectors.item_list(viewer=request.user, **filters.model_dump())
    rows, frame = paginate(qs, page)
    return frame | {"items": [item_out(i) for i in rows]}


@router.post("/learning/items", response={201: ItemOut}, auth=SIGNED_IN, summary="Write a question")
def create_item(request: HttpRequest, payload: ItemIn) -> Status[Any]:
    row = bank.item_create(
        actor=request.user,
        item=spec_to_item(payload.spec, clean=False),  # the bank sanitises, keeping the source
        subject=payload.subject,
        point_codes=payload.point_codes,
        shared=payload.shared,
        minutes=payload.minutes,
    )
    return Status(201, item_out(row))


@router.get(
    "/learning/items/{int:item_id}", response=ItemOut, auth=SIGNED_IN, summary="One question"
)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    return item_out(policies.access_item(request.user, item_id))


@router.put(
    "/learning/items/{int:item_id}",
    response=ItemOut,
    auth=SIGNED_IN,
    summary="Revise a question (a new version; answers keep the old one)",
)
def revise_item(request: HttpRequest, item_id: int, payload: ItemRevise) -> dict[str, Any]:
    row = policies.access_item(request.user, item_id)
    new = bank.item_revise(
        actor=request.user,
        item_row=row,
        item=spec_to_item(payload.spec, clean=False),
        point_codes=payload.point_codes,
    )
    return item_out(new)


@router.post(
    "/learning/items/import",
    response=BankImportOut,
    auth=SIGNED_IN,
    summary="Import GIFT, Moodle XML or QTI (a report of what could not be imported and why)",
)
def import_items(
    request: HttpRequest,
    subject: str,
    file: File[UploadedFile | None] = None,
    fmt: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    data = _file(request, file)
    name = file.name if file is not None and file.name else "items"
    report = bank.bank_import(
        actor=request.user, name=name, data=data, subject=subject[:32], fmt=fmt, dry_run=dry_run
    )
    return report.as_dict()


@router.get(
    "/learning/items/export",
    auth=SIGNED_IN,
    summary="Export questions as GIFT, Moodle XML or QTI (staff)",
)
def export_items(
    request: HttpRequest, filters: Query[ItemQuery], fmt: str = "moodlexml"
) -> HttpResponse:
    _staff(request)
    if fmt not in ("gift", "moodlexml", "qti", "qti3"):
        raise Invalid(
            code=LearningError.BAD_FORMAT, detail={"allowed": ["gift", "moodlexml", "qti", "qti3"]}
        )
    rows = list(selectors.item_list(viewer=request.user, **filters.model_dump())[:2000])
    body = bank.bank_export(rows, fmt)
    ext = {"gift": "gift.txt", "moodlexml": "xml", "qti": "zip", "qti3": "zip"}[fmt]
    response = HttpResponse(body, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="items.{ext}"'
    return response


# --- Assignments and attempts ---------------------------------------------------------------


def assignment_out(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "class_id": a.klass_id,
        "class_name": a.klass.name,
        "teacher_name": a.teacher.full_name,
        "opens_at": a.opens_at,
        "due_at": a.due_at,
        "time_limit_minutes": a.time_limit_minutes,
        "minutes": a.minutes,
        "n_items": getattr(a, "n_items", None) or a.entries.count(),
    }


def attempt_out(attempt: Attempt, *, viewer: Any) -> dict[str, Any]:
    """An attempt as ``viewer`` may see it: each question without its key, and the results
    (right or wrong, scores, solutions of the answered questions) unless they are held
    (``policies.can_see_results``: a timed test until it is over for everyone)."""
    reveal = policies.can_see_results(viewer, attempt.assignment)
    responses = selectors.responses_of(attempt)
    items = []
    if attempt.assignment_id:
        for entry in selectors.assignment_entries(attempt.assignment):  # type: ignore[arg-type]
            response = responses.get(entry.item_id)
            spec = spec_to_item(entry.item.spec)
            shown = reveal and response is not None
            items.append(
                {
                    "id": entry.item_id,
                    "position": entry.position,
                    "view": grading.learner_view(spec, seed=f"{attempt.pk}-{entry.item_id}"),
                    "answered": response is not None,
                    "correct": response.correct if shown and response else None,
                    "score": response.score if shown and response else None,
                    "solution": grading.solution_view(spec) if shown else None,
                }
            )
    return {
        "id": attempt.pk,
        "assignment_id": attempt.assignment_id,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "submitted_at": attempt.submitted_at,
        "results_held": not reveal,
        "score": attempt.score if reveal else None,
        "max_score": attempt.max_score,
        "items": items,
    }


@router.get(
    "/learning/assignments",
    response=page_schema(AssignmentOut),
    auth=SIGNED_IN,
    summary="Assignments I set, do, or follow (parents)",
)
def list_assignments(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    rows, frame = paginate(selectors.assignment_list(viewer=request.user), page)
    return frame | {"items": [assignment_out(a) for a in rows]}


@router.post(
    "/learning/assignments",
    response={201: AssignmentOut},
    auth=SIGNED_IN,
    summary="Assign practice, homework or a timed test to a class or a group",
)
def create_assignment(request: HttpRequest, payload: AssignmentIn) -> Status[Any]:
    klass = org_policies.access_unit(request.user, payload.class_id, UnitKind.CLASS)
    if not policies.can_assign_to(request.user, klass):
        raise PermissionDenied(
            _("You may only assign work to classes you teach."), code=LearningError.FORBIDDEN
        )
    items = [policies.access_item(request.user, pk) for pk in payload.item_ids]
    students = []
    if payload.student_ids:
        students = selectors.students_of_class(klass, payload.student_ids)
        if len(students) != len(set(payload.student_ids)):
            raise Invalid(
                _("Some students are not in this class."), code=LearningError.NOT_IN_CLASS
            )
    assignment = practice.assignment_create(
        actor=request.user,
        klass=klass,
        title=payload.title,
        kind=payload.kind,
        items=items,
        opens_at=payload.opens_at,
        due_at=payload.due_at,
        time_limit_minutes=payload.time_limit_minutes,
        students=students,
    )
    return Status(201, assignment_out(assignment))


@router.get(
    "/learning/assignments/{int:assignment_id}",
    response=AssignmentOut,
    auth=SIGNED_IN,
    summary="One assignment",
)
def get_assignment(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    return assignment_out(policies.access_assignment(request.user, assignment_id))


@router.post(
    "/learning/assignments/{int:assignment_id}/attempt",
    response=AttemptOut,
    auth=SIGNED_IN,
    summary="Start (or resume) my attempt; the server fixes its deadline",
)
def start_attempt(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    assignment = policies.access_assignment(request.user, assignment_id)
    attempt = practice.attempt_start(actor=request.user, assignment=assignment)
    return attempt_out(attempt, viewer=request.user)


@router.get(
    "/learning/attempts/{int:attempt_id}",
    response=AttemptOut,
    auth=SIGNED_IN,
    summary="An attempt (the learner, their parents, their teachers)",
)
def get_attempt(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    return attempt_out(policies.access_attempt(request.user, attempt_id), viewer=request.user)


def answered_out(
    result: practice.Answered, *, viewer: Any, subject: str, reveal: bool = True
) -> dict[str, Any]:
    """The reply to an answer. While the results are held (``reveal`` False: an open timed
    test) it says only that the answer was saved: no right or wrong, score, feedback,
    solution, mastery change or recommendation (each would tell the key)."""
    if not reveal:
        return {
            "response_id": result.response.pk,
            "results_held": True,
            "correct": None,
            "score": None,
            "feedback": None,
            "solution": None,
            "mastery": [],
            "recommendations": [],
        }
    targets = push.recommendations(student=viewer, subject=subject, limit=3)
    return {
        "response_id": result.response.pk,
        "results_held": False,
        "correct": result.graded.correct,
        "score": result.graded.score,
        "feedback": result.graded.feedback,
        "solution": result.solution,
        "mastery": [c.__dict__ for c in result.mastery],
        "recommendations": [recommendation_out(t) for t in targets],
    }


def recommendation_out(t: push.Target) -> dict[str, Any]:
    return {
        "point_id": t.point.pk,
        "code": t.point.code,
        "name": t.point.name,
        "mastery": t.mastery,
        "reason": t.reason,
        "lessons": [
            {"id": r.pk, "title": r.title, "kind": r.kind, "url": f"/library/r/{r.pk}/"}
            for r in t.resources
        ],
    }


def _item_for_answer(item_id: int) -> Item:
    return selectors.item_get(item_id)


@router.post(
    "/learning/attempts/{int:attempt_id}/answers",
    response=AnsweredOut,
    auth=SIGNED_IN,
    summary="Answer one question of my attempt (graded at once; late answers refused; an "
    "open timed test replies without results)",
)
def answer(request: HttpRequest, attempt_id: int, payload: AnswerIn) -> dict[str, Any]:
    attempt = policies.access_attempt(request.user, attempt_id)
    item = _item_for_answer(payload.item_id)
    result = practice.answer_submit(
        actor=request.user, attempt=attempt, item=item, answer=payload.answer
    )
    reveal = policies.can_see_results(request.user, attempt.assignment)
    return answered_out(result, viewer=request.user, subject=item.subject, reveal=reveal)


@router.post(
    "/learning/attempts/{int:attempt_id}/submit",
    response=AttemptOut,
    auth=SIGNED_IN,
    summary="Hand in my attempt",
)
def submit_attempt(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    attempt = policies.access_attempt(request.user, attempt_id)
    attempt = practice.attempt_submit(actor=request.user, attempt=attempt)
    return attempt_out(attempt, viewer=request.user)


@router.post(
    "/learning/responses/{int:response_id}/grade",
    response=dict[str, Any],
    auth=SIGNED_IN,
    summary="Grade a short answer (teachers of the learner's class)",
)
def grade_response(request: HttpRequest, response_id: int, payload: GradeIn) -> dict[str, Any]:
    response = policies.access_response(request.user, response_id)
    graded = practice.response_grade(actor=request.user, response=response, score=payload.score)
    return {"id": graded.pk, "score": graded.score, "correct": graded.correct}


@router.put(
    "/learning/classes/{int:class_id}/homework-limit",
    response=dict[str, Any],
    auth=SIGNED_IN,
    summary="Set a class's daily homework minutes (school admins)",
)
def set_limit(request: HttpRequest, class_id: int, payload: LimitIn) -> dict[str, Any]:
    klass = org_policies.access_unit(request.user, class_id, UnitKind.CLASS)
    row = practice.homework_limit_set(
        actor=request.user, klass=klass, minutes_per_day=payload.minutes_per_day
    )
    return {"class_id": klass.pk, "minutes_per_day": row.minutes_per_day}


# --- Adaptive practice ----------------------------------------------------------------------


class NextQuery(Schema):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field("math", max_length=32)
    point_id: int | None = None


@router.get(
    "/learning/practice/next",
    response=NextItemOut,
    auth=SIGNED_IN,
    summary="The next practice question, chosen from my diagnosis (no key)",
)
def practice_next(request: HttpRequest, query: Query[NextQuery]) -> dict[str, Any]:
    point = _point(query.point_id) if query.point_id else None
    item = practice.practice_next(actor=request.user, subject=query.subject, point=point)
    if item is None:
        return {"item_id": None, "point_codes": [], "view": None}
    return {
        "item_id": item.pk,
        "point_codes": [link.point.code for link in item.point_links.all()],
        "view": grading.learner_view(spec_to_item(item.spec), seed=f"{request.user.pk}-{item.pk}"),
    }


@router.post(
    "/learning/practice/answers",
    response=AnsweredOut,
    auth=SIGNED_IN,
    summary="Answer the practice question I was given; my diagnosis updates at once",
)
def practice_answer(request: HttpRequest, payload: AnswerIn) -> dict[str, Any]:
    item = _item_for_answer(payload.item_id)
    result = practice.practice_answer(actor=request.user, item=item, answer=payload.answer)
    return answered_out(result, viewer=request.user, subject=item.subject)


# --- Diagnosis and push ---------------------------------------------------------------------


@router.get(
    "/learning/learners/{int:learner_id}/mastery",
    response=list[MasteryOut],
    auth=SIGNED_IN,
    summary="A learner's mastery per knowledge point (self, parents, teachers)",
)
def learner_mastery(request: HttpRequest, learner_id: int, subject: str = "") -> list[Any]:
    learner = policies.access_learner(request.user, learner_id)
    return [
        {
            "point_id": m.point_id,
            "code": m.point.code,
            "name": m.point.name,
            "p": m.p,
            "answers": m.answers,
            "correct": m.correct,
        }
        for m in selectors.mastery_list(learner=learner, subject=subject[:32])
    ]


@router.get(
    "/learning/learners/{int:learner_id}/recommendations",
    response=list[RecommendationOut],
    auth=SIGNED_IN,
    summary="What the learner should study next, each with its reason",
)
def learner_recommendations(
    request: HttpRequest, learner_id: int, subject: str = "math"
) -> list[Any]:
    learner = policies.access_learner(request.user, learner_id)
    targets = push.recommendations(student=learner, subject=subject[:32], viewer=request.user)
    return [recommendation_out(t) for t in targets]


@router.get(
    "/learning/classes/{int:class_id}/heatmap",
    response=HeatmapOut,
    auth=SIGNED_IN,
    summary="A class's students x knowledge points, and its three weakest points (teachers)",
)
def class_heatmap(request: HttpRequest, class_id: int, subject: str = "math") -> dict[str, Any]:
    klass = org_policies.access_unit(request.user, class_id, UnitKind.CLASS)
    if not policies.can_read_class(request.user, klass):
        raise PermissionDenied(code=LearningError.FORBIDDEN)
    heat = push.class_heatmap(klass=klass, subject=subject[:32], viewer=request.user)
    return {
        "students": [{"id": s.pk, "name": s.full_name} for s in heat.students],
        "points": [{"id": p.pk, "code": p.code, "name": p.name} for p in heat.points],
        "cells": [[heat.cells.get((s.pk, p.pk)) for p in heat.points] for s in heat.students],
        "weakest": [
            {
                "point_id": p.pk,
                "name": p.name,
                "average": avg,
                "lessons": [{"id": r.pk, "title": r.title} for r in lessons],
            }
            for p, avg, lessons in heat.weakest
        ],
    }


@router.post(
    "/learning/subjects/{subject}/fit",
    response={202: FitOut},
    auth=SIGNED_IN,
    summary="Refit the subject's knowledge-tracing models in the background (regional admins)",
)
def fit(request: HttpRequest, subject: str) -> Status[Any]:
    queued = diagnosis.models_refit_request(actor=request.user, subject=subject)
    return Status(202, {"subject": queued, "queued": True})
