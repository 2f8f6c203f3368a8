r"""Learning-rate schedules for the stochastic solvers, and schedule shapes.

A shape is a multiplier :math:`s(p)` of the training progress
:math:`p = \text{step} / \text{total steps}` in [0, 1]. :data:`SHAPES` holds
them by name; :class:`LearningRateSchedule` scales the learning rate by one,
and :func:`schedule_factor` evaluates one (after an optional warm-up) for
any other hyperparameter that follows a schedule, such as a dropout rate or
a weight decay.

.. list-table::
   :header-rows: 1

   * - name
     - :math:`s(p)`
     - source
   * - ``'constant'``
     - :math:`1`
     -
   * - ``'cosine'``
     - :math:`\tfrac12 (1 + \cos \pi p)`
     - SGDR (Loshchilov & Hutter, ICLR 2017) without restarts; PyTorch's
       ``CosineAnnealingLR`` with ``eta_min=0``; RealMLP's ``'cos'``
   * - ``'coslog4'``
     - :math:`\tfrac12 (1 - \cos(2 \pi \log_2(1 + 15 p)))`
     - RealMLP (Holzmüller et al., NeurIPS 2024): four cycles of 1/15,
       2/15, 4/15 and 8/15 of training, each rising from 0 to 1 and back;
       pytabkit's ``CoslogFunc`` (``models/training/scheduling.py``)
   * - ``'flat_cosine'``
     - :math:`1` for :math:`p < \tfrac12`, then
       :math:`\tfrac12 (1 + \cos \pi (2p - 1))`
     - RealMLP's ``'flat_cos'`` (its dropout and weight-decay schedule)

pytabkit evaluates a shape at the progress before each step, so the first
step of ``'coslog4'`` has rate 0, as here at step 0.

Examples
--------
>>> from skdeep.optim.schedules import SHAPES
>>> [round(SHAPES[name](0.75), 4) for name in SHAPES]
[1.0, 0.1464, 0.8757, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "SCHEDULES",
    "SHAPES",
    "LearningRateSchedule",
    "ScheduleState",
    "schedule_factor",
]


def constant(progress: float) -> float:
    """Return 1: the constant shape."""
    return 1.0


def cosine(progress: float) -> float:
    """Return the cosine annealing from 1 at the start to 0 at the end."""
    return 0.5 * (1.0 + math.cos(math.pi * progress))


def coslog4(progress: float) -> float:
    """Return RealMLP's cosine with four log-spaced restarts."""
    return 0.5 * (1.0 - math.cos(2.0 * math.pi * math.log2(1.0 + 15.0 * progress)))


def flat_cosine(progress: float) -> float:
    """Return 1 for the first half of training, then a cosine down to 0."""
    if progress < 0.5:
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * (2.0 * progress - 1.0)))


#: Schedule shapes by name: multipliers of the training progress in [0, 1].
SHAPES: dict[str, Callable[[float], float]] = {
    "constant": constant,
    "cosine": cosine,
    "coslog4": coslog4,
    "flat_cosine": flat_cosine,
}

#: The schedules :class:`LearningRateSchedule` knows: scikit-learn's
#: per-epoch ones, then the step-based shapes.
SCHEDULES = ("constant", "invscaling", "adaptive") + tuple(
    kind for kind in SHAPES if kind != "constant"
)


