"""Greedy ensemble selection with replacement (Caruana et al., 2004)."""

from __future__ import annotations

import numpy as np

__all__ = ["greedy_selection"]


def greedy_selection(predictions, row_losses, sample_weight=None, n_rounds=50):
    """Choose ensemble weights over candidates by greedy forward selection.

    Starting from an empty ensemble, each round adds the candidate (with
    replacement: one may be added again) whose addition gives the least
    held-out loss of the averaged predictions; the ensemble of least loss
    over all rounds is kept, and each candidate's weight is the share of the
    rounds that added it. A candidate that is best alone is the first one
    added, so the result is never worse than the best single candidate on
    these rows; mixing candidates whose errors differ can be better than any
    of them (R. Caruana, A. Niculescu-Mizil, G. Crew and A. Ksikes, "Ensemble
    Selection from Libraries of Models", ICML 2004).

    Parameters
    ----------
    predictions : ndarray of shape (n_candidates, n_rows, ...)
        Each candidate's held-out (or out-of-fold) predictions:
        probabilities, or standardised targets.
    row_losses : callable
        ``row_losses(prediction) -> ndarray of shape (n_rows,)``.
    sample_weight : ndarray of shape (n_rows,) or None, default=None
        The rows' weights.
    n_rounds : int, default=50
        Rounds of selection.

    Returns
    -------
    weights : ndarray of shape (n_candidates,)
        Non-negative, summing to one.

    Examples
    --------
    Two candidates whose errors cancel: each alone has a squared error of
    1 on every row, their mean none.

    >>> import numpy as np
    >>> target = np.zeros(4)
    >>> predictions = np.array([[1.0, -1, 1, -1], [-1.0, 1, -1, 1]])
    >>> greedy_selection(predictions, lambda p: (p - target) ** 2)
    array([0.5, 0.5])
    """
    n = predictions.shape[1]
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight)
    total = max(weights.sum(), 1e-300)

    def loss(prediction):
        return float(row_losses(prediction) @ weights) / total

    counts = np.zeros(predictions.shape[0])
    running = np.zeros_like(predictions[0], dtype=np.float64)
    best_loss, best_counts = np.inf, counts.copy()
    for size in range(1, n_rounds + 1):
        trial = [loss((running + candidate) / size) for candidate in predictions]
        pick = int(np.argmin(trial))  # ties: the first candidate
        counts[pick] += 1
        running += predictions[pick]
        if not np.isfinite(best_loss) or trial[pick] < best_loss * (1 - 1e-12):
            best_loss, best_counts = trial[pick], counts.copy()
    return best_counts / best_counts.sum()
