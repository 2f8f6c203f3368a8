"""fit_pack trains what separate networks train, and stops each member alone."""

import numpy as np
import pytest

from skdeep.exceptions import TrainingDivergedError
from skdeep.nn import EMBEDDINGS, FrontScale, Network, PeriodicEmbedding
from skdeep.optim import Adam, LearningRateSchedule
from skdeep.training import (
    Members,
    Problem,
    Progress,
    Settings,
    TrainState,
    Validation,
    fit_pack,
    fit_stochastic,
    ntk_step_factors,
    start_solver,
)

N_FEATURES = 4


def _data(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, N_FEATURES))
    y = (X[:, 0] + np.sin(2 * X[:, 1]) > 0).astype(np.intp)
    return X, y


def _network(n_members=None, dropout=0.15):
    inputs = [
        FrontScale(N_FEATURES, n_members=n_members),
        PeriodicEmbedding(N_FEATURES, **EMBEDDINGS["pbld"], n_members=n_members),
    ]
    return Network(
        [N_FEATURES, 16, 16, 2],
        "selu",
        "log_loss",
        dropout=dropout,
        input_layers=inputs,
        n_members=n_members,
    )


def _settings(max_iter, patience=None, **extra):
    """The tabular recipe's settings, as TabularNet runs them."""
    return Settings(
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=np.inf if patience is None else patience - 1,
        early_stopping=True,
        batch_size=32,
        optimizer=Adam(beta_2=0.95),
        schedule=LearningRateSchedule("coslog4", 0.04),
        weight_decay=0.02,
        weight_decay_schedule="flat_cosine",
        dropout_schedule="flat_cosine",
        step_factors=ntk_step_factors({"biases": 0.1, "scales": 6.0}),
        patience=patience,
        **extra,
    )


def _start(network, dtype, seeds, settings):
    sources = [np.random.RandomState(s) for s in seeds]
    params = network.init_params(
        sources if network.n_members else sources[0], dtype, "lecun_normal"
    )
    state = TrainState(params, network.init_stats(dtype))
    network.set_dropout_seed(
        [s + 100 for s in seeds] if network.n_members else seeds[0] + 100
    )
    start_solver(state, settings.optimizer, settings.schedule, {"solver": "adam"})
    return state


def _separate(X, y, rows, seed, dtype, settings, dropout=0.15):
    """One member trained alone by fit_stochastic, judged on its held-out rows."""
    train, val = rows
    network = _network(dropout=dropout)
    state = _start(network, dtype, [seed], settings)
    loss = network.loss.name

    def negative_loss(raw, y_val, sw, target=y[val]):
        from skdeep.nn import LOSSES

        return -LOSSES[loss]().loss_gradient(raw, target, 1 / len(raw))

    problem = Problem(network, X[train].astype(dtype), y[train], None, 0.0)
    problem.validation = Validation(X[val].astype(dtype), y[val], None, negative_loss)
    progress = Progress(validation_scores=[], best_validation_score=-np.inf)
    run = Settings(**{**vars(settings), "rng": np.random.RandomState(seed + 1000)})
    fit_stochastic(problem, state, progress, run)
    return state.params.flat, progress


def _folds(n, k, seed=0):
    folds = np.array_split(np.random.RandomState(seed).permutation(n), k)
    return [
        (np.sort(np.concatenate(folds[:m] + folds[m + 1 :])), np.sort(folds[m]))
        for m in range(k)
    ]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_pack_trains_the_weights_of_separate_networks(dtype):
    X, y = _data()
    k, seeds, rows = 3, [3, 5, 8], _folds(240, 3)
    settings = _settings(max_iter=6)
    pack = _network(k)
    state = _start(pack, dtype, seeds, settings)
    members = Members(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [np.random.RandomState(s + 1000) for s in seeds],
    )
    problem = Problem(pack, X.astype(dtype), y, None, 0.0)
    progress, outcome = fit_pack(problem, state, members, settings)
    assert outcome == (None, False)
    assert (progress.n_iter == 6).all() and (progress.stopped == "max_iter").all()
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    for m, seed in enumerate(seeds):
        weights, alone = _separate(X, y, rows[m], seed, dtype, settings)
        np.testing.assert_allclose(
            pack.member_rows(state.params.flat)[m], weights, rtol=rtol, atol=rtol
        )
        scores = -np.array(alone.validation_scores)
        curve = np.array(progress.validation_curve)[:, m]
        np.testing.assert_allclose(curve, scores, rtol=rtol)
        assert progress.best_epoch[m] == np.argmin(scores) + 1


