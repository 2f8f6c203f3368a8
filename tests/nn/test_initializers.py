import numpy as np
import pytest

from skdeep.nn.initializers import glorot_uniform_sklearn, zeros


@pytest.mark.parametrize("activation, factor", [("relu", 6.0), ("logistic", 2.0)])
def test_glorot_uniform_bounds_and_variance(activation, factor):
    coef, bias = glorot_uniform_sklearn(
        np.random.RandomState(0), 300, 200, activation, np.float64
    )
    bound = np.sqrt(factor / 500)
    assert coef.shape == (300, 200) and bias.shape == (200,)
    assert np.abs(coef).max() <= bound
    # Var U(-b, b) = b^2 / 3
    assert coef.var() == pytest.approx(bound**2 / 3, rel=0.02)


def test_initializers_are_seeded_and_typed():
    a = glorot_uniform_sklearn(np.random.RandomState(1), 5, 4, "relu", np.float32)
    b = glorot_uniform_sklearn(np.random.RandomState(1), 5, 4, "relu", np.float32)
    assert a[0].dtype == np.float32
    np.testing.assert_array_equal(a[0], b[0])
    c, d = zeros(None, 3, 2, "identity", np.float32)
    assert c.dtype == np.float32 and not c.any() and not d.any()
