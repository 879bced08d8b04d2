"""predict_proba speed of the default KerasBinaryClassifier against MLPClassifier.

Fits ``KerasBinaryClassifier()`` at its defaults (hidden layers (64, 32), 4
ensemble members, ``input_scaling="standard"``) and
``MLPClassifier(hidden_layer_sizes=(64, 32))`` on the same data in the same run,
then times ``predict_proba`` on 1M rows (median of ``--repeats`` calls a peer,
alternating) and on 1 row (median of ``--calls`` calls a peer, interleaved),
and prints the ratios skbinary / MLP (below 1: skbinary is faster).

The fits are short (``--epochs``): prediction time does not depend on how well
a network learned, only on its shape. Run it on an otherwise idle machine, with
the environment (``OPENBLAS_NUM_THREADS``, ``OPENBLAS_CORETYPE``, ...) as the
user has it; the BLAS libraries and threads threadpoolctl sees are printed.

Usage::

    .venv/bin/python benchmarks/predict_speed.py
    .venv/bin/python benchmarks/predict_speed.py --rows 100k --repeats 3
    .venv/bin/python benchmarks/predict_speed.py --embedding piecewise
"""

import argparse
import gc
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
from _machine import machine_busy_s  # noqa: E402  (benchmarks/, the script's folder)
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skbinary import KerasBinaryClassifier  # noqa: E402


def _count(text):
    text = text.lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def _environment():
    from threadpoolctl import threadpool_info

    lines = [f"numpy {np.__version__}, {os.cpu_count()} CPUs"]
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                 "MKL_NUM_THREADS"):
        lines.append(f"{name}={os.environ.get(name, '(unset)')}")
    for pool in threadpool_info():
        lines.append(f"threadpoolctl: {pool['internal_api']} {pool.get('version')} "
                     f"{pool.get('architecture', '')}, {pool['num_threads']} threads "
                     f"({os.path.basename(pool['filepath'])})")
    return lines


def _timed(call):
    """``(wall seconds, CPU seconds of this process)`` of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="1M", help="rows of the throughput call (1M)")
    parser.add_argument("--repeats", type=int, default=5, help="throughput calls a peer (5)")
    parser.add_argument("--calls", type=int, default=2000, help="1-row calls a peer (2000)")
    parser.add_argument("--fit-rows", default="20k", help="training rows (20k)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (3)")
    parser.add_argument("--embedding", choices=["auto", "none", "piecewise"],
                        default="auto",
                        help="skbinary's numeric_embedding (auto, the default: "
                             "piecewise on the 20k training rows)")
    args = parser.parse_args(argv)
    n_rows, n_fit = _count(args.rows), _count(args.fit_rows)

    print("\n".join(_environment()))
    X, y = make_classification(n_samples=n_fit + n_rows, n_features=32, n_informative=16,
                               random_state=0)
    X_fit, y_fit, X_big = X[:n_fit], y[:n_fit], np.ascontiguousarray(X[n_fit:])
    embedding = None if args.embedding == "none" else args.embedding
    skb = KerasBinaryClassifier(epochs=args.epochs, random_state=0,
                                numeric_embedding=embedding).fit(X_fit, y_fit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=args.epochs,
                            random_state=0).fit(X_fit, y_fit)
    print(f"skbinary: hidden_layer_sizes={skb.hidden_layer_sizes}, ensemble_size="
          f"{skb.ensemble_size}, input_scaling={skb.input_scaling!r}, numeric_embedding="
          f"{skb.numeric_embedding!r}; MLP: (64, 32)")
    peers = {"skbinary": skb, "MLP": mlp}

    # throughput: alternate the peers call by call, after one warm-up call each
    big = {name: [] for name in peers}
    for est in peers.values():
        est.predict_proba(X_big[:10_000])
    busy, own, wall = machine_busy_s(), time.process_time(), time.perf_counter()
    for i in range(args.repeats):
        for name in (list(peers) if i % 2 == 0 else list(peers)[::-1]):
            big[name].append(_timed(lambda est=peers[name]: est.predict_proba(X_big)))
    others = ((machine_busy_s() - busy) - (time.process_time() - own)) / (
        (time.perf_counter() - wall) * (os.cpu_count() or 1))

    # latency of one row: interleaved in groups of 10 calls, rows taken in turn
    one = {name: [] for name in peers}
    for est in peers.values():
        for i in range(50):
            est.predict_proba(X_big[i : i + 1])
    for start in range(0, args.calls, 10):
        for name, est in peers.items():
            for i in range(start, start + 10):
                row = X_big[i : i + 1]
                t0 = time.perf_counter()
                est.predict_proba(row)
                one[name].append(time.perf_counter() - t0)

    print(f"\npredict_proba on {n_rows:,} rows (median of {args.repeats}, best; CPU "
          "time of this process in brackets):")
    for name in peers:
        wall, cpu = zip(*big[name])
        print(f"  {name:9s} {statistics.median(wall):8.3f} s   best {min(wall):.3f} s   "
              f"[{statistics.median(cpu):.3f} s CPU]")
    wall = {name: statistics.median(t for t, _ in big[name]) for name in peers}
    ratio_big = wall["skbinary"] / wall["MLP"]
    print(f"  skbinary / MLP time: {ratio_big:.2f}x   "
          f"(throughput skbinary / MLP: {1 / ratio_big:.2f}x)")
    print(f"  [other processes used {max(others, 0):.0%} of the machine's CPUs "
          "meanwhile" + ("; these figures are not clean]" if others > 0.1 else "]"))
    print(f"\npredict_proba on 1 row (median of {args.calls}):")
    for name in peers:
        print(f"  {name:9s} {statistics.median(one[name]) * 1e6:8.1f} us")
    ratio_one = statistics.median(one["skbinary"]) / statistics.median(one["MLP"])
    print(f"  skbinary / MLP time: {ratio_one:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
