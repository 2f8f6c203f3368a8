"""TrainingCurveDisplay: loss per epoch and validation score per epoch."""

from __future__ import annotations

import numpy as np

__all__ = ["TrainingCurveDisplay"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised without matplotlib
        raise ImportError(
            "TrainingCurveDisplay needs matplotlib: pip install 'skdeep[plot]'."
        ) from exc
    return plt


class TrainingCurveDisplay:
    """Training curve of a fitted network: loss and validation score per epoch.

    Build it with :meth:`from_estimator`; the constructor takes the curves
    themselves. Follows scikit-learn's Display API: :meth:`plot` draws and
    sets ``ax_``, ``figure_`` and ``lines_``.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training objective after each epoch (or L-BFGS iteration).
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score after each epoch, drawn on a second y axis.
    estimator_name : str, default=None
        Name for the legend.
    score_name : str, default='validation score'
        Label of the validation scores (``from_estimator`` says
        ``'validation accuracy'`` or ``'validation R^2'``).

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the loss curve.
    ax_score_ : matplotlib Axes or None
        Twin axes with the validation scores, if any.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : list of matplotlib Line2D
        The loss line, then the validation line if any.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Score against training size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DeepNetClassifier, TrainingCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> net = DeepNetClassifier((32,), early_stopping=True, n_iter_no_change=2,
    ...                         random_state=0).fit(X / 16, y)
    >>> display = TrainingCurveDisplay.from_estimator(net)
    >>> len(display.lines_)
    2
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_scores=None,
        estimator_name=None,
        score_name="validation score",
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.score_name = score_name

    def plot(self, ax=None, *, name=None, loss_kwargs=None, score_kwargs=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure otherwise.
        name : str, default=None
            Legend name; defaults to ``estimator_name``.
        loss_kwargs : dict, default=None
            Keyword arguments of the loss line (``Axes.plot``).
        score_kwargs : dict, default=None
            Keyword arguments of the validation-score line.

        Returns
        -------
        display : TrainingCurveDisplay
            ``self``, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        loss = np.asarray(self.loss_curve, dtype=float)
        epochs = np.arange(1, len(loss) + 1)
        label = "training loss" if name is None else f"{name} training loss"
        (loss_line,) = ax.plot(
            epochs, loss, **{"label": label, "color": "C0", **(loss_kwargs or {})}
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        # Epochs are whole numbers.
        ax.xaxis.set_major_locator(_integer_locator())
        self.lines_ = [loss_line]
        self.ax_score_ = None
        if self.validation_scores is not None and len(self.validation_scores):
            scores = np.asarray(self.validation_scores, dtype=float)
            self.ax_score_ = ax.twinx()
            (score_line,) = self.ax_score_.plot(
                np.arange(1, len(scores) + 1),
                scores,
                **{
                    "label": self.score_name,
                    "color": "C1",
                    **(score_kwargs or {}),
                },
            )
            self.ax_score_.set_ylabel(self.score_name)
            self.lines_.append(score_line)
        ax.legend(handles=self.lines_, loc="center right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Plot the training curve of a fitted skdeep estimator.

        Parameters
        ----------
        estimator : LogisticUnit, DeepNetClassifier or DeepNetRegressor
            Fitted estimator (``loss_curve_`` and, with a validation set,
            ``validation_scores_``), or a fitted
            :class:`~sklearn.pipeline.Pipeline` or
            :class:`~sklearn.compose.TransformedTargetRegressor` around one.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        name : str, default=None
            Legend name; defaults to the estimator's class name.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, already drawn.
        """
        from sklearn.base import is_classifier
        from sklearn.utils.validation import check_is_fitted

        from .estimators import TabularNetClassifier, TabularNetRegressor

        network = _network_of(estimator)
        check_is_fitted(network, "loss_curve_")
        scoring = getattr(network, "scoring", None)
        if isinstance(network, TabularNetClassifier | TabularNetRegressor):
            scoring = "loss"
        if scoring is None:
            score_name = (
                "validation accuracy" if is_classifier(network) else "validation R^2"
            )
        elif scoring == "loss":
            score_name = "validation loss, negated"
        else:
            score_name = f"validation {getattr(scoring, '__name__', scoring)}"
        display = cls(
            loss_curve=network.loss_curve_,
            validation_scores=getattr(network, "validation_scores_", None),
            estimator_name=name if name is not None else type(network).__name__,
            score_name=score_name,
        )
        return display.plot(ax=ax, **kwargs)


def _network_of(estimator):
    """Find the skdeep estimator inside a Pipeline or TransformedTargetRegressor."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from .estimators import (
        DeepNetClassifier,
        DeepNetRegressor,
        LogisticUnit,
        TabularNetClassifier,
        TabularNetRegressor,
    )

    found = estimator
    if isinstance(found, TabularNetClassifier | TabularNetRegressor):
        check_is_fitted(found)
        return found  # its members' curves, averaged
    if isinstance(found, TransformedTargetRegressor):
        check_is_fitted(found)
        found = found.regressor_
    if isinstance(found, Pipeline):
        found = found[-1]
    if not isinstance(found, LogisticUnit | DeepNetClassifier | DeepNetRegressor):
        raise TypeError(
            "TrainingCurveDisplay.from_estimator needs a fitted LogisticUnit, "
            "DeepNetClassifier, DeepNetRegressor or TabularNet*, or a Pipeline (or "
            "TransformedTargetRegressor) ending in one; got "
            f"{type(estimator).__name__}."
        )
    return found


def _integer_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)
