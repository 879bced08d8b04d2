"""KerasBinaryClassifier on its own: outputs, labels, attributes, seeding, copies."""

import copy
import io
import pickle
import random
import warnings

import joblib
import keras
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import clone, is_classifier
from sklearn.utils.validation import check_is_fitted

from conftest import in_threads, skip_net, small_classifier
from skbinary import KerasBinaryClassifier


@pytest.fixture(scope="module")
def fitted(spam_data):
    X, y = spam_data
    return small_classifier().fit(X, y)


def test_is_a_binary_classifier_for_sklearn():
    clf = KerasBinaryClassifier()
    assert is_classifier(clf)
    tags = clf.__sklearn_tags__()
    assert tags.estimator_type == "classifier"
    assert tags.classifier_tags.multi_class is False


def test_string_labels_sorted_and_positive_is_second(fitted, spam_data):
    X, y = spam_data
    assert list(fitted.classes_) == ["ham", "spam"]
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = fitted.predict(X)
    assert set(pred) <= {"ham", "spam"}
    # predict is the positive column thresholded at 0.5, in the user's labels
    np.testing.assert_array_equal(pred == "spam", proba[:, 1] >= 0.5)
    assert fitted.score(X, y) > 0.85


def test_decision_function_is_the_logit(fitted, spam_data):
    X, _ = spam_data
    logit = fitted.decision_function(X)
    assert logit.shape == (len(X),)
    np.testing.assert_allclose(expit(logit), fitted.predict_proba(X)[:, 1], rtol=1e-12)


def test_predict_log_proba_is_the_log_of_predict_proba(fitted, spam_data):
    # as LogisticRegression and MLPClassifier offer it: swapping them keeps working
    X, _ = spam_data
    np.testing.assert_array_equal(fitted.predict_log_proba(X), np.log(fitted.predict_proba(X)))


@pytest.mark.parametrize("labels", [(False, True), (-1, 1), (3, 7)])
def test_any_two_labels(binary_data, labels):
    X, y = binary_data
    y_user = np.where(y == 1, labels[1], labels[0])
    clf = small_classifier(epochs=10).fit(X, y_user)
    assert list(clf.classes_) == list(labels)
    assert set(clf.predict(X)) <= set(labels)


def test_threshold_moves_predictions(binary_data):
    X, y = binary_data
    clf = small_classifier(epochs=10).fit(X, y)
    p = clf.predict_proba(X)[:, 1]
    for t in (0.2, 0.5, 0.8):
        clf.set_params(threshold=t)
        np.testing.assert_array_equal(clf.predict(X), (p >= t).astype(int))
    assert clf.set_params(threshold=0.2).predict(X).sum() >= clf.set_params(
        threshold=0.8).predict(X).sum()


def test_learned_attributes(fitted):
    check_is_fitted(fitted)
    assert fitted.n_features_in_ == 8
    assert fitted.n_iter_ == 30
    assert list(fitted.history_) == ["loss", "learning_rate"]
    assert fitted.history_["learning_rate"] == [pytest.approx(0.01, rel=1e-6)] * 30
    assert len(fitted.history_["loss"]) == 30
    # training loss goes down on easy data
    assert fitted.history_["loss"][-1] < fitted.history_["loss"][0]
    assert isinstance(fitted.model_, keras.Model)
    assert fitted.model_.output_shape == (None, 1)


def test_feature_names_from_pandas(binary_data):
    pd = pytest.importorskip("pandas")
    X, y = binary_data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = small_classifier(epochs=5).fit(df, y)
    assert list(clf.feature_names_in_) == list(df.columns)
    from_numpy = small_classifier(epochs=5).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(df), from_numpy.predict_proba(X))


def test_sparse_input_matches_dense(binary_data):
    X, y = binary_data
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = small_classifier(epochs=5).fit(X, y)
    sparse = small_classifier(epochs=5).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)),
                               dense.predict_proba(X), rtol=1e-10)


