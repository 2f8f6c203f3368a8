import numpy as np
import pytest
from sklearn.metrics import log_loss

from skdeep.nn.losses import BinaryCrossEntropy, CategoricalCrossEntropy
from skdeep.utils import finite_difference_gradient, relative_error


def _problem(loss, rng, n=9, k=4):
    raw = rng.normal(
        scale=2.0, size=(n, 1 if isinstance(loss, BinaryCrossEntropy) else k)
    )
    if isinstance(loss, BinaryCrossEntropy):
        target = rng.randint(0, 2, size=raw.shape).astype(float)
    else:
        target = rng.randint(0, k, size=n)
    return raw, target


@pytest.mark.parametrize("loss", [BinaryCrossEntropy(), CategoricalCrossEntropy()])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_finite_differences(loss, weighted):
    rng = np.random.RandomState(0)
    raw, target = _problem(loss, rng)
    weight = rng.uniform(0, 2, size=raw.shape[0]) if weighted else 1 / raw.shape[0]

    grad = raw.copy()
    loss.loss_gradient(grad, target, weight)
    numeric = finite_difference_gradient(
        lambda z: loss.loss_gradient(z.copy(), target, weight), raw.copy()
    )
    assert relative_error(grad, numeric) < 1e-7


def test_multilabel_binary_cross_entropy_gradient():
    rng = np.random.RandomState(1)
    raw = rng.normal(size=(6, 3))
    target = rng.randint(0, 2, size=(6, 3)).astype(float)
    loss = BinaryCrossEntropy()
    grad = raw.copy()
    loss.loss_gradient(grad, target, 0.5)
    numeric = finite_difference_gradient(
        lambda z: loss.loss_gradient(z.copy(), target, 0.5), raw.copy()
    )
    assert relative_error(grad, numeric) < 1e-7


def test_values_match_sklearn_log_loss():
    rng = np.random.RandomState(0)
    sw = rng.uniform(0.1, 3, size=50)
    # multiclass
    raw = rng.normal(size=(50, 4))
    codes = rng.randint(0, 4, size=50)
    proba = raw.copy()
    CategoricalCrossEntropy().link(proba)
    value = CategoricalCrossEntropy().loss_gradient(raw.copy(), codes, sw / sw.sum())
    expected = log_loss(codes, proba, sample_weight=sw, labels=range(4))
    assert value == pytest.approx(expected, rel=1e-12)
    # binary
    raw = rng.normal(size=(50, 1))
    t = rng.randint(0, 2, size=50)
    value = BinaryCrossEntropy().loss_gradient(raw.copy(), t[:, None] * 1.0, 1 / 50)
    p = 1 / (1 + np.exp(-raw[:, 0]))
    assert value == pytest.approx(log_loss(t, p), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_are_finite_for_huge_raw_scores(dtype):
    raw = np.array([[1e30, -1e30, 0.0], [-3e4, 3e4, 1.0]], dtype=dtype)
    codes = np.array([1, 0])
    grad = raw.copy()
    value = CategoricalCrossEntropy().loss_gradient(grad, codes, 0.5)
    assert np.isfinite(value) and np.isfinite(grad).all()
    # The wrong class was predicted with certainty: loss ~ the score gap.
    assert value == pytest.approx(0.5 * (2e30 + 6e4), rel=1e-3)

    braw = np.array([[1e30], [-1e30], [50.0]], dtype=dtype)
    t = np.array([[0.0], [1.0], [1.0]], dtype=dtype)
    bgrad = braw.copy()
    bvalue = BinaryCrossEntropy().loss_gradient(bgrad, t, 1.0)
    assert np.isfinite(bvalue) and np.isfinite(bgrad).all()
    np.testing.assert_allclose(bgrad[:, 0], [1.0, -1.0, 0.0], atol=1e-6)


def test_links_and_log_proba():
    rng = np.random.RandomState(0)
    raw = rng.normal(scale=30, size=(20, 5))
    proba = raw.copy()
    CategoricalCrossEntropy().link(proba)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    log_proba = CategoricalCrossEntropy().log_proba(raw)
    assert np.isfinite(log_proba).all()
    np.testing.assert_allclose(np.exp(log_proba), proba, atol=1e-15)

    b = BinaryCrossEntropy()
    raw = np.array([[-800.0], [0.0], [800.0]])
    assert np.isfinite(b.log_proba(raw)).all()
    np.testing.assert_allclose(b.log_proba(raw)[:, 0], [-800.0, np.log(0.5), 0.0])
