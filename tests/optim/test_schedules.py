import pytest

from skdeep.optim import LearningRateSchedule


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
