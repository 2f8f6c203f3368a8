"""
==============================
Fit time against MLPClassifier
==============================

The same network, parameters and ``random_state`` (so the same weights and
accuracy), timed side by side. skdeep trains from reused buffers with one
flat parameter vector; the remaining gap to the matrix products alone is the
element-wise work. ``benchmarks/bench_fit.py`` does this with more care
(repeats, a matmul floor, float32).
"""

import time
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier

X, y = make_classification(
    n_samples=5000, n_features=50, n_informative=20, n_classes=5, random_state=0
)
X = StandardScaler().fit_transform(X)
params = dict(hidden_layer_sizes=(128, 64), max_iter=5, batch_size=200, random_state=0)

times = {"skdeep": [], "scikit-learn": []}
for _ in range(3):  # interleaved repeats, best of three
    for name, cls in [("skdeep", DeepNetClassifier), ("scikit-learn", MLPClassifier)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            cls(**params).fit(X, y)
            times[name].append(time.perf_counter() - start)
best = {name: min(t) for name, t in times.items()}
print(
    {name: f"{t:.3f} s" for name, t in best.items()},
    f"speed-up {best['scikit-learn'] / best['skdeep']:.2f}x",
)

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(best), list(best.values()), color=["C2", "C0"])
ax.set_xlabel("seconds for 5 epochs (best of 3)")
ax.set_title("DeepNetClassifier vs MLPClassifier, same work")
plt.tight_layout()
plt.show()
