"""Minibatches gathered into buffers that live across batches."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["Batcher"]


class Batcher:
    """Yield minibatches, gathered into buffers that live across batches.

    Yields ``(X_batch, target_batch, weight, l2_scale)`` where ``weight`` is
    the per-sample weight of the batch objective (``1 / n`` without sample
    weights) and ``l2_scale = 1 / sum(sample weights)`` (0 for an all-zero
    batch, which the caller skips).
    """

    def __init__(self, X, target, sample_weight, batch_size, dtype):
        self.X, self.target, self.sample_weight = X, target, sample_weight
        self.batch_size = batch_size
        self.sparse = sp.issparse(X)
        self.X_buffer = (
            None if self.sparse else np.empty((batch_size, X.shape[1]), dtype=dtype)
        )
        self.target_buffer = np.empty((batch_size, *target.shape[1:]), target.dtype)
        self.weight_buffer = np.empty(batch_size, dtype=dtype)

    def batches(self, indices):
        """Iterate over the rows ``indices`` (None: all rows, in order)."""
        n = self.X.shape[0] if indices is None else len(indices)
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            if indices is None:
                X_batch = self.X[start:stop]
                t_batch = self.target[start:stop]
                w_batch = (
                    None
                    if self.sample_weight is None
                    else self.sample_weight[start:stop]
                )
            else:
                X_batch, t_batch, w_batch = self._gather(indices[start:stop])
            size = stop - start
            if w_batch is None:
                yield X_batch, t_batch, 1.0 / size, 1.0 / size
                continue
            total = float(w_batch.sum())
            if total <= 0:
                yield X_batch, t_batch, None, 0.0
                continue
            weight = np.divide(w_batch, total, out=self.weight_buffer[:size])
            yield X_batch, t_batch, weight, 1.0 / total

    def _gather(self, idx):
        size = len(idx)
        if self.sparse:
            X_batch = self.X[idx]
        else:
            # mode="clip": with the default "raise", NumPy buffers `out` (a
            # second copy); the indices are valid by construction.
            X_batch = np.take(
                self.X, idx, axis=0, out=self.X_buffer[:size], mode="clip"
            )
        t_batch = np.take(
            self.target, idx, axis=0, out=self.target_buffer[:size], mode="clip"
        )
        w_batch = None
        if self.sample_weight is not None:
            w_batch = np.take(
                self.sample_weight, idx, out=self.weight_buffer[:size], mode="clip"
            )
        return X_batch, t_batch, w_batch
