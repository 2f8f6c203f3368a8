"""A pack of k members computes what k separate networks compute."""

import numpy as np
import pytest

from skdeep.nn import (
    ACTIVATIONS,
    CategoryEmbedding,
    FrontScale,
    Network,
    PeriodicEmbedding,
)
from skdeep.nn.layers import EMBEDDINGS
from skdeep.utils import finite_difference_gradient, relative_error

K, N, F = 3, 9, 5

# name -> Network keyword arguments, given n_members (None: a single network)
KINDS = {
    "plain": lambda k: {},
    "dropout": lambda k: {"dropout": 0.3},
    "batch_norm": lambda k: {"batch_norm": True},
    "front_scale": lambda k: {"input_layers": [FrontScale(F, n_members=k)]},
    "pbld": lambda k: {
        "input_layers": [PeriodicEmbedding(F, **EMBEDDINGS["pbld"], n_members=k)]
    },
    "periodic": lambda k: {
        "input_layers": [PeriodicEmbedding(F, n_frequencies=3, n_units=2, n_members=k)]
    },
    "categories": lambda k: {
        "input_layers": [
            CategoryEmbedding(F, [1, 3], [4, 3], n_units=2, n_members=k),
            FrontScale(F - 2 + 4, n_members=k),
        ]
    },
}
TARGETS = {
    "log_loss": lambda rng, shape: rng.randint(0, 3, size=shape),
    "binary_log_loss": lambda rng, shape: rng.randint(0, 2, (*shape, 3)).astype(float),
    "squared_error": lambda rng, shape: rng.normal(size=(*shape, 3)),
}


def _data(rng, loss, dtype):
    X = rng.normal(size=(K, N, F))
    X[:, :, 1] = rng.randint(0, 4, (K, N))  # codes, for the category kinds
    X[:, :, 3] = rng.randint(0, 3, (K, N))
    return X.astype(dtype), TARGETS[loss](rng, (K, N))


