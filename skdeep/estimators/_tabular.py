"""The tabular task layer: raw frames in, RealMLP-TD's defaults, ensembles.

Also a validated blend with a linear model.

The networks themselves are the engine's (DeepNetClassifier/DeepNetRegressor
members, with PBLD and category embeddings, front scale, schedules); this
module owns the preprocessing step, the per-layer learning rates of RealMLP's
parametrisation, and how members and the linear model are combined. The two
public classes, in ``_tabular_classifier.py`` and ``_tabular_regressor.py``,
add their parameters and task hooks.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..nn import ACTIVATIONS, EMBEDDINGS, ROLES
from ..optim import SHAPES
from ..preprocessing import TabularPreprocessor
from ..utils._sklearn import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _check_sample_weight,
)
from ._deep_net import DeepNetClassifier
from ._deep_net_regressor import DeepNetRegressor

__all__ = ["BaseTabularNet", "ntk_step_factors"]

#: RealMLP-TD's learning-rate factors by parameter role (pytabkit's
#: ``bias_lr_factor``, ``scale_lr_factor``, ``plr_lr_factor``).
REALMLP_FACTORS = {"biases": 0.1, "scales": 6.0, "embeddings": 0.1}
#: Blend weights of the network tried against the linear model.
BLEND_GRID = np.linspace(0.0, 1.0, 21)


def ntk_step_factors(role_factors: dict):
    """Per-parameter factors of the neural-tangent parametrisation.

    RealMLP trains ``x W / sqrt(fan_in)`` with ``W ~ N(0, 1)``; Adam's steps
    on that ``W`` move the layer's effective weights by the learning rate
    over ``sqrt(fan_in)``, and its decoupled weight decay shrinks them by
    ``learning_rate * weight_decay``. In the standard parametrisation the
    same training is a learning-rate factor of ``1 / sqrt(fan_in)`` for
    each layer's weights and a decay factor of ``sqrt(fan_in)``; the other
    roles get their factor from ``role_factors``.

    Parameters
    ----------
    role_factors : dict
        Learning-rate factor by role ('biases', 'scales', 'embeddings').

    Returns
    -------
    factors : callable
        ``network -> (learning-rate factors, decay factors)``, vectors over
        the flat parameter vector.
    """

    def factors(network):
        rates = np.ones(network.n_params)
        for role, factor in role_factors.items():
            for piece in network.param_slices(role):
                rates[piece] = factor
        decay = np.ones(network.n_params)
        for coef, decay_coef in zip(
            network.unpack(rates).coefs, network.unpack(decay).coefs, strict=True
        ):
            coef[...] = 1 / np.sqrt(coef.shape[0])
            decay_coef[...] = np.sqrt(coef.shape[0])
        return rates, decay

    return factors


class _Member:
    """RealMLP's per-layer learning rates on a deep net (a mixin)."""

    def _step_factors(self):
        return ntk_step_factors(self.learning_rate_factors or {})


class _ClassifierMember(_Member, DeepNetClassifier):
    pass


class _RegressorMember(_Member, DeepNetRegressor):
    pass


