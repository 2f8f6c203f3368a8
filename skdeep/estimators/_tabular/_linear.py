"""The linear model's inputs: coded categories one-hot, or looked up."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["linear_coefficients", "linear_inputs", "linear_scores"]


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
    linear : fitted linear model, or list of them
        With ``coef_`` and ``intercept_`` (a list: one model per label).
    Z : ndarray of shape (n_samples, n_features)
        The preprocessed rows.
    coded : dict
        As for :func:`linear_inputs`.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_scores)
    """
    coef, intercept = linear_coefficients(linear)
    kept = np.setdiff1d(np.arange(Z.shape[1]), list(coded))
    scores = Z[:, kept].astype(np.float64) @ coef[:, : kept.size].T
    scores += intercept
    offset = kept.size
    for column, n_codes in coded.items():
        codes = Z[:, column].astype(np.intp)
        scores += coef[:, offset + codes].T
        offset += n_codes
    return scores


def linear_coefficients(linear) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(coef, intercept)`` of shapes (n_scores, n_inputs), (n_scores,).

    Parameters
    ----------
    linear : fitted linear model, or list of them
        A list (one model per label) stacks its models' scores.

    Returns
    -------
    coef, intercept : ndarray
        Weights and biases of every score.
    """
    models = linear if isinstance(linear, list) else [linear]
    coef = np.vstack([np.atleast_2d(model.coef_) for model in models])
    intercept = np.concatenate([np.atleast_1d(model.intercept_) for model in models])
    return coef, intercept
