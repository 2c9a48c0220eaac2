"""Knowledge tracing: a mastery estimate per learner per knowledge point (LRN-4).

Models written and owned here, all numpy, all vectorized across learners:

- :mod:`.bkt`: Bayesian knowledge tracing per skill, fitted by EM (forgetting optional);
- :mod:`.irt`: an IRT/Elo-style model: item and skill difficulty, a learner ability tracked
  online with its uncertainty, per-skill abilities that start from the global one;
- :mod:`.seq`: a small recurrent model (DKT), only when the optional PyTorch extra is there;
- :mod:`.evaluate`: the evaluation protocol, the metrics and ``best`` (a validated stack).

Every model has the same small interface (:class:`KTModel`): ``fit(train)``,
``predict_sequences(data)`` (a probability for every answer from that learner's earlier
answers only) and the online API the platform uses after each answer, on small JSON states:
``initial_state()``, ``predict_one(state, skills)``, ``update(state, skills, correct)`` and
``mastery(state)``.

This module holds that interface and the one piece of machinery the models share: the
*step layout*, which orders answers by their step inside a sequence so that one numpy
operation handles step ``k`` of every sequence at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np

from tongke.learning.kt.data import KTData, KTDataError

__all__ = ["KTData", "KTDataError", "KTModel", "StepLayout", "index_map"]

State = dict[str, Any]


class KTModel:
    """The interface every knowledge-tracing model implements."""

    name = "base"

    def fit(self, data: KTData) -> Self:
        raise NotImplementedError

    def predict_sequences(self, data: KTData) -> np.ndarray:
        """P(correct) of every answer of ``data`` given only the earlier answers of its learner."""
        raise NotImplementedError

    def initial_state(self) -> State:
        """The state of a learner with no answers yet (a JSON-serializable dict)."""
        raise NotImplementedError

    def predict_one(self, state: State, skills: Sequence[str], item: str | None = None) -> float:
        """P(correct) of the next answer, on an item tagged with ``skills``."""
        raise NotImplementedError

    def update(
        self, state: State, skills: Sequence[str], correct: bool | int, item: str | None = None
    ) -> State:
        """The state after one more answer; ``state`` itself is left unchanged."""
        raise NotImplementedError

    def mastery(self, state: State) -> dict[str, float]:
        """Mastery in [0, 1] per skill the model knows (or the learner has practised)."""
        raise NotImplementedError


def index_map(known: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    """For each id of ``ids``, its index in ``known``, or -1 when it is not there."""
    lookup = {k: i for i, k in enumerate(known)}
    return np.fromiter((lookup.get(i, -1) for i in ids), dtype=np.int64, count=len(ids))


@dataclass(frozen=True)
class StepLayout:
    """Rows of many sequences laid out step by step.

    Sequences are ranked by length (longest first). Step ``k`` holds the ``k``-th row of
    every sequence longer than ``k``, in rank order, at ``bounds[k]:bounds[k + 1]``; the
    sequences still running at step ``k + 1`` are a prefix of those at step ``k``. ``rows``
    maps a step-major position to the original row.
    """

    rows: np.ndarray  # int64 (n_rows,): original row at each step-major position
    bounds: np.ndarray  # int64 (n_steps + 1,)
    rank: np.ndarray  # int64 (n_sequences,): rank of each sequence (0 = longest)

    @classmethod
    def from_starts(cls, starts: np.ndarray) -> StepLayout:
        """``starts``: offsets of contiguous sequences (length n_sequences + 1)."""
        lengths = np.diff(starts)
        order = np.argsort(-lengths, kind="stable")
        rank = np.empty(len(lengths), dtype=np.int64)
        rank[order] = np.arange(len(lengths))
        max_len = int(lengths.max()) if len(lengths) else 0
        active = len(lengths) - np.cumsum(np.bincount(lengths, minlength=max_len + 1))[:max_len]
        bounds = np.zeros(max_len + 1, dtype=np.int64)
        np.cumsum(active, out=bounds[1:])
        seq = np.repeat(np.arange(len(lengths)), lengths)
        step = np.arange(int(starts[-1] - starts[0])) - np.repeat(starts[:-1] - starts[0], lengths)
        rows = np.empty(len(seq), dtype=np.int64)
        rows[bounds[step] + rank[seq]] = np.arange(len(seq)) + starts[0]
        return cls(rows=rows, bounds=bounds, rank=rank)

    @property
    def n_steps(self) -> int:
        return len(self.bounds) - 1

    def slices(self) -> list[tuple[int, int]]:
        return list(zip(self.bounds[:-1].tolist(), self.bounds[1:].tolist(), strict=True))
