import numpy as np
import pytest
from scipy.special import expit, logsumexp, softmax
from sklearn.metrics import log_loss, mean_poisson_deviance, mean_squared_error

from skdeep.nn.losses import (
    LOSSES,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    PinballLoss,
    PoissonDeviance,
    SquaredError,
)
from skdeep.utils import finite_difference_gradient, relative_error


def _problem(name, rng, n=9, k=4):
    """Raw scores and targets in the loss's format."""
    if name == "log_loss":
        return rng.normal(scale=2.0, size=(n, k)), rng.randint(0, k, size=n)
    raw = rng.normal(scale=1.0, size=(n, k))
    if name == "binary_log_loss":
        return raw, rng.randint(0, 2, size=raw.shape).astype(float)
    if name == "poisson":
        return raw, rng.poisson(2.0, size=raw.shape).astype(float)
    return raw, rng.normal(size=raw.shape)


def test_registry_names_match_the_losses():
    assert set(LOSSES) == {
        "log_loss",
        "binary_log_loss",
        "squared_error",
        "poisson",
        "quantile",
    }
    for name, loss in LOSSES.items():
        assert loss.name == name


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_finite_differences(name, weighted):
    loss = LOSSES[name]()
    rng = np.random.RandomState(0)
    raw, target = _problem(name, rng)
    weight = rng.uniform(0, 2, size=raw.shape[0]) if weighted else 1 / raw.shape[0]

    grad = raw.copy()
    loss.loss_gradient(grad, target, weight)
    numeric = finite_difference_gradient(
        lambda z: loss.loss_gradient(z.copy(), target, weight), raw.copy()
    )
    assert relative_error(grad, numeric) < 1e-7


# The pinball loss has no canonical link: its gradient is [z > y] - q.
@pytest.mark.parametrize("name", sorted(set(LOSSES) - {"quantile"}))
def test_gradient_is_weight_times_prediction_minus_target(name):
    # The canonical link makes d(loss)/d(raw) = weight * (link(raw) - target).
    loss = LOSSES[name]()
    rng = np.random.RandomState(2)
    raw, target = _problem(name, rng)
    weight = rng.uniform(0.1, 1, size=raw.shape[0])
    grad = raw.copy()
    loss.loss_gradient(grad, target, weight)
    prediction = raw.copy()
    loss.link(prediction)
    if name == "log_loss":
        target = np.eye(raw.shape[1])[target]
    np.testing.assert_allclose(grad, weight[:, None] * (prediction - target))


def test_values_match_sklearn_metrics():
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
    # squared error: half the MSE per output, summed over outputs
    raw, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    value = SquaredError().loss_gradient(raw.copy(), y, sw / sw.sum())
    expected = 3 * 0.5 * mean_squared_error(y, raw, sample_weight=sw)
    assert value == pytest.approx(expected, rel=1e-12)
    # poisson: half the mean deviance (one output)
    raw, y = rng.normal(size=(50, 1)), rng.poisson(2.0, size=(50, 1)).astype(float)
    value = PoissonDeviance().loss_gradient(raw.copy(), y, sw / sw.sum())
    expected = 0.5 * mean_poisson_deviance(y[:, 0], np.exp(raw[:, 0]), sample_weight=sw)
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_pinball_loss_is_sklearns(q):
    from sklearn.metrics import mean_pinball_loss

    rng = np.random.RandomState(0)
    raw, y = rng.normal(size=(50, 1)), rng.normal(size=(50, 1))
    sw = rng.uniform(0.1, 3, size=50)
    value = PinballLoss(q).loss_gradient(raw.copy(), y, sw / sw.sum())
    expected = mean_pinball_loss(y, raw, alpha=q, sample_weight=sw)
    assert value == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="quantile must be in"):
        PinballLoss(1.0)


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


def test_poisson_overflow_is_an_infinite_loss_not_a_warning():
    raw = np.array([[1e4]])
    with np.errstate(over="ignore"):
        value = PoissonDeviance().loss_gradient(raw, np.array([[1.0]]), 1.0)
    assert value == np.inf


