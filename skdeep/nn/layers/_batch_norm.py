"""Batch normalization."""

from __future__ import annotations

import numpy as np

from ._base import Layer, LayerContext, ParamSpec, row_sums

__all__ = ["BatchNorm", "BatchNormCache"]


class BatchNormCache:
    """Buffers one batch-norm layer keeps between forward and backward.

    Parameters
    ----------
    n_rows : int
        Largest batch.
    n_units : int
        Width of the layer.
    dtype : numpy.dtype
        Floating dtype.
    lead : tuple, default=()
        ``(n_members,)`` for a pack.

    Examples
    --------
    >>> from skdeep.nn.layers import BatchNormCache
    >>> BatchNormCache(n_rows=32, n_units=8, dtype=float).centered.shape
    (32, 8)
    """

    def __init__(self, n_rows: int, n_units: int, dtype, lead: tuple = ()):
        # z - mean: with inv_std it gives the normalized z_hat, never stored.
        self.centered = np.empty((*lead, n_rows, n_units), dtype=dtype)
        self.scratch = np.empty((*lead, n_rows, n_units), dtype=dtype)
        # Column sums as products with a vector of ones: faster than
        # np.sum(axis=0) on row-major data, and free of its overhead.
        self.ones = np.ones(n_rows, dtype=dtype)
        self.mean = np.empty((*lead, n_units), dtype=dtype)
        self.var = np.empty((*lead, n_units), dtype=dtype)
        self.inv_std = np.empty((*lead, n_units), dtype=dtype)
        self.weight = None


