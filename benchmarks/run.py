"""Side-by-side benchmark: skbinary vs scikeras vs scikit-learn's MLPClassifier.

The peers get the same data (``make_classification(n_features=32,
n_informative=16)``, standardised), the same hidden layers (32 -> 64 -> 32 -> 1,
ReLU, sigmoid output), Adam with learning rate 1e-3, batch 256 and 10 epochs.
``skbinary`` is ``KerasBinaryClassifier`` at its defaults otherwise (an ensemble
of 4 members, input scaling, early stopping on cross-fitted members), as a user
gets it; ``skbinary-1`` is the peers' network exactly (one member, no early
stopping); scikeras and ``MLPClassifier`` train one network without early
stopping. Every case warms each peer up first and then alternates between
peers, repeat by repeat, so that a drifting machine hurts all of them alike.
Memory cases run each peer in a fresh subprocess of this script.

Cases (``--cases``, names or numbers):

1. ``fit``        fit time at 10k, 100k and 1M rows, with held-out F1 and ROC-AUC
2. ``latency``    ``predict_proba`` latency for 1 row and for 100 rows
3. ``throughput`` ``predict_proba`` on 1M rows
4. ``grid``       ``GridSearchCV(cv=3)`` over 4 candidates on 20k rows, n_jobs=1;
                  skbinary also with n_jobs=2
5. ``memory``     peak RSS above the post-import baseline of one 100k fit
6. ``growth``     RSS growth over 60 consecutive fits of clones (2k rows, 2 epochs)

Run ``python benchmarks/run.py`` (about 10 minutes on 2 cores), ``--quick`` for a
smoke run, ``--help`` for the options. ``make bench`` installs the ``bench`` extra
and runs the default.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from skbinary._tf import import_tensorflow  # noqa: E402

import_tensorflow()  # TensorFlow's start-up lines dropped, as skbinary drops them

import keras  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
import scikeras  # noqa: E402
import sklearn  # noqa: E402
import tensorflow as tf  # noqa: E402
from _machine import machine_busy_s  # noqa: E402  (benchmarks/, the script's folder)
from scikeras.wrappers import KerasClassifier  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import f1_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skbinary  # noqa: E402
from skbinary import KerasBinaryClassifier  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)
# scikeras builds a new model per fit, so TensorFlow warns that predict retraces.
tf.get_logger().setLevel("ERROR")

PEERS = ("skbinary", "skbinary-1", "scikeras", "mlp")
LABELS = {"skbinary": "skbinary", "skbinary-1": "skbinary, 1 member",
          "scikeras": "scikeras", "mlp": "MLP",
          "scikeras+clear": "scikeras+clear_session"}
CASES = ("fit", "latency", "throughput", "grid", "memory", "growth")

N_FEATURES = 32
HIDDEN = (64, 32)
LEARNING_RATE = 1e-3
BATCH_SIZE = 256
EPOCHS = 10
GRID_HIDDEN = [(32,), (64, 32)]
GRID_LEARNING_RATES = [1e-3, 3e-3]

# Default sizes, and the --quick ones.
DEFAULTS = dict(fit_rows=[10_000, 100_000, 1_000_000], latency_train_rows=10_000,
                latency_calls=200, latency_calls_scikeras=30,
                throughput_rows=1_000_000, grid_rows=20_000, memory_rows=100_000,
                growth_rows=2_000, growth_epochs=2, growth_fits=60, growth_warm=5)
QUICK = dict(fit_rows=[2_000, 5_000], latency_train_rows=2_000, latency_calls=20,
             latency_calls_scikeras=5, throughput_rows=50_000, grid_rows=3_000,
             memory_rows=10_000, growth_rows=1_000, growth_epochs=2, growth_fits=10,
             growth_warm=5)
BIG = 500_000  # fits of at least this many rows use --big-repeats
NOISY = 0.10  # share of the CPUs used by other processes that taints a case


# ----------------------------------------------------------------- estimators


def build_keras_model(meta, hidden_layer_sizes=HIDDEN):
    """The scikeras build function: the same network as skbinary's."""
    layers = [keras.Input((meta["n_features_in_"],))]
    layers += [keras.layers.Dense(units, activation="relu")
               for units in hidden_layer_sizes]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


