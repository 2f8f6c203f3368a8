"""The stack: [Dense -> (BatchNorm) -> activation -> (Dropout)] x L, Dense, link.

Conventions
-----------
- ``layer_units = [n_features, n_units_1, ..., n_outputs]``; Dense layer ``l``
  maps ``layer_units[l]`` inputs to ``layer_units[l + 1]`` units. Every layer
  but the last is a *hidden block*: Dense, optional batch normalization, the
  activation, optional dropout. The last layer is linear; the loss applies the
  link (sigmoid or softmax).
- All trainable parameters live in **one flat vector**: every weight matrix
  first (row-major, layer by layer), then every bias, then the batch-norm
  scales and offsets. ``Network.unpack`` returns views into it, so an
  optimizer updates the whole network in one vectorized operation, L-BFGS
  works on the vector directly, and the L2 penalty (weights only) is one dot
  product over a contiguous slice. Gradients use the same layout.
- Batch norm's running means and variances are not trained: they are
  :class:`BatchNormStats`, updated by the training loop after each batch.
- A :class:`Workspace` holds every buffer a batch of up to ``n_rows`` rows
  needs; a smaller batch uses the leading rows, so buffers are allocated once
  per fit, not once per batch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .initializers import INITIALIZERS
from .layers import BatchNorm, BatchNormCache, Dense, Dropout
from .layers._dropout import row_keys
from .losses import LOSSES

__all__ = ["BatchNormStats", "Network", "Params", "Workspace"]


class Params(NamedTuple):
    r"""A flat parameter (or gradient) vector and its per-layer views.

    Attributes
    ----------
    flat : ndarray of shape (n_params,)
        The vector itself.
    coefs : list of ndarray
        ``coefs[l]`` has shape (layer_units[l], layer_units[l + 1]).
    intercepts : list of ndarray or None
        ``intercepts[l]`` has shape (layer_units[l + 1],), or is None for a
        layer without bias.
    bn_scales, bn_offsets : list of ndarray
        Batch-norm :math:`\gamma` and :math:`\beta` of each hidden layer
        (empty without batch norm).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> net = Network([2, 3, 1], loss="binary_log_loss")
    >>> params = net.unpack(np.arange(net.n_params, dtype=float))
    >>> params.coefs[0].shape, params.intercepts[1]
    ((2, 3), array([12.]))
    >>> bool(np.shares_memory(params.coefs[1], params.flat))
    True
    """

    flat: np.ndarray
    coefs: list
    intercepts: list
    bn_scales: tuple | list = ()
    bn_offsets: tuple | list = ()


class BatchNormStats(NamedTuple):
    """Running means and variances of the batch-norm layers, for inference.

    Attributes
    ----------
    means, variances : list of ndarray
        One array of shape (n_units,) per hidden layer.

    Examples
    --------
    >>> from skdeep.nn import Network
    >>> stats = Network([4, 3, 2], batch_norm=True).init_stats(float)
    >>> stats.means[0], stats.variances[0]
    (array([0., 0., 0.]), array([1., 1., 1.]))
    """

    means: list
    variances: list


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

    Examples
    --------
    >>> from skdeep.nn import Network
    >>> workspace = Network([4, 8, 3]).workspace(n_rows=32, dtype=float)
    >>> [buffer.shape for buffer in workspace.outputs]
    [(32, 8), (32, 3)]
    """

    def __init__(self, network: Network, n_rows: int, dtype):
        units = network.layer_units
        hidden = units[1:-1]
        self.n_rows = n_rows
        self.dtype = np.dtype(dtype)

        def buffers(widths):
            return [np.empty((n_rows, n), dtype=dtype) for n in widths]

        # outputs[l]: layer l's output (hidden activation, then the raw scores,
        # which the loss overwrites with its gradient).
        self.outputs = buffers(units[1:])
        # deltas[l]: d(objective)/d(input of layer l), for l >= 1.
        self.deltas = [None, *buffers(hidden)]
        self.preactivations = (
            buffers(hidden) if network.activation.needs_preactivation else None
        )

        def per_dropout_layer(dtype):
            return [
                None if d is None else np.empty((n_rows, n), dtype)
                for d, n in zip(network.dropouts, hidden, strict=True)
            ]

        self.masks = per_dropout_layer(dtype)
        self.dropped = per_dropout_layer(dtype)  # the activation after dropout
        self.mask_hashes = per_dropout_layer(np.uint64)
        self.batch_norm = (
            [BatchNormCache(n_rows, n, dtype) for n in hidden]
            if (network.batch_norms)
            else []
        )
        # Holds alpha * W for the L2 gradient, so no batch allocates it.
        self.coef_scratch = np.empty(network.n_coef_params, dtype=dtype)
        self.coef_scratch_views, start = [], 0
        for a, b in network.coef_shapes:
            self.coef_scratch_views.append(
                self.coef_scratch[start : start + a * b].reshape(a, b)
            )
            start += a * b


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
        Whether the Dense layers have biases.
    dropout : float or sequence of float, default=0.0
        Dropout rate after each hidden layer (one rate for all, or one each).
    batch_norm : bool, default=False
        Whether each hidden Dense is followed by batch normalization.
    dropout_seed : int, default=0
        Seed of the dropout masks (see :class:`skdeep.nn.Dropout`).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> net = Network([4, 8, 3], activation="tanh", loss="log_loss")
    >>> params = net.init_params(np.random.RandomState(0), np.float64)
    >>> grads = net.unpack(np.empty(net.n_params))
    >>> X, y = np.random.RandomState(1).normal(size=(5, 4)), np.array([0, 1, 2, 0, 1])
    >>> workspace = net.workspace(5, float)
    >>> loss = net.loss_gradient(params, grads, X, y, 1 / 5, 0.0, workspace)
    >>> net.n_params, [g.shape for g in grads.coefs]
    (67, [(4, 8), (8, 3)])
    >>> net.predict_raw(params, X).shape
    (5, 3)
    """

    def __init__(
        self,
        layer_units,
        activation: str = "relu",
        loss: str = "log_loss",
        fit_intercept: bool = True,
        dropout=0.0,
        batch_norm: bool = False,
        dropout_seed: int = 0,
    ):
        self.layer_units = tuple(int(n) for n in layer_units)
        if len(self.layer_units) < 2 or min(self.layer_units) < 1:
            raise ValueError(f"Invalid layer_units {self.layer_units}.")
        self.activation = get_activation(activation)
        self.loss = LOSSES[loss]()
        self.fit_intercept = fit_intercept
        self.layers = [
            Dense(n_in, n_out, fit_intercept) for n_in, n_out in self.coef_shapes
        ]
        hidden = self.layer_units[1:-1]
        rates = (
            [float(dropout)] * len(hidden)
            if np.ndim(dropout) == 0
            else [float(r) for r in dropout]
        )
        if len(rates) != len(hidden):
            raise ValueError(
                f"Got {len(rates)} dropout rates for {len(hidden)} hidden layers."
            )
        self.dropouts = [Dropout(r) if r > 0 else None for r in rates]
        if self.uses_dropout:
            self.set_dropout_seed(dropout_seed)
        self.batch_norms = [BatchNorm(n) for n in hidden] if batch_norm else []
        self.n_coef_params = sum(n_in * n_out for n_in, n_out in self.coef_shapes)
        n_bias = sum(self.layer_units[1:]) if fit_intercept else 0
        n_bn = 2 * sum(hidden) if batch_norm else 0
        self.n_params = self.n_coef_params + n_bias + n_bn

    @property
    def coef_shapes(self) -> list[tuple[int, int]]:
        """Shapes of the weight matrices, layer by layer."""
        units = self.layer_units
        return list(zip(units[:-1], units[1:], strict=True))

    def set_dropout_seed(self, seed: int) -> None:
        """Choose the seed of the dropout masks.

        Parameters
        ----------
        seed : int
            Non-negative seed; the same seed, rows and steps give the same
            masks.
        """
        hidden = self.layer_units[1:-1]
        self._unit_keys = [
            None if d is None else d.unit_keys(seed, l, n)
            for l, (d, n) in enumerate(zip(self.dropouts, hidden, strict=True))
        ]
        self._projection = np.random.default_rng(seed).normal(size=self.layer_units[0])

    @property
    def uses_dropout(self) -> bool:
        """Whether any hidden layer has dropout."""
        return any(d is not None for d in self.dropouts)

    # -- parameters ---------------------------------------------------------
    def unpack(self, flat: np.ndarray) -> Params:
        """View a flat vector as per-layer parameters (no copy).

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
        start = 0

        def take(shape):
            nonlocal start
            size = int(np.prod(shape))
            view = flat[start : start + size].reshape(shape)
            start += size
            return view

        coefs = [take(shape) for shape in self.coef_shapes]
        intercepts = [
            take((n,)) if self.fit_intercept else None for n in self.layer_units[1:]
        ]
        hidden = self.layer_units[1:-1] if self.batch_norms else ()
        scales = [take((n,)) for n in hidden]
        offsets = [take((n,)) for n in hidden]
        return Params(flat, coefs, intercepts, scales, offsets)

    def pack(self, coefs, intercepts, dtype, bn_scales=(), bn_offsets=()) -> Params:
        """Copy per-layer arrays into a new flat vector.

        Parameters
        ----------
        coefs : list of array-like
            Weights, one per layer.
        intercepts : list of array-like or None
            Biases, one per layer (ignored without intercepts).
        dtype : numpy.dtype
            Dtype of the new vector.
        bn_scales, bn_offsets : list of array-like, default=()
            Batch-norm parameters, one per hidden layer (with batch norm).

        Returns
        -------
        params : Params
            The new vector and its views.
        """
        params = self.unpack(np.empty(self.n_params, dtype=dtype))
        pairs = list(zip(params.coefs, coefs, strict=True))
        if self.fit_intercept:
            pairs += list(zip(params.intercepts, intercepts, strict=True))
        if self.batch_norms:
            pairs += list(zip(params.bn_scales, bn_scales, strict=True))
            pairs += list(zip(params.bn_offsets, bn_offsets, strict=True))
        for dst, src in pairs:
            dst[...] = src
        return params

    def init_params(self, rng, dtype, init: str = "glorot_uniform_sklearn") -> Params:
        """Draw initial parameters (batch norm starts as the identity).

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
        for n_in, n_out in self.coef_shapes:
            coef, intercept = draw(rng, n_in, n_out, self.activation.name, dtype)
            coefs.append(coef)
            intercepts.append(intercept)
        hidden = self.layer_units[1:-1] if self.batch_norms else ()
        return self.pack(
            coefs,
            intercepts,
            dtype,
            [np.ones(n) for n in hidden],
            [np.zeros(n) for n in hidden],
        )

    def init_stats(self, dtype) -> BatchNormStats:
        """Return the running statistics of a fresh network (zeros and ones).

        Parameters
        ----------
        dtype : numpy.dtype
            Floating dtype.

        Returns
        -------
        stats : BatchNormStats
            Empty lists without batch norm.
        """
        hidden = self.layer_units[1:-1] if self.batch_norms else ()
        return BatchNormStats(
            [np.zeros(n, dtype) for n in hidden], [np.ones(n, dtype) for n in hidden]
        )

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
        return Workspace(self, n_rows, dtype)

    # -- forward and backward ----------------------------------------------
    def forward(
        self,
        params: Params,
        X,
        workspace: Workspace,
        out=None,
        training: bool = False,
        dropout_step: int | None = None,
        stats: BatchNormStats | None = None,
        weight=None,
    ):
        """Raw scores of a batch, keeping what back-propagation needs.

        Parameters
        ----------
        params : Params
            Network parameters.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Batch, ``n_samples <= workspace.n_rows``, in the workspace dtype.
        workspace : Workspace
            Buffers; intermediate results are left there for :meth:`backward`.
        out : ndarray of shape (n_samples, n_outputs), default=None
            Where to write the raw scores (default: the workspace).
        training : bool, default=False
            Training mode: batch statistics for batch norm, and dropout.
        dropout_step : int, default=None
            Training step whose dropout masks to draw (in training mode);
            None reuses the masks already in the workspace (a fixed mask, as
            gradient checks need).
        stats : BatchNormStats, default=None
            Running statistics, required for batch norm outside training.
        weight : float or ndarray of shape (n_samples,), default=None
            Samples' weights in the batch objective; batch norm's training
            statistics are weighted by them.

        Returns
        -------
        raw : ndarray of shape (n_samples, n_outputs)
            The raw scores (a view into ``out`` or the workspace).
        """
        n = X.shape[0]
        last = len(self.layers) - 1
        inputs = X
        keys = None
        if training and dropout_step is not None and self.uses_dropout:
            keys = row_keys(X, self._projection, dropout_step)
        for l, layer in enumerate(self.layers):
            dst = out if (l == last and out is not None) else workspace.outputs[l][:n]
            layer.forward(inputs, params.coefs[l], params.intercepts[l], dst)
            if l == last:
                return dst
            if self.batch_norms:
                bn = self.batch_norms[l]
                scale, offset = params.bn_scales[l], params.bn_offsets[l]
                if training:
                    bn.forward_train(
                        dst, scale, offset, workspace.batch_norm[l], weight
                    )
                else:
                    bn.forward_inference(
                        dst, scale, offset, stats.means[l], stats.variances[l]
                    )
            if training and workspace.preactivations is not None:
                np.copyto(workspace.preactivations[l][:n], dst)
            self.activation.forward(dst)
            dropout = self.dropouts[l]
            if training and dropout is not None:
                mask = workspace.masks[l][:n]
                if keys is not None:
                    dropout.draw_mask(
                        keys, self._unit_keys[l], mask, workspace.mask_hashes[l][:n]
                    )
                inputs = dropout.forward(dst, mask, workspace.dropped[l][:n])
            else:
                inputs = dst

    def backward(
        self, params: Params, grads: Params, X, workspace: Workspace, l2: float = 0.0
    ):
        r"""Back-propagate the output delta left in the workspace by the loss.

        Must follow a :meth:`forward` in training mode on the same batch.

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
            Holds the intermediate results of :meth:`forward` and, in its last
            output buffer, the gradient at the raw scores. They are
            overwritten.
        l2 : float, default=0.0
            Strength :math:`\lambda` of the L2 penalty whose gradient is added.
        """
        n = X.shape[0]
        scratch = workspace.coef_scratch_views
        delta = workspace.outputs[-1][:n]
        for l in range(len(self.layers) - 1, -1, -1):
            h = l - 1  # the hidden block feeding layer l
            if l == 0:
                inputs = X
            elif self.dropouts[h] is not None:
                inputs = workspace.dropped[h][:n]
            else:
                inputs = workspace.outputs[h][:n]
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
            if l == 0:
                break
            # Back through hidden block h: dropout, activation, batch norm.
            if self.dropouts[h] is not None:
                self.dropouts[h].backward(input_grad, workspace.masks[h][:n])
            if workspace.preactivations is not None:
                self.activation.derivative(workspace.preactivations[h][:n], input_grad)
            else:
                # The activation is not needed after this: it may be overwritten.
                self.activation.derivative(workspace.outputs[h][:n], input_grad)
            if self.batch_norms:
                self.batch_norms[h].backward(
                    input_grad,
                    params.bn_scales[h],
                    workspace.batch_norm[h],
                    grads.bn_scales[h],
                    grads.bn_offsets[h],
                )
            delta = input_grad

    def update_stats(self, workspace: Workspace, stats: BatchNormStats) -> None:
        """Fold the last training batch's statistics into the running ones.

        Parameters
        ----------
        workspace : Workspace
            After a training-mode :meth:`forward`.
        stats : BatchNormStats
            Updated in place.
        """
        for l, bn in enumerate(self.batch_norms):
            bn.update_running(
                workspace.batch_norm[l], stats.means[l], stats.variances[l]
            )

    def set_stats_from_batch(self, workspace: Workspace, stats: BatchNormStats):
        """Make the last training batch's statistics the running ones.

        Parameters
        ----------
        workspace : Workspace
            After a training-mode :meth:`forward` (on all the data, say).
        stats : BatchNormStats
            Overwritten.
        """
        for l in range(len(self.batch_norms)):
            np.copyto(stats.means[l], workspace.batch_norm[l].mean)
            np.copyto(stats.variances[l], workspace.batch_norm[l].var)

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
            :math:`\lambda`; biases and batch-norm parameters are not
            penalised.
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
        penalty = self._l2_penalty(params, strength)
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
        dropout_step: int | None = None,
    ) -> float:
        r"""Training objective and its gradient on one batch.

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
        dropout_step : int, default=None
            Training step whose dropout masks to draw; None reuses the
            workspace's masks.

        Returns
        -------
        objective : float
            :math:`\sum_i w_i \ell_i + \frac{\lambda}{2}\sum_l \lVert W_l\rVert^2`.
        """
        raw = self.forward(
            params,
            X,
            workspace,
            training=True,
            dropout_step=dropout_step,
            weight=weight,
        )
        loss = self.loss.loss_gradient(raw, target, weight)
        self.backward(params, grads, X, workspace, l2)
        return loss + self._l2_penalty(params, l2)

    def _l2_penalty(self, params: Params, strength: float) -> float:
        # All weights are one contiguous slice: one dot product.
        if strength == 0:
            return 0.0
        coef = params.flat[: self.n_coef_params]
        return 0.5 * strength * float(np.dot(coef, coef))

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
        Batch norm's statistics are those of the whole batch, so a network
        with batch norm needs a workspace for all the rows.

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
        if self.batch_norms:
            raise ValueError("Batch norm needs the whole batch in one workspace.")
        partial = self.unpack(np.empty_like(grads.flat))
        loss = 0.0
        for start in range(0, n, step):
            stop = min(start + step, n)
            dst = grads if start == 0 else partial
            raw = self.forward(params, X[start:stop], workspace, training=True)
            loss += self.loss.loss_gradient(raw, target[start:stop], weight[start:stop])
            self.backward(params, dst, X[start:stop], workspace)
            if start > 0:
                np.add(grads.flat, partial.flat, out=grads.flat)
        return loss + self.add_l2(params, grads, l2, workspace.coef_scratch)

    def predict_raw(
        self,
        params: Params,
        X,
        chunk_rows: int = 2048,
        stats: BatchNormStats | None = None,
    ) -> np.ndarray:
        """Raw scores for any number of rows, in chunks of bounded memory.

        Inference mode: no dropout, batch norm with the running statistics.
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
        stats : BatchNormStats, default=None
            Running statistics (with batch norm).

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
            self.forward(
                params, X[start:stop], workspace, out=raw[start:stop], stats=stats
            )
        return raw