class BatchNorm(Layer):
    r"""Batch normalization of a hidden layer's pre-activation (Ioffe & Szegedy).

    Parameters
    ----------
    n_units : int
        Width of the layer.
    momentum : float, default=0.9
        Weight of the old value in the running averages used for inference.
    epsilon : float, default=1e-5
        Added to the variance before the square root.
    n_members : int or None, default=None
        Members of a pack, each normalised over its own rows.

    Notes
    -----
    In training, with the batch mean :math:`\mu = \sum_i p_i z_i` and
    (biased) variance :math:`\sigma^2 = \sum_i p_i (z_i - \mu)^2` of each
    unit, where :math:`p_i` are the samples' weights in the batch objective
    (:math:`1/N` without sample weights, so that weighting a row by 2 is
    the same as repeating it),

    .. math::

        \hat z = \frac{z - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
        y = \gamma \hat z + \beta,

    and back-propagation through the batch statistics gives, with
    :math:`g = \gamma\, \partial L / \partial y`,

    .. math::

        \frac{\partial L}{\partial z_i} = \frac{1}{\sqrt{\sigma^2 + \epsilon}}
        \Big(g_i - p_i \sum_j g_j - p_i \hat z_i \sum_j g_j \hat z_j\Big).

    For inference the running averages
    :math:`\mu_r \leftarrow m \mu_r + (1 - m)\mu` (and likewise
    :math:`\sigma^2_r`) replace the batch statistics, so a row's prediction
    never depends on the other rows of its batch.

    The learnable :math:`\gamma`, :math:`\beta` are the ``'bn_scales'`` and
    ``'bn_offsets'`` parameter groups; the running statistics are the
    ``'means'`` and ``'variances'`` state groups. The methods
    :meth:`forward_train`, :meth:`forward_inference`, :meth:`backward_batch`
    and :meth:`update_running` are the arithmetic on plain arrays that
    :meth:`forward`, :meth:`backward` and :meth:`update_state` apply.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.layers import BatchNorm, BatchNormCache
    >>> z = np.array([[1.0], [3.0]])
    >>> cache = BatchNormCache(2, 1, float)
    >>> BatchNorm(1).forward_train(z, np.ones(1), np.zeros(1), cache)
    >>> np.round(z, 3)
    array([[-1.],
           [ 1.]])
    """

    def __init__(
        self,
        n_units: int,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        n_members: int | None = None,
    ):
        self.n_members = n_members
        self.momentum = momentum
        self.epsilon = epsilon
        self.params = (
            ParamSpec("bn_scales", (n_units,), "scales"),
            ParamSpec("bn_offsets", (n_units,), "biases"),
        )
        self.state = (
            ParamSpec("means", (n_units,)),
            ParamSpec("variances", (n_units,)),
        )

    # -- the layer interface -------------------------------------------------
    def init_params(self, rng, dtype, initializer) -> tuple:
        """Start as the identity: scale 1, offset 0 (no random draw).

        Parameters
        ----------
        rng, initializer
            Unused.
        dtype : numpy.dtype
            Floating dtype.

        Returns
        -------
        values : tuple of ndarray
            ``(ones, zeros)``.
        """
        n = self.params[0].shape[0]
        return np.ones(n, dtype), np.zeros(n, dtype)

    def init_state(self, dtype) -> tuple:
        """Start the running mean at 0 and the variance at 1.

        Parameters
        ----------
        dtype : numpy.dtype
            Floating dtype.

        Returns
        -------
        values : tuple of ndarray
            ``(zeros, ones)``.
        """
        n = self.params[0].shape[0]
        return np.zeros(n, dtype), np.ones(n, dtype)

    def buffers(self, n_rows: int, dtype, input_grad: bool) -> BatchNormCache:
        """Make room for the centered batch and its statistics.

        Parameters
        ----------
        n_rows : int
            Largest batch.
        dtype : numpy.dtype
            Floating dtype.
        input_grad : bool
            Unused: the gradient is computed in place.

        Returns
        -------
        cache : BatchNormCache
        """
        return BatchNormCache(n_rows, self.params[0].shape[0], dtype, self.lead)

    def forward(self, x: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """Normalize ``x`` in place: batch statistics in training, else running.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten.
        ctx : LayerContext
            Views, state and cache.

        Returns
        -------
        y : ndarray of shape (n_samples, n_units)
            ``x`` itself.
        """
        scale, offset = ctx.params
        if ctx.run.training:
            self.forward_train(x, scale, offset, ctx.buffers, ctx.run.weight)
        else:
            self.forward_inference(x, scale, offset, *ctx.state)
        return x

    def infer(self, x: np.ndarray, params: tuple, state: tuple) -> np.ndarray:
        r"""Normalize ``x`` in place with the running statistics.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten.
        params : tuple of ndarray
            :math:`\gamma` and :math:`\beta`.
        state : tuple of ndarray
            Running mean and variance.

        Returns
        -------
        y : ndarray of shape (n_samples, n_units)
            ``x`` itself.
        """
        self.forward_inference(x, *params, *state)
        return x

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> np.ndarray:
        """Back-propagate in place (see :meth:`backward_batch`).

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_units)
            Gradient at the output; overwritten.
        ctx : LayerContext
            After a training-mode :meth:`forward`.

        Returns
        -------
        dz : ndarray of shape (n_samples, n_units)
            ``dy`` itself.
        """
        self.backward_batch(dy, ctx.params[0], ctx.buffers, *ctx.grads)
        return dy

    def update_state(self, ctx: LayerContext, replace: bool = False) -> None:
        """Fold the batch's statistics into the running ones.

        Parameters
        ----------
        ctx : LayerContext
            After a training-mode :meth:`forward`.
        replace : bool, default=False
            Copy the batch's statistics instead (full-batch training).
        """
        mean, var = ctx.state
        if replace:
            np.copyto(mean, ctx.buffers.mean)
            np.copyto(var, ctx.buffers.var)
        else:
            self.update_running(ctx.buffers, mean, var)

    # -- the arithmetic ------------------------------------------------------

    def forward_train(
        self,
        z: np.ndarray,
        scale: np.ndarray,
        offset: np.ndarray,
        cache: BatchNormCache,
        weight=None,
    ) -> None:
        r"""Normalize ``z`` in place with its batch statistics.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten with :math:`\gamma \hat z + \beta`.
        scale, offset : ndarray of shape (n_units,)
            :math:`\gamma` and :math:`\beta`.
        cache : BatchNormCache
            Receives :math:`z - \mu`, the statistics and
            :math:`1/\sqrt{\sigma^2+\epsilon}`.
        weight : float or ndarray of shape (n_samples,), default=None
            The weights :math:`p_i` (summing to one); None or a scalar means
            equal weights.
        """
        n = z.shape[-2]
        centered, scratch = cache.centered[..., :n, :], cache.scratch[..., :n, :]
        cache.weight = None if weight is None or np.ndim(weight) == 0 else weight
        weights = cache.ones[:n] if cache.weight is None else cache.weight
        _weighted_rows(weights, z, cache.mean)
        if cache.weight is None:
            cache.mean /= n
        np.subtract(z, _rows(cache.mean), out=centered)
        np.square(centered, out=scratch)
        _weighted_rows(weights, scratch, cache.var)
        if cache.weight is None:
            cache.var /= n
        np.add(cache.var, self.epsilon, out=cache.inv_std)
        np.sqrt(cache.inv_std, out=cache.inv_std)
        np.reciprocal(cache.inv_std, out=cache.inv_std)
        # gamma z_hat + beta = (z - mean) (gamma inv_std) + beta: two passes.
        np.multiply(centered, _rows(scale * cache.inv_std), out=z)
        z += _rows(offset)

    def forward_inference(
        self,
        z: np.ndarray,
        scale: np.ndarray,
        offset: np.ndarray,
        running_mean: np.ndarray,
        running_var: np.ndarray,
    ) -> None:
        r"""Normalize ``z`` in place with the running statistics.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units)
            Pre-activation; overwritten.
        scale, offset : ndarray of shape (n_units,)
            :math:`\gamma` and :math:`\beta`.
        running_mean, running_var : ndarray of shape (n_units,)
            Running statistics.
        """
        # y = (z - mu) * gamma / sqrt(var + eps) + beta = z * a + b
        a = scale / np.sqrt(running_var + self.epsilon)
        z *= _rows(a)
        z += _rows(offset - running_mean * a)

    def backward_batch(
        self,
        delta: np.ndarray,
        scale: np.ndarray,
        cache: BatchNormCache,
        scale_grad: np.ndarray,
        offset_grad: np.ndarray,
    ) -> None:
        r"""Back-propagate in place through the normalization.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_units)
            :math:`\partial L / \partial y`; on return
            :math:`\partial L / \partial z`.
        scale : ndarray of shape (n_units,)
            :math:`\gamma`.
        cache : BatchNormCache
            From :meth:`forward_train` on the same batch.
        scale_grad, offset_grad : ndarray of shape (n_units,)
            Receive :math:`\partial L / \partial \gamma` and
            :math:`\partial L / \partial \beta`.
        """
        n = delta.shape[-2]
        centered, scratch = cache.centered[..., :n, :], cache.scratch[..., :n, :]
        inv_std = cache.inv_std
        # d(gamma) = sum(delta z_hat) = inv_std sum(delta (z - mean)).
        np.multiply(delta, centered, out=scratch)
        row_sums(cache.ones, scratch, out=scale_grad)
        scale_grad *= inv_std
        row_sums(cache.ones, delta, out=offset_grad)
        # With g = gamma delta and z_hat = (z - mean) inv_std,
        # dz = inv_std (g - p sum(g) - p z_hat sum(g z_hat))
        #    = c1 delta - p (c3 + (z - mean) c2), where c1 = gamma inv_std,
        # c2 = gamma inv_std^2 d(gamma) and c3 = gamma inv_std d(beta).
        c1 = scale * inv_std
        c2 = c1 * inv_std * scale_grad
        c3 = c1 * offset_grad
        if cache.weight is None:
            c2 /= n
            c3 /= n
        np.multiply(centered, _rows(c2), out=scratch)
        scratch += _rows(c3)
        if cache.weight is not None:
            scratch *= cache.weight[..., None]
        delta *= _rows(c1)
        delta -= scratch

    def update_running(
        self, cache: BatchNormCache, running_mean: np.ndarray, running_var: np.ndarray
    ) -> None:
        """Fold the last batch's statistics into the running averages.

        Parameters
        ----------
        cache : BatchNormCache
            From :meth:`forward_train`.
        running_mean, running_var : ndarray of shape (n_units,)
            Updated in place.
        """
        running_mean *= self.momentum
        running_mean += (1 - self.momentum) * cache.mean
        running_var *= self.momentum
        running_var += (1 - self.momentum) * cache.var


def _rows(values):
    """Return per-unit values broadcast over a batch's rows (or a pack's)."""
    return values if values.ndim == 1 else values[..., None, :]


def _weighted_rows(weights, x, out) -> None:
    """``out = weights @ x`` over the rows: weights (n,) or one row per member."""
    if x.ndim == 2:
        np.dot(weights, x, out=out)
    elif weights.ndim == 1:
        np.matmul(weights, x, out=out)
    else:
        np.matmul(weights[:, None, :], x, out=out[:, None, :])
