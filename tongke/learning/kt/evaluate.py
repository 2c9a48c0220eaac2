"""The evaluation protocol, its metrics, and ``best``: a stack of models chosen on held-out
training learners.

Protocol (as pyKT): train and test hold different learners; a model is fitted on the train
learners only, then predicts every answer of every test learner from that learner's earlier
answers only (nothing from a learner's future, nothing from the test answers being predicted).
Metrics over all test answers: ``auc`` (rank-based, ties counted half), ``accuracy`` (threshold
0.5), ``rmse``.

``best`` (:class:`BestModel`) never looks at the test file: it splits the *train* learners
into a fitting part and a validation part, fits every candidate model on the first, and fits a
logistic-regression stack on the candidates' validation predictions (their logits, each also
scaled by how many answers the learner has given, plus a few facts of the learner's history:
the previous answer, and practice and previous answer on the item's skills). The stack is kept
only if it beats the best single candidate on held-out validation learners (two-fold
cross-fitting); otherwise ``best`` is that candidate. The chosen candidates are then refitted
on all train learners, unless the fitting part already holds ``refit_below`` answers or more
(then a quarter more data changes little and refitting would double the time).

Candidates: BKT, IRT with one ability dimension, and IRT with eight (which pays off where
learners answer many items of several related skills, as in synthetic-5; on sparse logs it
mostly gets a small weight).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, Self

import numpy as np

from tongke.learning.kt import KTModel, State
from tongke.learning.kt.data import KTData

PRED_EPS = 1e-6


# -- metrics ------------------------------------------------------------------------------


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve by ranks (Mann-Whitney), tied scores get their mean rank."""
    y = np.asarray(y).astype(bool)
    p = np.asarray(p, dtype=np.float64)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    sorted_p = p[order]
    new_value = np.concatenate([[True], sorted_p[1:] != sorted_p[:-1]])
    group = np.cumsum(new_value) - 1
    group_end = np.append(np.flatnonzero(new_value)[1:], len(p))  # exclusive, 0-based
    group_start = np.flatnonzero(new_value)
    mean_rank = (group_start + group_end + 1) / 2.0  # 1-based mean rank of the group
    ranks = np.empty(len(p))
    ranks[order] = mean_rank[group]
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    return {
        "auc": auc(y, p),
        "accuracy": float(np.mean((p >= 0.5) == (y == 1))),
        "rmse": float(np.sqrt(np.mean((p - y) ** 2))),
    }


