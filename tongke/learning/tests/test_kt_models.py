"""Knowledge-tracing models: they recover what generated the data, never look ahead, and
the online API (one answer at a time, JSON states) agrees with the batch predictions."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from tongke.learning.kt import KTModel
from tongke.learning.kt.bkt import BKTModel
from tongke.learning.kt.data import KTData, from_sequences
from tongke.learning.kt.evaluate import BestModel, auc
from tongke.learning.kt.generate import generate, generate_bkt
from tongke.learning.kt.irt import IRTModel
from tongke.learning.kt.seq import UNAVAILABLE, SequenceModelUnavailable, torch_available

TRUE_BKT = {
    "prior": np.array([0.15, 0.35, 0.6]),
    "learn": np.array([0.08, 0.2, 0.3]),
    "guess": np.array([0.12, 0.2, 0.25]),
    "slip": np.array([0.05, 0.1, 0.15]),
}


@pytest.fixture(scope="module")
def practice() -> tuple[KTData, KTData]:
    """A small realistic practice log, split by learner."""
    generated = generate(
        n_learners=300, n_skills=12, items_per_skill=4, mean_length=40, multi_skill=0.2, seed=5
    )
    return generated.data.split_users(0.3, seed=1)


def small_best(seed: int = 0) -> BestModel:
    return BestModel(
        {"bkt": lambda: BKTModel(seed=seed, restarts=2), "irt": lambda: IRTModel(seed=seed)},
        seed=seed,
    )


MODELS: dict[str, Callable[[], KTModel]] = {
    "bkt": lambda: BKTModel(),
    "bkt-forgetting": lambda: BKTModel(forgetting=True),
    "irt": lambda: IRTModel(),
    "irt-2d": lambda: IRTModel(dims=2),
    "best": small_best,
}


@pytest.fixture(scope="module")
def fitted(practice: tuple[KTData, KTData]) -> Callable[[str], KTModel]:
    """Models fitted once on the practice log's train part, by name."""
    cache: dict[str, KTModel] = {}

    def get(name: str) -> KTModel:
        if name not in cache:
            cache[name] = MODELS[name]().fit(practice[0])
        return cache[name]

    return get


def test_bkt_em_recovers_known_parameters():
    data = generate_bkt(params=TRUE_BKT, n_learners=1500, length=12, seed=2)

    model = BKTModel(seed=0).fit(data)

    skill = [data.skill_ids.index(f"s{s}") for s in range(3)]
    for name, truth in TRUE_BKT.items():
        fitted = model.params[name][skill]
        assert np.abs(fitted - truth).max() < 0.05, (name, fitted, truth)


def test_bkt_bounds_keep_guess_and_slip_sane():
    # Answers unrelated to practice: EM must not make "known" mean "answers wrong".
    rng = np.random.default_rng(0)
    seqs = [(str(u), ["1"] * 10, rng.integers(0, 2, 10).tolist()) for u in range(200)]

    model = BKTModel(max_guess=0.3, max_slip=0.2).fit(from_sequences(seqs))

    assert model.params["guess"][0] <= 0.3 + 1e-12
    assert model.params["slip"][0] <= 0.2 + 1e-12


def test_irt_recovers_the_order_of_item_difficulties():
    generated = generate(
        n_learners=400, n_skills=10, items_per_skill=5, mean_length=60, multi_skill=0.0, seed=7
    )
    data = generated.data

    model = IRTModel().fit(data)

    difficulty = -model.item_easiness
    truth = generated.item_difficulty[[int(i) for i in data.item_ids]]
    seen = np.bincount(data.item, minlength=len(data.item_ids)) >= 30
    ranks = [np.argsort(np.argsort(v[seen])) for v in (difficulty, truth)]
    assert np.corrcoef(ranks[0].astype(float), ranks[1].astype(float))[0, 1] > 0.85


