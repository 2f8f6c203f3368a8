"""Learned embeddings of categorical features given as integer codes."""

from __future__ import annotations

import numpy as np

from ._base import Layer, LayerContext, ParamSpec
from ._front_scale import dense

__all__ = ["CategoryEmbedding"]


class _CategoryBuffers:
    __slots__ = ("index", "out", "table_grad")

    def __init__(self, n_rows, layer, dtype):
        lead = layer.lead
        self.index = np.empty((*lead, n_rows, layer.n_embedded), dtype=np.intp)
        self.out = np.empty((*lead, n_rows, layer.n_outputs), dtype=dtype)
        # A pack's tables, one after another (its gradient is summed there).
        self.table_grad = (
            np.empty((layer.n_members * layer.n_rows_table, layer.n_units), dtype)
            if lead
            else None
        )


class CategoryEmbedding(Layer):
    r"""A learned vector per category of each categorical input column.

    Column :math:`j` holds integer codes :math:`0, \dots, c_j - 1` (as
    floats); code :math:`m` becomes row :math:`m` of a trainable table
    :math:`E_j` of shape :math:`(c_j, d)`, as PyTorch's ``nn.Embedding``.
    Code 0 means "missing or unseen": its row starts at zero (the others at
    :math:`N(0, 1)`, ``nn.Embedding``'s default), so a category never seen in
    training contributes nothing. A code outside :math:`[0, c_j)` is read as
    0. The tables share one array (group ``'category_embeddings'``, role
    ``'embeddings'``), column after column.

    Parameters
    ----------
    n_features : int
        Number of input columns.
    embedded : sequence of int
        The columns that hold codes.
    cardinalities : sequence of int
        Number of codes :math:`c_j` of each embedded column, code 0 included.
    n_units : int, default=8
        Width :math:`d` of every embedding (RealMLP-TD's ``embedding_size``).
    n_members : int or None, default=None
        Members of a pack, each with its own tables.

    Attributes
    ----------
    n_outputs : int
        Output width: the other columns, in their order, then ``n_units``
        columns per embedded column.

    Notes
    -----
    The gradient of a table row is the sum of the output gradients of the
    rows that hold its code; the codes get no gradient (the layer sits at
    the network's input).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import CategoryEmbedding
    >>> layer = CategoryEmbedding(3, embedded=[1], cardinalities=[4], n_units=2)
    >>> (table,) = layer.init_params(np.random.RandomState(0), np.float64, None)
    >>> table.shape, layer.n_outputs
    ((4, 2), 4)
    >>> out = layer.infer(np.array([[0.5, 2.0, -1.0]]), (table,), ())
    >>> bool(np.all(out[0, 2:] == table[2]))
    True
    """

    def __init__(
        self,
        n_features: int,
        embedded,
        cardinalities,
        n_units: int = 8,
        n_members: int | None = None,
    ):
        self.n_members = n_members
        self.n_features = int(n_features)
        self.embedded = np.asarray(embedded, dtype=np.intp).reshape(-1)
        self.cardinalities = np.asarray(cardinalities, dtype=np.intp).reshape(-1)
        if self.embedded.size == 0 or self.embedded.size != self.cardinalities.size:
            raise ValueError(
                "CategoryEmbedding needs one cardinality per embedded column and "
                f"at least one column; got {self.embedded.size} column(s) and "
                f"{self.cardinalities.size} cardinalities."
            )
        if (self.cardinalities < 1).any() or int(n_units) < 1:
            raise ValueError("cardinalities and n_units must be positive integers.")
        if self.embedded.min() < 0 or self.embedded.max() >= self.n_features:
            raise ValueError(
                f"embedded columns must lie in [0, {self.n_features}); got "
                f"{self.embedded.tolist()}."
            )
        self.n_units = int(n_units)
        self.n_embedded = self.embedded.size
        self.passthrough = np.setdiff1d(np.arange(self.n_features), self.embedded)
        self.offsets = np.concatenate([[0], np.cumsum(self.cardinalities)[:-1]])
        self.n_rows_table = int(self.cardinalities.sum())
        self.n_outputs = self.passthrough.size + self.n_embedded * self.n_units
        self.params = (
            ParamSpec(
                "category_embeddings", (self.n_rows_table, self.n_units), "embeddings"
            ),
        )

    def init_params(self, rng, dtype, initializer) -> tuple:
        """Draw the tables: N(0, 1), zero rows for code 0.

        Parameters
        ----------
        rng : numpy.random.RandomState or numpy.random.Generator
            Source of randomness.
        dtype : numpy.dtype
            Floating dtype.
        initializer : callable
            Unused: the embedding has its own scheme (see the class).

        Returns
        -------
        values : tuple of ndarray
            ``(table,)`` of shape (sum of cardinalities, n_units).
        """
        table = rng.normal(0.0, 1.0, (self.n_rows_table, self.n_units))
        table[self.offsets] = 0.0
        return (table.astype(dtype),)

    def buffers(self, n_rows: int, dtype, input_grad: bool) -> _CategoryBuffers:
        """Make the buffers of a batch of up to ``n_rows`` rows.

        Parameters
        ----------
        n_rows : int
            Largest batch.
        dtype : numpy.dtype
            Floating dtype.
        input_grad : bool
            Unused: codes have no gradient.

        Returns
        -------
        buffers : object
        """
        return _CategoryBuffers(n_rows, self, dtype)

    def table_index(self, x, out=None) -> np.ndarray:
        """Return the table rows of the codes in ``x``'s embedded columns.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Batch.
        out : ndarray of shape (n_samples, n_embedded), dtype intp, default=None
            Where to write the rows.

        Returns
        -------
        index : ndarray of shape (n_samples, n_embedded)
        """
        codes = x[..., self.embedded]
        valid = (codes >= 0) & (codes < self.cardinalities)  # False for NaN
        np.copyto(codes, 0, where=~valid)
        if out is None:
            out = np.empty(codes.shape, dtype=np.intp)
        np.copyto(out, codes, casting="unsafe")
        out += self.offsets
        return out

    def _embed(self, x, table, index, out):
        width = self.passthrough.size
        out[..., :width] = x[..., self.passthrough]
        emb = out[..., width:].reshape(*out.shape[:-1], self.n_embedded, self.n_units)
        if table.ndim == 2:
            np.take(table, index, axis=0, out=emb)
        else:  # a pack: member m's rows from its own table
            emb[...] = table[np.arange(table.shape[0])[:, None, None], index]
        return out

    def forward(self, x, ctx: LayerContext) -> np.ndarray:
        """Look the codes up into the output buffer.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Input batch; left unchanged.
        ctx : LayerContext
            Views and buffers; keeps the table rows for :meth:`backward`.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        x = dense(x)
        n = x.shape[-2]
        index = self.table_index(x, out=ctx.buffers.index[..., :n, :])
        return self._embed(x, ctx.params[0], index, ctx.buffers.out[..., :n, :])

    def infer(self, x, params: tuple, state: tuple) -> np.ndarray:
        """Look the codes up into a new array.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
            Input batch; left unchanged.
        params : tuple of ndarray
            ``(table,)``.
        state : tuple
            Unused.

        Returns
        -------
        y : ndarray of shape (n_samples, n_outputs)
        """
        x = dense(x)
        table = params[0]
        lead = table.shape[:-2]
        out = np.empty((*lead, x.shape[-2], self.n_outputs), dtype=table.dtype)
        return self._embed(x, table, self.table_index(x), out)

    def backward(self, dy: np.ndarray, ctx: LayerContext) -> None:
        """Sum the output gradients into the table rows; no input gradient.

        Parameters
        ----------
        dy : ndarray of shape (n_samples, n_outputs)
            Gradient at the output.
        ctx : LayerContext
            After :meth:`forward`.

        Returns
        -------
        dx : None
            The codes have no gradient.
        """
        n = dy.shape[-2]
        index = ctx.buffers.index[..., :n, :]
        d_emb = dy[..., self.passthrough.size :].reshape(-1, self.n_units)
        d_table, rows = ctx.grads[0], self.n_rows_table
        if self.n_members is not None:
            # Member m's rows are rows m * R, ..., m * R + R - 1 of one table.
            offsets = np.arange(self.n_members)[:, None, None] * rows
            index, rows = index + offsets, rows * self.n_members
            flat, d_table = d_table, ctx.buffers.table_grad
        index = index.reshape(-1)
        for unit in range(self.n_units):  # one bincount per unit, no add.at
            d_table[:, unit] = np.bincount(
                index, weights=d_emb[:, unit], minlength=rows
            )
        if self.n_members is not None:
            flat[...] = d_table.reshape(flat.shape)
        return None
