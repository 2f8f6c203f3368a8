"""
==================================
L2 and dropout against overfitting
==================================

A large network on 150 noisy training samples learns them by heart: training
loss near zero, test loss high. An L2 penalty (``alpha``) shrinks the weights;
dropout trains with random units switched off. Both narrow the gap between
training and test loss.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from skdeep import DeepNetClassifier

X, y = make_classification(
    n_samples=600, n_features=30, n_informative=5, flip_y=0.25, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=150, random_state=0
)


def losses(**params):
    net = DeepNetClassifier(
        (256, 256), max_iter=100, n_iter_no_change=1000, random_state=0, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed budget
        net.fit(X_train, y_train)
    return (
        log_loss(y_train, net.predict_proba(X_train)),
        log_loss(y_test, net.predict_proba(X_test)),
    )


alphas = [1e-5, 1e-2, 1e-1, 1.0, 3.0]
rates = [0.0, 0.3, 0.5, 0.7]
by_alpha = np.array([losses(alpha=a) for a in alphas])
by_rate = np.array([losses(alpha=1e-5, dropout=r) for r in rates])

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
left.plot(alphas, by_alpha[:, 0], "o-", label="train")
left.plot(alphas, by_alpha[:, 1], "o-", label="test")
left.set_xscale("log")
left.set_xlabel("alpha (L2)")
left.set_ylabel("log loss")
left.legend()
right.plot(rates, by_rate[:, 0], "o-", label="train")
right.plot(rates, by_rate[:, 1], "o-", label="test")
right.set_xlabel("dropout rate")
right.legend()
fig.suptitle("(256, 256) ReLU network on 150 noisy samples")
plt.tight_layout()
plt.show()
