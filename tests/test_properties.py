"""Property-based: random shapes, dtypes and values either fit or give a clear error."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import small_classifier  # noqa: E402

CLEAR_ERRORS = (ValueError, TypeError)

DTYPES = ["float64", "float32", "int64", "int8", "bool", "complex128", "str", "object"]


@st.composite
def inputs(draw):
    n = draw(st.integers(0, 12))
    d = draw(st.integers(0, 4))
    ndim = draw(st.sampled_from([1, 2, 2, 2, 3]))
    shape = {1: (n,), 2: (n, d), 3: (n, d, 2)}[ndim]
    dtype = draw(st.sampled_from(DTYPES))
    values = np.asarray(
        draw(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32),
                      min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
        dtype=np.float64,
    ).reshape(shape)
    if dtype == "str":
        X = values.astype(str)
    elif dtype == "object":
        X = values.astype(object)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            X = np.nan_to_num(values, nan=0, posinf=1, neginf=-1).astype(dtype) \
                if dtype not in ("float64", "float32", "complex128") else values.astype(dtype)
    n_y = draw(st.sampled_from([n, n, n, max(n - 1, 0), n + 1]))
    y_kind = draw(st.sampled_from(["binary", "one", "multi", "float", "str", "nan"]))
    rng = np.random.RandomState(draw(st.integers(0, 1000)))
    y = {
        "binary": rng.randint(0, 2, n_y),
        "one": np.zeros(n_y, int),
        "multi": rng.randint(0, 3, n_y),
        "float": rng.normal(size=n_y),
        "str": rng.choice(["spam", "ham"], n_y),
        "nan": np.where(rng.rand(n_y) < 0.3, np.nan, rng.randint(0, 2, n_y)),
    }[y_kind]
    return X, y


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs())
def test_random_input_fits_or_fails_clearly(data):
    X, y = data
    clf = small_classifier(hidden_layer_sizes=(2,), epochs=1)
    try:
        clf.fit(X, y)
    except CLEAR_ERRORS as exc:
        assert "Traceback" not in str(exc)
        assert "tensorflow" not in type(exc).__module__
        return
    # it fitted: then it predicts two finite probabilities per row
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], 2)
    assert np.all(np.isfinite(proba))


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    return small_classifier(hidden_layer_sizes=(2,), epochs=1).fit(
        rng.normal(size=(20, 3)), rng.randint(0, 2, 20))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs())
def test_random_input_predicts_or_fails_clearly(fitted, data):
    X, _ = data
    try:
        proba = fitted.predict_proba(X)
    except CLEAR_ERRORS:
        return
    assert X.ndim == 2 and X.shape[1] == 3
    assert np.all(np.isfinite(proba))


# ------------------------------------------------------- model files and parameters

@pytest.fixture(scope="module")
def model_bytes(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "m.skb"
    fitted.save(path)
    return _Bytes(path.read_bytes())


class _Bytes(bytes):
    def __repr__(self):  # keeps hypothesis' report of a failing case short
        return f"<{len(self)} bytes of a valid model file>"


@st.composite
def damaged(draw, data):
    kind = draw(st.sampled_from(["random", "flip", "cut", "insert"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    i = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if kind == "cut":
        return data[:i]
    return data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_model_files_give_only_model_file_error(model_bytes, tmp_path, data):
    # any unreadable, corrupted or tampered file -> ModelFileError
    import skbinary

    path = tmp_path / "damaged.skb"
    path.write_bytes(data.draw(damaged(model_bytes)))
    try:
        loaded = skbinary.load(path)
    except skbinary.ModelFileError as exc:
        assert str(path) in str(exc)
        return
    proba = loaded.predict_proba(np.zeros((2, 3)))  # a file that loads is usable
    assert np.all(np.isfinite(proba))


NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-5, 5), st.none(), st.booleans(), st.text(max_size=3))
VALUES = {
    name: NUMBERS for name in ("dropout", "l2", "learning_rate", "batch_size", "threshold",
                               "validation_fraction", "n_iter_no_change", "batch_norm",
                               "verbose", "epochs")
}
VALUES["hidden_layer_sizes"] = st.one_of(NUMBERS, st.lists(st.integers(-1, 3), max_size=2))
VALUES["class_weight"] = st.one_of(st.none(), st.dictionaries(st.sampled_from([0, 1]),
                                                              NUMBERS))
ONE_PARAMETER = st.one_of(*[st.tuples(st.just(name), values)
                            for name, values in VALUES.items()])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ONE_PARAMETER, st.booleans())
def test_random_parameters_fit_or_name_the_parameter(param, early_stopping):
    # a fitted model, or a ValueError/TypeError naming the parameter
    name, value = param
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), np.array([0, 1] * 20)
    clf = small_classifier(hidden_layer_sizes=(2,), epochs=1, early_stopping=early_stopping)
    clf.set_params(**{name: value})
    try:
        clf.fit(X, y)
    except CLEAR_ERRORS as exc:
        assert name in str(exc), (name, value, exc)
        return
    assert np.all(np.isfinite(clf.predict_proba(X)))
    # a fit that accepted a NaN or infinite parameter silently did something else
    values = list(value.values()) if isinstance(value, dict) else [value]
    assert all(np.isfinite(v) for v in values if isinstance(v, float)), (name, value)
