"""The learned network of a fitted estimator, in one named object.

:class:`FittedNetwork` is everything ``fit``, ``partial_fit``, ``load`` and
``from_scikeras`` leave behind about the network, and the one place that
decides how it predicts:

* the built-in network: its weights, its architecture as fitted and a float64
  numpy forward plan (``predict`` never calls Keras); the Keras model is rebuilt
  from the weights when ``model_`` is asked for;
* a user's network (``custom``): the Keras model itself, and a forward plan
  when it is a plain dense stack (else ``predict`` calls Keras);
* ``partial_fit``'s own trainer, kept between calls; a pickle keeps its
  optimizer's state instead, restored on the next call.
"""

import numbers
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from . import _network

# Rows a numpy forward pass takes at once: each layer's output for a block stays
# in the CPU's cache instead of going to memory and back (on 1M rows of the
# default network, one BLAS thread: 2.5 s in 65,536-row chunks, 1.4 s in blocks).
_PREDICT_BLOCK = 2048
_THREADED_ROWS = 4 * _PREDICT_BLOCK  # from here, blocks are shared among threads
# A plan with a piecewise encoding holds a few more arrays of its widest layer's
# width (the encoding and its float32 product): half the rows keep them in
# cache (1M rows, 2 threads: 2.65 s against 2.82 s in 2,048-row blocks, median
# of 7 on a shared machine; 6.7 ms against 4.8 ms per 2,048 rows on one thread).
_ENCODED_BLOCK = _PREDICT_BLOCK // 2


def _block_rows(plan):
    """Rows a block of ``plan``'s forward pass takes (a divisor of ``_PREDICT_BLOCK``)."""
    return _ENCODED_BLOCK if any(step[0] == "piecewise" for step in plan) else _PREDICT_BLOCK
_KERAS_CHUNK = 8192  # rows a call of a user's Keras model takes at once

_blas = None
_blas_lock = threading.Lock()


def _blas_libraries():
    """The BLAS libraries numpy's products may run in, found once (it costs ms).

    Each as ``(get_num_threads, set_num_threads)`` from threadpoolctl. Only
    numpy's own copy where it ships one (numpy's wheels: a BLAS inside
    numpy's installation; scipy's copy does no product of a forward pass),
    else every BLAS library loaded. threadpoolctl (3.6 and later) ignores a
    pthreads OpenBLAS's ``set_num_threads`` from every Python thread but the
    one that set it last while that one is alive, so a prediction in a
    worker thread would silently keep BLAS's threads: its underlying setter
    is used where it has one (the sharing among threads is
    :class:`_OneBlasThread`'s count).
    """
    global _blas
    with _blas_lock:
        if _blas is None:
            from threadpoolctl import ThreadpoolController

            libs = ThreadpoolController().select(user_api="blas").lib_controllers
            home = os.path.realpath(os.path.dirname(np.__file__))
            own = [lib for lib in libs
                   if os.path.realpath(lib.filepath).startswith((home + os.sep,
                                                                 home + ".libs" + os.sep))]
            _blas = tuple((lib.get_num_threads,
                           getattr(lib, "_real_set_num_threads", lib.set_num_threads))
                          for lib in own or libs)
        return _blas


