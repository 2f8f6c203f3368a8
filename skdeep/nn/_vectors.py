"""Flat vectors and their views: parameters, gradients, untrained state.

Every layer declares its arrays as :class:`~skdeep.nn.layers.ParamSpec`
(group, shape). A layout stores the groups one after another, in the order
they first appear in the network, and each group's arrays in layer order; so
the Dense weights (``'coefs'``, the only L2-penalised group, and the first
to appear) are one leading, contiguous slice.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import numpy as np

from .initializers import INITIALIZERS

__all__ = ["BatchNormStats", "Layout", "Params", "Vectors"]


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
    layers : tuple of tuple of ndarray
        The same views, layer by layer, in each layer's own order.
    groups : dict of str to list of ndarray
        Every group's views by group name, those above included (the
        groups of layers such as :class:`~skdeep.nn.layers.PeriodicEmbedding`
        are found only here).

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
    layers: tuple = ()
    groups: dict = {}  # a NamedTuple default, never mutated


class BatchNormStats(NamedTuple):
    """Running means and variances of the batch-norm layers, for inference.

    Attributes
    ----------
    flat : ndarray of shape (n_state,)
        All of them in one vector (empty without batch norm).
    means, variances : list of ndarray
        One view of shape (n_units,) per batch-norm layer.
    layers : tuple of tuple of ndarray
        The same views, layer by layer (empty for layers without state).

    Examples
    --------
    >>> from skdeep.nn import Network
    >>> stats = Network([4, 3, 2], batch_norm=True).init_stats(float)
    >>> stats.means[0], stats.variances[0]
    (array([0., 0., 0.]), array([1., 1., 1.]))
    """

    flat: np.ndarray
    means: list
    variances: list
    layers: tuple = ()


class Layout:
    """Where each layer's arrays sit in a flat vector, group after group.

    Groups are stored in the order they first appear in the network (Dense
    comes first, so the L2-penalised ``'coefs'`` are one leading slice), and
    within a group in layer order. A pack of ``k`` members stores member
    after member: the vector is ``k`` rows of ``member_size``, each laid out
    as one network's, and an array of shape ``s`` is viewed as ``(k, *s)``
    (strided across members). Slices (``group_slice``, ``role_slices``) are
    positions within one member's row.
    """

    def __init__(self, specs_per_layer, n_members: int | None = None):
        self.n_members = n_members
        self.specs = [tuple(specs) for specs in specs_per_layer]
        shapes: dict[str, list] = {}
        for specs in self.specs:
            for spec in specs:
                shapes.setdefault(spec.group, []).append(spec.shape)
        self.groups = list(shapes)
        starts, offset = {}, 0
        for group, group_shapes in shapes.items():
            for i, shape in enumerate(group_shapes):
                starts[group, i] = offset
                offset += 0 if shape is None else int(np.prod(shape))
        self.member_size = offset
        self.size = offset * (1 if n_members is None else n_members)
        seen: dict[str, int] = {}
        self.starts = []  # per layer, the start of each of its arrays
        for specs in self.specs:
            layer_starts = []
            for spec in specs:
                i = seen.get(spec.group, 0)
                seen[spec.group] = i + 1
                layer_starts.append(starts[spec.group, i])
            self.starts.append(layer_starts)

    def group_size(self, group: str) -> int:
        return sum(
            int(np.prod(spec.shape))
            for specs in self.specs
            for spec in specs
            if spec.group == group and spec.shape is not None
        )

    def group_slice(self, group: str) -> slice:
        """Return the slice of the flat vector that holds a group (empty if absent)."""
        starts = [
            start
            for specs, layer_starts in zip(self.specs, self.starts, strict=True)
            for spec, start in zip(specs, layer_starts, strict=True)
            if spec.group == group
        ]
        if not starts:
            return slice(0, 0)
        return slice(min(starts), min(starts) + self.group_size(group))

    def role_slices(self, role: str) -> list:
        """Return the slices of the flat vector holding a role's arrays, merged."""
        pieces = []
        for specs, layer_starts in zip(self.specs, self.starts, strict=True):
            for spec, start in zip(specs, layer_starts, strict=True):
                if spec.role == role and spec.shape is not None:
                    pieces.append((start, start + int(np.prod(spec.shape))))
        merged = []
        for start, stop in sorted(pieces):
            if merged and merged[-1][1] == start:
                merged[-1][1] = stop
            else:
                merged.append([start, stop])
        return [slice(start, stop) for start, stop in merged]

    def take(self, groups: dict) -> tuple:
        """Per-layer tuples of the given per-group arrays."""
        seen: dict[str, int] = {}
        per_layer = []
        for specs in self.specs:
            arrays = []
            for spec in specs:
                i = seen.get(spec.group, 0)
                seen[spec.group] = i + 1
                arrays.append(None if spec.shape is None else groups[spec.group][i])
            per_layer.append(tuple(arrays))
        return tuple(per_layer)

    def rows(self, flat: np.ndarray) -> np.ndarray:
        """View ``flat`` as one row per member, ``(n_members or 1, member_size)``."""
        return flat.reshape(self.n_members or 1, self.member_size)

    def views(self, flat: np.ndarray):
        """Per-group lists and per-layer tuples of views into ``flat``."""
        if flat.shape != (self.size,):
            raise ValueError(
                f"Expected a vector of {self.size} parameters, got {flat.shape}."
            )
        if self.n_members is not None:
            flat = self.rows(flat)  # (k, member_size): views get a member axis
        groups: dict[str, list] = {g: [] for g in self.groups}
        per_layer = []
        for specs, layer_starts in zip(self.specs, self.starts, strict=True):
            views = []
            for spec, start in zip(specs, layer_starts, strict=True):
                view = None
                if spec.shape is not None:
                    size = int(np.prod(spec.shape))
                    view = flat[..., start : start + size].reshape(
                        *flat.shape[:-1], *spec.shape
                    )
                groups[spec.group].append(view)
                views.append(view)
            per_layer.append(tuple(views))
        return groups, tuple(per_layer)


