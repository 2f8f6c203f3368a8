"""
============================================
A DataFrame pipeline tuned with GridSearchCV
============================================

Mixed columns with missing values, string labels: a ``ColumnTransformer``
imputes and scales the numbers, imputes and one-hot encodes the categories,
and :class:`~skdeep.DeepNetClassifier` is tuned like any scikit-learn model.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdeep import DeepNetClassifier

rng = np.random.RandomState(0)
n = 400
frame = pd.DataFrame(
    {
        "income": rng.lognormal(10, 0.5, n),
        "age": rng.uniform(18, 80, n),
        "city": rng.choice(["Lyon", "Oslo", "Quito"], n),
    }
)
score = np.log(frame.income) / 2 + (frame.age > 40) + (frame.city == "Oslo")
label = np.where(score + rng.normal(0, 0.3, n) > score.median(), "approved", "declined")
frame.loc[rng.rand(n) < 0.1, "income"] = np.nan
frame.loc[rng.rand(n) < 0.1, "city"] = None

preprocess = ColumnTransformer(
    [
        (
            "num",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        (
            "cat",
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore"),
            ),
            make_column_selector(dtype_exclude="number"),
        ),
    ]
)
model = make_pipeline(
    preprocess, DeepNetClassifier(early_stopping=True, random_state=0)
)
sizes, alphas = [(4,), (16,), (64,)], [1e-4, 1e-2, 1.0]
grid = {
    "deepnetclassifier__hidden_layer_sizes": sizes,
    "deepnetclassifier__alpha": alphas,
}
search = GridSearchCV(model, grid, cv=3).fit(frame, label)
print("best:", search.best_params_, f"{search.best_score_:.3f}")

# %%
# One cell per (hidden_layer_sizes, alpha), placed by its parameters (the
# order of ``cv_results_`` follows the parameter names, not the figure's axes).
scores = np.empty((len(sizes), len(alphas)))
results = search.cv_results_
for params, score in zip(results["params"], results["mean_test_score"], strict=True):
    row = sizes.index(params["deepnetclassifier__hidden_layer_sizes"])
    scores[row, alphas.index(params["deepnetclassifier__alpha"])] = score
fig, ax = plt.subplots(figsize=(5.5, 4))
image = ax.imshow(scores, cmap="viridis")
ax.set_xticks(range(3), ["1e-4", "1e-2", "1"])
ax.set_yticks(range(3), ["(4,)", "(16,)", "(64,)"])
ax.set_xlabel("alpha")
ax.set_ylabel("hidden_layer_sizes")
for (i, j), value in np.ndenumerate(scores):
    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="w")
fig.colorbar(image, label="cross-validated accuracy")
best = search.best_params_
ax.set_title(
    f"best: {best['deepnetclassifier__hidden_layer_sizes']}, "
    f"alpha={best['deepnetclassifier__alpha']:g}"
)
plt.tight_layout()
plt.show()