class _OneBlasThread:
    """Hold the BLAS libraries to one thread while predictions run.

    A row's logit must not depend on the batch around it, and BLAS threads
    split a product's rows among themselves at places that depend on the
    batch size (see :func:`~skbinary._network.forward_logit`), so every
    forward pass, small batches included, runs one BLAS thread. The limit is
    process-wide (BLAS has no per-thread one): the first prediction to start
    sets it, the last to end restores what it found, so concurrent
    predictions never leave it changed. ``with`` gives how many threads BLAS
    had (the most over the libraries), the threads ``_forward_blocks``
    shares blocks among. One instance, :data:`_one_blas_thread`; a class
    rather than a generator: it is entered on every prediction.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._saved = []  # (a library's setter, threads it had) for those set to one
        self._had = 1

    def __enter__(self):
        with self._lock:
            if self._users == 0:
                saved, most = [], 1
                for get, set_ in (_blas if _blas is not None else _blas_libraries()):
                    threads = get()
                    if threads is not None and threads != 1:
                        saved.append((set_, threads))
                        most = max(most, threads)
                        set_(1)
                self._saved, self._had = saved, most
            self._users += 1
            return self._had

    def __exit__(self, *exc):
        with self._lock:
            self._users -= 1
            if self._users == 0:
                for set_, threads in self._saved:
                    set_(threads)
                self._saved = []
        return False


_one_blas_thread = _OneBlasThread()


def _forward_blocks(plan, X, threads):
    """The logit of ``X`` (more than one block of rows) by blocks, in threads.

    A block's matrix products are small: OpenBLAS's own threads cost more than
    they give there (several times slower on 1M rows when the cores are
    shared), so BLAS runs one thread (the caller holds it there) while the
    blocks are shared among as many threads as it had, at most one a CPU
    (numpy and BLAS release the GIL). Each row's logit is the same whatever
    the block or thread (see :func:`~skbinary._network.forward_logit`).
    """
    n = X.shape[0]
    logit = np.empty(n)
    block = _block_rows(plan)

    def run(start):
        with np.errstate(over="ignore", invalid="ignore"):  # per thread: set it here
            logit[start:start + block] = _network.forward_logit(plan, X[start:start + block])

    threads = min(threads, os.cpu_count() or 1) if n >= _THREADED_ROWS else 1
    if threads == 1:
        for start in range(0, n, block):
            run(start)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, range(0, n, block)))
    return logit


def as_float32(X):
    """``X`` as a C-contiguous float32 ndarray, the precision the network trains in.

    ``X`` is finite (validated); a value beyond float32's range (about 3.4e38)
    would become infinite here and NaN in the network, so it is refused.
    """
    with np.errstate(over="ignore"):
        X32 = np.ascontiguousarray(X.toarray() if sp.issparse(X) else X, dtype=np.float32)
    if not np.isfinite(X32).all():
        raise ValueError(
            "X has values too large for float32 (beyond about 3.4e38), the precision "
            "the network computes in. Scale the features (e.g. StandardScaler)."
        )
    return X32


def _refuse_overflow(values, what):
    """Raise when the network's output for some rows is not finite (overflow)."""
    if not np.isfinite(values).all():
        rows = np.flatnonzero(~np.isfinite(values))
        raise ValueError(
            f"The network's {what} overflowed for {len(rows)} row(s) of X (first: row "
            f"{rows[0]}): the input values are too large for it. Scale the features "
            "(e.g. StandardScaler)."
        )