def _networks(kind, loss, activation="tanh"):
    units = [F, 6, 4, 3]
    pack = Network(units, activation, loss, n_members=K, **KINDS[kind](K))
    singles = [Network(units, activation, loss, **KINDS[kind](None)) for _ in range(K)]
    seeds = [11, 22, 33]
    pack.set_dropout_seed(seeds)
    for net, seed in zip(singles, seeds, strict=True):
        net.set_dropout_seed(seed)
    return pack, singles


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("loss", sorted(TARGETS))
def test_a_pack_computes_what_its_members_compute(kind, loss, dtype):
    rng = np.random.RandomState(0)
    pack, singles = _networks(kind, loss)
    X, target = _data(rng, loss, dtype)
    weight = rng.uniform(0.1, 1.0, size=(K, N)).astype(dtype)
    sources = [np.random.RandomState(s) for s in range(K)]
    params = pack.init_params(sources, dtype, "lecun_normal")
    grads = pack.unpack(np.empty(pack.n_params, dtype))
    total = pack.loss_gradient(
        params, grads, X, target, weight, 0.1, pack.workspace(N, dtype), 5
    )
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    expected_total = 0.0
    for m, net in enumerate(singles):
        single = net.init_params(np.random.RandomState(m), dtype, "lecun_normal")
        member = pack.member_rows(params.flat)[m]
        np.testing.assert_array_equal(member, single.flat)  # the same start
        g = net.unpack(np.empty(net.n_params, dtype))
        expected_total += net.loss_gradient(
            single, g, X[m], target[m], weight[m], 0.1, net.workspace(N, dtype), 5
        )
        np.testing.assert_allclose(
            pack.member_rows(grads.flat)[m], g.flat, rtol=rtol, atol=rtol
        )
    assert total == pytest.approx(expected_total, rel=rtol)
    # Inference: rows shared by every member, or each member's own.
    stats = pack.init_stats(dtype)
    shared = pack.predict_raw(params, X[0], chunk_rows=4, stats=stats)
    own = pack.predict_raw(params, X, stats=stats)
    for m, net in enumerate(singles):
        single = net.unpack(pack.member_rows(params.flat)[m].copy())
        expected = net.predict_raw(single, X[0], stats=net.init_stats(dtype))
        np.testing.assert_allclose(shared[m], expected, rtol=rtol, atol=rtol)
        expected = net.predict_raw(single, X[m], stats=net.init_stats(dtype))
        np.testing.assert_allclose(own[m], expected, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("activation", ["relu", "selu", "mish", "gelu"])
def test_pack_gradient_matches_finite_differences(kind, activation):
    assert activation in ACTIVATIONS
    rng = np.random.RandomState(1)
    pack, _ = _networks(kind, "log_loss", activation)
    X, target = _data(rng, "log_loss", np.float64)
    weight = rng.uniform(0.1, 1.0, size=(K, N))
    weight /= weight.sum(axis=1, keepdims=True)  # batch norm's weights sum to 1
    l2 = np.array([0.0, 0.2, 0.5]).reshape(K, 1, 1)  # one strength per member
    params = pack.init_params(rng, np.float64)
    grads = pack.unpack(np.empty(pack.n_params))
    workspace = pack.workspace(N, np.float64)
    pack.loss_gradient(params, grads, X, target, weight, l2, workspace, 3)

    def objective(flat):
        fixed = pack.unpack(flat)
        scratch = pack.unpack(np.empty_like(flat))
        # dropout_step=None: the masks of step 3, drawn above, are reused.
        return pack.loss_gradient(fixed, scratch, X, target, weight, l2, workspace)

    numeric = finite_difference_gradient(objective, params.flat.copy())
    assert relative_error(grads.flat, numeric) < 1e-6


def test_members_taken_out_of_a_pack_keep_their_weights_and_masks():
    rng = np.random.RandomState(2)
    pack = Network([F, 6, 2], "relu", "log_loss", dropout=0.4, n_members=4)
    pack.set_dropout_seed([5, 6, 7, 8])
    params = pack.init_params(rng, np.float64)
    kept = [3, 1]
    small = pack.subset(kept)
    small_params = small.unpack(pack.vectors.take_members(params.flat, kept))
    X = rng.normal(size=(4, N, F))
    target = rng.randint(0, 2, size=(4, N))
    full_grads = pack.unpack(np.empty(pack.n_params))
    small_grads = small.unpack(np.empty(small.n_params))
    pack.loss_gradient(
        params, full_grads, X, target, 1 / N, 0.0, pack.workspace(N, float), 9
    )
    small.loss_gradient(
        small_params,
        small_grads,
        X[kept],
        target[kept],
        1 / N,
        0.0,
        small.workspace(N, float),
        9,
    )
    np.testing.assert_array_equal(
        small.member_rows(small_grads.flat), pack.member_rows(full_grads.flat)[kept]
    )


def test_per_member_dropout_rates():
    pack = Network([F, 200, 1], "relu", "binary_log_loss", n_members=3,
                   dropout=np.array([[0.0], [0.25], [0.5]]))  # fmt: skip
    params = pack.init_params(np.random.RandomState(0), np.float64)
    X = np.random.RandomState(1).normal(size=(3, 500, F))
    workspace = pack.workspace(500, np.float64)
    pack.forward(params, X, workspace, training=True, dropout_step=0)
    mask = next(
        c.buffers.mask for c in workspace.contexts if hasattr(c.buffers, "mask")
    )
    dropped = (mask == 0).mean(axis=(1, 2))
    np.testing.assert_allclose(dropped, [0.0, 0.25, 0.5], atol=0.01)


def test_bad_pack_settings_are_clear():
    with pytest.raises(ValueError, match="n_members must be at least 1"):
        Network([2, 1], n_members=0)
    with pytest.raises(ValueError, match="input layers must have"):
        Network([2, 1], input_layers=[FrontScale(2)], n_members=2)
    with pytest.raises(ValueError, match="Per-member dropout rates"):
        Network([2, 3, 1], dropout=np.zeros((3, 1)), n_members=2)
    with pytest.raises(ValueError, match="3 random sources for 2 members"):
        Network([2, 1], n_members=2).init_params([np.random.RandomState()] * 3, float)
