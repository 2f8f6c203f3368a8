"""
===========================================
One neuron cannot learn XOR; a deep net can
===========================================

XOR labels the corners of a square so that no straight line separates the
classes. A single logistic unit draws one line, so it stays near chance; one
hidden layer of a few units bends the boundary and solves it.
"""

import matplotlib.pyplot as plt
import numpy as np

from skdeep import DeepNetClassifier, LogisticUnit

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, size=(400, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(int)

unit = LogisticUnit().fit(X, y)
# L-BFGS stops at a gradient tolerance; how many iterations that takes
# depends on rounding in the last digits, so leave it room beyond 200.
net = DeepNetClassifier(
    (8,), activation="tanh", solver="lbfgs", max_iter=1000, random_state=0
)
net.fit(X, y)
print(f"logistic unit: {unit.score(X, y):.2f}, deep net: {net.score(X, y):.2f}")

# %%
xx, yy = np.meshgrid(np.linspace(-1, 1, 200), np.linspace(-1, 1, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharey=True)
for ax, model, title in [
    (axes[0], unit, "one logistic unit"),
    (axes[1], net, "8 tanh units, then one"),
]:
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu_r", alpha=0.7)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolor="k", s=12)
    ax.set_title(f"{title}: accuracy {model.score(X, y):.2f}")
plt.tight_layout()
plt.show()
