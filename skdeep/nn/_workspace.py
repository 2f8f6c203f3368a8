"""Buffers that live across batches."""

from __future__ import annotations

import numpy as np

from .layers import LayerContext, Pass

__all__ = ["Workspace"]


class Workspace:
    """Reusable buffers for batches of up to ``n_rows`` rows.

    Parameters
    ----------
    network : Network
        The network the buffers are for.
    n_rows : int
        Largest batch the buffers must hold.
    dtype : numpy.dtype
        Floating dtype of the computation.

    Attributes
    ----------
    contexts : list of LayerContext
        One per layer: its buffers and its views of the bound vectors.
    run : Pass
        The record of the current pass, shared by the contexts.
    raw : ndarray
        The raw scores of the last forward pass; the loss overwrites them
        with their gradient, where :meth:`Network.backward` starts.

    Examples
    --------
    >>> from skdeep.nn import Network
    >>> workspace = Network([4, 8, 3]).workspace(n_rows=32, dtype=float)
    >>> [ctx.buffers.out.shape for ctx in workspace.contexts[::2]]
    [(32, 8), (32, 3)]
    """

    def __init__(self, network, n_rows: int, dtype):
        self.n_rows = n_rows
        self.dtype = np.dtype(dtype)
        self.run = Pass()
        first = network.first_trainable
        self.contexts = []
        for i, layer in enumerate(network.layers):
            input_grad = i > first
            self.contexts.append(
                LayerContext(
                    layer.buffers(n_rows, self.dtype, input_grad), self.run, input_grad
                )
            )
        self.raw = None
        self._params = self._grads = self._stats = None

    def bind(self, params=None, grads=None, stats=None) -> None:
        """Point the layer contexts at these vectors' views (if they changed).

        Parameters
        ----------
        params, grads : Params, default=None
            Parameters and gradients.
        stats : BatchNormStats, default=None
            Running statistics.
        """
        if params is not None and params is not self._params:
            for ctx, views in zip(self.contexts, params.layers, strict=True):
                ctx.params = views
            self._params = params
        if grads is not None and grads is not self._grads:
            for ctx, views in zip(self.contexts, grads.layers, strict=True):
                ctx.grads = views
            self._grads = grads
        if stats is not None and stats is not self._stats:
            for ctx, views in zip(self.contexts, stats.layers, strict=True):
                ctx.state = views
            self._stats = stats
