"""The interface every layer kind implements, and the records it works on.

Conventions
-----------
- A layer owns no arrays of its own. Its trainable parameters are views into
  the network's flat parameter vector, its untrained state (batch norm's
  running statistics) views into a second flat vector, and its buffers live
  in a :class:`LayerContext` that the network's workspace makes once per fit.
- ``forward(x, ctx) -> y`` and ``backward(dy, ctx) -> dx`` have the same
  signature for every layer. A layer may work in place (``y is x``,
  ``dx is dy``); ``forward`` keeps in ``ctx`` what ``backward`` needs.
- ``backward`` writes the layer's parameter gradients into ``ctx.grads`` and
  returns the gradient at its input, or None when ``ctx.input_grad`` is
  False (nothing below needs it).
- Everything the whole pass shares (training or not, the samples' weights,
  the dropout keys of this step, the L2 strength) is in ``ctx.run``, one
  :class:`Pass` record per workspace.
- A layer of a *pack* (``n_members=k``) holds k independent members: every
  parameter array has a leading member axis (a spec's shape is one
  member's), and so do its buffers and its batches, ``(k, n_samples,
  width)``. Rows are always the second-to-last axis, so ``buffer[..., :n,
  :]`` is a batch of ``n`` rows with or without members. In inference, the
  first layer may take rows shared by every member, ``(n_samples, width)``,
  and broadcast them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "DECAYED_ROLES",
    "ROLES",
    "Layer",
    "LayerContext",
    "ParamSpec",
    "Pass",
    "row_sums",
]

#: What a parameter array can be to the update rule (see :class:`ParamSpec`).
ROLES = ("weights", "biases", "scales", "embeddings")
#: The roles decoupled weight decay shrinks by default.
DECAYED_ROLES = ("weights", "embeddings")


class ParamSpec(NamedTuple):
    """One array a layer keeps in a flat vector.

    Attributes
    ----------
    group : str
        Which list of :class:`~skdeep.nn.Params` (``'coefs'``,
        ``'intercepts'``, ``'bn_scales'``, ``'bn_offsets'``) or
        :class:`~skdeep.nn.BatchNormStats` (``'means'``, ``'variances'``)
        the array belongs to. A flat vector stores its groups one after
        another, in the order they first appear in the network.
    shape : tuple of int or None
        Shape of the array; None reserves the slot in its group without an
        array (a Dense layer without bias has ``intercepts[l] = None``).
    role : {'weights', 'biases', 'scales', 'embeddings'}, default='weights'
        What the array is to the update rule: per-role learning-rate
        factors and decoupled weight decay (weights and embeddings by
        default) select parameters by role. Unused for state arrays.

    Examples
    --------
    >>> from skdeep.nn.layers import Dense
    >>> [(spec.group, spec.shape, spec.role) for spec in Dense(3, 2).params]
    [('coefs', (3, 2), 'weights'), ('intercepts', (2,), 'biases')]
    """

    group: str
    shape: tuple | None
    role: str = "weights"


@dataclass
class Pass:
    """What the current forward and backward pass is; shared by all layers.

    Attributes
    ----------
    training : bool
        Training mode (batch statistics, dropout) or inference.
    weight : float or ndarray of shape (n_samples,) or None
        Samples' weights in the batch objective; batch norm weighs its
        statistics by them.
    row_keys : ndarray of shape ([n_members,] n_samples) or None
        Dropout keys of this step's rows; None reuses the masks already
        drawn (a fixed mask, as gradient checks need).
    l2 : float or ndarray of shape (n_members, 1, 1)
        Strength of the L2 penalty whose gradient the weights receive (one
        per member in a pack).

    Examples
    --------
    >>> from skdeep.nn.layers import Pass
    >>> Pass(training=True).l2
    0.0
    """

    training: bool = False
    weight: Any = None
    row_keys: np.ndarray | None = None
    l2: Any = 0.0


class LayerContext:
    """A layer's views, buffers and saved values for one workspace.

    Parameters
    ----------
    buffers : object
        What :meth:`Layer.buffers` made.
    run : Pass
        The record of the current pass, shared by the workspace's layers.
    input_grad : bool
        Whether ``backward`` must return the gradient at the input.

    Attributes
    ----------
    params, grads, state : tuple of ndarray
        The layer's views into the parameter vector, the gradient vector and
        the state vector, in the order of its specs (bound by the network).
    saved : object
        What ``forward`` keeps for ``backward`` (its input, say).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.layers import Dense, LayerContext, Pass
    >>> layer = Dense(2, 3)
    >>> ctx = LayerContext(layer.buffers(4, float, False), Pass(), input_grad=False)
    >>> ctx.params = (np.ones((2, 3)), np.zeros(3))
    >>> layer.forward(np.ones((4, 2)), ctx)[0]
    array([2., 2., 2.])
    """

    __slots__ = ("buffers", "grads", "input_grad", "params", "run", "saved", "state")

    def __init__(self, buffers, run: Pass, input_grad: bool):
        self.buffers = buffers
        self.run = run
        self.input_grad = input_grad
        self.params: tuple = ()
        self.grads: tuple = ()
        self.state: tuple = ()
        self.saved = None


class Layer:
    """Base of every layer kind: no parameters, no state, no buffers.

    A layer kind overrides what it has. The network calls, in this order:
    :meth:`init_params` and :meth:`init_state` when a network starts,
    :meth:`buffers` once per workspace, then :meth:`forward` and
    :meth:`backward` for every batch, and :meth:`update_state` after a
    training batch; prediction calls :meth:`infer`. A layer that draws
    random masks says so in :attr:`stochastic` and takes its seed in
    :meth:`reseed` and its schedule in :meth:`scale_noise`; the network
    calls those on every layer and never asks what kind a layer is.

    Attributes
    ----------
    params : tuple of ParamSpec
        Trainable arrays, in the flat parameter vector.
    state : tuple of ParamSpec
        Untrained arrays (running statistics), in the flat state vector.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.layers import Layer, LayerContext, Pass
    >>> class Double(Layer):
    ...     def forward(self, x, ctx):
    ...         x *= 2
    ...         return x
    ...     def backward(self, dy, ctx):
    ...         dy *= 2
    ...         return dy
    >>> Double().forward(np.ones(2), LayerContext(None, Pass(), True))
    array([2., 2.])
    """

    params: tuple = ()
    state: tuple = ()
    #: Whether training draws random masks keyed by ``ctx.run.row_keys``.
    stochastic: bool = False
    #: Members of a pack; None is a single network (no member axis).
    n_members: int | None = None

    @property
    def lead(self) -> tuple:
        """The member axis of the layer's arrays: ``(n_members,)`` or ``()``."""
        return () if self.n_members is None else (self.n_members,)

    def select(self, members) -> Layer:
        """Return this layer for some members of its pack (a shallow copy).

        A layer that keeps something per member (a dropout rate, a seed)
        takes those members' values; the others only change
        :attr:`n_members`.

        Parameters
        ----------
        members : ndarray of int
            The members kept, in order.

        Returns
        -------
        layer : Layer
        """
        layer = copy.copy(self)
        layer.n_members = len(members)
        return layer

    def reseed(self, seed: int) -> None:
        """Choose the seed of the layer's random masks (if it draws any).

        Parameters
        ----------
        seed : int
            Non-negative seed.
        """

    def scale_noise(self, factor: float) -> None:
        """Scale the layer's training noise from its base level (a schedule).

        Parameters
        ----------
        factor : float
            In [0, 1]; a dropout schedule's value at this step.
        """

    def init_params(self, rng, dtype, initializer) -> tuple:
        """Return initial parameter values, in the order of :attr:`params`.

        Parameters
        ----------
        rng : numpy.random.RandomState or numpy.random.Generator
            The one source of randomness; draws happen in layer order.
        dtype : numpy.dtype
            Floating dtype.
        initializer : callable
            ``initializer(rng, fan_in, fan_out, dtype=dtype) -> (coef,
            intercept)``.

        Returns
        -------
        values : tuple of ndarray
            One array per spec whose shape is not None.
        """
        return ()

    def init_state(self, dtype) -> tuple:
        """Return initial state values, in the order of :attr:`state`.

        Parameters
        ----------
        dtype : numpy.dtype
            Floating dtype.

        Returns
        -------
        values : tuple of ndarray
        """
        return ()

    def buffers(self, n_rows: int, dtype, input_grad: bool):
        """Make the buffers a batch of up to ``n_rows`` rows needs.

        Parameters
        ----------
        n_rows : int
            Largest batch.
        dtype : numpy.dtype
            Floating dtype.
        input_grad : bool
            Whether :meth:`backward` will have to return the input gradient.

        Returns
        -------
        buffers : object or None
        """
        return None

    def forward(self, x, ctx: LayerContext):
        """Compute the layer's output.

        Parameters
        ----------
        x : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The input; a layer working in place overwrites it.
        ctx : LayerContext
            Views, buffers and the pass record.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        raise NotImplementedError

    def infer(self, x, params: tuple, state: tuple):
        """Compute the output in inference mode, without a workspace.

        Prediction calls this: it needs no buffers that outlive the call, so
        concurrent predictions never share memory. The default runs
        :meth:`forward` with buffers made for this batch; layer kinds with a
        cheaper inference path override it.

        Parameters
        ----------
        x : {ndarray, sparse matrix} of shape (n_samples, n_inputs)
            The input; overwritten by a layer working in place, unless it is
            the network's input (which only the first layer sees, and the
            first layer is dense).
        params, state : tuple of ndarray
            The layer's views of the parameter and state vectors.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        ctx = LayerContext(self.buffers(x.shape[0], x.dtype, False), Pass(), False)
        ctx.params, ctx.state = params, state
        return self.forward(x, ctx)

    def backward(self, dy: np.ndarray, ctx: LayerContext):
        """Back-propagate through the layer.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_outputs)
            Gradient of the objective at the output; may be overwritten.
        ctx : LayerContext
            As left by :meth:`forward` on the same batch.

        Returns
        -------
        dx : ndarray of shape (n_samples, n_inputs) or None
            Gradient at the input (None if ``ctx.input_grad`` is False).
        """
        raise NotImplementedError

    def update_state(self, ctx: LayerContext, replace: bool = False) -> None:
        """Fold the last training batch into the state (layers with state).

        Parameters
        ----------
        ctx : LayerContext
            After a training-mode :meth:`forward`.
        replace : bool, default=False
            Make the batch's statistics the state, instead of averaging.
        """


def row_sums(ones: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Sum ``x`` over its rows into ``out``, with or without a member axis.

    A product with a vector of ones: on row-major data about twice as fast
    as ``np.sum(axis=-2)``.

    Parameters
    ----------
    ones : ndarray of shape (n_rows,)
        Ones, at least as many as ``x`` has rows.
    x : ndarray of shape ([n_members,] n, width)
        The values.
    out : ndarray of shape ([n_members,] width)
        Receives the sums.

    Returns
    -------
    out : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.layers import row_sums
    >>> row_sums(np.ones(4), np.arange(12.0).reshape(2, 3, 2), np.empty((2, 2)))
    array([[ 6.,  9.],
           [24., 27.]])
    """
    n = x.shape[-2]
    if x.ndim == 2:
        return np.dot(ones[:n], x, out=out)
    return np.matmul(ones[:n], x, out=out)
