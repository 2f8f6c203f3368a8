"""Prediction: the fitted network, built once per fit, and chunked raw scores.

A fitted estimator's parameters are its fitted attributes (``coefs_``,
``intercepts_``, ...); :func:`fitted_network` lays a network over them
(views, no copy) once per fit and keeps it beside the estimator, so that a
small prediction costs the forward pass and little else; :func:`raw_scores`
validates the input and runs the chunked forward pass.
"""

from __future__ import annotations

import operator
import weakref

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..nn import Network
from ..training import predict_raw
from ._params import input_layers

__all__ = [
    "FLOAT_DTYPES",
    "INPUT_ATTRIBUTES",
    "OPTIONAL_PARAMETER_ATTRIBUTES",
    "fitted_groups",
    "fitted_network",
    "forget_network",
    "inference_key",
    "inference_network",
    "parameter_attributes",
    "raw_scores",
]

# Input dtypes prediction takes as they are.
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
# The input layers' parameter groups and the fitted attributes that hold
# them (one array each: there is at most one layer of each kind).
INPUT_ATTRIBUTES = {
    "front_scales": "front_scales_",
    "frequencies": "embedding_frequencies_",
    "embedding_coefs": "embedding_coefs_",
    "embedding_intercepts": "embedding_intercepts_",
    "embedding_phases": "embedding_phases_",
    "category_embeddings": "category_embeddings_",
}
# Attributes of an earlier fit that the new network may not have.
OPTIONAL_PARAMETER_ATTRIBUTES = (
    "batch_norm_scales_",
    "batch_norm_offsets_",
    "batch_norm_means_",
    "batch_norm_variances_",
    *INPUT_ATTRIBUTES.values(),
)


def parameter_attributes(params, stats) -> dict:
    """Return the fitted attributes that hold these parameters (no copy)."""
    attributes = {"coefs_": params.coefs, "intercepts_": params.intercepts}
    for group, name in INPUT_ATTRIBUTES.items():
        if params.groups.get(group):
            attributes[name] = params.groups[group][0]
    if params.bn_scales:
        attributes.update(
            batch_norm_scales_=params.bn_scales,
            batch_norm_offsets_=params.bn_offsets,
            batch_norm_means_=stats.means,
            batch_norm_variances_=stats.variances,
        )
    return attributes


def fitted_groups(estimator) -> tuple[dict, dict]:
    """Return the fitted arrays, by parameter group and by state group."""
    groups = {"coefs": estimator.coefs_, "intercepts": estimator.intercepts_}
    fitted = vars(estimator)
    for group, name in INPUT_ATTRIBUTES.items():
        if name in fitted:
            groups[group] = [fitted[name]]
    state = {}
    if hasattr(estimator, "batch_norm_scales_"):
        groups.update(
            bn_scales=estimator.batch_norm_scales_,
            bn_offsets=estimator.batch_norm_offsets_,
        )
        state = {
            "means": estimator.batch_norm_means_,
            "variances": estimator.batch_norm_variances_,
        }
    return groups, state


def inference_key(estimator) -> tuple:
    """Return the fitted objects the inference network is built from.

    :func:`fitted_network` reuses its network while every one of these
    is the same object: a refit, or an assignment to a fitted attribute
    or to an element of ``coefs_``, builds a new one; changing values in
    place needs nothing, since the network's views are those arrays.
    """
    fitted = vars(estimator)
    key = [estimator._activation, estimator._loss]
    for name in ("coefs_", "intercepts_", *OPTIONAL_PARAMETER_ATTRIBUTES):
        value = fitted.get(name, ())
        # Lists of arrays by element; the input layers' single arrays
        # whole (iterating one would make new row objects every call).
        key.extend([value] if isinstance(value, np.ndarray) else value)
    return tuple(key)


def inference_network(estimator) -> Network:
    """Build a fitted estimator's network (a pack's, for a TabularNet)."""
    groups, state = estimator._fitted_groups()
    coefs = groups["coefs"]
    options = getattr(estimator, "_network_options", {})
    n_members = options.get("n_members")
    n_features = options.get("n_inputs") or getattr(
        estimator, "n_features_in_", coefs[0].shape[-2]
    )
    inputs = input_layers(
        n_features,
        options.get("front_scale", False),
        options.get("embedding"),
        n_members,
    )
    units = [n_features, *(c.shape[-1] for c in coefs)]
    return Network(
        units,
        estimator._activation,
        estimator._loss,
        batch_norm=bool(state),
        input_layers=inputs,
        n_members=n_members,
    )


def raw_scores(estimator, X) -> np.ndarray:
    """Raw scores of validated input, in chunks; raises on overflow."""
    check_is_fitted(estimator)
    # scikit-learn's finiteness check sums X, which can overflow (and warn)
    # for finite values near the float maximum; real NaN/inf still raise.
    # Overflow in the forward pass is checked below, once.
    with np.errstate(all="ignore"):
        if not estimator._valid_as_is(X):
            X = validate_data(
                estimator,
                X,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                reset=False,
            )
        network, params, stats = _fitted_network(estimator)
        dtype = params.coefs[0].dtype
        raw = predict_raw(network, params, X.astype(dtype, copy=False), stats)
    if not np.isfinite(raw).all():
        raise ValueError(
            "The input overflowed the network's floating-point range (some raw "
            f"scores are not finite in {dtype.name}). Scale the input the way "
            "the training data was scaled."
        )
    return raw


# The inference network of each fitted estimator, built once per fit rather
# than once per call (the whole cost of a small prediction, otherwise). Kept
# beside the estimator, not in it: its __dict__, pickles and skops files stay
# as they were, and an entry goes away with its estimator.
_FITTED_NETWORKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fitted_network(estimator):
    """Return a fitted estimator's network, parameters and statistics.

    For inference and export: the parameters and statistics are views of the
    fitted attributes (no copy), laid out for the returned network. Built
    once per fit; after an assignment to a fitted attribute, built again.

    Parameters
    ----------
    estimator : estimator
        A fitted ``LogisticUnit``, ``DeepNet*`` or ``TabularNet*`` (whose
        network is a pack of its members, on the preprocessed matrix).

    Returns
    -------
    network : Network
        The network, with the fitted activation and output loss.
    params : Params
        Views of the weights, biases and batch-norm parameters.
    stats : BatchNormStats
        Views of the running statistics (empty without batch norm).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import DeepNetClassifier
    >>> from skdeep.estimators import fitted_network
    >>> from skdeep.training import predict_raw
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    >>> net = DeepNetClassifier((5,), solver="lbfgs", random_state=0).fit(X, y)
    >>> network, params, stats = fitted_network(net)
    >>> network.layer_units, params.coefs[0] is net.coefs_[0]
    ((3, 5, 1), True)
    >>> raw = predict_raw(network, params, X, stats)
    >>> bool(np.allclose(raw[:, 0], net.decision_function(X)))
    True
    """
    check_is_fitted(estimator)
    return _fitted_network(estimator)


def _fitted_network(estimator):
    """:func:`fitted_network` for an estimator known to be fitted."""
    key = estimator._inference_key()
    built, bundle = _FITTED_NETWORKS.get(estimator, ((), None))
    if len(built) == len(key) and all(map(operator.is_, built, key)):
        return bundle
    network = estimator._inference_network()
    groups, state = estimator._fitted_groups()
    bundle = network, network.view_groups(**groups), network.view_stats(**state)
    _FITTED_NETWORKS[estimator] = (key, bundle)
    return bundle


def forget_network(estimator) -> None:
    """Drop the inference network built for an estimator's earlier fit."""
    _FITTED_NETWORKS.pop(estimator, None)
