"""Migrating from scikeras: its build functions and its fitted models."""

import warnings

import keras
import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.model_selection import cross_val_score

from conftest import small_classifier
from skbinary import KerasBinaryClassifier

scikeras_wrappers = pytest.importorskip("scikeras.wrappers")


def get_model(meta, hidden=16):
    """A scikeras-style build function: meta from the wrapper, hyperparameters routed."""
    return keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


@pytest.fixture(scope="module")
def scikeras_fitted(spam_data):
    X, y = spam_data
    clf = scikeras_wrappers.KerasClassifier(
        model=get_model, model__hidden=12, loss="binary_crossentropy",
        optimizer="adam", epochs=10, batch_size=32, random_state=0, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    return clf


def test_scikeras_is_not_a_classifier_to_sklearn_but_the_adopted_one_is(scikeras_fitted):
    # the bug we fix: sklearn >= 1.6 does not see scikeras' wrapper as a classifier
    adopted = KerasBinaryClassifier.from_scikeras(scikeras_fitted)
    assert is_classifier(adopted)
    assert not is_classifier(scikeras_fitted)


def test_adopted_model_predicts_what_scikeras_predicts(scikeras_fitted, spam_data):
    X, y = spam_data
    adopted = KerasBinaryClassifier.from_scikeras(scikeras_fitted)
    np.testing.assert_array_equal(adopted.classes_, scikeras_fitted.classes_)
    np.testing.assert_allclose(adopted.predict_proba(X), scikeras_fitted.predict_proba(X),
                               atol=1e-6)
    np.testing.assert_array_equal(adopted.predict(X), scikeras_fitted.predict(X))
    assert adopted.model_ is scikeras_fitted.model_
    assert adopted.n_iter_ == 10 and len(adopted.history_["loss"]) == 10


def test_adopted_model_can_be_refitted_and_cross_validated(scikeras_fitted, spam_data):
    X, y = spam_data
    adopted = KerasBinaryClassifier.from_scikeras(scikeras_fitted)
    assert adopted.model.keywords == {"hidden": 12}  # the routed hyperparameter is kept
    scores = cross_val_score(adopted, X, y, cv=3, scoring="roc_auc")
    # finite ROC-AUC (scikeras itself gives NaN here); 10 epochs at lr 1e-3 learn a bit
    assert np.all(np.isfinite(scores)) and scores.mean() > 0.7
    adopted.fit(X, y)
    assert adopted.model_.layers[0].units == 12


def test_scikeras_build_function_works_as_model(spam_data):
    # the one-line switch: same build function, skbinary's estimator
    X, y = spam_data
    clf = small_classifier(model=get_model, epochs=20).fit(X, y)
    assert clf.model_.layers[0].units == 16
    assert clf.score(X, y) > 0.85


def test_build_function_with_compile_kwargs(binary_data):
    X, y = binary_data
    seen = {}

    def build(meta, compile_kwargs):
        seen.update(compile_kwargs)
        model = get_model(meta)
        model.compile(**compile_kwargs)
        return model

    small_classifier(model=build, epochs=2, optimizer="rmsprop").fit(X, y)
    assert seen["loss"] == "binary_crossentropy"
    assert isinstance(seen["optimizer"], keras.optimizers.RMSprop)


def test_softmax_scikeras_model_is_refused(binary_data):
    X, y = binary_data

    def softmax_model(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(2, activation="softmax")])

    clf = scikeras_wrappers.KerasClassifier(model=softmax_model,
                                            loss="sparse_categorical_crossentropy",
                                            epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    with pytest.raises(ValueError, match="one sigmoid unit"):
        KerasBinaryClassifier.from_scikeras(clf)


def test_unfitted_scikeras_is_refused():
    with pytest.raises(ValueError, match="fitted"):
        KerasBinaryClassifier.from_scikeras(scikeras_wrappers.KerasClassifier(model=get_model))


def test_adopted_model_instance_refits_the_same_architecture(binary_data):
    X, y = binary_data
    instance = get_model({"n_features_in_": X.shape[1]}, hidden=5)
    clf = scikeras_wrappers.KerasClassifier(model=instance, loss="binary_crossentropy",
                                            optimizer="rmsprop", optimizer__learning_rate=0.01,
                                            class_weight="balanced", epochs=2, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    adopted = KerasBinaryClassifier.from_scikeras(clf)
    # as docs/user_guide/scikeras.rst says
    assert adopted.optimizer == "rmsprop" and adopted.learning_rate == 0.01
    assert adopted.class_weight == "balanced"
    assert type(adopted.model).__name__ == "KerasArchitecture"
    adopted.fit(X, y)
    assert [layer.units for layer in adopted.model_.layers] == [5, 1]
