"""save/load: one file, no pickle, atomic writes, clear errors on bad files."""

import io
import json
import os
import tracemalloc
import zipfile

import keras
import numpy as np
import pytest
from sklearn.base import clone

import skbinary
import skbinary._container
import skbinary.tabular
from conftest import small_classifier
from skbinary import KerasBinaryClassifier, ModelFileError
from skbinary._network import KerasArchitecture


@pytest.fixture(scope="module")
def fitted(spam_data):
    X, y = spam_data
    return small_classifier(hidden_layer_sizes=(16, 8), batch_norm=True, dropout=0.2,
                            threshold=0.4, class_weight={"spam": 2.0}, epochs=5,
                            early_stopping=True).fit(X, y)


def test_round_trip_predicts_exactly(fitted, spam_data, tmp_path):
    X, y = spam_data
    path = tmp_path / "model.skb"
    fitted.save(path)
    loaded = skbinary.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert list(loaded.classes_) == ["ham", "spam"]
    assert loaded.threshold == 0.4 and loaded.class_weight == {"spam": 2.0}
    assert loaded.hidden_layer_sizes == (16, 8)
    assert loaded.history_ == fitted.history_ and loaded.n_iter_ == fitted.n_iter_
    # and it can be trained again
    loaded.set_params(epochs=2).fit(X, y)
    assert loaded.n_iter_ == 2


