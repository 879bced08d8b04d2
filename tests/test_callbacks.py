"""Keras callbacks, learning-rate schedules and progress output in the training loop."""

import copy
import io
import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate

from conftest import small_classifier
from skbinary import load
from skbinary.callbacks import ProgressLogger


class Recorder(keras.callbacks.Callback):
    """Records every hook call (in a class-level list: fits use deep copies)."""

    calls = []

    def on_train_begin(self, logs=None):
        Recorder.calls.append(("train_begin", None, self.model))

    def on_epoch_begin(self, epoch, logs=None):
        Recorder.calls.append(("epoch_begin", epoch, None))

    def on_epoch_end(self, epoch, logs=None):
        Recorder.calls.append(("epoch_end", epoch, dict(logs)))

    def on_train_end(self, logs=None):
        Recorder.calls.append(("train_end", None, None))


def _frozen_from(epoch):
    """A schedule that sets the learning rate to 0 from ``epoch`` on."""
    return keras.callbacks.LearningRateScheduler(lambda e, lr: 0.0 if e >= epoch else lr)


def test_custom_callback_sees_the_logs(binary_data):
    X, y = binary_data
    Recorder.calls.clear()
    clf = small_classifier(epochs=4, early_stopping=True, scoring="roc_auc",
                           n_iter_no_change=50, callbacks=[Recorder()]).fit(X, y)
    kinds = [c[0] for c in Recorder.calls]
    assert kinds == ["train_begin"] + ["epoch_begin", "epoch_end"] * 4 + ["train_end"]
    assert isinstance(Recorder.calls[0][2], keras.Model)
    logs = Recorder.calls[2][2]
    assert set(logs) == {"loss", "val_loss", "val_roc_auc", "learning_rate"}
    assert logs["loss"] == clf.history_["loss"][0]
    assert logs["learning_rate"] == pytest.approx(0.01, rel=1e-6)


def test_callbacks_work_on_fresh_copies(binary_data):
    # Keras' EarlyStopping keeps state between fits; each fit must start afresh
    X, y = binary_data
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    clf = small_classifier(epochs=200, learning_rate=0.05, early_stopping=True,
                           n_iter_no_change=1000, callbacks=[stopper])
    first = clf.fit(X, y).n_iter_
    assert first < 200
    assert clf.fit(X, y).n_iter_ == first
    assert stopper.model is None  # the caller's instance was never used
    folds = cross_validate(clf, X, y, cv=3, return_estimator=True)["estimator"]
    assert all(est.n_iter_ > 2 for est in folds)  # no fold stopped at once


def test_reduce_lr_on_plateau_lowers_the_rate_the_epoch_uses(binary_data):
    X, y = binary_data
    never_better = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=1e-9,
                                                     patience=0, min_delta=1e9)
    clf = small_classifier(epochs=5, callbacks=[never_better]).fit(X, y)
    rates = clf.history_["learning_rate"]
    # the first epoch sets the baseline, the second finds no improvement
    assert rates[:2] == [pytest.approx(0.01, rel=1e-6)] * 2 and rates[2] < 1e-10
    # a rate of ~0 from the third epoch on: the weights no longer move
    np.testing.assert_allclose(clf.history_["loss"][3:], clf.history_["loss"][2], rtol=1e-5)
    plain = small_classifier(epochs=5).fit(X, y)
    assert plain.history_["loss"][4] < plain.history_["loss"][1] - 1e-3


def test_learning_rate_scheduler(binary_data):
    X, y = binary_data
    halve = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.02 * 0.5 ** epoch)
    clf = small_classifier(epochs=4, callbacks=[halve]).fit(X, y)
    np.testing.assert_allclose(clf.history_["learning_rate"], [0.02, 0.01, 0.005, 0.0025],
                               rtol=1e-6)
    frozen = small_classifier(epochs=4, callbacks=[_frozen_from(2)]).fit(X, y)
    np.testing.assert_allclose(frozen.history_["loss"][3], frozen.history_["loss"][2],
                               rtol=1e-5)
    # the next fit of the same (pooled) network starts again at the set rate
    again = small_classifier(epochs=4).fit(X, y)
    assert again.history_["learning_rate"] == [pytest.approx(0.01, rel=1e-6)] * 4


def test_keras_early_stopping_restores_best_weights(binary_data, tmp_path):
    X, y = binary_data
    best_file = tmp_path / "best.keras"
    clf = small_classifier(
        epochs=200, learning_rate=0.05, early_stopping=True, n_iter_no_change=1000,
        callbacks=[
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                          restore_best_weights=True),
            keras.callbacks.ModelCheckpoint(best_file, monitor="val_loss",
                                            save_best_only=True),
        ]).fit(X, y)
    best = int(np.argmin(clf.history_["val_loss"]))
    assert clf.n_iter_ == best + 1 + 3
    # the model kept is the best epoch's, which ModelCheckpoint also saved
    saved = keras.saving.load_model(best_file)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1],
                               saved.predict(X.astype("float32"), verbose=0).ravel(),
                               atol=1e-5)


def test_model_checkpoint_writes_a_loadable_file(binary_data, tmp_path):
    X, y = binary_data
    path = tmp_path / "epoch{epoch:02d}.keras"
    clf = small_classifier(epochs=3, callbacks=[keras.callbacks.ModelCheckpoint(path)])
    clf.fit(X, y)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["epoch01.keras", "epoch02.keras", "epoch03.keras"]
    last = keras.saving.load_model(tmp_path / "epoch03.keras")
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1],
                               last.predict(X.astype("float32"), verbose=0).ravel(),
                               atol=1e-5)


