"""Prediction's forward pass, in chunks of bounded memory."""

from __future__ import annotations

import numpy as np

from ..nn import Network, Params

__all__ = ["PREDICT_BUFFER_BYTES", "chunk_rows", "predict_raw"]

# Rows per chunk are chosen so that one activation buffer stays near this size.
PREDICT_BUFFER_BYTES = 2**21


def chunk_rows(network: Network, itemsize: int, budget: int) -> int:
    """Rows per chunk so that the widest layer's buffer is about ``budget`` bytes."""
    return max(64, budget // (max(network.layer_units[1:]) * itemsize))


def predict_raw(network: Network, params: Params, X, stats=None) -> np.ndarray:
    """Return the raw scores of ``X``, in chunks of bounded memory.

    Inference mode (no dropout; batch norm with the running statistics);
    chunks are sized so that the widest layer's buffer stays near
    ``PREDICT_BUFFER_BYTES``.

    Parameters
    ----------
    network : Network
        The network.
    params : Params
        Its parameters.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input, in the parameters' dtype.
    stats : BatchNormStats, default=None
        Running statistics (with batch norm).

    Returns
    -------
    raw : ndarray of shape (n_samples, n_outputs)

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.training import predict_raw
    >>> net = Network([3, 4, 2])
    >>> params = net.init_params(np.random.RandomState(0), np.float64)
    >>> predict_raw(net, params, np.ones((10, 3))).shape
    (10, 2)
    """
    rows = chunk_rows(network, params.coefs[0].dtype.itemsize, PREDICT_BUFFER_BYTES)
    return network.predict_raw(params, X, chunk_rows=rows, stats=stats)