@pytest.mark.parametrize("labels", [(0, 1), (False, True), ("no", "yes")])
def test_label_types_survive(binary_data, tmp_path, labels):
    X, y = binary_data
    y_user = np.where(y == 1, labels[1], labels[0])
    clf = small_classifier(epochs=2).fit(X, y_user)
    clf.save(tmp_path / "m.skb")
    loaded = skbinary.load(tmp_path / "m.skb")
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_feature_names_survive(binary_data, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = binary_data
    df = pd.DataFrame(X, columns=[f"col{i}" for i in range(X.shape[1])])
    clf = small_classifier(epochs=2).fit(df, y)
    clf.save(tmp_path / "m.skb")
    loaded = skbinary.load(tmp_path / "m.skb")
    assert list(loaded.feature_names_in_) == list(df.columns)
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(df.rename(columns={"col0": "other"}))


def test_file_records_versions(fitted, tmp_path):
    fitted.save(tmp_path / "m.skb")
    with zipfile.ZipFile(tmp_path / "m.skb") as zf:
        meta = json.loads(zf.read("metadata.json"))
    assert meta["versions"]["skbinary"] == skbinary.__version__
    assert meta["versions"]["keras"] == keras.__version__
    assert "sklearn" in meta["versions"]


def test_custom_model_round_trip(binary_data, tmp_path):
    X, y = binary_data

    def build(n_features_in):
        return keras.Sequential([keras.Input((n_features_in,)),
                                 keras.layers.Dense(4, activation="tanh"),
                                 keras.layers.Dense(1, activation="sigmoid")])

    clf = small_classifier(model=build, epochs=2).fit(X, y)
    clf.save(tmp_path / "m.skb")
    loaded = skbinary.load(tmp_path / "m.skb")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # as docs/user_guide/persistence.rst says: model rebuilds the network
    assert isinstance(loaded.model, KerasArchitecture)
    # it keeps training the same network, and a refit rebuilds the same architecture
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == 3 and loaded.model_.layers[0].units == 4
    loaded.set_params(epochs=1).fit(X, y)
    assert [layer.units for layer in loaded.model_.layers] == [4, 1]


def test_lambda_layer_is_refused_at_load(binary_data, tmp_path):
    X, y = binary_data

    def build(n_features_in):
        inp = keras.Input((n_features_in,))
        out = keras.layers.Dense(1, activation="sigmoid")(
            keras.layers.Lambda(lambda t: t * 2.0)(inp))
        return keras.Model(inp, out)

    clf = small_classifier(model=build, epochs=1).fit(X, y)
    clf.save(tmp_path / "lambda.skb")
    with pytest.raises(ModelFileError, match="cannot be loaded safely"):
        skbinary.load(tmp_path / "lambda.skb")


def test_truncated_and_garbage_files(fitted, tmp_path):
    good = tmp_path / "good.skb"
    fitted.save(good)
    data = good.read_bytes()
    (tmp_path / "cut.skb").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.skb").write_bytes(b"not a model at all")
    for name in ("cut.skb", "junk.skb"):
        with pytest.raises(ModelFileError, match="not a readable skbinary model file"):
            skbinary.load(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        skbinary.load(tmp_path / "missing.skb")


def test_unknown_format_version(fitted, tmp_path):
    fitted.save(tmp_path / "m.skb")
    with zipfile.ZipFile(tmp_path / "m.skb") as zf:
        meta = json.loads(zf.read("metadata.json"))
        keras_bytes = zf.read("model.keras")
    meta["format_version"] = 99
    with zipfile.ZipFile(tmp_path / "future.skb", "w") as zf:
        zf.writestr("metadata.json", json.dumps(meta))
        zf.writestr("model.keras", keras_bytes)
    with pytest.raises(ModelFileError, match="format version 99"):
        skbinary.load(tmp_path / "future.skb")


def test_crash_during_save_keeps_the_old_file(fitted, spam_data, tmp_path, monkeypatch):
    X, _ = spam_data
    path = tmp_path / "m.skb"
    fitted.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(OSError, match="disk full"):
        fitted.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.skb"]  # no partial file left
    monkeypatch.undo()
    np.testing.assert_array_equal(skbinary.load(path).predict_proba(X),
                                  fitted.predict_proba(X))


def test_save_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        skbinary.KerasBinaryClassifier().save(os.devnull)


# ------------------------------------------- damaged, tampered and unwritable files

def _rewrite(src, dst, edit_meta=None, keras_bytes=None):
    """Copy a model file, editing its metadata and/or replacing its network."""
    with zipfile.ZipFile(src) as zf:
        meta = json.loads(zf.read("metadata.json"))
        network = zf.read("model.keras")
    if edit_meta is not None:
        edit_meta(meta)
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("metadata.json", json.dumps(meta))
        zf.writestr("model.keras", network if keras_bytes is None else keras_bytes)
    return dst


def test_every_single_byte_corruption_is_a_model_file_error(fitted, tmp_path):
    # zlib.error and friends never leak
    good = tmp_path / "good.skb"
    fitted.save(good)
    data = good.read_bytes()
    bad = tmp_path / "bad.skb"
    for i in range(0, len(data), max(1, len(data) // 61)):
        bad.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
        try:
            skbinary.load(bad)
        except ModelFileError as exc:
            assert str(bad) in str(exc)


def _set(key, value):
    def edit(meta):
        if value is KeyError:
            del meta[key]
        else:
            meta[key] = value
    return edit


def _set_param(key, value):
    def edit(meta):
        meta["params"][key] = value
    return edit


TAMPERED = [
    ("three classes", _set("classes", ["ham", "spam", "eggs"]), "classes"),
    ("n_features_in", _set("n_features_in", 5), "n_features_in"),
    ("missing params", _set("params", KeyError), "params"),
    ("unknown parameter", _set_param("alpha", 1.0), "alpha"),
    ("threshold out of range", _set_param("threshold", 7), "threshold"),
    ("bad activation", _set_param("activation", "nope"), "activation"),
    ("history not a dict", _set("history", [1, 2]), "history"),
    ("feature names of wrong length", _set("feature_names_in", ["a"]), "feature_names_in"),
    ("architecture of another network", _set("architecture", {
        "hidden_layer_sizes": [3], "activation": "relu", "dropout": 0.0, "l2": 0.0,
        "batch_norm": False}), "architecture"),
]


@pytest.mark.parametrize("name, edit, fragment", TAMPERED, ids=[t[0] for t in TAMPERED])
def test_tampered_metadata_is_refused(fitted, tmp_path, name, edit, fragment):
    # the whole file is validated on load, as fit validates its input
    fitted.save(tmp_path / "m.skb")
    bad = _rewrite(tmp_path / "m.skb", tmp_path / "bad.skb", edit)
    with pytest.raises(ModelFileError, match=fragment):
        skbinary.load(bad)


def _without_scaling_gamma(model):
    """``model`` as an earlier skbinary built it: input_scale divides by sqrt(variance)."""
    config = model.get_config()
    for layer in config["layers"]:
        if layer["config"]["name"] == "input_scale":
            layer["config"]["scale"] = False
    older = keras.Sequential.from_config(config)
    weights = []
    for layer in model.layers:
        own = layer.get_weights()
        if layer.name == "input_scale":
            gamma, mean, _ = own
            variance = 1.0 / np.square(gamma.astype(np.float64)) - layer.epsilon
            own = [mean, variance.astype("float32")]
        weights.extend(own)
    older.set_weights(weights)
    return older


@pytest.mark.parametrize("input_scaling", ["standard", "robust"])
def test_file_whose_input_scaling_has_no_gamma_predicts_as_its_network(
        binary_data, tmp_path, input_scaling):
    X, y = binary_data
    clf = small_classifier(hidden_layer_sizes=(4,), epochs=2,
                           input_scaling=input_scaling).fit(X, y)
    clf.save(tmp_path / "m.skb")
    older = _without_scaling_gamma(clf.model_)
    keras.saving.save_model(older, tmp_path / "older.keras")
    path = _rewrite(tmp_path / "m.skb", tmp_path / "older.skb",
                    keras_bytes=(tmp_path / "older.keras").read_bytes())
    loaded = skbinary.load(path)
    expected = older.predict(X.astype("float32"), verbose=0).ravel()
    np.testing.assert_allclose(loaded.predict_proba(X)[:, 1], expected, atol=1e-6)
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-5)
    assert (loaded.model_.get_layer("input_scale").gamma.numpy() == 1).all()


def test_softmax_network_in_a_model_file_is_refused(fitted, tmp_path):
    softmax = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, activation="softmax")])
    keras.saving.save_model(softmax, tmp_path / "softmax.keras")
    fitted.save(tmp_path / "m.skb")
    bad = _rewrite(tmp_path / "m.skb", tmp_path / "bad.skb", _set("custom_model", True),
                   keras_bytes=(tmp_path / "softmax.keras").read_bytes())
    with pytest.raises(ModelFileError, match="sigmoid"):
        skbinary.load(bad)


