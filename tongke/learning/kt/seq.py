"""A sequence model (DKT, Piech et al. 2015, with a GRU) for the optional PyTorch extra.

The platform works without it: PyTorch is not a dependency of Tongke, and nothing here
imports it until a :class:`SequenceModel` is made. Without PyTorch that raises
:class:`SequenceModelUnavailable` with one clear sentence.

Model: each answer becomes a token (skill, right/wrong); a GRU reads the tokens of a learner
in order; the probability of the next answer is the sigmoid of the hidden state's dot product
with the next item's skill embedding (mean over its skills) plus the item's and skill's bias.
The input at step ``t`` is the answer at ``t - 1`` (a start token at ``t = 0``), so a
prediction never sees its own answer. Training cuts long sequences into windows of
``max_len`` answers; prediction runs over whole sequences.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from tongke.learning.kt import KTModel, State, index_map
from tongke.learning.kt.data import KTData

UNAVAILABLE = "the sequence model needs the optional PyTorch extra"


class SequenceModelUnavailable(RuntimeError):
    """PyTorch is not installed."""


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise SequenceModelUnavailable(UNAVAILABLE + " (pip install torch)") from None
    return torch


def torch_available() -> bool:
    try:
        _torch()
    except SequenceModelUnavailable:
        return False
    return True


def _build_network(torch: Any, n_skills: int, n_items: int, hidden: int) -> Any:
    nn = torch.nn
    module: Any = nn.Module

    class DKT(module):  # type: ignore[misc,valid-type,unused-ignore]
        def __init__(self) -> None:
            super().__init__()
            # Token 0 is the start; skill s answered wrong/right is 1 + 2 s + correct.
            self.embed = nn.Embedding(2 * n_skills + 3, hidden)
            self.gru = nn.GRU(hidden, hidden, batch_first=True)
            self.skill_out = nn.Embedding(n_skills + 1, hidden)
            self.skill_bias = nn.Embedding(n_skills + 1, 1)
            self.item_bias = nn.Embedding(n_items + 1, 1)
            nn.init.zeros_(self.skill_bias.weight)
            nn.init.zeros_(self.item_bias.weight)

        def forward(self, tokens: Any, skills: Any, items: Any, state: Any = None) -> Any:
            out, state = self.gru(self.embed(tokens), state)
            target = self.skill_out(skills)  # (batch, time, hidden)
            logit = (out * target).sum(-1) + self.skill_bias(skills)[..., 0]
            return logit + self.item_bias(items)[..., 0], state

    return DKT()


class SequenceModel(KTModel):
    """DKT with a GRU; see the module docstring. Needs PyTorch."""

    name = "seq"

    def __init__(
        self,
        *,
        hidden: int = 64,
        epochs: int = 8,
        batch_size: int = 64,
        max_len: int = 200,
        learning_rate: float = 3e-3,
        seed: int = 0,
        device: str | None = None,
    ) -> None:
        self.torch = _torch()
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_len = max_len
        self.learning_rate = learning_rate
        self.seed = seed
        self.device = device or ("cuda" if self.torch.cuda.is_available() else "cpu")
        self.skill_ids: list[str] = []
        self.item_ids: list[str] = []
        self.net: Any = None

    # -- arrays ----------------------------------------------------------------------------

    def _arrays(self, data: KTData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per answer: its first skill (model index; unseen -> n_skills), its item (unseen ->
        n_items) and its input token (the previous answer of the learner, or start)."""
        n_skills, n_items = len(self.skill_ids), len(self.item_ids)
        skill_map = index_map(self.skill_ids, data.skill_ids)
        first = data.item_skills[data.item, 0]
        skill = np.where(first >= 0, skill_map[np.maximum(first, 0)], -1)
        skill = np.where(skill < 0, n_skills, skill)
        item = index_map(self.item_ids, data.item_ids)[data.item]
        item = np.where(item < 0, n_items, item)
        answer_token = 1 + 2 * skill + data.correct
        token = np.concatenate([[0], answer_token[:-1]])
        token[data.position == 0] = 0
        return skill, item, token

    def _batches(
        self, data: KTData, windows: list[tuple[int, int]], shuffle: bool, rng: np.random.Generator
    ) -> Any:
        torch = self.torch
        skill, item, token = self._arrays(data)
        order = rng.permutation(len(windows)) if shuffle else np.arange(len(windows))
        for b in range(0, len(order), self.batch_size):
            chosen = [windows[i] for i in order[b : b + self.batch_size]]
            width = max(end - start for start, end in chosen)
            arr = np.zeros((4, len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=bool)
            for row, (start, end) in enumerate(chosen):
                n = end - start
                arr[0, row, :n] = token[start:end]
                if start > 0 and data.position[start] > 0:
                    arr[0, row, 0] = 0  # a window starts fresh
                arr[1, row, :n] = skill[start:end]
                arr[2, row, :n] = item[start:end]
                arr[3, row, :n] = data.correct[start:end]
                mask[row, :n] = True
            t = torch.as_tensor(arr, device=self.device)
            yield chosen, t[0], t[1], t[2], t[3].float(), torch.as_tensor(mask, device=self.device)

    # -- fit / predict ---------------------------------------------------------------------

    def fit(self, data: KTData) -> Self:
        torch = self.torch
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.skill_ids, self.item_ids = list(data.skill_ids), list(data.item_ids)
        self.net = _build_network(torch, len(self.skill_ids), len(self.item_ids), self.hidden).to(
            self.device
        )
        windows = [
            (int(s), int(min(s + self.max_len, end)))
            for start, end in zip(data.starts[:-1], data.starts[1:], strict=True)
            for s in range(int(start), int(end), self.max_len)
        ]
        optimizer = torch.optim.Adam(self.net.parameters(), lr=self.learning_rate)
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="sum")
        self.net.train()
        for _ in range(self.epochs):
            for _, tokens, skills, items, y, mask in self._batches(data, windows, True, rng):
                logit, _ = self.net(tokens, skills, items)
                loss = loss_fn(logit[mask], y[mask]) / mask.sum()
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.net.parameters(), 5.0)
                optimizer.step()
        return self

    def predict_sequences(self, data: KTData) -> np.ndarray:
        torch = self.torch
        windows = [
            (int(a), int(b))
            for a, b in zip(data.starts[:-1], data.starts[1:], strict=True)
            if b > a
        ]
        out = np.empty(data.n_answers)
        self.net.eval()
        with torch.no_grad():
            for chosen, tokens, skills, items, _, _ in self._batches(
                data, windows, False, np.random.default_rng(0)
            ):
                p = torch.sigmoid(self.net(tokens, skills, items)[0]).cpu().numpy()
                for row, (start, end) in enumerate(chosen):
                    out[start:end] = p[row, : end - start]
        return np.clip(out, 1e-6, 1 - 1e-6)

    # -- online API ------------------------------------------------------------------------

    def _index(self, skills: Sequence[str], item: str | None) -> tuple[int, int]:
        skill_index = {s: i for i, s in enumerate(self.skill_ids)}
        first = skill_index.get(skills[0], len(self.skill_ids)) if skills else len(self.skill_ids)
        items = {s: i for i, s in enumerate(self.item_ids)}
        return first, items.get(item, len(self.item_ids)) if item is not None else len(
            self.item_ids
        )

    def initial_state(self) -> State:
        return {"model": self.name, "token": 0, "hidden": [0.0] * self.hidden}

    def _step(self, state: State, skill: int, item: int) -> tuple[float, Any]:
        torch = self.torch
        self.net.eval()
        with torch.no_grad():
            h = torch.tensor(state["hidden"], dtype=torch.float32, device=self.device)
            t = torch.tensor([[state["token"]]], device=self.device)
            s = torch.tensor([[skill]], device=self.device)
            i = torch.tensor([[item]], device=self.device)
            logit, new_h = self.net(t, s, i, h.view(1, 1, -1))
        return float(torch.sigmoid(logit)[0, 0]), new_h

    def predict_one(self, state: State, skills: Sequence[str], item: str | None = None) -> float:
        skill, item_index = self._index(skills, item)
        return self._step(state, skill, item_index)[0]

    def update(
        self, state: State, skills: Sequence[str], correct: bool | int, item: str | None = None
    ) -> State:
        skill, item_index = self._index(skills, item)
        _, new_h = self._step(state, skill, item_index)
        return {
            **state,
            "token": 1 + 2 * skill + int(bool(correct)),
            "hidden": new_h.view(-1).cpu().tolist(),
        }

    def mastery(self, state: State) -> dict[str, float]:
        return {s: self.predict_one(state, [s]) for s in self.skill_ids}
