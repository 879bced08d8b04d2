"""The estimator's own training callbacks: early stopping and progress.

They are Keras callbacks like any the user passes in ``callbacks=``, notified
by :func:`skbinary._engine.train` with the same ``logs``; the loop itself knows
neither scores nor printing. This module imports Keras, so the estimator
imports it only when a fit starts.
"""

import contextlib
import copy
import multiprocessing
import sys
import time
import warnings

from . import _tf

_tf.import_tensorflow()  # before Keras: without TensorFlow's start-up chatter

import keras  # noqa: E402
import numpy as np  # noqa: E402


class BestEpochStopping(keras.callbacks.Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; keep the best.

    Unlike ``keras.callbacks.EarlyStopping`` with its defaults, the weights of
    the best epoch are always restored at the end of training, also after
    Ctrl-C, and a non-finite value never counts as an improvement.

    Parameters
    ----------
    monitor : str
        Key of the epoch logs, e.g. ``"val_loss"``.
    greater_is_better : bool
        Whether larger values of ``monitor`` are better.
    patience : int
        Epochs without improvement before training stops.
    stream : file-like or None, default=None
        Where to say that training stopped (``None``: silent).
    tol : float, default=0.0
        An epoch improves only when it beats the best value so far by more
        than ``tol`` (``MLPClassifier``'s rule); the weights restored are
        those of the best value all the same.
    """

    # ``model.get_weights``' faster equal, set by the training loop (one call)
    read_weights = None

    def __init__(self, monitor, greater_is_better, patience, stream=None, tol=0.0):
        super().__init__()
        self.monitor = monitor
        self.greater_is_better = greater_is_better
        self.patience = patience
        self.stream = stream
        self.tol = tol

    def on_train_begin(self, logs=None):
        self.best, self.best_epoch, self.best_weights, self.wait = -np.inf, None, None, 0

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        current = value if self.greater_is_better else -value
        if np.isfinite(current) and current > self.best:
            improved = current > self.best + self.tol
            self.best, self.best_epoch = current, epoch
            self.best_weights = (self.read_weights or self.model.get_weights)()
            if improved:
                self.wait = 0
                return
        self.wait += 1
        if self.wait >= self.patience:
            self.model.stop_training = True
            if self.stream is not None:
                print(f"Early stopping: {self.monitor} has not improved for "
                      f"{self.patience} epochs; restoring the weights of epoch "
                      f"{self.best_epoch + 1}.", file=self.stream, flush=True)

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        self.best_weights = self.read_weights = None  # free the copy; let go of the trainer


def in_worker_process():
    """True inside a worker process (joblib/loky, multiprocessing, Dask)."""
    if multiprocessing.parent_process() is not None:
        return True
    return "LokyProcess" in type(multiprocessing.current_process()).__name__


class ProgressLogger(keras.callbacks.Callback):
    """Training progress in Keras' conventions.

    ``verbose=1`` draws one Keras ``Progbar`` for the whole fit, advanced each
    epoch with the logs; ``verbose=2`` prints one line per epoch. Output goes
    to ``stream`` (by default ``sys.stdout`` at the time of writing, so
    ``contextlib.redirect_stdout`` works). Inside parallel workers (a
    ``GridSearchCV(n_jobs=2)``, Dask) it stays quiet unless ``stream`` is given.

    Parameters
    ----------
    verbose : {1, 2}, default=1
        1 for a progress bar, 2 for one line per epoch.
    stream : file-like or None, default=None
        Where to write; ``None`` means ``sys.stdout``.

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import make_classification
    >>> from skbinary import KerasBinaryClassifier
    >>> from skbinary.callbacks import ProgressLogger
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> out = io.StringIO()
    >>> clf = KerasBinaryClassifier(hidden_layer_sizes=(8,), epochs=3,
    ...                             callbacks=[ProgressLogger(2, stream=out)],
    ...                             random_state=0).fit(X, y)
    >>> out.getvalue().count("Epoch ")
    3
    """

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream

    def _out(self):
        return self.stream if self.stream is not None else sys.stdout

    def on_train_begin(self, logs=None):
        self._quiet = self.stream is None and in_worker_process()
        self._start = time.perf_counter()
        self._seen = 0
        self._bar = None
        if self.verbose == 1 and not self._quiet:
            with contextlib.redirect_stdout(self._out()):
                self._bar = keras.utils.Progbar(self.params["epochs"], unit_name="epoch")

    def on_epoch_begin(self, epoch, logs=None):
        """Start timing the epoch."""
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        """Print the epoch's line, or move the progress bar on."""
        self._seen = epoch + 1
        if self._quiet:
            return
        logs = logs or {}
        if self._bar is not None:
            with contextlib.redirect_stdout(self._out()):
                self._bar.update(epoch + 1, [(k, v) for k, v in logs.items()])
            return
        seconds = time.perf_counter() - self._epoch_start
        parts = " - ".join(f"{k}: {v:.4g}" for k, v in logs.items())
        print(f"Epoch {epoch + 1}/{self.params['epochs']} - {seconds:.3f}s - {parts}",
              file=self._out(), flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None and self._seen < self.params["epochs"]:
            # Stopped early: close the bar where it is.
            with contextlib.redirect_stdout(self._out()):
                self._bar.update(self._seen, finalize=True)


def fresh_copy(callback):
    """A deep copy of ``callback`` for one fit, sharing the streams it writes to.

    Each fit works on its own copy, so no state leaks from one fit (or
    cross-validation fold) to the next and the caller's instance is never
    used. Open files and streams (anything with ``write``) are shared, not
    copied: a logger keeps writing where it was pointed.
    """
    memo = {id(v): v for v in vars(callback).values() if hasattr(v, "write")}
    return copy.deepcopy(callback, memo)


# Methods that skbinary's loop never calls: an epoch is one compiled call.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin",
                "on_train_batch_end", "on_test_begin", "on_test_end",
                "on_test_batch_begin", "on_test_batch_end", "on_predict_begin",
                "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end")


def warn_batch_hooks(callbacks):
    """Warn once per callback class that overrides hooks the loop never calls.

    Keras' own callbacks are left out when they work per epoch (their batch
    hooks only act at a batch frequency the user did not ask for).
    """
    for cb in callbacks:
        cls = type(cb)
        if cls.__module__.startswith(("keras.", "skbinary.")) and not _batch_frequency(cb):
            continue
        hooks = [h for h in _BATCH_HOOKS
                 if getattr(cls, h, None) is not getattr(keras.callbacks.Callback, h)]
        if isinstance(cb, keras.callbacks.TerminateOnNaN):
            continue  # handled by the loop at the end of each epoch
        if hooks:
            warnings.warn(
                f"{cls.__name__} defines {', '.join(hooks)}, which skbinary does not "
                "call: each epoch runs as one compiled TensorFlow call, so only "
                "on_train_begin/end and on_epoch_begin/end are called (with loss, "
                "val_* and learning_rate in logs).",
                UserWarning,
                stacklevel=4,
            )


def _batch_frequency(cb):
    """Whether a Keras callback was asked to act every N batches."""
    for attr in ("save_freq", "update_freq"):
        value = getattr(cb, attr, "epoch")
        if value not in ("epoch", None):
            return True
    return False
