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
    act.forward(a)
    analytic = delta.copy()
    act.derivative((z if act.needs_preactivation else a).copy(), analytic)

    def objective(v):
        out = v.copy()
        act.forward(out)
        return float(np.sum(out * delta))

    numeric = finite_difference_gradient(objective, z.copy())
    assert relative_error(analytic, numeric) < 1e-7


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
    act.forward(a)  # warnings are errors in the test run
    assert a.dtype == dtype and np.isfinite(a).all()
    delta = np.ones_like(z)
    act.derivative((z if act.needs_preactivation else a).copy(), delta)
    assert np.isfinite(delta).all()
    assert (delta >= -0.2).all() and (delta <= 1.2).all()  # all slopes in [-0.17, 1.13]


@pytest.mark.parametrize(
    "name, reference",
    [
        ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z)),
        ("elu", lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1)),
        (
            "gelu",
            lambda z: z * 0.5 * (1 + __import__("scipy").special.erf(z / np.sqrt(2))),
        ),
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
