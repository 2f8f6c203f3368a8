"""Hidden-layer activations, each written next to its derivative.

Conventions
-----------
``forward(z)`` overwrites the pre-activation ``z`` with ``a = f(z)``.
``derivative(a, delta)`` multiplies ``delta`` in place by ``f'(z)``, expressed
through the *output* ``a`` so that the network never has to keep ``z``. It may
overwrite ``a``: back-propagation calls it once, after the last use of ``a``,
which is what lets the hot loop run without scratch buffers.

An activation whose derivative cannot be written through its output (GELU)
sets ``needs_preactivation``: the network then keeps a copy of ``z`` and
passes it to ``derivative`` instead of ``a``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

__all__ = ["ACTIVATIONS", "Activation", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """An element-wise activation and its derivative, both in place.

    Parameters
    ----------
    name : str
        Registry name, as accepted by the estimators' ``activation`` parameter.
    forward : callable
        ``forward(z) -> None``; replaces ``z`` by ``f(z)``.
    derivative : callable
        ``derivative(a, delta) -> None``; multiplies ``delta`` by ``f'(z)``
        given ``a = f(z)`` (or given ``z`` itself when
        ``needs_preactivation``). May overwrite its first argument.
    needs_preactivation : bool, default=False
        Whether ``derivative`` needs ``z`` rather than ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import get_activation
    >>> relu = get_activation("relu")
    >>> z = np.array([[-1.0, 2.0]])
    >>> relu.forward(z); z
    array([[0., 2.]])
    >>> delta = np.ones_like(z)
    >>> relu.derivative(z, delta); delta
    array([[0., 1.]])
    """

    name: str
    forward: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None]
    needs_preactivation: bool = False


# identity: f(z) = z, f'(z) = 1
def _identity(z: np.ndarray) -> None:
    pass


def _identity_derivative(a: np.ndarray, delta: np.ndarray) -> None:
    pass


# logistic: f(z) = 1 / (1 + exp(-z)), f'(z) = a (1 - a)
def _logistic(z: np.ndarray) -> None:
    # expit is stable for any finite z (no overflow warning in exp).
    expit(z, out=z)


def _logistic_derivative(a: np.ndarray, delta: np.ndarray) -> None:
    delta *= a
    np.subtract(1, a, out=a)
    delta *= a


# tanh: f(z) = tanh(z), f'(z) = 1 - a^2
def _tanh(z: np.ndarray) -> None:
    np.tanh(z, out=z)


def _tanh_derivative(a: np.ndarray, delta: np.ndarray) -> None:
    np.square(a, out=a)
    np.subtract(1, a, out=a)
    delta *= a


# relu: f(z) = max(z, 0), f'(z) = 1 if z > 0 else 0 (and a > 0 iff z > 0)
def _relu(z: np.ndarray) -> None:
    np.maximum(z, 0, out=z)


def _relu_derivative(a: np.ndarray, delta: np.ndarray) -> None:
    np.greater(a, 0, out=a)
    delta *= a


# leaky_relu: f(z) = z if z > 0 else 0.01 z; f'(z) = 1 or 0.01, and a > 0 iff z > 0
LEAKY_SLOPE = 0.01


def _leaky_relu(z: np.ndarray) -> None:
    # max(z, 0.01 z) is z for z > 0 and 0.01 z otherwise.
    np.maximum(z, LEAKY_SLOPE * z, out=z)


def _leaky_relu_derivative(a: np.ndarray, delta: np.ndarray) -> None:
    # f'(z) = 0.01 + 0.99 [a > 0]
    np.greater(a, 0, out=a)
    a *= 1 - LEAKY_SLOPE
    a += LEAKY_SLOPE
    delta *= a


# elu: f(z) = z if z > 0 else exp(z) - 1; f'(z) = 1 if z > 0 else a + 1
def _elu(z: np.ndarray) -> None:
    # expm1 of min(z, 0) never overflows, and is exact near 0.
    negative = np.minimum(z, 0)
    np.expm1(negative, out=negative)
    np.maximum(z, 0, out=z)
    z += negative


def _elu_derivative(a: np.ndarray, delta: np.ndarray) -> None:
    # a + 1 for a <= 0, 1 for a > 0: that is min(a, 0) + 1.
    np.minimum(a, 0, out=a)
    a += 1
    delta *= a


# gelu: f(z) = z Phi(z), f'(z) = Phi(z) + z phi(z), with Phi the normal CDF
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _gelu(z: np.ndarray) -> None:
    # ndtr is the normal CDF, accurate in both tails (exact GELU, not the
    # tanh approximation).
    z *= ndtr(z)


def _gelu_derivative(z: np.ndarray, delta: np.ndarray) -> None:
    cdf = ndtr(z)
    # z phi(z) = z exp(-z^2 / 2) / sqrt(2 pi); exp underflows to 0 (and
    # z^2 may overflow to inf) far in the tails, both giving the right 0.
    with np.errstate(over="ignore", under="ignore"):
        density = np.exp(-0.5 * np.square(z))
    density *= z
    density *= _INV_SQRT_2PI
    cdf += density
    delta *= cdf


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("identity", _identity, _identity_derivative),
        Activation("logistic", _logistic, _logistic_derivative),
        Activation("tanh", _tanh, _tanh_derivative),
        Activation("relu", _relu, _relu_derivative),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative),
        Activation("elu", _elu, _elu_derivative),
        Activation("gelu", _gelu, _gelu_derivative, needs_preactivation=True),
    )
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`ACTIVATIONS`.

    Returns
    -------
    activation : Activation
        The activation with its in-place forward and derivative.

    Examples
    --------
    >>> from skdeep.nn import get_activation
    >>> get_activation("gelu").needs_preactivation
    True
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}."
        ) from None
