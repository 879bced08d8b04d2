"""ONNX export: ONNX Runtime gives what predict_proba and predict give."""

import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from conftest import skip_net, small_classifier

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

import keras  # noqa: E402

import skbinary  # noqa: E402
from skbinary import KerasBinaryClassifier, to_onnx  # noqa: E402
from skbinary._network import NUMPY_ACTIVATIONS, forward_logit  # noqa: E402

ATOL = 1e-5


def _run(onx, X):
    """Run an exported model; ``X`` an array (input "X") or a DataFrame (one input a column)."""
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    if hasattr(X, "columns"):
        feeds = {c: X[[c]].to_numpy() for c in X.columns}
    else:
        feeds = {"X": X}
    return sess.run(None, feeds)


def _assert_same(onx, est, X, X_sk=None):
    label, proba = _run(onx, X)
    X_sk = X if X_sk is None else X_sk
    np.testing.assert_allclose(proba, est.predict_proba(X_sk), atol=ATOL, rtol=0)
    np.testing.assert_array_equal(label, est.predict(X_sk))
    return label, proba


@pytest.fixture(scope="module")
def data32(binary_data):
    X, y = binary_data
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def fitted(binary_data):
    X, y = binary_data
    return small_classifier(hidden_layer_sizes=(4,), epochs=2).fit(X, y)


def test_import_skbinary_does_not_import_skl2onnx():
    code = "import sys, skbinary; print('skl2onnx' in sys.modules or 'onnx' in sys.modules)"
    root = Path(__file__).resolve().parents[1]  # this checkout's skbinary comes first
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root)
    assert out.stdout.strip() == "False"


def test_skl2onnx_to_onnx_converts_a_pipeline_like_logistic_regression(data32):
    # skl2onnx's own to_onnx, with its default zipmap outputs
    X, y = data32
    pipe = make_pipeline(StandardScaler(), small_classifier(epochs=5)).fit(X, y)
    skbinary.register_onnx_converter()
    onx = skl2onnx.to_onnx(pipe, X[:1])
    assert [o.name for o in onx.graph.output] == ["output_label", "output_probability"]
    label, proba_maps = _run(onx, X)
    np.testing.assert_array_equal(label, pipe.predict(X))
    proba = np.array([[row[c] for c in pipe.classes_] for row in proba_maps])
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=ATOL, rtol=0)


def test_zipmap_options(fitted, binary_data):
    X, _ = binary_data
    onx = to_onnx(fitted, X[:1], zipmap="columns")
    label, p0, p1 = _run(onx, X)
    np.testing.assert_array_equal(label, fitted.predict(X))
    np.testing.assert_allclose(np.column_stack([p0, p1]), fitted.predict_proba(X),
                               atol=ATOL, rtol=0)
    # ONNX's ZipMap has no float64 version: a clear error, not an unloadable file
    with pytest.raises(ValueError, match="zipmap=True needs a float32 graph"):
        to_onnx(fitted, X[:1], zipmap=True)
    label, maps = _run(to_onnx(fitted, X[:1].astype(np.float32), zipmap=True),
                       X.astype(np.float32))
    assert maps[0].keys() == set(fitted.classes_.tolist())


@pytest.mark.parametrize("activation", sorted(NUMPY_ACTIVATIONS))
def test_every_activation_float32_and_float64(binary_data, activation):
    X, y = binary_data
    clf = small_classifier(hidden_layer_sizes=(8, 4), activation=activation,
                           epochs=3).fit(X, y)
    for dtype in (np.float32, np.float64):
        Xd = X.astype(dtype)
        onx = clf.to_onnx(Xd[:1])
        assert [o.name for o in onx.graph.output] == ["label", "probabilities"]
        _, proba = _assert_same(onx, clf, Xd)
        assert proba.dtype == dtype


