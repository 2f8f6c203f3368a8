import io
import subprocess
import sys

import pytest

from skdeep._cli import run_demo


@pytest.mark.slow
def test_demo_trains_every_model_and_prints_the_table():
    out = io.StringIO()
    rows = run_demo(file=out)
    names = [row["model"] for row in rows]
    assert any("LogisticUnit" in n for n in names)
    assert any("DeepNetClassifier" in n for n in names)
    assert any("MLPClassifier" in n for n in names)
    assert any("DeepNetRegressor" in n for n in names)
    score = {row["model"].split()[1]: row["score"] for row in rows}
    assert all(row["score"] > 0.9 for row in rows if row["metric"] == "accuracy")
    assert score["DeepNetRegressor"] > 0.3  # diabetes: ridge regression gets 0.36
    # skdeep matches its scikit-learn reference on the same split.
    assert abs(score["LogisticUnit"] - score["LogisticRegression"]) <= 0.01
    assert abs(score["DeepNetClassifier"] - score["MLPClassifier"]) <= 0.01
    assert abs(score["DeepNetRegressor"] - score["MLPRegressor"]) <= 0.01
    text = out.getvalue()
    assert "accuracy" in text and "R^2" in text and "fit time" in text
    assert len(text.splitlines()) >= 9


@pytest.mark.slow
def test_python_dash_m_skdeep_runs():
    result = subprocess.run(
        [sys.executable, "-m", "skdeep"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "DeepNetClassifier" in result.stdout
    assert "DeepNetRegressor" in result.stdout
