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
    """Raw scores of ``X`` in chunks of bounded memory (inference mode)."""
    rows = chunk_rows(network, params.coefs[0].dtype.itemsize, PREDICT_BUFFER_BYTES)
    return network.predict_raw(params, X, chunk_rows=rows, stats=stats)
