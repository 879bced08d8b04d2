"""Imbalance handled inside training: a threshold learned in fit,
a sampler redrawn every epoch, and the focal loss."""

import pickle

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import confusion_matrix, make_scorer, precision_score, recall_score
from sklearn.model_selection import GridSearchCV, TunedThresholdClassifierCV
from sklearn.utils import check_random_state

from skbinary import KerasBinaryClassifier, _engine, _fitdata, load
from skbinary.metrics import binary_report, choose_threshold


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=400, n_features=6, n_informative=4,
                               weights=[0.85], flip_y=0.02, random_state=0)
    return X, y


def small(**params):
    # the held-out split these tests inspect (cross-fitting: tests/test_cross_fit.py)
    params = {"hidden_layer_sizes": (8,), "epochs": 8, "random_state": 0,
              "validation": "holdout", **params}
    return KerasBinaryClassifier(**params)


def held_out(clf, y):
    """The rows fit holds out (its stratified split, seeded as fit seeds it)."""
    seed = check_random_state(clf.random_state).randint(np.iinfo(np.int32).max)
    return _fitdata.validation_split(np.unique(y, return_inverse=True)[1],
                                     clf.validation_fraction, seed)


# --------------------------------------------------------------------------- #
# threshold learned in fit
# --------------------------------------------------------------------------- #
def test_float_threshold_is_threshold_and_set_params_acts_at_once(data):
    X, y = data
    clf = small(threshold=0.3).fit(X, y)
    p = clf.predict_proba(X)[:, 1]
    assert clf.threshold_ == 0.3
    np.testing.assert_array_equal(clf.predict(X), (p >= 0.3).astype(int))
    clf.set_params(threshold=0.7)
    np.testing.assert_array_equal(clf.predict(X), (p >= 0.7).astype(int))


def test_f1_threshold_matches_tuned_threshold_classifier_on_held_out_rows(data):
    X, y = data
    # early stopping off: the objective still holds out validation_fraction
    clf = small(threshold="f1", early_stopping=False).fit(X, y)
    assert clf.n_iter_ == clf.epochs and "val_loss" in clf.history_
    _, val = held_out(clf, y)
    score = clf.predict_proba(X[val])[:, 1]
    tuned = TunedThresholdClassifierCV(
        FrozenEstimator(clf), scoring="f1", cv="prefit", refit=False,
        thresholds=np.unique(score),
    ).fit(X[val], y[val])
    chosen = choose_threshold(y[val], score).threshold
    assert chosen == tuned.best_threshold_
    # threshold_ lies between the chosen held-out score and the next lower one:
    # the held-out rows get the labels the tuned classifier gives them
    assert score[score < chosen].max() < clf.threshold_ < chosen
    np.testing.assert_array_equal(clf.predict(X[val]), tuned.predict(X[val]))
    np.testing.assert_array_equal(clf.predict(X), (clf.predict_proba(X)[:, 1]
                                                   >= clf.threshold_).astype(int))


def test_recall_target_agrees_with_tuned_threshold_on_the_early_stopping_split(data):
    X, y = data
    clf = small(threshold={"recall": 0.8}, early_stopping=True, validation_fraction=0.25,
                epochs=20).fit(X, y)
    _, val = held_out(clf, y)
    pred = clf.predict(X[val])
    assert recall_score(y[val], pred) >= 0.8

    def precision_at_recall(y_true, y_pred):
        r = recall_score(y_true, y_pred)
        return precision_score(y_true, y_pred, zero_division=0) if r >= 0.8 else r - 1

    score = clf.predict_proba(X[val])[:, 1]
    tuned = TunedThresholdClassifierCV(
        FrozenEstimator(clf), scoring=make_scorer(precision_at_recall), cv="prefit",
        refit=False, thresholds=np.unique(score),
    ).fit(X[val], y[val])
    tuned_pred = tuned.predict(X[val])
    assert precision_score(y[val], pred) == precision_score(y[val], tuned_pred)
    assert recall_score(y[val], pred) == recall_score(y[val], tuned_pred)


