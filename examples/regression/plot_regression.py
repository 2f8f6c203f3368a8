"""
==============================================
Regression: real numbers, counts, large scales
==============================================

The network of the classifiers predicts numbers once its output is read
differently. :class:`~skdeep.DeepNetRegressor` reads the last layer as it is
and trains on half the squared error; with ``loss="poisson"`` it reads it
through :math:`e^z`, so predictions stay positive, as counts and rates must.
In both cases the gradient at the output is "prediction minus target", the
same rule the classifiers use.

Left: a noisy curve, fitted by one hidden layer of tanh units. Middle and
right: counts whose mean grows exponentially, fitted by the simplest network,
one identity unit: a linear function of x, read as it is (squared error) or
through the exponential (Poisson). The link decides what the model can
express: a straight line that predicts negative counts, or the exponential
curve of the true mean. (A flexible network fits this mean under either loss;
what the Poisson loss guarantees is positive predictions, with each count's
error weighed by its own scale.)
"""

import matplotlib.pyplot as plt
import numpy as np

from skdeep import DeepNetRegressor

rng = np.random.RandomState(0)

# %%
# A curve: x -> sin(3x), observed with noise.
x = np.sort(rng.uniform(-2, 2, 300))[:, None]
y = np.sin(3 * x[:, 0]) + rng.normal(0, 0.2, len(x))
curve = DeepNetRegressor(
    hidden_layer_sizes=(32,),
    activation="tanh",
    solver="lbfgs",
    max_iter=1000,
    random_state=0,
).fit(x, y)
print(f"sine: R^2 {curve.score(x, y):.3f} after {curve.n_iter_} L-BFGS iterations")

# %%
# Counts: Poisson draws with mean exp(1.5 x), and the same one-unit network
# trained on each loss.
u = np.sort(rng.uniform(-2, 2, 400))[:, None]
counts = rng.poisson(np.exp(1.5 * u[:, 0]))
grid = np.linspace(-2, 2, 400)[:, None]
mean = np.exp(1.5 * grid[:, 0])
options = dict(
    hidden_layer_sizes=(1,),
    activation="identity",
    solver="lbfgs",
    max_iter=1000,
    random_state=0,
)
models = {
    "squared_error": DeepNetRegressor(**options).fit(u, counts),
    "poisson": DeepNetRegressor(loss="poisson", **options).fit(u, counts),
}
small = grid[:, 0] < -1
for loss, model in models.items():
    predicted = model.predict(grid)
    error = np.mean(np.abs(predicted[small] / mean[small] - 1))
    print(
        f"loss={loss!r:>16}: smallest prediction {predicted.min():+.2f}, "
        f"relative error on the small counts (x < -1) {error:.0%}"
    )

fig, axes = plt.subplots(1, 3, figsize=(13, 4))
axes[0].scatter(x, y, s=6, color="0.6", label="observed")
axes[0].plot(x, np.sin(3 * x), "k--", label="sin(3x)")
axes[0].plot(x, curve.predict(x), color="C0", label="DeepNetRegressor")
axes[0].set(title="a curve (squared error)", xlabel="x", ylabel="y")
axes[0].legend()
for ax, xlim, ylim in [(axes[1], (-2, 2), None), (axes[2], (-2, -0.5), (-4, 3))]:
    ax.scatter(u, counts, s=6, color="0.6", label="observed counts")
    ax.plot(grid, mean, "k--", label="true mean")
    for color, (loss, model) in zip(["C1", "C0"], models.items(), strict=True):
        ax.plot(grid, model.predict(grid), color=color, label=f"loss={loss!r}")
    ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="count")
axes[1].set_title("counts")
axes[2].set_title("the small counts, closer")
axes[1].legend()
fig.tight_layout()

# %%
# Targets on a large scale (prices, say) make the default learning rate
# unsuitable: wrap the regressor in
# :class:`~sklearn.compose.TransformedTargetRegressor` with a
# :class:`~sklearn.preprocessing.StandardScaler`, which trains on standardised
# targets and maps predictions back.
plt.show()
