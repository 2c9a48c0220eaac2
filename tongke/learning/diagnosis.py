"""Diagnosis (LRN-4): a mastery estimate per learner and knowledge point, updated after every
answer, and the choice of the next practice item.

Two models run side by side on every answer (``tongke.learning.kt``):
- BKT gives the mastery shown to people: P(the learner knows the point), per point;
- the IRT/Elo model tracks an ability and predicts P(correct) for a given item, which is what
  adaptive practice needs to pick an item of the right difficulty (about 70 % expected
  success: hard enough to learn from, easy enough not to discourage).

Their parameters come from the subject's current ``FittedModel`` (``fit_subject``, run as a
background task over the answers the platform holds) or, before there are enough answers,
from sensible defaults. A learner's model states live in ``LearnerState.state`` as JSON;
``Mastery`` rows keep the latest estimate per point for lists, heatmaps and push.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongke.audit.services import audit_record
from tongke.core.errors import PermissionDenied
from tongke.core.tasks import enqueue
from tongke.learning import policies
from tongke.learning.enums import AssignmentKind
from tongke.learning.errors import LearningError
from tongke.learning.kt import KTModel
from tongke.learning.kt.bkt import BKTModel
from tongke.learning.kt.data import from_sequences
from tongke.learning.kt.evaluate import auc as auc_of
from tongke.learning.kt.irt import IRTModel
from tongke.learning.models import (
    AssignmentItem,
    FittedModel,
    Item,
    ItemPoint,
    KnowledgePoint,
    LearnerState,
    Mastery,
    Response,
)

TARGET_SUCCESS = 0.7
MASTERED = 0.85
RECENT_ANSWERS = 300
SERVED_KEEP = 30
MIN_ANSWERS_TO_FIT = 200
DEFAULT_BKT = {"prior": 0.3, "learn": 0.15, "forget": 0.0, "guess": 0.2, "slip": 0.1}


@dataclass(frozen=True)
class MasteryChange:
    point_id: int
    code: str
    name: str
    before: float
    after: float


# --- Models ---------------------------------------------------------------------------------

_cache: dict[tuple[str, str], tuple[int | None, KTModel]] = {}


def _default_bkt() -> BKTModel:
    model = BKTModel()
    model.skill_ids = []
    model.params = {k: np.array([v]) for k, v in DEFAULT_BKT.items()}
    return model


def _bkt_from(params: dict[str, Any]) -> BKTModel:
    model = BKTModel()
    skills = sorted(k for k in params if k != "_unseen")
    model.skill_ids = skills
    unseen = params.get("_unseen", DEFAULT_BKT)
    model.params = {
        name: np.array([params[s][name] for s in skills] + [unseen[name]]) for name in DEFAULT_BKT
    }
    return model


def _irt_params(model: IRTModel) -> dict[str, Any]:
    """Everything the online API of a fitted IRT model reads, as JSON."""
    return {
        "dims": model.dims,
        "hyper": dict(model.hyper),
        "prior_cov": model.prior_cov.tolist(),
        "skill_ids": list(model.skill_ids),
        "item_ids": list(model.item_ids),
        "loading": model.loading.tolist(),
        "skill_easiness": model.skill_easiness.tolist(),
        "gain": model.gain.tolist(),
        "item_easiness": model.item_easiness.tolist(),
    }


def _irt_from(params: dict[str, Any]) -> IRTModel:
    model = IRTModel(dims=int(params["dims"]))
    model.hyper = dict(params["hyper"])
    model.prior_cov = np.asarray(params["prior_cov"], dtype=np.float64)
    model.skill_ids = list(params["skill_ids"])
    model.item_ids = list(params["item_ids"])
    model.loading = np.asarray(params["loading"], dtype=np.float64)
    model.skill_easiness = np.asarray(params["skill_easiness"], dtype=np.float64)
    model.gain = np.asarray(params["gain"], dtype=np.float64)
    model.item_easiness = np.asarray(params["item_easiness"], dtype=np.float64)
    return model


def _load(subject: str, kind: str) -> KTModel:
    row = FittedModel.objects.filter(subject=subject, model=kind, is_current=True).first()
    key = (subject, kind)
    cached = _cache.get(key)
    if cached is not None and cached[0] == (row.pk if row else None):
        return cached[1]
    model: KTModel
    if kind == "bkt":
        model = _bkt_from(row.params) if row else _default_bkt()
    else:
        model = _irt_from(row.params) if row else IRTModel()
    _cache[key] = (row.pk if row else None, model)
    return model


def models_for(subject: str) -> tuple[KTModel, KTModel]:
    return _load(subject, "bkt"), _load(subject, "irt")


# --- Learner state --------------------------------------------------------------------------


def _state(student: Any) -> LearnerState:
    state, _created = LearnerState.objects.get_or_create(student_id=student.pk)
    return state


def _points_of(item: Item) -> list[KnowledgePoint]:
    return list(
        KnowledgePoint.objects.filter(pk__in=ItemPoint.objects.filter(item=item).values("point"))
    )


def observe(*, student: Any, item: Item, correct: bool | None) -> list[MasteryChange]:
    """Update the learner's diagnosis after one graded answer (None: not graded yet)."""
    if correct is None:
        return []
    points = _points_of(item)
    if not points:
        return []
    bkt, irt = models_for(item.subject)
    codes = [p.code for p in points]
    with transaction.atomic():
        row = LearnerState.objects.select_for_update().filter(student_id=student.pk).first()
        if row is None:
            row = _state(student)
        state = dict(row.state)
        b = state.get("bkt") or bkt.initial_state()
        r = state.get("irt") or irt.initial_state()
        before = bkt.mastery(b)
        b = bkt.update(b, codes, correct)
        r = irt.update(r, codes, correct, item=item.family)
        after = bkt.mastery(b)
        state.update({"bkt": b, "irt": r})
        row.state = state
        row.save(update_fields=["state", "updated_at"])
        changes = []
        for p in points:
            old, new = float(before.get(p.code, DEFAULT_BKT["prior"])), float(after[p.code])
            updated = Mastery.objects.filter(student_id=student.pk, point=p).update(
                p=new, answers=F("answers") + 1, correct=F("correct") + int(bool(correct))
            )
            if not updated:
                Mastery.objects.create(
                    student_id=student.pk, point=p, p=new, answers=1, correct=int(bool(correct))
                )
            changes.append(MasteryChange(p.pk, p.code, p.name, old, new))
    return changes


