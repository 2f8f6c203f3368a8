"""
=================================================
Early stopping on a validation set of your choice
=================================================

``fit(X, y, X_val=..., y_val=...)`` scores the network on the given validation
set after every epoch. With ``early_stopping=True`` training stops once the
score has not improved for ``n_iter_no_change`` epochs, and the weights of the
best epoch are kept. :class:`~skdeep.TrainingCurveDisplay` shows both curves.

In a :class:`~sklearn.pipeline.Pipeline`, the validation set must go through
the same preprocessing as the training data: that is what the pipeline's
``transform_input=["X_val"]`` does (with metadata routing enabled).
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier, TrainingCurveDisplay

X_raw, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X_raw)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)

net = DeepNetClassifier(
    (128,), early_stopping=True, n_iter_no_change=5, max_iter=200, random_state=0
)
net.fit(X_train, y_train, X_val=X_val, y_val=y_val)
print(
    f"stopped after {net.n_iter_} epochs; best validation accuracy "
    f"{net.best_validation_score_:.3f}, kept: {net.score(X_val, y_val):.3f}"
)

display = TrainingCurveDisplay.from_estimator(net)
display.ax_.set_title("loss falls while validation accuracy levels off")
plt.tight_layout()

# %%
# The same in a pipeline, on the raw pixels. ``transform_input=["X_val"]``
# scales the validation rows with the scaler fitted on the training rows;
# without it the network would judge its epochs on raw pixels.
import sklearn  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

raw_train, raw_val = train_test_split(X_raw, test_size=0.25, random_state=0)
with sklearn.config_context(enable_metadata_routing=True):
    network = DeepNetClassifier(
        (128,), early_stopping=True, n_iter_no_change=5, random_state=0
    ).set_fit_request(X_val=True, y_val=True)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("net", network)], transform_input=["X_val"]
    )
    pipe.fit(raw_train, y_train, X_val=raw_val, y_val=y_val)
print(
    f"pipeline: best validation accuracy {pipe[-1].best_validation_score_:.3f}, "
    f"the pipeline's own score on those rows {pipe.score(raw_val, y_val):.3f}"
)
plt.show()
