"""
Deploy without Python: export the whole pipeline to ONNX
========================================================

A model trained in scikit-learn often has to run where there is no Python: a
Java or C# service, a C++ program, a browser. ONNX Runtime runs ONNX files in
all of them. Here a pipeline (``StandardScaler`` then the network) is trained on
scikit-learn's bundled breast-cancer data with string labels and a decision
threshold of 0.3, exported as one ONNX file with :func:`skbinary.to_onnx`, run
with ONNX Runtime, and compared with scikit-learn's own answers: the
preprocessing, the network, the label names and the threshold all travel in
the file. Needs the ``onnx`` extra (``pip install "skbinary[onnx]"``).
"""

# %%
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import onnx
import onnxruntime as ort
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skbinary
from skbinary import KerasBinaryClassifier

# %%
# Train a pipeline. ONNX models conventionally take float32 rows, so the data
# is float32 from the start (float64 rows would give a float64 graph instead).
data = load_breast_cancer()
X = data.data.astype(np.float32)
y = np.where(data.target == 0, "malignant", "benign")  # "malignant" is classes_[1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0)
pipe = make_pipeline(
    StandardScaler(),
    KerasBinaryClassifier(hidden_layer_sizes=(32, 16), epochs=60, threshold=0.3,
                          random_state=0),
).fit(X_train, y_train)
print(f"classes_: {pipe.classes_}, threshold: {pipe[-1].threshold}")
print(f"test accuracy (scikit-learn): {pipe.score(X_test, y_test):.3f}")

# %%
# Export the whole pipeline. One row of data fixes the input: its name ("X"),
# its dtype and its width. Write it to a file, as a deployment would.
onx = skbinary.to_onnx(pipe, X_train[:1])
path = Path(tempfile.mkdtemp()) / "breast_cancer.onnx"
path.write_bytes(onx.SerializeToString())
print(f"{path.name}: {path.stat().st_size / 1000:.1f} kB")
print("inputs: ", [(i.name, onnx.helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type))
                  for i in onx.graph.input])
print("outputs:", [o.name for o in onx.graph.output])

# %%
# Run it with ONNX Runtime: this part needs neither scikit-learn nor TensorFlow,
# only the file. ``label`` holds the class names, ``probabilities`` the two
# columns in ``classes_`` order.
sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
path.unlink()  # the session holds the model; tidy up the example's file
path.parent.rmdir()
label, proba = sess.run(None, {"X": X_test})
print(label[:5], proba[:2].round(4))

# %%
# Compare with scikit-learn: the same labels (the 0.3 threshold included), and
# probabilities equal to float32 rounding.
sk_label, sk_proba = pipe.predict(X_test), pipe.predict_proba(X_test)
print(f"labels equal: {np.array_equal(label, sk_label)}")
print(f"largest probability difference: {np.abs(proba - sk_proba).max():.1e}")
at_half = np.where(sk_proba[:, 1] >= 0.5, "malignant", "benign")
print(f"rows the 0.3 threshold labels differently from 0.5: {(sk_label != at_half).sum()}")
assert np.array_equal(label, sk_label)
assert np.abs(proba - sk_proba).max() < 1e-5

# %%
# Serving speed for one row, the usual case in a service.
row = X_test[:1]


def per_call_us(fn, n=300):
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


print(f"one row: pipeline.predict_proba {per_call_us(lambda: pipe.predict_proba(row)):.0f} us, "
      f"ONNX Runtime {per_call_us(lambda: sess.run(None, {'X': row})):.0f} us")
