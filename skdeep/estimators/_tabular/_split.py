"""Which rows each member holds out: folds, or one held-out share, by content."""

from __future__ import annotations

import numpy as np

__all__ = ["assign_folds"]


def assign_folds(Z, y, sample_weight, n_folds, fraction, stratify, rng):
    """Give every row a fold, by content; -1 for rows that are never held out.

    Equal rows (features and target) share a fold, so a duplicated row never
    leaks from a member's training rows into its held-out rows, and a row of
    weight 2 is split as two equal rows are. Groups of equal rows are shuffled
    (per class, when ``stratify``) and dealt out by their weight: with
    ``n_folds >= 2``, into folds of about equal weight (every row is held out
    by exactly one fold); with ``n_folds == 1``, until the held-out fold
    reaches ``fraction`` of the weight (the other rows are never held out).
    Rows of weight 0 are never held out: they train every member, where they
    count for nothing.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        The preprocessed rows.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Targets (class labels when ``stratify``).
    sample_weight : ndarray of shape (n_samples,) or None
        Weights (at least two positive); None weighs every row 1.
    n_folds : int
        Folds; with fewer distinct rows than folds, as many folds as rows.
    fraction : float
        Share of the weight held out when ``n_folds == 1``, in (0, 1).
    stratify : bool
        Whether every fold gets its share of every class.
    rng : numpy.random.RandomState
        Shuffles the groups.

    Returns
    -------
    folds : ndarray of int of shape (n_samples,)
        Each row's fold in ``0, ..., n_folds - 1``, or -1. With too few
        distinct rows to hold any out (every class has one), every row of
        positive weight is in fold 0 and none is kept from training: the best
        epoch is then chosen on the training rows themselves.
    """
    weights = np.ones(y.shape[0]) if sample_weight is None else sample_weight
    live = np.flatnonzero(weights > 0)
    if stratify:
        _, classes = np.unique(y, return_inverse=True)
        target = classes.reshape(-1, 1)
    else:  # the targets themselves (several columns for several targets)
        target = y.reshape(y.shape[0], -1)
    content = np.column_stack([Z[live].astype(np.float64), target[live]])
    _, group = np.unique(content, axis=0, return_inverse=True)
    group = group.reshape(-1)
    n_groups = group.max() + 1
    group_weight = np.bincount(group, weights=weights[live], minlength=n_groups)
    group_class = np.zeros(n_groups, dtype=np.intp)
    if stratify:
        group_class[group] = classes[live]
    order = rng.permutation(n_groups)
    group_fold = np.full(n_groups, -1, dtype=np.intp)
    n_folds = min(n_folds, n_groups)
    for c in np.unique(group_class):
        members = order[group_class[order] == c]
        cumulative = np.cumsum(group_weight[members])
        total = cumulative[-1]
        if n_folds >= 2:
            # Each group goes to the fold its weight's middle falls in.
            middle = (cumulative - group_weight[members] / 2) / total
            group_fold[members] = np.minimum(
                (middle * n_folds).astype(int), n_folds - 1
            )
            continue
        n_held = int(np.searchsorted(cumulative, fraction * total - 1e-9)) + 1
        group_fold[members[: min(n_held, members.size - 1)]] = 0
    folds = np.full(y.shape[0], -1, dtype=np.intp)
    folds[live] = group_fold[group]
    if not (folds >= 0).any():
        folds[live] = 0  # nothing could be held out: judge on the training rows
    return folds
