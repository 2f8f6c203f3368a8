"""Reading a raw table's columns, whatever holds them: pandas, polars, arrays.

What :class:`~skdeep.preprocessing.TabularPreprocessor` needs from its input
-- names, which columns look categorical, a column as numbers or as text --
in one place, so that the transformer itself never asks what kind of table
it was given.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["ISO_DATE", "Table"]

# Column dtypes (their names) that from_dtype reads as categorical.
_PANDAS_CATEGORICAL = ("category", "object", "string", "str", "bool", "boolean")
_POLARS_CATEGORICAL = ("String", "Utf8", "Categorical", "Enum", "Boolean", "Object")
# Text read as a date: ISO 8601, a day with an optional time and offset
# (2024-03-15, 2024-03-15 14:30, 2024-03-15T14:30:05+01:00). Days written
# as 03/04/2024 are not: month first or day first, no one can tell.
ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
)
# Cell values that are several values: a column of them is not categorical.
_CONTAINERS = (list, tuple, dict, set, frozenset, np.ndarray)
_POLARS_NESTED = ("List", "Array", "Struct")
_POLARS_KINDS = {"Duration": "m", "Date": "M", "Datetime": "M"}  # NumPy's dtype kinds


class Table:
    """The columns of X, whatever its kind: names, kinds, and column getters."""

    def __init__(self, X):
        self.X = X
        module = type(X).__module__.split(".")[0]
        self.kind = (
            module
            if module in ("pandas", "polars") and hasattr(X, "columns")
            else "array"
        )
        if self.kind == "pandas":
            self.names = [str(c) for c in X.columns]
            self.n_rows = X.shape[0]
            if not X.columns.is_unique:
                twice = X.columns[X.columns.duplicated()][0]
                raise ValueError(
                    f"X has more than one column named {twice!r}; give every "
                    "column its own name."
                )
            self.labels = list(X.columns)
        elif self.kind == "polars":
            self.names = list(X.columns)
            self.dtypes = [type(t).__name__ for t in X.dtypes]
            self.n_rows = X.height
        else:
            if sp.issparse(X):
                X = X.toarray()
            array = np.asarray(X)
            if array.ndim != 2:
                raise ValueError(
                    f"Expected a 2D table (rows x columns), got an array of shape "
                    f"{array.shape}. Reshape your data with X.reshape(-1, 1) (one "
                    "feature) or X.reshape(1, -1) (one sample)."
                )
            if np.iscomplexobj(array):
                raise ValueError("Complex data not supported.")
            self.X = array
            self.names = None
            self.dtypes = [str(array.dtype)] * array.shape[1]
            self.n_rows = array.shape[0]
        self.n_columns = len(self.names) if self.names is not None else len(self.dtypes)

    def looks_categorical(self, j: int) -> bool:
        """Whether ``from_dtype`` reads column ``j`` as categorical."""
        dtype = str(self.raw(j).dtype) if self.kind == "pandas" else self.dtypes[j]
        if self.kind == "pandas":
            return dtype in _PANDAS_CATEGORICAL or dtype.startswith("string")
        if self.kind == "polars":
            return dtype in _POLARS_CATEGORICAL
        if dtype == "object":  # an object array: text, unless it all reads as numbers
            return _as_float(self.X[:, j]) is None
        return dtype.startswith(("<U", "<S", "|S", "bool"))

    def looks_date(self, j: int) -> bool:
        """Whether column ``j`` holds dates (or date-times)."""
        column = self.raw(j)
        if self.kind == "polars":
            return self.dtypes[j] in ("Date", "Datetime")
        if column.dtype.kind == "M":
            return True
        if column.dtype == object and self.n_rows:
            kind = pd.api.types.infer_dtype(column, skipna=True)
            return kind in ("date", "datetime", "datetime64")
        return False

    def datetimes(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Date column ``j`` on its wall clock and in UTC (datetime64, NaT: missing)."""
        column = self.raw(j)
        if self.kind == "polars":
            if self.dtypes[j] == "Date" or column.dtype.time_zone is None:
                local = column.to_numpy()
                return local, local
            return column.dt.replace_time_zone(None).to_numpy(), column.to_numpy()
        series = pd.Series(np.asarray(column) if self.kind == "array" else column)
        if series.dtype.kind != "M":  # Python dates, date-times, or text
            return _parse_dates(series, self.label(j))
        if getattr(series.dtype, "tz", None) is None:
            local = series.to_numpy()
            return local, local
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.dt.tz_localize(None).to_numpy(), utc.to_numpy()

    def raw(self, j: int):
        if self.kind == "pandas":
            return self.X[self.labels[j]]
        if self.kind == "polars":
            return self.X.get_column(self.names[j])
        return self.X[:, j]

    def _check_single_values(self, j: int) -> None:
        """Raise if polars column ``j`` holds lists, arrays or structs."""
        if self.kind == "polars" and self.dtypes[j] in _POLARS_NESTED:
            raise ValueError(
                f"Column {self.label(j)} holds {self.dtypes[j]} values, not single "
                "values; expand it into columns or drop it."
            )

    def numeric(self, j: int) -> np.ndarray:
        """Column ``j`` as float64, NaN where missing; ValueError if not numbers."""
        self._check_single_values(j)
        column = self.raw(j)
        if self.kind == "polars":
            kind = _POLARS_KINDS.get(self.dtypes[j], "")
        else:
            kind = column.dtype.kind
        if self.kind == "polars":
            column = column.to_list()
        elif self.kind == "pandas":
            column = column.to_numpy(dtype=object, na_value=np.nan)
        values = None if kind in ("m", "M") else _as_float(column)
        if kind == "m":
            raise ValueError(
                f"Column {self.label(j)} holds durations; give them as numbers "
                "(e.g. seconds: .dt.total_seconds())."
            )
        if values is None:
            raise ValueError(
                f"Column {self.label(j)} holds values that are not numbers; "
                "declare it categorical (categorical_features) or give it a "
                "categorical dtype."
            )
        return values

    def numeric_block(self, columns) -> np.ndarray:
        """Columns as one float64 array (a copy), NaN where missing."""
        if len(columns) == 0:
            return np.empty((self.n_rows, 0))
        try:
            if self.kind == "pandas":
                # Column by column: selecting a sub-frame costs more than this.
                out = np.empty((self.n_rows, len(columns)))
                for i, j in enumerate(columns):
                    column = self.raw(j)
                    if column.dtype.kind in "mM":  # says so below, by name
                        raise TypeError(column.dtype)
                    if (
                        isinstance(column.dtype, np.dtype)
                        and column.dtype.kind in "biuf"
                    ):
                        # NumPy-backed numbers hold no pd.NA: no missing-value
                        # pass (most of the cost for a frame of one row).
                        out[:, i] = column.to_numpy()
                    else:
                        out[:, i] = column.to_numpy(dtype=np.float64, na_value=np.nan)
                return out
            if self.kind == "array":
                return self.X[:, columns].astype(np.float64)
        except (TypeError, ValueError):
            pass  # one column at a time says which one is not numbers
        return np.column_stack([self.numeric(j) for j in columns])

    def coded(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j`` as distinct values (strings) and each row's code.

        Codes index the values, -1 where a value is missing. A pandas
        categorical column gives its levels, used or not, and its own codes:
        no string per row.
        """
        self._check_single_values(j)
        column = self.raw(j)
        if self.kind == "pandas" and isinstance(column.dtype, pd.CategoricalDtype):
            levels = [str(v) for v in column.dtype.categories.to_numpy(dtype=object)]
            return np.array(levels, dtype=str), np.asarray(column.array.codes)
        if self.kind == "polars":
            column = column.to_list()
        elif self.kind == "pandas":
            column = column.to_numpy(dtype=object)
        values = np.asarray(column, dtype=object)
        missing = np.asarray(pd.isna(values), dtype=bool)
        containers = [v for v in values[~missing] if isinstance(v, _CONTAINERS)]
        if containers:
            raise ValueError(
                f"Column {self.label(j)} holds {type(containers[0]).__name__}s, "
                f"not single values (e.g. {containers[0]!r}); expand it into "
                "columns or drop it."
            )
        strings = np.array([str(v) for v in values[~missing]], dtype=str)
        levels, inverse = np.unique(strings, return_inverse=True)
        codes = np.full(values.shape, -1, dtype=np.intp)
        codes[~missing] = inverse
        return levels, codes

    def label(self, j: int) -> str:
        return repr(self.names[j]) if self.names is not None else str(j)


def _parse_dates(series, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Dates from Python objects or ISO 8601 text: wall clock, and UTC.

    Each value is read on its own clock, so that offsets that differ from
    row to row (summer and winter time) give the same parts as one offset.
    """
    if pd.api.types.is_numeric_dtype(series) and series.notna().any():
        raise ValueError(
            f"Column {label} holds numbers where dates were fitted; give it dates "
            "(datetime64, or text such as 2024-03-15 14:30)."
        )
    present = series.notna().to_numpy()
    local = np.full(len(series), np.datetime64("NaT"), dtype="datetime64[us]")
    utc = local.copy()
    for i in np.flatnonzero(present):
        value = series.iloc[i]
        try:
            if isinstance(value, str) and not ISO_DATE.fullmatch(value.strip()):
                raise ValueError(value)  # 03/04/2024: month or day first?
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError):
            stamp = pd.NaT
        if stamp is pd.NaT:
            raise ValueError(
                f"Column {label} holds {value!r}, which is not a date; write dates "
                "as 2024-03-15 or 2024-03-15 14:30, or leave the cell missing."
            )
        naive = stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
        local[i] = naive.to_datetime64()
        utc[i] = (
            stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp
        ).to_datetime64()
    return local, utc


def _as_float(column):
    """Return the column as float64 with NaN for missing, or None if not numbers."""
    try:
        values = np.array(column, dtype=np.float64)  # a copy: callers write it
    except (TypeError, ValueError):
        values = np.asarray(column, dtype=object)
        missing = np.asarray(pd.isna(values), dtype=bool)
        try:
            out = np.full(values.shape, np.nan)
            out[~missing] = values[~missing].astype(np.float64)
        except (TypeError, ValueError):
            return None
        return out
    return values
