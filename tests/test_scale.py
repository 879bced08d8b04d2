"""Out-of-core training (partial_fit), threads, and Dask for search and data."""

import threading

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from conftest import in_threads, small_classifier


def test_partial_fit_runs_one_epoch_per_call(spam_data):
    X, y = spam_data
    clf = small_classifier()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X[:50], y[:50])
    for _ in range(10):
        for start in range(0, len(X), 100):
            clf.partial_fit(X[start : start + 100], y[start : start + 100],
                            classes=["ham", "spam"])
    assert clf.n_iter_ == 30 and len(clf.history_["loss"]) == 30
    assert list(clf.classes_) == ["ham", "spam"]
    assert clf.score(X, y) > 0.85


def test_partial_fit_accepts_one_class_chunks_and_checks_labels(spam_data):
    X, y = spam_data
    clf = small_classifier()
    clf.partial_fit(X[y == "ham"][:20], ["ham"] * 20, classes=["spam", "ham"])
    clf.partial_fit(X[y == "spam"][:20], ["spam"] * 20)
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X[:3], ["ham", "eggs", "spam"])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:3, :4], y[:3])
    with pytest.raises(ValueError, match="balanced"):
        small_classifier(class_weight="balanced").partial_fit(X, y, classes=["ham", "spam"])


def test_partial_fit_continues_after_pickle_and_after_fit(spam_data):
    import pickle

    X, y = spam_data
    clf = small_classifier(epochs=5).fit(X, y)
    before = clf.predict_proba(X)
    clf.partial_fit(X, y)  # continues from the fitted weights
    assert clf.n_iter_ == 6
    assert not np.array_equal(clf.predict_proba(X), before)
    twin = pickle.loads(pickle.dumps(clf))
    twin.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert twin.n_iter_ == 7
    # optimizer state travels with the pickle: the copy trains exactly like the original
    np.testing.assert_allclose(twin.predict_proba(X), clf.predict_proba(X), rtol=1e-6)


def test_predict_proba_from_8_threads_matches_serial(spam_data):
    X, y = spam_data
    clf = small_classifier(epochs=5).fit(X, y)
    expected = [clf.predict_proba(X[i::8]) for i in range(8)]
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        for _ in range(20):
            result = clf.predict_proba(X[i::8])
        return result

    results = in_threads(work, 8)
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       silence_logs=40)
    client = distributed.Client(cluster, timeout="60s")
    try:
        yield client
    finally:
        client.close(timeout=30)
        cluster.close(timeout=30)


@pytest.mark.timeout_dask
def test_grid_search_on_dask_matches_serial(binary_data, dask_client):
    import joblib

    X, y = binary_data
    grid = {"hidden_layer_sizes": [(8,), (16,)], "dropout": [0.0, 0.2]}
    serial = GridSearchCV(small_classifier(epochs=5), grid, cv=3, scoring="roc_auc").fit(X, y)
    with joblib.parallel_backend("dask"):
        on_dask = GridSearchCV(small_classifier(epochs=5), grid, cv=3,
                               scoring="roc_auc").fit(X, y)
    assert on_dask.best_params_ == serial.best_params_
    np.testing.assert_allclose(on_dask.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], rtol=1e-5)


@pytest.mark.timeout_dask
def test_incremental_on_a_dask_array_matches_in_memory(spam_data, dask_client):
    pytest.importorskip("dask_ml")
    import dask.array as da
    from dask_ml.wrappers import Incremental

    X, y = spam_data
    Xd = da.from_array(X, chunks=(100, X.shape[1]))
    yd = da.from_array(y, chunks=100)
    inc = Incremental(small_classifier(random_state=0), shuffle_blocks=False)
    inc.fit(Xd, yd, classes=["ham", "spam"])
    # the same blocks in the same order, in memory
    mem = small_classifier(random_state=0)
    for start in range(0, len(X), 100):
        mem.partial_fit(X[start : start + 100], y[start : start + 100],
                        classes=["ham", "spam"])
    np.testing.assert_allclose(inc.estimator_.predict_proba(X), mem.predict_proba(X),
                               rtol=1e-5, atol=1e-6)
    assert inc.estimator_.n_iter_ == 3
    proba = inc.predict_proba(Xd).compute()
    assert proba.shape == (len(X), 2)