def log_likelihood(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, PRED_EPS, 1 - PRED_EPS)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# -- the stack ----------------------------------------------------------------------------


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, PRED_EPS, 1 - PRED_EPS)
    return np.log(p / (1 - p))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 25) -> np.ndarray:
    """Weights (last = intercept) of an L2-regularized logistic regression, by Newton."""
    design = np.column_stack([x, np.ones(len(x))])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2 * len(x))
    penalty[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        grad = design.T @ (y - p) - penalty * w
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def history_features(data: KTData) -> np.ndarray:
    """Per answer, from earlier answers of its learner only: log(1 + answers so far), the
    previous answer (+1 right, -1 wrong, 0 none), and over the item's skills the mean of
    log(1 + earlier practices of the skill) and of the previous answer on the skill."""
    n = data.n_answers
    sign = data.correct.astype(np.float64) * 2 - 1
    last = np.concatenate([[0.0], sign[:-1]])
    last[data.position == 0] = 0.0
    tags = data.answer_skills()
    answer, column = np.nonzero(tags >= 0)
    key = data.user[answer].astype(np.int64) * max(len(data.skill_ids), 1) + tags[answer, column]
    order = np.argsort(key, kind="stable")
    key, answer = key[order], answer[order]
    first = np.concatenate([[True], key[1:] != key[:-1]])
    start = np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
    practice = np.log1p(np.arange(len(key)) - start)
    previous = np.concatenate([[0.0], sign[answer][:-1]])
    previous[first] = 0.0
    count = np.maximum(np.bincount(answer, minlength=n), 1)
    return np.column_stack(
        [
            np.log1p(data.position.astype(np.float64)),
            last,
            np.bincount(answer, practice, n) / count,
            np.bincount(answer, previous, n) / count,
        ]
    )


def _stack_features(logits: list[np.ndarray], history: np.ndarray) -> np.ndarray:
    """Candidate logits, each also times log(1 + answers so far), and the history."""
    base = np.column_stack(logits)
    return np.column_stack([base, base * history[:, :1], history])


Factory = Callable[[], KTModel]


class BestModel(KTModel):
    """Candidates fitted on part of the train learners, stacked or chosen on the rest."""

    name = "best"

    def __init__(
        self,
        candidates: dict[str, Factory] | None = None,
        *,
        validation: float = 0.2,
        refit_below: int = 500_000,
        seed: int = 0,
    ) -> None:
        self.factories = candidates or default_candidates(seed)
        self.validation = validation
        self.refit_below = refit_below
        self.seed = seed
        self.models: dict[str, KTModel] = {}
        self.weights: np.ndarray | None = None  # stack weights, or None: single model
        self.chosen: list[str] = []
        self.report: dict[str, Any] = {}

    def fit(self, data: KTData) -> Self:
        fit_part, check = data.split_users(self.validation, self.seed)
        y = check.correct.astype(np.float64)
        if min(fit_part.n_answers, check.n_answers) == 0 or y.min() == y.max():
            # Too little to validate anything: the first candidate, fitted on everything.
            first = next(iter(self.factories))
            self.weights, self.chosen = None, [first]
            self.models = {first: self.factories[first]().fit(data)}
            self.report = {"chosen": first, "refitted": True}
            return self
        history = history_features(check)
        preds: dict[str, np.ndarray] = {}
        fitted: dict[str, KTModel] = {}
        for name, factory in self.factories.items():
            fitted[name] = factory().fit(fit_part)
            preds[name] = fitted[name].predict_sequences(check)
        scores = {name: log_likelihood(y, p) for name, p in preds.items()}
        single = max(scores, key=lambda k: scores[k])
        names = list(preds)
        x = _stack_features([_logit(preds[n]) for n in names], history)
        # Two-fold cross-fitting over validation learners: is the stack better held out?
        half = np.random.default_rng(self.seed + 1).random(check.n_users) < 0.5
        fold = half[check.user]
        stacked = np.empty(len(y))
        for part in (fold, ~fold):
            w = fit_logistic(x[~part], y[~part])
            stacked[part] = 1.0 / (
                1.0 + np.exp(-(np.column_stack([x[part], np.ones(part.sum())]) @ w))
            )
        stack_score = log_likelihood(y, stacked)
        self.report = {
            "validation_log_likelihood": {**scores, "stack": stack_score},
            "validation_auc": {
                **{n: auc(y, p) for n, p in preds.items()},
                "stack": auc(y, stacked),
            },
        }
        if len(names) > 1 and stack_score > scores[single]:
            self.weights = fit_logistic(x, y)
            self.chosen = names
        else:
            self.weights = None
            self.chosen = [single]
        self.report["chosen"] = "stack" if self.weights is not None else single
        refit = fit_part.n_answers < self.refit_below
        self.report["refitted"] = refit
        self.models = {
            name: self.factories[name]().fit(data) if refit else fitted[name]
            for name in self.chosen
        }
        return self

    def _combine(self, probs: list[np.ndarray], history: np.ndarray) -> np.ndarray:
        if self.weights is None:
            return probs[0]
        x = _stack_features([_logit(p) for p in probs], history)
        z = np.column_stack([x, np.ones(len(x))]) @ self.weights
        return np.clip(1.0 / (1.0 + np.exp(-z)), PRED_EPS, 1 - PRED_EPS)

    def predict_sequences(self, data: KTData) -> np.ndarray:
        probs = [self.models[n].predict_sequences(data) for n in self.chosen]
        return self._combine(probs, history_features(data))

    def initial_state(self) -> State:
        return {
            "model": self.name,
            "answers": 0,
            "last": 0,
            "skills": {},
            "parts": {n: self.models[n].initial_state() for n in self.chosen},
        }

    def _history(self, state: State, skills: Sequence[str]) -> np.ndarray:
        unique = list(dict.fromkeys(skills))
        seen = [state["skills"].get(s, [0, 0]) for s in unique] or [[0, 0]]
        return np.array(
            [
                [
                    math.log1p(state["answers"]),
                    float(state["last"]),
                    float(np.mean([math.log1p(n) for n, _ in seen])),
                    float(np.mean([last for _, last in seen])),
                ]
            ]
        )

    def predict_one(self, state: State, skills: Sequence[str], item: str | None = None) -> float:
        probs = [
            np.array([self.models[n].predict_one(state["parts"][n], skills, item)])
            for n in self.chosen
        ]
        return float(self._combine(probs, self._history(state, skills))[0])

    def update(
        self, state: State, skills: Sequence[str], correct: bool | int, item: str | None = None
    ) -> State:
        parts = {
            n: self.models[n].update(state["parts"][n], skills, correct, item) for n in self.chosen
        }
        sign = 1 if correct else -1
        seen = dict(state["skills"])
        for s in dict.fromkeys(skills):
            seen[s] = [seen.get(s, [0, 0])[0] + 1, sign]
        return {
            **state,
            "answers": state["answers"] + 1,
            "last": sign,
            "skills": seen,
            "parts": parts,
        }

    def mastery(self, state: State) -> dict[str, float]:
        """Mastery of the first chosen model (BKT when it is part of the stack)."""
        first = "bkt" if "bkt" in self.chosen else self.chosen[0]
        return self.models[first].mastery(state["parts"][first])


# -- models by name -----------------------------------------------------------------------

MODELS = ("bkt", "irt", "seq", "best")


def default_candidates(seed: int = 0) -> dict[str, Factory]:
    from tongke.learning.kt.bkt import BKTModel
    from tongke.learning.kt.irt import IRTModel

    return {
        "irt": lambda: IRTModel(seed=seed),
        "bkt": lambda: BKTModel(seed=seed),
        "irt8": lambda: IRTModel(dims=8, seed=seed),
    }


def make_model(name: str, seed: int = 0) -> KTModel:
    """A fresh model by CLI name; ``seq`` raises when PyTorch is not installed."""
    if name == "bkt":
        from tongke.learning.kt.bkt import BKTModel

        return BKTModel(seed=seed)
    if name == "irt":
        from tongke.learning.kt.irt import IRTModel

        return IRTModel(seed=seed)
    if name == "seq":
        from tongke.learning.kt.seq import SequenceModel

        return SequenceModel(seed=seed)
    if name == "best":
        return BestModel(seed=seed)
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}")


def evaluate(model: KTModel, train: KTData, test: KTData) -> dict[str, Any]:
    """Fit on ``train``, predict every answer of ``test`` from earlier answers only."""
    start = time.perf_counter()
    model.fit(train)
    fitted = time.perf_counter()
    p = model.predict_sequences(test)
    done = time.perf_counter()
    return {
        **metrics(test.correct, p),
        "n_test": int(test.n_answers),
        "fit_seconds": round(fitted - start, 3),
        "predict_seconds": round(done - fitted, 3),
    }
