"""The held-out rows that choose the best epoch and the blend."""

from __future__ import annotations

import numpy as np

__all__ = ["held_out_split"]


def held_out_split(Z, y, sample_weight, fraction, stratify, rng):
    """Split rows into training and held-out rows, by content.

    Equal rows (features and target) go to the same side, so a duplicated
    row never leaks from training into validation, and a row of weight 2 is
    split as two equal rows are. Groups of equal rows are drawn at random
    (per class, when ``stratify``) until their weight reaches ``fraction``.
    Rows of weight 0 stay in training, where they count for nothing.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        The preprocessed rows.
    y : ndarray of shape (n_samples,)
        Targets (class labels when ``stratify``).
    sample_weight : ndarray of shape (n_samples,) or None
        Weights (at least two positive); None weighs every row 1.
    fraction : float
        Share of the weight to hold out, in (0, 1).
    stratify : bool
        Whether to hold out that share of every class.
    rng : numpy.random.RandomState
        Draws the groups.

    Returns
    -------
    train, held : ndarray of int
        Row indices. With too few distinct rows to hold any out (every class
        has one), ``train`` is every row and ``held`` the rows of positive
        weight: the best epoch is then chosen on the training rows.
    """
    weights = np.ones(y.shape[0]) if sample_weight is None else sample_weight
    live = np.flatnonzero(weights > 0)
    _, classes = np.unique(y, return_inverse=True)
    content = np.column_stack([Z[live].astype(np.float64), classes[live]])
    if not stratify:
        content[:, -1] = y[live]
    _, group = np.unique(content, axis=0, return_inverse=True)
    group = group.reshape(-1)
    n_groups = group.max() + 1
    group_weight = np.bincount(group, weights=weights[live], minlength=n_groups)
    group_class = np.zeros(n_groups, dtype=np.intp)
    if stratify:
        group_class[group] = classes[live]
    order = rng.permutation(n_groups)
    held = np.zeros(n_groups, dtype=bool)
    for c in np.unique(group_class):
        members = order[group_class[order] == c]
        target = fraction * group_weight[members].sum()
        cumulative = np.cumsum(group_weight[members])
        n_held = int(np.searchsorted(cumulative, target - 1e-9)) + 1
        held[members[: min(n_held, members.size - 1)]] = True
    if not held.any():
        return np.arange(y.shape[0]), live
    val = live[held[group]]
    train = np.setdiff1d(np.arange(y.shape[0]), val)
    return train, val