def test_csv_logger_writes_one_row_per_epoch(binary_data, tmp_path):
    X, y = binary_data
    path = tmp_path / "log.csv"
    clf = small_classifier(epochs=6, early_stopping=True, n_iter_no_change=50,
                           callbacks=[keras.callbacks.CSVLogger(path)]).fit(X, y)
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == ["epoch", "learning_rate", "loss", "val_loss"]
    assert len(lines) == 1 + 6
    assert float(lines[-1].split(",")[2]) == pytest.approx(clf.history_["loss"][-1])


def test_tensorboard_writes_epoch_scalars(binary_data, tmp_path):
    pytest.importorskip("tensorboard")
    import tensorflow as tf

    X, y = binary_data
    small_classifier(epochs=3, early_stopping=True, n_iter_no_change=50,
                     callbacks=[keras.callbacks.TensorBoard(tmp_path)]).fit(X, y)
    tags = {}
    for part in ("train", "validation"):
        for event_file in (tmp_path / part).glob("events.out.tfevents.*"):
            for event in tf.compat.v1.train.summary_iterator(str(event_file)):
                for value in event.summary.value:
                    tags[(part, value.tag)] = tags.get((part, value.tag), 0) + 1
    assert tags[("train", "epoch_loss")] == 3
    assert tags[("validation", "epoch_loss")] == 3


class _Blowup(keras.callbacks.Callback):
    """Raises the learning rate enormously after the second epoch."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            self.model.optimizer.learning_rate = 1e30


def test_terminate_on_nan_keeps_the_last_finite_weights(binary_data):
    X, y = binary_data
    params = dict(epochs=10, optimizer="sgd", activation="identity", input_scaling=None)
    with pytest.raises(ValueError, match="diverged at epoch 3"):
        small_classifier(callbacks=[_Blowup()], **params).fit(X, y)
    with pytest.warns(UserWarning, match="TerminateOnNaN stopped training"):
        clf = small_classifier(callbacks=[_Blowup(), keras.callbacks.TerminateOnNaN()],
                               **params).fit(X, y)
    assert clf.n_iter_ == 2
    # exactly the model of a fit that ran two epochs
    two_epochs = small_classifier(**{**params, "epochs": 2}).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), two_epochs.predict_proba(X))


def test_learning_rate_schedule_is_clonable_and_searchable(binary_data):
    X, y = binary_data
    cosine = keras.optimizers.schedules.CosineDecay(0.02, decay_steps=1000)
    clf = small_classifier(epochs=4, learning_rate=cosine).fit(X, y)
    rates = clf.history_["learning_rate"]
    assert rates[0] < 0.02 and all(a > b for a, b in zip(rates, rates[1:]))
    # the schedule restarts with each fit: a refit gives the same model
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict_proba(X), clf.predict_proba(X))
    exponential = keras.optimizers.schedules.ExponentialDecay(0.02, 10, 0.5)
    search = GridSearchCV(small_classifier(epochs=4),
                          {"learning_rate": [cosine, exponential, 0.01]}, cv=2).fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 3
    with pytest.raises(TypeError, match="learning_rate.*LearningRateSchedule"):
        small_classifier(learning_rate="fast").fit(X, y)


def test_pickle_clone_and_save_with_callbacks(binary_data, tmp_path):
    X, y = binary_data
    cosine = keras.optimizers.schedules.CosineDecay(0.02, decay_steps=50)
    clf = small_classifier(epochs=3, learning_rate=cosine,
                           callbacks=[keras.callbacks.CSVLogger(tmp_path / "log.csv")])
    assert pickle.loads(pickle.dumps(clf)).get_params()["callbacks"][0].filename.endswith(
        "log.csv")
    clf.fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(twin.predict_proba(X), clf.predict_proba(X))
    copy.deepcopy(clf)
    clf.save(tmp_path / "m.skb")
    loaded = load(tmp_path / "m.skb")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # callbacks may hold code and are not stored; the schedule is, as data
    assert loaded.callbacks is None
    assert loaded.learning_rate.get_config() == cosine.get_config()


def test_grid_search_in_parallel_workers_with_callbacks(binary_data, capfd):
    X, y = binary_data
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=1)
    search = GridSearchCV(small_classifier(epochs=3, verbose=2, callbacks=[plateau]),
                          {"hidden_layer_sizes": [(4,), (8,)]}, cv=2, n_jobs=2,
                          refit=False).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert "Epoch" not in capfd.readouterr().out  # parallel workers stay quiet


@pytest.mark.parametrize("bad, match", [
    ("not a list", "must be None or a list"),
    ([keras.callbacks.CSVLogger], "pass CSVLogger\\(...\\) instead"),
    ([print], "keras.callbacks.Callback instances"),
])
def test_bad_callbacks_are_refused(binary_data, bad, match):
    X, y = binary_data
    with pytest.raises(TypeError, match=match):
        small_classifier(callbacks=bad).fit(X, y)


class _Broken(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        raise ZeroDivisionError("oops")


def test_a_raising_callback_names_itself_and_keeps_the_old_model(binary_data):
    X, y = binary_data
    clf = small_classifier(epochs=3).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(RuntimeError, match="_Broken raised ZeroDivisionError in on_epoch_end"):
        clf.set_params(callbacks=[_Broken()]).fit(X[:, :5], y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


class _PerBatch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


def test_batch_hooks_are_not_called_and_say_so(binary_data):
    X, y = binary_data
    with pytest.warns(UserWarning, match="on_train_batch_end, which skbinary does not call"):
        small_classifier(epochs=1, callbacks=[_PerBatch()]).fit(X, y)


def test_progress_goes_to_the_stream_given(binary_data, capsys):
    X, y = binary_data
    out = io.StringIO()
    small_classifier(epochs=3, callbacks=[ProgressLogger(2, stream=out)]).fit(X, y)
    assert out.getvalue().count("Epoch ") == 3
    assert capsys.readouterr().out == ""