def test_save_errors_name_the_target(fitted, tmp_path, monkeypatch):
    # the message names the file asked for, not the temporary one
    target = tmp_path / "missing" / "m.skb"
    with pytest.raises(FileNotFoundError, match="missing/m.skb") as info:
        fitted.save(target)
    assert ".part" not in str(info.value)
    import tempfile

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".skbinary-x.part"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(PermissionError, match="m.skb': Permission denied") as info:
        fitted.save(tmp_path / "m.skb")
    assert ".part" not in str(info.value)


def test_unreadable_file_says_permission_denied(fitted, tmp_path, monkeypatch):
    path = tmp_path / "m.skb"
    fitted.save(path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(zipfile, "ZipFile", denied)
    with pytest.raises(PermissionError, match="Permission denied") as info:
        skbinary.load(path)
    assert "corrupted" not in str(info.value)


def test_saved_file_follows_the_umask(fitted, tmp_path):
    # a model meant to be shared is readable as the umask says
    old = os.umask(0o022)
    try:
        fitted.save(tmp_path / "m.skb")
    finally:
        os.umask(old)
    assert (tmp_path / "m.skb").stat().st_mode & 0o777 == 0o644


def test_numpy_scalar_parameters_are_saved_as_their_values(binary_data, tmp_path):
    # What GridSearchCV over np.arange(...) or np.linspace(...) hands the estimator.
    X, y = binary_data
    params = dict(hidden_layer_sizes=(np.int64(8),), epochs=np.int64(3),
                  batch_size=np.int64(64), dropout=np.float64(0.1),
                  batch_norm=np.bool_(False), random_state=np.int64(3),
                  class_weight={np.int64(0): np.float32(1.0), np.int64(1): 2})
    clf = KerasBinaryClassifier(**params).fit(X, y)
    path = tmp_path / "model.skb"
    clf.save(path)
    loaded = skbinary.load(path)
    assert loaded.get_params()["random_state"] == 3
    assert loaded.get_params()["batch_size"] == 64
    assert loaded.get_params()["class_weight"] == {0: 1.0, 1: 2.0}
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # the loaded parameters reproduce the fit
    refit = clone(loaded).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba(X), clf.predict_proba(X))


def test_random_state_instance_is_saved_as_none(binary_data, tmp_path):
    X, y = binary_data
    clf = small_classifier(epochs=1, random_state=np.random.RandomState(0)).fit(X, y)
    path = tmp_path / "model.skb"
    clf.save(path)
    loaded = skbinary.load(path)
    assert loaded.random_state is None


