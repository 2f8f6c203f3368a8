"""Counter-based random keys: a row's key is a hash of its values and the step.

Layers that draw random masks in training (dropout) key each draw by the row
and the step rather than by a stream's position, so a row's mask does not
depend on the other rows of its batch (see :class:`skdeep.nn.Dropout`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["LANES", "mix64", "row_keys", "unit_keys"]

M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Each 64-bit hash is cut into this many 16-bit draws.
LANES = 4


def mix64(h: np.ndarray) -> np.ndarray:
    """Scramble uint64 values in place with the splitmix64 finalizer.

    Parameters
    ----------
    h : ndarray of dtype uint64
        Values to scramble; overwritten.

    Returns
    -------
    h : ndarray of dtype uint64
        Well-mixed values: each output bit depends on every input bit.
    """
    h ^= h >> np.uint64(30)
    h *= M1
    h ^= h >> np.uint64(27)
    h *= M2
    h ^= h >> np.uint64(31)
    return h


def row_keys(X, projection: np.ndarray, step: int) -> np.ndarray:
    """One uint64 key per row: a hash of the row's values and the step.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape ([n_members,] n_samples, n_features)
        The batch as given to the network (each member's rows in a pack).
    projection : ndarray of shape ([n_members,] n_features)
        Fixed random float64 vector (one per member in a pack);
        ``X @ projection`` fingerprints a row.
    step : int
        Training step; the same row gets new keys at every step.

    Returns
    -------
    keys : ndarray of shape ([n_members,] n_samples), dtype uint64
    """
    if hasattr(X, "toarray"):  # sparse: row by row already
        fingerprint = np.asarray(X @ projection, dtype=np.float64).ravel()
    else:
        # Not X @ projection: BLAS blocks the product by the number of rows,
        # so a row's last bit could depend on its batch. A row-wise sum of a
        # C-ordered array does not.
        rows = np.ascontiguousarray(X, dtype=np.float64)
        if projection.ndim == 2:  # a pack: each member's own projection
            projection = projection[:, None, :]
        fingerprint = np.multiply(rows, projection).sum(axis=-1)
    keys = fingerprint.view(np.uint64).copy()
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps, on purpose
        step_key = np.array([step], dtype=np.uint64) * GOLDEN + GOLDEN
    keys ^= mix64(step_key)[0]
    return mix64(keys)


def unit_keys(seed: int, layer: int, n_units: int) -> np.ndarray:
    """Uint64 keys of a layer's units, from a seed: one key per four units.

    Parameters
    ----------
    seed : int
        Seed of the estimator's random state.
    layer : int
        Index of the hidden layer.
    n_units : int
        Width of the layer.

    Returns
    -------
    keys : ndarray of shape (ceil(n_units / 4),), dtype uint64
    """
    n_words = -(-n_units // LANES)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps, on purpose
        base = np.array([seed], dtype=np.uint64) * GOLDEN
        base += np.array([layer + 1], dtype=np.uint64) * M1
        keys = np.arange(n_words, dtype=np.uint64) * GOLDEN + base
    return mix64(keys)
