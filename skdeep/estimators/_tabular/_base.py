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

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ...exceptions import TrainingDivergedError
from ...preprocessing import TabularPreprocessor
from ...training import Members, predict_raw
from ...utils._sklearn import (
    CallbackSupportMixin,
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
from .._preparation import CallbackObserver
from ._linear import linear_inputs, linear_scores
from ._members import (
    build_pack,
    network_options,
    sample_configurations,
    train_pack,
)
from ._select import greedy_selection
from ._split import assign_folds

__all__ = ["BaseTabularNet", "column_target"]

#: The deep nets' parameters a tabular network shares, with their constraints.
_SHARED = (
    "hidden_layer_sizes",
    "activation",
    "dropout_schedule",
    "learning_rate_init",
    "learning_rate",
    "learning_rate_factors",
    "weight_decay",
    "weight_decay_schedule",
    "beta_1",
    "beta_2",
    "front_scale",
    "embedding",
    "embedding_options",
    "random_state",
    "verbose",
)
#: The embedding options a tabular network takes (the columns are its own).
_EMBEDDING_KEYS = ("n_frequencies", "n_units", "sigma")


class BaseTabularNet(CallbackSupportMixin, BaseEstimator):
    """What both tabular networks share: parameters, preprocessing, members."""

    _parameter_constraints: dict = {
        **{
            name: {**PARAMETER_CONSTRAINTS, **NETWORK_CONSTRAINTS}[name]
            for name in _SHARED
        },
        # 'auto' follows the table's size here (RealMLP's rule).
        "batch_size": PARAMETER_CONSTRAINTS["batch_size"],
        # One rate: the members' rates may differ around it.
        "dropout": NETWORK_CONSTRAINTS["dropout"][:1],
        # Some rows must be held out: they choose the best epoch.
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        # 'auto' follows the table's size here (see _recipe.auto_epochs).
        "max_iter": [StrOptions({"auto"}), *PARAMETER_CONSTRAINTS["max_iter"]],
        "n_folds": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "sample_hyperparameters": ["boolean"],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
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
        started = time.perf_counter()
        self._check_options()
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
        # The rows' weights in the losses: the sample weights, times the class
        # weights of a classifier. The preprocessing and the folds see the
        # sample weights only (repetitions of rows, not a change of objective).
        loss_weight = self._loss_weights(y, sample_weight)
        rng = check_random_state(self.random_state)
        folds = assign_folds(
            Z,
            y,
            sample_weight,
            self.n_folds,
            self.validation_fraction,
            self._stratify_split,
            rng,
        )
        fold_rows = _fold_rows(folds)
        target = self._fit_target(y, sample_weight)
        encoded = self._encode(target(y))
        configurations = sample_configurations(self, rng)
        members = _members(fold_rows, configurations, rng)
        options = network_options(self, pre, members.n_members)
        pack = build_pack(
            self,
            options,
            self._n_outputs(),
            self._training_loss(),
            np.repeat(configurations.dropout, len(fold_rows)),
        )
        # The linear model's part first: the rest of max_time is the pack's.
        linear_oof = self._linear_candidates(Z, y, target, loss_weight, pre, fold_rows)
        budget = None
        if self.max_time is not None:
            budget = max(self.max_time - (time.perf_counter() - started), 0.0)
        # What the callbacks' snapshots predict with, during training.
        self.preprocessor_, self._pending_options = pre, options
        data = {"X": X, "y": y, "metadata": {}}
        if sample_weight is not None:
            data["metadata"]["sample_weight"] = sample_weight
        max_subtasks = None if self.max_iter == "auto" else self.max_iter
        observer = CallbackObserver(self, data, pack, max_subtasks)
        try:
            state, progress, outcome = train_pack(
                self, pack, (Z, encoded, loss_weight), members, budget, observer
            )
        except TrainingDivergedError as exc:
            # The networks' advice (scale the input) is this estimator's job.
            raise TrainingDivergedError(
                exc.reason,
                f"Lower learning_rate_init (now {self.learning_rate_init}). "
                "The estimator was left as it was before this call.",
            ) from None
        if outcome.message is not None:
            still = int((progress.stopped == "max_time").sum())
            warnings.warn(
                f"{type(self).__name__}: max_time={self.max_time:g}s ended "
                f"training after {len(progress.loss_curve)} epoch(s), with "
                f"{still} of {len(progress.stopped)} networks still improving; "
                "the model uses each one's best epoch so far.",
                ConvergenceWarning,
                stacklevel=4,
            )
        del self._pending_options
        self._publish_pack(pack, options, state, progress)
        self._select(y, target, loss_weight, fold_rows, progress, linear_oof)
        self.n_features_in_ = pre.n_features_in_
        if hasattr(pre, "feature_names_in_"):
            self.feature_names_in_ = pre.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        observer.finish()
        return outcome.interrupted

    def _loss_weights(self, y, sample_weight):
        """Return the rows' weights in the losses (None: all equal)."""
        return sample_weight

    def _linear_candidates(self, Z, y, target, sample_weight, pre, fold_rows):
        """Fit the linear model on every row, and out of fold; return its OOF part.

        Returns None without ``linear_blend``: the linear model is then no
        candidate of the ensemble.
        """
        self.linear_ = None
        if not self.linear_blend:
            return None
        coded = pre.embedded_categories_
        parts = []
        for train, val in fold_rows:
            sw = None if sample_weight is None else sample_weight[train]
            model = self._fit_linear(
                linear_inputs(Z[train], coded), target(y[train]), sw
            )
            parts.append(
                self._linear_output(linear_scores(model, Z[val], coded), model)
            )
        self.linear_ = self._fit_linear(
            linear_inputs(Z, coded), target(y), sample_weight
        )
        return np.concatenate(parts)

    def _fit_linear(self, X, target, sample_weight):
        """Return the task's linear model fit on these rows."""
        return self._linear_model().fit(X, target, sample_weight=sample_weight)

    def _snapshot_attributes(self, network, params, stats) -> dict:
        """Return the fitted attributes of a model of these weights (callbacks).

        Every member weighs the same, and the linear model is left out: the
        ensemble is chosen after training.
        """
        attributes = parameter_attributes(params, stats)
        k = network.n_members
        attributes.update(
            preprocessor_=self.preprocessor_,
            n_features_in_=self.preprocessor_.n_features_in_,
            _network_options=self._pending_options,
            _activation=network.activation,
            _loss=network.loss.name,
            ensemble_weights_=np.full(k, 1 / k),
            blend_weight_=1.0,
            linear_=None,
        )
        return attributes

    def _check_options(self) -> None:
        name = type(self).__name__
        check_learning_rate_factors(name, self.learning_rate_factors)
        check_embedding_keys(name, self.embedding_options or {}, _EMBEDDING_KEYS)
        sizes = np.atleast_1d(self.hidden_layer_sizes)
        if not all(isinstance(s, Integral) and s >= 1 for s in sizes.tolist()):
            raise InvalidParameterError(
                f"The 'hidden_layer_sizes' parameter of {name} must hold positive "
                f"ints; got {self.hidden_layer_sizes!r}."
            )

    def _select(self, y, target, sample_weight, fold_rows, progress, linear_oof):
        """Weigh the configurations and the linear model on held-out rows.

        Every candidate's out-of-fold predictions -- each row predicted by
        the members that held it out, at their best epochs, and by linear
        models fit without its fold -- go to greedy ensemble selection
        (:mod:`._select`).
        """
        n_folds = len(fold_rows)
        held = np.concatenate([val for _, val in fold_rows])
        outputs = self._member_outputs(progress.best_raw)  # (k, n_val, ...)
        n_configs = outputs.shape[0] // n_folds
        candidates = [
            np.concatenate(
                [
                    outputs[c * n_folds + f, : len(val)]
                    for f, (_, val) in enumerate(fold_rows)
                ]
            )
            for c in range(n_configs)
        ]
        trained = progress.best_epoch > 0
        usable = [
            trained[c * n_folds : (c + 1) * n_folds].all() for c in range(n_configs)
        ]
        if linear_oof is not None:
            candidates.append(linear_oof)
            usable.append(True)
        t_held = target(y[held])
        sw_held = None if sample_weight is None else sample_weight[held]
        keep = np.flatnonzero(usable)
        weights = np.zeros(len(candidates))
        weights[keep] = greedy_selection(
            np.stack([candidates[i] for i in keep]),
            lambda p: self._row_losses(p, t_held),
            sw_held,
        )
        net_weights = weights[:n_configs]
        self.blend_weight_ = float(net_weights.sum())
        member_weights = np.repeat(net_weights / n_folds, n_folds)
        if self.blend_weight_ > 0:
            member_weights /= self.blend_weight_
        self.ensemble_weights_ = member_weights

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
        # Members whose training diverged before any finite epoch are left out
        # (ensemble_weights_ comes from the selection, _select).
        trained = progress.best_epoch > 0
        self.best_epochs_ = progress.best_epoch
        self.n_iter_ = int(progress.n_iter.max())
        self.loss_curve_ = list(progress.loss_curve)
        curves = np.array(progress.validation_curve)
        self.validation_scores_ = list(-np.nanmean(curves, axis=1))
        self.best_validation_score_ = float(-np.mean(progress.best_loss[trained]))
        self.stopped_ = progress.stopped.astype(str)

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


def column_target(y, several: bool = False):
    """``y`` as a 1-D array (or 2-D, if ``several``); a column vector warns."""
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
    if y.ndim != 1 and not (several and y.ndim == 2):
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    if y.size == 0:
        raise ValueError(
            "Found array with 0 sample(s) (shape=(0,)) while a minimum of 2 is "
            "required."
        )
    return y


def _fold_rows(folds):
    """Each fold's training and held-out rows (empty folds dropped).

    A row in no fold (-1) trains every member. Where a fold holds every row
    of positive weight (nothing else to train on), its member trains on
    every row and is judged on them.
    """
    rows = np.arange(folds.size)
    pairs = []
    for fold in np.unique(folds[folds >= 0]):
        val = rows[folds == fold]
        train = rows[folds != fold]
        if not train.size:
            train = rows
        pairs.append((train, val))
    return pairs


def _members(fold_rows, configurations, rng) -> Members:
    """Member (c, f) is configuration c on fold f: its rows, factors, seed."""
    n_configs, n_folds = len(configurations.learning_rate), len(fold_rows)
    seeds = [
        int(rng.randint(np.iinfo(np.int32).max)) for _ in range(n_configs * n_folds)
    ]
    return Members(
        train_rows=[train for _ in range(n_configs) for train, _ in fold_rows],
        val_rows=[val for _ in range(n_configs) for _, val in fold_rows],
        rngs=[np.random.RandomState(seed) for seed in seeds],
        learning_rates=np.repeat(configurations.learning_rate, n_folds),
        weight_decays=np.repeat(configurations.weight_decay, n_folds),
    )
