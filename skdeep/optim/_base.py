"""The update-rule protocol, and the conversion of states to plain data."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "Optimizer",
    "ScaledRate",
    "copy_state",
    "state_from_dict",
    "state_to_dict",
]


class ScaledRate(NamedTuple):
    """Per-parameter step sizes kept as a scalar times fixed factors.

    ``scale * factors``, never built: an update rule multiplies its step by
    ``factors`` in the parameters' dtype and by ``scale`` as a scalar, one
    pass and no float64 vector per step, where a vector of rates needs one
    built every step (for a schedule) and two more passes to use it. The
    rounding differs from the vector path's in the last bits of float32.

    Attributes
    ----------
    scale : float
        The step's scalar rate (a schedule's value, say).
    factors : ndarray of shape (n_params,)
        Fixed per-parameter factors, in the parameters' dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import ScaledRate
    >>> rate = ScaledRate(0.1, np.array([1.0, 0.5]))
    >>> rate.vector()
    array([0.1 , 0.05])
    """

    scale: float
    factors: np.ndarray

    def vector(self) -> np.ndarray:
        """Return the rates as one vector (for the rules without a fast path)."""
        return self.factors * self.scale


#: A step size: one for all parameters, or one per parameter.
LearningRate = float | np.ndarray | ScaledRate

# An update makes ~10 passes over 3-4 arrays of the parameters' size; done in
# chunks that stay in the cache, float32 updates run 35-40% faster (measured
# for 60k-1M parameters); float64 ones, bound by sqrt and division, as fast.
CHUNK = 65536


@runtime_checkable
class Optimizer(Protocol):
    """What every stochastic update rule provides (the optax idea).

    An update rule is a frozen record of hyperparameters. ``init`` makes
    its state (moments, velocity, step count) for a parameter vector, and
    ``update`` applies one step to the flat vector in place, given its
    gradient (which it may use as scratch space) and the learning rate of
    this step. One rule can train many networks; nothing in the rule changes.

    The learning rate is a float, or an ndarray of shape ``(n_params,)``
    giving each parameter its own step size (say a base rate times a factor
    per group of parameters, a group being a slice of the flat vector). With
    a vector, each parameter moves exactly as the float path would move it
    with that parameter's rate: bit for bit for float64 parameters, to
    float32 rounding for float32 ones.

    Examples
    --------
    >>> from skdeep.optim import SGD, Adam, Optimizer
    >>> isinstance(Adam(), Optimizer), isinstance(SGD(), Optimizer)
    (True, True)
    """

    def init(self, params: np.ndarray) -> Any:
        """Return the state of a fresh run for this parameter vector."""

    def update(
        self,
        params: np.ndarray,
        grads: np.ndarray,
        state: Any,
        learning_rate: LearningRate,
    ) -> None:
        """Apply one step to ``params`` in place; update ``state`` in place.

        ``learning_rate`` is a float or an ndarray of shape ``(n_params,)``
        of per-parameter step sizes.
        """


def is_per_parameter(learning_rate: LearningRate, params: np.ndarray) -> bool:
    """Return whether a learning rate is a vector of per-parameter rates.

    Parameters
    ----------
    learning_rate : float or ndarray of shape (n_params,)
        The step size(s) given to an update rule.
    params : ndarray of shape (n_params,)
        The flat parameter vector the rates are for.

    Returns
    -------
    per_parameter : bool
        True for a vector (checked to match ``params``), False for a scalar.

    Raises
    ------
    ValueError
        If ``learning_rate`` is an array of another shape than ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim._base import is_per_parameter
    >>> is_per_parameter(0.1, np.zeros(3)), is_per_parameter(np.ones(3), np.zeros(3))
    (False, True)
    """
    if isinstance(learning_rate, ScaledRate):
        learning_rate = learning_rate.factors
    if not isinstance(learning_rate, np.ndarray) or learning_rate.ndim == 0:
        return False
    if learning_rate.shape != params.shape:
        raise ValueError(
            f"A per-parameter learning rate needs the parameters' shape "
            f"{params.shape}; got {learning_rate.shape}."
        )
    return True


def chunks(size: int, chunk: int = CHUNK):
    """Yield slices covering ``range(size)`` in pieces of ``chunk`` elements.

    Parameters
    ----------
    size : int
        Length of the vectors.
    chunk : int, default=65536
        Elements per piece.

    Yields
    ------
    piece : slice

    Examples
    --------
    >>> from skdeep.optim._base import chunks
    >>> list(chunks(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    for start in range(0, size, chunk):
        yield slice(start, min(start + chunk, size))


def state_to_dict(state) -> dict:
    """Return the fields of a state record as a plain dict (no copy).

    Fitted estimators keep optimizer states as plain data, so that pickle
    and skops need to trust nothing but NumPy arrays and numbers.

    Parameters
    ----------
    state : dataclass instance
        A state made by an update rule's ``init``.

    Returns
    -------
    fields : dict
        Field name -> value (arrays are shared, not copied).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import Adam, state_to_dict
    >>> sorted(state_to_dict(Adam().init(np.zeros(3))))
    ['m', 't', 'v']
    """
    return {f.name: getattr(state, f.name) for f in fields(state)}


def state_from_dict(optimizer, params: np.ndarray, values: dict):
    """Rebuild an update rule's state from :func:`state_to_dict`, as a copy.

    Parameters
    ----------
    optimizer : Optimizer
        The rule whose state it is; its ``init`` makes the record.
    params : ndarray of shape (n_params,)
        The parameter vector the state is for.
    values : dict
        Field name -> value; arrays are copied into the new record.

    Returns
    -------
    state : dataclass instance

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import Adam, state_from_dict
    >>> values = {"m": np.ones(2), "v": np.ones(2), "t": 3}
    >>> state = state_from_dict(Adam(), np.zeros(2), values)
    >>> state.m, state.t
    (array([1., 1.]), 3)
    """
    state = optimizer.init(params)
    for name, value in values.items():
        target = getattr(state, name)
        if isinstance(value, np.ndarray) and isinstance(target, np.ndarray):
            np.copyto(target, value)
        else:
            setattr(state, name, value)
    return state


def copy_state(dst, src) -> None:
    """Copy a state record into another of the same shapes, in place.

    Arrays are copied into the destination's arrays (no allocation), other
    fields assigned; nested records are copied recursively.

    Parameters
    ----------
    dst, src : dataclass instances
        Records of the same type.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.optim import Adam, copy_state
    >>> a, b = Adam().init(np.zeros(2)), Adam().init(np.ones(2))
    >>> b.t = 4
    >>> copy_state(a, b); a.t
    4
    """
    for f in fields(src):
        value, target = getattr(src, f.name), getattr(dst, f.name)
        if isinstance(value, np.ndarray) and isinstance(target, np.ndarray):
            np.copyto(target, value)
        elif is_dataclass(value) and is_dataclass(target):
            copy_state(target, value)
        else:
            setattr(dst, f.name, value)