def test_models_beat_chance_and_stay_below_the_truth(practice, fitted):
    _, test = practice
    for name in ("bkt", "irt"):
        p = fitted(name).predict_sequences(test)
        assert 0.6 < auc(test.correct, p) < 0.85, name


@pytest.mark.parametrize("name", sorted(MODELS))
def test_changing_later_answers_never_changes_earlier_predictions(practice, fitted, name):
    _, test = practice
    model = fitted(name)
    before = model.predict_sequences(test)
    learner = int(np.argmax(test.lengths))
    start, end = int(test.starts[learner]), int(test.starts[learner + 1])
    cut = start + (end - start) // 2
    flipped = test.correct.copy()
    flipped[cut:end] = 1 - flipped[cut:end]

    after = model.predict_sequences(test.with_correct(flipped))

    np.testing.assert_array_equal(after[: cut + 1], before[: cut + 1])
    np.testing.assert_array_equal(after[end:], before[end:])
    assert not np.array_equal(after[cut + 1 : end], before[cut + 1 : end])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_online_updates_match_batch_predictions(practice, fitted, name):
    _, test = practice
    model = fitted(name)
    batch = model.predict_sequences(test)
    learner = int(np.argmax(test.lengths))
    state = model.initial_state()
    online = []
    for row in range(int(test.starts[learner]), int(test.starts[learner + 1])):
        item = int(test.item[row])
        skills = test.skills_of(item)
        online.append(model.predict_one(state, skills, test.item_ids[item]))
        state = model.update(state, skills, int(test.correct[row]), test.item_ids[item])
        state = json.loads(json.dumps(state))  # what the platform stores

    rows = slice(int(test.starts[learner]), int(test.starts[learner + 1]))
    np.testing.assert_allclose(online, batch[rows], rtol=1e-6, atol=1e-9)
    mastery = model.mastery(state)
    assert set(test.skills_of(int(test.item[rows.start]))) <= set(mastery)
    assert all(0.0 <= v <= 1.0 for v in mastery.values())


def test_mastery_rises_after_right_answers():
    data = generate_bkt(params=TRUE_BKT, n_learners=300, length=8, seed=4)
    for model in (BKTModel().fit(data), IRTModel().fit(data)):
        state = model.initial_state()
        start = model.mastery(state)["s1"]
        for _ in range(4):
            state = model.update(state, ["s1"], 1)
        assert model.mastery(state)["s1"] > start


def test_unseen_items_and_skills_fall_back(practice, fitted):
    train, _ = practice
    unseen = from_sequences(
        [("new", ["never-seen", train.item_ids[0], "never-seen"], [1, 0, 1])],
        item_skills={"never-seen": ["unknown-skill"], train.item_ids[0]: train.skills_of(0)},
    )
    for name in ("bkt", "irt"):
        model = fitted(name)
        p = model.predict_sequences(unseen)
        assert np.all((p > 0.05) & (p < 0.95)), (name, p)
        assert model.predict_one(model.initial_state(), ["unknown-skill"], "never-seen") == (
            pytest.approx(p[0])
        )


def test_auc_counts_ties_half_and_matches_pairwise_count():
    assert auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.4])) == 1.0
    assert auc(np.array([1, 1, 0, 0]), np.array([0.1, 0.2, 0.3, 0.4])) == 0.0
    assert auc(np.array([0, 1, 0, 1]), np.full(4, 0.5)) == 0.5
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = rng.integers(0, 10, 300) / 10  # many ties
    pos, neg = p[y == 1], p[y == 0]
    pairs = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert auc(y, p) == pytest.approx(pairs / (len(pos) * len(neg)))


@pytest.mark.skipif(torch_available(), reason="PyTorch is installed here")
def test_sequence_model_needs_the_pytorch_extra():
    from tongke.learning.kt.seq import SequenceModel

    with pytest.raises(SequenceModelUnavailable, match=UNAVAILABLE):
        SequenceModel()
