"""``python -m skdeep``: the demo, and a command line for CSV files.

Every failure is one line on standard error that names the problem and the
fix, with exit status 2: no traceback, and nothing written. Options are
checked before any work is done, and a model file is written only once the
model is complete.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ._fit import cross_validate, features_and_target, progress
from ._model_files import load_model
from ._tables import (
    MAX_CLASSES,
    CLIError,
    build_pipeline,
    check_numeric_columns,
    first_line,
    model_columns,
    parse_dates,
    read_table,
)

__all__ = ["main"]

#: The networks ``fit --model`` trains, with the CLI's defaults for each.
MODELS = {
    "deepnet": {"hidden_layer_sizes": (64,), "max_iter": 200, "alpha": 1e-4},
    "tabular": {},  # TabularNet's own defaults
}
DEFAULT_MODEL = "deepnet"


# -- option types: each problem is argparse's one-line error ------------------
def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive layer sizes like 64 or 64,32, got {text!r}"
        )
    return sizes


def _number(kind, low, high=None, closed=True):
    """Make an argparse type: a number of ``kind`` in [low, high] or [low, high)."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is not None and value >= low:
            if high is None or value < high or (closed and value == high):
                return value
        what = "a whole number" if kind is int else "a number"
        bounds = f">= {low}" if high is None else f"in [{low}, {high})"
        raise argparse.ArgumentTypeError(f"expected {what} {bounds}, got {text!r}")

    return parse


