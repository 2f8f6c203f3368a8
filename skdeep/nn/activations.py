"""Hidden-layer activations, each written next to its derivative.

Conventions
-----------
``forward(z)`` overwrites the pre-activation ``z`` with ``a = f(z)``.
``derivative(a, delta)`` multiplies ``delta`` in place by ``f'(z)``, expressed
through the *output* ``a`` so that the network never has to keep ``z``. It may
overwrite ``a``: back-propagation calls it once, after the last use of ``a``,
which is what lets the hot loop run without scratch buffers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

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
        given ``a = f(z)``. May overwrite ``a``.
    """

    name: str
    forward: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None]


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


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("identity", _identity, _identity_derivative),
        Activation("logistic", _logistic, _logistic_derivative),
        Activation("tanh", _tanh, _tanh_derivative),
        Activation("relu", _relu, _relu_derivative),
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
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}."
        ) from None