def test_batch_norm_and_dropout(binary_data):
    X, y = binary_data
    clf = small_classifier(hidden_layer_sizes=(8, 8), batch_norm=True, dropout=0.3,
                           epochs=5).fit(X, y)
    # batch norm is learned, so folding it into the dense layers is exercised
    assert not np.allclose(clf.model_.get_layer("batch_norm_0").moving_mean, 0)
    _assert_same(to_onnx(clf, X[:1].astype(np.float32)), clf, X.astype(np.float32))
    _assert_same(to_onnx(clf, X[:1]), clf, X)


def test_user_built_plain_sequential_exports(binary_data):
    X, y = binary_data

    def build(n_features_in):
        return keras.Sequential([
            keras.Input((n_features_in,)),
            keras.layers.Dense(8),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("swish"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1),
            keras.layers.Activation("sigmoid"),
        ])

    clf = small_classifier(model=build, epochs=3).fit(X, y)
    _assert_same(to_onnx(clf, X[:1]), clf, X)


def test_other_custom_models_are_refused_clearly(binary_data):
    X, y = binary_data
    pipe = make_pipeline(StandardScaler(), small_classifier(model=skip_net, epochs=1))
    pipe.fit(X, y)
    with pytest.raises(ValueError, match="Cannot export this KerasBinaryClassifier to ONNX"):
        to_onnx(pipe, X[:1])


def test_unfitted_estimator_is_refused(binary_data):
    X, _ = binary_data
    with pytest.raises(NotFittedError):
        KerasBinaryClassifier().to_onnx(X[:1])


def test_string_labels_and_threshold_in_a_pipeline(spam_data):
    X, y = spam_data
    pipe = make_pipeline(StandardScaler(), small_classifier(epochs=5)).fit(X, y)
    p = pipe.predict_proba(X)[:, 1]
    threshold = float(np.quantile(p, 0.7))  # far from 0.5: labels change
    pipe.set_params(kerasbinaryclassifier__threshold=threshold)
    assert (pipe.predict(X) != np.where(p >= 0.5, "spam", "ham")).sum() > 10
    for dtype in (np.float32, np.float64):
        label, _ = _assert_same(to_onnx(pipe, X[:1].astype(dtype)), pipe, X.astype(dtype))
        assert set(label) == {"ham", "spam"}


@pytest.mark.parametrize("objective", ["f1", {"recall": 0.8}, {"precision": 0.9}])
def test_learned_threshold_is_the_graph_threshold(binary_data, objective):
    X, y = binary_data
    clf = small_classifier(epochs=5, threshold=objective).fit(X, y)
    assert clf.threshold_ != 0.5
    label, _ = _assert_same(clf.to_onnx(X[:1]), clf, X)
    p = clf.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(label, (p >= clf.threshold_).astype(int))


@pytest.mark.parametrize("labels", [
    pytest.param(lambda y: y.astype(bool), id="bool"),
    pytest.param(lambda y: np.where(y == 1, 7, -3), id="int"),
    pytest.param(lambda y: y.astype(float), id="float"),
    pytest.param(lambda y: np.where(y == 1, "yes", "no").astype(object), id="object"),
])
def test_label_types(binary_data, labels):
    X, y = binary_data
    clf = small_classifier(hidden_layer_sizes=(4,), epochs=2).fit(X, labels(y))
    label, _ = _assert_same(to_onnx(clf, X[:1]), clf, X)
    assert set(label.tolist()) == set(clf.classes_.tolist())


