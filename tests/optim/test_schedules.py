import numpy as np
import pytest

from skdeep.optim import SCHEDULES, SHAPES, LearningRateSchedule, schedule_factor
from skdeep.optim.schedules import coslog4


def test_constant():
    s = LearningRateSchedule("constant", 0.1)
    state = s.init()
    s.on_epoch_end(state, 1000)
    assert state.learning_rate == 0.1
    assert s.on_plateau(state) is True


def test_invscaling():
    s = LearningRateSchedule("invscaling", 0.1, power_t=0.5)
    state = s.init()
    s.on_epoch_end(state, 99)
    assert state.learning_rate == pytest.approx(0.01)


def test_adaptive_divides_by_five_then_stops():
    s = LearningRateSchedule("adaptive", 1e-4)
    state = s.init()
    assert s.on_plateau(state) is False
    assert state.learning_rate == pytest.approx(2e-5)
    stops = [s.on_plateau(state) for _ in range(5)]
    assert stops[-1] is True
    assert state.learning_rate <= 1e-6


# -- shapes --------------------------------------------------------------------

PROGRESS = [0.0, 1 / 15, 0.1, 0.25, 0.3, 0.5, 0.6, 0.75, 0.9, 0.999, 1.0]


def _formula(kind, p):
    # The formulas of the docstrings, written again with NumPy.
    if kind == "constant":
        return 1.0
    if kind == "cosine":
        return 0.5 * (1 + np.cos(np.pi * p))
    if kind == "coslog4":
        return 0.5 * (1 - np.cos(2 * np.pi * np.log2(1 + (2**4 - 1) * p)))
    if kind == "flat_cosine":
        return 1.0 if p < 0.5 else 0.5 * (1 + np.cos(np.pi * (2 * p - 1)))
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", sorted(SHAPES))
@pytest.mark.parametrize("p", PROGRESS)
def test_shape_is_its_formula(kind, p):
    assert SHAPES[kind](p) == pytest.approx(_formula(kind, p), rel=1e-14, abs=1e-15)
    assert schedule_factor(kind, p) == SHAPES[kind](p)  # no warm-up: the shape
    assert 0.0 <= SHAPES[kind](p) <= 1.0


@pytest.mark.parametrize(
    "kind, p, expected",
    [
        ("cosine", 0.0, 1.0),
        ("cosine", 0.5, 0.5),
        ("cosine", 1.0, 0.0),
        ("flat_cosine", 0.0, 1.0),
        ("flat_cosine", 0.4999, 1.0),
        ("flat_cosine", 0.5, 1.0),
        ("flat_cosine", 0.75, 0.5),
        ("flat_cosine", 1.0, 0.0),
        ("coslog4", 0.0, 0.0),
        ("coslog4", 1.0, 0.0),
    ],
)
def test_shape_landmarks(kind, p, expected):
    assert SHAPES[kind](p) == pytest.approx(expected, abs=1e-15)


def test_coslog4_has_four_cycles_doubling_in_length():
    # Cycle k spans progress (2^k - 1) / 15 to (2^(k+1) - 1) / 15: it starts
    # and ends at 0 and peaks at 1 halfway in log2.
    for k in range(5):
        assert coslog4((2**k - 1) / 15) == pytest.approx(0.0, abs=1e-14)
    for k in range(4):
        assert coslog4((2 ** (k + 0.5) - 1) / 15) == pytest.approx(1.0, abs=1e-14)
    values = np.array([coslog4(p) for p in np.linspace(0, 1, 20001)])
    peaks = np.sum((values[1:-1] > values[:-2]) & (values[1:-1] >= values[2:]))
    troughs = np.sum((values[1:-1] < values[:-2]) & (values[1:-1] <= values[2:]))
    assert peaks == 4 and troughs == 3  # 3 restarts inside, 4 cycles


@pytest.mark.parametrize("kind", sorted(SHAPES))
def test_warmup_rises_linearly_then_follows_the_squeezed_shape(kind):
    w = 0.1
    assert schedule_factor(kind, 0.0, warmup=w) == 0.0
    assert schedule_factor(kind, 0.025, warmup=w) == pytest.approx(0.25)
    assert schedule_factor(kind, 0.0999, warmup=w) == pytest.approx(0.999)
    # from the boundary on: the shape over the remaining 90%
    for p in [0.1, 0.2, 0.55, 0.9, 1.0]:
        expected = _formula(kind, (p - w) / (1 - w))
        assert schedule_factor(kind, p, warmup=w) == pytest.approx(expected, abs=1e-15)


