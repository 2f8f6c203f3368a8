"""What both tabular networks share: the fit template, members, prediction.

``fit`` reads top to bottom: preprocess the raw table
(:class:`~skdeep.preprocessing.TabularPreprocessor`), hold out rows by
content (:mod:`._split`), train the members as one pack
(:mod:`._members`, in RealMLP's parametrisation, :mod:`._recipe`), fit the
linear model and choose the blend on the held-out rows (:mod:`._blend`). A
task (``_classifier``, ``_regressor``) adds its targets, its loss, how a
member's raw scores become predictions, its linear model and its per-row
loss.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ...exceptions import TrainingDivergedError
from ...preprocessing import TabularPreprocessor
from ...training import predict_raw
from ...utils._sklearn import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _check_sample_weight,
)
from .._params import (
    NETWORK_CONSTRAINTS,
    PARAMETER_CONSTRAINTS,
    check_embedding_keys,
    check_learning_rate_factors,
)
from .._prediction import (
    OPTIONAL_PARAMETER_ATTRIBUTES,
    fitted_groups,
    fitted_network,
    forget_network,
    inference_key,
    inference_network,
    parameter_attributes,
)
from ._blend import blend_weight, linear_inputs, linear_scores
from ._members import build_pack, member_seeds, network_options, train_pack
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
        """Fit everything; return whether a Ctrl-C cut training short."""
        name = type(self).__name__
        check_learning_rate_factors(name, self.learning_rate_factors)
        check_embedding_keys(name, self.embedding_options or {}, _EMBEDDING_KEYS)
        if not all(int(s) >= 1 for s in np.atleast_1d(self.hidden_layer_sizes)):
            raise InvalidParameterError(
                f"The 'hidden_layer_sizes' parameter of {name} must hold positive "
                f"ints; got {self.hidden_layer_sizes!r}."
            )
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
        encoded = self._encode(target(y))
        options = network_options(self, pre, self.n_ensembles)
        pack = build_pack(self, options, self._n_outputs(), self._training_loss())
        seeds = member_seeds(rng, self.n_ensembles)
        try:
            state, progress, outcome = train_pack(
                self, pack, (Z, encoded, sample_weight, train, val), seeds
            )
        except TrainingDivergedError as exc:
            # The networks' advice (scale the input) is this estimator's job.
            raise TrainingDivergedError(
                exc.reason,
                f"Lower learning_rate_init (now {self.learning_rate_init}). "
                "The estimator was left as it was before this call.",
            ) from None
        self._publish_pack(pack, options, state, progress)
        net = self._combine(self._member_outputs(progress.best_raw))
        coded = pre.embedded_categories_
        linear, weight = None, 1.0
        if self.linear_blend:
            sw_train = None if sample_weight is None else sample_weight[train]
            sw_val = None if sample_weight is None else sample_weight[val]
            Z_train, Z_val = Z[train], Z[val]
            t_train, t_val = target(y[train]), target(y[val])
            linear = self._linear_model().fit(
                linear_inputs(Z_train, coded), t_train, sample_weight=sw_train
            )
            lin = self._linear_output(linear_scores(linear, Z_val, coded), linear)
            weight = blend_weight(
                net, lin, lambda p: self._row_losses(p, t_val), sw_val
            )
            # The weight chosen, the linear model learns from every row.
            linear.fit(linear_inputs(Z, coded), target(y), sample_weight=sample_weight)
        self.preprocessor_ = pre
        self.linear_ = linear
        self.blend_weight_ = float(weight)
        self.n_features_in_ = pre.n_features_in_
        if hasattr(pre, "feature_names_in_"):
            self.feature_names_in_ = pre.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return outcome.interrupted

    def _publish_pack(self, pack, options, state, progress) -> None:
        """Store the members' weights and what their training did."""
        forget_network(self)  # views of an earlier fit's weights
        for name in OPTIONAL_PARAMETER_ATTRIBUTES:
            vars(self).pop(name, None)
        for name, value in parameter_attributes(state.params, state.stats).items():
            setattr(self, name, value)
        self._network_options = options
        self._activation = pack.activation
        self._loss = pack.loss.name
        # Members whose training diverged before any finite epoch are left out.
        trained = progress.best_epoch > 0
        self.ensemble_weights_ = trained / trained.sum()
        self.best_epochs_ = progress.best_epoch
        self.n_iter_ = int(progress.n_iter.max())
        self.loss_curve_ = list(progress.loss_curve)
        curves = np.array(progress.validation_curve)
        self.validation_scores_ = list(-np.nanmean(curves, axis=1))
        self.best_validation_score_ = float(-np.mean(progress.best_loss[trained]))

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

    # -- the fitted pack, for prediction and export -------------------------------
    def _fitted_groups(self):
        return fitted_groups(self)

    def _inference_key(self):
        return inference_key(self)

    def _inference_network(self):
        return inference_network(self)

    def _members_output(self, Z):
        """Return each member's predictions (probabilities or standardised targets)."""
        network, params, stats = fitted_network(self)
        raw = predict_raw(network, params, Z, stats)
        return self._member_outputs(raw)

    def _combine(self, outputs):
        """Return the members' predictions averaged with the ensemble's weights."""
        weights = getattr(self, "ensemble_weights_", None)
        if weights is None:
            weights = np.full(outputs.shape[0], 1 / outputs.shape[0])
        return np.tensordot(weights, outputs, axes=1)

    def _blended(self, X):
        check_is_fitted(self)
        pre = self.preprocessor_
        Z = pre.transform(X)
        out = self._combine(self._members_output(Z))
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