def test_column_transformer_with_pandas_input():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 300
    df = pd.DataFrame({
        "age": rng.normal(40, 10, n),
        "income": rng.lognormal(10, 1, n),
        "city": rng.choice(["paris", "lyon", "nice"], n),
        "plan": rng.choice(["basic", "pro"], n),
    })
    y = np.where((df["age"] > 40) ^ (df["city"] == "lyon"), "churn", "stay")
    pre = ColumnTransformer([
        ("num", StandardScaler(), ["age", "income"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
    ])
    pipe = make_pipeline(pre, small_classifier(hidden_layer_sizes=(8,), epochs=5))
    pipe.fit(df, y)
    onx = to_onnx(pipe, df[:1])
    assert [i.name for i in onx.graph.input] == ["age", "income", "city", "plan"]
    _assert_same(onx, pipe, df)
    # float32 numeric columns give a float32 graph, as skl2onnx does
    df32 = df.astype({"age": np.float32, "income": np.float32})
    _assert_same(to_onnx(pipe, df32[:1]), pipe, df32)


def test_estimator_alone_on_a_dataframe(binary_data):
    # skl2onnx gives the estimator one input per column; they are concatenated
    pd = pytest.importorskip("pandas")
    X, y = binary_data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = small_classifier(hidden_layer_sizes=(4,), epochs=2).fit(df, y)
    onx = to_onnx(clf, df[:1])
    assert len(onx.graph.input) == X.shape[1]
    _assert_same(onx, clf, df)


def test_one_row_and_100k_rows(binary_data):
    X, y = binary_data
    clf = small_classifier(epochs=3).fit(X, y)
    onx = to_onnx(clf, X[:1].astype(np.float32))
    big = np.random.RandomState(0).normal(size=(100_000, X.shape[1])).astype(np.float32)
    for rows in (big[:1], big):
        _, proba = _assert_same(onx, clf, rows)
        assert proba.shape == (len(rows), 2)


def test_default_network_file_is_small(binary_data):
    X, y = binary_data
    X = np.tile(X, 4)  # 32 features, as the benchmarks
    clf = KerasBinaryClassifier(epochs=1, random_state=0).fit(X, y)
    assert clf.hidden_layer_sizes == (64, 32) and clf.ensemble_size == 4
    # the float32 graph (skl2onnx's usual input type); the ensemble's
    # block-diagonal layers are stored as their blocks, without the zeros
    assert len(to_onnx(clf, X[:1].astype(np.float32)).SerializeToString()) < 100_000
    # a float64 graph stores every weight in 8 bytes: about twice as large
    assert len(to_onnx(clf, X[:1]).SerializeToString()) < 200_000


# ---------------------------------------------------- plans built by hand


def _with_plan(clf, plan):
    # a copy whose forward plan is replaced: the converter emits whatever it holds
    twin = KerasBinaryClassifier(**clf.get_params())
    twin.__dict__.update({k: v for k, v in clf.__dict__.items() if k.endswith("_")})
    twin._fitted = copy.copy(clf._fitted)
    twin._fitted.network = copy.copy(clf._fitted.network)
    twin._fitted.network.forward = plan
    return twin


def test_diag_input_scaling_step(binary_data, fitted):
    X, _ = binary_data
    rng = np.random.RandomState(1)
    scale, offset = rng.uniform(0.5, 2, X.shape[1]), rng.normal(size=X.shape[1])
    plan = [("diag", scale, offset), ("act", "tanh")] + list(fitted._fitted.network.forward)
    clf = _with_plan(fitted, plan)
    expected = expit(forward_logit(fitted._fitted.network.forward, np.tanh(X * scale + offset)))
    for dtype in (np.float32, np.float64):
        _, proba = _run(to_onnx(clf, X[:1].astype(dtype)), X.astype(dtype))
        np.testing.assert_allclose(proba[:, 1], expected, atol=ATOL, rtol=0)
    assert not np.allclose(expected, fitted.predict_proba(X)[:, 1], atol=1e-2)


@pytest.mark.parametrize("step, message", [
    (("conv", np.ones(3)), "step of kind 'conv'"),
    (("act", "softplus"), "activation 'softplus'"),
])
def test_unknown_steps_are_named(binary_data, fitted, step, message):
    X, _ = binary_data
    clf = _with_plan(fitted, list(fitted._fitted.network.forward) + [step])
    with pytest.raises(ValueError, match=message):
        to_onnx(clf, X[:1])
