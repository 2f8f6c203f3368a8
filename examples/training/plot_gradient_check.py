"""
=========================================
Gradient checking with finite differences
=========================================

Back-propagation is easy to get subtly wrong. :func:`skdeep.utils.check_gradients`
compares every back-propagated gradient with a centred finite difference of
the training objective; below about 1e-6 they agree. Here: every activation,
with and without dropout and batch norm, and one deliberately broken
derivative for contrast.
"""

import matplotlib.pyplot as plt
import numpy as np

from skdeep import DeepNetClassifier
from skdeep.nn import activations
from skdeep.utils import check_gradients

rng = np.random.RandomState(0)
X, y = rng.normal(size=(30, 4)), rng.randint(0, 3, 30)

names, errors = [], []
for activation in sorted(activations.ACTIVATIONS):
    for extra, tag in [({}, ""), ({"dropout": 0.3, "batch_norm": True}, " +drop +BN")]:
        net = DeepNetClassifier(
            (6, 5), activation=activation, alpha=0.1, random_state=0, **extra
        )
        names.append(activation + tag)
        errors.append(check_gradients(net, X, y, random_state=0))


# A classic slip, tanh'(z) = 1 - a instead of 1 - a**2:
def wrong_derivative(a, delta):
    np.subtract(1, a, out=a)
    delta *= a


right = activations.ACTIVATIONS["tanh"]
activations.ACTIVATIONS["tanh"] = activations.Activation(
    "tanh", right.forward, wrong_derivative
)
names.append("tanh, wrong derivative")
errors.append(
    check_gradients(DeepNetClassifier((6, 5), activation="tanh", random_state=0), X, y)
)
activations.ACTIVATIONS["tanh"] = right

# %%
fig, ax = plt.subplots(figsize=(7, 6))
colors = ["C3" if e > 1e-6 else "C2" for e in errors]
ax.barh(names, errors, color=colors)
ax.axvline(1e-6, color="k", linestyle=":", label="1e-6")
ax.set_xscale("log")
ax.set_xlabel("relative difference, back-propagation vs finite differences")
ax.invert_yaxis()
ax.legend()
plt.tight_layout()
plt.show()