class FittedNetwork:
    """A trained network and how to predict with it.

    Parameters
    ----------
    model : keras.Model
        The trained network.
    custom : bool
        True for a network the user built (``model=``), kept as it is; False
        for the built-in one, kept as weights and rebuilt on demand.
    architecture : dict, default=None
        The built-in network's build arguments as fitted.
    trainer : skbinary._engine.Trainer, default=None
        ``partial_fit``'s trainer, to continue from.
    owned : bool, default=False
        Whether the estimator may keep the built-in ``model`` itself (a loaded
        one); a pooled or partial_fit trainer's model goes on changing, so
        only its weights are kept.
    """

    def __init__(self, model, *, custom, architecture=None, trainer=None, owned=False):
        self.custom = bool(custom)
        self.architecture = None if custom else architecture
        self.n_features = int(model.input_shape[-1])
        self.forward = _network.forward_plan(model)  # None: predict by calling Keras
        self.weights = None if custom else model.get_weights()
        self._model = model if custom or owned else None
        self.trainer = trainer
        self.optimizer_state = None

    def keras_model(self):
        """The Keras network; the built-in one is rebuilt from the weights once."""
        if self._model is None:
            self._model = _network.new_network(self.n_features, self.architecture)
            self._model.set_weights(self.weights)
        return self._model

    def positive_proba(self, X):
        """Positive-class probability (float64) and logit of validated ``X``.

        By the numpy forward plan when there is one (BLAS held to one
        thread meanwhile, see :class:`_OneBlasThread`), else by calling the
        Keras model. Refuses input whose forward pass overflows: never a NaN
        probability.
        """
        if self.forward is not None:
            with np.errstate(over="ignore", invalid="ignore"), \
                    _one_blas_thread as threads:
                if X.shape[0] <= _PREDICT_BLOCK:  # one call: the fast path of a row
                    logit = _network.forward_logit(self.forward, X)
                else:
                    logit = _forward_blocks(self.forward, X, threads)
            _refuse_overflow(logit, "logit")
            return expit(logit), logit
        X32 = as_float32(X)
        out = [np.asarray(self._model(X32[i : i + _KERAS_CHUNK], training=False),
                          np.float64).ravel()
               for i in range(0, X32.shape[0], _KERAS_CHUNK)]
        proba = np.concatenate(out) if out else np.empty(0)
        _refuse_overflow(proba, "probability")
        p = np.clip(proba, 1e-12, 1 - 1e-12)
        return proba, np.log(p) - np.log1p(-p)

    def take_optimizer_state(self):
        """The optimizer state a pickle saved, once (None when there is none)."""
        state, self.optimizer_state = self.optimizer_state, None
        return state

    def __getstate__(self):
        state = self.__dict__.copy()
        if not self.custom:
            state["_model"] = None  # rebuilt from the weights
        trainer = state.pop("trainer")
        state["trainer"] = None
        if trainer is not None:
            state["optimizer_state"] = [v.numpy() for v in trainer.optimizer.variables]
        return state


class FittedState:
    """Everything a fit resolved or learned, in one object.

    ``predict``, ``save``, ONNX export and the command line's model read the
    learned state here, never from the parameters that ``fit`` resolved.

    Parameters
    ----------
    network : FittedNetwork
        The trained network.
    classes : ndarray of shape (2,)
        The sorted labels; ``classes[1]`` is positive.
    history : dict of list of float
        Per-epoch logs.
    interrupted : bool, default=False
        Whether training was stopped by Ctrl-C.
    threshold : float or str or dict
        The decision threshold learned (or given as a float) in ``fit``.
    threshold_for : float or str or dict
        The checked ``threshold`` parameter ``threshold`` was fitted for.
    n_iter : int, default=None
        Epochs run; by default the length of ``history["loss"]``.
    resolved : dict, default=None
        What ``fit`` decided from ``"auto"`` settings and the data:
        ``early_stopping`` (bool), ``batch_size`` (int), ``numeric_embedding``
        and ``training_rows``.
    """

    def __init__(self, network, classes, *, history, threshold, threshold_for,
                 interrupted=False, n_iter=None, resolved=None):
        self.network = network
        self.classes = classes
        self.history = history
        self.n_iter = len(history.get("loss", [])) if n_iter is None else int(n_iter)
        self.interrupted = bool(interrupted)
        self.threshold = float(threshold)
        self.threshold_for = threshold_for
        self.resolved = dict(resolved or {})

    def decision_threshold(self, threshold):
        """The threshold that labels probabilities, given the current ``threshold``.

        A float ``threshold`` is used as it is (a ``set_params`` after ``fit``
        takes effect at once, as documented); an objective (``"f1"``, a
        target dict) uses the threshold learned for it in ``fit``.

        Raises
        ------
        ValueError
            If ``threshold`` is an objective other than the one fitted.
        """
        if isinstance(threshold, numbers.Real):
            return float(threshold)
        if threshold != self.threshold_for:
            raise ValueError(
                f"threshold={threshold!r} is learned in fit, but this estimator "
                f"was fitted with threshold={self.threshold_for!r}: call fit again."
            )
        return self.threshold