def schedule_factor(kind: str, progress: float, warmup: float = 0.0) -> float:
    r"""Evaluate a schedule shape, after an optional linear warm-up.

    Parameters
    ----------
    kind : {'constant', 'cosine', 'coslog4', 'flat_cosine'}
        Name of the shape in :data:`SHAPES`.
    progress : float
        Training progress :math:`p` in [0, 1], the index of the step about
        to be made divided by the number of steps.
    warmup : float, default=0.0
        Fraction :math:`w` in [0, 1) of training spent rising linearly from
        0 to 1 before the shape starts.

    Returns
    -------
    factor : float
        The multiplier of the hyperparameter at this point of training.

    Raises
    ------
    ValueError
        For an unknown kind, or a progress or warm-up out of range.

    Notes
    -----
    With shape :math:`s`, the shape is squeezed into what follows the
    warm-up:

    .. math::

        f(p) = \begin{cases}
            p / w & p < w, \\
            s\left(\frac{p - w}{1 - w}\right) & p \geq w.
        \end{cases}

    For ``'cosine'`` with :math:`p` the step over the number of steps this
    is Hugging Face transformers' ``get_cosine_schedule_with_warmup``
    (``src/transformers/optimization.py``, ``num_cycles=0.5``) with
    :math:`w` the warm-up steps over the number of steps. Without warm-up
    :math:`f = s` exactly.

    Examples
    --------
    >>> from skdeep.optim import schedule_factor
    >>> schedule_factor("cosine", 0.0), schedule_factor("cosine", 1.0)
    (1.0, 0.0)
    >>> round(schedule_factor("cosine", 0.05, warmup=0.1), 12)  # half warmed up
    0.5
    >>> schedule_factor("flat_cosine", 0.25)  # e.g. for a dropout rate
    1.0
    """
    if kind not in SHAPES:
        raise ValueError(f"Unknown schedule shape {kind!r}; expected {tuple(SHAPES)}.")
    if not 0.0 <= progress <= 1.0:
        raise ValueError(f"progress must be in [0, 1]; got {progress!r}.")
    if not 0.0 <= warmup < 1.0:
        raise ValueError(f"warmup must be in [0, 1); got {warmup!r}.")
    if progress < warmup:
        return progress / warmup
    return SHAPES[kind]((progress - warmup) / (1.0 - warmup))


@dataclass
class ScheduleState:
    """The state of a :class:`LearningRateSchedule`: the current rate.

    Attributes
    ----------
    learning_rate : float
        Step size of the next update.

    Examples
    --------
    >>> from skdeep.optim import LearningRateSchedule
    >>> LearningRateSchedule("constant", 0.01).init()
    ScheduleState(learning_rate=0.01)
    """

    learning_rate: float


