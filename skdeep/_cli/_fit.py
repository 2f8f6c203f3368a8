"""``fit``'s steps on a table: the features and the target, cross-validation."""

from __future__ import annotations

import contextlib
import sys
import time
import warnings

import numpy as np

from ._tables import (
    CLIError,
    check_numeric_columns,
    infer_task,
    numeric_target,
    parse_dates,
)

__all__ = ["cross_validate", "features_and_target"]


def progress(message: str) -> None:
    """Report what a long command is doing, on standard error."""
    print(message, file=sys.stderr, flush=True)


def features_and_target(frame, args):
    """Check the columns, drop unlabelled rows; return X, y and the task."""
    columns = [str(c) for c in frame.columns]
    if args.target not in columns:
        raise CLIError(
            f"no column {args.target!r} in {args.data}; columns are "
            f"{', '.join(columns)}"
        )
    unknown = [c for c in args.drop if c not in columns]
    if unknown:
        raise CLIError(
            f"--drop names no column of {args.data}: {', '.join(unknown)}; "
            f"columns are {', '.join(columns)}"
        )
    if args.target in args.drop:
        raise CLIError(f"--drop includes the target {args.target!r}")
    labelled = frame[frame[args.target].notna()]
    missing = len(frame) - len(labelled)
    if missing:
        print(f"left out {missing} rows with no value in {args.target!r}")
    if labelled.empty:
        raise CLIError(f"no row of {args.data} has a value in {args.target!r}")
    X = labelled.drop(columns=[args.target, *args.drop])
    if X.shape[1] == 0:
        raise CLIError("the file has no feature columns besides the target")
    dates = parse_dates(X, path=args.data)
    if dates:
        print(f"date columns: {', '.join(map(str, dates))}")
    check_numeric_columns(X, path=args.data)
    task = args.task or infer_task(labelled[args.target])
    how = "as asked" if args.task else "inferred from the target; --task overrides"
    print(f"task: {task} of {args.target!r} ({how})")
    target = labelled[args.target]
    if task == "regression":
        return X, numeric_target(labelled, args.target, args.data), task
    y = target.to_numpy()
    labels = np.unique(y.astype(str))
    if len(labels) < 2:
        raise CLIError(
            f"the target {args.target!r} has a single class ({labels[0]}); a "
            "classifier needs at least two"
        )
    return X, y, task


def cross_validate(model, X, y, task, random_state):
    """Print the model's cross-validated score (5 folds, or fewer for few rows)."""
    from sklearn.base import clone
    from sklearn.metrics import check_scoring
    from sklearn.model_selection import KFold, StratifiedKFold

    if task == "regression":
        folds = min(5, len(y))
        cv = KFold(folds, shuffle=True, random_state=random_state)
        scoring, described = "r2", "R^2"
    else:
        folds = int(min(5, np.unique(y.astype(str), return_counts=True)[1].min()))
        cv = StratifiedKFold(max(folds, 2), shuffle=True, random_state=random_state)
        scoring, described = "accuracy", "accuracy"
    if folds < 2:
        print("too few samples for cross-validation; skipped")
        return
    scorer = check_scoring(model, scoring=scoring)
    scores = []
    for i, (train, test) in enumerate(cv.split(X, y), 1):
        started = time.perf_counter()
        progress(f"cross-validation fold {i} of {folds}")
        fold_model = clone(model)
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")  # a fixed epoch budget may not converge
            fold_model.fit(X.iloc[train], y[train])
        scores.append(scorer(fold_model, X.iloc[test], y[test]))
        progress(
            f"  {described} {scores[-1]:.4f} ({time.perf_counter() - started:.1f} s)"
        )
    scores = np.array(scores)
    print(
        f"cross-validated {described} ({folds} folds): "
        f"{scores.mean():.4f} +/- {scores.std():.4f}"
    )
