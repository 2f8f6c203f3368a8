"""What differs between a pack's members, and what their training did."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["HeldOut", "Members", "PackProgress", "held_out"]


@dataclass
class Members:
    """What differs between the members of a pack, beyond their weights.

    Attributes
    ----------
    train_rows : list of ndarray of int
        The rows of ``problem.X`` each member trains on.
    val_rows : list of ndarray of int
        The rows each member is judged on after every epoch (its best epoch
        is chosen, and its early stopping decided, on them).
    rngs : list of numpy.random.RandomState
        Each member's source for shuffling its rows.
    learning_rates : ndarray of shape (n_members,) or None, default=None
        Factors of the scheduled learning rate, one per member.
    weight_decays : ndarray of shape (n_members,) or None, default=None
        Factors of the weight decay, one per member.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.training import Members
    >>> rows = np.arange(10)
    >>> members = Members([rows[:8], rows[2:]], [rows[8:], rows[:2]],
    ...                   [np.random.RandomState(0), np.random.RandomState(1)])
    >>> members.n_members
    2
    """

    train_rows: list
    val_rows: list
    rngs: list
    learning_rates: np.ndarray | None = None
    weight_decays: np.ndarray | None = None

    @property
    def n_members(self) -> int:
        """Number of members."""
        return len(self.train_rows)


@dataclass
class PackProgress:
    """What a pack's training did, member by member.

    Attributes
    ----------
    n_iter : ndarray of shape (n_members,)
        Epochs each member trained.
    best_epoch : ndarray of shape (n_members,)
        Each member's epoch of least held-out loss (from 1), whose weights
        it ends with.
    best_loss : ndarray of shape (n_members,)
        That held-out loss (without label smoothing or penalty).
    stopped : ndarray of shape (n_members,), dtype object
        Why each member stopped: ``'patience'``, ``'max_iter'``,
        ``'max_time'``, ``'diverged'`` (its held-out loss or weights stopped
        being finite, or the loss ran away; it keeps its best epoch, or its
        first weights if it had none) or ``'interrupted'``.
    loss_curve : list of float
        The training loss of each epoch, averaged over the members training.
    validation_curve : list of ndarray of shape (n_members,)
        Each epoch's held-out loss of every member (NaN once it stopped).
    best_raw : ndarray of shape (n_members, n_val, n_outputs) or None
        Each member's raw scores on its held-out rows (``Members.val_rows``,
        in that order, padded to the longest) at its best epoch.
    epoch_seconds : list of float
        How long each epoch took.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.training import PackProgress
    >>> progress = PackProgress.start(2)
    >>> progress.n_iter, progress.best_loss
    (array([0, 0]), array([inf, inf]))
    """

    n_iter: np.ndarray
    best_epoch: np.ndarray
    best_loss: np.ndarray
    stopped: np.ndarray
    loss_curve: list = field(default_factory=list)
    validation_curve: list = field(default_factory=list)
    best_raw: np.ndarray | None = None
    epoch_seconds: list = field(default_factory=list)

    @classmethod
    def start(cls, n_members: int) -> PackProgress:
        """Return the progress of a pack about to train.

        Parameters
        ----------
        n_members : int
            Members of the pack.

        Returns
        -------
        progress : PackProgress
        """
        return cls(
            n_iter=np.zeros(n_members, dtype=int),
            best_epoch=np.zeros(n_members, dtype=int),
            best_loss=np.full(n_members, np.inf),
            stopped=np.full(n_members, "", dtype=object),
        )


@dataclass
class HeldOut:
    """Each member's held-out rows, padded to the longest, and their targets."""

    rows: np.ndarray  # (k, longest) row indices
    counts: np.ndarray  # (k,) real rows
    target: list  # per member, its rows' targets
    weight: list  # per member, its rows' weights in the mean loss


def held_out(problem, val_rows, dtype) -> HeldOut:
    """Gather each member's held-out rows, targets and weights."""
    counts = np.array([len(rows) for rows in val_rows])
    if counts.min() < 1:
        raise ValueError("Every member of a pack needs held-out rows.")
    rows = np.stack([np.resize(np.asarray(r, np.intp), counts.max()) for r in val_rows])
    target = [problem.target[np.asarray(r)] for r in val_rows]
    target = [t if t.dtype == np.intp else t.astype(dtype) for t in target]
    weight = []
    for r in val_rows:
        sw = problem.sample_weight
        if sw is None or sw[r].sum() <= 0:
            weight.append(1.0 / len(r))
        else:
            weight.append(sw[r] / sw[r].sum())
    return HeldOut(rows, counts, target, weight)