def test_each_member_stops_as_it_would_alone_and_leaves_the_pack():
    X, y = _data(300, seed=1)
    k, seeds, rows = 4, [1, 2, 3, 4], _folds(300, 4, seed=1)
    # A high rate: members over-fit soon, and at different epochs.
    settings = Settings(
        **{
            **vars(_settings(max_iter=60, patience=3)),
            "schedule": LearningRateSchedule("constant", 0.3),
            "dropout_schedule": "constant",
        }
    )
    pack = _network(k, dropout=0.0)
    state = _start(pack, np.float64, seeds, settings)
    members = Members(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [np.random.RandomState(s + 1000) for s in seeds],
    )
    progress, _ = fit_pack(Problem(pack, X, y, None, 0.0), state, members, settings)
    assert (progress.stopped == "patience").all()
    assert len(set(progress.n_iter)) > 1  # members left at different epochs
    for m, seed in enumerate(seeds):
        weights, alone = _separate(X, y, rows[m], seed, np.float64, settings, 0.0)
        assert alone.n_iter == progress.n_iter[m]
        assert progress.best_epoch[m] == progress.n_iter[m] - 3
        np.testing.assert_allclose(
            pack.member_rows(state.params.flat)[m], weights, rtol=1e-9, atol=1e-9
        )


def test_per_member_learning_rates_and_a_member_that_diverges():
    X, y = _data()
    rows = _folds(240, 3)
    settings = Settings(
        **{
            **vars(_settings(max_iter=8)),
            "schedule": LearningRateSchedule("constant", 0.01),
        }
    )
    pack = _network(3, dropout=0.0)
    state = _start(pack, np.float64, [0, 1, 2], settings)
    members = Members(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [np.random.RandomState(s) for s in range(3)],
        learning_rates=np.array([1.0, 0.0, 1e30]),  # the last one blows up
    )
    before = pack.member_rows(state.params.flat).copy()
    with np.errstate(all="ignore"):
        progress, _ = fit_pack(Problem(pack, X, y, None, 0.0), state, members, settings)
    after = pack.member_rows(state.params.flat)
    assert progress.stopped.tolist() == ["max_iter", "max_iter", "diverged"]
    assert not np.allclose(after[0], before[0])
    # A zero rate still decays nothing (decay is proportional to the rate).
    np.testing.assert_array_equal(after[1], before[1])
    assert np.isfinite(after).all()  # the diverged member keeps finite weights
    members.learning_rates = np.full(3, 1e30)
    state = _start(pack, np.float64, [0, 1, 2], settings)
    with (
        np.errstate(all="ignore"),
        pytest.raises(TrainingDivergedError, match="infinite or grew"),
    ):
        fit_pack(Problem(pack, X, y, None, 0.0), state, members, settings)


def test_max_time_ends_every_member_at_an_epoch_boundary():
    X, y = _data()
    rows = _folds(240, 2)
    settings = Settings(**{**vars(_settings(max_iter=50)), "max_time": 0.0})
    pack = _network(2)
    state = _start(pack, np.float64, [0, 1], settings)
    members = Members(
        [r[0] for r in rows], [r[1] for r in rows], [np.random.RandomState(0)] * 2
    )
    progress, outcome = fit_pack(
        Problem(pack, X, y, None, 0.0), state, members, settings
    )
    assert (progress.n_iter == 1).all() and (progress.stopped == "max_time").all()
    assert "max_time=0s ended training after 1 epoch(s)" in outcome.message


def test_ctrl_c_keeps_each_members_best_epoch(monkeypatch):
    X, y = _data()
    rows = _folds(240, 2)
    settings = _settings(max_iter=20)
    pack = _network(2)
    state = _start(pack, np.float64, [0, 1], settings)
    members = Members(
        [r[0] for r in rows], [r[1] for r in rows], [np.random.RandomState(0)] * 2
    )

    class Interrupt:
        def __init__(self, after):
            self.after, self.seen = after, 0

        def begin(self, name):
            if self.seen == self.after:
                raise KeyboardInterrupt
            return name

        def end(self, task, snapshot):
            self.seen += 1
            return False

    progress, outcome = fit_pack(
        Problem(pack, X, y, None, 0.0), state, members, settings, Interrupt(3)
    )
    assert outcome.interrupted and (progress.n_iter == 3).all()
    assert (progress.best_epoch >= 1).all()
    state = _start(pack, np.float64, [0, 1], settings)
    with pytest.raises(KeyboardInterrupt):
        fit_pack(Problem(pack, X, y, None, 0.0), state, members, settings, Interrupt(0))


def test_weighted_rows_and_unequal_members():
    X, y = _data()
    rng = np.random.RandomState(0)
    weight = rng.uniform(0, 2, size=240)
    rows = [
        (np.arange(0, 200), np.arange(200, 240)),
        (np.arange(30, 240), np.arange(30)),
    ]
    settings = _settings(max_iter=4)
    pack = _network(2)
    state = _start(pack, np.float64, [0, 1], settings)
    members = Members(
        [r[0] for r in rows], [r[1] for r in rows], [np.random.RandomState(0)] * 2
    )
    progress, _ = fit_pack(Problem(pack, X, y, weight, 0.0), state, members, settings)
    assert (progress.n_iter == 4).all() and np.isfinite(progress.best_loss).all()
    assert progress.best_raw.shape == (2, 40, 2)
