"""Learning-rate schedules for the stochastic solvers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCHEDULES", "LearningRateSchedule", "ScheduleState"]

#: The schedules :class:`LearningRateSchedule` knows.
SCHEDULES = ("constant", "invscaling", "adaptive")


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
    r"""``MLPClassifier``'s ``learning_rate`` schedules.

    Parameters
    ----------
    kind : {'constant', 'invscaling', 'adaptive'}
        Schedule.
    learning_rate_init : float
        Initial learning rate :math:`\eta_0`.
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.
    min_learning_rate : float, default=1e-6
        ``'adaptive'`` stops training once the rate is at or below this.

    Notes
    -----
    - ``'constant'``: :math:`\eta = \eta_0`.
    - ``'invscaling'``: after each epoch, :math:`\eta = \eta_0 / (t + 1)^{p}`
      where :math:`t` is the number of samples seen so far.
    - ``'adaptive'``: :math:`\eta` is divided by 5 each time the stopping
      criterion fires, instead of stopping, until it reaches
      ``min_learning_rate``.

    Examples
    --------
    >>> from skdeep.optim import LearningRateSchedule
    >>> schedule = LearningRateSchedule("invscaling", 0.1, power_t=0.5)
    >>> state = schedule.init()
    >>> schedule.on_epoch_end(state, n_samples_seen=99)
    >>> round(state.learning_rate, 6)
    0.01
    """

    kind: str
    learning_rate_init: float
    power_t: float = 0.5
    min_learning_rate: float = 1e-6

    def __post_init__(self):
        if self.kind not in SCHEDULES:
            raise ValueError(f"Unknown schedule {self.kind!r}; expected {SCHEDULES}.")

    def init(self) -> ScheduleState:
        """Create the schedule state.

        Returns
        -------
        state : ScheduleState
            At ``learning_rate_init``.
        """
        return ScheduleState(float(self.learning_rate_init))

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