def test_precision_target_with_string_labels_and_the_report(data):
    X, y = data
    labels = np.where(y == 1, "spam", "ham")
    clf = small(threshold={"precision": 0.7}, validation_fraction=0.3, epochs=30,
                learning_rate=0.01).fit(X, labels)
    _, val = held_out(clf, labels)
    assert precision_score(labels[val], clf.predict(X[val]), pos_label="spam") >= 0.7
    # binary_report at threshold_ describes exactly what predict does
    report = binary_report(labels, clf.predict_proba(X)[:, 1], threshold=clf.threshold_)
    np.testing.assert_array_equal(report.confusion_matrix,
                                  confusion_matrix(labels, clf.predict(X)))


@pytest.mark.parametrize("bad", ["f2", {"recall": 1.5}, {"recall": 0.9, "precision": 0.9},
                                 {"accuracy": 0.9}, True, 1.0, None])
def test_invalid_threshold_names_the_parameter(data, bad):
    X, y = data
    with pytest.raises((ValueError, TypeError), match="threshold"):
        small(threshold=bad).fit(X, y)


def test_objective_changed_after_fit_asks_for_a_refit(data):
    X, y = data
    clf = small(threshold="f1").fit(X, y)
    clf.set_params(threshold={"recall": 0.9})
    with pytest.raises(ValueError, match="call fit again"):
        clf.predict(X)


def test_threshold_objective_is_grid_searchable_and_saved(data, tmp_path):
    X, y = data
    grid = GridSearchCV(small(epochs=3), {"threshold": ["f1", {"recall": 0.9}, 0.5]},
                        scoring="recall", cv=2).fit(X, y)
    assert grid.best_params_["threshold"] == {"recall": 0.9}
    clf = grid.best_estimator_
    path = tmp_path / "m.skb"
    loaded = load(clf.save(path) and path)
    assert loaded.threshold == {"recall": 0.9} and loaded.threshold_ == clf.threshold_
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_partial_fit_refuses_what_needs_a_whole_fit(data):
    X, y = data
    for params in ({"threshold": "f1"}, {"sampler": RandomUnderSampler()}):
        with pytest.raises(ValueError, match="partial_fit"):
            small(**params).partial_fit(X, y, classes=[0, 1])


# --------------------------------------------------------------------------- #
# sampler applied afresh every epoch
# --------------------------------------------------------------------------- #
class RecordingUnderSampler(RandomUnderSampler):
    """RandomUnderSampler that records what it saw and what it kept."""

    calls = []

    def fit_resample(self, X, y):
        out = super().fit_resample(X, y)
        RecordingUnderSampler.calls.append((X.copy(), self.sample_indices_.copy()))
        return out


def test_under_sampler_redraws_the_majority_every_epoch_on_training_rows_only(data):
    X, y = data
    RecordingUnderSampler.calls = []
    clf = small(sampler=RecordingUnderSampler(), early_stopping=True, epochs=6,
                n_iter_no_change=100).fit(X, y)
    train, val = held_out(clf, y)
    n_minority = int(np.sum(y[train] == 1))
    assert clf.history_["n_rows"] == [2 * n_minority] * clf.n_iter_
    calls = RecordingUnderSampler.calls
    assert len(calls) == clf.n_iter_
    seen, _ = calls[0]
    np.testing.assert_array_equal(seen, X[train])  # the original features, no val row
    kept = [set(idx.tolist()) for _, idx in calls]
    assert kept[0] != kept[1]
    assert len(set().union(*kept)) > 2 * len(kept[0])  # more of the majority over epochs


def test_sampler_fit_is_reproducible_and_pickles(data):
    X, y = data
    a = small(sampler=RandomUnderSampler()).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))
    assert "n_rows" not in small().fit(X, y).history_


