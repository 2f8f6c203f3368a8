"""
=========================================
SGD, momentum, Adam and RMSprop on digits
=========================================

The same network and the same initial weights, trained by four update rules.
Plain SGD takes small, noisy steps; momentum accumulates a velocity; Adam and
RMSprop scale each parameter's step by a running average of its squared
gradients, which matters when parameters have gradients of very different
sizes.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

settings = {
    "SGD": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05),
    "SGD + Nesterov momentum": dict(
        solver="sgd", momentum=0.9, learning_rate_init=0.05
    ),
    "Adam": dict(solver="adam", learning_rate_init=0.001),
    "RMSprop": dict(solver="rmsprop", learning_rate_init=0.001),
}
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, params in settings.items():
    net = DeepNetClassifier((64,), max_iter=30, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed budget
        net.fit(X, y)
    ax.plot(range(1, net.n_iter_ + 1), net.loss_curve_, label=name)
    print(f"{name:25s} final loss {net.loss_:.4f}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title("Update rules on digits, (64,) ReLU network")
ax.legend()
plt.tight_layout()
plt.show()
