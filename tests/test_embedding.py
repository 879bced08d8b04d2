"""numeric_embedding="piecewise": each feature enters as its piecewise-linear encoding."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import skbinary
from conftest import small_classifier


@pytest.fixture(scope="module")
def steps():
    """A step-like effect: positive above a threshold of a feature, at any scale."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 4)) * [1.0, 1e6, 1.0, 1.0] + [0.0, 3e6, 0.0, 0.0]
    y = ((X[:, 1] > 3.5e6) ^ (X[:, 0] > 1.0)).astype(int)
    return X, y


@pytest.fixture(scope="module")
def embedded(steps):
    X, y = steps
    return small_classifier(numeric_embedding="piecewise", ensemble_size=2,
                            epochs=40).fit(X[:400], y[:400])


def test_encoding_learns_a_step_a_plain_network_finds_hard(steps, embedded):
    X, y = steps
    plain = small_classifier(ensemble_size=2, epochs=40).fit(X[:400], y[:400])
    auc = roc_auc_score(y[400:], embedded.predict_proba(X[400:])[:, 1])
    assert auc > 0.97
    assert auc > roc_auc_score(y[400:], plain.predict_proba(X[400:])[:, 1])


def test_numpy_prediction_is_the_keras_network(steps, embedded):
    X, _ = steps
    keras_p = np.asarray(embedded.model_(X.astype(np.float32))).ravel()
    np.testing.assert_allclose(embedded.predict_proba(X)[:, 1], keras_p, atol=1e-5)


def test_a_row_alone_predicts_as_in_a_batch(steps, embedded):
    X, _ = steps
    batch = embedded.predict_proba(X)
    alone = np.array([embedded.predict_proba(X[i : i + 1])[0] for i in range(len(X))])
    np.testing.assert_allclose(alone, batch, rtol=0, atol=1e-15)  # as without encoding


def test_saved_file_predicts_the_same(steps, embedded, tmp_path):
    X, _ = steps
    embedded.save(tmp_path / "m.skb")
    loaded = skbinary.load(tmp_path / "m.skb")
    assert loaded.numeric_embedding == "piecewise"
    np.testing.assert_array_equal(loaded.predict_proba(X), embedded.predict_proba(X))


def test_onnx_graph_predicts_the_same(steps, embedded):
    ort = pytest.importorskip("onnxruntime")
    X, _ = steps
    onx = embedded.to_onnx(X[:1])
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"X": X})
    np.testing.assert_allclose(proba, embedded.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(label, embedded.predict(X))


def _has_encoding(clf):
    return any(layer.name == "numeric_embedding" for layer in clf.model_.layers)


def test_auto_encodes_from_500_rows_and_not_in_partial_fit():
    # issue 26: on the benchmark's balanced and imbalanced suites the encoding
    # gained from 500 training rows on and overfit smaller tables
    from skbinary import KerasBinaryClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 3))
    y = (X[:, 0] > 0).astype(int)
    assert KerasBinaryClassifier().numeric_embedding == "auto"
    small = KerasBinaryClassifier(epochs=1, random_state=0).fit(X[:499], y[:499])
    large = KerasBinaryClassifier(epochs=1, random_state=0).fit(X, y)
    assert not _has_encoding(small) and _has_encoding(large)
    chunked = KerasBinaryClassifier(random_state=0).partial_fit(X, y, classes=[0, 1])
    assert not _has_encoding(chunked)
    explicit = KerasBinaryClassifier(numeric_embedding=None, epochs=1, random_state=0)
    assert not _has_encoding(explicit.fit(X, y))


def test_the_folded_product_is_row_invariant_when_deep_and_odd_wide():
    # the encoding's product runs in float32 BLAS calls of at most 256 inputs,
    # its columns padded to a multiple of 16: OpenBLAS computes deeper products
    # and other widths differently for few rows and for many
    from skbinary import _network

    rng = np.random.RandomState(0)
    edges = np.sort(rng.normal(size=(40, 9)), axis=1)
    a = 1 / np.diff(edges, axis=1)
    c = -edges[:, :-1] * a
    a[3, 5:], c[3, 5:] = 0.0, 0.0  # a feature with fewer bins
    W, b = rng.normal(size=(320, 13)) / 10, rng.normal(size=13)
    plain = [("piecewise", a, c), ("affine", W, b), ("act", "relu"),
             ("affine", rng.normal(size=(13, 1)), np.zeros(1))]
    folded = _network.Piecewise.simplify(plain, 1)
    assert [s[0] for s in folded] == ["piecewise", "act", "affine"]
    X = rng.normal(size=(3000, 40)) * 2
    X[5] = 1e300  # far beyond every edge: no overflow to NaN
    with np.errstate(over="ignore"):  # as predict: 1e300 is infinite in float32
        batch = _network.forward_logit(folded, X)
        alone = [_network.forward_logit(folded, X[i : i + 1])[0] for i in range(0, 3000, 37)]
    assert np.isfinite(batch).all()
    np.testing.assert_array_equal(alone, batch[::37])
    np.testing.assert_allclose(batch, _network.forward_logit(plain, X), rtol=1e-5, atol=1e-5)
