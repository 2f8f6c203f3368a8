"""What classification adds to the base: labels, class weights, probabilities."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from ..nn import LOSSES
from ..utils._sklearn import Interval, StrOptions, _fit_context, with_callbacks
from ._base import BaseNetwork
from ._prediction import raw_scores
from ._preparation import Targets

__all__ = ["BaseNetClassifier", "class_weights"]

_SPEC = ("classes_", "_y_type", "n_outputs_")


class BaseNetClassifier(ClassifierMixin, BaseNetwork):
    """Classification on the base: labels, class weights, probabilities.

    It adds label encoding, ``class_weight``, a stratified validation split
    and accuracy as the validation score.

    Binary targets train one sigmoid output, multiclass targets a softmax
    over one output per class, multilabel indicator matrices one sigmoid per
    label.
    """

    _parameter_constraints: dict = {
        **BaseNetwork._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    _supports_multilabel = True
    _y_numeric = False

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data is trained in float32; anything else
            in float64.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``None`` weighs every sample 1.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            A validation set. Its accuracy is recorded in
            ``validation_scores_`` after every epoch; with
            ``early_stopping=True`` it replaces the ``validation_fraction``
            split, and the weights that score best on it are kept.
        y_val : array-like of shape (n_val,), default=None
            Labels of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of the validation set.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_with_validation(
            X, y, sample_weight, X_val, y_val, sample_weight_val
        )

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first_call and classes is not None:
            if not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on the first call to "
                    f"partial_fit, which was {self.classes_!r}."
                )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, because "
                "the class frequencies of the whole data set are unknown; pass a "
                "dict of class weights instead."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    # -- prediction -----------------------------------------------------------
    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``. For
            multilabel targets, the probability of each label.
        """
        return self._proba_from_raw(raw_scores(self, X))

    def predict_log_proba(self, X):
        """Log of probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``: ``-inf`` where a probability underflows
            to zero, consistently with :meth:`predict_proba`.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def decision_function(self, X):
        """Raw scores of the output layer, before the sigmoid or softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            One score per sample for two classes (positive means
            ``classes_[1]``), else one per class (or label).
        """
        return self._decision_from_raw(raw_scores(self, X))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes (a 0/1 indicator matrix for multilabel).
        """
        return self._decode_raw(raw_scores(self, X))

    def score(self, X, y, sample_weight=None):
        """Return the accuracy of the predictions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            True labels (a 0/1 indicator matrix for multilabel, where a
            sample counts as right only if every label is).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The (weighted) share of samples predicted right, as
            :func:`sklearn.metrics.accuracy_score` computes it.
        """
        return super().score(X, y, sample_weight=sample_weight)

    # -- hooks of the base -------------------------------------------------------
    def _proba_from_raw(self, raw):
        """Probabilities from raw scores (which may be overwritten)."""
        link = LOSSES[self._loss]().link
        if self._y_type == "binary":
            proba = np.empty((raw.shape[0], 2), dtype=raw.dtype)
            # Two sigmoids rather than 1 - p: exact in both tails.
            np.negative(raw[:, 0], out=proba[:, 0])
            proba[:, 1] = raw[:, 0]
            link(proba)
            return proba
        link(raw)
        return raw

    def _decision_from_raw(self, raw):
        return raw[:, 0] if self._y_type == "binary" else raw

    def _decode_raw(self, raw):
        if self._y_type == "multilabel-indicator":
            return (raw > 0).astype(int)
        if self._y_type == "binary":
            return self.classes_[(raw[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(raw, axis=1)]

    def _score_predictions(self, y, y_pred, sample_weight) -> float:
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    def _loss_name(self, spec) -> str:
        return "log_loss" if spec["_y_type"] == "multiclass" else "binary_log_loss"

    def _loss_options(self) -> dict:
        return {"label_smoothing": self.label_smoothing}

    def _target_spec(self, y, classes) -> dict:
        """Work out classes and output layout from y (or ``classes``)."""
        # type_of_target scans y: call it once (it is most of a small fit).
        y_type = type_of_target(y, input_name="y")
        if y_type == "multilabel-indicator":
            classes = np.arange(y.shape[1])
        elif y_type not in ("binary", "multiclass"):
            check_classification_targets(y)  # scikit-learn's message
            raise ValueError(f"Unknown label type: {y_type!r}.")
        elif classes is not None:
            classes = np.unique(classes)
            y_type = "binary" if len(classes) <= 2 else "multiclass"
        else:
            classes = np.unique(column_or_1d(y) if y.ndim == 2 else y)
        if y_type == "multilabel-indicator" and not self._supports_multilabel:
            raise ValueError(
                f"{type(self).__name__} does not support multilabel targets; use "
                "DeepNetClassifier or sklearn.multioutput.MultiOutputClassifier."
            )
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {_label(classes[0])}."
            )
        return {
            "classes_": classes,
            "_y_type": y_type,
            "n_outputs_": 1 if y_type == "binary" else len(classes),
        }

    def _current_spec(self) -> dict:
        return {name: getattr(self, name) for name in _SPEC}

    def _encode_targets(self, y, spec) -> Targets:
        """Targets in the loss's format, with integer codes."""
        classes = spec["classes_"]
        if spec["_y_type"] == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(classes):
                raise ValueError(
                    f"Expected a multilabel indicator matrix with {len(classes)} "
                    f"columns, got shape {y.shape}."
                )
            return Targets(np.asarray(y, dtype=np.float64), y.astype(int))
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        elif y.ndim != 1:
            raise ValueError(
                f"y should be a 1d array, got an array of shape {y.shape} instead."
            )
        if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
            check_classification_targets(y)  # continuous: scikit-learn's error
        codes = np.minimum(np.searchsorted(classes, y), len(classes) - 1)
        unknown = classes[codes] != y
        if unknown.any():
            raise ValueError(
                "`y` has classes not in `self.classes_`: "
                f"{_labels(np.unique(y[unknown]))}. `self.classes_` is "
                f"{_labels(classes)}."
            )
        if spec["_y_type"] == "binary":
            return Targets(codes.reshape(-1, 1).astype(np.float64), y, codes)
        return Targets(codes.astype(np.intp, copy=False), y, codes)

    def _check_warm_start(self, y, spec) -> None:
        if spec["_y_type"] == "multilabel-indicator":
            return  # the number of labels is checked with the targets
        labels = np.unique(y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y)
        if not np.array_equal(labels, spec["classes_"]):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {spec['classes_']}, "
                f"`y` has {labels}"
            )

    def _sample_weight(self, X, targets, sample_weight, spec):
        """Validate sample weights and apply class weights; None means all ones."""
        sample_weight = super()._sample_weight(X, targets, sample_weight, spec)
        if self.class_weight is None:
            return sample_weight
        codes = targets.codes
        if codes is None:
            raise ValueError("class_weight is not supported for multilabel targets.")
        weights = self._class_weights(codes, sample_weight, spec["classes_"])
        per_sample = weights.astype(X.dtype)[codes]
        return per_sample if sample_weight is None else sample_weight * per_sample

    def _class_weights(self, codes, sample_weight, classes):
        """Weight of each class, from ``class_weight``."""
        return class_weights(self.class_weight, codes, sample_weight, classes)

    def _stratification(self, targets, n_samples, n_val):
        """Stratify the early-stopping split; a class of one sample is an error."""
        codes = targets.codes
        if codes is None:  # multilabel: not stratified (nor is MLPClassifier's)
            return None, n_val
        counts = np.bincount(codes)
        present = counts > 0
        if counts[present].min() < 2:
            self._raise_unstratifiable(targets, n_samples, n_val, counts)
        n_classes = np.count_nonzero(present)
        if n_samples - n_val >= n_classes:
            return codes, max(n_val, n_classes)
        return None, n_val  # too few rows to keep every class on both sides

    def _raise_unstratifiable(self, targets, n_samples, n_val, counts):
        """Raise scikit-learn's own error (MLPClassifier's), and say what to do."""
        # MLPClassifier stratifies binary targets on their 0/1 column, whose
        # rows scikit-learn's message prints as 'True'/'False'.
        stratify = (
            (targets.codes == 1)[:, None] if targets.values.ndim == 2 else targets.y
        )
        try:
            train_test_split(np.arange(n_samples), test_size=n_val, stratify=stratify)
        except ValueError as exc:
            rare = (
                targets.y[targets.codes == c][0] for c in np.flatnonzero(counts == 1)
            )
            raise ValueError(
                f"{str(exc).rstrip('.')}. With early_stopping=True, fit holds out "
                "a stratified "
                "validation split, which needs 2 samples of every class; class "
                f"{', '.join(map(str, rare))} has a single sample. Pass X_val and "
                "y_val to fit, or set early_stopping=False."
            ) from None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = self._supports_multilabel
        return tags


def _label(value) -> str:
    """Write a class label as the user did: 'Adelie' or 1, not np.str_('Adelie')."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _labels(values) -> str:
    return "[" + ", ".join(_label(v) for v in values) + "]"


def class_weights(class_weight, codes, sample_weight, classes) -> np.ndarray:
    """Return the weight of each class, from a ``class_weight`` parameter.

    ``'balanced'`` is ``n_samples / (n_classes * count)`` with counts that
    respect the sample weights, so that weighting a row by 2 and repeating
    it give the same model; a dict maps labels to weights (1 for the others).
    """
    if class_weight == "balanced":
        counts = np.bincount(codes, weights=sample_weight, minlength=len(classes))
        present = counts > 0
        weights = np.ones(len(classes))
        weights[present] = counts.sum() / (np.count_nonzero(present) * counts[present])
        return weights
    unknown = [c for c in class_weight if c not in set(classes.tolist())]
    if unknown:
        raise ValueError(
            f"The classes {_labels(unknown)} in class_weight are not in the "
            f"training labels {_labels(classes)}."
        )
    return np.array([class_weight.get(c, 1.0) for c in classes.tolist()])
