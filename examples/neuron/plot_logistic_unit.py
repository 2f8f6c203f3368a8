"""
=========================================
A logistic unit: weighted sum and sigmoid
=========================================

A single logistic unit computes :math:`z = w^\\top x + b` and reads it through
the sigmoid :math:`\\sigma(z) = 1/(1 + e^{-z})`: the probability of the
positive class. It "fires" where :math:`z > 0`, so its decision boundary is
the straight line :math:`w^\\top x + b = 0`.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from skdeep import LogisticUnit

X, y = make_blobs(n_samples=200, centers=2, cluster_std=1.5, random_state=0)
unit = LogisticUnit(alpha=1.0).fit(X, y)
w, b = unit.coef_[0], unit.intercept_[0]
print(f"w = {np.round(w, 3)}, b = {b:.3f}, training accuracy = {unit.score(X, y):.3f}")

# %%
# Left: the probability the unit gives to the positive class, and the line
# where it fires. Right: the same probabilities against :math:`z`, all on
# the one sigmoid curve.
xx, yy = np.meshgrid(
    np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 200),
    np.linspace(X[:, 1].min() - 1, X[:, 1].max() + 1, 200),
)
proba = unit.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1].reshape(xx.shape)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
contour = left.contourf(xx, yy, proba, levels=20, cmap="RdBu_r", alpha=0.7)
left.contour(xx, yy, proba, levels=[0.5], colors="k")
left.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolor="k", s=20)
left.set_title("P(y = 1 | x) and the boundary z = 0")
fig.colorbar(contour, ax=left)

z = unit.decision_function(X)
grid = np.linspace(z.min(), z.max(), 200)
right.plot(grid, 1 / (1 + np.exp(-grid)), color="k", label="sigmoid")
right.scatter(z, unit.predict_proba(X)[:, 1], c=y, cmap="RdBu_r", edgecolor="k", s=20)
right.axvline(0, linestyle=":", color="grey")
right.set_xlabel("z = w.x + b")
right.set_ylabel("P(y = 1)")
right.set_title("every sample sits on the sigmoid")
right.legend()
plt.tight_layout()
plt.show()
