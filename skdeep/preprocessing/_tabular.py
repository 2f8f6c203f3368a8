"""TabularPreprocessor: raw tables (numeric, categorical, missing) to numbers."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._sklearn import Interval, InvalidParameterError, StrOptions, _fit_context
from ._columns import Table
from ._dates import date_block, date_names, varying_parts
from ._scaling import centre_and_scale, smooth_clip

__all__ = ["TabularPreprocessor"]


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    r"""Turn a raw table into numbers a network learns from, as RealMLP does.

    Takes a pandas or polars DataFrame (or an array) with numeric,
    categorical (category, object, string, bool) columns and missing values,
    and returns a float matrix, fitted on the training rows only:

    - **numeric columns** are centred at their median, divided by their
      inter-quartile range (half their range if that is 0; constant columns
      become 0; quantiles of the empirical distribution, the average of the
      two candidates at a tie, weighted by ``sample_weight``) and smoothly
      clipped with :func:`smooth_clip`; a missing value becomes 0 (the
      median), and every column with missing values in training gains a 0/1
      indicator column. This is the
      ``median_center``, ``robust_scale``, ``smooth_clip`` preprocessing of
      RealMLP (Holzmüller, Grinsztajn & Steinwart, NeurIPS 2024).
    - **categorical columns** with up to ``max_one_hot`` levels (counting
      "missing" as a level when training has missing values) are one-hot
      encoded (a two-level column without missing values as one 0/1
      column); larger ones become one column of integer codes, 0 for a
      missing or unseen value and 1 to ``n_levels`` for the others, for
      :class:`skdeep.nn.CategoryEmbedding` to embed. An unseen category is
      never an error: all-zero one-hot columns, or code 0.
    - **date columns** (pandas ``datetime64``, with or without a time zone,
      or Python dates; polars ``Date`` and ``Datetime``; NumPy
      ``datetime64``) become numeric columns: the timestamp (seconds since
      1970-01-01 UTC), the year, and month, day of month, day of week, day
      of year, hour and minute as sine/cosine pairs on their cycles; only
      the parts that vary in the training rows are kept, read on the wall
      clock of the column's time zone. They are then centred, scaled and
      clipped like the numeric columns; a missing date gives one indicator
      column per date column.

    Output columns, in order: numeric, date parts, missing indicators,
    one-hot, codes. Levels are compared as text (``str`` of the value). A
    column of durations, or of lists or other containers, is refused with
    an error that names it.

    Parameters
    ----------
    categorical_features : 'from_dtype', array-like or None, default='from_dtype'
        Which columns are categorical: by their dtype (pandas'
        ``category``, ``object``, ``string``, ``bool``; polars' ``String``,
        ``Categorical``, ``Enum``, ``Boolean``; text in a NumPy array), as
        ``HistGradientBoostingClassifier`` does; or by name or index; None
        for none.
    max_one_hot : int, default=9
        Largest number of levels that is one-hot encoded (RealMLP-TD's
        ``max_one_hot_cat_size``); 0 embeds every categorical column.
    clip : float or None, default=3.0
        Bound of the smooth clipping of numeric columns; None leaves them
        unclipped (robust-scaled only).
    dtype : {numpy.float64, numpy.float32}, default=numpy.float64
        Type of the output.

    Attributes
    ----------
    numeric_features_ : ndarray of int
        Indices of the numeric input columns.
    categorical_features_ : ndarray of int
        Indices of the categorical input columns.
    date_features_ : ndarray of int
        Indices of the date input columns.
    date_parts_ : list of tuple of str
        Per date column, the calendar parts it gives besides its timestamp,
        among ``'year'``, ``'month'``, ``'day'``, ``'weekday'``,
        ``'dayofyear'``, ``'hour'``, ``'minute'``.
    medians_, scales_ : ndarray of shape (n_numeric_out,)
        What the numeric output columns (numeric inputs, then date parts)
        are centred at and multiplied by.
    missing_indicators_ : ndarray of int
        Numeric output columns (positions among the first
        ``n_numeric_out_``) whose missing values have an indicator: a
        numeric column, or the timestamp of a date column.
    categories_ : list of ndarray of str
        Levels of each categorical column, sorted.
    one_hot_ : ndarray of bool
        Per categorical column: one-hot encoded (True) or coded (False).
    missing_levels_ : ndarray of bool
        Per categorical column: whether training had missing values (a
        one-hot column then has a "missing" column).
    embedded_categories_ : dict
        Output column of each coded categorical column, mapped to its number
        of codes (levels + 1): what
        ``DeepNetClassifier(embedding_options={'categories': ...})`` takes.
    n_numeric_out_ : int
        Number of numeric output columns (the first ones: numeric inputs and
        date parts).
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, when X has string column names.

    See Also
    --------
    TabularNetClassifier, TabularNetRegressor : Networks with this step built in.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skdeep.preprocessing import TabularPreprocessor
    >>> X = pd.DataFrame({"size": [1.0, 2.0, np.nan, 40.0],
    ...                   "color": ["red", "blue", "red", None]})
    >>> pre = TabularPreprocessor().fit(X)
    >>> pre.get_feature_names_out().tolist()
    ['size', 'size_missing', 'color_blue', 'color_red', 'color_missing']
    >>> pre.transform(X).round(2)
    array([[-0.03,  0.  ,  0.  ,  1.  ,  0.  ],
           [ 0.  ,  0.  ,  1.  ,  0.  ,  0.  ],
           [ 0.  ,  1.  ,  0.  ,  1.  ,  0.  ],
           [ 0.93,  0.  ,  0.  ,  0.  ,  1.  ]])
    """

    _parameter_constraints: dict = {
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "max_one_hot": [Interval(Integral, 0, None, closed="left")],
        "clip": [Interval(Real, 0, None, closed="neither"), None],
        "dtype": [type, np.dtype, str],
    }

    def __init__(
        self,
        categorical_features="from_dtype",
        max_one_hot=9,
        clip=3.0,
        dtype=np.float64,
    ):
        self.categorical_features = categorical_features
        self.max_one_hot = max_one_hot
        self.clip = clip
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Learn the columns' kinds, medians, scales and levels.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Training table.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the quantiles; rows of weight 0 are not
            seen (their levels are unseen ones).

        Returns
        -------
        self : TabularPreprocessor
            Fitted.
        """
        self._output_dtype()
        table = self._table(X, reset=True)
        if table.n_rows == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape=({table.n_rows}, "
                f"{table.n_columns})) while a minimum of 1 is required."
            )
        weights = np.ones(table.n_rows)
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            if weights.size != table.n_rows:
                raise ValueError(
                    f"sample_weight has {weights.size} values for {table.n_rows} rows."
                )
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise ValueError("Negative values in data passed to `sample_weight`")
            if not weights.any():
                raise ValueError(
                    "Sample weights must contain at least one non-zero number."
                )
        seen = weights > 0
        dates = self._date_mask(table)
        categorical = self._categorical_mask(table, dates)
        dates &= ~categorical  # a date column declared categorical is text
        self.numeric_features_ = np.flatnonzero(~categorical & ~dates)
        self.categorical_features_ = np.flatnonzero(categorical)
        self.date_features_ = np.flatnonzero(dates)
        columns, indicators = [], []
        for j in self.numeric_features_:
            values = table.numeric(j)
            if np.isinf(values).any():
                raise ValueError(
                    f"Input X contains infinity in column {table.label(j)}."
                )
            if (np.isnan(values) & seen).any():
                indicators.append(len(columns))
            columns.append(values)
        self.date_parts_ = []
        for j in self.date_features_:
            local, utc = table.datetimes(j)
            missing = np.isnat(utc)
            parts = varying_parts(local, seen & ~missing)
            self.date_parts_.append(parts)
            if (missing & seen).any():  # one indicator per date column
                indicators.append(len(columns))
            columns.extend(date_block(local, utc, parts).T)
        stats = [centre_and_scale(values, seen, weights) for values in columns]
        self.medians_ = np.array([m for m, _ in stats], dtype=np.float64)
        self.scales_ = np.array([s for _, s in stats], dtype=np.float64)
        self.missing_indicators_ = np.asarray(indicators, dtype=np.intp)
        self.categories_, one_hot, missing_levels = [], [], []
        for j in self.categorical_features_:
            names, codes = table.coded(j)
            levels = np.unique(names[codes[(codes >= 0) & seen]])
            self.categories_.append(levels)
            missing = (codes < 0) & seen
            missing_levels.append(bool(missing.any()))
            one_hot.append(levels.size + missing.any() <= self.max_one_hot)
        self.one_hot_ = np.asarray(one_hot, dtype=bool)
        self.missing_levels_ = np.asarray(missing_levels, dtype=bool)
        self.n_numeric_out_ = self.medians_.size
        start = self.n_numeric_out_ + self.missing_indicators_.size
        start += sum(self._one_hot_width(c) for c in np.flatnonzero(self.one_hot_))
        self.embedded_categories_ = {
            start + i: int(self.categories_[c].size + 1)
            for i, c in enumerate(np.flatnonzero(~self.one_hot_))
        }
        return self

    def transform(self, X):
        """Return the numeric matrix.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            Table with the training columns; missing values and unseen
            categories are allowed.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            Numeric columns, indicators, one-hot columns, codes.
        """
        check_is_fitted(self)
        table = self._table(X, reset=False)
        dtype = self._output_dtype()
        n = table.n_rows
        blocks = []
        numeric = table.numeric_block(self.numeric_features_)
        if self.date_features_.size:
            blocks_of_dates = [
                date_block(*table.datetimes(j), parts)
                for j, parts in zip(self.date_features_, self.date_parts_, strict=True)
            ]
            numeric = np.hstack([numeric, *blocks_of_dates])
        numeric -= self.medians_
        numeric *= self.scales_
        if self.clip is not None:
            smooth_clip(numeric, self.clip, out=numeric)
        missing = np.isnan(numeric)
        blocks.append(np.where(missing, 0.0, numeric))
        blocks.append(missing[:, self.missing_indicators_].astype(np.float64))
        codes = []
        for c, j in enumerate(self.categorical_features_):
            levels = self.categories_[c]
            # The column's distinct values matched once, then indexed by code
            # (-1, missing, takes the appended entries: not a known level).
            names, level_codes = table.coded(j)
            position, known = _match_levels(levels, names)
            absent = level_codes < 0
            position = np.append(position, 0)[level_codes]
            known = np.append(known, False)[level_codes]
            if self.one_hot_[c]:
                block = np.zeros((n, self._one_hot_width(c)))
                if self._binary(c):
                    block[:, 0] = known & (position == 1)
                else:
                    rows = np.flatnonzero(known)
                    block[rows, position[rows]] = 1.0
                    if self.missing_levels_[c]:
                        block[:, -1] = absent
                blocks.append(block)
            else:
                codes.append(np.where(known, position + 1, 0).astype(np.float64))
        if codes:
            blocks.append(np.column_stack(codes))
        return np.hstack(blocks).astype(dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; by default ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        names : ndarray of str
            ``name``, ``date_timestamp``, ``date_year``, ``date_month_sin``,
            ``date_month_cos``, ..., ``name_missing``, ``name_level``,
            ``name_codes``.
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = getattr(
                self,
                "feature_names_in_",
                [f"x{i}" for i in range(self.n_features_in_)],
            )
        names = np.asarray(input_features, dtype=object)
        if names.size != self.n_features_in_:
            raise ValueError(
                f"input_features should have length {self.n_features_in_}, got "
                f"{names.size}."
            )
        out = [str(name) for name in names[self.numeric_features_]]
        sources = list(out)  # the input column behind each numeric output
        for j, parts in zip(self.date_features_, self.date_parts_, strict=True):
            block = date_names(str(names[j]), parts)
            out += block
            sources += [str(names[j])] * len(block)
        out += [f"{sources[i]}_missing" for i in self.missing_indicators_]
        coded = []
        for c, j in enumerate(self.categorical_features_):
            if not self.one_hot_[c]:
                coded.append(f"{names[j]}_codes")
            elif self._binary(c):
                out.append(f"{names[j]}_{self.categories_[c][1]}")
            else:
                out += [f"{names[j]}_{level}" for level in self.categories_[c]]
                if self.missing_levels_[c]:
                    out.append(f"{names[j]}_missing")
        return np.asarray(out + coded, dtype=object)

    def set_output(self, *, transform=None):
        """Choose the type of ``transform``'s output.

        Parameters
        ----------
        transform : {'default', 'pandas', 'polars'} or None, default=None
            'default': a NumPy array; 'pandas' or 'polars': a data frame with
            the columns of :meth:`get_feature_names_out`; None leaves the
            setting as it is.

        Returns
        -------
        self : TabularPreprocessor
            This transformer.
        """
        return super().set_output(transform=transform)

    def __setstate__(self, state):
        if "numeric_features_" in state and "date_features_" not in state:
            # Fitted by skdeep 0.1, which had no date columns.
            state["date_features_"] = np.empty(0, dtype=np.intp)
            state["date_parts_"] = []
        super().__setstate__(state)

    # -- helpers -----------------------------------------------------------------
    def _binary(self, c) -> bool:
        return self.categories_[c].size == 2 and not self.missing_levels_[c]

    def _one_hot_width(self, c) -> int:
        if self._binary(c):
            return 1
        return self.categories_[c].size + int(self.missing_levels_[c])

    def _output_dtype(self):
        dtype = np.dtype(self.dtype)
        if dtype not in (np.float64, np.float32):
            raise InvalidParameterError(
                "The 'dtype' parameter of TabularPreprocessor must be numpy.float64 "
                f"or numpy.float32. Got {self.dtype!r} instead."
            )
        return dtype

    def _table(self, X, reset: bool) -> Table:
        if isinstance(X, str) or X is None:
            raise ValueError(
                f"Expected a 2D table (rows x columns), got {type(X).__name__}."
            )
        table = Table(X)
        if table.n_columns == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape=({table.n_rows}, 0)) while "
                "a minimum of 1 is required."
            )
        # The column checks (names and count) without converting the table;
        # the usual case, the training columns in order, is checked here.
        same = (
            not reset
            and table.names is not None
            and hasattr(self, "feature_names_in_")
            and table.names == getattr(self, "_feature_names", None)
        )
        if not same:
            validate_data(self, X, reset=reset, skip_check_array=True)
            names = getattr(self, "feature_names_in_", None)
            self._feature_names = None if names is None else list(names)
        if table.names is None and not reset and table.n_columns != self.n_features_in_:
            raise ValueError(
                f"X has {table.n_columns} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        return table

    def _date_mask(self, table: Table) -> np.ndarray:
        return np.array([table.looks_date(j) for j in range(table.n_columns)], bool)

    def _categorical_mask(self, table: Table, dates: np.ndarray) -> np.ndarray:
        spec = self.categorical_features
        n = table.n_columns
        if spec is None:
            return np.zeros(n, dtype=bool)
        if isinstance(spec, str):  # 'from_dtype'
            return np.array(
                [
                    table.looks_categorical(j) and not table.looks_date(j)
                    for j in range(n)
                ],
                bool,
            )
        spec = np.asarray(spec)
        mask = np.zeros(n, dtype=bool)
        if spec.dtype == bool:
            if spec.size != n:
                raise ValueError(
                    f"categorical_features has {spec.size} booleans for {n} columns."
                )
            return spec.copy()
        for item in spec.ravel():
            if isinstance(item, str | np.str_):
                if table.names is None or item not in table.names:
                    raise ValueError(
                        f"categorical_features names the column {item!r}, which X "
                        "does not have."
                    )
                mask[table.names.index(item)] = True
            else:
                if not 0 <= int(item) < n:
                    raise ValueError(
                        f"categorical_features has the index {item}, outside [0, {n})."
                    )
                mask[int(item)] = True
        return mask

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _match_levels(levels, strings):
    """Each string's position among the sorted levels, and whether it is one."""
    position = np.searchsorted(levels, strings)
    position = np.minimum(position, max(levels.size - 1, 0))
    if not levels.size:
        return position, np.zeros(position.shape, dtype=bool)
    return position, levels[position] == strings
