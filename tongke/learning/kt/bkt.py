"""Bayesian knowledge tracing (Corbett & Anderson 1995), one hidden-Markov model per skill.

Each skill has five parameters: ``prior`` P(L0) (known before the first practice), ``learn``
P(T) (unknown -> known after a practice), ``forget`` P(F) (known -> unknown; 0 unless
``forgetting=True``), ``guess`` P(G) and ``slip`` P(S). The mastery of a learner on a skill is
P(L), the posterior that the skill is known, updated after every answer.

Fitting is Baum-Welch EM, vectorized: every (learner, skill) sequence of every skill runs in
the same numpy operations, laid out step by step (:class:`~tongke.learning.kt.StepLayout`),
so one Python iteration handles step ``k`` of all sequences. The E-step is a forward filter
and a backward smoother written on the filtered and predicted P(L) (a 2-state
Rauch-Tung-Striebel pass, no emission recomputation); the M-step adds small Beta pseudo-counts
(MAP) and clips guess and slip to ``max_guess`` / ``max_slip``, which keeps EM away from the
degenerate solutions where "known" means "answers wrong". Several random starts per skill run
side by side on a sample of the sequences; the best start per skill by likelihood goes on to
full EM on all of them.

An item with several skills is one observation for each of its skills (as pyBKT and pyKT do);
its predicted P(correct) is the mean over its skills. A skill never seen in training gets the
answer-weighted mean parameters of the known skills.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from tongke.learning.kt import KTModel, State, StepLayout, index_map
from tongke.learning.kt.data import KTData

PARAMS = ("prior", "learn", "forget", "guess", "slip")
EPS = 1e-9


def _ranges(starts: np.ndarray, chains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the given contiguous chains, concatenated, and their new offsets."""
    lengths = starts[chains + 1] - starts[chains]
    offsets = np.zeros(len(chains) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    rows = np.repeat(starts[chains] - offsets[:-1], lengths) + np.arange(int(offsets[-1]))
    return rows, offsets


class _Chains:
    """The (learner, skill) sequences of a data set, laid out step by step."""

    def __init__(
        self, answer: np.ndarray, correct: np.ndarray, skill: np.ndarray, starts: np.ndarray
    ) -> None:
        """Arrays in chain order (chains contiguous, answer order inside); ``starts``: offsets."""
        self._sorted = (answer, correct, skill, starts)
        self.layout = StepLayout.from_starts(starts)
        rows = self.layout.rows
        self.answer = answer[rows]
        self.correct = correct[rows]
        self.skill = skill[rows]
        active = np.diff(self.layout.bounds)
        step = np.repeat(np.arange(len(active)), active)
        next_active = np.append(active[1:], 0)
        self.has_next = (np.arange(len(step)) - self.layout.bounds[step]) < next_active[step]
        self.first = slice(0, int(active[0]) if len(active) else 0)

    @classmethod
    def of(cls, data: KTData, skill_map: np.ndarray | None, fallback: int) -> _Chains:
        tags = data.answer_skills()
        answer, column = np.nonzero(tags >= 0)
        data_skill = tags[answer, column].astype(np.int64)
        key = data.user[answer].astype(np.int64) * max(len(data.skill_ids), 1) + data_skill
        order = np.argsort(key, kind="stable")  # rows stay in answer order inside a chain
        key = key[order]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(key)) + 1, [len(key)]])
        skill = data_skill[order] if skill_map is None else skill_map[data_skill[order]]
        skill = np.where(skill < 0, fallback, skill)
        answer = answer[order]
        return cls(answer, data.correct[answer].astype(bool), skill, starts.astype(np.int64))

    def subset(self, n_rows: int, seed: int) -> _Chains | None:
        """Whole chains picked at random, about ``n_rows`` rows (None: fewer rows in all)."""
        answer, correct, skill, starts = self._sorted
        if len(answer) <= n_rows:
            return None
        pick = np.random.default_rng(seed).permutation(len(starts) - 1)
        keep_n = int(np.searchsorted(np.cumsum(np.diff(starts)[pick]), n_rows)) + 1
        rows, offsets = _ranges(starts, np.sort(pick[:keep_n]))
        return _Chains(answer[rows], correct[rows], skill[rows], offsets)


