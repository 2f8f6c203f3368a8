"""The linear model's inputs: coded categories one-hot, or looked up."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, softmax
from sklearn.linear_model import LogisticRegression

__all__ = [
    "constant_logistic",
    "linear_coefficients",
    "linear_inputs",
    "linear_scores",
    "logistic_probabilities",
]


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


def logistic_probabilities(scores, known, classes) -> np.ndarray:
    """Return ``LogisticRegression.predict_proba`` from its decision values.

    A sigmoid for two classes, the softmax otherwise; the columns of the
    ``classes`` missing from the rows it was fit on (``known``) get 0.
    """
    if scores.shape[1] == 1:
        p = expit(scores[:, 0])
        proba = np.column_stack([1 - p, p])
    else:
        proba = softmax(scores, axis=1)
    if known.size == classes.size:
        return proba
    out = np.zeros((scores.shape[0], classes.size))
    out[:, np.searchsorted(classes, known)] = proba
    return out


def constant_logistic(labels, sample_weight, n_features) -> LogisticRegression:
    """Return a fitted logistic regression that predicts one rate everywhere.

    For a label with one value on the rows (which ``LogisticRegression``
    cannot fit): the weighted share of ones, pulled towards 1/2 by half a
    row each way, so that the rate is never exactly 0 or 1.
    """
    weights = np.ones(len(labels)) if sample_weight is None else sample_weight
    rate = (labels @ weights + 0.5) / (weights.sum() + 1)
    model = LogisticRegression()
    model.classes_ = np.array([0, 1])
    model.coef_ = np.zeros((1, n_features))
    model.intercept_ = np.array([np.log(rate / (1 - rate))])
    model.n_features_in_, model.n_iter_ = n_features, np.array([0])
    return model
