"""The command line, run for real in a subprocess."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "skdeep", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture
def loans(tmp_path):
    rng = np.random.RandomState(0)
    n = 200
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, n),
            "age": rng.uniform(18, 80, n),
            "city": rng.choice(["Lyon", "Oslo", "Quito"], n),
        }
    )
    score = np.log(frame.income) / 2 + (frame.age > 40) + (frame.city == "Oslo")
    frame["decision"] = np.where(score > score.median(), "approved", "declined")
    frame.loc[::13, "income"] = np.nan
    frame.loc[::17, "city"] = None
    path = tmp_path / "loans.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_predict_checks_the_file_against_the_model(messy, loans):
    result = run(
        "fit",
        loans,
        "--target",
        "decision",
        "--max-iter",
        "5",
        "--output",
        "m.skops",
        cwd=messy,
    )
    assert result.returncode == 0, result.stderr
    _fails_in_one_line(
        run("predict", "m.skops", "header.csv", cwd=messy), "no data rows"
    )
    _fails_in_one_line(
        run("predict", "m.skops", "noage.csv", cwd=messy),
        "noage.csv lacks the column(s) the model was trained on: age",
    )
    result = run("predict", "m.skops", "typo.csv", cwd=messy)
    _fails_in_one_line(result, "column 'age' holds numbers but line 6")
    assert "--drop" not in result.stderr  # predict needs the model's columns
    result = run("predict", "m.skops", "semi.csv", "--sep", ";", cwd=messy)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 200


@pytest.mark.slow
def test_options_reach_the_model_and_unlabelled_rows_are_left_out(loans, tmp_path):
    from skops import io as sio

    frame = pd.read_csv(loans)
    frame.loc[[3, 50, 90], "decision"] = None
    frame.to_csv(tmp_path / "some.csv", index=False)
    result = run(
        "fit",
        "some.csv",
        "--target",
        "decision",
        "--drop",
        "city",
        "--max-iter",
        "7",
        "--alpha",
        "0.01",
        "--dropout",
        "0.2",
        "--random-state",
        "3",
        "--hidden",
        "8,4",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "left out 3 rows with no value in 'decision'" in result.stdout
    assert "fitted on 197 rows, 2 columns" in result.stdout
    path = tmp_path / "some.skops"
    model = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    net = model[-1]
    assert (net.max_iter, net.alpha, net.dropout, net.random_state) == (7, 0.01, 0.2, 3)
    assert net.hidden_layer_sizes == (8, 4) and net.n_iter_ == 7
    assert list(model.feature_names_in_) == ["income", "age"]


def test_only_skdeeps_estimators_are_trusted(tmp_path):
    from skops import io as sio

    from skdeep.optim import SGD

    # A skdeep type that is not an estimator: refused, as any unknown type.
    sio.dump({"rule": SGD()}, tmp_path / "other.skops")
    result = run("predict", "other.skops", "x.csv", cwd=tmp_path)
    _fails_in_one_line(result, "refusing to load other.skops")
    assert "skdeep.optim._sgd.SGD" in result.stderr


@pytest.mark.slow
def test_fit_then_predict(loans, tmp_path):
    result = run(
        "fit",
        loans,
        "--target",
        "decision",
        "--hidden",
        "16,8",
        "--max-iter",
        "80",
        "--output",
        "m.skops",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "task: classification of 'decision' (inferred" in result.stdout
    assert "cross-validated accuracy (5 folds)" in result.stdout
    accuracy = float(result.stdout.split("(5 folds):")[1].split("+/-")[0])
    assert accuracy > 0.7
    assert (tmp_path / "m.skops").is_file()

    result = run("predict", "m.skops", loans, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 200 and set(lines) <= {"approved", "declined"}
    truth = pd.read_csv(loans)["decision"]
    assert (np.array(lines) == truth.to_numpy()).mean() > 0.8

    result = run("predict", "m.skops", loans, "--proba", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header == "approved,declined" and len(rows) == 200
    proba = np.array([[float(v) for v in row.split(",")] for row in rows])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "missing.csv", "--target", "y"], "no such file: missing.csv"),
        (["fit", "{loans}", "--target", "nope"], "no column 'nope'"),
        (["fit", "{one}", "--target", "decision"], "single class (yes);"),
        (["predict", "missing.skops", "{loans}"], "no such file"),
        (["predict", "{loans}", "{loans}"], "not a skops model file"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(loans, tmp_path, args, message):
    one = tmp_path / "one.csv"
    pd.read_csv(loans).assign(decision="yes").to_csv(one, index=False)
    args = [a.format(loans=loans, one=one) for a in args]
    result = run(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def _fails_in_one_line(result, message):
    assert result.returncode == 2, result.stdout
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--max-iter", "0", "argument --max-iter: expected a whole number >= 1"),
        ("--max-iter", "-5", "argument --max-iter: expected a whole number >= 1"),
        ("--hidden", "0", "argument --hidden: expected positive layer sizes"),
        ("--hidden", "64,0", "argument --hidden: expected positive layer sizes"),
        ("--hidden", "0,a", "argument --hidden: expected positive layer sizes"),
        ("--dropout", "1", "argument --dropout: expected a number in [0.0, 1.0)"),
        ("--alpha", "-1", "argument --alpha: expected a number >= 0.0"),
        ("--random-state", "x", "argument --random-state: expected a whole number"),
        ("--task", "clustering", "argument --task: invalid choice"),
        ("--output", "nodir/m.skops", "there is no directory nodir; create it"),
    ],
)
def test_options_are_checked_before_any_work(loans, tmp_path, option, value, message):
    result = run("fit", loans, "--target", "decision", option, value, cwd=tmp_path)
    _fails_in_one_line(result, message)
    assert "cross-validated" not in result.stdout
    assert not list(tmp_path.rglob("*.skops"))  # nothing written


def test_help_shows_every_default(tmp_path):
    result = run("fit", "--help", cwd=tmp_path)
    for default in (
        "(default: 200; tabular: 32 up to 20,000 rows, 16 beyond)",
        "(default: 0.0001; deepnet only)",
        "(default: 64; tabular: 128,128,128)",
        "(default: ,)",
        "(default: 0)",
        "(default: none)",
        "(default: deepnet)",
    ):
        assert default in " ".join(result.stdout.split()), default


@pytest.fixture
def messy(loans, tmp_path):
    frame = pd.read_csv(loans)
    frame.head(0).to_csv(tmp_path / "header.csv", index=False)
    typo = frame.assign(age=frame.age.astype(object))
    typo.loc[4, "age"] = "forty"
    typo.to_csv(tmp_path / "typo.csv", index=False)
    frame.to_csv(tmp_path / "semi.csv", index=False, sep=";")
    frame.drop(columns=["age"]).to_csv(tmp_path / "noage.csv", index=False)
    return tmp_path


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "header.csv", "--target", "decision"], "header row but no data rows"),
        (
            ["fit", "typo.csv", "--target", "decision"],
            "column 'age' holds numbers but line 6 of typo.csv has the text "
            "'forty'; fix or empty those cells (empty means missing), or leave "
            "the column out with --drop age",
        ),
        (["fit", "semi.csv", "--target", "decision"], "pass --sep ';'"),
        (["fit", "{loans}", "--target", "decision", "--drop", "nope"], "--drop names"),
        (["fit", "{loans}", "--target", "decision", "--drop", "decision"], "target"),
    ],
)
def test_messy_files_are_one_line_errors(messy, loans, args, message):
    args = [a.format(loans=loans) for a in args]
    _fails_in_one_line(run(*args, cwd=messy), message)
    assert not list(messy.rglob("*.skops"))


@pytest.mark.parametrize("missing", ["skops", "pandas"])
def test_missing_io_extra_is_one_line(loans, tmp_path, monkeypatch, capsys, missing):
    from skdeep._cli import main

    monkeypatch.setitem(sys.modules, missing, None)  # import now fails
    status = main(["fit", str(loans), "--target", "decision"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"need {missing}" in err and "skdeep[io]" in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture
def prices(tmp_path):
    rng = np.random.RandomState(0)
    n = 200
    frame = pd.DataFrame(
        {
            "rooms": rng.randint(1, 7, n),
            "area": rng.uniform(20, 200, n),
            "city": rng.choice(["Lyon", "Oslo", "Quito"], n),
        }
    )
    # An integer-valued price in the hundred thousands: a quantity, not classes.
    price = 3000 * frame.area + 20000 * frame.rooms + 50000 * (frame.city == "Oslo")
    frame["price"] = (price + rng.normal(0, 10000, n)).round().astype(int)
    frame.loc[::11, "area"] = np.nan
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_regression_fit_then_predict(prices, tmp_path):
    result = run("fit", prices, "--target", "price", "--max-iter", "100", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "task: regression of 'price' (inferred" in result.stdout
    assert "cross-validated R^2 (5 folds)" in result.stdout
    r2 = float(result.stdout.split("R^2 (5 folds):")[1].split("+/-")[0])
    assert r2 > 0.8
    result = run("predict", prices.with_suffix(".skops"), prices, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    predicted = np.array([float(line) for line in result.stdout.splitlines()])
    truth = pd.read_csv(prices)["price"].to_numpy()
    assert len(predicted) == len(truth)
    assert np.corrcoef(predicted, truth)[0, 1] > 0.9

    result = run(
        "predict", prices.with_suffix(".skops"), prices, "--proba", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "regression model: --proba needs a classifier" in result.stderr


@pytest.mark.slow
def test_task_can_be_chosen(prices, tmp_path):
    result = run("fit", prices, "--target", "rooms", "--max-iter", "5", cwd=tmp_path)
    assert "task: classification of 'rooms' (inferred" in result.stdout
    result = run(
        "fit",
        prices,
        "--target",
        "rooms",
        "--task",
        "regression",
        "--max-iter",
        "5",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "task: regression of 'rooms' (as asked)" in result.stdout
    result = run(
        "fit", prices, "--target", "city", "--task", "regression", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "'city' is not numeric; use --task classification" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_infer_task():
    from skdeep._cli import infer_task

    assert infer_task(pd.Series([1.5, 2.0, 3.0])) == "regression"
    assert infer_task(pd.Series(np.arange(100))) == "regression"
    assert infer_task(pd.Series([0, 1, 2, 1] * 10)) == "classification"
    assert infer_task(pd.Series(["a", "b"])) == "classification"
    assert infer_task(pd.Series([True, False])) == "classification"


@pytest.mark.slow
def test_export_runs_in_onnxruntime_as_predict_does(loans, tmp_path):
    rt = pytest.importorskip("onnxruntime")
    result = run(
        "fit",
        loans,
        "--target",
        "decision",
        "--max-iter",
        "20",
        "--output",
        "m.skops",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    result = run("export", "m.skops", "m.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "inputs income, age, city; outputs label, probabilities" in result.stdout
    assert "text inputs: an empty string is a missing value" in result.stdout
    frame = pd.read_csv(loans)
    session = rt.InferenceSession(
        (tmp_path / "m.onnx").read_bytes(), providers=["CPUExecutionProvider"]
    )
    feeds = {
        "income": frame[["income"]].to_numpy(np.float32),
        "age": frame[["age"]].to_numpy(np.float32),
        "city": frame[["city"]].fillna("").to_numpy(str),  # missing: ""
    }
    labels, proba = session.run(None, feeds)
    printed = run("predict", "m.skops", loans, "--proba", cwd=tmp_path).stdout
    expected = np.array([r.split(",") for r in printed.splitlines()[1:]], float)
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    predicted = run("predict", "m.skops", loans, cwd=tmp_path).stdout.split()
    np.testing.assert_array_equal(labels, predicted)


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "m.skops", "nodir/m.onnx"], "there is no directory nodir"),
        (["export", "missing.skops", "m.onnx"], "no such file: missing.skops"),
        (["export", "{loans}", "m.onnx"], "not a skops model file"),
        (["export", "other.skops", "m.onnx"], "refusing to load other.skops"),
        (["export", "m.skops"], "the following arguments are required: output"),
    ],
)
def test_export_errors_are_one_line(loans, tmp_path, args, message):
    from skops import io as sio

    from skdeep.optim import SGD

    sio.dump({"rule": SGD()}, tmp_path / "other.skops")
    args = [a.format(loans=loans) for a in args]
    _fails_in_one_line(run(*args, cwd=tmp_path), message)
    assert not list(tmp_path.rglob("*.onnx"))


def test_export_without_the_onnx_extra_is_one_line(tmp_path, monkeypatch, capsys):
    from skdeep._cli import main

    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # the import now fails
    monkeypatch.delitem(sys.modules, "skdeep.onnx", raising=False)
    status = main(["export", str(tmp_path / "m.skops"), str(tmp_path / "m.onnx")])
    err = capsys.readouterr().err
    assert status == 2 and "pip install 'skdeep[onnx]'" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("target", ["decision", "income"])
def test_tabular_model_on_the_raw_columns(loans, tmp_path, target):
    args = ["--model", "tabular", "--hidden", "32,32", "--max-iter", "20"]
    result = run(
        "fit", loans, "--target", target, *args, "--output", "t.skops", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    # Progress on standard error: each fold, then the final fit.
    assert "cross-validation fold 1 of 5" in result.stderr
    labelled = 200 if target == "decision" else 200 - 16  # income: 16 missing
    assert f"fitting on all {labelled} rows" in result.stderr
    from skops import io as sio

    from skdeep._cli import trusted_types

    model = sio.load(tmp_path / "t.skops", trusted=sorted(trusted_types()))
    expected = "TabularNetRegressor" if target == "income" else "TabularNetClassifier"
    assert type(model).__name__ == expected
    assert (
        sio.get_untrusted_types(file=tmp_path / "t.skops") == []
        or set(sio.get_untrusted_types(file=tmp_path / "t.skops")) <= trusted_types()
    )
    # Extra columns (the target) are left out; the model reads its own.
    result = run("predict", "t.skops", loans, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 200


def test_alpha_is_refused_for_the_tabular_model(loans, tmp_path):
    result = run(
        "fit",
        loans,
        "--target",
        "decision",
        "--model",
        "tabular",
        "--alpha",
        "0.1",
        cwd=tmp_path,
    )
    _fails_in_one_line(result, "--alpha applies to --model deepnet")


@pytest.mark.slow
@pytest.mark.parametrize("model", ["deepnet", "tabular"])
def test_a_csv_with_date_columns(tmp_path, model):
    rng = np.random.RandomState(0)
    n = 300
    when = pd.Timestamp("2022-01-01") + pd.to_timedelta(
        rng.randint(0, 730 * 24, n), "h"
    )
    frame = pd.DataFrame(
        {
            "when": when.strftime("%Y-%m-%d %H:%M"),
            "day": when.strftime("%Y-%m-%d"),
            "x": rng.normal(size=n),
            "code": rng.choice(["2024-01", "2024-02"], n),  # text, not dates
        }
    )
    frame.loc[5, "when"] = ""  # a missing date
    frame["hot"] = np.where(when.month.isin([6, 7, 8]), "yes", "no")
    frame.to_csv(tmp_path / "train.csv", index=False)
    rows = frame.drop(columns="hot").head(4)
    rows.to_csv(tmp_path / "rows.csv", index=False)
    rows.assign(day=["2024-01-02", "2024-02-31", "", "2024-03-01"]).to_csv(
        tmp_path / "bad.csv", index=False
    )
    broken = frame.copy()
    broken.loc[1, "hot"] = None  # an unlabelled row, left out before the dates
    broken.loc[3, "day"] = "2024-02-30"
    broken.to_csv(tmp_path / "broken.csv", index=False)
    _fails_in_one_line(
        run("fit", "broken.csv", "--target", "hot", cwd=tmp_path),
        "column 'day' holds dates but line 5 of broken.csv has '2024-02-30'",
    )
    args = ["--model", model, "--hidden", "32", "--max-iter", "10"]
    result = run(
        "fit",
        "train.csv",
        "--target",
        "hot",
        *args,
        "--output",
        "m.skops",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "date columns: when, day" in result.stdout
    from skops import io as sio

    from skdeep._cli import trusted_types

    fitted = sio.load(tmp_path / "m.skops", trusted=sorted(trusted_types()))
    pipeline = fitted if model == "tabular" else fitted[0].named_transformers_
    pre = pipeline.preprocessor_ if model == "tabular" else pipeline["dates"]
    assert len(pre.date_features_) == 2  # "code" stayed text
    result = run("predict", "m.skops", "rows.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) <= {"yes", "no"}
    assert len(result.stdout.split()) == 4
    _fails_in_one_line(
        run("predict", "m.skops", "bad.csv", cwd=tmp_path),
        "column 'day' holds dates but line 3 of bad.csv has '2024-02-31'",
    )
    _fails_in_one_line(
        run("export", "m.skops", "m.onnx", cwd=tmp_path),
        "Column 'when' holds dates, which the ONNX export does not support",
    )