def test_sample_weights_follow_the_resampled_rows(data, monkeypatch):
    X, y = data
    weights = np.linspace(1, 3, len(y))
    seen = {}
    train = _engine.train

    def spy(trainer, X32, y32, w32, **kw):
        seen["train"] = (X32, w32)
        seen["epochs"] = [kw["epoch_data"](e) for e in (0, 1)]
        return train(trainer, X32, y32, w32, **kw)

    monkeypatch.setattr(_engine, "train", spy)
    small(sampler=RandomOverSampler(), early_stopping=False, epochs=2).fit(
        X, y, sample_weight=weights)
    X32, w32 = seen["train"]
    for Xe, ye, we in seen["epochs"]:
        # each epoch row carries the weight of the training row it repeats
        rows = {x.tobytes(): w for x, w in zip(X32, w32)}
        expected = np.array([rows[x.tobytes()] for x in Xe])
        np.testing.assert_allclose(we, expected * len(we) / expected.sum(), rtol=1e-5)
        assert ye.mean() == 0.5

    seen.clear()
    small(sampler=SMOTE(random_state=0), early_stopping=False, epochs=2).fit(
        X, y, sample_weight=weights)
    X32, w32 = seen["train"]
    Xe, ye, we = seen["epochs"][1]
    n = len(w32)
    # originals keep their weights; SMOTE's new positives weigh the positives' mean
    scale = len(we) / (w32.sum() + (len(we) - n) * w32[y == 1].mean())
    np.testing.assert_allclose(we[:n], w32 * scale, rtol=1e-4)
    np.testing.assert_allclose(we[n:], w32[y == 1].mean() * scale, rtol=1e-4)


def test_failing_sampler_names_itself_and_the_class_counts():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    y = np.r_[np.ones(4, int), np.zeros(56, int)]
    with pytest.raises(ValueError, match=r"SMOTE.*class counts \{0: 56, 1: 4\}"):
        small(sampler=SMOTE(k_neighbors=5), early_stopping=False).fit(X, y)


@pytest.mark.parametrize("bad", ["under", RandomUnderSampler, object()])
def test_invalid_sampler_is_a_type_error_naming_it(data, bad):
    X, y = data
    with pytest.raises(TypeError, match="sampler"):
        small(sampler=bad).fit(X, y)


def test_sampler_in_grid_search_and_save_drops_it(data, tmp_path):
    X, y = data
    grid = GridSearchCV(small(sampler=RandomUnderSampler(), epochs=3),
                        {"sampler__sampling_strategy": [0.5, 1.0]}, cv=2,
                        scoring="average_precision").fit(X, y)
    clf = grid.best_estimator_
    assert isinstance(clf.sampler, RandomUnderSampler)
    path = tmp_path / "m.skb"
    clf.save(path)
    loaded = load(path)
    assert loaded.sampler is None and loaded.history_["n_rows"] == clf.history_["n_rows"]
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# --------------------------------------------------------------------------- #
# focal loss
# --------------------------------------------------------------------------- #
def test_focal_without_focusing_or_balance_is_cross_entropy(data):
    X, y = data
    bce = small().fit(X, y)
    focal0 = small(loss="focal", focal_gamma=0.0).fit(X, y)
    np.testing.assert_allclose(focal0.predict_proba(X), bce.predict_proba(X), atol=1e-5)
    # gamma=2 is another compiled trainer (not the pooled cross-entropy one)
    focal = small(loss="focal").fit(X, y)
    assert not np.allclose(focal.predict_proba(X), bce.predict_proba(X), atol=1e-3)
    assert focal.history_["loss"][-1] < bce.history_["loss"][-1]


def test_focal_alpha_balances_classes_and_custom_models_use_the_loss(data):
    import keras

    X, y = data
    low = small(loss="focal", focal_alpha=0.1, epochs=20, learning_rate=0.01).fit(X, y)
    high = small(loss="focal", focal_alpha=0.9, epochs=20, learning_rate=0.01).fit(X, y)
    # more weight on the rare positives: more rows predicted positive
    assert high.predict(X).sum() > low.predict(X).sum()

    seen = {}

    def build(n_features_in, compile_kwargs):
        seen["loss"] = compile_kwargs["loss"]
        return keras.Sequential([keras.Input((n_features_in,)),
                                 keras.layers.Dense(1, activation="sigmoid")])

    custom = small(model=build, loss="focal", focal_gamma=0.0).fit(X, y)
    assert isinstance(seen["loss"], keras.losses.BinaryFocalCrossentropy)
    bce = small(model=build).fit(X, y)
    assert seen["loss"] == "binary_crossentropy"
    np.testing.assert_allclose(custom.predict_proba(X), bce.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("params, name", [({"loss": "hinge"}, "loss"),
                                          ({"focal_gamma": -1.0}, "focal_gamma"),
                                          ({"focal_alpha": 1.5}, "focal_alpha")])
def test_invalid_loss_parameters_are_named(data, params, name):
    X, y = data
    with pytest.raises(ValueError, match=name):
        small(**params).fit(X, y)
