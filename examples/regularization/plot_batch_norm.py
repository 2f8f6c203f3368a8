"""
====================================
Batch norm in a deep sigmoid network
====================================

Eight sigmoid layers: each multiplies the back-propagated gradient by at most
1/4, so the first layers barely learn and plain SGD stays at chance.
Normalising each layer's pre-activation over the batch keeps the sigmoids in
their steep region, and the same network learns digits in a few epochs.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    StandardScaler().fit_transform(X), y, random_state=0
)
fig, ax = plt.subplots(figsize=(7, 4.5))
for batch_norm in (False, True):
    net = DeepNetClassifier(
        (64,) * 8,
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.1,
        batch_norm=batch_norm,
        max_iter=15,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X_train, y_train)
    label = f"batch_norm={batch_norm}: test accuracy {net.score(X_test, y_test):.2f}"
    ax.plot(range(1, net.n_iter_ + 1), net.loss_curve_, "o-", label=label)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title("8 sigmoid layers of 64 units, SGD")
ax.legend()
plt.tight_layout()
plt.show()