def make_estimator(peer, *, seed=0, epochs=EPOCHS):
    """The peer's estimator with the common architecture and training settings."""
    if peer == "skbinary":  # the defaults (4 members, input scaling, early stopping)
        return KerasBinaryClassifier(
            hidden_layer_sizes=HIDDEN, learning_rate=LEARNING_RATE,
            batch_size=BATCH_SIZE, epochs=epochs, random_state=seed)
    if peer == "skbinary-1":  # the peers' network: one member, a fixed number of epochs
        return KerasBinaryClassifier(
            hidden_layer_sizes=HIDDEN, learning_rate=LEARNING_RATE,
            batch_size=BATCH_SIZE, epochs=epochs, early_stopping=False,
            ensemble_size=1, random_state=seed)
    if peer in ("scikeras", "scikeras+clear"):
        # Unseeded on purpose. A seeded scikeras fit calls tf.random.set_seed,
        # which clears TensorFlow's kernel cache and so charges ~0.1 s to the
        # next skbinary fit in the same process; and in scikeras 0.13 an
        # unseeded fit after a seeded one fails. Seeding does not change
        # scikeras' own speed.
        return KerasClassifier(
            model=build_keras_model, model__hidden_layer_sizes=HIDDEN,
            loss="binary_crossentropy", optimizer="adam",
            optimizer__learning_rate=LEARNING_RATE, epochs=epochs,
            batch_size=BATCH_SIZE, verbose=0)
    if peer == "mlp":
        return MLPClassifier(
            hidden_layer_sizes=HIDDEN, activation="relu", solver="adam", alpha=0.0,
            batch_size=BATCH_SIZE, learning_rate_init=LEARNING_RATE,
            max_iter=epochs, n_iter_no_change=10**9, tol=0.0, shuffle=True,
            random_state=seed)
    raise ValueError(f"unknown peer {peer!r}")


GRID_PARAMS = {
    "skbinary": {"hidden_layer_sizes": GRID_HIDDEN,
                 "learning_rate": GRID_LEARNING_RATES},
    "skbinary-1": {"hidden_layer_sizes": GRID_HIDDEN,
                   "learning_rate": GRID_LEARNING_RATES},
    "scikeras": {"model__hidden_layer_sizes": GRID_HIDDEN,
                 "optimizer__learning_rate": GRID_LEARNING_RATES},
    "mlp": {"hidden_layer_sizes": GRID_HIDDEN,
            "learning_rate_init": GRID_LEARNING_RATES},
}


def make_data(n_train, n_test=0, seed=0):
    """Standardised ``make_classification`` data, with an optional test split."""
    X, y = make_classification(n_samples=n_train + n_test, n_features=N_FEATURES,
                               n_informative=16, random_state=seed)
    if n_test:
        X, X_test, y, y_test = train_test_split(X, y, test_size=n_test, stratify=y,
                                                random_state=0)
    scaler = StandardScaler().fit(X)
    X = scaler.transform(X)
    if not n_test:
        return X, y
    return X, y, scaler.transform(X_test), y_test