class BaseTabularNet(BaseEstimator):
    """What both tabular networks share: parameters, preprocessing, members."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dropout_schedule": [StrOptions(set(SHAPES))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions(set(SHAPES))],
        "learning_rate_factors": [dict, None],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "weight_decay_schedule": [StrOptions(set(SHAPES))],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "front_scale": ["boolean"],
        "embedding": [StrOptions(set(EMBEDDINGS)), None],
        "embedding_options": [dict, None],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "max_one_hot": [Interval(Integral, 0, None, closed="left")],
        "category_units": [Interval(Integral, 1, None, closed="left")],
        "n_ensembles": [Interval(Integral, 1, None, closed="left")],
        "linear_blend": ["boolean"],
        "dtype": [StrOptions({"float32", "float64"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
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
        self._check_lengths(Z, y, sample_weight)
        rng = check_random_state(self.random_state)
        train, val = self._split(Z, y, sample_weight, rng)
        target = self._fit_target(y[train], sample_weight, train)
        Z_train, Z_val = Z[train], Z[val]
        t_train, t_val = target(y[train]), target(y[val])
        sw = (
            (None, None)
            if sample_weight is None
            else (
                sample_weight[train],
                sample_weight[val],
            )
        )
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
                        sample_weight=sw[0],
                        X_val=Z_val,
                        y_val=t_val,
                        sample_weight_val=sw[1],
                    )
            except ValueError as exc:
                message = str(exc)
                if not message.startswith("Training diverged"):
                    raise
                # The member's advice (scale the input) is this estimator's job.
                reason = message.split(". Lower")[0]
                raise ValueError(
                    f"{reason}. Lower learning_rate_init (now "
                    f"{self.learning_rate_init}). The estimator was left as it was "
                    "before this call."
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
        linear, weight = None, 1.0
        if self.linear_blend:
            linear = self._linear_model().fit(
                _linear_inputs(pre, Z_train), t_train, sample_weight=sw[0]
            )
            weight = self._blend_weight(members, linear, pre, Z_val, t_val, sw[1])
            # The weight chosen, the linear model learns from every row.
            linear.fit(_linear_inputs(pre, Z), target(y), sample_weight=sample_weight)
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
        return interrupted

    def _check_options(self):
        name = type(self).__name__
        factors = self.learning_rate_factors or {}
        bad = sorted(set(map(str, factors)) - set(ROLES))
        if bad or not all(
            isinstance(v, Real) and not isinstance(v, bool) and v >= 0
            for v in factors.values()
        ):
            raise InvalidParameterError(
                f"The 'learning_rate_factors' parameter of {name} must map some of "
                f"{list(ROLES)} to non-negative numbers; got {factors!r}."
            )
        options = self.embedding_options or {}
        bad = sorted(set(options) - {"n_frequencies", "n_units", "sigma"})
        if bad:
            raise InvalidParameterError(
                f"The 'embedding_options' parameter of {name} has unknown keys "
                f"{bad}; expected some of ['n_frequencies', 'n_units', 'sigma']."
            )

    def _check_lengths(self, Z, y, sample_weight):
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

    def _split(self, Z, y, sample_weight, rng):
        """Training and held-out rows (the held-out ones choose the best epoch).

        Rows are held out by their content: equal rows (features and target)
        go to the same side, so a duplicated row never leaks from training
        into validation, and a row of weight 2 is split as two equal rows
        are. Groups of equal rows are drawn at random (per class, for a
        classifier) until their weight reaches ``validation_fraction``.
        Rows of weight 0 stay in training, where they count for nothing.
        """
        weights = np.ones(y.shape[0]) if sample_weight is None else sample_weight
        live = np.flatnonzero(weights > 0)
        if live.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples of positive weight: "
                "a share of them is held out to choose the best epoch."
            )
        _, classes = np.unique(y, return_inverse=True)
        content = np.column_stack([Z[live].astype(np.float64), classes[live]])
        if not self._stratify_split:
            content[:, -1] = y[live]
        _, group = np.unique(content, axis=0, return_inverse=True)
        group = group.reshape(-1)
        n_groups = group.max() + 1
        group_weight = np.bincount(group, weights=weights[live], minlength=n_groups)
        group_class = np.zeros(n_groups, dtype=np.intp)
        if self._stratify_split:
            group_class[group] = classes[live]
        order = rng.permutation(n_groups)
        held = np.zeros(n_groups, dtype=bool)
        for c in np.unique(group_class):
            members = order[group_class[order] == c]
            target = self.validation_fraction * group_weight[members].sum()
            cumulative = np.cumsum(group_weight[members])
            n_held = int(np.searchsorted(cumulative, target - 1e-9)) + 1
            held[members[: min(n_held, members.size - 1)]] = True
        if not held.any():
            # Too few distinct rows to hold any out (every class has one):
            # the best epoch is chosen on the training rows themselves.
            return np.arange(y.shape[0]), live
        val = live[held[group]]
        train = np.setdiff1d(np.arange(y.shape[0]), val)
        return train, val

    def _member(self, pre, seed, n_train):
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
        factors = {**REALMLP_FACTORS, **(self.learning_rate_factors or {})}
        params = dict(
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            solver="adam",
            alpha=0.0,
            batch_size=min(self.batch_size, n_train),
            learning_rate=self.learning_rate,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            random_state=seed,
            tol=0.0,
            verbose=self.verbose,
            early_stopping=True,
            n_iter_no_change=np.inf,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            weight_init="lecun_normal",
            dropout=self.dropout,
            dropout_schedule=self.dropout_schedule,
            scoring="loss",
            weight_decay=self.weight_decay,
            weight_decay_schedule=self.weight_decay_schedule,
            learning_rate_factors=factors,
            front_scale=self.front_scale,
            embedding=embedding,
            embedding_options=options or None,
            **self._member_options(),
        )
        return self._member_class(**params)

    def _member_options(self) -> dict:
        return {}

    def _members_raw(self, Z, members=None):
        """Average of the members' predictions (probabilities or targets)."""
        members = self.estimators_ if members is None else members
        return np.mean([self._member_predict(m, Z) for m in members], axis=0)

    def _blended(self, X):
        check_is_fitted(self)
        Z = self.preprocessor_.transform(X)
        out = self._members_raw(Z)
        if self.linear_ is not None and self.blend_weight_ < 1:
            linear = self._linear_from_scores(
                _linear_scores(self.linear_, self.preprocessor_, Z), self.linear_
            )
            out = self.blend_weight_ * out + (1 - self.blend_weight_) * linear
        return out

    def _blend_weight(self, members, linear, pre, Z_val, t_val, sw_val):
        """Return the networks' share in the blend, by the one-standard-error rule.

        The weight of least held-out loss is the best guess, but on a few
        hundred held-out rows (on which the networks' best epoch was chosen
        too) the differences between weights are mostly noise. As in the
        one-standard-error rule of Breiman et al. (1984) for choosing the
        size of a tree, the simplest candidate -- here the most linear, the
        smallest weight -- whose mean loss is within one standard error of
        the best one's is kept; the standard error is that of the mean of the
        per-row loss differences, sample weights counting as repetitions.
        """
        net = self._members_raw(Z_val, members)
        lin = self._linear_from_scores(_linear_scores(linear, pre, Z_val), linear)
        weights = np.ones(t_val.shape[0]) if sw_val is None else sw_val
        total = weights.sum()
        losses = np.array(
            [self._row_losses(w * net + (1 - w) * lin, t_val) for w in BLEND_GRID]
        )
        means = losses @ weights / total
        # Ties go to the network: the largest weight of least loss.
        best = np.flatnonzero(np.isclose(means, means.min(), rtol=1e-12, atol=0))[-1]
        for i in range(best + 1):
            diff = losses[i] - losses[best]
            mean = diff @ weights / total
            variance = ((diff - mean) ** 2) @ weights / total
            if mean <= np.sqrt(variance / max(total, 1.0)):
                return BLEND_GRID[i]
        return BLEND_GRID[best]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags


