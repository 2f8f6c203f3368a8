"""``python -m skdeep``: the demo, and a command line for CSV files."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

__all__ = ["build_pipeline", "infer_task", "main"]

# Types a model file may hold beyond what skops trusts by default: skdeep's
# own estimators, and NumPy dtypes (OneHotEncoder stores its ``dtype``).
SAFE_TYPES = ("skdeep.", "numpy.dtype")
# An integer-valued numeric target with more distinct values than this is a
# quantity (a count, an age), not a set of classes.
MAX_CLASSES = 20


class CLIError(Exception):
    """A problem to report in one line, without a traceback."""


def _read_csv(path):
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such file: {path}")
    try:
        return pd.read_csv(path)
    except Exception as exc:  # pandas raises many kinds
        raise CLIError(f"cannot read {path} as CSV: {exc}") from None


def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 64,32, got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive sizes, got {text!r}")
    return sizes


def infer_task(target) -> str:
    """Classification or regression, from the target column's values.

    A numeric (not boolean) target is a quantity to regress on when it has
    non-integer values or more than ``MAX_CLASSES`` distinct values; anything
    else (text, booleans, a few integer codes) holds classes.

    Parameters
    ----------
    target : pandas.Series
        The target column, without missing values.

    Returns
    -------
    task : {'classification', 'regression'}
    """
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target):
        return "classification"
    values = target.to_numpy(dtype=float)
    if (values != np.round(values)).any() or len(np.unique(values)) > MAX_CLASSES:
        return "regression"
    return "classification"


def build_pipeline(
    frame, task="classification", hidden_layer_sizes=(64,), max_iter=200, random_state=0
):
    """Preprocessing from the column types, then a DeepNetClassifier or Regressor.

    Numeric columns are imputed with their median and standardised; the other
    columns are imputed with their most frequent value and one-hot encoded.
    For regression the target is standardised too (and predictions mapped
    back), so that targets on any scale train with the default settings.

    Parameters
    ----------
    frame : pandas.DataFrame
        The features (without the target).
    task : {'classification', 'regression'}, default='classification'
        What the network predicts.
    hidden_layer_sizes : tuple of int, default=(64,)
        Hidden layers of the network.
    max_iter : int, default=200
        Maximum number of epochs.
    random_state : int, default=0
        Seed of the network.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline or sklearn.compose.TransformedTargetRegressor
        Unfitted.
    """
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from . import DeepNetClassifier, DeepNetRegressor

    numeric = frame.select_dtypes("number").columns.tolist()
    other = [c for c in frame.columns if c not in numeric]
    steps = []
    if numeric:
        steps.append(
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            )
        )
    if other:
        steps.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                other,
            )
        )
    if not steps:
        raise CLIError("the file has no feature columns besides the target")
    options = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        max_iter=max_iter,
        random_state=random_state,
    )
    if task == "regression":
        return TransformedTargetRegressor(
            make_pipeline(ColumnTransformer(steps), DeepNetRegressor(**options)),
            transformer=StandardScaler(),
        )
    return make_pipeline(ColumnTransformer(steps), DeepNetClassifier(**options))


def _fit(args):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from skops import io as sio

    frame = _read_csv(args.data)
    if args.target not in frame.columns:
        raise CLIError(
            f"no column {args.target!r} in {args.data}; columns are "
            f"{', '.join(map(str, frame.columns))}"
        )
    frame = frame[frame[args.target].notna()]
    X = frame.drop(columns=[args.target])
    task = args.task or infer_task(frame[args.target])
    how = "as asked" if args.task else "inferred from the target; --task overrides"
    print(f"task: {task} of {args.target!r} ({how})")
    if task == "regression":
        y = _target_as_float(frame[args.target], args.target)
        folds = min(5, len(y))
        cv, scoring, described = KFold(folds, shuffle=True, random_state=0), "r2", "R^2"
        summary = f"regression of {args.target!r}"
    else:
        y = frame[args.target].to_numpy()
        labels, counts = np.unique(y.astype(str), return_counts=True)
        if len(labels) < 2:
            raise CLIError(
                f"the target {args.target!r} has a single class ({labels[0]}); "
                "a classifier needs at least two"
            )
        folds = int(min(5, counts.min()))
        cv = StratifiedKFold(max(folds, 2), shuffle=True, random_state=0)
        scoring, described = "accuracy", "accuracy"
        summary = f"{len(labels)} classes"
    model = build_pipeline(X, task, args.hidden, args.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if folds >= 2:
            scores = cross_val_score(model, X, y, cv=cv, scoring=scoring)
            print(
                f"cross-validated {described} ({folds} folds): "
                f"{scores.mean():.4f} +/- {scores.std():.4f}"
            )
        else:
            print("too few samples for cross-validation; skipped")
        model.fit(X, y)
    output = Path(args.output or Path(args.data).with_suffix(".skops"))
    sio.dump(model, output)
    print(f"fitted on {len(X)} rows, {X.shape[1]} columns, {summary}")
    print(f"saved to {output}")


def _target_as_float(column, name):
    """Return the target column as floats, or raise a one-line error."""
    try:
        return column.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise CLIError(
            f"the target {name!r} is not numeric; use --task classification"
        ) from None


def _predict(args):
    from skops import io as sio

    path = Path(args.model)
    if not path.is_file():
        raise CLIError(f"no such file: {path}")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise CLIError(f"{path} is not a skops model file: {exc}") from None
    unsafe = [t for t in untrusted if not t.startswith(SAFE_TYPES)]
    if unsafe:
        raise CLIError(
            f"refusing to load {path}: it contains types that are not known to "
            f"be safe: {', '.join(unsafe)}"
        )
    model = sio.load(path, trusted=untrusted)
    if args.proba and not hasattr(model, "predict_proba"):
        raise CLIError(f"{path} is a regression model: --proba needs a classifier")
    frame = _read_csv(args.data)
    try:
        if args.proba:
            proba = model.predict_proba(frame)
            print(",".join(map(str, model.classes_)))
            for row in proba:
                print(",".join(f"{p:.6g}" for p in row))
        else:
            predictions = model.predict(frame)
            numbers = predictions.dtype.kind == "f"
            for value in predictions:
                print(f"{value:.6g}" if numbers else value)
    except (KeyError, ValueError) as exc:
        raise CLIError(f"cannot predict on {args.data}: {exc}") from None


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m skdeep",
        description="Without a command: a demo on scikit-learn's digits. "
        "With one: train or apply a network on a CSV file.",
    )
    commands = parser.add_subparsers(dest="command")
    fit = commands.add_parser(
        "fit",
        help="train on a CSV file and save the model",
        description="Train a network on a CSV file: a classifier for a text, "
        "boolean or few-valued target, a regressor for a numeric one (see "
        "--task); print its cross-validated score, fit it on every row and "
        "save it with skops.",
    )
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", required=True, help="column to predict")
    fit.add_argument("--output", help="model file (default: DATA with .skops)")
    fit.add_argument("--hidden", type=_hidden_sizes, default=(64,), help="e.g. 64,32")
    fit.add_argument("--max-iter", type=int, default=200, help="maximum epochs")
    fit.add_argument(
        "--task",
        choices=("classification", "regression"),
        help="what to predict (default: regression for a numeric target with "
        f"non-integer values or more than {MAX_CLASSES} distinct values, "
        "classification otherwise)",
    )
    predict = commands.add_parser(
        "predict", help="print one prediction per row of a CSV file"
    )
    predict.add_argument("model", help="a .skops file written by fit")
    predict.add_argument("data", help="CSV file with the training columns")
    predict.add_argument(
        "--proba",
        action="store_true",
        help="print class probabilities as CSV (classifiers only)",
    )
    return parser


def main(argv=None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 on an error reported in one line.
    """
    args = _parser().parse_args(argv)
    try:
        if args.command is None:
            from ._demo import run_demo

            run_demo()
        elif args.command == "fit":
            _fit(args)
        else:
            _predict(args)
    except CLIError as exc:
        print(f"skdeep: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # pandas or skops missing
        print(
            f"skdeep: error: the CSV commands need {exc.name or 'pandas and skops'}: "
            "pip install 'skdeep[io]'",
            file=sys.stderr,
        )
        return 2
    except ValueError as exc:  # e.g. an estimator's own input checks
        print(f"skdeep: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early (``| head``): exit quietly, as Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
