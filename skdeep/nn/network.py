"""The stack: Dense -> activation -> ... -> Dense, then the loss's link.

Conventions
-----------
- ``layer_units = [n_features, n_units_1, ..., n_outputs]``; layer ``l`` maps
  ``layer_units[l]`` inputs to ``layer_units[l + 1]`` units.
- All parameters live in **one flat vector**: every weight matrix first
  (row-major, layer by layer), then every bias. ``Network.unpack`` returns
  views into it, so an optimizer updates the whole network in one vectorized
  operation, L-BFGS works on the vector directly, and the L2 penalty (which
  covers weights only) is one dot product over a contiguous slice.
- Gradients use the same layout, in a second flat vector.
- A :class:`Workspace` holds every activation and delta buffer for batches of
  up to ``n_rows`` rows; a smaller batch uses the leading rows, so buffers are
  allocated once per fit, not once per batch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .initializers import INITIALIZERS
from .layers import Dense
from .losses import LOSSES

__all__ = ["Network", "Params", "Workspace"]


class Params(NamedTuple):
    """A flat parameter (or gradient) vector and its per-layer views.

    Attributes
    ----------
    flat : ndarray of shape (n_params,)
        The vector itself.
    coefs : list of ndarray
        ``coefs[l]`` has shape (layer_units[l], layer_units[l + 1]).
    intercepts : list of ndarray or None
        ``intercepts[l]`` has shape (layer_units[l + 1],), or is None for a
        layer without bias.
    """

    flat: np.ndarray
    coefs: list[np.ndarray]
    intercepts: list[np.ndarray | None]


class Workspace:
    """Reusable activation and delta buffers for batches of up to ``n_rows``.

    Parameters
    ----------
    layer_units : sequence of int
        Widths of the network, input first.
    n_rows : int
        Largest batch the buffers must hold.
    dtype : numpy.dtype
        Floating dtype of the computation.
    """

    def __init__(self, layer_units, n_rows: int, dtype: np.dtype):
        self.n_rows = n_rows
        units = list(layer_units)
        n_coef = sum(a * b for a, b in zip(units[:-1], units[1:], strict=True))
        # Holds alpha * W for the L2 gradient, so no batch allocates it.
        self.coef_scratch = np.empty(n_coef, dtype=dtype)
        self.coef_scratch_views, start = [], 0
        for a, b in zip(units[:-1], units[1:], strict=True):
            self.coef_scratch_views.append(
                self.coef_scratch[start : start + a * b].reshape(a, b)
            )
            start += a * b
        self.dtype = np.dtype(dtype)
        # outputs[l] receives layer l's output (hidden activations, then the
        # raw scores, which the loss overwrites with its gradient).
        self.outputs = [np.empty((n_rows, n), dtype=dtype) for n in layer_units[1:]]
        # deltas[l] receives d(objective)/d(input of layer l), for l >= 1.
        self.deltas = [None] + [
            np.empty((n_rows, n), dtype=dtype) for n in layer_units[1:-1]
        ]


class Network:
    """A multi-layer perceptron ending in a linear layer read through a loss.

    Parameters
    ----------
    layer_units : sequence of int
        ``[n_features, n_units_1, ..., n_outputs]``; two entries make a single
        logistic/softmax unit with no hidden layer.
    activation : str, default='relu'
        Hidden activation, a key of :data:`skdeep.nn.activations.ACTIVATIONS`.
    loss : {'log_loss', 'binary_log_loss'}, default='log_loss'
        Softmax + categorical cross-entropy, or sigmoid + binary
        cross-entropy.
    fit_intercept : bool, default=True
        Whether the layers have biases.
    """

    def __init__(
        self,
        layer_units,
        activation: str = "relu",
        loss: str = "log_loss",
        fit_intercept: bool = True,
    ):
        self.layer_units = tuple(int(n) for n in layer_units)
        if len(self.layer_units) < 2 or min(self.layer_units) < 1:
            raise ValueError(f"Invalid layer_units {self.layer_units}.")
        self.activation = get_activation(activation)
        self.loss = LOSSES[loss]()
        self.fit_intercept = fit_intercept
        self.layers = [
            Dense(n_in, n_out, fit_intercept) for n_in, n_out in self._shapes()
        ]
        self.n_coef_params = sum(n_in * n_out for n_in, n_out in self._shapes())
        n_bias = sum(self.layer_units[1:]) if fit_intercept else 0
        self.n_params = self.n_coef_params + n_bias

    def _shapes(self):
        units = self.layer_units
        return list(zip(units[:-1], units[1:], strict=True))

    @property
    def coef_shapes(self) -> list[tuple[int, int]]:
        """Shapes of the weight matrices, layer by layer."""
        return self._shapes()

    # -- parameters ---------------------------------------------------------
    def unpack(self, flat: np.ndarray) -> Params:
        """View a flat vector as per-layer weights and biases (no copy).

        Parameters
        ----------
        flat : ndarray of shape (n_params,)
            Parameters or gradients in this network's layout.

        Returns
        -------
        params : Params
            ``flat`` with its per-layer views.
        """
        if flat.shape != (self.n_params,):
            raise ValueError(
                f"Expected a vector of {self.n_params} parameters, got {flat.shape}."
            )
        coefs, intercepts, start = [], [], 0
        for n_in, n_out in self._shapes():
            coefs.append(flat[start : start + n_in * n_out].reshape(n_in, n_out))
            start += n_in * n_out
        for n_out in self.layer_units[1:]:
            if self.fit_intercept:
                intercepts.append(flat[start : start + n_out])
                start += n_out
            else:
                intercepts.append(None)
        return Params(flat, coefs, intercepts)

    def pack(self, coefs, intercepts, dtype) -> Params:
        """Copy per-layer arrays into a new flat vector.

        Parameters
        ----------
        coefs : list of array-like
            Weights, one per layer.
        intercepts : list of array-like or None
            Biases, one per layer (ignored without intercepts).
        dtype : numpy.dtype
            Dtype of the new vector.

        Returns
        -------
        params : Params
            The new vector and its views.
        """
        params = self.unpack(np.empty(self.n_params, dtype=dtype))
        for dst, src in zip(params.coefs, coefs, strict=True):
            dst[...] = src
        if self.fit_intercept:
            for dst, src in zip(params.intercepts, intercepts, strict=True):
                dst[...] = src
        return params

    def init_params(self, rng, dtype, init: str = "glorot_uniform_sklearn") -> Params:
        """Draw initial parameters.

        Parameters
        ----------
        rng : numpy.random.RandomState or numpy.random.Generator
            The one source of randomness.
        dtype : numpy.dtype
            Dtype of the parameters.
        init : str, default='glorot_uniform_sklearn'
            A key of :data:`skdeep.nn.initializers.INITIALIZERS`.

        Returns
        -------
        params : Params
            Freshly initialised parameters.
        """
        draw = INITIALIZERS[init]
        coefs, intercepts = [], []
        for n_in, n_out in self._shapes():
            coef, intercept = draw(rng, n_in, n_out, self.activation.name, dtype)
            coefs.append(coef)
            intercepts.append(intercept)
        return self.pack(coefs, intercepts, dtype)

    def workspace(self, n_rows: int, dtype) -> Workspace:
        """Buffers for batches of up to ``n_rows`` rows.

        Parameters
        ----------
        n_rows : int
            Largest batch size.
        dtype : numpy.dtype
            Floating dtype.

        Returns
        -------
        workspace : Workspace
        """
        return Workspace(self.layer_units, n_rows, dtype)

    # -- forward and backward ----------------------------------------------
    def forward(self, params: Params, X, workspace: Workspace, out=None):
        """Raw scores of a batch, keeping every activation in ``workspace``.

        Parameters
        ----------
        params : Params
            Network parameters.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Batch, ``n_samples <= workspace.n_rows``, in the workspace dtype.
        workspace : Workspace
            Buffers; hidden activations are left there for :meth:`backward`.
        out : ndarray of shape (n_samples, n_outputs), default=None
            Where to write the raw scores (default: the workspace).

        Returns
        -------
        raw : ndarray of shape (n_samples, n_outputs)
            The raw scores (a view into ``out`` or the workspace).
        """
        n = X.shape[0]
        last = len(self.layers) - 1
        inputs = X
        for l, layer in enumerate(self.layers):
            dst = out if (l == last and out is not None) else workspace.outputs[l][:n]
            layer.forward(inputs, params.coefs[l], params.intercepts[l], dst)
            if l < last:
                self.activation.forward(dst)
            inputs = dst
        return inputs

    def backward(
        self, params: Params, grads: Params, X, workspace: Workspace, l2: float = 0.0
    ):
        r"""Back-propagate the output delta left in the workspace by the loss.

        Parameters
        ----------
        params : Params
            Network parameters.
        grads : Params
            Receives the gradient of every parameter: the data term, plus
            :math:`\lambda W` for the weights when ``l2`` is not zero.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The batch given to :meth:`forward`.
        workspace : Workspace
            Holds the activations from :meth:`forward` and, in its last
            output buffer, the gradient at the raw scores. Hidden activations
            are overwritten.
        l2 : float, default=0.0
            Strength :math:`\lambda` of the L2 penalty whose gradient is added.
        """
        n = X.shape[0]
        scratch = workspace.coef_scratch_views
        delta = workspace.outputs[-1][:n]
        for l in range(len(self.layers) - 1, -1, -1):
            inputs = workspace.outputs[l - 1][:n] if l > 0 else X
            input_grad = workspace.deltas[l][:n] if l > 0 else None
            self.layers[l].backward(
                inputs,
                delta,
                params.coefs[l],
                grads.coefs[l],
                grads.intercepts[l],
                input_grad,
            )
            if l2:
                # Right after the product, while the gradient is in cache.
                grads.coefs[l] += np.multiply(params.coefs[l], l2, out=scratch[l])
            if l > 0:
                # inputs (layer l-1's activation) is not needed after this.
                self.activation.derivative(inputs, input_grad)
                delta = input_grad

    def add_l2(
        self, params: Params, grads: Params, strength: float, scratch=None
    ) -> float:
        r"""Add the L2 penalty on the weights to the gradient; return its value.

        Parameters
        ----------
        params : Params
            Network parameters.
        grads : Params
            Gradient, updated in place with :math:`\lambda W`.
        strength : float
            :math:`\lambda`; biases are not penalised.
        scratch : ndarray of shape (n_coef_params,), default=None
            Buffer for :math:`\lambda W`; allocated if None.

        Returns
        -------
        penalty : float
            :math:`\frac{\lambda}{2} \sum_l \lVert W_l \rVert_F^2`.
        """
        if strength == 0:
            return 0.0
        coef = params.flat[: self.n_coef_params]
        grad = grads.flat[: self.n_coef_params]
        penalty = 0.5 * strength * float(np.dot(coef, coef))
        # NumPy only: calling SciPy's BLAS (a second OpenBLAS) between
        # NumPy's products makes their thread pools fight for the cores.
        grad += np.multiply(coef, strength, out=scratch)
        return penalty

    def loss_gradient(
        self,
        params: Params,
        grads: Params,
        X,
        target: np.ndarray,
        weight,
        l2: float,
        workspace: Workspace,
    ) -> float:
        r"""Objective and its gradient on one batch.

        Parameters
        ----------
        params : Params
            Network parameters.
        grads : Params
            Receives the gradient of the objective.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Batch in the workspace dtype.
        target : ndarray
            Targets in the loss's format (see :mod:`skdeep.nn.losses`).
        weight : float or ndarray of shape (n_samples,)
            Per-sample weights of the objective (summing to one for a mean).
        l2 : float
            Strength :math:`\lambda` of the L2 penalty.
        workspace : Workspace
            Buffers for at least ``n_samples`` rows.

        Returns
        -------
        objective : float
            :math:`\sum_i w_i \ell_i + \frac{\lambda}{2}\sum_l \lVert W_l\rVert^2`.
        """
        raw = self.forward(params, X, workspace)
        loss = self.loss.loss_gradient(raw, target, weight)
        self.backward(params, grads, X, workspace, l2)
        if l2:
            coef = params.flat[: self.n_coef_params]
            loss += 0.5 * l2 * float(np.dot(coef, coef))
        return loss

    def loss_gradient_chunked(
        self,
        params: Params,
        grads: Params,
        X,
        target: np.ndarray,
        weight: np.ndarray,
        l2: float,
        workspace: Workspace,
    ) -> float:
        """Full-batch objective and gradient, in chunks of ``workspace.n_rows``.

        The gradient of a sum is the sum of the chunks' gradients, so memory
        stays bounded by the workspace whatever the number of samples.

        Parameters
        ----------
        params, grads, X, target, l2, workspace
            As in :meth:`loss_gradient`.
        weight : ndarray of shape (n_samples,)
            Per-sample weights of the objective.

        Returns
        -------
        objective : float
            As in :meth:`loss_gradient`, over all samples.
        """
        n, step = X.shape[0], workspace.n_rows
        if n <= step:
            return self.loss_gradient(params, grads, X, target, weight, l2, workspace)
        partial = self.unpack(np.empty_like(grads.flat))
        loss = 0.0
        for start in range(0, n, step):
            stop = min(start + step, n)
            dst = grads if start == 0 else partial
            raw = self.forward(params, X[start:stop], workspace)
            loss += self.loss.loss_gradient(raw, target[start:stop], weight[start:stop])
            self.backward(params, dst, X[start:stop], workspace)
            if start > 0:
                np.add(grads.flat, partial.flat, out=grads.flat)
        return loss + self.add_l2(params, grads, l2, workspace.coef_scratch)

    def predict_raw(self, params: Params, X, chunk_rows: int = 2048) -> np.ndarray:
        """Raw scores for any number of rows, in chunks of bounded memory.

        Every call allocates its own buffers, so concurrent calls on the same
        parameters from several threads are safe.

        Parameters
        ----------
        params : Params
            Network parameters.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Input in the parameters' dtype.
        chunk_rows : int, default=2048
            Rows per chunk.

        Returns
        -------
        raw : ndarray of shape (n_samples, n_outputs)
        """
        n = X.shape[0]
        dtype = params.coefs[0].dtype
        raw = np.empty((n, self.layer_units[-1]), dtype=dtype)
        if n == 0:
            return raw
        workspace = self.workspace(min(n, chunk_rows), dtype)
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            self.forward(params, X[start:stop], workspace, out=raw[start:stop])
        return raw
