"""Every gallery example runs cleanly and draws a figure."""

import runpy
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").rglob("plot_*.py"))


def test_there_are_examples_in_topic_folders():
    assert len(EXAMPLES) >= 8
    assert all(path.parent.name != "examples" for path in EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_runs_and_draws(path, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    plt.close("all")
    runpy.run_path(str(path), run_name="__main__")
    assert plt.get_fignums(), "the example should end with a figure"
    plt.close("all")
