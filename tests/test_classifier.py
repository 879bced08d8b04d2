"""KerasBinaryClassifier on its own: outputs, labels, attributes, seeding, copies."""

import copy
import io
import pickle
import random

import joblib
import keras
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import clone, is_classifier
from sklearn.utils.validation import check_is_fitted

from conftest import skip_net, small_classifier
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
    assert list(fitted.history_) == ["loss"]
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
    X, _ = spam_data
    batch = fitted.predict_proba(X)
    for i in (0, 17, 299):
        # float64 all the way: a row alone and in a batch agree to ~1e-16
        np.testing.assert_allclose(fitted.predict_proba(X[i : i + 1])[0], batch[i],
                                   rtol=1e-12)


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


def test_verbose_prints_one_line_per_epoch(binary_data, capsys):
    X, y = binary_data
    small_classifier(epochs=3, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "loss:" in out
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
    with pytest.warns(UserWarning, match="interrupted after 4 epoch"):
        with pytest.raises(KeyboardInterrupt):  # the interrupt still stops the caller
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
