"""The training loop's own arithmetic: what it does faster must be what Keras does."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from skbinary import _engine


def _model_and_grads(seed):
    rng = np.random.RandomState(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    grads = [[tf.constant(rng.normal(size=v.shape).astype("float32"))
              for v in model.trainable_variables] for _ in range(5)]
    return model, grads


def test_lean_adam_step_is_keras_adam_bit_for_bit():
    # the default optimizer's update skips Keras' per-variable machinery; five
    # steps must leave the weights and Adam's moments exactly where Keras' do
    results = []
    for lean in (False, True):
        model, grads = _model_and_grads(seed=0)
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        optimizer.build(model.trainable_variables)
        assert _engine._plain_adam(optimizer, model.trainable_variables)
        step = tf.function(lambda g, lean=lean, o=optimizer, m=model: (
            _engine._adam_step(o, g, m.trainable_variables) if lean
            else o.apply(g, m.trainable_variables)))
        for g in grads:
            step(g)
        results.append(([v.numpy() for v in model.weights],
                        [v.numpy() for v in optimizer.variables]))
    for keras_side, lean_side in zip(*results):
        for a, b in zip(keras_side, lean_side):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [
    keras.optimizers.Adam(weight_decay=0.01),
    keras.optimizers.Adam(amsgrad=True),
    keras.optimizers.Adam(clipnorm=1.0),
    keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.9)),
    keras.optimizers.AdamW(),
    keras.optimizers.SGD(),
], ids=["weight_decay", "amsgrad", "clipnorm", "schedule", "adamw", "sgd"])
def test_anything_but_plain_adam_goes_through_keras(optimizer):
    model, _ = _model_and_grads(seed=1)
    assert not _engine._plain_adam(optimizer, model.trainable_variables)


def test_held_out_rows_score_alike_sliced_or_all_members(monkeypatch):
    # cross-fitted members score each held-out row by its own member: by that
    # member's slice of the layers on large data, by all members on small data
    # (a smaller graph to trace); both must give the same probabilities
    from skbinary import KerasBinaryClassifier, _network, _params, _trainers

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)).astype("float32")
    params = _params.resolve(KerasBinaryClassifier(hidden_layer_sizes=(8, 4), random_state=0))
    trainer = _trainers._new_builtin_trainer(params, 5, _params.architecture(params))
    _network.initialize_weights(trainer.model, seed=0, X=X)
    for v in trainer.model.trainable_variables:  # off the initial biases of zero
        v.assign(v.numpy() + 0.1 * rng.normal(size=v.shape).astype("float32")
                 * (v.numpy() != 0 if v.ndim == 2 else 1))
    member = np.arange(200) % 4
    monkeypatch.setattr(_engine, "SLICED_MIN_ROWS", 10**9)
    every_member = trainer.held_out_proba(X, member)
    monkeypatch.setattr(_engine, "SLICED_MIN_ROWS", 1)
    sliced = trainer.held_out_proba(X, member)
    assert set(trainer._compiled_epochs) == {"gather", "sliced"}
    np.testing.assert_allclose(sliced, every_member, rtol=1e-5, atol=1e-6)
    assert np.ptp(every_member) > 0.05  # the members disagree: the test can tell them apart


def test_adam_whose_state_keras_renamed_goes_through_keras(monkeypatch):
    # the lean step reads Keras' unexported Adam state: a release that renames
    # it must make training fall back to optimizer.apply, not break
    model, _ = _model_and_grads(seed=2)
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)  # as the trainer does before asking
    assert _engine._plain_adam(optimizer, model.trainable_variables)
    monkeypatch.setattr(_engine, "_ADAM_STATE", (*_engine._ADAM_STATE, "_renamed_in_keras_4"))
    assert not _engine._plain_adam(optimizer, model.trainable_variables)


@pytest.mark.parametrize("members", [1, 4])
def test_an_epoch_call_never_writes_its_tensors_out_as_text(monkeypatch, members):
    # a concrete function binds its arguments without defaults: a parameter the
    # call leaves out fails the binding, and TensorFlow then writes every
    # argument's values into the error's text before it falls back to the flat
    # signature, every epoch (it doubled the epoch time of a 455-row fit of one member)
    from skbinary import KerasBinaryClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] > 0).astype(int)
    fit = lambda **kw: KerasBinaryClassifier(  # noqa: E731
        hidden_layer_sizes=(4,), ensemble_size=members, epochs=3, random_state=0, **kw
    ).fit(X, y)
    fit()  # traced before the check: tracing may print what it likes

    def no_text(self):
        raise AssertionError("an epoch call wrote a tensor out as text")

    monkeypatch.setattr(type(tf.constant(0.0)), "__repr__", no_text)
    for kwargs in ({}, {"early_stopping": False}, {"validation": "holdout"}):
        assert len(fit(**kwargs).history_["loss"]) == 3


def test_the_trainers_weight_copy_is_get_weights_and_stays_put():
    # early stopping keeps the best epoch's weights through trainer.read_weights
    # (one call); they must equal Keras' get_weights and not follow later training
    from skbinary import KerasBinaryClassifier, _network, _params, _trainers

    params = _params.resolve(KerasBinaryClassifier(hidden_layer_sizes=(8, 4), random_state=0))
    trainer = _trainers._new_builtin_trainer(params, 5, _params.architecture(params))
    _network.initialize_weights(trainer.model, seed=0, X=np.random.RandomState(0).normal(
        size=(50, 5)).astype("float32"))
    copy = trainer.read_weights()
    before = trainer.model.get_weights()
    assert len(copy) == len(before)
    for a, b in zip(copy, before):
        np.testing.assert_array_equal(np.asarray(a), b)
    for v in trainer.model.trainable_variables:
        v.assign(v.numpy() + 1.0)
    for a, b in zip(copy, before):
        np.testing.assert_array_equal(np.asarray(a), b)
    trainer.model.set_weights(copy)  # what early stopping does at the end
    for a, b in zip(trainer.model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