def mastery_of(student: Any, subject: str | None = None) -> dict[int, float]:
    qs = Mastery.objects.filter(student_id=student.pk)
    if subject:
        qs = qs.filter(point__subject=subject)
    return dict(qs.values_list("point_id", "p"))


# --- Choosing the next item -------------------------------------------------------------------


def _frontier(student: Any, subject: str) -> list[KnowledgePoint]:
    """Points worth practising now, best first: not yet mastered, prerequisites mastered
    (or the weakest prerequisite first), lower grades first."""
    from tongke.learning.push import learning_targets

    return [t.point for t in learning_targets(student=student, subject=subject, limit=5)]


def _closed_for_practice(student: Any) -> set[int]:
    """Items of timed tests of the learner's classes that are not over: never practised, so
    practice cannot reveal a test's key."""
    from tongke.learning.policies import student_class_paths

    paths = student_class_paths(student)
    return set(
        AssignmentItem.objects.filter(
            assignment__kind=AssignmentKind.TEST,
            assignment__klass__path__in=paths,
            assignment__due_at__gt=timezone.now(),
        ).values_list("item_id", flat=True)
    )


def next_item(*, student: Any, subject: str, point: KnowledgePoint | None = None) -> Item | None:
    targets = [point] if point is not None else _frontier(student, subject)
    if not targets:
        return None
    _bkt, irt = models_for(subject)
    row = _state(student)
    r = row.state.get("irt") or irt.initial_state()
    recent = set(
        Response.objects.filter(student_id=student.pk)
        .order_by("-created_at")
        .values_list("item_id", flat=True)[:RECENT_ANSWERS]
    )
    closed = _closed_for_practice(student)
    for target in targets:
        candidates = list(
            Item.objects.filter(is_current=True, point_links__point=target)
            .exclude(pk__in=recent | closed)
            .exclude(kind="short_answer")
            .prefetch_related("point_links__point")
            .order_by("id")[:60]
        )
        if not candidates:
            continue
        scored = sorted(
            candidates,
            key=lambda it: (
                abs(
                    irt.predict_one(
                        r, [pl.point.code for pl in it.point_links.all()], item=it.family
                    )
                    - TARGET_SUCCESS
                ),
                it.pk,
            ),
        )
        chosen = scored[0]
        served = [*row.state.get("served", []), chosen.pk][-SERVED_KEEP:]
        LearnerState.objects.filter(pk=row.pk).update(state={**row.state, "served": served})
        return chosen
    return None


