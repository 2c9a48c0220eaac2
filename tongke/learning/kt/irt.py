"""An IRT/Elo-style model: item and skill difficulty, learner ability tracked online.

P(correct) of learner ``u`` on item ``i`` tagged with skills ``S(i)``::

    logit = a(i) . theta_u  +  mean_{s in S(i)} (delta_us + gain_s * log(1 + n_us))  +  c_i

- ``theta_u`` is the learner's global ability, a vector of ``dims`` latent dimensions
  (``dims=1`` is classic IRT; more dimensions let related skills share evidence, as in
  multidimensional IRT), ``a(i)`` the mean loading of the item's skills;
- ``delta_us`` is the learner's own ability on skill ``s`` on top of the global one: it starts
  at 0 (the learner's global ability) with variance ``skill_var`` (the hierarchy);
- ``gain_s * log(1 + n_us)`` is the expected learning from ``n_us`` earlier practices;
- ``c_i`` is the item's easiness (minus its difficulty), shrunk towards its skill's easiness,
  which is what an item never seen in training gets; an unknown skill gets the mean.

Online, the model keeps a Gaussian belief per learner (mean and covariance of ``theta``, mean
and variance of each ``delta``) and updates it after every answer with one approximate
Bayesian step (assumed-density filtering with the probit approximation of the logistic): the
step size falls as evidence accumulates, which is Elo with an uncertainty-driven K-factor.
Variances grow a little before every answer (``drift``, ``skill_drift``), so recent answers
count more and abilities can move (learning, forgetting). The predicted probability averages
over the belief, so a new learner gets cautious predictions.

Fitting, all vectorized numpy: (1) joint MAP estimates of loadings, easiness and static
abilities by alternating Newton steps over learners, skills and items; the prior of a new
learner's ``theta`` is the spread of those abilities (empirical Bayes); (2) the online
hyper-parameters (prior scale, ``skill_var``, drifts) chosen by the likelihood of the online
predictions on training learners (a coordinate search); (3) easiness and learning gains
recalibrated on the residuals of the online predictions, so the model is unbiased as it is
used. Tracking runs step by step over all learners at once (:class:`~.StepLayout`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from tongke.learning.kt import KTModel, State, StepLayout, index_map
from tongke.learning.kt.data import KTData

PRED_EPS = 1e-6
PROBIT = math.pi / 8.0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class _Prepared:
    """A data set seen through a fitted (or fitting) model's vocabulary, step by step."""

    def __init__(self, data: KTData, skill_map: np.ndarray, item_map: np.ndarray, n_skills: int):
        self.layout = StepLayout.from_starts(data.starts)
        rows = self.layout.rows
        self.n_answers = data.n_answers
        tags = data.answer_skills()[rows]  # (n, w) data skill indexes, -1 pads
        present = tags >= 0
        width = np.maximum(present.sum(1), 1)
        self.weight = present / width[:, None]
        model_skill = np.where(present, skill_map[np.maximum(tags, 0)], -1)
        self.skill = np.where(model_skill < 0, n_skills, model_skill)  # n_skills: unseen/pad
        self.item = item_map[data.item[rows]]
        self.correct = data.correct[rows].astype(np.float64)
        # One slot per (learner, data skill); pads go to a last dummy slot.
        user = data.user[rows].astype(np.int64)
        key = user[:, None] * max(len(data.skill_ids), 1) + np.maximum(tags, 0)
        flat = key[present]
        uniq, inverse = np.unique(flat, return_inverse=True)
        self.n_pairs = len(uniq)
        self.pair_user = np.append(uniq // max(len(data.skill_ids), 1), 0)  # dummy slot last
        self.rank_user = np.argsort(self.layout.rank)  # data learner at each rank
        pair = np.full(tags.shape, self.n_pairs, dtype=np.int64)
        pair[present] = inverse
        self.pair = pair
        # Earlier practices of the same (learner, skill): rows are step-major, so a pair's
        # rows appear in time order; count occurrences before each row.
        order = np.argsort(pair[present], kind="stable")
        sorted_pair = pair[present][order]
        first = np.searchsorted(sorted_pair, sorted_pair, side="left")
        seen = np.empty(len(order), dtype=np.int64)
        seen[order] = np.arange(len(order)) - first
        attempts = np.zeros(tags.shape, dtype=np.int64)
        attempts[present] = seen
        self.practice = np.log1p(attempts) * present

    def unpermute(self, values: np.ndarray) -> np.ndarray:
        out = np.empty(self.n_answers)
        out[self.layout.rows] = values
        return out


class _Groups:
    """Sums over groups of rows that lie contiguous (rows sorted by group)."""

    def __init__(self, group: np.ndarray, n_groups: int) -> None:
        counts = np.bincount(group, minlength=n_groups)
        self.n_groups = n_groups
        self.present = np.flatnonzero(counts)
        self.starts = (np.cumsum(counts) - counts)[self.present]

    def sums(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n_groups, *values.shape[1:]))
        if len(self.present):
            out[self.present] = np.add.reduceat(values, self.starts, axis=0)
        return out

    def newton(
        self,
        feats: np.ndarray,
        resid: np.ndarray,
        hess: np.ndarray,
        current: np.ndarray,
        precision: float,
    ) -> np.ndarray:
        """One Newton step per group for a logistic model linear in ``feats`` (rows x d),
        with a Gaussian prior of the given precision centred on 0."""
        d = feats.shape[1]
        grad = self.sums(feats * resid[:, None]) - current * precision
        mat = np.empty((self.n_groups, d, d))
        for j in range(d):
            block = self.sums(feats[:, j:] * (hess * feats[:, j])[:, None])
            mat[:, j, j:] = block
            mat[:, j:, j] = block
        mat[:, np.arange(d), np.arange(d)] += precision
        return current + np.linalg.solve(mat, grad[..., None])[..., 0]