def test_keras_model_and_numpy_forward_agree(spam_data):
    X, y = spam_data
    clf = small_classifier(hidden_layer_sizes=(16, 8), dropout=0.3, batch_norm=True,
                           l2=1e-3, epochs=10).fit(X, y)
    keras_proba = clf.model_.predict(X.astype("float32"), verbose=0).ravel()
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], keras_proba, atol=1e-6)


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "elu", "selu",
                                        "gelu", "silu", "identity"])
def test_every_activation_predicts_like_keras(binary_data, activation):
    X, y = binary_data
    clf = small_classifier(activation=activation, epochs=3).fit(X, y)
    keras_proba = clf.model_.predict(X.astype("float32"), verbose=0).ravel()
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], keras_proba, atol=1e-6)


def test_one_row_predicts_as_in_a_batch(fitted, spam_data):
    # docs/user_guide/speed.rst: "to within 1e-15", for every row
    X, _ = spam_data
    batch = fitted.predict_proba(X)
    alone = np.array([fitted.predict_proba(X[i : i + 1])[0] for i in range(len(X))])
    np.testing.assert_allclose(alone, batch, rtol=0, atol=1e-15)


def test_random_state_reproducible_and_leaves_globals(binary_data):
    X, y = binary_data
    np.random.seed(123)
    random.seed(123)
    before_np, before_py = np.random.get_state()[1].copy(), random.getstate()
    a = small_classifier(dropout=0.2, random_state=7).fit(X, y).predict_proba(X)
    b = small_classifier(dropout=0.2, random_state=7).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], before_np)
    assert random.getstate() == before_py
    c = small_classifier(dropout=0.2, random_state=8).fit(X, y).predict_proba(X)
    assert not np.allclose(a, c)


def test_unseeded_fits_after_a_seeded_fit_still_differ(binary_data):
    X, y = binary_data
    small_classifier(random_state=0, epochs=3).fit(X, y)
    p1 = small_classifier(random_state=None, epochs=3).fit(X, y).predict_proba(X)
    p2 = small_classifier(random_state=None, epochs=3).fit(X, y).predict_proba(X)
    assert not np.allclose(p1, p2)


def test_params_clone_and_grid_searchable():
    clf = KerasBinaryClassifier(hidden_layer_sizes=(8, 4), dropout=0.1)
    params = clf.get_params()
    for name in ("hidden_layer_sizes", "activation", "dropout", "l2", "batch_norm",
                 "optimizer", "learning_rate", "batch_size", "epochs", "early_stopping",
                 "validation_fraction", "n_iter_no_change", "class_weight",
                 "random_state", "verbose", "model", "threshold", "scoring"):
        assert name in params
    twin = clone(clf).set_params(dropout=0.3)
    assert twin.dropout == 0.3 and clf.dropout == 0.1
    assert twin.hidden_layer_sizes == (8, 4)


