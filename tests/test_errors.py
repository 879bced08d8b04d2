"""Bad input is refused with a clear error in scikit-learn's words."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from conftest import small_classifier
from skbinary import KerasBinaryClassifier

X_OK = np.random.RandomState(0).normal(size=(40, 3))
Y_OK = np.array([0, 1] * 20)


def _with(row, col, value):
    X = X_OK.copy()
    X[row, col] = value
    return X


BAD_FIT_INPUTS = [
    ("nan in X", _with(3, 1, np.nan), Y_OK, None, ValueError, "NaN"),
    ("inf in X", _with(3, 1, np.inf), Y_OK, None, ValueError, "infinity"),
    ("beyond float32", _with(3, 1, 1e39), Y_OK, None, ValueError, "float32"),
    ("empty X", np.empty((0, 3)), np.array([]), None, ValueError, "0 sample"),
    ("1-D X", X_OK[:, 0], Y_OK, None, ValueError, "Expected 2D array"),
    ("3-D X", X_OK.reshape(40, 3, 1), Y_OK, None, ValueError, "dim 3"),
    ("string columns", np.array([["a", "b", "c"]] * 40), Y_OK, None, ValueError,
     "could not convert|numeric"),
    ("X/y lengths differ", X_OK, Y_OK[:-1], None, ValueError, "inconsistent numbers"),
    ("multiclass y", X_OK, np.arange(40) % 3, None, ValueError,
     "Only binary classification is supported"),
    ("one class", X_OK, np.ones(40), None, ValueError, "one class"),
    ("continuous y", X_OK, np.linspace(0, 1, 40), None, ValueError, "Unknown label type"),
    ("nan in y", X_OK, np.where(np.arange(40) == 5, np.nan, Y_OK), None, ValueError, "NaN"),
    ("negative weight", X_OK, Y_OK, -np.ones(40), ValueError, "Negative values"),
    ("all-zero weights", X_OK, Y_OK, np.zeros(40), ValueError, "sums to zero"),
    ("zero weight on a class", X_OK, Y_OK, (Y_OK == 1).astype(float), ValueError,
     "Only one class"),
    ("weights of wrong length", X_OK, Y_OK, np.ones(39), ValueError, "sample_weight"),
    ("negative scalar weight", X_OK, Y_OK, -1.0, ValueError, "Negative values"),
    ("zero scalar weight", X_OK, Y_OK, 0.0, ValueError, "sums to zero"),
    ("nan scalar weight", X_OK, Y_OK, float("nan"), ValueError, "NaN"),
]


@pytest.mark.parametrize("name, X, y, w, error, match", BAD_FIT_INPUTS,
                         ids=[case[0] for case in BAD_FIT_INPUTS])
def test_bad_fit_input_is_refused(name, X, y, w, error, match):
    with pytest.raises(error, match=match):
        small_classifier(epochs=1).fit(X, y, sample_weight=w)


@pytest.mark.parametrize("name, X, y, w, error, match", [
    case for case in BAD_FIT_INPUTS if "weight" in case[0] and "class" not in case[0]],
    ids=[case[0] for case in BAD_FIT_INPUTS if "weight" in case[0]
         and "class" not in case[0]])
def test_partial_fit_refuses_bad_weights_as_fit_does(name, X, y, w, error, match):
    with pytest.raises(error, match=match):
        small_classifier().partial_fit(X, y, classes=[0, 1], sample_weight=w)


BAD_PARAMS = [
    ("hidden_layer_sizes", (8, 0)),
    ("hidden_layer_sizes", "big"),
    ("activation", "sigmoidal"),
    ("dropout", 1.0),
    ("dropout", -0.1),
    ("l2", -1.0),
    ("batch_norm", "yes"),
    ("optimizer", "lbfgs"),
    ("learning_rate", 0.0),
    ("batch_size", 0),
    ("epochs", 0),
    ("epochs", 2.5),
    ("validation_fraction", 1.0),
    ("n_iter_no_change", 0),
    ("scoring", "f1"),
    ("class_weight", "auto"),
    ("threshold", 1.0),
    ("model", "my_model"),
    ("verbose", -1),
    ("random_state", -1),
    ("random_state", "seed"),
    ("ensemble_size", np.int64(0)),
    ("batch_norm", np.int64(1)),
]


@pytest.mark.parametrize("param, value", BAD_PARAMS)
def test_bad_parameter_names_itself(param, value):
    with pytest.raises((ValueError, TypeError), match=param):
        small_classifier(**{param: value}).fit(X_OK, Y_OK)


def test_class_weight_that_zeroes_a_class_names_itself():
    with pytest.raises(ValueError, match=r"class_weight=\{0: 0.0\}.*only class 1\b"):
        small_classifier(epochs=1, class_weight={0: 0.0}).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match=r"Every sample weight \(times class_weight="):
        small_classifier(epochs=1, class_weight={0: 0.0, 1: 0.0}).fit(X_OK, Y_OK)


def test_class_weight_with_unknown_label():
    with pytest.raises(ValueError, match="not in class_weight|classes"):
        small_classifier(class_weight={"spam": 2.0}).fit(X_OK, Y_OK)


def test_predict_before_fit():
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(NotFittedError):
            getattr(KerasBinaryClassifier(), method)(X_OK)


@pytest.fixture(scope="module")
def fitted():
    return small_classifier(epochs=2).fit(X_OK, Y_OK)


def test_wrong_feature_count_at_predict(fitted):
    with pytest.raises(ValueError, match="X has 4 features, but KerasBinaryClassifier "
                                         "is expecting 3 features"):
        fitted.predict(np.ones((2, 4)))


def test_wrong_feature_names_at_predict():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X_OK, columns=["a", "b", "c"])
    clf = small_classifier(epochs=2).fit(df, Y_OK)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df.rename(columns={"c": "z"}))


def test_nan_at_predict(fitted):
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict_proba(_with(0, 0, np.nan))


def test_sparse_with_nan():
    import scipy.sparse as sp

    with pytest.raises(ValueError, match="NaN"):
        small_classifier(epochs=1).fit(sp.csr_matrix(_with(2, 2, np.nan)), Y_OK)


def test_early_stopping_without_enough_rows_explains():
    X, y = X_OK[:6], np.array([0, 0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="validation_fraction"):
        small_classifier(early_stopping=True).fit(X, y)


def test_default_early_stopping_steps_aside_for_a_single_rare_row():
    # LogisticRegression fits 1 positive in 120 rows; the default must too,
    # without the validation split it cannot make (explicit True still refuses).
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(120, 3)), np.r_[np.zeros(119, int), 1]
    with pytest.warns(UserWarning, match="trains without early stopping"):
        clf = KerasBinaryClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3
    with pytest.raises(ValueError, match="validation_fraction"):
        clf.set_params(early_stopping=True).fit(X, y)


def test_failed_refit_keeps_the_fitted_model(fitted):
    before = fitted.predict_proba(X_OK)
    with pytest.raises(ValueError):
        fitted.fit(np.ones((40, 5)), np.arange(40) % 3)  # new width and multiclass
    assert fitted.n_features_in_ == 3
    np.testing.assert_array_equal(fitted.predict_proba(X_OK), before)


def test_failed_refit_in_training_keeps_the_fitted_model(fitted):
    # the failure comes late (the early-stopping split), after X was validated
    before = fitted.predict_proba(X_OK)
    X_new, y_new = np.ones((6, 5)), np.array([0, 0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="validation_fraction"):
        fitted.set_params(early_stopping=True).fit(X_new, y_new)
    fitted.set_params(early_stopping=False)
    assert fitted.n_features_in_ == 3
    np.testing.assert_array_equal(fitted.predict_proba(X_OK), before)


# -------------------------------------------- parameters checked at fit and predict

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("param, value", [
    ("threshold", NAN), ("dropout", NAN), ("l2", NAN), ("l2", INF),
    ("learning_rate", NAN), ("learning_rate", INF), ("validation_fraction", NAN),
    ("class_weight", {0: NAN}), ("class_weight", {1: -2.0}),
])
def test_non_finite_parameters_name_themselves(param, value):
    # every numeric parameter is checked finite and in range
    with pytest.raises(ValueError, match=param):
        small_classifier(epochs=1, **{param: value}).fit(X_OK, Y_OK)


@pytest.mark.parametrize("value, error", [(None, TypeError), ("0.5", ValueError),
                                          (-3, ValueError), (NAN, ValueError)])
def test_threshold_set_after_fit_is_checked_at_predict(fitted, value, error):
    # predict-time parameters are validated at predict time
    fitted.set_params(threshold=value)
    try:
        with pytest.raises(error, match="threshold"):
            fitted.predict(X_OK)
    finally:
        fitted.set_params(threshold=0.5)


def test_model_instance_or_class_says_what_to_pass():
    # the scikeras habit of passing a model, or the class itself
    import keras

    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(TypeError, match="lambda"):
        small_classifier(model=net).fit(X_OK, Y_OK)
    with pytest.raises(TypeError, match="class"):
        small_classifier(model=keras.Sequential).fit(X_OK, Y_OK)


def test_linear_output_names_the_missing_sigmoid():
    import keras

    def linear(n_features_in):
        return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1)])

    with pytest.raises(ValueError, match="activation='sigmoid'"):
        small_classifier(model=linear).fit(X_OK, Y_OK)
