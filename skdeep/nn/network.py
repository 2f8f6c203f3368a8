"""The stack: [Dense -> (BatchNorm) -> activation -> (Dropout)] x L, Dense, link.

- ``layer_units = [n_features, n_units_1, ..., n_outputs]``; Dense layer ``l``
  maps ``layer_units[l]`` inputs to ``layer_units[l + 1]`` units. The last
  layer is linear; the loss applies the link.
- The network is a list of layers behind one interface
  (:class:`skdeep.nn.layers.Layer`): it loops over them forward and back,
  and never asks what kind they are.
- Parameters and gradients live in one flat vector, untrained state in a
  second one (:class:`~skdeep.nn.Vectors` lays them out), so an update rule
  moves the whole network in one vectorized operation.
- A :class:`Workspace` holds every buffer a batch of up to ``n_rows`` rows
  needs, made once per fit, not once per batch.
"""

from __future__ import annotations

import copy

import numpy as np

from ._keys import row_keys
from ._vectors import BatchNormStats, Params, Vectors
from ._workspace import Workspace
from .layers import ActivationLayer, BatchNorm, Dense, Dropout
from .layers._dropout import dropout_rates
from .losses import LOSSES

__all__ = ["BatchNormStats", "Network", "Params", "Workspace"]


class Network:
    """A multi-layer perceptron ending in a linear layer read through a loss.

    Parameters
    ----------
    layer_units : sequence of int
        ``[n_features, n_units_1, ..., n_outputs]``; two entries make a single
        logistic/softmax unit with no hidden layer.
    activation : str, default='relu'
        Hidden activation, a key of :data:`skdeep.nn.activations.ACTIVATIONS`.
    loss : str or loss object, default='log_loss'
        A key of :data:`skdeep.nn.losses.LOSSES`: ``'log_loss'`` (softmax),
        ``'binary_log_loss'`` (sigmoid), ``'squared_error'`` (identity) or
        ``'poisson'`` (exp); or an instance of one of those losses (with
        label smoothing, say).
    fit_intercept : bool, default=True
        Whether the Dense layers have biases.
    dropout : float or sequence of float, default=0.0
        Dropout rate after each hidden layer (one rate for all, or one each).
    batch_norm : bool, default=False
        Whether each hidden Dense is followed by batch normalization.
    dropout_seed : int, default=0
        Seed of the dropout masks (see :class:`skdeep.nn.Dropout`).
    input_layers : sequence of Layer, default=()
        Layers applied to the input before the first Dense layer, in order
        (a :class:`~skdeep.nn.FrontScale`, a
        :class:`~skdeep.nn.PeriodicEmbedding`); each tells its output width
        in ``n_outputs``, the last one the first Dense layer's input width.

    Attributes
    ----------
    layers : list of Layer
        The stack, in forward order.
    loss : object
        The loss, from :data:`skdeep.nn.losses.LOSSES`.
    n_params : int
        Size of the flat parameter vector.
    n_coef_params : int
        Size of its L2-penalised slice (the Dense weights).

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
        input_layers=(),
        n_members: int | None = None,
    ):
        self.layer_units = tuple(int(n) for n in layer_units)
        if len(self.layer_units) < 2 or min(self.layer_units) < 1:
            raise ValueError(f"Invalid layer_units {self.layer_units}.")
        if n_members is not None and int(n_members) < 1:
            raise ValueError(f"n_members must be at least 1; got {n_members}.")
        self.n_members = None if n_members is None else int(n_members)
        hidden = self.layer_units[1:-1]
        rates = dropout_rates(dropout, len(hidden), self.n_members)
        self.activation = activation
        self.loss = LOSSES[loss]() if isinstance(loss, str) else loss
        self.layers = list(input_layers)
        if any(layer.n_members != self.n_members for layer in self.layers):
            raise ValueError("The input layers must have the network's n_members.")
        units = list(self.layer_units)
        if self.layers:
            units[0] = self.layers[-1].n_outputs
        k = self.n_members
        for l, (n_in, n_out) in enumerate(zip(units[:-1], units[1:], strict=True)):
            self.layers.append(Dense(n_in, n_out, fit_intercept, n_members=k))
            if l == len(hidden):
                break
            if batch_norm:
                self.layers.append(BatchNorm(n_out, n_members=k))
            self.layers.append(ActivationLayer(activation, n_out, n_members=k))
            if np.any(rates[l] > 0):
                rate = float(rates[l]) if k is None else rates[l]
                self.layers.append(Dropout(rate, n_out, position=l, n_members=k))
        self._stochastic = any(layer.stochastic for layer in self.layers)
        self.set_dropout_seed(dropout_seed)
        self.first_trainable = next(
            i for i, lay in enumerate(self.layers) if lay.params
        )
        self.vectors = Vectors(self.layers, activation, self.n_members)
        self.n_params = self.vectors.params.size
        self.n_coef_params = self.vectors.params.group_size("coefs")
        self._coef_slice = self.vectors.params.group_slice("coefs")
        self._stateful = [i for i, layer in enumerate(self.layers) if layer.state]

    @property
    def parameter_groups(self) -> list:
        """Names of the parameter groups, in the flat vector's order."""
        return list(self.vectors.params.groups)

    @property
    def uses_dropout(self) -> bool:
        """Whether any layer draws random masks in training (dropout)."""
        return self._stochastic

    @property
    def has_state(self) -> bool:
        """Whether any layer keeps untrained state (batch norm)."""
        return bool(self._stateful)

    def param_slices(self, role: str) -> list:
        """Return the slices of the flat vector that hold a role's arrays.

        ``role`` is one of :data:`skdeep.nn.ROLES`; the slices are
        contiguous pieces, in order (none if no layer has the role).
        """
        return self.vectors.params.role_slices(role)

    def scale_dropout(self, factor: float) -> None:
        """Scale every layer's training noise (dropout rate) by ``factor``."""
        for layer in self.layers:
            layer.scale_noise(factor)

    def set_dropout_seed(self, seed: int) -> None:
        """Choose the seed of the random masks: same seed, rows, step, mask."""
        for layer in self.layers:
            layer.reseed(seed)
        self._projection = None
        if self._stochastic and self.n_members is None:
            self._projection = np.random.default_rng(seed).normal(
                size=self.layer_units[0]
            )
        elif self._stochastic:
            seeds = np.broadcast_to(np.asarray(seed, dtype=np.int64), (self.n_members,))
            self._projection = np.stack(
                [
                    np.random.default_rng(int(s)).normal(size=self.layer_units[0])
                    for s in seeds
                ]
            )

    def subset(self, members) -> Network:
        """Return the network of some members of this pack (for compaction).

        Layers, seeds and per-member rates follow the members kept; the
        flat vectors of the result are :meth:`Vectors.take_members` of this
        network's.

        Parameters
        ----------
        members : array-like of int
            The members kept, in order.

        Returns
        -------
        network : Network
            A pack of ``len(members)`` members.
        """
        if self.n_members is None:
            raise ValueError("Only a pack (n_members set) has members to take.")
        members = np.asarray(members, dtype=np.intp)
        network = copy.copy(self)
        network.n_members = members.size
        network.layers = [layer.select(members) for layer in self.layers]
        network.vectors = Vectors(network.layers, self.activation, members.size)
        network.n_params = network.vectors.params.size
        if self._projection is not None:
            network._projection = self._projection[members]
        return network

    def workspace(self, n_rows: int, dtype) -> Workspace:
        """Return buffers for batches of up to ``n_rows`` rows of ``dtype``."""
        return Workspace(self, n_rows, dtype)

    # -- the flat vectors (see Vectors) ----------------------------------------
    def member_rows(self, flat: np.ndarray) -> np.ndarray:
        """View a flat parameter vector as ``(n_members or 1, n_params // k)``."""
        return self.vectors.params.rows(flat)

    def shapes(self, group: str) -> list:
        """Return a group's array shapes, layer by layer (:meth:`Vectors.shapes`)."""
        return self.vectors.shapes(group)

    def unpack(self, flat: np.ndarray) -> Params:
        """View a flat parameter vector layer by layer (:meth:`Vectors.unpack`)."""
        return self.vectors.unpack(flat)

    def unpack_stats(self, flat: np.ndarray) -> BatchNormStats:
        """View a flat state vector layer by layer (:meth:`Vectors.unpack_stats`)."""
        return self.vectors.unpack_stats(flat)

    def view_groups(self, **groups) -> Params:
        """View existing per-group arrays as Params (:meth:`Vectors.view_groups`)."""
        return self.vectors.view_groups(**groups)

    def view_stats(self, **groups) -> BatchNormStats:
        """View existing statistics arrays (:meth:`Vectors.view_stats`)."""
        return self.vectors.view_stats(**groups)

    def pack(self, dtype, **groups) -> Params:
        """Copy per-group arrays into a new flat vector (:meth:`Vectors.pack`)."""
        return self.vectors.pack(dtype, **groups)

    def pack_stats(self, dtype, **groups) -> BatchNormStats:
        """Copy per-group statistics into a new vector (:meth:`Vectors.pack_stats`)."""
        return self.vectors.pack_stats(dtype, **groups)

    def init_params(self, rng, dtype, init: str = "glorot_uniform_sklearn") -> Params:
        """Draw initial parameters, layer by layer (:meth:`Vectors.init_params`)."""
        return self.vectors.init_params(rng, dtype, init)

    def init_stats(self, dtype) -> BatchNormStats:
        """Return fresh running statistics (:meth:`Vectors.init_stats`)."""
        return self.vectors.init_stats(dtype)

    # -- forward and backward -------------------------------------------------
    def forward(
        self,
        params: Params,
        X,
        workspace: Workspace,
        *,
        training: bool = False,
        dropout_step: int | None = None,
        stats: BatchNormStats | None = None,
        weight=None,
    ) -> np.ndarray:
        """Raw scores of a batch, keeping what back-propagation needs.

        Parameters
        ----------
        params : Params
            Network parameters.
        X : {ndarray, sparse matrix} of shape ([n_members,] n_samples, n_features)
            Batch, ``n_samples <= workspace.n_rows``, in the workspace dtype
            (each member's rows, for a pack).
        workspace : Workspace
            Buffers; intermediate results are left there for :meth:`backward`.
        training : bool, default=False
            Training mode: batch statistics for batch norm, and dropout.
        dropout_step : int, default=None
            Training step whose dropout masks to draw (in training mode);
            None reuses the masks already in the workspace.
        stats : BatchNormStats, default=None
            Running statistics, required for batch norm outside training.
        weight : float or ndarray of shape ([n_members,] n_samples), default=None
            Samples' weights in the batch objective (batch norm's statistics
            are weighted by them).

        Returns
        -------
        raw : ndarray of shape ([n_members,] n_samples, n_outputs)
            The raw scores (a view into the workspace).
        """
        run = workspace.run
        run.training = training
        run.weight = weight
        run.row_keys = None
        if training and dropout_step is not None and self._stochastic:
            run.row_keys = row_keys(X, self._projection, dropout_step)
        workspace.bind(params=params, stats=stats)
        x = X
        for layer, ctx in zip(self.layers, workspace.contexts, strict=True):
            x = layer.forward(x, ctx)
        workspace.raw = x
        return x

    def backward(self, grads: Params, workspace: Workspace, l2: float = 0.0) -> None:
        r"""Back-propagate the output delta left in the workspace by the loss.

        Must follow a :meth:`forward` in training mode on the same batch.

        Parameters
        ----------
        grads : Params
            Receives the gradient of every parameter: the data term, plus
            :math:`\lambda W` for the weights when ``l2`` is not zero.
        workspace : Workspace
            Holds the intermediate results of :meth:`forward` and, in
            ``workspace.raw``, the gradient at the raw scores. They are
            overwritten.
        l2 : float, default=0.0
            Strength :math:`\lambda` of the L2 penalty whose gradient is added.
        """
        workspace.run.l2 = l2
        workspace.bind(grads=grads)
        dy = workspace.raw
        layers, contexts = self.layers, workspace.contexts
        for i in range(len(layers) - 1, self.first_trainable - 1, -1):
            dy = layers[i].backward(dy, contexts[i])

    def update_stats(
        self, workspace: Workspace, stats: BatchNormStats, replace: bool = False
    ) -> None:
        """Fold the last training batch's statistics into ``stats``, in place.

        After a training-mode :meth:`forward`; ``replace=True`` makes the
        batch's statistics the running ones (after a forward pass over all
        the training data, say).
        """
        workspace.bind(stats=stats)
        for i in self._stateful:
            self.layers[i].update_state(workspace.contexts[i], replace)

    def l2_penalty(self, params: Params, strength: float) -> float:
        r"""Return the L2 penalty on the weights.

        .. math:: \frac{\lambda}{2} \sum_l \lVert W_l \rVert_F^2

        Parameters
        ----------
        params : Params
            Network parameters.
        strength : float or ndarray of shape (n_members, 1, 1)
            :math:`\lambda` (one per member in a pack); biases and
            batch-norm parameters are not penalised.

        Returns
        -------
        penalty : float
        """
        if self.n_members is None:
            if strength == 0:
                return 0.0
            # All weights are one contiguous slice: one dot product.
            coef = params.flat[self._coef_slice]
            return 0.5 * strength * float(np.dot(coef, coef))
        if not np.any(strength):
            return 0.0
        coef = self.member_rows(params.flat)[:, self._coef_slice]
        squares = np.einsum("ij,ij->i", coef, coef)
        strengths = np.broadcast_to(np.ravel(strength), squares.shape)
        return 0.5 * float(np.dot(strengths, squares))

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

        :math:`\sum_i w_i \ell_i + \frac{\lambda}{2}\sum_l \lVert
        W_l\rVert^2` (summed over members, for a pack), its gradient written
        into ``grads``. ``X``, ``weight``, ``workspace`` and ``dropout_step``
        are as for :meth:`forward`; ``target`` is in the loss's format (see
        :mod:`skdeep.nn.losses`); ``l2`` is :math:`\lambda` (one per member,
        ``(k, 1, 1)``, for a pack).
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
        self.backward(grads, workspace, l2)
        return loss + self.l2_penalty(params, l2)

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

        As :meth:`loss_gradient` over all of ``X`` (``weight`` one per
        sample): the gradient of a sum is the sum of the chunks' gradients,
        so memory stays bounded by the workspace. Batch norm's statistics
        are those of the whole batch, so a network with batch norm needs a
        workspace for all the rows.
        """
        if self.n_members is not None:
            raise ValueError("A pack trains by minibatches, not full-batch L-BFGS.")
        n, step = X.shape[0], workspace.n_rows
        if n <= step:
            return self.loss_gradient(params, grads, X, target, weight, l2, workspace)
        if self.has_state:
            raise ValueError("Batch norm needs the whole batch in one workspace.")
        partial_grads = self.unpack(np.empty_like(grads.flat))
        loss = 0.0
        for start in range(0, n, step):
            stop = min(start + step, n)
            raw = self.forward(params, X[start:stop], workspace, training=True)
            loss += self.loss.loss_gradient(raw, target[start:stop], weight[start:stop])
            if start == 0:  # the penalty's gradient is added once
                self.backward(grads, workspace, l2)
            else:
                self.backward(partial_grads, workspace)
                np.add(grads.flat, partial_grads.flat, out=grads.flat)
        return loss + self.l2_penalty(params, l2)

    def predict_raw(
        self,
        params: Params,
        X,
        chunk_rows: int = 2048,
        stats: BatchNormStats | None = None,
    ) -> np.ndarray:
        """Raw scores for any number of rows, in chunks of bounded memory.

        Inference mode: no dropout, batch norm with the running statistics.
        Each layer's :meth:`~skdeep.nn.layers.Layer.infer` allocates what it
        needs for the call (no workspace, nothing kept for back-propagation),
        so concurrent calls on the same parameters from several threads are
        safe.

        Parameters
        ----------
        params : Params
            Network parameters.
        X : {ndarray, sparse matrix} of shape ([n_members,] n_samples, n_features)
            Input in the parameters' dtype; a pack takes rows shared by
            every member, or each member's own.
        chunk_rows : int, default=2048
            Rows per chunk.
        stats : BatchNormStats, default=None
            Running statistics (with batch norm).

        Returns
        -------
        raw : ndarray of shape ([n_members,] n_samples, n_outputs)
            For a pack, every member's raw scores.
        """
        n = X.shape[-2]
        if n <= chunk_rows:
            return self._infer(params, X, stats)
        lead = () if self.n_members is None else (self.n_members,)
        raw = np.empty((*lead, n, self.layer_units[-1]), dtype=params.coefs[0].dtype)
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            rows = X[start:stop] if X.ndim == 2 else X[..., start:stop, :]
            raw[..., start:stop, :] = self._infer(params, rows, stats)
        return raw

    def _infer(self, params: Params, X, stats: BatchNormStats | None) -> np.ndarray:
        """One chunk through every layer's :meth:`~skdeep.nn.layers.Layer.infer`."""
        states = stats.layers if stats is not None else ((),) * len(self.layers)
        x = X
        for layer, views, state in zip(self.layers, params.layers, states, strict=True):
            x = layer.infer(x, views, state)
        return x
