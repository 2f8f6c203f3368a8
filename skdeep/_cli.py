"""``python -m skdeep``: the demo, and a command line for CSV files."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

__all__ = ["build_pipeline", "main"]

# Types a model file may hold beyond what skops trusts by default: skdeep's
# own estimators, and NumPy dtypes (OneHotEncoder stores its ``dtype``).
SAFE_TYPES = ("skdeep.", "numpy.dtype")


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


def build_pipeline(frame, hidden_layer_sizes=(64,), max_iter=200, random_state=0):
    """Preprocessing from the column types, then a DeepNetClassifier.

    Numeric columns are imputed with their median and standardised; the other
    columns are imputed with their most frequent value and one-hot encoded.

    Parameters
    ----------
    frame : pandas.DataFrame
        The features (without the target).
    hidden_layer_sizes : tuple of int, default=(64,)
        Hidden layers of the network.
    max_iter : int, default=200
        Maximum number of epochs.
    random_state : int, default=0
        Seed of the network.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from . import DeepNetClassifier

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
    return make_pipeline(
        ColumnTransformer(steps),
        DeepNetClassifier(
            hidden_layer_sizes, max_iter=max_iter, random_state=random_state
        ),
    )


def _fit(args):
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from skops import io as sio

    frame = _read_csv(args.data)
    if args.target not in frame.columns:
        raise CLIError(
            f"no column {args.target!r} in {args.data}; columns are "
            f"{', '.join(map(str, frame.columns))}"
        )
    frame = frame[frame[args.target].notna()]
    y = frame[args.target].to_numpy()
    X = frame.drop(columns=[args.target])
    labels, counts = np.unique(y.astype(str), return_counts=True)
    if len(labels) < 2:
        raise CLIError(
            f"the target {args.target!r} has a single class ({labels[0]!r}); "
            "a classifier needs at least two"
        )
    model = build_pipeline(X, args.hidden, args.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        folds = int(min(5, counts.min()))
        if folds >= 2:
            cv = StratifiedKFold(folds, shuffle=True, random_state=0)
            scores = cross_val_score(model, X, y, cv=cv)
            print(
                f"cross-validated accuracy ({folds} folds): "
                f"{scores.mean():.4f} +/- {scores.std():.4f}"
            )
        else:
            print("too few samples per class for cross-validation; skipped")
        model.fit(X, y)
    output = Path(args.output or Path(args.data).with_suffix(".skops"))
    sio.dump(model, output)
    print(f"fitted on {len(X)} rows, {X.shape[1]} columns, {len(labels)} classes")
    print(f"saved to {output}")


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
    frame = _read_csv(args.data)
    try:
        if args.proba:
            proba = model.predict_proba(frame)
            print(",".join(map(str, model.classes_)))
            for row in proba:
                print(",".join(f"{p:.6g}" for p in row))
        else:
            for label in model.predict(frame):
                print(label)
    except (KeyError, ValueError) as exc:
        raise CLIError(f"cannot predict on {args.data}: {exc}") from None


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m skdeep",
        description="Without a command: a demo on scikit-learn's digits. "
        "With one: train or apply a network on a CSV file.",
    )
    commands = parser.add_subparsers(dest="command")
    fit = commands.add_parser("fit", help="train on a CSV file and save the model")
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", required=True, help="column to predict")
    fit.add_argument("--output", help="model file (default: DATA with .skops)")
    fit.add_argument("--hidden", type=_hidden_sizes, default=(64,), help="e.g. 64,32")
    fit.add_argument("--max-iter", type=int, default=200, help="maximum epochs")
    predict = commands.add_parser(
        "predict", help="print one prediction per row of a CSV file"
    )
    predict.add_argument("model", help="a .skops file written by fit")
    predict.add_argument("data", help="CSV file with the training columns")
    predict.add_argument(
        "--proba", action="store_true", help="print class probabilities as CSV"
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
