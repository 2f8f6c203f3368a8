"""What may change at every step: learning rate, weight decay, dropout."""

from __future__ import annotations

import numpy as np

from ..nn import DECAYED_ROLES
from ..optim import SHAPES, ScaledRate

__all__ = ["StepRules", "ntk_step_factors"]


class StepRules:
    """What may change at every step: learning rate, weight decay, dropout.

    Built once per call from the settings and the network. Per-group
    learning-rate factors become one vector over the flat parameter vector
    (a group is a slice), multiplied by the scheduled rate into a kept
    buffer; weight decay shrinks the slices of the decayed roles.

    Parameters
    ----------
    network : Network
        The network trained.
    settings : Settings
        Its schedule, weight decay, dropout schedule and factors.
    dtype : numpy.dtype
        The parameters' dtype.
    total_steps : int
        Steps of the whole budget (the step-by-step schedules' horizon).
    origin : int
        The step count at which the budget starts.
    member_factors : tuple of ndarray or None, default=None
        For a pack, ``(learning-rate factors, weight-decay factors)`` of the
        members, shape ``(n_members,)`` each (either may be None).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Network
    >>> from skdeep.optim import LearningRateSchedule
    >>> from skdeep.training import Settings, StepRules, TrainState
    >>> net = Network([2, 3, 1])
    >>> settings = Settings(max_iter=1, tol=0, n_iter_no_change=1,
    ...                     schedule=LearningRateSchedule("cosine", 0.1),
    ...                     learning_rate_factors={"biases": 0.5})
    >>> rules = StepRules(net, settings, np.float64, total_steps=10, origin=0)
    >>> state = TrainState(net.init_params(np.random.RandomState(0), float),
    ...                    net.init_stats(float), schedule=settings.schedule.init())
    >>> state.step = 5
    >>> rules.before_step(state)  # the rate halfway through the cosine...
    0.0
    >>> rate = rules.rate(state.schedule.learning_rate)
    >>> float(rate[0]), float(rate[-1])  # ...per parameter: a weight, a bias
    (0.05, 0.025)
    """

    def __init__(
        self,
        network,
        settings,
        dtype,
        total_steps: int,
        origin: int,
        member_factors=None,
    ):
        self.schedule = settings.schedule
        self.total_steps = max(int(total_steps), 1)
        self.origin = origin
        self.network = network
        self.weight_decay = float(settings.weight_decay)
        self.decay_shape = SHAPES[settings.weight_decay_schedule]
        self.decay_pieces = [
            piece for role in DECAYED_ROLES for piece in network.param_slices(role)
        ]
        self.dropout_shape = None
        if network.uses_dropout and settings.dropout_schedule != "constant":
            self.dropout_shape = SHAPES[settings.dropout_schedule]
        self.factors = self.rates = self.decay_factors = self.decay_rates = None
        factors = settings.learning_rate_factors or {}
        if settings.step_factors is not None:
            self.factors, self.decay_factors = settings.step_factors(network)
        elif any(f != 1 for f in factors.values()):
            self.factors = np.ones(network.n_params)
            rows = network.member_rows(self.factors)
            for role, factor in factors.items():
                for piece in network.param_slices(role):
                    rows[:, piece] = factor
        if network.n_members is not None:
            self._per_member(network, member_factors)
        if self.factors is not None:
            self.factors = self.factors.astype(dtype)
            self.rates = np.empty_like(self.factors)
        if self.decay_factors is not None:
            self.decay_factors = self.decay_factors.astype(dtype)
            self.decay_rates = np.empty_like(self.decay_factors)
        # A pack's rates, and those of a parametrisation's step factors, stay
        # a scalar times fixed factors (ScaledRate): no vector is built per
        # step, and decay's factors are folded in once. (The deep nets' role
        # factors keep the vector path, whose rounding the scalar path has.)
        self.scaled = self.factors is not None and (
            network.n_members is not None or settings.step_factors is not None
        )
        if self.scaled:
            decay = 1.0 if self.decay_factors is None else self.decay_factors
            self.decay_scaled = (decay * self.factors).astype(dtype)
        self.per_step = (
            self.schedule.per_step
            or self.dropout_shape is not None
            or (self.weight_decay > 0 and settings.weight_decay_schedule != "constant")
        )

    def _per_member(self, network, member_factors) -> None:
        """Make a pack's rates per-parameter vectors, with each member's factors.

        Decay shrinks the decayed roles of every member, so it is a vector
        too (zero elsewhere) over the whole flat vector, in one piece.
        """
        learning, decay = (None, None) if member_factors is None else member_factors
        if self.factors is None:
            self.factors = np.ones(network.n_params)
        mask = np.zeros(network.n_params)
        rows = network.member_rows(mask)
        for piece in self.decay_pieces:
            rows[:, piece] = 1.0
        if self.decay_factors is not None:
            mask *= self.decay_factors
        self.decay_factors = mask
        self.decay_pieces = [slice(0, network.n_params)]
        if learning is not None:
            network.member_rows(self.factors)[...] *= np.asarray(learning)[:, None]
        if decay is not None:
            network.member_rows(self.decay_factors)[...] *= np.asarray(decay)[:, None]

    def progress(self, step: int) -> float:
        """Return the share of the budget done before this step, in [0, 1]."""
        return min(max(step - self.origin, 0) / self.total_steps, 1.0)

    def warming_up(self, step: int) -> bool:
        """Tell whether ``step`` is within the learning rate's warm-up."""
        return self.progress(step) < self.schedule.warmup

    def before_step(self, state) -> float:
        """Set this step's rate and dropout; return its weight decay."""
        decay = self.weight_decay
        if self.per_step:
            if self.schedule.per_step:
                self.schedule.on_step(
                    state.schedule, state.step - self.origin, self.total_steps
                )
            p = self.progress(state.step)
            if self.dropout_shape is not None:
                self.network.scale_dropout(self.dropout_shape(p))
            if decay:
                decay *= self.decay_shape(p)
        return decay

    def rate(self, learning_rate: float):
        """Return the step size: a float, or one per parameter with group factors."""
        if self.factors is None:
            return learning_rate
        if self.scaled:
            return ScaledRate(learning_rate, self.factors)
        return np.multiply(self.factors, learning_rate, out=self.rates)

    def decay_rate(self, rate):
        """Return the rate weight decay shrinks by (the step's, or rescaled)."""
        if self.scaled:
            return ScaledRate(rate.scale, self.decay_scaled)
        if self.decay_factors is None:
            return rate
        return np.multiply(self.decay_factors, rate, out=self.decay_rates)