@pytest.mark.parametrize("copier", [
    lambda est: pickle.loads(pickle.dumps(est)),
    copy.deepcopy,
    lambda est: _joblib_round_trip(est),
], ids=["pickle", "deepcopy", "joblib"])
def test_round_trips_predict_exactly(fitted, spam_data, copier):
    X, _ = spam_data
    twin = copier(fitted)
    np.testing.assert_array_equal(twin.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(twin.predict(X), fitted.predict(X))
    assert twin.history_ == fitted.history_
    # the Keras model comes back too, with the same weights
    for a, b in zip(twin.model_.get_weights(), fitted.model_.get_weights()):
        np.testing.assert_array_equal(a, b)
    # and an unfitted copy is still unfitted
    fresh = copier(KerasBinaryClassifier(dropout=0.2))
    assert fresh.dropout == 0.2 and not hasattr(fresh, "classes_")


def _joblib_round_trip(est):
    buf = io.BytesIO()
    joblib.dump(est, buf)
    buf.seek(0)
    return joblib.load(buf)


def _tiny_network(n_features_in):
    return keras.Sequential([
        keras.Input((n_features_in,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


def test_custom_model_callable(spam_data):
    X, y = spam_data
    clf = small_classifier(model=_tiny_network, epochs=20).fit(X, y)
    assert clf.model_.layers[0].units == 8
    assert clf.score(X, y) > 0.8
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1],
                               clf.model_.predict(X, verbose=0).ravel(), atol=1e-6)
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(twin.predict_proba(X), clf.predict_proba(X), atol=1e-7)
    # seeded like the built-in network
    again = small_classifier(model=_tiny_network, epochs=20).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_custom_model_with_meta_and_own_compile(binary_data):
    X, y = binary_data
    seen = {}

    def build(meta):
        seen.update(meta)
        model = _tiny_network(meta["n_features_in_"])
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy")
        return model

    clf = small_classifier(model=build, epochs=5).fit(X, y)
    assert seen["n_features_in_"] == 8 and seen["n_classes_"] == 2
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)


def test_custom_model_with_wrong_output_is_refused(binary_data):
    X, y = binary_data

    def two_outputs(n_features_in):
        return keras.Sequential([keras.Input((n_features_in,)),
                                 keras.layers.Dense(2, activation="softmax")])

    with pytest.raises(ValueError, match="one sigmoid output"):
        small_classifier(model=two_outputs).fit(X, y)


def test_class_weight_balanced_raises_minority_recall():
    from sklearn.datasets import make_classification
    from sklearn.metrics import recall_score

    X, y = make_classification(n_samples=600, weights=[0.93], flip_y=0.02,
                               class_sep=0.6, random_state=3)
    labels = np.where(y == 1, "fraud", "ok")
    plain = small_classifier(epochs=15).fit(X, labels)
    balanced = small_classifier(epochs=15, class_weight="balanced").fit(X, labels)
    by_dict = small_classifier(epochs=15, class_weight={"fraud": 10.0, "ok": 1.0})
    by_dict.fit(X, labels)
    r = [recall_score(labels, m.predict(X), pos_label="fraud")
         for m in (plain, balanced, by_dict)]
    assert r[1] > r[0] and r[2] > r[0]


def test_caller_arrays_not_modified(binary_data):
    X, y = binary_data
    X0, y0, w = X.copy(), y.copy(), np.linspace(0.5, 2, len(y))
    w0 = w.copy()
    clf = small_classifier(epochs=2, class_weight="balanced").fit(X, y, sample_weight=w)
    clf.predict_proba(X)  # the numpy forward pass works in place on its own arrays
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("scoring", ["loss", "roc_auc", "average_precision"])
def test_early_stopping_restores_best_weights(binary_data, scoring):
    X, y = binary_data
    clf = small_classifier(early_stopping=True, scoring=scoring, n_iter_no_change=3,
                           epochs=200, learning_rate=0.05).fit(X, y)
    assert clf.n_iter_ < 200  # it stopped
    monitored = "val_loss" if scoring == "loss" else f"val_{scoring}"
    curve = np.array(clf.history_[monitored])
    best = curve.argmin() if scoring == "loss" else curve.argmax()
    # stopped exactly n_iter_no_change epochs after the best one
    assert clf.n_iter_ == best + 1 + 3
    assert len(clf.history_["val_loss"]) == clf.n_iter_


def test_verbose_follows_keras_conventions(binary_data, capsys):
    X, y = binary_data
    # 2: one line per epoch with the logs
    small_classifier(epochs=3, verbose=2).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "loss:" in out and "learning_rate:" in out
    # 1: one Keras progress bar for the fit, advanced each epoch, ending at 3/3
    small_classifier(epochs=3, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "Epoch " not in out and "3/3" in out and "loss:" in out
    # early stopping says when it stopped and which epoch it kept
    small_classifier(epochs=200, verbose=2, early_stopping=True, n_iter_no_change=2,
                     learning_rate=0.1).fit(X, y)
    assert "Early stopping: val_loss has not improved" in capsys.readouterr().out
    small_classifier(epochs=3, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""


def test_keyboard_interrupt_keeps_a_usable_model(binary_data, monkeypatch):
    from skbinary import _engine

    X, y = binary_data
    calls = {"n": 0}
    real = _engine.weighted_log_loss

    def interrupt_on_fifth(*args):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(_engine, "weighted_log_loss", interrupt_on_fifth)
    clf = small_classifier(early_stopping=True, epochs=50)
    with pytest.warns(UserWarning, match="interrupted after 4 epoch"), \
            pytest.raises(KeyboardInterrupt):  # the interrupt still stops the caller
        clf.fit(X, y)
    assert clf.n_iter_ == 4
    assert clf.interrupted_
    assert clf.predict_proba(X).shape == (len(X), 2)


def test_custom_functional_model_predicts_through_keras(binary_data):
    # a non-sequential network (a skip connection) has no numpy twin: Keras answers
    X, y = binary_data
    clf = small_classifier(model=skip_net, epochs=5).fit(X, y)
    keras_proba = clf.model_.predict(X, verbose=0).ravel()
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], keras_proba, atol=1e-6)
    assert clf.score(X, y) > 0.8
    np.testing.assert_allclose(expit(clf.decision_function(X)), clf.predict_proba(X)[:, 1],
                               atol=1e-9)


# ----------------------------- fixed learned state, threads, overflow, quiet start

@pytest.mark.parametrize("change", [{"activation": "tanh"}, {"hidden_layer_sizes": (4,)},
                                    {"batch_norm": True}, {"dropout": 0.5},
                                    {"input_scaling": None}, {"ensemble_size": 2}])
def test_fitted_architecture_survives_set_params(spam_data, tmp_path, change):
    # Everything learned, the architecture included, is fixed at fit.
    X, y = spam_data
    clf = small_classifier(epochs=3).fit(X, y)
    expected = clf.predict_proba(X)
    clf.set_params(**change)

    def dense_units():
        return [layer.units for layer in clf.model_.layers
                if isinstance(layer, keras.layers.Dense)]

    fitted_units = [16 * 4, 4, 1]  # 4 members (the default ensemble_size) of (16,)
    assert dense_units() == fitted_units
    keras_proba = clf.model_.predict(X.astype("float32"), verbose=0).ravel()
    np.testing.assert_allclose(keras_proba, expected[:, 1], atol=1e-6)
    import skbinary

    clf.save(tmp_path / "m.skb")
    np.testing.assert_array_equal(skbinary.load(tmp_path / "m.skb").predict_proba(X),
                                  expected)
    clf.partial_fit(X, y)  # keeps training the fitted network
    assert dense_units() == fitted_units


def _dropout_network(n_features_in):
    return keras.Sequential([
        keras.Input((n_features_in,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


def test_concurrent_seeded_custom_fits_equal_serial_ones(binary_data):
    # threads must neither mix their seeds nor change global state
    import threading

    X, y = binary_data
    n = 2
    barrier = threading.Barrier(n)

    def build(n_features_in):
        # without serialisation every thread has seeded the globals before any builds
        try:
            barrier.wait(timeout=0.5)
        except threading.BrokenBarrierError:
            pass
        return _dropout_network(n_features_in)

    def fit(seed):
        return small_classifier(model=build, epochs=2, random_state=seed).fit(X, y)

    serial = [fit(seed).predict_proba(X) for seed in range(n)]
    barrier.reset()
    random.seed(5)
    np.random.seed(5)
    before_py, before_np = random.getstate(), np.random.get_state()[1].copy()
    results = in_threads(lambda i: fit(i).predict_proba(X), n)
    for got, want in zip(results, serial):
        np.testing.assert_array_equal(got, want)
    assert random.getstate() == before_py
    np.testing.assert_array_equal(np.random.get_state()[1], before_np)


def test_overflow_is_refused_not_nan(fitted, spam_data, binary_data):
    # never return non-finite probabilities
    X, y = spam_data
    huge = np.full((3, X.shape[1]), 1.7e308)  # finite float64 values
    huge[1] *= -1
    huge[2, ::2] *= -1
    for method in ("predict_proba", "predict", "decision_function"):
        with pytest.raises(ValueError, match="overflow"):
            getattr(fitted, method)(huge)
    # the robust input scaling clips such values: a finite answer
    clipped = small_classifier(epochs=3, input_scaling="robust").fit(X, y)
    assert np.isfinite(clipped.predict_proba(huge)).all()
    Xb, yb = binary_data

    def functional(n_features_in):  # no numpy twin: predicted by Keras, in float32
        inp = keras.Input((n_features_in,))
        return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))

    custom = small_classifier(model=functional, epochs=1).fit(Xb, yb)
    big = Xb[:3].copy()
    big[0, 0] = 1e39  # finite in float64, infinite in the network's float32
    with pytest.raises(ValueError, match="float32"):
        custom.predict_proba(big)


@pytest.mark.parametrize("input_scaling", ["standard", "robust"])
def test_column_of_huge_spread_is_scaled_not_zeroed(binary_data, input_scaling):
    # a spread beyond ~1.8e19 has a variance beyond float32: it was cast to inf
    # (with a RuntimeWarning), and the column was silently divided into zeros
    X, y = binary_data
    X = X.copy()
    X[:, 0] *= 1e21
    clf = small_classifier(epochs=2, input_scaling=input_scaling)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        clf.fit(X, y)
    moved = X[:5].copy()
    moved[:, 0] += 2 * X[:, 0].std()
    assert not np.allclose(clf.predict_proba(moved), clf.predict_proba(X[:5]))


def test_column_of_tiny_spread_predicts_finite_probabilities():
    # found by the property test: a spread of 1e-34 squared is below the scaling
    # layer's epsilon, which divided by about zero (NaN logits at predict)
    X = np.array([[0.0, 0.0], [0.0, 2.04915389e-34]])
    clf = small_classifier(hidden_layer_sizes=(2,), epochs=1).fit(X, [0, 1])
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.parametrize("input_scaling", ["standard", "robust"])
def test_features_of_any_magnitude_train_as_at_scale_one(input_scaling):
    from sklearn.datasets import make_classification
    from sklearn.metrics import log_loss

    X, y = make_classification(n_samples=600, n_features=6, n_informative=4,
                               random_state=0)
    losses = {}
    for scale in (1.0, 1e25, 1e-25):
        X_train, X_test = X[:450] * scale, X[450:] * scale
        clf = small_classifier(hidden_layer_sizes=(8,), epochs=10,
                               input_scaling=input_scaling).fit(X_train, y[:450])
        proba = clf.predict_proba(X_test)[:, 1]
        losses[scale] = log_loss(y[450:], proba)
        keras_proba = clf.model_.predict(X_test.astype("float32"), verbose=0).ravel()
        np.testing.assert_allclose(proba, keras_proba, atol=1e-6)
    assert losses[1.0] < 0.3
    assert losses[1e25] == pytest.approx(losses[1.0], abs=0.01)
    assert losses[1e-25] == pytest.approx(losses[1.0], abs=0.01)


def test_features_below_float32s_range_count_as_constant(binary_data):
    # float32 holds 1e-40 only as a subnormal number, which Keras flushes to zero
    X, y = binary_data
    X = X.copy()
    X[:, 0] *= 1e-40
    clf = small_classifier(hidden_layer_sizes=(4,), epochs=3).fit(X, y)
    keras_proba = clf.model_.predict(X.astype("float32"), verbose=0).ravel()
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], keras_proba, atol=1e-6)


def test_early_stopping_score_undefined_on_validation_falls_back_to_loss(binary_data):
    # a validation split with one class weighted cannot give a ROC-AUC
    X, y = binary_data
    rng = np.random.RandomState(0)
    w = np.where(y == 1, (rng.rand(len(y)) < 0.05).astype(float), 1.0)
    clf = small_classifier(early_stopping=True, scoring="roc_auc", n_iter_no_change=3,
                           epochs=200, validation="holdout", validation_fraction=0.05,
                           tol=0.0)
    with pytest.warns(UserWarning, match="validation loss"):
        clf.fit(X, y, sample_weight=w)
    assert "val_roc_auc" not in clf.history_
    curve = np.array(clf.history_["val_loss"])
    assert clf.n_iter_ == curve.argmin() + 1 + 3


def test_partial_fit_gives_no_tensorflow_warning(binary_data, caplog, monkeypatch):
    # fresh partial_fit estimators do not set off TF's retracing warning
    import logging

    from tensorflow.python.eager.polymorphic_function import polymorphic_function as pf

    # TF warns at most twice per process: start its counts afresh for this test
    monkeypatch.setattr(pf, "_frequent_tracing_detector_manager",
                        pf._FrequentTracingDetectorManager())
    X, y = binary_data
    with caplog.at_level(logging.WARNING):
        for _ in range(7):
            small_classifier().partial_fit(X, y, classes=[0, 1])
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


@pytest.mark.slow  # a fresh process imports TF; test_cli's fit checks the same helper
def test_first_fit_prints_no_tensorflow_start_up_noise(tmp_path):
    # TF's CUDA/oneDNN start-up lines ignore TF_CPP_MIN_LOG_LEVEL
    import os
    import subprocess
    import sys

    code = ("import numpy as np; from skbinary import KerasBinaryClassifier as K; "
            "K(hidden_layer_sizes=(2,), epochs=1).fit(np.eye(4), [0, 1, 0, 1])")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = repo
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert "cuda" not in run.stderr.lower() and "oneDNN" not in run.stderr


def test_ensemble_members_are_independent_networks_averaged(binary_data, tmp_path):
    # ensemble_size=k trains k networks side by side; predict averages their logits
    X, y = binary_data
    k = 3
    clf = small_classifier(ensemble_size=k, hidden_layer_sizes=(6, 4), epochs=5).fit(X, y)
    dense = [layer for layer in clf.model_.layers if isinstance(layer, keras.layers.Dense)]
    W0, b0 = dense[0].get_weights()
    W1, b1 = dense[1].get_weights()
    W2, b2 = dense[2].get_weights()
    assert W0.shape == (8, 18) and W1.shape == (18, 12) and W2.shape == (12, 3)
    scaled = X.astype("float32")
    for layer in clf.model_.layers[:clf.model_.layers.index(dense[0])]:
        scaled = layer(scaled)  # the input scaling, as trained
    Z = np.asarray(scaled, dtype=np.float64)
    logits = []
    for j in range(k):  # member j alone: its blocks, nothing from the others
        h = np.maximum(Z @ W0[:, 6 * j:6 * j + 6] + b0[6 * j:6 * j + 6], 0)
        h = np.maximum(h @ W1[6 * j:6 * j + 6, 4 * j:4 * j + 4] + b1[4 * j:4 * j + 4], 0)
        logits.append(h @ W2[4 * j:4 * j + 4, j] + b2[j])
        # and the off-diagonal blocks stayed exactly zero through training
        others = np.delete(np.arange(12), np.arange(4 * j, 4 * j + 4))
        assert not W1[6 * j:6 * j + 6][:, others].any() and not W2[others, j].any()
    np.testing.assert_allclose(clf.decision_function(X), np.mean(logits, axis=0), atol=1e-5)
    assert len({round(float(np.std(m)), 6) for m in logits}) == k  # members differ
    clf.save(tmp_path / "ens.skb")
    from skbinary import load

    np.testing.assert_array_equal(load(tmp_path / "ens.skb").predict_proba(X),
                                  clf.predict_proba(X))


def test_tol_stops_when_improvements_are_too_small(binary_data):
    # The validation loss of separable data creeps down for ever; with tol the
    # creeping no longer counts as improving, as in MLPClassifier.
    X, y = binary_data
    X = X + 3 * (y[:, None] - 0.5)  # separable
    creeping = small_classifier(epochs=150, early_stopping=True, n_iter_no_change=5)
    stopped = clone(creeping).set_params(tol=1e-2)
    assert stopped.fit(X, y).n_iter_ < creeping.fit(X, y).n_iter_