def _columns(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(
            f"expected column names like a,b, got {text!r}"
        )
    return names


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (a CLIError) instead of usage."""

    _sub = ""

    def error(self, message):
        command = f"python -m skdeep {self._sub}".strip()
        raise CLIError(f"{message} (see {command} --help)")


def _parser():
    parser = _Parser(
        prog="python -m skdeep",
        description="Without a command: a demo on scikit-learn's digits and "
        "diabetes data. With one: train or apply a network on a CSV file.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    fit = commands.add_parser(
        "fit",
        help="train on a CSV file and save the model",
        description="Train a network on a CSV file: a classifier for a text, "
        "boolean or few-valued target, a regressor for a numeric one (see "
        "--task). Print its cross-validated score, fit it on every row that "
        "has a target, and save it with skops.",
    )
    fit._sub = "fit"
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", required=True, help="column to predict")
    fit.add_argument(
        "--task",
        choices=("classification", "regression"),
        help="what to predict (default: regression for a numeric target with "
        f"non-integer values or more than {MAX_CLASSES} distinct values, "
        "classification otherwise)",
    )
    fit.add_argument(
        "--output", type=Path, help="model file (default: DATA with .skops)"
    )
    fit.add_argument(
        "--sep", default=",", help="field separator of the CSV file (default: ,)"
    )
    fit.add_argument(
        "--drop",
        type=_columns,
        default=[],
        help="columns to leave out, e.g. id,name (default: none)",
    )
    fit.add_argument(
        "--model",
        choices=tuple(MODELS),
        default=DEFAULT_MODEL,
        help="'deepnet': a DeepNet behind imputation, scaling and one-hot "
        "encoding; 'tabular': a TabularNet on the raw columns (RealMLP's "
        "recipe, networks in folds, ensembled with a linear model) "
        f"(default: {DEFAULT_MODEL})",
    )
    fit.add_argument(
        "--hidden",
        type=_hidden_sizes,
        help="hidden layer sizes, e.g. 64,32 (default: 64; tabular: 128,128,128)",
    )
    fit.add_argument(
        "--max-iter",
        type=_number(int, 1),
        help="maximum number of epochs (default: 200; tabular: 32 up to 20,000 rows, "
        "16 beyond)",
    )
    fit.add_argument(
        "--alpha",
        type=_number(float, 0.0),
        help="strength of the L2 penalty (default: 0.0001; deepnet only)",
    )
    fit.add_argument(
        "--dropout",
        type=_number(float, 0.0, 1.0, closed=False),
        help="dropout rate of the hidden layers, in [0, 1) (default: 0; tabular: 0.15)",
    )
    fit.add_argument(
        "--random-state",
        type=_number(int, 0),
        default=0,
        help="seed of the network and of the cross-validation folds (default: 0)",
    )
    predict = commands.add_parser(
        "predict",
        help="print one prediction per row of a CSV file",
    )
    predict._sub = "predict"
    predict.add_argument("model", type=Path, help="a .skops file written by fit")
    predict.add_argument("data", help="CSV file with the training columns")
    predict.add_argument(
        "--sep", default=",", help="field separator of the CSV file (default: ,)"
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="print class probabilities as CSV (classifiers only)",
    )
    export = commands.add_parser(
        "export",
        help="convert a model file to ONNX",
        description="Convert a model written by fit (or any skops file of a "
        "skdeep estimator or a pipeline ending in one) to ONNX, for "
        "onnxruntime. The graph takes one input per column (numbers as "
        "float32, text as strings) and outputs label and probabilities "
        "(classifiers) or variable (regressors). Needs skdeep[onnx].",
    )
    export._sub = "export"
    export.add_argument("model", type=Path, help="a .skops file written by fit")
    export.add_argument("output", type=Path, help="the .onnx file to write")
    return parser


# -- fit ------------------------------------------------------------------------
def _fit(args):
    from skops import io as sio

    output = args.output or Path(args.data).with_suffix(".skops")
    _check_writable(output)
    if args.model == "tabular" and args.alpha is not None:
        raise CLIError(
            "--alpha applies to --model deepnet; the tabular network uses "
            "weight decay instead"
        )
    frame = read_table(args.data, args.sep)
    X, y, task = features_and_target(frame, args)
    given = dict(
        hidden_layer_sizes=args.hidden,
        max_iter=args.max_iter,
        alpha=args.alpha,
        dropout=args.dropout,
    )
    params = {**MODELS[args.model], **{k: v for k, v in given.items() if v is not None}}
    params["random_state"] = args.random_state
    if args.model == "tabular":
        from .. import TabularNetClassifier, TabularNetRegressor

        tabular = TabularNetRegressor if task == "regression" else TabularNetClassifier
        # Progress on standard error, a line at most every 2 seconds.
        model = tabular(verbose=1, **params)
    else:
        model = build_pipeline(X, task, **params)
    cross_validate(model, X, y, task, args.random_state)
    progress(f"fitting on all {len(X)} rows")
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")  # a fixed epoch budget may not converge
        model.fit(X, y)
    # Written whole or not at all: a temporary file, then one rename.
    handle, temporary = tempfile.mkstemp(suffix=".skops", dir=output.parent)
    os.close(handle)
    try:
        sio.dump(model, temporary)
        os.replace(temporary, output)
    finally:
        Path(temporary).unlink(missing_ok=True)
    summary = (
        f"regression of {args.target!r}"
        if task == "regression"
        else f"{len(np.unique(y.astype(str)))} classes"
    )
    print(f"fitted on {len(X)} rows, {X.shape[1]} columns, {summary}")
    print(f"saved to {output}")


def _check_writable(output):
    if output.is_dir():
        raise CLIError(f"--output {output} is a directory; name a file in it")
    parent = output.parent
    if not parent.is_dir():
        raise CLIError(
            f"cannot write {output}: there is no directory {parent}; create it, "
            "or choose another --output"
        )
    if not os.access(parent, os.W_OK):
        raise CLIError(f"cannot write {output}: the directory {parent} is read-only")


# -- predict -------------------------------------------------------------------
def _predict(args):
    model = load_model(args.model)
    if args.proba and not hasattr(model, "predict_proba"):
        raise CLIError(
            f"{args.model} is a regression model: --proba needs a classifier"
        )
    frame = read_table(args.data, args.sep)
    columns, numeric, dates = model_columns(model)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CLIError(
            f"{args.data} lacks the column(s) the model was trained on: "
            f"{', '.join(map(str, missing))}"
        )
    check_numeric_columns(frame, numeric, path=args.data, drop=False)
    parse_dates(frame, dates, path=args.data)
    if columns:
        frame = frame[columns]  # the training columns, in their order
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
        raise CLIError(f"cannot predict on {args.data}: {first_line(exc)}") from None


# -- export --------------------------------------------------------------------
def _export(args):
    try:
        from ..onnx import to_onnx
    except ImportError:
        raise CLIError("export needs skl2onnx: pip install 'skdeep[onnx]'") from None
    _check_writable(args.output)
    model, adapted = _text_missing_as_empty(load_model(args.model))
    try:
        graph = to_onnx(model, _sample(model))
    except (NotImplementedError, RuntimeError, TypeError, ValueError) as exc:
        raise CLIError(f"cannot export {args.model}: {first_line(exc)}") from None
    handle, temporary = tempfile.mkstemp(suffix=".onnx", dir=args.output.parent)
    os.close(handle)
    try:
        Path(temporary).write_bytes(graph.SerializeToString())
        os.replace(temporary, args.output)
    finally:
        Path(temporary).unlink(missing_ok=True)
    inputs = ", ".join(i.name for i in graph.graph.input)
    outputs = ", ".join(o.name for o in graph.graph.output)
    print(f"saved to {args.output}: inputs {inputs}; outputs {outputs}")
    if adapted or _tabular_text(model):
        print("text inputs: an empty string is a missing value")


def _tabular_text(model) -> bool:
    """Whether the model's raw columns reach a TabularPreprocessor with text ones."""
    from ..onnx._tabular import tabular_front

    front = tabular_front(model)
    if front is None:
        return False
    pre = getattr(front, "preprocessor_", front)
    return bool(pre.categorical_features_.size)


def _text_missing_as_empty(model):
    """Copy the model; its text imputers take '' as missing (ONNX strings aren't NaN).

    pandas reads a missing text cell as NaN, which fitted imputers look for;
    in an ONNX graph a string cannot be NaN, and skl2onnx converts string
    imputers only with a string marker. The fitted statistics stay the same.
    """
    import copy

    from sklearn.impute import SimpleImputer

    model = copy.deepcopy(model)
    adapted = False
    stack = [model]
    while stack:
        step = stack.pop()
        if isinstance(step, SimpleImputer):
            text = getattr(step, "_fit_dtype", np.dtype(float)).kind == "O"
            marker = step.missing_values
            if text and isinstance(marker, float) and np.isnan(marker):
                step.missing_values = ""
                adapted = True
        stack.extend(getattr(step, "steps", []) and [s for _, s in step.steps])
        stack.extend(t for _, t, _ in getattr(step, "transformers_", []))
        stack.extend(s for s in [getattr(step, "regressor_", None)] if s is not None)
    return model, adapted


def _sample(model):
    """One row with the model's input names and types: what the graph takes."""
    import pandas as pd

    columns, numeric, _ = model_columns(model)
    if not columns:  # a bare estimator fitted on an array
        return np.zeros((1, model.n_features_in_), dtype=np.float32)
    return pd.DataFrame(
        {
            name: np.zeros(1, np.float32)
            if name in numeric
            else np.array(["a"], dtype=object)
            for name in columns
        }
    )


# -- main ------------------------------------------------------------------------
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
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            from ._demo import run_demo

            run_demo()
        elif args.command == "fit":
            _fit(args)
        elif args.command == "export":
            _export(args)
        else:
            _predict(args)
    except CLIError as exc:
        return _fail(str(exc))
    except ImportError as exc:  # pandas or skops missing
        what = exc.name or "pandas and skops"
        return _fail(f"the CSV commands need {what}: pip install 'skdeep[io]'")
    except BrokenPipeError:
        # The reader stopped early (``| head``): exit quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError) as exc:  # e.g. an estimator's own input checks
        return _fail(first_line(exc))
    return 0


def _fail(message: str) -> int:
    print(f"skdeep: error: {message}", file=sys.stderr)
    return 2
