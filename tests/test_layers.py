"""The layer-kind contract: every registered kind agrees with itself everywhere.

A kind of layer (``skbinary._network.LAYER_KINDS``) is one class that owns its
Keras build, its seeded initialisation, its numpy step, its ONNX emitter and its
load check. One test, parametrized over every registered kind (and every
activation), checks that these agree, so a new kind is tested by adding it.
"""

import json
import zipfile

import keras
import numpy as np
import pytest

import skbinary
from conftest import small_classifier
from skbinary import ModelFileError, _network
from skbinary._network import (
    LAYER_KINDS,
    Activation,
    check_layers,
    initialize_weights,
    network_steps,
    run_steps,
)

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from skbinary._onnx import plan_to_onnx  # noqa: E402

N_IN = 4
CASES = [pytest.param(kind, {}, id=kind.name) for kind in LAYER_KINDS if kind is not Activation]
CASES += [pytest.param(Activation, {"activation": name}, id=f"act-{name}")
          for name in Activation.TABLE]


def _network_of(kind, spec):
    """A one-layer Sequential of ``kind``'s example, with that layer and its members."""
    spec = {"name": f"test_{kind.name}", **kind.example, **spec}
    with _network.global_rng_preserved():
        layer = kind.build(**spec)
        model = keras.Sequential([keras.Input((N_IN,)), layer])
    return model, layer, spec.get("members", 1)


def _not_at_initial_values(layer, rng):
    """Move the layer's weights away from their initial values (zeros stay zeros in kernels)."""
    layer.set_weights([w * rng.uniform(0.5, 2.0, w.shape)
                       + (0.05 * rng.normal(size=w.shape) if w.ndim == 1 else 0.0)
                       for w in layer.get_weights()])


# A corruption the load check must refuse, for the kinds whose weights alone
# cannot show one (every kind with weights must also refuse a NaN among them).
CORRUPT_SETTINGS = {
    "act": lambda layer: setattr(layer, "activation", keras.activations.softplus),
    "dropout": lambda layer: setattr(layer, "rate", 1.5),
}


def _corruptions(layer):
    """``(what, corrupt(layer))`` pairs for ``layer``, each refused by its kind's check."""
    def nan(layer):
        weights = layer.get_weights()
        weights[0].flat[0] = np.nan
        layer.set_weights(weights)

    def negative_variance(layer):
        layer.moving_variance.assign(-np.ones(layer.moving_variance.shape))

    def off_block(layer):
        kernel, bias = layer.get_weights()
        kernel[0, -1] = 0.5  # member 0's input feeding the last member's unit
        layer.set_weights([kernel, bias])

    found = [("NaN", nan)] if layer.get_weights() else []
    if isinstance(layer, keras.layers.BatchNormalization):
        found.append(("negative variance", negative_variance))
    if _network.kind_of(layer) is _network.Grouped:
        found.append(("off-block weight", off_block))
    kind = _network.kind_of(layer).name
    if kind in CORRUPT_SETTINGS:
        found.append(("setting", CORRUPT_SETTINGS[kind]))
    return found


