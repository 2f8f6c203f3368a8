"""The Optimizer protocol's learning rate: one float, or one rate per parameter."""

import numpy as np
import pytest

from skdeep.optim import OPTIMIZERS, SGD, Adam, RMSprop
from skdeep.optim._base import CHUNK, is_per_parameter

# Every rule of the registry, plus non-default hyperparameters that take
# other branches (classical momentum, RealMLP's beta_2).
RULES = [cls() for cls in OPTIMIZERS.values()] + [
    SGD(momentum=0.5, nesterov=False),
    Adam(beta_1=0.8, beta_2=0.95),
    RMSprop(beta=0.9),
]

# Crosses a chunk boundary, so the vector is sliced per chunk.
N_PARAMS = CHUNK + 1000


def _run(rule, params, grads_per_step, rates_per_step):
    params = params.copy()
    state = rule.init(params)
    for grads, rate in zip(grads_per_step, rates_per_step, strict=True):
        rule.update(params, grads.copy(), state, rate)
    return params, state


def _problem(n_params, n_steps, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    params = rng.normal(size=n_params).astype(dtype)
    grads = [rng.normal(size=n_params).astype(dtype) for _ in range(n_steps)]
    return params, grads


def test_is_per_parameter():
    params = np.zeros(3)
    assert is_per_parameter(np.full(3, 0.1), params)
    assert not is_per_parameter(0.1, params)
    assert not is_per_parameter(np.float64(0.1), params)
    assert not is_per_parameter(np.array(0.1), params)  # 0-d: a scalar
    with pytest.raises(ValueError, match="shape"):
        is_per_parameter(np.ones(4), params)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_equal_rates_are_the_float_path_bit_for_bit(rule):
    params, grads = _problem(N_PARAMS, 8)
    # irregular rates, as a schedule makes them, so that rounding shows
    rates = list(np.random.default_rng(1).uniform(1e-3, 1e-1, size=8))
    expected, expected_state = _run(rule, params, grads, rates)
    vectors = [np.full(N_PARAMS, rate) for rate in rates]
    got, state = _run(rule, params, grads, vectors)
    np.testing.assert_array_equal(got, expected)
    for name, value in vars(expected_state).items():
        np.testing.assert_array_equal(getattr(state, name), value)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_two_rates_are_two_separate_runs(rule):
    # The vector gives the first `split` parameters one rate and the rest
    # another; each piece must move as a float-rate run on that piece alone.
    split = CHUNK - 100  # the second piece straddles the chunk boundary
    params, grads = _problem(N_PARAMS, 6)
    rates = [(0.01, 0.1), (0.02, 0.05), (0.005, 0.2)] * 2
    vectors = [np.r_[np.full(split, a), np.full(N_PARAMS - split, b)] for a, b in rates]
    got, _ = _run(rule, params, grads, vectors)
    first, _ = _run(
        rule, params[:split], [g[:split] for g in grads], [a for a, _ in rates]
    )
    second, _ = _run(
        rule, params[split:], [g[split:] for g in grads], [b for _, b in rates]
    )
    np.testing.assert_array_equal(got[:split], first)
    np.testing.assert_array_equal(got[split:], second)
    assert not np.array_equal(first, params[:split])


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_a_zero_rate_freezes_its_parameters(rule):
    params, grads = _problem(20, 4)
    rates = np.r_[np.zeros(5), np.full(15, 0.01)]
    got, _ = _run(rule, params, grads, [rates] * 4)
    np.testing.assert_array_equal(got[:5], params[:5])
    assert np.all(got[5:] != params[5:])


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_float32_rates_stay_in_float32(rule):
    params, grads = _problem(300, 4, dtype=np.float32)
    expected, _ = _run(rule, params, grads, [0.01] * 4)
    got, state = _run(rule, params, grads, [np.full(300, 0.01, np.float32)] * 4)
    assert got.dtype == np.float32
    assert all(
        value.dtype == np.float32
        for value in vars(state).values()
        if isinstance(value, np.ndarray)
    )
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_a_rate_vector_of_the_wrong_shape_is_refused(rule):
    params = np.zeros(4)
    state = rule.init(params)
    with pytest.raises(ValueError, match="shape"):
        rule.update(params, np.ones(4), state, np.full(3, 0.1))
