"""ONNX Runtime vs skbinary's numpy forward pass, in the same process.

The default network (4 members of 32 -> 64 -> 32 -> 1, ReLU, sigmoid, averaged) is trained briefly on
``make_classification(n_features=32, n_informative=16)`` inside
``make_pipeline(StandardScaler(), KerasBinaryClassifier())`` and exported with
:func:`skbinary.to_onnx`, as a float32 graph (float32 input rows, the ONNX
norm) and as a float64 graph (float64 rows). Then, alternating call by call:

* the network alone: ``clf.predict_proba`` on standardised rows (numpy path)
  vs ONNX Runtime on the exported estimator;
* the whole pipeline: ``pipe.predict_proba`` vs ONNX Runtime on the exported
  pipeline;

on 100k rows and on 1 row. It prints medians, the ratio ONNX / numpy (below 1
means ONNX Runtime is faster), the exported file sizes and the largest
probability difference, and checks the issue's targets: ONNX Runtime at least as
fast as numpy on 100k rows, and the default network's file under 100 kB.

Run ``python benchmarks/onnx_speed.py`` (about a minute on 2 cores; needs the
``onnx`` extra). Keep the machine otherwise idle.
"""

import argparse
import gc
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import skl2onnx  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skbinary  # noqa: E402
from skbinary import KerasBinaryClassifier  # noqa: E402

N_FEATURES = 32
BIG = 100_000


def session(onx):
    return ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


def interleaved(fns, repeats):
    """Median seconds of each callable, called in turn, ``repeats`` rounds."""
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="100k-row calls per peer")
    parser.add_argument("--latency-repeats", type=int, default=1000,
                        help="1-row calls per peer")
    args = parser.parse_args()

    X, y = make_classification(n_samples=20_000 + BIG, n_features=N_FEATURES,
                               n_informative=16, random_state=0)
    X_train, y_train, X_big = X[:20_000], y[:20_000], X[20_000:]
    pipe = make_pipeline(StandardScaler(), KerasBinaryClassifier(
        epochs=3, batch_size=256, random_state=0)).fit(X_train, y_train)
    scaler, clf = pipe[0], pipe[-1]
    assert clf.hidden_layer_sizes == (64, 32)  # the default network

    print(f"machine   {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"versions  onnxruntime {ort.__version__}, skl2onnx {skl2onnx.__version__}, "
          f"numpy {np.__version__}, skbinary {skbinary.__version__}")
    print(f"network   4 x ({N_FEATURES} -> 64 -> 32 -> 1) averaged (relu, sigmoid); ONNX Runtime "
          f"CPUExecutionProvider, default threads\n")

    Z = scaler.transform(X_big)  # what the network sees
    rows = {"float32": (X_big.astype(np.float32), Z.astype(np.float32)),
            "float64": (X_big, Z)}
    print(f"{'graph':8} {'what':9} {'file (kB)':>9} {'max |dp|':>9}")
    sessions = {}
    for dtype, (Xd, Zd) in rows.items():
        for what, est, data in (("network", clf, Zd), ("pipeline", pipe, Xd)):
            onx = skbinary.to_onnx(est, data[:1])
            sess = sessions[dtype, what] = session(onx)
            proba = sess.run(None, {"X": data})[1]
            diff = np.abs(proba - est.predict_proba(data)).max()
            print(f"{dtype:8} {what:9} {len(onx.SerializeToString()) / 1000:9.1f} "
                  f"{diff:9.1e}")
    size_kb = len(skbinary.to_onnx(clf, Z[:1].astype(np.float32)).SerializeToString()) / 1000

    results = {}
    for n, repeats in ((BIG, args.repeats), (1, args.latency_repeats)):
        fns = {}
        for what, est in (("network", clf), ("pipeline", pipe)):
            inputs = {dtype: (Zd if what == "network" else Xd)[:n]
                      for dtype, (Xd, Zd) in rows.items()}
            fns[what, "numpy"] = (lambda e=est, a=inputs["float64"]: e.predict_proba(a))
            for dtype in rows:
                sess, a = sessions[dtype, what], inputs[dtype]
                fns[what, f"onnx {dtype}"] = (lambda s=sess, a=a: s.run(None, {"X": a}))
        for f in fns.values():  # warm-up
            f()
        # Everything alive now (TensorFlow's many objects) is left out of the
        # collections, so the gc.collect() before each timed call costs microseconds.
        gc.collect()
        gc.freeze()
        results[n] = interleaved(fns, repeats)

    print(f"\n{'rows':>6} {'what':9} {'numpy':>10} {'onnx f32':>10} {'onnx f64':>10} "
          f"{'f32/numpy':>9} {'f64/numpy':>9}")
    for n, res in results.items():
        unit, scale = ("ms", 1e3) if n == BIG else ("us", 1e6)
        for what in ("network", "pipeline"):
            t = [res[what, peer] for peer in ("numpy", "onnx float32", "onnx float64")]
            print(f"{n:>6} {what:9} " + " ".join(f"{v * scale:8.2f}{unit}" for v in t)
                  + f" {t[1] / t[0]:8.2f}x {t[2] / t[0]:8.2f}x")
    print("(median; ratio < 1 means ONNX Runtime is faster; numpy = predict_proba on "
          "float64 rows)")

    net = results[BIG]
    fast = net["network", "onnx float32"] <= net["network", "numpy"]
    print("\ntargets")
    print(f"  ONNX Runtime (float32 graph) predicts 100k rows at least as fast as numpy: "
          f"{'met' if fast else 'NOT met'} "
          f"({net['network', 'onnx float32'] / net['network', 'numpy']:.2f}x)")
    print(f"  default network's ONNX file under 100 kB: "
          f"{'met' if size_kb < 100 else 'NOT met'} ({size_kb:.1f} kB, float32 graph)")
    print(f"\nload average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"(above {os.cpu_count()}: the machine was shared, figures are noisy)")


if __name__ == "__main__":
    main()