@pytest.mark.parametrize("kind, spec", CASES)
def test_layer_kind_contract(kind, spec):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(7, N_IN)).astype(np.float32)
    model, layer, members = _network_of(kind, spec)
    assert _network.kind_of(layer) is kind

    # 1. Keras, the numpy step and ONNX Runtime compute the same function
    initialize_weights(model, seed=3, X=X)
    _not_at_initial_values(layer, rng)
    keras_out = np.asarray(model(X), dtype=np.float64)
    steps = network_steps(model.layers, members)
    assert steps is not None, "the layer has no numpy plan"
    if kind.has_step and spec.get("activation") != "identity":
        assert [s[0] for s in steps] == [kind.name]  # the kind computes its own step
    numpy_out = run_steps(steps, X.astype(np.float64))
    np.testing.assert_allclose(numpy_out, keras_out, rtol=1e-6, atol=1e-6)
    session = ort.InferenceSession(plan_to_onnx(steps, N_IN).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    (onnx_out,) = session.run(None, {"X": X.astype(np.float64)})
    np.testing.assert_allclose(onnx_out, numpy_out, rtol=1e-6, atol=1e-6)

    # 2. re-initialisation from a seed resets every weight: a pooled network
    # whose weights (and dropout generators) moved gets a fresh one's back,
    # without touching the global random state
    fresh, fresh_layer, _ = _network_of(kind, spec)
    initialize_weights(fresh, seed=5, X=X)
    for v in layer.variables:
        v.assign(v.numpy() + 1)
    global_state = np.random.get_state()[1].copy()
    initialize_weights(model, seed=5, X=X)
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
    assert len(layer.variables) == len(fresh_layer.variables)
    for pooled, new in zip(layer.variables, fresh_layer.variables):
        np.testing.assert_array_equal(pooled.numpy(), new.numpy(), err_msg=pooled.path)

    # 3. the load check accepts the layer as initialised, refuses it corrupted
    check_layers(model)
    corruptions = _corruptions(layer)
    assert corruptions, f"no corruption to try on kind {kind.name!r}: add one"
    for _, corrupt in corruptions:
        broken, broken_layer, _ = _network_of(kind, spec)
        initialize_weights(broken, seed=5, X=X)
        corrupt(broken_layer)
        with pytest.raises(ValueError, match=f"layer '{broken_layer.name}'"):
            check_layers(broken)


def test_every_layer_of_the_built_in_network_has_a_kind():
    # a pooled trainer keeps the weights of any layer initialize_weights skips
    model = _network.new_network(6, {
        "hidden_layer_sizes": (4, 2), "activation": "relu", "dropout": 0.1, "l2": 0.0,
        "batch_norm": True, "input_scaling": "robust", "ensemble_size": 2})
    assert all(_network.kind_of(layer) is not None for layer in model.layers)
    odd = keras.Sequential([keras.Input((3,)), keras.layers.LayerNormalization(),
                            keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(TypeError, match="no known layer kind"):
        initialize_weights(odd, seed=0)


@pytest.mark.parametrize("architecture", [
    {"hidden_layer_sizes": (4, 2), "batch_norm": True, "dropout": 0.1,
     "input_scaling": "robust"},
    {"hidden_layer_sizes": (3,), "numeric_embedding": "piecewise"},
    {"hidden_layer_sizes": ()},  # the members' logits straight from the inputs
], ids=["bn-dropout-robust", "piecewise", "no-hidden"])
def test_one_member_alone_is_its_column_of_the_ensemble(architecture):
    # cross-fitted members score each held-out row by one member, computing
    # only that member's part of each layer: it must be that member's logit
    rng = np.random.RandomState(0)
    X = rng.normal(size=(9, 5)).astype(np.float32)
    spec = {"hidden_layer_sizes": (), "activation": "relu", "dropout": 0.0, "l2": 0.0,
            "batch_norm": False, "input_scaling": "standard", "ensemble_size": 3,
            **architecture}
    model = _network.new_network(5, spec)
    initialize_weights(model, seed=1, X=X)
    for layer in model.layers[:-1]:  # batch norms and biases away from identity and zero
        if layer.trainable and layer.get_weights():
            _not_at_initial_values(layer, rng)
    if spec["batch_norm"]:
        bn = model.get_layer("batch_norm_0")
        bn.moving_mean.assign(rng.normal(size=bn.moving_mean.shape))
        bn.moving_variance.assign(rng.uniform(0.5, 2, size=bn.moving_variance.shape))
    every = X
    for layer in model.layers[:-1]:
        every = layer(every, training=False)
    for j in range(3):
        np.testing.assert_allclose(np.asarray(_network.member_logit(model, X, j)),
                                   np.asarray(every)[:, j], rtol=1e-5, atol=1e-6)


def test_a_model_file_with_a_corrupted_layer_is_refused(binary_data, tmp_path):
    X, y = binary_data
    clf = small_classifier(hidden_layer_sizes=(4, 2), ensemble_size=2, epochs=1).fit(X, y)
    clf.save(tmp_path / "good.skb")
    with zipfile.ZipFile(tmp_path / "good.skb") as zf:
        meta = json.loads(zf.read("metadata.json"))
    model = clf.model_
    layer = model.get_layer("dense_1")
    kernel, bias = layer.get_weights()
    kernel[0, -1] = 0.5  # joins the two members
    layer.set_weights([kernel, bias])
    keras.saving.save_model(model, tmp_path / "bad.keras")
    with zipfile.ZipFile(tmp_path / "bad.skb", "w") as zf:
        zf.writestr("metadata.json", json.dumps(meta))
        zf.writestr("model.keras", (tmp_path / "bad.keras").read_bytes())
    with pytest.raises(ModelFileError, match="layer 'dense_1' has weights outside"):
        skbinary.load(tmp_path / "bad.skb")
