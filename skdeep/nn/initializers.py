"""Weight initialisation schemes.

Every scheme draws from the one generator it is handed, so a fixed
``random_state`` gives identical weights and nothing touches NumPy's global
random state.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "INITIALIZERS",
    "glorot_normal",
    "glorot_uniform",
    "glorot_uniform_sklearn",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "zeros",
]


def glorot_uniform_sklearn(
    rng: np.random.RandomState | np.random.Generator,
    fan_in: int,
    fan_out: int,
    activation: str,
    dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray]:
    r"""scikit-learn's ``MLPClassifier`` scheme: Glorot-uniform weights and biases.

    Parameters
    ----------
    rng : numpy.random.RandomState or numpy.random.Generator
        Source of randomness.
    fan_in, fan_out : int
        Number of inputs and outputs of the layer.
    activation : str
        Hidden activation; ``'logistic'`` uses the smaller bound.
    dtype : numpy.dtype
        Floating dtype of the returned arrays.

    Returns
    -------
    coef : ndarray of shape (fan_in, fan_out)
    intercept : ndarray of shape (fan_out,)

    Notes
    -----
    Weights and biases are drawn, in that order, from
    :math:`U(-b, b)` with

    .. math:: b = \sqrt{\frac{f}{\text{fan\_in} + \text{fan\_out}}},

    :math:`f = 2` for the logistic activation and :math:`f = 6` otherwise
    (Glorot & Bengio, 2010). Drawing in the same order from a
    ``RandomState`` as ``MLPClassifier`` does gives the same initial
    network for the same ``random_state``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.initializers import glorot_uniform_sklearn
    >>> rng = np.random.RandomState(0)
    >>> coef, bias = glorot_uniform_sklearn(rng, 4, 2, "relu", float)
    >>> coef.shape, bias.shape, bool(np.abs(coef).max() <= 1.0)
    ((4, 2), (2,), True)
    """
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    coef = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False)
    intercept = rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False)
    return coef, intercept


def zeros(
    rng: np.random.RandomState | np.random.Generator,
    fan_in: int,
    fan_out: int,
    activation: str,
    dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray]:
    """All-zero weights and biases, the classic start for a single logistic unit.

    Symmetric weights are only harmless without hidden layers (the objective
    is then convex); a hidden layer started at zero would never break the
    symmetry between its units.

    Parameters
    ----------
    rng : numpy.random.RandomState or numpy.random.Generator
        Unused; kept for a uniform signature.
    fan_in, fan_out : int
        Number of inputs and outputs of the layer.
    activation : str
        Unused.
    dtype : numpy.dtype
        Floating dtype of the returned arrays.

    Returns
    -------
    coef : ndarray of shape (fan_in, fan_out)
    intercept : ndarray of shape (fan_out,)

    Examples
    --------
    >>> from skdeep.nn.initializers import zeros
    >>> coef, bias = zeros(None, 3, 1, "identity", float)
    >>> coef.ravel(), bias
    (array([0., 0., 0.]), array([0.]))
    """
    return np.zeros((fan_in, fan_out), dtype=dtype), np.zeros(fan_out, dtype=dtype)


def _variance_scaling(fan: str, distribution: str, scale: float, doc: str):
    def init(rng, fan_in, fan_out, activation, dtype):
        n = {"in": fan_in, "avg": (fan_in + fan_out) / 2}[fan]
        variance = scale / n
        if distribution == "uniform":
            bound = np.sqrt(3.0 * variance)  # Var U(-b, b) = b^2 / 3
            coef = rng.uniform(-bound, bound, (fan_in, fan_out))
        else:
            coef = rng.normal(0.0, np.sqrt(variance), (fan_in, fan_out))
        return coef.astype(dtype, copy=False), np.zeros(fan_out, dtype=dtype)

    init.__doc__ = doc
    return init


_INIT_PARAMS = """
    Parameters
    ----------
    rng : numpy.random.RandomState or numpy.random.Generator
        Source of randomness.
    fan_in, fan_out : int
        Number of inputs and outputs of the layer.
    activation : str
        Unused; kept for a uniform signature.
    dtype : numpy.dtype
        Floating dtype of the returned arrays.

    Returns
    -------
    coef : ndarray of shape (fan_in, fan_out)
        Weights with the variance given below.
    intercept : ndarray of shape (fan_out,)
        Zeros.
"""

glorot_uniform = _variance_scaling(
    "avg",
    "uniform",
    1.0,
    "Glorot (Xavier) uniform: Var W = 2 / (fan_in + fan_out), zero biases.\n"
    + _INIT_PARAMS,
)
glorot_normal = _variance_scaling(
    "avg",
    "normal",
    1.0,
    "Glorot (Xavier) normal: W ~ N(0, 2 / (fan_in + fan_out)), zero biases.\n"
    + _INIT_PARAMS,
)
he_uniform = _variance_scaling(
    "in",
    "uniform",
    2.0,
    "He uniform: Var W = 2 / fan_in, zero biases.\n" + _INIT_PARAMS,
)
he_normal = _variance_scaling(
    "in",
    "normal",
    2.0,
    "He normal: W ~ N(0, 2 / fan_in), zero biases.\n" + _INIT_PARAMS,
)
lecun_normal = _variance_scaling(
    "in",
    "normal",
    1.0,
    "LeCun normal: W ~ N(0, 1 / fan_in), zero biases.\n" + _INIT_PARAMS,
)
for _name, _init in [
    ("glorot_uniform", glorot_uniform),
    ("glorot_normal", glorot_normal),
    ("he_uniform", he_uniform),
    ("he_normal", he_normal),
    ("lecun_normal", lecun_normal),
]:
    _init.__name__ = _init.__qualname__ = _name
    _init.__module__ = __name__
    _init.__doc__ += f"""
    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.initializers import {_name}
    >>> coef, bias = {_name}(np.random.RandomState(0), 300, 100, "relu", float)
    >>> coef.shape, bool((bias == 0).all())
    ((300, 100), True)
"""

INITIALIZERS = {
    "glorot_uniform_sklearn": glorot_uniform_sklearn,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "lecun_normal": lecun_normal,
    "zeros": zeros,
}
