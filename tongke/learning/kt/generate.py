"""Synthetic answer logs with a known truth, for tests and benchmarks. Deterministic per seed.

:func:`generate` simulates a practice platform the way real logs look (ASSISTments-like):
many skills, several items per skill with their own difficulty (some items tagged with two
skills), learners with a global ability plus a group ability (skills come in groups of related
knowledge points) plus a skill-specific part, learning with every practice (more after a
correct answer, less the more one has practised), optional forgetting between practices,
guessing and slipping, mastery-learning sessions (a skill until three right in a row or ten
tries, sometimes a review of an earlier skill) and sequence lengths with a long tail (a few
learners with thousands of answers). The simulation runs vectorized over learners, one step at
a time.

:func:`generate_bkt` draws answers from BKT itself with given parameters, so that a BKT fit
can be checked against the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tongke.learning.kt.data import KTData


@dataclass(frozen=True)
class Generated:
    data: KTData
    item_difficulty: np.ndarray  # per item index of data
    skill_difficulty: np.ndarray  # per skill index of data
    probability: np.ndarray  # the true P(correct) of every answer of data


def _pack(
    user: np.ndarray, item: np.ndarray, correct: np.ndarray, q_matrix: np.ndarray, n_users: int
) -> KTData:
    """Answers recorded in time order (any learner interleaving) -> a KTData."""
    order = np.argsort(user, kind="stable")
    return _packed(user, item, correct, q_matrix, n_users, order)


def _packed(
    user: np.ndarray,
    item: np.ndarray,
    correct: np.ndarray,
    q_matrix: np.ndarray,
    n_users: int,
    order: np.ndarray,
) -> KTData:
    return KTData(
        user=user[order].astype(np.int32),
        item=item[order].astype(np.int32),
        correct=correct[order].astype(np.int8),
        user_ids=[f"u{u}" for u in range(n_users)],
        item_ids=[str(i) for i in range(len(q_matrix))],  # numeric: fit for lines3
        skill_ids=[f"s{s}" for s in range(int(q_matrix.max()) + 1)],
        item_skills=q_matrix.astype(np.int32),
    )


def _lengths(rng: np.random.Generator, n: int, mean: float, cap: int) -> np.ndarray:
    sigma = 1.0
    raw = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n)
    return np.clip(np.round(raw), 5, cap).astype(np.int64)


def generate(
    *,
    n_learners: int = 1000,
    n_skills: int = 50,
    mean_length: float = 100.0,
    items_per_skill: int = 10,
    multi_skill: float = 0.1,
    forgetting: bool = False,
    group_size: int = 10,
    max_length: int | None = None,
    seed: int = 0,
) -> Generated:
    """Simulated practice logs; ``mean_length`` answers per learner on average."""
    rng = np.random.default_rng(seed)
    k = n_skills
    n_items = k * items_per_skill
    skill_difficulty = rng.normal(0.0, 0.8, k)
    item_skill = np.repeat(np.arange(k), items_per_skill)
    item_difficulty = skill_difficulty[item_skill] + rng.normal(0.0, 0.5, n_items)
    second = np.where(rng.random(n_items) < multi_skill, rng.integers(0, k, n_items), -1)
    second[second == item_skill] = -1
    q_matrix = np.stack([item_skill, second], axis=1) if multi_skill > 0 else item_skill[:, None]
    group = np.arange(k) // max(1, group_size)
    learn_rate = rng.uniform(0.05, 0.3, k)

    theta = rng.normal(0.0, 1.0, (n_learners, 1))
    group_ability = rng.normal(0.0, 0.6, (n_learners, int(group.max()) + 1))
    ability = theta + group_ability[:, group] + rng.normal(0.0, 0.4, (n_learners, k))
    start_ability = ability.copy()
    speed = rng.lognormal(0.0, 0.3, n_learners)
    practised = np.zeros((n_learners, k), dtype=np.int32)
    last_seen = np.zeros((n_learners, k), dtype=np.int64)
    curriculum = np.argsort(skill_difficulty[None, :] + rng.normal(0.0, 1.0, (n_learners, k)), 1)

    cap = max_length or int(30 * mean_length)
    lengths = np.sort(_lengths(rng, n_learners, mean_length, cap))[::-1]
    current = curriculum[:, 0].copy()
    pointer = np.ones(n_learners, dtype=np.int64)
    streak = np.zeros(n_learners, dtype=np.int64)
    tries = np.zeros(n_learners, dtype=np.int64)
    active_at = np.searchsorted(-lengths, -np.arange(int(lengths[0])), side="right")
    out_user, out_item, out_correct, out_p = [], [], [], []
    guess, slip = 0.1, 0.05
    for t in range(int(lengths[0])):
        m = int(active_at[t])
        u = np.arange(m)
        s = current[:m]
        item = s * items_per_skill + rng.integers(0, items_per_skill, m)
        if forgetting:
            decay = np.exp(-(t - last_seen[u, s]) / 60.0)
            ability[u, s] = start_ability[u, s] + (ability[u, s] - start_ability[u, s]) * decay
            last_seen[u, s] = t
        level = ability[u, s]
        other = q_matrix[item, 1] if q_matrix.shape[1] > 1 else np.full(m, -1)
        has_other = other >= 0
        level = np.where(has_other, (level + ability[u, np.maximum(other, 0)]) / 2, level)
        p = guess + (1 - guess - slip) / (1 + np.exp(item_difficulty[item] - level))
        y = rng.random(m) < p
        gain = learn_rate[s] * speed[:m] * np.where(y, 1.0, 0.6) / (1 + 0.05 * practised[u, s])
        ability[u, s] += gain
        practised[u, s] += 1
        out_user.append(u)
        out_item.append(item)
        out_correct.append(y)
        out_p.append(p)
        streak[:m] = np.where(y, streak[:m] + 1, 0)
        tries[:m] += 1
        done = np.flatnonzero((streak[:m] >= 3) | (tries[:m] >= 10))
        if len(done):
            review = rng.random(len(done)) < 0.15
            back = curriculum[done, rng.integers(0, np.clip(pointer[done], 1, k))]
            ahead = curriculum[done, pointer[done] % k]
            current[done] = np.where(review, back, ahead)
            pointer[done] += ~review
            streak[done] = 0
            tries[done] = 0
    user = np.concatenate(out_user)
    order = np.argsort(user, kind="stable")
    data = _packed(
        user, np.concatenate(out_item), np.concatenate(out_correct), q_matrix, n_learners, order
    )
    return Generated(
        data=data,
        item_difficulty=item_difficulty,
        skill_difficulty=skill_difficulty,
        probability=np.concatenate(out_p)[order],
    )


def generate_bkt(
    *,
    params: dict[str, np.ndarray],
    n_learners: int = 500,
    length: int = 20,
    seed: int = 0,
) -> KTData:
    """BKT answers: every learner practises every skill ``length`` times, skills interleaved
    at random. ``params`` maps prior/learn/guess/slip (and optionally forget) to per-skill
    arrays; skill ``s`` is item ``s``."""
    rng = np.random.default_rng(seed)
    k = len(params["prior"])
    forget = params.get("forget", np.zeros(k))
    known = rng.random((n_learners, k)) < params["prior"]
    answers = np.empty((n_learners, k, length), dtype=np.int8)
    for t in range(length):
        p = np.where(known, 1 - params["slip"], params["guess"])
        answers[:, :, t] = rng.random((n_learners, k)) < p
        learned = rng.random((n_learners, k)) < params["learn"]
        forgot = rng.random((n_learners, k)) < forget
        known = np.where(known, ~forgot, learned)
    # Interleave: each learner's k*length answers in a random order keeping each skill's order.
    base = np.broadcast_to(np.repeat(np.arange(k), length), (n_learners, k * length))
    skill_of_slot = np.take_along_axis(base, rng.random(base.shape).argsort(axis=1), axis=1)
    step_in_skill = np.zeros_like(skill_of_slot)
    for s in range(k):
        mask = skill_of_slot == s
        step_in_skill[mask] = (np.cumsum(mask, axis=1) - 1)[mask]
    rows = np.arange(n_learners)[:, None]
    correct = answers[rows, skill_of_slot, step_in_skill]
    user = np.repeat(np.arange(n_learners), k * length)
    return _pack(user, skill_of_slot.ravel(), correct.ravel(), np.arange(k)[:, None], n_learners)
