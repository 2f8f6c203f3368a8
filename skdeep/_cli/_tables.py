"""CSV tables for the command line: reading, checking, the pipeline.

Every problem with a file is a :class:`CLIError` whose message is one line
that names the column, row or value at fault and says what to do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..preprocessing._columns import ISO_DATE

__all__ = [
    "CLIError",
    "build_pipeline",
    "check_numeric_columns",
    "infer_task",
    "numeric_target",
    "parse_dates",
    "read_table",
]

# An integer-valued numeric target with more distinct values than this is a
# quantity (a count, an age), not a set of classes.
MAX_CLASSES = 20
# A text column whose non-missing cells are at least this share of numbers is
# a numeric column with typos, not a categorical one.
NUMERIC_SHARE = 0.9


class CLIError(Exception):
    """A problem to report in one line, without a traceback."""


def first_line(exc: BaseException) -> str:
    """Return an exception's message as one line."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return " ".join(lines) if len(lines) <= 3 else lines[0]


def read_table(path, sep: str = ","):
    """Read a CSV file with a header row and at least one data row.

    Parameters
    ----------
    path : str or path-like
        The file.
    sep : str, default=','
        Field separator.

    Returns
    -------
    frame : pandas.DataFrame
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such file: {path}")
    try:
        frame = pd.read_csv(path, sep=sep)
    except Exception as exc:  # pandas raises many kinds
        raise CLIError(f"cannot read {path} as CSV: {first_line(exc)}") from None
    if frame.empty:
        raise CLIError(f"{path} has a header row but no data rows")
    if len(frame.columns) == 1 and sep not in ";\t|" and ";" in str(frame.columns[0]):
        raise CLIError(
            f"{path} has a single column {frame.columns[0]!r}: if its fields are "
            "separated by ';', pass --sep ';'"
        )
    return frame


def parse_dates(frame, columns=None, path="the file") -> list:
    """Turn text columns of ISO 8601 dates into date columns, in place.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : list of str, default=None
        Columns that must hold dates (a model's date columns): a cell that
        is not a date is an error. None turns every text column whose
        cells are all dates into a date column, and leaves the others.
    path : str, default='the file'
        Named in the message.

    Returns
    -------
    dates : list of str
        The date columns.
    """
    import pandas as pd

    names = frame.columns if columns is None else columns
    dates = []
    for name in names:
        column = frame[name]
        if column.dtype.kind == "M":
            dates.append(name)
            continue
        if pd.api.types.is_numeric_dtype(column) and column.notna().any():
            if columns is None:
                continue
        present = column.dropna().astype(str).str.strip()
        looks = present.map(lambda text: ISO_DATE.fullmatch(text) is not None)
        if columns is None and (present.empty or not looks.all()):
            continue
        parsed = _to_datetime(column)
        wrong = column.notna() & parsed.isna()
        if wrong.any():
            row = wrong.index[wrong.to_numpy()][0]
            raise CLIError(
                f"column {name!r} holds dates but line {row + 2} of {path} has "
                f"{column.loc[row]!r}; write dates as 2024-03-15 or 2024-03-15 "
                "14:30, or empty the cell (empty means missing)"
            )
        frame[name] = parsed
        dates.append(name)
    return dates


def _to_datetime(column):
    """Parse ISO 8601 text; NaT where a cell is not a date.

    Offsets that differ from row to row (summer and winter time) give a
    column of timestamps, each with its own offset, so that each is read on
    its own wall clock.
    """
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 2 warns about mixed offsets
        try:
            parsed = pd.to_datetime(column, format="ISO8601", errors="coerce")
        except ValueError:  # pandas 3: mixed offsets
            parsed = None
    if parsed is not None and parsed.dtype.kind == "M":
        return parsed

    def stamp(text):
        try:
            return pd.Timestamp(str(text).strip())
        except ValueError:
            return pd.NaT

    return column.map(stamp, na_action="ignore").astype(object).where(column.notna())


def check_numeric_columns(frame, columns=None, path="the file", drop=True) -> None:
    """Raise if a column of numbers holds text in some cells.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : list of str, default=None
        Columns that must be numeric (a model's numeric columns). None checks
        every text column that is mostly numbers.
    path : str, default='the file'
        Named in the message.
    drop : bool, default=True
        Whether to suggest ``--drop`` (``fit`` can leave a column out;
        ``predict`` needs the model's columns).
    """
    import pandas as pd

    names = frame.columns if columns is None else columns
    for name in names:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column):
            continue
        present = column.dropna()
        numbers = pd.to_numeric(present, errors="coerce")
        text = present[numbers.isna()]
        if text.empty:
            continue
        if columns is None and numbers.notna().mean() < NUMERIC_SHARE:
            continue  # a column of text: categorical
        row = text.index[0] + 2  # the header is line 1
        remedy = "fix or empty those cells (empty means missing)"
        if drop:
            remedy += f", or leave the column out with --drop {name}"
        raise CLIError(
            f"column {name!r} holds numbers but line {row} of {path} has the text "
            f"{text.iloc[0]!r}; {remedy}"
        )


def numeric_target(frame, name, path="the file"):
    """Return the target column as floats, or raise a one-line error.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows with a target.
    name : str
        The target column.
    path : str, default='the file'
        Named in the message.

    Returns
    -------
    y : ndarray of shape (n_samples,)
    """
    import pandas as pd

    column = frame[name]
    if not pd.api.types.is_numeric_dtype(column):
        numbers = pd.to_numeric(column, errors="coerce")
        if numbers.notna().mean() < NUMERIC_SHARE:
            raise CLIError(
                f"the target {name!r} is not numeric; use --task classification"
            )
        check_numeric_columns(frame, [name], path=path, drop=False)
    return column.to_numpy(dtype=float)


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


def build_pipeline(frame, task="classification", **params):
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
    **params : dict
        Parameters of the network (``hidden_layer_sizes``, ``max_iter``,
        ``alpha``, ``dropout``, ``random_state``, ...).

    Returns
    -------
    pipeline : Pipeline or TransformedTargetRegressor
        Unfitted.
    """
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from .. import DeepNetClassifier, DeepNetRegressor
    from ..preprocessing import TabularPreprocessor

    numeric = frame.select_dtypes("number").columns.tolist()
    dates = frame.select_dtypes(["datetime", "datetimetz"]).columns.tolist()
    other = [c for c in frame.columns if c not in numeric + dates]
    steps = []
    if dates:  # each date: its timestamp and the calendar parts that vary
        steps.append(("dates", TabularPreprocessor(categorical_features=None), dates))
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
    if task == "regression":
        return TransformedTargetRegressor(
            make_pipeline(ColumnTransformer(steps), DeepNetRegressor(**params)),
            transformer=StandardScaler(),
        )
    return make_pipeline(ColumnTransformer(steps), DeepNetClassifier(**params))


def model_columns(model) -> tuple[list, list, list]:
    """Return the columns a CLI model reads, those that must be numeric, the dates."""
    pipeline = getattr(model, "regressor_", model)
    columns = list(getattr(pipeline, "feature_names_in_", []))
    numeric, dates = [], []
    pre = getattr(pipeline, "preprocessor_", None)  # a TabularNet
    if pre is not None:
        return (
            columns,
            [columns[j] for j in pre.numeric_features_],
            [columns[j] for j in getattr(pre, "date_features_", [])],
        )
    for name, _, selected in getattr(pipeline[0], "transformers_", []):
        if name == "numeric":
            numeric = list(selected)
        elif name == "dates":
            dates = list(selected)
    return columns, numeric, dates
