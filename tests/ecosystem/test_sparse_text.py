"""Sparse input: TF-IDF text straight into the network."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from skdeep import DeepNetClassifier

DOCS = [
    "the cat sat on the mat",
    "a dog barked at the cat",
    "stocks fell sharply today",
    "markets rallied on strong earnings",
    "the kitten chased a mouse",
    "investors sold shares after the report",
    "my dog sleeps on the sofa",
    "bond yields rose as stocks slipped",
] * 6
TOPIC = np.array(
    ["pets", "pets", "money", "money", "pets", "money", "pets", "money"] * 6
)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_tfidf_pipeline_and_equality_with_the_dense_path():
    net = DeepNetClassifier((16,), learning_rate_init=0.01, max_iter=60, random_state=0)
    pipe = make_pipeline(TfidfVectorizer(), net)
    pipe.fit(DOCS, TOPIC)
    assert pipe.score(DOCS, TOPIC) == 1.0
    assert pipe.predict(["the dog and the cat"])[0] == "pets"

    X = TfidfVectorizer().fit_transform(DOCS)
    assert sp.issparse(X)
    params = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    sparse = DeepNetClassifier(**params).fit(X, TOPIC)
    dense = DeepNetClassifier(**params).fit(X.toarray(), TOPIC)
    for a, b in zip(sparse.coefs_, dense.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X.toarray())
    )


def test_sparse_input_is_never_densified(monkeypatch):
    X = sp.random(300, 5000, density=0.002, format="csr", random_state=0)
    y = np.arange(300) % 2
    for cls in (sp.csr_matrix, sp.csr_array):
        monkeypatch.setattr(cls, "toarray", lambda *a, **k: pytest.fail("densified"))
        monkeypatch.setattr(cls, "todense", lambda *a, **k: pytest.fail("densified"))
    est = DeepNetClassifier((8,), max_iter=2, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    assert est.predict_proba(X).shape == (300, 2)