def test_cosine_with_warmup_is_transformers_convention():
    # get_cosine_schedule_with_warmup: step / warmup_steps during the
    # warm-up, then 0.5 (1 + cos(pi (step - W) / (N - W))).
    n_steps, n_warmup = 200, 30
    for step in range(n_steps + 1):
        if step < n_warmup:
            expected = step / n_warmup
        else:
            expected = 0.5 * (
                1 + np.cos(np.pi * (step - n_warmup) / (n_steps - n_warmup))
            )
        got = schedule_factor("cosine", step / n_steps, warmup=n_warmup / n_steps)
        assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "kind, progress, warmup, match",
    [
        ("cos", 0.5, 0.0, "Unknown"),
        ("invscaling", 0.5, 0.0, "Unknown"),
        ("cosine", -0.1, 0.0, "progress"),
        ("cosine", 1.1, 0.0, "progress"),
        ("cosine", 0.5, 1.0, "warmup"),
        ("cosine", 0.5, -0.1, "warmup"),
    ],
)
def test_schedule_factor_refuses_bad_input(kind, progress, warmup, match):
    with pytest.raises(ValueError, match=match):
        schedule_factor(kind, progress, warmup)


# -- step-based learning-rate schedules ------------------------------------------


def test_schedules_list_every_kind_once():
    assert SCHEDULES[:3] == ("constant", "invscaling", "adaptive")
    assert set(SCHEDULES) == {"invscaling", "adaptive"} | set(SHAPES)
    assert len(set(SCHEDULES)) == len(SCHEDULES)


@pytest.mark.parametrize(
    "kind, warmup, per_step",
    [
        ("constant", 0.0, False),
        ("invscaling", 0.0, False),
        ("adaptive", 0.0, False),
        ("constant", 0.1, True),
        ("cosine", 0.0, True),
        ("coslog4", 0.0, True),
        ("flat_cosine", 0.0, True),
    ],
)
def test_per_step(kind, warmup, per_step):
    assert LearningRateSchedule(kind, 0.1, warmup=warmup).per_step is per_step


@pytest.mark.parametrize("kind", ["constant", "invscaling", "adaptive"])
def test_on_step_leaves_per_epoch_schedules_alone(kind):
    s = LearningRateSchedule(kind, 0.1)
    state = s.init()
    s.on_step(state, 5, 10)
    assert state.learning_rate == 0.1


@pytest.mark.parametrize("kind", ["cosine", "coslog4", "flat_cosine"])
def test_on_step_scales_the_initial_rate_by_the_shape(kind):
    s = LearningRateSchedule(kind, 0.2)
    state = s.init()
    n_steps = 37
    for step in range(n_steps):
        s.on_step(state, step, n_steps)
        assert state.learning_rate == 0.2 * SHAPES[kind](step / n_steps)
    # per-epoch hooks do not touch a step-based rate
    s.on_epoch_end(state, 1000)
    assert state.learning_rate == 0.2 * SHAPES[kind]((n_steps - 1) / n_steps)
    assert s.on_plateau(state) is True


def test_cosine_first_step_full_last_step_small_positive():
    s = LearningRateSchedule("cosine", 0.1)
    state = s.init()
    s.on_step(state, 0, 100)
    assert state.learning_rate == 0.1
    s.on_step(state, 99, 100)
    assert 0 < state.learning_rate < 0.1 * 1e-3
    assert state.learning_rate == pytest.approx(0.1 * np.sin(np.pi / 200) ** 2)


def test_coslog4_rates_over_a_run():
    s = LearningRateSchedule("coslog4", 0.04)
    state = s.init()
    rates = []
    for step in range(150):
        s.on_step(state, step, 150)
        rates.append(state.learning_rate)
    rates = np.array(rates)
    assert rates[0] == 0.0  # as RealMLP: the first step has rate 0
    assert rates.max() == pytest.approx(0.04, rel=1e-3)
    # restarts at steps 10, 30 and 70 of 150 (1/15, 3/15, 7/15 of training),
    # and the last step nearly at the end of the fourth cycle
    assert list(np.flatnonzero(rates < 1e-4)) == [0, 10, 30, 70, 149]
    assert rates[-1] > 0


def test_warmup_of_the_learning_rate():
    s = LearningRateSchedule("cosine", 0.1, warmup=0.2)
    state = s.init()
    s.on_step(state, 0, 50)
    assert state.learning_rate == 0.0
    s.on_step(state, 5, 50)
    assert state.learning_rate == pytest.approx(0.05)
    s.on_step(state, 10, 50)
    assert state.learning_rate == pytest.approx(0.1)


@pytest.mark.parametrize(
    "kind, warmup, match",
    [
        ("invscaling", 0.1, "no warm-up"),
        ("adaptive", 0.1, "no warm-up"),
        ("cosine", 1.0, "warmup"),
        ("cosine", -0.5, "warmup"),
        ("cos", 0.0, "Unknown"),
    ],
)
def test_bad_schedules_are_refused(kind, warmup, match):
    with pytest.raises(ValueError, match=match):
        LearningRateSchedule(kind, 0.1, warmup=warmup)


@pytest.mark.parametrize("step, total_steps", [(-1, 10), (11, 10), (0, 0)])
def test_on_step_refuses_steps_out_of_range(step, total_steps):
    s = LearningRateSchedule("cosine", 0.1)
    with pytest.raises(ValueError, match="step"):
        s.on_step(s.init(), step, total_steps)