class IRTModel(KTModel):
    """Hierarchical IRT with online Bayesian ability tracking; see the module docstring."""

    name = "irt"

    def __init__(
        self,
        *,
        dims: int = 1,
        fit_iters: int = 8,
        loading_var: float = 1.0,
        item_var: float = 1.0,
        tune: bool = True,
        tune_rows: int = 60_000,
        calibrate_passes: int = 2,
        skill_var: float = 0.3,
        drift: float = 0.0,
        skill_drift: float = 0.02,
        seed: int = 0,
    ) -> None:
        self.dims = dims
        self.fit_iters = fit_iters
        self.loading_var = loading_var
        self.item_var = item_var
        self.tune = tune
        self.tune_rows = tune_rows
        self.calibrate_passes = calibrate_passes
        self.seed = seed
        self.hyper = {
            "prior_scale": 1.0,
            "skill_var": skill_var,
            "drift": drift,
            "skill_drift": skill_drift,
        }
        self.skill_ids: list[str] = []
        self.item_ids: list[str] = []
        self.loading = np.zeros((1, dims))  # (n_skills + 1, dims): last row for unseen skills
        self.skill_easiness = np.zeros(1)  # (n_skills + 1,)
        self.gain = np.zeros(1)  # (n_skills + 1,)
        self.item_easiness = np.zeros(0)  # (n_items,)
        self.prior_cov = np.eye(dims)
        self.tuning: list[tuple[str, dict[str, float]]] = []

    # -- per-answer parameters -------------------------------------------------------------

    def _answer_terms(self, prep: _Prepared) -> tuple[np.ndarray, np.ndarray]:
        """Loadings (n, dims) and fixed part of the logit (n,) of every answer."""
        if prep.weight.shape[1] == 1:
            loading = self.loading[prep.skill[:, 0]]
        else:
            loading = np.einsum("nw,nwd->nd", prep.weight, self.loading[prep.skill])
        skill_easy = (prep.weight * self.skill_easiness[prep.skill]).sum(1)
        easy = np.where(prep.item >= 0, self.item_easiness[np.maximum(prep.item, 0)], skill_easy)
        gain = (prep.weight * self.gain[prep.skill] * prep.practice).sum(1)
        return loading, easy + gain

    # -- online tracking over many learners ------------------------------------------------

    def _track(self, prep: _Prepared, hyper: dict[str, Any] | None = None) -> np.ndarray:
        """P(correct) of every answer (step-major order) from the earlier answers only.

        A hyper-parameter may be an array with one value per learner of ``prep``'s data, so
        one pass can try several values on copies of the same learners.
        """
        h = hyper or self.hyper

        def per_rank(name: str) -> np.ndarray:
            return (
                np.broadcast_to(np.asarray(h[name], dtype=np.float64), (len(prep.rank_user),))
                if np.ndim(h[name]) == 0
                else np.asarray(h[name])[prep.rank_user]
            )

        def per_pair(name: str) -> np.ndarray:
            return (
                np.full(prep.n_pairs + 1, float(h[name]))
                if np.ndim(h[name]) == 0
                else np.asarray(h[name], dtype=np.float64)[prep.pair_user]
            )

        loading, fixed = self._answer_terms(prep)
        n_users = len(prep.rank_user)
        dims = self.dims
        mean = np.zeros((n_users, dims))
        cov = self.prior_cov[None, :, :] * per_rank("prior_scale")[:, None, None]
        delta = np.zeros(prep.n_pairs + 1)
        var = per_pair("skill_var")
        diag = np.arange(dims)
        drift = per_rank("drift")
        skill_drift = per_pair("skill_drift")
        use_drift, use_skill_drift = bool(drift.any()), bool(skill_drift.any())
        y_all, pair_all, weight_all = prep.correct, prep.pair, prep.weight
        out = np.empty(len(y_all))
        if dims == 1:
            self._track_scalar(prep, loading[:, 0], fixed, cov[:, 0, 0].copy(), var, h, out)
            return out
        for a, b in prep.layout.slices():
            n = b - a
            load = loading[a:b]
            c = cov[:n]
            if use_drift:
                c[:, diag, diag] += drift[:n, None]
            c_load = np.einsum("nij,nj->ni", c, load)
            var_total = np.einsum("ni,ni->n", load, c_load)
            pair, weight = pair_all[a:b], weight_all[a:b]
            if use_skill_drift:
                var[pair] += skill_drift[pair]
            wv = weight * var[pair]
            var_total += (weight * wv).sum(1)
            mu = np.einsum("ni,ni->n", mean[:n], load) + (weight * delta[pair]).sum(1) + fixed[a:b]
            p = _sigmoid(mu / np.sqrt(1.0 + PROBIT * var_total))
            out[a:b] = p
            hess = p * (1.0 - p)
            denom = 1.0 + hess * var_total
            step = (y_all[a:b] - p) / denom
            mean[:n] += c_load * step[:, None]
            c -= (hess / denom)[:, None, None] * c_load[:, :, None] * c_load[:, None, :]
            delta[pair] += wv * step[:, None]
            var[pair] -= wv * wv * (hess / denom)[:, None]
        return out

    def _track_scalar(
        self,
        prep: _Prepared,
        load_all: np.ndarray,
        fixed: np.ndarray,
        cov: np.ndarray,
        var: np.ndarray,
        h: dict[str, Any],
        out: np.ndarray,
    ) -> None:
        """:meth:`_track` for one dimension: the same arithmetic on plain vectors (no small
        matrices), about twice as fast; items with one skill skip the weights as well."""
        drift = np.asarray(h["drift"], dtype=np.float64)
        drift = drift[prep.rank_user] if drift.ndim else np.full(len(cov), float(drift))
        skill_drift = np.asarray(h["skill_drift"], dtype=np.float64)
        skill_drift = (
            skill_drift[prep.pair_user]
            if skill_drift.ndim
            else np.full(len(var), float(skill_drift))
        )
        use_drift, use_skill_drift = bool(drift.any()), bool(skill_drift.any())
        mean = np.zeros(len(cov))
        delta = np.zeros(len(var))
        single = prep.weight.shape[1] == 1
        y_all, weight_all = prep.correct, prep.weight
        pair_all = prep.pair[:, 0] if single else prep.pair
        for a, b in prep.layout.slices():
            n = b - a
            load = load_all[a:b]
            c = cov[:n]
            if use_drift:
                c += drift[:n]
            c_load = c * load
            pair = pair_all[a:b]
            if use_skill_drift:
                var[pair] += skill_drift[pair]
            v = var[pair]
            if single:
                var_total = load * c_load + v
                mu = mean[:n] * load + delta[pair] + fixed[a:b]
            else:
                weight = weight_all[a:b]
                v = weight * v
                var_total = load * c_load + (weight * v).sum(1)
                mu = mean[:n] * load + (weight * delta[pair]).sum(1) + fixed[a:b]
            p = _sigmoid(mu / np.sqrt(1.0 + PROBIT * var_total))
            out[a:b] = p
            hess = p * (1.0 - p)
            denom = 1.0 + hess * var_total
            step = (y_all[a:b] - p) / denom
            shrink = hess / denom
            mean[:n] += c_load * step
            c -= shrink * c_load * c_load
            if single:
                delta[pair] += v * step
                var[pair] -= v * v * shrink
            else:
                delta[pair] += v * step[:, None]
                var[pair] -= v * v * shrink[:, None]

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, data: KTData) -> Self:
        rng = np.random.default_rng(self.seed)
        n_skills, n_items = len(data.skill_ids), len(data.item_ids)
        self.skill_ids, self.item_ids = list(data.skill_ids), list(data.item_ids)
        theta = self._fit_static(data, rng)
        prep = _Prepared(data, np.arange(n_skills), np.arange(n_items, dtype=np.int64), n_skills)
        spread = np.cov(theta.T, bias=True).reshape(self.dims, self.dims)
        self.prior_cov = spread + np.eye(self.dims) * 1e-3
        for done in range(self.calibrate_passes):
            if self.tune and done == self.calibrate_passes // 2:
                self._tune(data, rng)
            self._calibrate(prep, self._track(prep))
        if self.tune and not self.calibrate_passes:
            self._tune(data, rng)
        return self

    def _fit_static(self, data: KTData, rng: np.random.Generator) -> np.ndarray:
        """Joint MAP of static abilities, skill loadings and item/skill easiness, by
        alternating Newton steps (each block's small Hessians solved all at once)."""
        n_skills, n_items, dims = len(data.skill_ids), len(data.item_ids), self.dims
        y = data.correct.astype(np.float64)
        user = data.user.astype(np.int64)
        item = data.item.astype(np.int64)
        tags = data.item_skills  # (n_items, w)
        present = tags >= 0
        w_item = present / np.maximum(present.sum(1), 1)[:, None]
        # Expanded (answer, skill) rows for the skill step, grouped by skill.
        ans_rows, col = np.nonzero(present[item])
        exp_skill = tags[item[ans_rows], col].astype(np.int64)
        by_skill = np.argsort(exp_skill, kind="stable")
        ans_rows, exp_skill = ans_rows[by_skill], exp_skill[by_skill]
        exp_weight = w_item[item[ans_rows], col[by_skill]]
        users = _Groups(user, data.n_users)
        skills = _Groups(exp_skill, n_skills)
        item_count = np.bincount(item, None, n_items)

        rate = (np.bincount(item, y, n_items) + 0.5) / (item_count + 1.0)
        easy_item = np.log(rate / (1 - rate))
        easy_skill = np.zeros(n_skills)
        loading = rng.normal(0.0, 0.1, (n_skills, dims))
        loading[:, 0] += 1.0 if dims == 1 else 0.5
        theta = np.zeros((data.n_users, dims))
        safe_tags = np.maximum(tags, 0)
        previous = -np.inf
        for _ in range(self.fit_iters):
            a = np.einsum("iw,iwd->id", w_item, loading[safe_tags])[item]
            p = _sigmoid(np.einsum("nd,nd->n", a, theta[user]) + easy_item[item])
            theta = users.newton(a, y - p, p * (1 - p), theta, 1.0)
            th = theta[user]
            p = _sigmoid(np.einsum("nd,nd->n", a, th) + easy_item[item])
            feats = th[ans_rows] * exp_weight[:, None]
            resid, hess = (y - p)[ans_rows], (p * (1 - p))[ans_rows]
            loading = skills.newton(feats, resid, hess, loading, 1.0 / self.loading_var)
            a = np.einsum("iw,iwd->id", w_item, loading[safe_tags])[item]
            p = _sigmoid(np.einsum("nd,nd->n", a, th) + easy_item[item])
            prior_mean = (w_item * easy_skill[safe_tags]).sum(1)
            grad = np.bincount(item, y - p, n_items) - (easy_item - prior_mean) / self.item_var
            curv = np.bincount(item, p * (1 - p), n_items) + 1.0 / self.item_var
            easy_item = easy_item + grad / curv
            easy_skill = self._skill_means(tags, present, easy_item, item_count)
            fit = float(np.mean(np.log(np.where(y > 0, p, 1 - p) + 1e-12)))
            if fit - previous < 1e-4:
                break
            previous = fit
        self.loading = np.vstack([loading, loading.mean(0, keepdims=True)])
        self.item_easiness = easy_item
        overall = np.average(easy_item, weights=item_count + 1e-9)
        self.skill_easiness = np.append(easy_skill, overall)
        self.gain = np.zeros(n_skills + 1)
        return theta

    @staticmethod
    def _skill_means(
        tags: np.ndarray, present: np.ndarray, easy_item: np.ndarray, counts: np.ndarray
    ) -> np.ndarray:
        """Easiness of each skill: count-weighted mean of its items', shrunk to the mean."""
        n_skills = int(tags.max()) + 1 if tags.size else 0
        rows, col = np.nonzero(present)
        skill = tags[rows, col]
        weight = counts[rows].astype(np.float64)
        overall = float(np.average(easy_item, weights=counts + 1e-9))
        total = np.bincount(skill, weight * easy_item[rows], n_skills)
        mass = np.bincount(skill, weight, n_skills)
        return (total + 5.0 * overall) / (mass + 5.0)

    def _tune(self, data: KTData, rng: np.random.Generator) -> None:
        """Coordinate search of the online hyper-parameters on training learners: for each
        hyper-parameter in turn, one tracking pass over copies of a sample of learners, one
        copy per value tried, keeping the value with the best log-likelihood."""
        users = rng.permutation(data.n_users)
        keep = np.searchsorted(np.cumsum(data.lengths[users]), self.tune_rows) + 1
        sample = np.sort(users[:keep])
        grid = {
            "prior_scale": [0.5, 0.75, 1.0, 1.5],
            "skill_var": [0.0, 0.1, 0.3, 0.6],
            "skill_drift": [0.0, 0.02, 0.08, 0.2],
            "drift": [0.0, 0.003, 0.01, 0.03],
        }
        n_copies = max(len(v) for v in grid.values())
        copies = data.select_users(np.tile(sample, n_copies))
        prep = _Prepared(
            copies,
            index_map(self.skill_ids, copies.skill_ids),
            index_map(self.item_ids, copies.item_ids),
            len(self.skill_ids),
        )
        copy_of_user = np.arange(copies.n_users) // len(sample)
        copy_of_row = prep.unpermute(copy_of_user[copies.user][prep.layout.rows].astype(np.float64))
        y = copies.correct.astype(np.float64)
        best = dict(self.hyper)
        for name, values in grid.items():
            trial: dict[str, Any] = dict(best)
            trial[name] = np.asarray(values, dtype=np.float64)[
                np.minimum(copy_of_user, len(values) - 1)
            ]
            p = np.clip(prep.unpermute(self._track(prep, trial)), PRED_EPS, 1 - PRED_EPS)
            ll = y * np.log(p) + (1 - y) * np.log(1 - p)
            scores = np.bincount(copy_of_row.astype(np.int64), ll, n_copies)[: len(values)]
            self.tuning.append(
                (name, dict(zip(map(str, values), scores.round(2).tolist(), strict=True)))
            )
            best[name] = float(values[int(np.argmax(scores))])
        self.hyper = best

    def _calibrate(self, prep: _Prepared, p: np.ndarray) -> None:
        """One Newton step on item easiness, skill easiness and gains from online residuals."""
        y = prep.correct
        resid, hess = y - p, p * (1 - p)
        n_items, n_skills = len(self.item_ids), len(self.skill_ids)
        item = prep.item
        grad = np.bincount(item, resid, n_items)
        curv = np.bincount(item, hess, n_items) + 1.0 / self.item_var
        self.item_easiness = self.item_easiness + grad / curv
        rows, col = np.nonzero(prep.weight > 0)
        skill = prep.skill[rows, col]
        x = prep.practice[rows, col] * prep.weight[rows, col]
        g = np.bincount(skill, resid[rows] * x, n_skills + 1)
        c = np.bincount(skill, hess[rows] * x * x, n_skills + 1) + 10.0
        self.gain = self.gain + g / c
        self.gain[-1] = np.average(
            self.gain[:-1], weights=np.bincount(skill, None, n_skills + 1)[:-1] + 1e-9
        )
        g = np.bincount(skill, resid[rows] * prep.weight[rows, col], n_skills + 1)
        c = np.bincount(skill, hess[rows] * prep.weight[rows, col] ** 2, n_skills + 1) + 5.0
        self.skill_easiness = self.skill_easiness + g / c

    # -- prediction ------------------------------------------------------------------------

    def _prepare(self, data: KTData) -> _Prepared:
        return _Prepared(
            data,
            index_map(self.skill_ids, data.skill_ids),
            index_map(self.item_ids, data.item_ids),
            len(self.skill_ids),
        )

    def predict_sequences(self, data: KTData) -> np.ndarray:
        prep = self._prepare(data)
        return np.clip(prep.unpermute(self._track(prep)), PRED_EPS, 1 - PRED_EPS)

    # -- online API ------------------------------------------------------------------------

    def _lookup(self) -> tuple[dict[str, int], dict[str, int]]:
        cached = getattr(self, "_lookup_cache", None)
        if cached is None:
            cached = (
                {s: i for i, s in enumerate(self.skill_ids)},
                {s: i for i, s in enumerate(self.item_ids)},
            )
            self._lookup_cache = cached
        return cached

    def initial_state(self) -> State:
        cov = self.prior_cov * self.hyper["prior_scale"]
        return {"model": self.name, "mean": [0.0] * self.dims, "cov": cov.tolist(), "skills": {}}

    def _terms(
        self, state: State, skills: Sequence[str], item: str | None
    ) -> tuple[list[str], np.ndarray, float, np.ndarray, np.ndarray, np.ndarray]:
        skill_index, item_index = self._lookup()
        unique = list(dict.fromkeys(skills)) or ["?"]
        idx = np.array([skill_index.get(s, len(self.skill_ids)) for s in unique])
        weight = np.full(len(unique), 1.0 / len(unique))
        load = weight @ self.loading[idx]
        known = state["skills"]
        delta = np.array([known.get(s, [0.0, self.hyper["skill_var"], 0])[0] for s in unique])
        var = np.array([known.get(s, [0.0, self.hyper["skill_var"], 0])[1] for s in unique])
        count = np.array([known.get(s, [0.0, 0.0, 0])[2] for s in unique], dtype=np.float64)
        var = var + self.hyper["skill_drift"]
        i = item_index.get(item, -1) if item is not None else -1
        easy = self.item_easiness[i] if i >= 0 else float(weight @ self.skill_easiness[idx])
        fixed = easy + float(weight @ (self.gain[idx] * np.log1p(count)))
        return unique, load, fixed, delta, var, weight

    def _cov(self, state: State) -> np.ndarray:
        return np.asarray(state["cov"], dtype=np.float64) + np.eye(self.dims) * self.hyper["drift"]

    def predict_one(self, state: State, skills: Sequence[str], item: str | None = None) -> float:
        _, load, fixed, delta, var, weight = self._terms(state, skills, item)
        cov = self._cov(state)
        mean = np.asarray(state["mean"], dtype=np.float64)
        total_var = float(load @ cov @ load + weight**2 @ var)
        mu = float(mean @ load + weight @ delta + fixed)
        return float(
            np.clip(
                _sigmoid(np.array(mu / math.sqrt(1 + PROBIT * total_var))), PRED_EPS, 1 - PRED_EPS
            )
        )

    def update(
        self, state: State, skills: Sequence[str], correct: bool | int, item: str | None = None
    ) -> State:
        unique, load, fixed, delta, var, weight = self._terms(state, skills, item)
        cov = self._cov(state)
        mean = np.asarray(state["mean"], dtype=np.float64)
        c_load = cov @ load
        total_var = float(load @ c_load + weight**2 @ var)
        mu = float(mean @ load + weight @ delta + fixed)
        p = float(_sigmoid(np.array(mu / math.sqrt(1 + PROBIT * total_var))))
        hess = p * (1 - p)
        denom = 1 + hess * total_var
        step = (float(correct) - p) / denom
        new_skills = dict(state["skills"])
        for s, d, v, w in zip(unique, delta, var, weight, strict=True):
            count = state["skills"].get(s, [0.0, 0.0, 0])[2]
            new_skills[s] = [
                float(d + w * v * step),
                float(v - (w * v) ** 2 * hess / denom),
                count + 1,
            ]
        return {
            **state,
            "mean": (mean + c_load * step).tolist(),
            "cov": (cov - np.outer(c_load, c_load) * hess / denom).tolist(),
            "skills": new_skills,
        }

    def mastery(self, state: State) -> dict[str, float]:
        """P(correct) on a typical item of each skill, from the current belief."""
        return {
            s: self.predict_one(state, [s])
            for s in dict.fromkeys([*self.skill_ids, *state["skills"]])
        }

    def get_params(self) -> dict[str, Any]:
        return {
            "hyper": dict(self.hyper),
            "prior_cov": self.prior_cov.tolist(),
            "skills": {
                s: {
                    "loading": self.loading[i].tolist(),
                    "easiness": float(self.skill_easiness[i]),
                    "gain": float(self.gain[i]),
                }
                for i, s in enumerate(self.skill_ids)
            },
        }
