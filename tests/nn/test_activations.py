import numpy as np
import pytest

from skdeep.nn.activations import ACTIVATIONS, get_activation
from skdeep.utils import finite_difference_gradient, relative_error


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    act = get_activation(name)
    rng = np.random.RandomState(0)
    # Away from relu's kink at 0, where the derivative is not defined.
    z = rng.uniform(0.1, 2.0, size=(7, 5)) * rng.choice([-1, 1], size=(7, 5))
    delta = rng.normal(size=z.shape)

    a = z.copy()
    kept = tuple(np.empty_like(z) for _ in range(act.kept))
    act.train(a, kept)
    analytic = delta.copy()
    act.backward(a, kept, analytic)

    def objective(v):
        out = v.copy()
        act.forward(out)
        return float(np.sum(out * delta))

    numeric = finite_difference_gradient(objective, z.copy())
    assert relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_training_and_inference_outputs_are_the_same(name):
    act = get_activation(name)
    z = np.random.RandomState(0).normal(scale=3, size=(6, 4))
    inference, training = z.copy(), z.copy()
    act.forward(inference)
    act.train(training, tuple(np.empty_like(z) for _ in range(act.kept)))
    np.testing.assert_array_equal(training, inference)


@pytest.mark.parametrize(
    "name, reference",
    [
        ("identity", lambda z: z),
        ("logistic", lambda z: 1 / (1 + np.exp(-z))),
        ("tanh", np.tanh),
        ("relu", lambda z: np.maximum(z, 0)),
    ],
)
def test_forward_values(name, reference):
    z = np.linspace(-5, 5, 21).reshape(3, 7)
    out = z.copy()
    get_activation(name).forward(out)
    np.testing.assert_allclose(out, reference(z), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_activation_is_stable_at_the_extremes(name, dtype):
    act = get_activation(name)
    big = np.finfo(dtype).max / 4
    z = np.array([[-big, -1e4, -30.0, -1e-30, 0.0, 1e-30, 30.0, 1e4, big]], dtype)
    a = z.copy()
    kept = tuple(np.empty_like(z) for _ in range(act.kept))
    act.train(a, kept)  # warnings are errors in the test run
    assert a.dtype == dtype and np.isfinite(a).all()
    delta = np.ones_like(z)
    act.backward(a, kept, delta)
    assert np.isfinite(delta).all()
    # All slopes are in [-0.17, 1.13], but SELU's, up to lambda alpha = 1.758.
    assert (delta >= -0.2).all() and (delta <= 1.76).all()


@pytest.mark.parametrize(
    "name, reference",
    [
        ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z)),
        ("elu", lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1)),
        (
            "gelu",
            lambda z: z * 0.5 * (1 + __import__("scipy").special.erf(z / np.sqrt(2))),
        ),
        # PyTorch's torch.nn.SELU and torch.nn.Mish, written out.
        (
            "selu",
            lambda z: (
                1.0507009873554805
                * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0)))
            ),
        ),
        ("mish", lambda z: z * np.tanh(np.log1p(np.exp(z)))),
    ],
)
def test_new_activation_values(name, reference):
    z = np.linspace(-6, 6, 25).reshape(5, 5)
    out = z.copy()
    get_activation(name).forward(out)
    np.testing.assert_allclose(out, reference(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_is_stable_at_extremes(dtype):
    z = np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]], dtype=dtype)
    get_activation("logistic").forward(z)
    assert z.dtype == dtype
    np.testing.assert_allclose(z, [[0, 0, 0.5, 1, 1]], atol=1e-30)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown activation 'swish'"):
        get_activation("swish")


def test_float32_gelu_is_exact_to_float32_precision():
    # float32 has its own normal CDF (Mills' ratio polynomial); compare its
    # value, CDF and slope with float64's scipy.special.ndtr on a dense grid.
    from scipy.special import ndtr

    act = get_activation("gelu")
    z32 = np.linspace(-13, 13, 400_001, dtype=np.float32).reshape(1, -1)
    out = z32.copy()
    cdf, slope = (np.empty_like(z32) for _ in range(act.kept))
    act.train(out, (cdf, slope))
    z = z32.astype(np.float64)
    ref_cdf = ndtr(z)
    ref_slope = ref_cdf + z * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    assert out.dtype == cdf.dtype == slope.dtype == np.float32
    # Within 3e-7 (2.5 float32 epsilons) of values of order one ...
    assert np.abs(cdf - ref_cdf).max() < 3e-7
    assert np.abs(slope - ref_slope).max() < 3e-7
    error = np.abs(out - z * ref_cdf) / np.maximum(np.abs(z * ref_cdf), 1)
    assert error.max() < 3e-7
    # ... and, unlike 0.5 (1 + erf(z / sqrt 2)), accurate in the left tail.
    assert (np.abs(cdf - ref_cdf) / ref_cdf).max() < 1e-5
    # Inference computes the same values.
    inference = z32.copy()
    act.forward(inference)
    np.testing.assert_array_equal(inference, out)


@pytest.mark.parametrize("name", ["selu", "mish"])
def test_float32_slopes_match_float64(name):
    act = get_activation(name)
    z = np.linspace(-12, 12, 2001).reshape(1, -1)
    slopes = {}
    for dtype in (np.float32, np.float64):
        a = z.astype(dtype)
        kept = tuple(np.empty_like(a) for _ in range(act.kept))
        act.train(a, kept)
        delta = np.ones_like(a)
        act.backward(a, kept, delta)
        assert delta.dtype == dtype
        slopes[dtype] = delta.astype(np.float64)
    np.testing.assert_allclose(slopes[np.float32], slopes[np.float64], atol=1e-6)


def test_selu_keeps_zero_mean_unit_variance():
    # The fixed point SELU's constants were chosen for (Klambauer et al. 2017).
    z = np.random.RandomState(0).normal(size=(1, 2_000_000))
    get_activation("selu").forward(z)
    assert abs(z.mean()) < 3e-3 and abs(z.var() - 1) < 3e-3