def _linear_inputs(pre, Z):
    """Return the preprocessed matrix with every coded category one-hot."""
    if not pre.embedded_categories_:
        return Z
    coded = np.fromiter(pre.embedded_categories_, dtype=np.intp)
    kept = np.setdiff1d(np.arange(Z.shape[1]), coded)
    blocks = [sp.csr_matrix(Z[:, kept])]
    for column, n_codes in pre.embedded_categories_.items():
        codes = Z[:, column].astype(np.intp)
        blocks.append(
            sp.csr_matrix(
                (np.ones(codes.size), (np.arange(codes.size), codes)),
                shape=(codes.size, n_codes),
            )
        )
    return sp.hstack(blocks, format="csr")


def _linear_scores(linear, pre, Z):
    """Return the linear model's decision values on the preprocessed ``Z``.

    What ``linear.decision_function(_linear_inputs(pre, Z))`` returns,
    without building the one-hot matrix: a coded column adds the weight of
    its code.
    """
    coef = np.atleast_2d(linear.coef_)
    coded = list(pre.embedded_categories_)
    kept = np.setdiff1d(np.arange(Z.shape[1]), coded)
    scores = Z[:, kept].astype(np.float64) @ coef[:, : kept.size].T
    scores += linear.intercept_
    offset = kept.size
    for column, n_codes in pre.embedded_categories_.items():
        codes = Z[:, column].astype(np.intp)
        scores += coef[:, offset + codes].T
        offset += n_codes
    return scores


def _column(y):
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