@pytest.mark.parametrize("params", [
    pytest.param({}, id="defaults"),
    pytest.param({"hidden_layer_sizes": (16, 8), "ensemble_size": 1, "batch_norm": True},
                 id="16-8"),
    pytest.param({"numeric_embedding": "piecewise"}, id="piecewise"),
])
def test_a_row_predicts_exactly_alike_alone_in_blocks_and_in_threads(binary_data, params):
    # issue 19: large inputs run in blocks of rows shared among threads; a row's
    # probability is still bit for bit the same alone, in a small batch or in a
    # large one (sklearn's check_methods_subset_invariance asks 1e-7)
    from skbinary import KerasBinaryClassifier, _fitted

    X, y = binary_data
    X = np.tile(X, 4)  # 32 features, as in the benchmarks
    clf = KerasBinaryClassifier(epochs=1, random_state=0, **params).fit(X, y)
    big = np.random.RandomState(0).normal(size=(_fitted._THREADED_ROWS + 3, 32)) * 2
    batch = clf.predict_proba(big)
    block = _fitted._PREDICT_BLOCK
    rows = [0, 1, block - 1, block, block + 1, len(big) - 1, *range(2, len(big), 797)]
    alone = np.vstack([clf.predict_proba(big[i : i + 1]) for i in rows])
    np.testing.assert_array_equal(alone, batch[rows])
    threes = np.vstack([clf.predict_proba(big[i : i + 3]) for i in range(0, 300, 3)])
    np.testing.assert_array_equal(threes, batch[:300])
    np.testing.assert_array_equal(clf.decision_function(big[7:8]),
                                  clf.decision_function(big)[7:8])


_ROWS_CHECK = r"""
import sys
import numpy as np
from threadpoolctl import threadpool_info
from skbinary import _fitted

want = sys.argv[1]
kernels = {i.get("architecture", "").lower() for i in threadpool_info()
           if i["user_api"] == "blas" and "numpy" in i["filepath"]}
if want.lower() not in kernels:
    print("SKIP", kernels)
    sys.exit(0)
rng = np.random.RandomState(0)
plans = {  # the default network (4 members: a grouped layer) and a 16-8 one
    "defaults": [("affine", rng.normal(size=(32, 256)) / 6, rng.normal(size=256)),
                 ("act", "relu"),
                 ("grouped", rng.normal(size=(4, 64, 32)) / 8, rng.normal(size=128)),
                 ("act", "relu"), ("affine", rng.normal(size=(128, 1)), rng.normal(size=1))],
    "16-8": [("affine", rng.normal(size=(32, 16)) / 6, rng.normal(size=16)), ("act", "relu"),
             ("affine", rng.normal(size=(16, 8)) / 4, rng.normal(size=8)), ("act", "relu"),
             ("affine", rng.normal(size=(8, 1)), rng.normal(size=1))],
}
big = rng.normal(size=(_fitted._THREADED_ROWS + 3, 32)) * 2
for name, plan in plans.items():
    net = object.__new__(_fitted.FittedNetwork)
    net.forward = plan
    batch = net.positive_proba(big)[1]
    for n in [*range(1, 40), 63, 64, 65, 66, 72, 100, 500, 1000, 2047, 2048]:
        got = net.positive_proba(big[:n])[1]
        if not np.array_equal(got, batch[:n]):
            rows = np.flatnonzero(got != batch[:n])
            print("DIFF", name, n, rows[:8])
            sys.exit(1)
print("OK")
"""


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].split() for line in f
                         if line.startswith("flags")), [])
    except OSError:
        return []


@pytest.mark.parametrize("kernel, flags", [
    ("Haswell", {"avx2", "fma"}),  # also what OpenBLAS runs on AMD Zen
    ("SkylakeX", {"avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"}),
    ("Sandybridge", {"avx"}),
    ("Nehalem", {"sse4_2"}),
])
def test_a_row_predicts_alike_in_any_batch_on_other_cpus_blas_kernels(kernel, flags):
    # issue 26: CI failed the row-invariance test above on another CPU. On
    # OpenBLAS's Haswell/Zen kernels the last row of an odd-sized batch got
    # other last bits, and BLAS's 2 threads split a batch's rows at places
    # that depend on its size; OPENBLAS_CORETYPE makes this CPU run those
    # kernels (numpy's wheels hold them all), with BLAS at 2 threads.
    import os
    import subprocess
    import sys

    import skbinary

    if not flags <= set(_cpu_flags()):
        pytest.skip(f"this CPU cannot run OpenBLAS's {kernel} kernel")
    root = os.path.dirname(os.path.dirname(os.path.abspath(skbinary.__file__)))
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="2",
               PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", _ROWS_CHECK, kernel], env=env,
                          capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    if out.startswith("SKIP"):
        pytest.skip(f"numpy's BLAS does not run OpenBLAS's {kernel} kernel here: {out}")
    assert done.returncode == 0 and out.strip().endswith("OK"), out


def test_predictions_hold_blas_to_one_thread_from_any_thread_and_restore_it():
    # BLAS threads split a product's rows at places that depend on the batch
    # size; a prediction holds BLAS to one thread, also from a worker thread
    # while another thread holds a threadpoolctl limit (threadpoolctl then
    # ignores the worker's own limits), and leaves the count as it found it
    from threadpoolctl import threadpool_limits

    from skbinary import _fitted

    libs = _fitted._blas_libraries()
    seen = {}

    def work():
        with _fitted._one_blas_thread:
            with _fitted._one_blas_thread:  # nested and concurrent uses share the limit
                seen["inside"] = [get() for get, _ in libs]
            seen["still"] = [get() for get, _ in libs]
        seen["after"] = [get() for get, _ in libs]

    with threadpool_limits(2, user_api="blas"):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        assert seen["inside"] == seen["still"] == [1] * len(libs)
        assert seen["after"] == [2] * len(libs)