@dataclass(frozen=True)
class LearningRateSchedule:
    r"""``MLPClassifier``'s ``learning_rate`` schedules, and step-based shapes.

    Parameters
    ----------
    kind : {'constant', 'invscaling', 'adaptive', 'cosine', 'coslog4', 'flat_cosine'}
        Schedule: one of :data:`SCHEDULES`.
    learning_rate_init : float
        Initial learning rate :math:`\eta_0`.
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.
    min_learning_rate : float, default=1e-6
        ``'adaptive'`` stops training once the rate is at or below this.
    warmup : float, default=0.0
        Fraction of the steps over which a step-based schedule (or
        ``'constant'``) first rises linearly from 0, in [0, 1); must be 0
        for ``'invscaling'`` and ``'adaptive'``.

    Notes
    -----
    scikit-learn's schedules change the rate between epochs:

    - ``'constant'``: :math:`\eta = \eta_0`.
    - ``'invscaling'``: after each epoch, :math:`\eta = \eta_0 / (t + 1)^{p}`
      where :math:`t` is the number of samples seen so far.
    - ``'adaptive'``: :math:`\eta` is divided by 5 each time the stopping
      criterion fires, instead of stopping, until it reaches
      ``min_learning_rate``.

    The step-based ones (:attr:`per_step`) set it before every update,
    from the index :math:`k` of the update about to be made among
    :math:`K`:

    - ``'cosine'``, ``'coslog4'``, ``'flat_cosine'`` (and ``'constant'``
      with a warm-up): :math:`\eta = \eta_0 f(k / K)`, with :math:`f` the
      shape of that name in :data:`SHAPES` after the warm-up, as computed by
      :func:`schedule_factor`.

    So the first update of ``'cosine'`` without warm-up has the full rate
    :math:`\eta_0` and the last one
    :math:`\eta_0 \tfrac{1}{2}(1 + \cos(\pi (K - 1) / K))`, small and
    positive; the rate would reach 0 only at :math:`k = K`, after training.
    The first update of ``'coslog4'`` (and of any warm-up) has rate 0, as in
    RealMLP.

    Examples
    --------
    >>> from skdeep.optim import LearningRateSchedule
    >>> schedule = LearningRateSchedule("invscaling", 0.1, power_t=0.5)
    >>> state = schedule.init()
    >>> schedule.on_epoch_end(state, n_samples_seen=99)
    >>> round(state.learning_rate, 6)
    0.01

    A step-based schedule over 100 updates:

    >>> schedule = LearningRateSchedule("cosine", 0.1)
    >>> state = schedule.init()
    >>> schedule.per_step
    True
    >>> schedule.on_step(state, step=50, total_steps=100)
    >>> round(state.learning_rate, 6)
    0.05
    """

    kind: str
    learning_rate_init: float
    power_t: float = 0.5
    min_learning_rate: float = 1e-6
    warmup: float = 0.0

    def __post_init__(self):
        if self.kind not in SCHEDULES:
            raise ValueError(f"Unknown schedule {self.kind!r}; expected {SCHEDULES}.")
        if not 0.0 <= self.warmup < 1.0:
            raise ValueError(f"warmup must be in [0, 1); got {self.warmup!r}.")
        if self.warmup and self.kind not in SHAPES:
            raise ValueError(
                f"The {self.kind!r} schedule has no warm-up; use one of "
                f"{tuple(SHAPES)}."
            )

    @property
    def per_step(self) -> bool:
        """Whether :meth:`on_step` sets the rate (else it does nothing).

        Returns
        -------
        per_step : bool
            True for the step-based shapes and a warmed-up ``'constant'``.
        """
        return self.kind in SHAPES and (self.kind != "constant" or self.warmup > 0)

    def init(self) -> ScheduleState:
        """Create the schedule state.

        Returns
        -------
        state : ScheduleState
            At ``learning_rate_init``.
        """
        return ScheduleState(float(self.learning_rate_init))

    def on_step(self, state: ScheduleState, step: int, total_steps: int) -> None:
        """Set the rate of the next update, for a step-based schedule.

        Does nothing unless :attr:`per_step`, so a training loop may call it
        before every update whatever the kind.

        Parameters
        ----------
        state : ScheduleState
            From :meth:`init`; updated in place.
        step : int
            Index of the update about to be made, from 0.
        total_steps : int
            Number of updates in the whole training run.
        """
        if not self.per_step:
            return
        if total_steps < 1 or not 0 <= step <= total_steps:
            raise ValueError(
                f"Need 0 <= step <= total_steps and total_steps >= 1; got "
                f"step={step}, total_steps={total_steps}."
            )
        state.learning_rate = self.learning_rate_init * schedule_factor(
            self.kind, step / total_steps, self.warmup
        )

    def on_epoch_end(self, state: ScheduleState, n_samples_seen: int) -> None:
        """Update the rate at the end of an epoch.

        Parameters
        ----------
        state : ScheduleState
            From :meth:`init`; updated in place.
        n_samples_seen : int
            Samples seen since the estimator was initialised.
        """
        if self.kind == "invscaling":
            state.learning_rate = (
                self.learning_rate_init / (n_samples_seen + 1) ** self.power_t
            )

    def on_plateau(self, state: ScheduleState) -> bool:
        """React to a plateau; return whether training should stop.

        Parameters
        ----------
        state : ScheduleState
            From :meth:`init`; updated in place.

        Returns
        -------
        stop : bool
            True unless the ``'adaptive'`` schedule could still lower the rate.
        """
        if self.kind != "adaptive" or state.learning_rate <= self.min_learning_rate:
            return True
        state.learning_rate /= 5.0
        return False
