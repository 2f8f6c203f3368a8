"""Gradient checking: back-propagation against centred finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["check_gradients", "finite_difference_gradient", "relative_error"]


def finite_difference_gradient(
    fun: Callable[[np.ndarray], float], x: np.ndarray, epsilon: float = 1e-6
) -> np.ndarray:
    r"""Centred finite-difference gradient of a scalar function.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``; must not keep a reference to ``x``.
    x : ndarray
        Point of evaluation; perturbed in place one entry at a time and
        restored afterwards.
    epsilon : float, default=1e-6
        Step :math:`h`.

    Returns
    -------
    grad : ndarray of the shape of ``x``
        :math:`\frac{f(x + h e_i) - f(x - h e_i)}{2h}` for every entry.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.utils import finite_difference_gradient
    >>> g = finite_difference_gradient(lambda v: float(v @ v), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    grad = np.empty(x.shape, dtype=np.float64)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + epsilon
        f_plus = fun(x)
        flat[i] = old - epsilon
        f_minus = fun(x)
        flat[i] = old
        out[i] = (f_plus - f_minus) / (2 * epsilon)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Relative difference between two gradients, the usual gradient-check measure.

    Parameters
    ----------
    a, b : ndarray
        Arrays of the same shape.

    Returns
    -------
    error : float
        :math:`\lVert a - b \rVert_2 / (\lVert a \rVert_2 + \lVert b \rVert_2)`,
        zero for identical arrays (and for two zero arrays). Values below
        about 1e-7 mean agreement in float64; finite differences cannot do
        much better.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.utils import relative_error
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    >>> relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    0.7071...
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def check_gradients(
    estimator,
    X,
    y,
    *,
    sample_weight=None,
    epsilon=1e-7,
    random_state=None,
    dtype=np.float64,
) -> float:
    r"""Compare an estimator's back-propagated gradients with finite differences.

    Builds the network the estimator would train on ``(X, y)`` (initialised
    from its ``random_state``, or at its fitted weights if it is fitted), and
    evaluates the full training objective, loss plus L2 penalty, in
    training mode: dropout with one fixed mask (drawn from ``random_state``)
    and batch norm with the statistics of the whole batch. Every trainable
    parameter is perturbed in turn. The estimator is not modified.

    Parameters
    ----------
    estimator : LogisticUnit, DeepNetClassifier or DeepNetRegressor
        Its parameters define the network and the objective.
    X : array-like of shape (n_samples, n_features)
        Data; keep it small, as the check costs two evaluations per
        parameter.
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights of the objective.
    epsilon : float, default=1e-7
        Finite-difference step :math:`h`.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout mask.
    dtype : {numpy.float64, numpy.float32}, default=numpy.float64
        Precision of the back-propagated gradient. With float32, the data
        and the starting weights are rounded to float32, the network is
        back-propagated in float32 and compared with finite differences of
        the same rounded problem in float64.

    Returns
    -------
    error : float
        The largest, over parameter arrays :math:`k` (each layer's weights,
        biases, and batch-norm scales and offsets), of

        .. math::

            \frac{\lVert g^{bp}_k - g^{fd}_k \rVert}
            {\max(\lVert g^{bp}_k \rVert + \lVert g^{fd}_k \rVert,\;
            0.01\,(\lVert g^{bp} \rVert + \lVert g^{fd} \rVert))}.

        The floor at 1% of the whole gradient keeps arrays whose gradient is
        zero (a bias right before batch norm) from turning rounding noise
        into a large ratio. Below 1e-6 (1e-4 in float32, whose rounding
        alone is about 1e-7 per operation) means the gradients agree; a
        wrong gradient gives values orders of magnitude larger.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import DeepNetClassifier
    >>> from skdeep.utils import check_gradients
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(20, 3)), rng.randint(0, 3, 20)
    >>> net = DeepNetClassifier((5,), activation="gelu", batch_norm=True,
    ...                         dropout=0.2, random_state=0)
    >>> check_gradients(net, X, y, random_state=0) < 1e-6
    True
    """
    # Imported here: importing skdeep.utils must not import scikit-learn.
    from ..estimators._preparation import gradient_objective

    dtype = np.dtype(dtype)
    if dtype == np.float32 and not hasattr(X, "toarray"):
        # Both problems on the same float32-representable data (dropout's
        # masks are keyed by the rows' values).
        X = np.asarray(X, dtype=np.float32)
    options = {"sample_weight": sample_weight, "random_state": random_state}
    network, theta, objective = gradient_objective(estimator, X, y, **options)
    if dtype == np.float64:
        _, analytic = objective(theta)
    else:
        _, theta, single = gradient_objective(estimator, X, y, dtype=dtype, **options)
        analytic = network.unpack(single(theta)[1].flat.astype(np.float64))
        theta = theta.astype(np.float64)
    numeric = network.unpack(
        finite_difference_gradient(lambda t: objective(t)[0], theta, epsilon)
    )
    groups = [
        (a, n)
        for name, arrays in analytic.groups.items()
        for a, n in zip(arrays, numeric.groups[name], strict=True)
        if a is not None
    ]
    floor = 0.01 * (np.linalg.norm(analytic.flat) + np.linalg.norm(numeric.flat))
    errors = [
        float(np.linalg.norm(a - n))
        / max(float(np.linalg.norm(a) + np.linalg.norm(n)), floor)
        for a, n in groups
    ]
    return max(errors) if floor > 0 else 0.0
