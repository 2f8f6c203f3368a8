"""
=============================================
Deploying a DataFrame pipeline with ONNX
=============================================

Train a pipeline on a DataFrame (numbers with missing values, and a text
column), export it with :func:`skdeep.onnx.to_onnx`, and serve it with
onnxruntime: the graph runs without Python or scikit-learn, from C++, C#,
Java or JavaScript. Its outputs equal the pipeline's; a single row is
answered in a fraction of the time Python takes to pass it through the
pipeline.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as rt
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdeep import DeepNetClassifier
from skdeep.onnx import to_onnx

rng = np.random.RandomState(0)
n = 1000
frame = pd.DataFrame(
    {
        "income": rng.lognormal(10, 0.5, n).astype(np.float32),
        "age": rng.uniform(18, 80, n).astype(np.float32),
        "city": rng.choice(["Lyon", "Oslo", "Quito"], n).astype(object),
    }
)
score = np.log(frame.income) / 2 + (frame.age > 40) + (frame.city == "Oslo")
label = np.where(score + rng.normal(0, 0.3, n) > score.median(), "yes", "no")
frame.loc[rng.rand(n) < 0.1, "income"] = np.nan

pipeline = make_pipeline(
    ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ["income", "age"],
            ),
            ("text", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ]
    ),
    DeepNetClassifier((32, 16), early_stopping=True, random_state=0),
).fit(frame, label)

# %%
# Export: one graph input per column, named as the columns, and the outputs
# ``label`` and ``probabilities``.
graph = to_onnx(pipeline, frame[:1])
print("inputs:", [i.name for i in graph.graph.input])
print("outputs:", [o.name for o in graph.graph.output])
session = rt.InferenceSession(
    graph.SerializeToString(), providers=["CPUExecutionProvider"]
)


def feeds(rows):
    return {name: rows[[name]].to_numpy() for name in rows.columns}


labels, proba = session.run(None, feeds(frame))
print(
    f"largest difference in probabilities: "
    f"{np.abs(proba - pipeline.predict_proba(frame)).max():.1e}; "
    f"labels equal: {bool((labels == pipeline.predict(frame)).all())}"
)

# %%
# Latency of one row, the typical request to a service: the median of many
# calls, after a warm-up.


def median_seconds(call, repeats=300):
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


row = frame[:1]
row_feeds = feeds(row)
latency = {
    "pipeline.predict_proba\n(Python, scikit-learn)": median_seconds(
        lambda: pipeline.predict_proba(row)
    ),
    "onnxruntime\nsession.run": median_seconds(lambda: session.run(None, row_feeds)),
}
for name, seconds in latency.items():
    print(f"{name.replace(chr(10), ' ')}: {seconds * 1e6:.0f} us per row")

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(latency), [s * 1e6 for s in latency.values()], color=["C0", "C1"])
ax.set_xlabel("median time for one row (microseconds)")
ax.set_title("the same model, the same answers")
fig.tight_layout()
plt.show()
