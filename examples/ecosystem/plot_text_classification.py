"""
======================================
TF-IDF text, straight into the network
======================================

``TfidfVectorizer`` returns a sparse matrix with one column per word. The
network's first layer multiplies it without ever densifying it, so a
vocabulary of any size fits in memory.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import DeepNetClassifier

topics = {
    "pets": ["cat", "dog", "kitten", "puppy", "leash", "vet", "fur", "purr", "bark"],
    "money": ["stocks", "bonds", "shares", "market", "rally", "yield", "fund", "bank"],
    "weather": ["rain", "storm", "sunny", "cloud", "wind", "snow", "forecast", "hail"],
}
common = ["the", "a", "today", "was", "and", "very", "after", "then", "again"]
rng = np.random.RandomState(0)
docs, labels = [], []
for _ in range(300):
    topic = rng.choice(list(topics))
    words = list(rng.choice(topics[topic], 3)) + list(rng.choice(common, 5))
    words += list(rng.choice(topics[rng.choice(list(topics))], 1))  # some noise
    rng.shuffle(words)
    docs.append(" ".join(words))
    labels.append(topic)

docs_train, docs_test, y_train, y_test = train_test_split(docs, labels, random_state=0)
model = make_pipeline(
    TfidfVectorizer(), DeepNetClassifier((32,), solver="lbfgs", random_state=0)
)
model.fit(docs_train, y_train)
print(f"test accuracy: {model.score(docs_test, y_test):.3f}")
print(model.predict(["the storm brought snow and wind", "my puppy needs the vet"]))

ConfusionMatrixDisplay.from_estimator(model, docs_test, y_test)
plt.tight_layout()
plt.show()
