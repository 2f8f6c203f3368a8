"""What both tabular networks share: the fit template, members, prediction.

``fit`` reads top to bottom: preprocess the raw table
(:class:`~skdeep.preprocessing.TabularPreprocessor`), hold out rows by
content (:mod:`._split`), train the members (deep nets in RealMLP's
parametrisation, :mod:`._recipe`), fit the linear model and choose the
blend on the held-out rows (:mod:`._blend`). A task (``_classifier``,
``_regressor``) adds its targets, its member and linear classes and its
per-row loss.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ...exceptions import TrainingDivergedError
from ...preprocessing import TabularPreprocessor
from ...utils._sklearn import Interval, StrOptions, _check_sample_weight
from .._params import (
    NETWORK_CONSTRAINTS,
    PARAMETER_CONSTRAINTS,
    check_embedding_keys,
    check_learning_rate_factors,
)
from ._blend import blend_weight, linear_inputs, linear_scores
from ._recipe import MEMBER, ROLE_FACTORS
from ._split import held_out_split

__all__ = ["BaseTabularNet", "column_target"]

#: The deep nets' parameters a tabular network shares, with their constraints.
_SHARED = (
    "hidden_layer_sizes",
    "activation",
    "dropout",
    "dropout_schedule",
    "learning_rate_init",
    "learning_rate",
    "learning_rate_factors",
    "weight_decay",
    "weight_decay_schedule",
    "beta_1",
    "beta_2",
    "max_iter",
    "front_scale",
    "embedding",
    "embedding_options",
    "random_state",
    "verbose",
)
#: The embedding options a tabular network takes (the columns are its own).
_EMBEDDING_KEYS = ("n_frequencies", "n_units", "sigma")


class BaseTabularNet(BaseEstimator):
    """What both tabular networks share: parameters, preprocessing, members."""

    _parameter_constraints: dict = {
        **{
            name: {**PARAMETER_CONSTRAINTS, **NETWORK_CONSTRAINTS}[name]
            for name in _SHARED
        },
        # A fixed size: the deep nets' 'auto' is MLPClassifier's min(200, n).
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        # Some rows must be held out: they choose the best epoch.
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "max_one_hot": [Interval(Integral, 0, None, closed="left")],
        "category_units": [Interval(Integral, 1, None, closed="left")],
        "n_ensembles": [Interval(Integral, 1, None, closed="left")],
        "linear_blend": ["boolean"],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    # -- fitting ---------------------------------------------------------------
    def _fit(self, X, y, sample_weight):
        # A failed call (bad input, divergence, Ctrl-C before any network
        # finished an epoch) leaves the estimator as it was.
        snapshot = dict(vars(self))
        try:
            interrupted = self._fit_all(X, y, sample_weight)
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise
        if interrupted:
            # The networks trained so far are kept; the interrupt propagates.
            raise KeyboardInterrupt
        return self

    def _fit_all(self, X, y, sample_weight) -> bool:
        """Fit everything; return whether a Ctrl-C cut the ensemble short."""
        name = type(self).__name__
        check_learning_rate_factors(name, self.learning_rate_factors)
        check_embedding_keys(name, self.embedding_options or {}, _EMBEDDING_KEYS)
        y = self._validate_y(y)
        pre = TabularPreprocessor(
            categorical_features=self.categorical_features,
            max_one_hot=self.max_one_hot,
            dtype=np.dtype(self.dtype),
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, np.empty((len(y), 0)), dtype=np.float64
            )
        Z = pre.fit(X, sample_weight=sample_weight).transform(X)
        self._check_rows(Z, y, sample_weight)
        rng = check_random_state(self.random_state)
        train, val = held_out_split(
            Z, y, sample_weight, self.validation_fraction, self._stratify_split, rng
        )
        target = self._fit_target(y[train], sample_weight, train)
        Z_train, Z_val = Z[train], Z[val]
        t_train, t_val = target(y[train]), target(y[val])
        sw_train = None if sample_weight is None else sample_weight[train]
        sw_val = None if sample_weight is None else sample_weight[val]
        members, interrupted = [], False
        for _ in range(self.n_ensembles):
            seed = int(rng.randint(np.iinfo(np.int32).max))
            member = self._member(pre, seed, train.size)
            try:
                with warnings.catch_warnings():
                    # The schedules run the whole budget of epochs by design
                    # (the best one is kept): reaching it is no failure.
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    member.fit(
                        Z_train,
                        t_train,
                        sample_weight=sw_train,
                        X_val=Z_val,
                        y_val=t_val,
                        sample_weight_val=sw_val,
                    )
            except TrainingDivergedError as exc:
                # The member's advice (scale the input) is this estimator's job.
                raise TrainingDivergedError(
                    exc.reason,
                    f"Lower learning_rate_init (now {self.learning_rate_init}). "
                    "The estimator was left as it was before this call.",
                ) from None
            except KeyboardInterrupt:
                # A member keeps its last completed epoch; stop there.
                interrupted = True
                if hasattr(member, "coefs_"):
                    members.append(member)
                break
            members.append(member)
        if not members:
            raise KeyboardInterrupt
        coded = pre.embedded_categories_
        linear, weight = None, 1.0
        if self.linear_blend:
            linear = self._linear_model().fit(
                linear_inputs(Z_train, coded), t_train, sample_weight=sw_train
            )
            net = self._members_output(Z_val, members)
            lin = self._linear_output(linear_scores(linear, Z_val, coded), linear)
            weight = blend_weight(
                net, lin, lambda p: self._row_losses(p, t_val), sw_val
            )
            # The weight chosen, the linear model learns from every row.
            linear.fit(linear_inputs(Z, coded), target(y), sample_weight=sample_weight)
        self._publish(pre, members, linear, weight)
        return interrupted

    def _publish(self, pre, members, linear, weight) -> None:
        self.preprocessor_ = pre
        self.estimators_ = members
        self.linear_ = linear
        self.blend_weight_ = float(weight)
        self.n_features_in_ = pre.n_features_in_
        if hasattr(pre, "feature_names_in_"):
            self.feature_names_in_ = pre.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        first = members[0]
        self.n_iter_ = first.n_iter_
        self.loss_curve_ = first.loss_curve_
        self.validation_scores_ = first.validation_scores_
        self.best_validation_score_ = first.best_validation_score_

    def _check_rows(self, Z, y, sample_weight):
        if Z.shape[0] != y.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{Z.shape[0]}, {y.shape[0]}]"
            )
        if Z.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples: a share of them "
                f"is held out to choose the best epoch; got n_samples = {Z.shape[0]}."
            )
        weights = np.ones(y.shape[0]) if sample_weight is None else sample_weight
        if np.count_nonzero(weights > 0) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples of positive weight: "
                "a share of them is held out to choose the best epoch."
            )

    def _member(self, pre, seed, n_train):
        """Make one network: the recipe, the parameters, the table's columns."""
        # The embedding kind's own settings come from skdeep.nn.EMBEDDINGS;
        # only the user's overrides and the columns are passed here.
        embedding = self.embedding if pre.n_numeric_out_ else None
        options = {}
        if embedding is not None:
            options = dict(self.embedding_options or {})
            options["columns"] = list(range(pre.n_numeric_out_))
        if pre.embedded_categories_:
            options.update(
                categories=dict(pre.embedded_categories_),
                category_units=self.category_units,
            )
        shared = {name: getattr(self, name) for name in _SHARED}
        shared.update(
            batch_size=min(self.batch_size, n_train),
            random_state=seed,
            learning_rate_factors={
                **ROLE_FACTORS,
                **(self.learning_rate_factors or {}),
            },
            embedding=embedding,
            embedding_options=options or None,
        )
        return self._member_class(**MEMBER, **shared, **self._member_options())

    def _member_options(self) -> dict:
        return {}

    def _members_output(self, Z, members=None):
        """Average of the members' predictions (probabilities or targets)."""
        members = self.estimators_ if members is None else members
        return np.mean([self._member_predict(m, Z) for m in members], axis=0)

    def _blended(self, X):
        check_is_fitted(self)
        pre = self.preprocessor_
        Z = pre.transform(X)
        out = self._members_output(Z)
        if self.linear_ is not None and self.blend_weight_ < 1:
            scores = linear_scores(self.linear_, Z, pre.embedded_categories_)
            linear = self._linear_output(scores, self.linear_)
            out = self.blend_weight_ * out + (1 - self.blend_weight_) * linear
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags


def column_target(y):
    """``y`` as a 1-D array; a column vector warns, as scikit-learn does."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if np.iscomplexobj(y):
        raise ValueError("Complex data not supported.")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("Input y contains NaN or infinity.")
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=4,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    if y.size == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 2 is "
            "required."
        )
    return y