def ntk_step_factors(role_factors: dict):
    r"""Per-parameter step factors of the neural-tangent parametrisation.

    RealMLP (Holzmüller et al., NeurIPS 2024) trains ``x W / sqrt(fan_in)``
    with ``W ~ N(0, 1)``: Adam's steps on that ``W`` move the layer's
    effective weights by the learning rate over :math:`\sqrt{\text{fan-in}}`,
    and its decoupled weight decay shrinks them by ``learning_rate *
    weight_decay``. In the standard parametrisation the same training is a
    learning-rate factor :math:`1/\sqrt{\text{fan-in}}` on each Dense
    layer's weights and a weight-decay factor :math:`\sqrt{\text{fan-in}}`;
    the other roles get their learning-rate factor from ``role_factors``.

    Parameters
    ----------
    role_factors : dict
        Learning-rate factor by role (``'biases'``, ``'scales'``,
        ``'embeddings'``); a missing role has factor 1.

    Returns
    -------
    factors : callable
        ``network -> (learning-rate factors, decay factors)``, two vectors
        over the network's flat parameters; pass it as
        :attr:`Settings.step_factors`.

    Examples
    --------
    >>> from skdeep.nn import Network
    >>> from skdeep.training import ntk_step_factors
    >>> net = Network([4, 16, 1], loss="squared_error")
    >>> rates, decay = ntk_step_factors({"biases": 0.1})(net)
    >>> rates[0], decay[0], rates[-1]  # first weights; the last bias
    (np.float64(0.5), np.float64(2.0), np.float64(0.1))
    """

    def factors(network):
        rates = np.ones(network.n_params)
        rows = network.member_rows(rates)
        for role, factor in role_factors.items():
            for piece in network.param_slices(role):
                rows[:, piece] = factor
        decay = np.ones(network.n_params)
        for coef, decay_coef in zip(
            network.unpack(rates).coefs, network.unpack(decay).coefs, strict=True
        ):
            fan_in = coef.shape[-2]
            coef[...] = 1 / np.sqrt(fan_in)
            decay_coef[...] = np.sqrt(fan_in)
        return rates, decay

    return factors