def test_size(n_train):
    return min(max(n_train // 5, 1_000), 100_000)


# ------------------------------------------------------------------ helpers


def rss_mb():
    return psutil.Process().memory_info().rss / 2**20


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _own_cpu_s():
    """CPU seconds of this process and all its children, live or finished."""
    me = psutil.Process()
    t = me.cpu_times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in me.children(recursive=True):
        try:
            c = child.cpu_times()
            total += c.user + c.system
        except psutil.Error:
            pass
    return total


class CpuWatch:
    """Share of the machine's CPUs that *other* processes used meanwhile.

    The benchmark cannot stop other work on the machine; it can say when some
    ran, so that figures taken under contention are not mistaken for clean ones.
    """

    def __init__(self):
        self.t0, self.busy0, self.own0 = time.perf_counter(), machine_busy_s(), (
            _own_cpu_s())

    def foreign_share(self):
        wall = time.perf_counter() - self.t0
        foreign = (machine_busy_s() - self.busy0) - (_own_cpu_s() - self.own0)
        return max(0.0, foreign / (wall * (os.cpu_count() or 1)))


def timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def median(values):
    return statistics.median(values) if values else float("nan")


def ratio(a, b):
    if a is None or b is None or not b or a != a or b != b:
        return None
    return a / b


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def fmt(v, spec):
    return "-" if v is None or v != v else format(v, spec)


def table(headers, rows):
    """A plain-text table, first column left-aligned, the others right-aligned."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for k, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])]
        parts += [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def section(title):
    print(f"\n== {title} " + "=" * max(0, 76 - len(title)), flush=True)


def human(n):
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from threadpoolctl import threadpool_info

    blas = ", ".join(sorted({f"{i['internal_api']} ({i['num_threads']} threads)"
                             for i in threadpool_info()}))
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "scikeras": scikeras.__version__,
        "skbinary": skbinary.__version__,
        "blas": blas,
    }


def warm_up(peers):
    """One small fit per peer and per architecture used later (imports, pools)."""
    X, y = make_data(2_000)
    for peer in peers:
        make_estimator(peer).fit(X, y)
        est = make_estimator(peer, epochs=1)
        for hidden in GRID_HIDDEN:
            key = "model__hidden_layer_sizes" if peer == "scikeras" else (
                "hidden_layer_sizes")
            clone(est).set_params(**{key: hidden}).fit(X, y)


def rotate(seq, k):
    k %= len(seq)
    return list(seq[k:]) + list(seq[:k])


# -------------------------------------------------------------------- cases


def case_fit(cfg, peers):
    section("1. fit: 10 epochs, batch 256, 32 -> 64 -> 32 -> 1")
    results = []
    for n in cfg["fit_rows"]:
        X, y, X_test, y_test = make_data(n, test_size(n))
        repeats = cfg["big_repeats"] if n >= BIG else cfg["repeats"]
        per = {p: {"times": [], "f1": [], "roc_auc": []} for p in peers}
        for rep in range(repeats):
            for peer in rotate(peers, rep):
                seconds, est = timed(lambda: make_estimator(peer, seed=rep).fit(X, y))
                proba = est.predict_proba(X_test)[:, 1]
                per[peer]["times"].append(seconds)
                per[peer]["f1"].append(f1_score(y_test, (proba >= 0.5).astype(int)))
                per[peer]["roc_auc"].append(roc_auc_score(y_test, proba))
                del est
        results.append({"rows": n, "test_rows": len(y_test), "repeats": repeats,
                        "peers": {p: {"times_s": v["times"],
                                      "median_s": median(v["times"]),
                                      "best_s": min(v["times"]),
                                      "f1": v["f1"], "roc_auc": v["roc_auc"]}
                                  for p, v in per.items()}})
        print(f"  {human(n)} rows done ({repeats} repeat(s))", flush=True)
    _print_time_table(results, "rows", lambda r: human(r["rows"]), "s", ".2f")
    _print_time_table(results, "rows", lambda r: human(r["rows"]), "s", ".2f",
                      key="best_s", note="(best of the repeats)")
    print("\nHeld-out quality (median over repeats; test rows = 20% of train, "
          "at most 100k):")
    headers = ["rows", "test rows"] + [f"F1 {LABELS[p]}" for p in peers] + [
        f"AUC {LABELS[p]}" for p in peers]
    rows = []
    for r in results:
        q = r["peers"]
        rows.append([human(r["rows"]), human(r["test_rows"])]
                    + [f"{median(q[p]['f1']):.4f}" for p in peers]
                    + [f"{median(q[p]['roc_auc']):.4f}" for p in peers])
    print(table(headers, rows))
    return results


def _print_time_table(results, first, label, unit, spec, key="median_s", scale=1.0,
                      note="(median; skb/peer < 1 means skbinary is faster)"):
    peers = [p for p in PEERS if p in results[0]["peers"]]
    headers = [first] + [f"{LABELS[p]} ({unit})" for p in peers]
    headers += [f"skb/{LABELS[p]}" for p in peers if p != "skbinary"]
    rows = []
    for r in results:
        values = {p: r["peers"][p][key] for p in peers}
        row = [label(r)] + [fmt(values[p] * scale, spec) for p in peers]
        row += [fmt_ratio(ratio(values.get("skbinary"), values[p]))
                for p in peers if p != "skbinary"]
        rows.append(row)
    print(table(headers, rows))
    print(note)


def fitted_models(cfg, peers):
    X, y = make_data(cfg["latency_train_rows"])
    return {p: make_estimator(p).fit(X, y) for p in peers}


def case_latency(cfg, peers, models):
    section("2. predict_proba latency (model fitted on "
            f"{human(cfg['latency_train_rows'])} rows)")
    _, _, X_pool, _ = make_data(cfg["latency_train_rows"], 10_000, seed=1)
    results = []
    # Fine-grained alternation (a few calls per peer per round) so that a
    # transient slowdown of the machine hits every peer alike.
    per_round = 4
    rounds = max(1, cfg["latency_calls"] // per_round)
    for n_rows in (1, 100):
        times = {p: [] for p in peers}
        for p in peers:  # warm-up
            for i in range(3):
                models[p].predict_proba(X_pool[i : i + n_rows])
        start = 0
        for rnd in range(rounds):
            for p in rotate(peers, rnd):
                if p == "scikeras":  # its fewer calls spread evenly over the rounds
                    n_sk = cfg["latency_calls_scikeras"]
                    k = n_sk * (rnd + 1) // rounds - n_sk * rnd // rounds
                else:
                    k = per_round
                for _ in range(k):
                    batch = X_pool[start : start + n_rows]
                    start = (start + n_rows) % (len(X_pool) - n_rows)
                    t0 = time.perf_counter()
                    models[p].predict_proba(batch)
                    times[p].append(time.perf_counter() - t0)
        results.append({"rows": n_rows, "peers": {
            p: {"calls": len(times[p]), "times_s": times[p],
                "median_s": median(times[p]),
                "p90_s": float(np.percentile(times[p], 90))} for p in peers}})
    _print_time_table(results, "rows per call", lambda r: str(r["rows"]), "ms",
                      ".3f", scale=1e3)
    print("calls per peer: " + ", ".join(
        f"{LABELS[p]} {results[0]['peers'][p]['calls']}" for p in peers))
    print("p90 (ms): " + "; ".join(
        f"{r['rows']} row(s): " + ", ".join(
            f"{LABELS[p]} {r['peers'][p]['p90_s'] * 1e3:.3f}" for p in peers)
        for r in results))
    return results


def case_throughput(cfg, peers, models):
    n = cfg["throughput_rows"]
    section(f"3. predict_proba throughput on {human(n)} rows")
    X = make_data(n, seed=2)[0]
    for p in peers:  # warm-up on a slice
        models[p].predict_proba(X[:10_000])
    times = {p: [] for p in peers}
    # skbinary and MLP take well under a second: more rounds, scikeras fewer.
    rounds = max(cfg["repeats"], 5)
    for rep in range(rounds):
        for p in rotate(peers, rep):
            if p == "scikeras" and rep >= cfg["repeats"]:
                continue
            seconds, _ = timed(lambda: models[p].predict_proba(X))
            times[p].append(seconds)
    result = {"rows": n, "peers": {p: {"times_s": times[p], "median_s": median(times[p]),
                                       "best_s": min(times[p]),
                                       "rows_per_s": n / median(times[p])}
                                   for p in peers}}
    _print_time_table([result], "rows", lambda r: human(r["rows"]), "s", ".3f")
    _print_time_table([result], "rows", lambda r: human(r["rows"]), "s", ".3f",
                      key="best_s", note="(best of the calls)")
    print("calls per peer: " + ", ".join(
        f"{LABELS[p]} {len(times[p])}" for p in peers))
    print("rows/s (median): " + ", ".join(
        f"{LABELS[p]} {result['peers'][p]['rows_per_s']:,.0f}" for p in peers))
    return result


def case_grid(cfg, peers):
    n = cfg["grid_rows"]
    section(f"4. GridSearchCV(cv=3), 4 candidates, {human(n)} rows (13 fits each)")
    X, y = make_data(n)
    cv = StratifiedKFold(n_splits=3)

    def search(peer, n_jobs):
        return GridSearchCV(make_estimator(peer), GRID_PARAMS[peer], cv=cv,
                            scoring="accuracy", n_jobs=n_jobs).fit(X, y)

    runs = [(p, 1) for p in peers]
    if "skbinary" in peers:
        # The first n_jobs=2 call starts the worker processes (TensorFlow
        # imports, pooled trainers): timed apart, as the cold figure.
        cold, _ = timed(lambda: search("skbinary", 2))
        runs.append(("skbinary", 2))
    times = {run: [] for run in runs}
    best = {}
    for rep in range(cfg["repeats"]):
        for run in rotate(runs, rep):
            seconds, gs = timed(lambda: search(*run))
            times[run].append(seconds)
            best[run] = (gs.best_params_, gs.best_score_)
    result = {"rows": n, "peers": {p: {"times_s": times[(p, 1)],
                                       "median_s": median(times[(p, 1)]),
                                       "best_s": min(times[(p, 1)]),
                                       "best_params": str(best[(p, 1)][0]),
                                       "best_cv_accuracy": best[(p, 1)][1]}
                                   for p in peers}}
    _print_time_table([result], "n_jobs=1", lambda r: human(r["rows"]) + " rows",
                      "s", ".2f")
    _print_time_table([result], "n_jobs=1", lambda r: human(r["rows"]) + " rows",
                      "s", ".2f", key="best_s", note="(best of the repeats)")
    print("best CV accuracy: " + ", ".join(
        f"{LABELS[p]} {result['peers'][p]['best_cv_accuracy']:.4f}" for p in peers))
    if "skbinary" in peers:
        t1, t2 = median(times[("skbinary", 1)]), median(times[("skbinary", 2)])
        result["skbinary_n_jobs"] = {"n_jobs=1_s": t1, "n_jobs=2_s": t2,
                                     "n_jobs=2_first_call_s": cold,
                                     "n_jobs=2_times_s": times[("skbinary", 2)]}
        print(f"\nskbinary (median) n_jobs=1: {t1:.2f} s   n_jobs=2: {t2:.2f} s   "
              f"(n_jobs=2 / n_jobs=1 = {t2 / t1:.2f}x; first n_jobs=2 call, "
              f"starting the workers: {cold:.2f} s)")
    return result


def run_child(spec):
    """Run this script in a fresh interpreter on one measurement; its JSON result."""
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--_child", json.dumps(spec)],
        capture_output=True, text=True, timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {spec} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def case_memory(cfg, peers):
    n = cfg["memory_rows"]
    section(f"5. peak memory of one {human(n)}-row fit (fresh process per peer)")
    result = {"rows": n, "peers": {}}
    for p in peers:
        result["peers"][p] = run_child({"kind": "memory", "peer": p, "rows": n})
    headers = ["peer", "baseline RSS (MB)", "peak above baseline (MB)",
               "first fit (s)"]
    rows = [[LABELS[p], f"{r['baseline_mb']:.0f}", f"{r['peak_above_mb']:.0f}",
             f"{r['fit_s']:.2f}"] for p, r in result["peers"].items()]
    print(table(headers, rows))
    print("(baseline: RSS after imports and data; peak: the kernel's VmHWM, reset just "
          "before the fit,\n and RSS sampled every 5 ms; the fit is the process's "
          "first, so it includes graph building)")
    _print_ratios(result["peers"], "peak_above_mb", "peak memory")
    return result


def case_growth(cfg, peers):
    fits, warm = cfg["growth_fits"], cfg["growth_warm"]
    section(f"6. RSS growth over {fits} fits of clones "
            f"({human(cfg['growth_rows'])} rows, {cfg['growth_epochs']} epochs, "
            "fresh process per peer)")
    variants = list(peers)
    if "scikeras" in peers:
        variants.insert(variants.index("scikeras") + 1, "scikeras+clear")
    result = {"fits": fits, "warm_fit": warm, "peers": {}}
    for v in variants:
        result["peers"][v] = run_child({
            "kind": "growth", "peer": v, "rows": cfg["growth_rows"],
            "epochs": cfg["growth_epochs"], "fits": fits, "warm": warm})
    headers = ["peer", f"RSS after fit {warm} (MB)", f"after fit {fits} (MB)",
               "growth (MB)", "MB / fit", "median fit (s)"]
    rows = []
    for v, r in result["peers"].items():
        per_fit = r["growth_mb"] / max(1, fits - warm)
        rows.append([LABELS[v], f"{r['rss_warm_mb']:.0f}", f"{r['rss_last_mb']:.0f}",
                     f"{r['growth_mb']:.1f}", f"{per_fit:.2f}",
                     f"{r['median_fit_s']:.3f}"])
    print(table(headers, rows))
    print("(RSS after gc.collect(); growth = after the last fit minus after the warm "
          "one; scikeras+clear_session calls keras.backend.clear_session() after "
          "each fit)")
    return result


def _print_ratios(per, key, what):
    if "skbinary" not in per:
        return
    parts = [f"skb/{LABELS[p]} {fmt_ratio(ratio(per['skbinary'][key], v[key]))}"
             for p, v in per.items() if p != "skbinary"]
    if parts:
        print(f"{what}: " + ", ".join(parts))


# ------------------------------------------------------------ child process


class _PeakSampler(threading.Thread):
    def __init__(self, interval=0.005):
        super().__init__(daemon=True)
        self.interval, self.peak, self._done = interval, 0.0, threading.Event()

    def run(self):
        proc = psutil.Process()
        while not self._done.is_set():
            self.peak = max(self.peak, proc.memory_info().rss / 2**20)
            time.sleep(self.interval)

    def stop(self):
        self._done.set()
        self.join()
        self.peak = max(self.peak, rss_mb())


def _reset_peak_rss():
    """Reset the kernel's peak-RSS counter (VmHWM); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child_main(spec):
    peer = spec["peer"]
    if spec["kind"] == "memory":
        X, y = make_data(spec["rows"])
        gc.collect()
        baseline = rss_mb()
        maxrss_before = maxrss_mb()
        hwm_reset = _reset_peak_rss()
        sampler = _PeakSampler()
        sampler.start()
        t0 = time.perf_counter()
        make_estimator(peer).fit(X, y)
        fit_s = time.perf_counter() - t0
        sampler.stop()
        hwm = _peak_rss_mb() if hwm_reset else float("nan")
        maxrss_after = maxrss_mb()
        # ru_maxrss is the lifetime peak, and after fork/exec it starts at the
        # parent's peak: it speaks for the fit only if it rose during it.
        peaks = [sampler.peak, hwm if hwm_reset else 0.0,
                 maxrss_after if maxrss_after > maxrss_before else 0.0]
        peak = max(peaks)
        out = {"baseline_mb": baseline, "peak_mb": peak, "peak_above_mb": peak - baseline,
               "sampled_peak_mb": sampler.peak, "vm_hwm_mb": hwm,
               "ru_maxrss_before_mb": maxrss_before, "ru_maxrss_after_mb": maxrss_after,
               "fit_s": fit_s}
    elif spec["kind"] == "growth":
        X, y = make_data(spec["rows"])
        base = make_estimator(peer, epochs=spec["epochs"])
        rss, fit_times = [], []
        for _ in range(spec["fits"]):
            est = clone(base)
            t0 = time.perf_counter()
            est.fit(X, y)
            fit_times.append(time.perf_counter() - t0)
            del est
            if peer == "scikeras+clear":
                keras.backend.clear_session()
            gc.collect()
            rss.append(rss_mb())
        warm = spec["warm"]
        out = {"rss_mb": rss, "fit_times_s": fit_times,
               "rss_warm_mb": rss[warm - 1], "rss_last_mb": rss[-1],
               "growth_mb": rss[-1] - rss[warm - 1],
               "median_fit_s": median(fit_times[warm:])}
    else:
        raise ValueError(spec["kind"])
    print(json.dumps(out))


# ------------------------------------------------------------------ targets


def targets(results):
    """The issue's targets, each with its figure and whether it is met."""
    out = []

    def add(name, value, met):
        out.append({"target": name, "value": value, "met": bool(met)})

    def fit_at(n):
        for r in results.get("fit", []):
            if r["rows"] == n:
                return r["peers"]
        return None

    fit100k = fit_at(100_000)
    if fit100k and {"skbinary", "scikeras"} <= fit100k.keys():
        r = fit100k["skbinary"]["median_s"] / fit100k["scikeras"]["median_s"]
        add("fit 100k: >= 3x faster than scikeras", f"skb/scikeras = {r:.2f}x "
            f"({1 / r:.1f}x faster)", r <= 1 / 3)
    if fit100k and {"skbinary", "mlp"} <= fit100k.keys():
        r = fit100k["skbinary"]["median_s"] / fit100k["mlp"]["median_s"]
        add("fit 100k: no slower than MLP", f"skb/MLP = {r:.2f}x", r <= 1.0)
    if fit100k and {"skbinary", "scikeras"} <= fit100k.keys():
        d = median(fit100k["skbinary"]["f1"]) - median(fit100k["scikeras"]["f1"])
        add("fit 100k: test F1 within 0.01 of scikeras",
            f"F1 skb - scikeras = {d:+.4f}", d >= -0.01)
    lat = results.get("latency")
    if lat and {"skbinary", "mlp"} <= lat[0]["peers"].keys():
        p = lat[0]["peers"]
        r = p["skbinary"]["median_s"] / p["mlp"]["median_s"]
        add("predict_proba 1 row: no slower than MLP",
            f"{p['skbinary']['median_s'] * 1e3:.3f} ms vs "
            f"{p['mlp']['median_s'] * 1e3:.3f} ms ({r:.2f}x)", r <= 1.0)
    fit1m = fit_at(1_000_000)
    if fit1m and {"skbinary", "mlp"} <= fit1m.keys():
        r = fit1m["skbinary"]["median_s"] / fit1m["mlp"]["median_s"]
        add("fit 1M rows: no slower than MLP", f"skb/MLP = {r:.2f}x", r <= 1.0)
    thr = results.get("throughput")
    if thr and thr["rows"] == 1_000_000 and {"skbinary", "mlp"} <= thr["peers"].keys():
        r = thr["peers"]["skbinary"]["median_s"] / thr["peers"]["mlp"]["median_s"]
        add("predict_proba 1M rows: no slower than MLP", f"skb/MLP = {r:.2f}x",
            r <= 1.0)
    grid = results.get("grid")
    if grid and {"skbinary", "scikeras"} <= grid["peers"].keys():
        r = grid["peers"]["skbinary"]["median_s"] / grid["peers"]["scikeras"]["median_s"]
        add("GridSearchCV: >= 3x faster than scikeras",
            f"skb/scikeras = {r:.2f}x ({1 / r:.1f}x faster)", r <= 1 / 3)
    growth = results.get("growth")
    if growth and "skbinary" in growth["peers"]:
        g = growth["peers"]["skbinary"]["growth_mb"]
        add(f"memory growth over {growth['fits']} fits < 50 MB",
            f"{g:.1f} MB (fits {growth['warm_fit']} -> {growth['fits']})", g < 50)
    if grid and "skbinary_n_jobs" in grid:
        j = grid["skbinary_n_jobs"]
        r = j["n_jobs=2_s"] / j["n_jobs=1_s"]
        add("GridSearchCV n_jobs=2 not slower than n_jobs=1",
            f"{j['n_jobs=2_s']:.2f} s vs {j['n_jobs=1_s']:.2f} s ({r:.2f}x)", r <= 1.0)
    return out


# --------------------------------------------------------------------- main


def parse_rows(text, cfg):
    """``--rows``: a scale factor (< 100) or explicit fit sizes (10k,100k,1M)."""
    def number(token):
        token = token.strip().lower()
        mult = {"k": 1_000, "m": 1_000_000}.get(token[-1:], 1)
        return float(token[:-1] if mult > 1 else token) * mult

    values = [number(t) for t in text.split(",") if t.strip()]
    if len(values) == 1 and values[0] < 100:
        f = values[0]
        for key in ("throughput_rows", "grid_rows", "memory_rows"):
            cfg[key] = max(300, int(cfg[key] * f))
        cfg["fit_rows"] = [max(300, int(n * f)) for n in cfg["fit_rows"]]
    else:
        cfg["fit_rows"] = [int(v) for v in values]


def parse_cases(text):
    chosen = []
    for token in text.split(","):
        token = token.strip().lower()
        if token.isdigit() and 1 <= int(token) <= len(CASES):
            token = CASES[int(token) - 1]
        if token not in CASES:
            raise SystemExit(f"unknown case {token!r}; choose from {', '.join(CASES)}")
        chosen.append(token)
    return [c for c in CASES if c in chosen]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark skbinary against scikeras and MLPClassifier.")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma list of cases, names or 1-6 ({', '.join(CASES)})")
    parser.add_argument("--rows", help="scale factor for every size (e.g. 0.1), or "
                        "explicit fit sizes (e.g. 10k,100k or 10000,200000)")
    parser.add_argument("--repeats", type=int, help="timed repeats per peer "
                        "(default 5; 1 with --quick)")
    parser.add_argument("--big-repeats", type=int, default=1,
                        help=f"repeats for fits of {human(BIG)} rows or more (default 1)")
    parser.add_argument("--peers", default=",".join(PEERS),
                        help="comma list among skbinary,scikeras,mlp")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._child:
        return child_main(json.loads(args._child))

    cfg = dict(QUICK if args.quick else DEFAULTS)
    cfg["repeats"] = args.repeats or (1 if args.quick else 5)
    cfg["big_repeats"] = min(args.big_repeats, cfg["repeats"])
    if args.rows:
        parse_rows(args.rows, cfg)
    cases = parse_cases(args.cases)
    peers = [p.strip() for p in args.peers.split(",")]
    if set(peers) - set(PEERS) or "skbinary" not in peers:
        raise SystemExit(f"--peers must include skbinary, among {', '.join(PEERS)}")
    peers = [p for p in PEERS if p in peers]

    start = time.perf_counter()
    info = machine_info()
    section("machine")
    for k, v in info.items():
        print(f"  {k:13s} {v}")
    print(f"  cases         {', '.join(cases)};  peers {', '.join(peers)};  repeats "
          f"{cfg['repeats']} ({cfg['big_repeats']} at >= {human(BIG)} rows)")
    print("  network       32 -> 64 -> 32 -> 1 (relu, sigmoid), Adam lr 1e-3, "
          "batch 256, 10 epochs")

    print(f"  load average  {' '.join(f'{v:.2f}' for v in os.getloadavg())} at start")

    results, foreign = {}, {}

    def run_case(name, fn, *fn_args):
        watch = CpuWatch()
        results[name] = fn(*fn_args)
        foreign[name] = share = watch.foreign_share()
        warn = ("  <- WARNING: other work competed with this case; its timings are "
                "not clean" if share > NOISY else "")
        print(f"[other processes used {share:.0%} of the machine's CPUs during this "
              f"case]{warn}", flush=True)

    if set(cases) & {"fit", "latency", "throughput", "grid"}:
        warm_up(peers)
    if "fit" in cases:
        run_case("fit", case_fit, cfg, peers)
    if "latency" in cases or "throughput" in cases:
        models = fitted_models(cfg, peers)
        if "latency" in cases:
            run_case("latency", case_latency, cfg, peers, models)
        if "throughput" in cases:
            run_case("throughput", case_throughput, cfg, peers, models)
        del models
    if "grid" in cases:
        run_case("grid", case_grid, cfg, peers)
    if "memory" in cases:
        run_case("memory", case_memory, cfg, peers)
    if "growth" in cases:
        run_case("growth", case_growth, cfg, peers)

    checks = targets(results)
    if checks:
        section("targets")
        print(table(["target", "figure", "met"],
                    [[c["target"], c["value"], "MET" if c["met"] else "MISSED"]
                     for c in checks]))
    noisy = [f"{name} ({share:.0%})" for name, share in foreign.items()
             if share > NOISY]
    if noisy:
        print("\nWARNING: other processes used the CPUs during " + ", ".join(noisy)
              + "; rerun those cases on a quiet machine before trusting them.")
    elapsed = time.perf_counter() - start
    print(f"\ntotal time {elapsed / 60:.1f} min", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "settings": cfg, "cases": cases, "peers": peers,
                       "results": results, "targets": checks,
                       "foreign_cpu_share": foreign, "total_s": elapsed},
                      f, indent=2, default=str)
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
