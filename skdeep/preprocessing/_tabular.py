"""TabularPreprocessor: raw tables (numeric, categorical, missing) to numbers."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._sklearn import Interval, InvalidParameterError, StrOptions, _fit_context
from ._columns import Table, weighted_quantiles

__all__ = ["TabularPreprocessor", "smooth_clip"]


def smooth_clip(x, bound: float = 3.0, out=None):
    r"""RealMLP's smooth clipping, :math:`x / \sqrt{1 + (x / b)^2}`.

    Close to the identity near 0 and bounded by :math:`\pm b`, so that a few
    extreme values cannot dominate a network's first layer.

    Parameters
    ----------
    x : ndarray
        Values (NaN stays NaN).
    bound : float, default=3.0
        The limit :math:`b` of the output's magnitude.
    out : ndarray, default=None
        Where to write the result (may be ``x``).

    Returns
    -------
    y : ndarray
        The clipped values.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import smooth_clip
    >>> smooth_clip(np.array([0.0, 1.0, 100.0])).round(3)
    array([0.   , 0.949, 2.999])
    """
    x = np.asarray(x)
    ratio = np.divide(x, bound)
    np.square(ratio, out=ratio)
    ratio += 1
    np.sqrt(ratio, out=ratio)
    return np.divide(x, ratio, out=out)


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

    Output columns, in order: numeric, missing indicators, one-hot, codes.
    Levels are compared as text (``str`` of the value).

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
    medians_, scales_ : ndarray of shape (n_numeric,)
        What the numeric columns are centred at and multiplied by.
    missing_indicators_ : ndarray of int
        Numeric columns (positions in ``numeric_features_``) that have an
        indicator.
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
        Number of numeric output columns (the first ones).
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
        categorical = self._categorical_mask(table)
        self.numeric_features_ = np.flatnonzero(~categorical)
        self.categorical_features_ = np.flatnonzero(categorical)
        medians, scales, indicators = [], [], []
        for i, j in enumerate(self.numeric_features_):
            values = table.numeric(j)
            if np.isinf(values).any():
                raise ValueError(
                    f"Input X contains infinity in column {table.label(j)}."
                )
            missing = np.isnan(values)
            if (missing & seen).any():
                indicators.append(i)
            kept = values[~missing & seen]
            if kept.size == 0:
                medians.append(0.0)
                scales.append(0.0)
                continue
            q25, median, q75 = weighted_quantiles(
                kept, weights[~missing & seen], [0.25, 0.5, 0.75]
            )
            spread = q75 - q25 if q75 > q25 else (kept.max() - kept.min()) / 2
            medians.append(median)
            scales.append(1.0 / spread if spread > 0 else 0.0)
        self.medians_ = np.asarray(medians, dtype=np.float64)
        self.scales_ = np.asarray(scales, dtype=np.float64)
        self.missing_indicators_ = np.asarray(indicators, dtype=np.intp)
        self.categories_, one_hot, missing_levels = [], [], []
        for j in self.categorical_features_:
            strings, missing = table.text(j)
            levels = np.unique(strings[~missing & seen])
            self.categories_.append(levels)
            missing = missing & seen
            missing_levels.append(bool(missing.any()))
            one_hot.append(levels.size + missing.any() <= self.max_one_hot)
        self.one_hot_ = np.asarray(one_hot, dtype=bool)
        self.missing_levels_ = np.asarray(missing_levels, dtype=bool)
        self.n_numeric_out_ = self.numeric_features_.size
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
        numeric -= self.medians_
        numeric *= self.scales_
        if self.clip is not None:
            smooth_clip(numeric, self.clip, out=numeric)
        missing = np.isnan(numeric)
        blocks.append(np.where(missing, 0.0, numeric))
        blocks.append(missing[:, self.missing_indicators_].astype(np.float64))
        codes = []
        for c, j in enumerate(self.categorical_features_):
            strings, absent = table.text(j)
            levels = self.categories_[c]
            position = np.searchsorted(levels, strings)
            position = np.minimum(position, max(levels.size - 1, 0))
            known = ~absent & (levels.size > 0)
            if levels.size:
                known &= levels[position] == strings
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
            ``name``, ``name_missing``, ``name_level``, ``name_codes``.
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
        numeric = names[self.numeric_features_]
        out = [str(name) for name in numeric]
        out += [f"{numeric[i]}_missing" for i in self.missing_indicators_]
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

    def _categorical_mask(self, table: Table) -> np.ndarray:
        spec = self.categorical_features
        n = table.n_columns
        if spec is None:
            return np.zeros(n, dtype=bool)
        if isinstance(spec, str):  # 'from_dtype'
            return np.array([table.looks_categorical(j) for j in range(n)], bool)
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