def _declare_size(data, member, size):
    """The zip archive ``data`` with the central directory saying ``member`` inflates to ``size``."""
    data = bytearray(data)
    start = data.rfind(b"PK\x05\x06")  # end of central directory
    count, offset = int.from_bytes(data[start + 10:start + 12], "little"), \
        int.from_bytes(data[start + 16:start + 20], "little")
    for _ in range(count):
        assert data[offset:offset + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = (
            int.from_bytes(data[offset + i:offset + i + 2], "little") for i in (28, 30, 32))
        if data[offset + 46:offset + 46 + name_len].decode() == member:
            data[offset + 24:offset + 28] = size.to_bytes(4, "little")
            return bytes(data)
        offset += 46 + name_len + extra_len + comment_len
    raise AssertionError(f"no member {member!r}")


def _bomb(path, member, n_bytes, declared=None):
    """A model file whose ``member`` is ``n_bytes`` of zeros, deflated (about 1000:1)."""
    members = {"metadata.json": b"{}", "model.keras": b"", "preprocess.json": b"{}",
               "network.skb": b""}
    members[member] = bytes(n_bytes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    if declared is not None:
        path.write_bytes(_declare_size(path.read_bytes(), member, declared))
    return path


def _refuse_inflating(monkeypatch):
    def read(self, n=-1):
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)


@pytest.mark.parametrize("loader", [skbinary.load, skbinary.tabular.load_model],
                         ids=["load", "load_model"])
def test_member_declaring_gigabytes_is_refused_before_inflating(tmp_path, monkeypatch,
                                                                 loader):
    # 3.75 GiB declared in the header: refused from the header alone
    path = _bomb(tmp_path / "bomb.skb", "metadata.json", 10, declared=0xF0000000)
    _refuse_inflating(monkeypatch)
    with pytest.raises(ModelFileError, match="inflates to 4,026,531,840 bytes"):
        loader(path)


@pytest.mark.parametrize("member", ["metadata.json", "model.keras"])
def test_zip_bomb_beyond_the_size_limits_is_refused(tmp_path, monkeypatch, member):
    # the limits lowered to 1 MiB so that a bomb of 2 MiB stands for one of gigabytes
    monkeypatch.setattr(skbinary._container, "MAX_JSON_BYTES", 1 << 20)
    monkeypatch.setattr(skbinary._container, "MAX_TOTAL_BYTES", 1 << 20)
    path = _bomb(tmp_path / "bomb.skb", member, 2 << 20)
    assert path.stat().st_size < 20_000
    _refuse_inflating(monkeypatch)
    with pytest.raises(ModelFileError, match="beyond the limit of 1,048,576 bytes"):
        skbinary.load(path)


def test_zip_bomb_understating_its_size_is_refused(tmp_path):
    # the header says 100 bytes: reading stops at the 101st, not after 8 MiB
    path = _bomb(tmp_path / "bomb.skb", "metadata.json", 8 << 20, declared=100)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="inflates to more than the 100 bytes"):
            skbinary.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20


def test_network_declaring_gigabytes_is_refused_before_keras_reads_it(fitted, tmp_path,
                                                                       monkeypatch):
    fitted.save(tmp_path / "m.skb")
    with zipfile.ZipFile(tmp_path / "m.skb") as zf:
        network = zf.read("model.keras")
    with zipfile.ZipFile(io.BytesIO(network)) as zf:
        weights = next(n for n in zf.namelist() if n.endswith(".h5"))
    bomb = _rewrite(tmp_path / "m.skb", tmp_path / "bomb.skb",
                    keras_bytes=_declare_size(network, weights, 0xF0000000))

    def load_model(*args, **kwargs):
        raise AssertionError("Keras read the network")

    monkeypatch.setattr(keras.saving, "load_model", load_model)
    with pytest.raises(ModelFileError, match=f"{weights}' inflates to 4,026,531,840"):
        skbinary.load(bomb)


def test_a_pickle_without_its_fitted_network_says_so(binary_data):
    # a pickle of an older release has the fitted attributes (classes_, ...) but
    # not the fitted state this version keeps: a clear error, not an AttributeError
    import pickle

    from sklearn.exceptions import NotFittedError

    X, y = binary_data
    clf = small_classifier(epochs=1).fit(X, y)
    state = clf.__getstate__()
    del state["_fitted"]
    old = pickle.loads(pickle.dumps(clf))
    old.__setstate__(state)
    for method in (old.predict, old.predict_proba, old.decision_function):
        with pytest.raises(NotFittedError, match="unpickled from an older skbinary"):
            method(X)
