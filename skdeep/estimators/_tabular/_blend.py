"""The blend of the networks with a linear model, and the linear model's inputs."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["BLEND_GRID", "blend_weight", "linear_inputs", "linear_scores"]

#: Blend weights of the networks tried against the linear model.
BLEND_GRID = np.linspace(0.0, 1.0, 21)


def blend_weight(net, linear, row_losses, sample_weight=None) -> float:
    """Return the networks' share in the blend, by the one-standard-error rule.

    The weight of least held-out loss is the best guess, but on a few
    hundred held-out rows (on which the networks' best epoch was chosen
    too) the differences between weights are mostly noise. As in the
    one-standard-error rule of Breiman et al. (1984) for choosing the size
    of a tree, the simplest candidate -- here the most linear, the smallest
    weight -- whose mean loss is within one standard error of the best
    one's is kept; the standard error is that of the mean of the per-row
    loss differences, sample weights counting as repetitions.

    Parameters
    ----------
    net, linear : ndarray
        The networks' and the linear model's predictions on the held-out
        rows (probabilities, or standardised targets).
    row_losses : callable
        ``row_losses(prediction) -> ndarray of shape (n_rows,)``.
    sample_weight : ndarray of shape (n_rows,) or None
        The held-out rows' weights.

    Returns
    -------
    weight : float
        A value of :data:`BLEND_GRID`.
    """
    n = net.shape[0]
    weights = np.ones(n) if sample_weight is None else sample_weight
    total = weights.sum()
    losses = np.array([row_losses(w * net + (1 - w) * linear) for w in BLEND_GRID])
    means = losses @ weights / total
    # Ties go to the network: the largest weight of least loss.
    best = np.flatnonzero(np.isclose(means, means.min(), rtol=1e-12, atol=0))[-1]
    for i in range(best + 1):
        diff = losses[i] - losses[best]
        mean = diff @ weights / total
        variance = ((diff - mean) ** 2) @ weights / total
        if mean <= np.sqrt(variance / max(total, 1.0)):
            return float(BLEND_GRID[i])
    return float(BLEND_GRID[best])


def linear_inputs(Z, coded: dict):
    """Return the preprocessed matrix with every coded category one-hot.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        The preprocessed rows.
    coded : dict
        Column -> number of codes, of the columns holding category codes
        (the preprocessor's ``embedded_categories_``).

    Returns
    -------
    X : ndarray or sparse matrix
        ``Z`` itself without coded columns; otherwise the other columns and
        one indicator column per code, sparse.
    """
    if not coded:
        return Z
    kept = np.setdiff1d(np.arange(Z.shape[1]), np.fromiter(coded, dtype=np.intp))
    blocks = [sp.csr_matrix(Z[:, kept])]
    for column, n_codes in coded.items():
        codes = Z[:, column].astype(np.intp)
        blocks.append(
            sp.csr_matrix(
                (np.ones(codes.size), (np.arange(codes.size), codes)),
                shape=(codes.size, n_codes),
            )
        )
    return sp.hstack(blocks, format="csr")


def linear_scores(linear, Z, coded: dict):
    """Return the linear model's decision values on the preprocessed ``Z``.

    What ``linear.decision_function(linear_inputs(Z, coded))`` returns,
    without building the one-hot matrix: a coded column adds the weight of
    its code.

    Parameters
    ----------
    linear : fitted linear model
        With ``coef_`` and ``intercept_``.
    Z : ndarray of shape (n_samples, n_features)
        The preprocessed rows.
    coded : dict
        As for :func:`linear_inputs`.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_scores)
    """
    coef = np.atleast_2d(linear.coef_)
    kept = np.setdiff1d(np.arange(Z.shape[1]), list(coded))
    scores = Z[:, kept].astype(np.float64) @ coef[:, : kept.size].T
    scores += linear.intercept_
    offset = kept.size
    for column, n_codes in coded.items():
        codes = Z[:, column].astype(np.intp)
        scores += coef[:, offset + codes].T
        offset += n_codes
    return scores