def test_links_are_stable():
    rng = np.random.RandomState(0)
    raw = rng.normal(scale=300, size=(20, 5))
    proba = raw.copy()
    CategoricalCrossEntropy().link(proba)
    np.testing.assert_allclose(proba, softmax(raw, axis=1), atol=1e-15)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)

    raw = np.array([[-800.0], [0.0], [800.0]])
    proba = raw.copy()
    BinaryCrossEntropy().link(proba)
    np.testing.assert_array_equal(proba, expit(raw))
    np.testing.assert_array_equal(proba[:, 0], [0.0, 0.5, 1.0])

    raw = np.array([[0.0, np.log(3.0)]])
    same = raw.copy()
    SquaredError().link(same)
    np.testing.assert_array_equal(same, raw)
    PoissonDeviance().link(raw)
    np.testing.assert_allclose(raw, [[1.0, 3.0]])


# -- label smoothing -------------------------------------------------------------
def _torch_cross_entropy(raw, target, eps):
    """PyTorch's CrossEntropyLoss(label_smoothing=eps), per sample, written out:
    (1 - eps) * NLL + eps * mean over classes of -log p_k."""
    log_p = raw - logsumexp(raw, axis=1, keepdims=True)
    nll = -log_p[np.arange(len(target)), target]
    return (1 - eps) * nll + eps * (-log_p.mean(axis=1))


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.5])
def test_categorical_label_smoothing_is_pytorchs(eps):
    rng = np.random.RandomState(3)
    raw, target = _problem("log_loss", rng, n=11, k=5)
    weight = rng.uniform(0.1, 2, size=11)
    expected = float(weight @ _torch_cross_entropy(raw, target, eps))
    work = raw.copy()
    loss = CategoricalCrossEntropy(label_smoothing=eps).loss_gradient(
        work, target, weight
    )
    assert loss == pytest.approx(expected, rel=1e-12)
    q = np.full_like(raw, eps / 5)
    q[np.arange(11), target] += 1 - eps
    np.testing.assert_allclose(work, weight[:, None] * (softmax(raw, axis=1) - q))


@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_binary_label_smoothing_is_the_two_class_case(eps):
    # A sigmoid on z is a softmax on (0, z): smoothing a binary target must
    # give PyTorch's two-class loss, per label for multilabel targets.
    rng = np.random.RandomState(4)
    raw = rng.normal(scale=2, size=(8, 3))
    target = rng.randint(0, 2, size=(8, 3)).astype(float)
    expected = sum(
        _torch_cross_entropy(
            np.column_stack([np.zeros(8), raw[:, j]]), target[:, j].astype(int), eps
        ).sum()
        for j in range(3)
    )
    work = raw.copy()
    loss = BinaryCrossEntropy(label_smoothing=eps).loss_gradient(work, target, 1.0)
    assert loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(work, expit(raw) - (target * (1 - eps) + eps / 2))


@pytest.mark.parametrize("cls", [BinaryCrossEntropy, CategoricalCrossEntropy])
def test_smoothed_gradient_matches_finite_differences(cls):
    rng = np.random.RandomState(5)
    raw, target = _problem(cls.name, rng)
    loss = cls(label_smoothing=0.2)
    weight = rng.uniform(0, 2, size=raw.shape[0])
    analytic = raw.copy()
    loss.loss_gradient(analytic, target, weight)
    numeric = finite_difference_gradient(
        lambda r: loss.loss_gradient(r.copy(), target, weight), raw.copy()
    )
    assert relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("eps", [-0.1, 1.0])
def test_label_smoothing_out_of_range_is_an_error(eps):
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\)"):
        CategoricalCrossEntropy(label_smoothing=eps)


def test_label_smoothing_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(6)
    raw, target = _problem("log_loss", rng, n=10, k=4)
    expected = torch.nn.CrossEntropyLoss(label_smoothing=0.1)(
        torch.tensor(raw), torch.tensor(target)
    ).item()
    loss = CategoricalCrossEntropy(0.1).loss_gradient(raw.copy(), target, 1 / 10)
    assert loss == pytest.approx(expected, rel=1e-12)