def _forward(
    chains: _Chains, p: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Filter all chains; ``p`` holds per-row parameter arrays of shape (R, n_rows).

    Returns predicted P(L) before each answer, filtered P(L) after it, and P(answer | past).
    """
    y = chains.correct
    e1 = np.where(y, 1.0 - p["slip"], p["slip"])
    e0 = np.where(y, p["guess"], 1.0 - p["guess"])
    stay, learn = 1.0 - p["forget"], p["learn"]
    shape = e1.shape
    before, after, like = np.empty(shape), np.empty(shape), np.empty(shape)
    nxt = p["prior"][:, chains.first]
    for a, b in chains.layout.slices():
        cur = nxt[:, : b - a]
        before[:, a:b] = cur
        num = cur * e1[:, a:b]
        den = num + (1.0 - cur) * e0[:, a:b]
        post = num / den
        after[:, a:b] = post
        like[:, a:b] = den
        nxt = np.clip(post * stay[:, a:b] + (1.0 - post) * learn[:, a:b], EPS, 1.0 - EPS)
    return before, after, like


def _smooth(
    chains: _Chains,
    p: dict[str, np.ndarray],
    before: np.ndarray,
    after: np.ndarray,
    forgetting: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smoothed P(L) at each row and expected transitions unknown->known, known->unknown."""
    gamma = np.empty_like(after)
    to_known = np.zeros_like(after)
    to_unknown = np.zeros_like(after)
    learn, forget = p["learn"], p["forget"]
    slices = chains.layout.slices()
    for k in range(len(slices) - 1, -1, -1):
        a, b = slices[k]
        g = after[:, a:b].copy()
        if k + 1 < len(slices):
            a1, b1 = slices[k + 1]
            n1 = b1 - a1
            q = g[:, :n1]
            ratio_known = gamma[:, a1:b1] / before[:, a1:b1]
            ratio_unknown = (1.0 - gamma[:, a1:b1]) / (1.0 - before[:, a1:b1])
            f = forget[:, a : a + n1]
            t = learn[:, a : a + n1]
            to_known[:, a : a + n1] = (1.0 - q) * t * ratio_known
            if forgetting:
                to_unknown[:, a : a + n1] = q * f * ratio_unknown
            g[:, :n1] = q * ((1.0 - f) * ratio_known + f * ratio_unknown)
        gamma[:, a:b] = g
    return gamma, to_known, to_unknown


class BKTModel(KTModel):
    """Per-skill BKT fitted by EM; see the module docstring."""

    name = "bkt"

    def __init__(
        self,
        *,
        forgetting: bool = False,
        restarts: int = 4,
        restart_iters: int = 8,
        restart_rows: int = 200_000,
        max_iter: int = 40,
        tol: float = 1e-5,
        max_guess: float = 0.3,
        max_slip: float = 0.3,
        seed: int = 0,
    ) -> None:
        self.forgetting = forgetting
        self.restarts = max(1, restarts)
        self.restart_iters = restart_iters
        self.restart_rows = restart_rows
        self.max_iter = max_iter
        self.tol = tol
        self.max_guess = max_guess
        self.max_slip = max_slip
        self.seed = seed
        self.skill_ids: list[str] = []
        self.params: dict[str, np.ndarray] = {}  # each (n_skills + 1,): last = unseen skill
        self.log_likelihood = float("nan")
        self.iterations = 0

    # -- fitting ---------------------------------------------------------------------------

    def _initial(self, n_skills: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        r = self.restarts
        init = {
            "prior": rng.uniform(0.05, 0.9, (r, n_skills)),
            "learn": rng.uniform(0.02, 0.4, (r, n_skills)),
            "forget": rng.uniform(0.0, 0.1, (r, n_skills)) if self.forgetting else None,
            "guess": rng.uniform(0.05, self.max_guess, (r, n_skills)),
            "slip": rng.uniform(0.05, self.max_slip, (r, n_skills)),
        }
        start = {"prior": 0.4, "learn": 0.1, "forget": 0.02, "guess": 0.15, "slip": 0.1}
        out = {}
        for name in PARAMS:
            values = init[name]
            if values is None:
                out[name] = np.zeros((r, n_skills))
                continue
            bound = {"guess": self.max_guess, "slip": self.max_slip}.get(name, 1.0)
            values[0] = min(start[name], bound)
            out[name] = values
        return out

    def _em_step(
        self, chains: _Chains, params: dict[str, np.ndarray], n_skills: int
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """One EM iteration; returns new parameters and log-likelihood per (start, skill)."""
        r = params["prior"].shape[0]
        rows = {name: params[name][:, chains.skill] for name in PARAMS}
        before, after, like = _forward(chains, rows)
        gamma, to_known, to_unknown = _smooth(chains, rows, before, after, self.forgetting)
        index = (chains.skill[None, :] + n_skills * np.arange(r)[:, None]).ravel()

        def total(values: np.ndarray) -> np.ndarray:
            sums = np.bincount(index, values.ravel(), minlength=r * n_skills)
            return sums.reshape(r, n_skills)

        def count(mask: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(chains.skill, mask, minlength=n_skills)[None, :]

        y = chains.correct
        first = np.zeros(len(y), dtype=bool)
        first[chains.first] = True
        ll = total(np.log(like))
        known = total(gamma)
        known_right = total(gamma * y)
        known_first = total(gamma * first)
        known_go_on = total(gamma * chains.has_next)
        n_all, n_right = count(), count(y.astype(np.float64))
        n_first, n_go_on = count(first.astype(np.float64)), count(chains.has_next.astype(float))
        new = {
            "prior": (known_first + 1.0) / (n_first + 2.0),
            "learn": (total(to_known) + 0.5) / (n_go_on - known_go_on + 1.5),
            "guess": (n_right - known_right + 1.0) / (n_all - known + 4.0),
            "slip": (known - known_right + 1.0) / (known + 4.0),
        }
        if self.forgetting:
            new["forget"] = (total(to_unknown) + 0.1) / (known_go_on + 2.0)
        else:
            new["forget"] = np.zeros_like(new["prior"])
        return self._clip(new), ll

    def _clip(self, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {
            "prior": np.clip(p["prior"], 1e-4, 1 - 1e-4),
            "learn": np.clip(p["learn"], 1e-4, 1 - 1e-4),
            "forget": np.clip(p["forget"], 0.0, 0.5) if self.forgetting else p["forget"] * 0,
            "guess": np.clip(p["guess"], 1e-3, self.max_guess),
            "slip": np.clip(p["slip"], 1e-3, self.max_slip),
        }

    def fit(self, data: KTData) -> Self:
        n_skills = len(data.skill_ids)
        chains = _Chains.of(data, None, fallback=n_skills)
        rng = np.random.default_rng(self.seed)
        params = self._initial(n_skills, rng)
        if self.restarts > 1:
            sample = chains.subset(self.restart_rows, self.seed) or chains
            ll = np.zeros((self.restarts, n_skills))
            for _ in range(self.restart_iters):
                params, ll = self._em_step(sample, params, n_skills)
            best = np.argmax(ll, axis=0)
            params = {k: v[best, np.arange(n_skills)][None, :] for k, v in params.items()}
        previous = -np.inf
        self.iterations = 0
        for _ in range(self.max_iter):
            new, ll = self._em_step(chains, params, n_skills)
            self.iterations += 1
            current = float(ll.sum())
            params = new
            if current - previous < self.tol * max(len(chains.answer), 1):
                break
            previous = current
        self.log_likelihood = previous if np.isfinite(previous) else current
        weight = np.bincount(chains.skill, minlength=n_skills).astype(np.float64)
        weight = weight / weight.sum() if weight.sum() else np.full(n_skills, 1.0 / n_skills)
        self.skill_ids = list(data.skill_ids)
        self.params = {k: np.append(v[0], float(np.dot(weight, v[0]))) for k, v in params.items()}
        return self

    # -- prediction ------------------------------------------------------------------------

    def predict_sequences(self, data: KTData) -> np.ndarray:
        fallback = len(self.skill_ids)
        chains = _Chains.of(data, index_map(self.skill_ids, data.skill_ids), fallback)
        rows = {k: v[chains.skill][None, :] for k, v in self.params.items()}
        before, _, _ = _forward(chains, rows)
        p_correct = before[0] * (1.0 - rows["slip"][0]) + (1.0 - before[0]) * rows["guess"][0]
        total = np.bincount(chains.answer, p_correct, minlength=data.n_answers)
        count = np.bincount(chains.answer, minlength=data.n_answers)
        return np.clip(total / np.maximum(count, 1), EPS, 1 - EPS)

    def mastery_sequences(self, data: KTData) -> np.ndarray:
        """P(L) of each answer's skills just before it (mean over an item's skills)."""
        fallback = len(self.skill_ids)
        chains = _Chains.of(data, index_map(self.skill_ids, data.skill_ids), fallback)
        rows = {k: v[chains.skill][None, :] for k, v in self.params.items()}
        before, _, _ = _forward(chains, rows)
        total = np.bincount(chains.answer, before[0], minlength=data.n_answers)
        count = np.bincount(chains.answer, minlength=data.n_answers)
        return total / np.maximum(count, 1)

    # -- online API ------------------------------------------------------------------------

    def _skill_params(self, skill: str) -> dict[str, float]:
        index = self._index().get(skill, len(self.skill_ids))
        return {k: float(v[index]) for k, v in self.params.items()}

    def _index(self) -> dict[str, int]:
        cached: dict[str, int] | None = getattr(self, "_index_cache", None)
        if cached is None or len(cached) != len(self.skill_ids):
            cached = {s: i for i, s in enumerate(self.skill_ids)}
            self._index_cache = cached
        return cached

    def initial_state(self) -> State:
        return {"model": self.name, "known": {}}

    def _p_known(self, state: State, skill: str) -> float:
        known = state["known"].get(skill)
        return float(known) if known is not None else self._skill_params(skill)["prior"]

    def predict_one(self, state: State, skills: Sequence[str], item: str | None = None) -> float:
        values = []
        for skill in dict.fromkeys(skills):
            p = self._skill_params(skill)
            known = self._p_known(state, skill)
            values.append(known * (1 - p["slip"]) + (1 - known) * p["guess"])
        return float(np.clip(np.mean(values), EPS, 1 - EPS)) if values else 0.5

    def update(
        self, state: State, skills: Sequence[str], correct: bool | int, item: str | None = None
    ) -> State:
        known_map = dict(state["known"])
        for skill in dict.fromkeys(skills):
            p = self._skill_params(skill)
            known = self._p_known(state, skill)
            if correct:
                num, other = known * (1 - p["slip"]), (1 - known) * p["guess"]
            else:
                num, other = known * p["slip"], (1 - known) * (1 - p["guess"])
            post = num / (num + other)
            known_map[skill] = post * (1 - p["forget"]) + (1 - post) * p["learn"]
        return {**state, "known": known_map}

    def mastery(self, state: State) -> dict[str, float]:
        out = {s: float(self.params["prior"][i]) for i, s in enumerate(self.skill_ids)}
        out.update({s: float(v) for s, v in state["known"].items()})
        return out

    def get_params(self) -> dict[str, Any]:
        """Fitted parameters per skill (JSON-serializable)."""
        return {
            skill: {k: float(v[i]) for k, v in self.params.items()}
            for i, skill in enumerate(self.skill_ids)
        }