def was_served(student: Any, item: Item) -> bool:
    row = LearnerState.objects.filter(student_id=student.pk).first()
    return bool(row and item.pk in row.state.get("served", []))


# --- Fitting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitReport:
    subject: str
    answers: int
    learners: int
    bkt_auc: float | None
    irt_auc: float | None
    seconds: float


def fit_subject(subject: str, *, holdout: float = 0.2, seed: int = 0) -> FitReport | None:
    """Fit BKT and IRT on the subject's graded answers (split by learner to measure the AUC on
    learners the fit did not see), then refit on everyone and make the result current."""
    started = time.perf_counter()
    rows = (
        Response.objects.filter(item__subject=subject, correct__isnull=False)
        .order_by("student_id", "created_at", "id")
        .values_list("student_id", "item__family", "correct", "item_id")
    )
    sequences: dict[int, tuple[list[str], list[int]]] = {}
    item_ids: dict[str, int] = {}
    for student, family, correct, item_id in rows.iterator(chunk_size=5000):
        items, answers = sequences.setdefault(student, ([], []))
        items.append(family)
        answers.append(1 if correct else 0)
        item_ids[family] = item_id
    n = sum(len(a) for _i, a in sequences.values())
    if n < MIN_ANSWERS_TO_FIT:
        return None
    skills: dict[str, list[str]] = {}
    for family, code in ItemPoint.objects.filter(item_id__in=item_ids.values()).values_list(
        "item__family", "point__code"
    ):
        skills.setdefault(family, []).append(code)
    data = from_sequences(
        ((str(s), items, answers) for s, (items, answers) in sequences.items()), skills
    )
    train, test = data.split_users(holdout, seed=seed)
    aucs: dict[str, float | None] = {}
    fitted: dict[str, KTModel] = {}
    for kind, make in (("bkt", BKTModel), ("irt", IRTModel)):
        probe = make()
        try:
            probe.fit(train)
            aucs[kind] = float(auc_of(test.correct, probe.predict_sequences(test)))
        except ValueError:
            aucs[kind] = None
        fitted[kind] = make().fit(data)
    with transaction.atomic():
        for kind, model in fitted.items():
            FittedModel.objects.filter(subject=subject, model=kind, is_current=True).update(
                is_current=False
            )
            if isinstance(model, IRTModel):
                params = _irt_params(model)
            else:
                params = {**model.get_params(), "_unseen": DEFAULT_BKT}  # type: ignore[attr-defined]
            FittedModel.objects.create(
                subject=subject, model=kind, params=params, n_answers=n, auc=aucs[kind]
            )
    return FitReport(
        subject, n, len(sequences), aucs["bkt"], aucs["irt"], time.perf_counter() - started
    )


def models_refit_request(*, actor: Any, subject: str) -> str:
    """Queue a refit of ``subject``'s knowledge-tracing models (``tasks.fit_models``, named,
    not imported: the task module imports this one). Regional administrators only; audited."""
    if not policies.can_refit_models(actor):
        raise PermissionDenied(code=LearningError.FORBIDDEN)
    subject = subject[:32]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="learning.models_refit",
            target_type="learning.subject",
            target_id=subject,
            target_label=subject,
        )
        transaction.on_commit(lambda: enqueue("tongke.learning.tasks.fit_models", subject))
    return subject