def fill(vector, groups) -> None:
    """Copy per-group lists of arrays into a Params or BatchNormStats."""
    for name, values in groups.items():
        views = (
            vector.groups[name] if hasattr(vector, "groups") else getattr(vector, name)
        )
        for view, value in zip(views, values, strict=True):
            if view is not None:
                view[...] = value


class Vectors:
    """The flat vectors of a stack of layers: views, packing and initial values.

    Parameters
    ----------
    layers : sequence of Layer
        The stack; each layer's ``params`` and ``state`` specs.
    activation : str
        The hidden activation, for the initializers that depend on it.
    n_members : int or None, default=None
        Members of a pack: every array gets a leading member axis.

    Attributes
    ----------
    params, state : Layout
        Where each layer's arrays sit in the parameter and the state vector.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> vectors = Network([2, 3, 1], loss="binary_log_loss").vectors
    >>> params = vectors.init_params(np.random.RandomState(0), np.float64)
    >>> vectors.params.size, [c.shape for c in params.coefs]
    (13, [(2, 3), (3, 1)])
    """

    def __init__(self, layers, activation: str, n_members: int | None = None):
        self.layers = list(layers)
        self.activation = activation
        self.n_members = n_members
        self.params = Layout([layer.params for layer in self.layers], n_members)
        self.state = Layout([layer.state for layer in self.layers], n_members)

    def shapes(self, group: str) -> list:
        """Shapes of a parameter group's arrays, layer by layer.

        Parameters
        ----------
        group : str
            ``'coefs'``, ``'intercepts'``, ``'bn_scales'`` or ``'bn_offsets'``.

        Returns
        -------
        shapes : list of tuple
        """
        return [
            spec.shape
            for layer in self.layers
            for spec in layer.params
            if spec.group == group
        ]

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
        groups, per_layer = self.params.views(flat)
        return Params(
            flat,
            groups.get("coefs", []),
            groups.get("intercepts", []),
            groups.get("bn_scales", []),
            groups.get("bn_offsets", []),
            per_layer,
            groups,
        )

    def unpack_stats(self, flat: np.ndarray) -> BatchNormStats:
        """View a flat state vector as per-layer statistics (no copy).

        Parameters
        ----------
        flat : ndarray of shape (n_state,)
            Running statistics in this network's layout.

        Returns
        -------
        stats : BatchNormStats
        """
        groups, per_layer = self.state.views(flat)
        return BatchNormStats(
            flat, groups.get("means", []), groups.get("variances", []), per_layer
        )

    def view_groups(self, **groups) -> Params:
        """Params over existing per-group arrays, without copying them.

        For inference on fitted arrays; the result has no flat vector.

        Parameters
        ----------
        **groups : list of ndarray
            Every parameter group of the network (``coefs``, ``intercepts``
            and, with batch norm, ``bn_scales`` and ``bn_offsets``).

        Returns
        -------
        params : Params
            ``flat`` is None; the per-layer views are the given arrays.
        """
        named = ("coefs", "intercepts", "bn_scales", "bn_offsets")
        return Params(
            None,
            **{name: groups.get(name, []) for name in named},
            layers=self.params.take(groups),
            groups=dict(groups),
        )

    def view_stats(self, **groups) -> BatchNormStats:
        """BatchNormStats over existing per-group arrays, without copying.

        Parameters
        ----------
        **groups : list of ndarray
            Every state group (``means``, ``variances``), or none.

        Returns
        -------
        stats : BatchNormStats
            ``flat`` is None.
        """
        means, variances = groups.get("means", []), groups.get("variances", [])
        return BatchNormStats(None, means, variances, self.state.take(groups))

    def pack(self, dtype, **groups) -> Params:
        """Copy per-group lists of arrays into a new flat vector.

        Parameters
        ----------
        dtype : numpy.dtype
            Dtype of the new vector.
        **groups : list of array-like
            ``coefs``, ``intercepts`` (ignored entries where a layer has no
            bias), ``bn_scales``, ``bn_offsets``: every group of the network.

        Returns
        -------
        params : Params
            The new vector and its views.
        """
        params = self.unpack(np.empty(self.params.size, dtype=dtype))
        fill(params, groups)
        return params

    def pack_stats(self, dtype, **groups) -> BatchNormStats:
        """Copy per-group lists (``means``, ``variances``) into a new vector.

        Parameters
        ----------
        dtype : numpy.dtype
            Dtype of the new vector.
        **groups : list of array-like
            Every state group of the network.

        Returns
        -------
        stats : BatchNormStats
        """
        stats = self.unpack_stats(np.empty(self.state.size, dtype=dtype))
        fill(stats, groups)
        return stats

    def init_params(self, rng, dtype, init: str = "glorot_uniform_sklearn") -> Params:
        """Draw initial parameters, layer by layer.

        Parameters
        ----------
        rng : RandomState, Generator, or a sequence of them
            The one source of randomness; for a pack, one per member (a
            single one is drawn from member after member). Each member draws
            what a single network drawing from its source would.
        dtype : numpy.dtype
            Dtype of the parameters.
        init : str, default='glorot_uniform_sklearn'
            A key of :data:`skdeep.nn.initializers.INITIALIZERS`.

        Returns
        -------
        params : Params
            Freshly initialised parameters (batch norm starts as the
            identity).
        """
        initializer = partial(INITIALIZERS[init], activation=self.activation)
        params = self.unpack(np.empty(self.params.size, dtype=dtype))
        if self.n_members is None:
            self._init_member(params.layers, rng, dtype, initializer)
            return params
        sources = list(rng) if isinstance(rng, list | tuple) else [rng] * self.n_members
        if len(sources) != self.n_members:
            raise ValueError(
                f"Got {len(sources)} random sources for {self.n_members} members."
            )
        for member, source in enumerate(sources):
            views = [
                [None if v is None else v[member] for v in layer]
                for layer in params.layers
            ]
            self._init_member(views, source, dtype, initializer)
        return params

    def _init_member(self, layer_views, rng, dtype, initializer) -> None:
        for layer, views in zip(self.layers, layer_views, strict=True):
            values = iter(layer.init_params(rng, dtype, initializer))
            for view in views:
                if view is not None:
                    view[...] = next(values)

    def take_members(self, flat: np.ndarray, index, state: bool = False):
        """Return a new flat vector of the members ``index`` of a pack.

        Parameters
        ----------
        flat : ndarray
            A parameter (or optimizer-state) vector of this layout, or a
            state vector with ``state=True``.
        index : array-like of int
            The members kept, in order.
        state : bool, default=False
            Whether ``flat`` is laid out as the state vector.

        Returns
        -------
        taken : ndarray of shape (len(index) * member_size,)
        """
        layout = self.state if state else self.params
        return layout.rows(flat)[np.asarray(index)].reshape(-1)

    def init_stats(self, dtype) -> BatchNormStats:
        """Return the running statistics of a fresh network (zeros and ones).

        Parameters
        ----------
        dtype : numpy.dtype
            Floating dtype.

        Returns
        -------
        stats : BatchNormStats
            An empty vector without batch norm.
        """
        stats = self.unpack_stats(np.empty(self.state.size, dtype=dtype))
        for layer, views in zip(self.layers, stats.layers, strict=True):
            for view, value in zip(views, layer.init_state(dtype), strict=True):
                view[...] = value
        return stats
