"""KerasBinaryClassifier: a Keras sigmoid network as a scikit-learn classifier."""

import contextlib
import copy
import functools
import inspect
import numbers
import random
import sys
import threading
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _engine, _network, _tf
from ._checks import (
    OPTIMIZERS,
    check_binary_target,
    check_hidden_layer_sizes,
    check_params,
    check_sample_weight,
    check_threshold,
    schedule_key,
)
from .metrics import choose_threshold

_ACCEPT_SPARSE = ["csr", "csc"]
_PREDICT_CHUNK = 65536
_FAST_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

# Scores early stopping can watch besides the loss (higher is better).
_SCORES = {"roc_auc": roc_auc_score, "average_precision": average_precision_score}

# early_stopping="auto" holds out a validation split from this many rows on.
_AUTO_EARLY_STOPPING_MIN_SAMPLES = 100
# batch_size="auto": about this many minibatches an epoch, within this range.
_AUTO_BATCHES_PER_EPOCH = 64
_AUTO_BATCH_RANGE = (32, 512)


# Serialises every use of the global generators (network builds, seeding):
# concurrent fits then equal serial ones and leave the globals as they were.
_GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def _global_rng_preserved(seed=None):
    """Hold the global-RNG lock; restore Python's and numpy's global RNGs on exit.

    Building Keras layers draws default seeds from Python's ``random``; with
    ``seed``, Keras/TensorFlow are also seeded (for a user-built model). Keras
    offers no way to build a model from a private generator, so the build runs
    under a process-wide lock: two threads never see each other's seed, and
    the generators are restored before another thread can draw from them.
    Training needs no lock: once built, Keras layers draw from their own seed
    generators, not the global ones.
    """
    with _GLOBAL_RNG_LOCK:
        py_state, np_state = random.getstate(), np.random.get_state()
        try:
            if seed is not None:
                import keras

                keras.utils.set_random_seed(seed)
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


def _as_float32(X):
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


def _watched_score(scoring, validation):
    """``scoring``, or "loss" when the score is undefined on the validation split.

    ROC-AUC and average precision need both classes with a positive weight
    among the held-out rows; otherwise early stopping watches the validation
    loss, with a warning that says so.
    """
    if scoring == "loss" or validation is None:
        return scoring
    _, y_val, w_val = validation
    if w_val[y_val == 1].sum() > 0 and w_val[y_val == 0].sum() > 0:
        return scoring
    warnings.warn(
        f"early_stopping: scoring={scoring!r} is undefined on the validation split, in "
        "which only one class has a positive sample weight; early stopping watches "
        "the validation loss instead. Use more data or a larger validation_fraction to "
        f"use {scoring!r}.",
        UserWarning,
        stacklevel=4,
    )
    return "loss"


def _sampler_weighted(validation, y_train, y_resampled):
    """Weigh the validation rows' classes as the sampler weighs the training rows.

    Like ``class_weight``, which weighs the validation loss too, so that early
    stopping judges the model on the class balance it is trained for.
    """
    X_val, y_val, w_val = validation
    share = [np.mean(y_resampled == k) / np.mean(y_train == k) for k in (0, 1)]
    factor = np.asarray(share, np.float32)[y_val.astype(np.intp)]
    return X_val, y_val, (w_val * factor).astype(np.float32)


def _positive_proba(forward, model, X):
    """Positive-class probability (float64) and logit of validated ``X``.

    By the numpy ``forward`` plan when there is one, else by calling the Keras
    ``model``. Refuses input whose forward pass overflows: never a NaN
    probability.
    """
    if forward is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            if X.shape[0] <= _PREDICT_CHUNK:
                logit = _network.forward_logit(forward, X)
            else:
                logit = np.concatenate([
                    _network.forward_logit(forward, X[i : i + _PREDICT_CHUNK])
                    for i in range(0, X.shape[0], _PREDICT_CHUNK)
                ])
        _refuse_overflow(logit, "logit")
        return expit(logit), logit
    X32 = _as_float32(X)
    out = [np.asarray(model(X32[i : i + 8192], training=False), np.float64).ravel()
           for i in range(0, X32.shape[0], 8192)]
    proba = np.concatenate(out) if out else np.empty(0)
    _refuse_overflow(proba, "probability")
    p = np.clip(proba, 1e-12, 1 - 1e-12)
    return proba, np.log(p) - np.log1p(-p)


class KerasBinaryClassifier(ClassifierMixin, BaseEstimator):
    """Keras neural network binary classifier with one sigmoid output.

    A dense network (ReLU hidden layers, optional dropout, batch normalisation
    and L2, one sigmoid output unit) trained with binary cross-entropy, that
    scikit-learn treats as a classifier: it works in ``Pipeline``,
    ``GridSearchCV``, ``cross_validate``, imbalanced-learn pipelines,
    ``TunedThresholdClassifierCV``, ``CalibratedClassifierCV`` and soft voting,
    and swaps with ``LogisticRegression`` or ``MLPClassifier``.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(64, 32)
        Units of each hidden layer. ``()`` gives a logistic-regression network.
    activation : {"relu", "tanh", "logistic", "elu", "selu", "gelu", "silu", \
"identity"}, default="relu"
        Activation of the hidden layers.
    dropout : float in [0, 1), default=0.0
        Dropout rate applied after each hidden layer during training.
    l2 : float, default=0.0
        L2 penalty on every kernel, added to the loss (Keras ``L2``).
    batch_norm : bool, default=False
        Batch normalisation before each hidden activation.
    input_scaling : {"standard", "robust", None}, default="standard"
        How the network scales its inputs, with statistics from the training
        data, in frozen layers that are part of ``model_``. ``"standard"``:
        the mean and standard deviation, as ``StandardScaler`` (so a forgotten
        scaler costs nothing); 0/1 indicator columns (one-hot) are left as
        they are. ``"robust"``: centred on the median, divided
        by a robust spread (interquartile range / 1.349, half the range for
        binary-like columns) and softly clipped to +-3 with ``3 * tanh(x /
        3)`` (RealMLP's preprocessing), for heavy tails and outliers; it lost
        a little on already standardised data in our benchmark. ``None``
        feeds the features as they are.
    ensemble_size : int, default=4
        Number of networks trained side by side in one network and averaged
        (TabM's cheap ensemble, Gorishniy et al. 2024): each hidden layer is
        ``ensemble_size`` times wider with block-diagonal kernels, each member
        learns from its own loss, and ``predict_proba`` is the sigmoid of the
        members' mean logit. Averaging removes much of a single network's
        seed-to-seed variance, at a fraction of the cost of separate fits.
    optimizer : {"adam", "adamw", "nadam", "adamax", "rmsprop", "sgd", \
"adagrad"}, default="adam"
        Keras optimizer.
    learning_rate : float or keras.optimizers.schedules.LearningRateSchedule, \
default=1e-3
        Learning rate of the optimizer, or a Keras schedule of it (for
        example ``CosineDecay``), which restarts with each fit.
    weight_decay : float, default=0.0
        Decoupled weight decay of the optimizer (as in AdamW; Keras'
        ``weight_decay``).
    batch_size : int or "auto", default="auto"
        Minibatch size (capped at the number of training rows). ``"auto"``
        grows with the data: about 64 minibatches an epoch, between 32 and 512
        rows each.
    epochs : int, default=200
        Most passes over the training data.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the training data (a stratified,
        shuffled split), stop when the validation ``scoring`` has not improved
        for ``n_iter_no_change`` epochs, and restore the weights of the best
        epoch. ``"auto"`` does so from 100 training rows on.
    validation_fraction : float in (0, 1), default=0.2
        Share of the training data held out for early stopping (and for a
        learned ``threshold``). A fifth judges the best epoch more reliably
        than a tenth on small data; in our benchmark it was better on the
        mean log loss and ROC-AUC despite the smaller training part.
    n_iter_no_change : int, default=20
        Patience of early stopping, in epochs.
    scoring : {"loss", "roc_auc", "average_precision"}, default="loss"
        What early stopping watches on the validation split: the log loss
        (lower is better), or ROC-AUC or average precision (PR-AUC, higher is
        better; useful on imbalanced data), computed with ``sklearn.metrics``.
        When the validation split holds weight of one class only (the score is
        then undefined), a ``UserWarning`` says so and the loss is watched.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes, keyed by the labels as passed to ``fit``.
        ``"balanced"`` uses ``n_samples / (2 * np.bincount(y))``. Computed at
        each ``fit`` (so per cross-validation fold) and multiplied into
        ``sample_weight``; the caller's arrays are never modified.
    threshold : float in (0, 1), "f1" or dict, default=0.5
        ``predict`` returns the positive class ``classes_[1]`` where
        ``predict_proba(X)[:, 1] >= threshold_``. A float is used as it is: it
        may be changed after ``fit`` and is checked again by ``predict``.
        An objective is learned in ``fit`` on the held-out validation split
        by :func:`skbinary.metrics.choose_threshold`: ``"f1"`` (best F1),
        ``{"recall": r}`` (the best precision with recall >= ``r``) or
        ``{"precision": p}`` (the best recall with precision >= ``p``). The
        held-out rows are the early-stopping split; without early stopping,
        ``fit`` still holds out ``validation_fraction`` of the rows (stratified)
        to choose the threshold and trains on the rest. They are weighted by
        ``sample_weight`` (not by ``class_weight``). A target no threshold
        reaches on them raises ``ValueError``.
    sampler : imbalanced-learn sampler or None, default=None
        Resample the training rows afresh at every epoch, for example
        ``RandomUnderSampler()`` (each epoch sees a different slice of the
        majority class), ``RandomOverSampler()`` or ``SMOTE()``. Only the
        training part is resampled, never the validation split. Each epoch
        uses a clone of the sampler with a ``random_state`` derived from the
        fit's seed and the epoch, so an int ``random_state`` reproduces the
        fit. The sampler sees the features as given to ``fit``. Rows it keeps
        or repeats (``sample_indices_``) keep their weight; rows it makes up
        (SMOTE) weigh the mean weight of their class. Weights are rescaled to
        a mean of 1 each epoch. As with ``class_weight``, the validation loss
        of early stopping weighs the classes as the first epoch's resampled
        rows do (so that an under-sampled network is not stopped for
        predicting more positives than the raw prevalence).
        ``history_["n_rows"]`` records the rows of each epoch. ``partial_fit``
        refuses a sampler and :meth:`save` does not store it (a loaded
        estimator has ``sampler=None``).
    loss : {"binary_crossentropy", "focal"}, default="binary_crossentropy"
        Training loss. ``"focal"`` is Keras' ``BinaryFocalCrossentropy``,
        which down-weights easy rows so that hard, rare positives count more.
        Early stopping still watches the validation log loss (or ``scoring``).
    focal_gamma : float >= 0, default=2.0
        Focusing parameter ``gamma`` of the focal loss (0 is cross-entropy).
    focal_alpha : float in (0, 1) or None, default=None
        Class balance of the focal loss: the weight ``alpha`` of the positive
        class and ``1 - alpha`` of the negative (Keras'
        ``apply_class_balancing=True``). None applies no class balancing.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks (``ReduceLROnPlateau``, ``LearningRateScheduler``,
        ``EarlyStopping``, ``ModelCheckpoint``, ``CSVLogger``,
        ``TensorBoard``, ``TerminateOnNaN`` or your own). Each fit uses fresh
        deep copies (streams they write to are shared), so nothing leaks from
        one fit or cross-validation fold to the next. They get
        ``on_train_begin/end`` and ``on_epoch_begin/end`` with ``loss``,
        ``val_loss``, ``val_<scoring>`` and ``learning_rate`` in ``logs``, may
        set ``model.stop_training``, and see the network being trained as
        ``self.model`` (its optimizer as ``self.model.optimizer``).
        Batch-level hooks are not called (an epoch is one compiled TensorFlow
        call); a callback that defines them gets a warning. Callbacks are not
        stored by :meth:`save`.
    model : None or callable, default=None
        Escape hatch for your own architecture: a function returning a Keras
        model with one sigmoid output of shape ``(None, 1)``. It is called with
        the keyword arguments it accepts among ``n_features_in``, ``meta`` (a
        dict with ``n_features_in_``, ``classes_``, ``n_classes_``,
        ``target_type_``, ``n_outputs_``, ``n_outputs_expected_``) and
        ``compile_kwargs`` (scikeras style); bind any other hyperparameters
        with ``functools.partial``. If the model is not compiled,
        ``optimizer`` and ``learning_rate`` are used; if it is, its optimizer
        is kept. It is trained with ``loss``. The architecture
        parameters above are then ignored. A model instance is refused (every
        fit needs fresh weights, and the clones of a grid search must not share
        one network): pass ``lambda: keras.models.clone_model(m)``. A plain
        ``keras.Sequential`` of
        Dense/BatchNormalization/Activation/Dropout layers is predicted by
        the fast numpy path; other networks by calling Keras.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. An int makes two fits give identical predictions on CPU. The
        built-in network is seeded without touching global random state; a
        custom ``model`` is built under ``keras.utils.set_random_seed`` while
        holding a process-wide lock, after which Python's and numpy's global
        generators are restored (TensorFlow's global seed stays set). So fits
        in concurrent threads give what they give one after the other.
    verbose : {0, 1, 2}, default=0
        As in Keras: 0 is silent, 1 draws a progress bar for the fit (one
        step per epoch, with the logs), 2 prints one line per epoch. Output
        goes to ``sys.stdout`` (redirectable); inside parallel workers
        (``GridSearchCV(n_jobs=2)``, Dask) fits stay quiet. For another
        stream pass ``callbacks=[skbinary.callbacks.ProgressLogger(1,
        stream=...)]``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the positive class.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.
    model_ : keras.Model
        The trained Keras network (sigmoid output). The architecture is fixed
        at ``fit``: changing ``hidden_layer_sizes``, ``activation``,
        ``dropout``, ``l2`` or ``batch_norm`` afterwards affects only the next
        ``fit``, not ``model_``, ``save`` or ``partial_fit``.
    history_ : dict of list of float
        Per-epoch ``loss`` and ``learning_rate``, and with early stopping
        ``val_loss`` and ``val_<scoring>`` when ``scoring`` is not
        ``"loss"`` (everything in the epoch logs); with a ``sampler``,
        ``n_rows``, the training rows of each epoch after resampling.
    threshold_ : float
        The threshold ``predict`` applies: ``threshold`` itself when it is a
        float, else the one learned in ``fit`` on the held-out rows.
    n_iter_ : int
        Number of epochs run.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron in numpy.
    sklearn.linear_model.LogisticRegression : The linear baseline.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skbinary import KerasBinaryClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = KerasBinaryClassifier(hidden_layer_sizes=(16,), epochs=50,
    ...                             random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        dropout=0.0,
        l2=0.0,
        batch_norm=False,
        input_scaling="standard",
        ensemble_size=4,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        batch_size="auto",
        epochs=200,
        early_stopping="auto",
        validation_fraction=0.2,
        n_iter_no_change=20,
        scoring="loss",
        class_weight=None,
        threshold=0.5,
        sampler=None,
        loss="binary_crossentropy",
        focal_gamma=2.0,
        focal_alpha=None,
        callbacks=None,
        model=None,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l2 = l2
        self.batch_norm = batch_norm
        self.input_scaling = input_scaling
        self.ensemble_size = ensemble_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.scoring = scoring
        self.class_weight = class_weight
        self.threshold = threshold
        self.sampler = sampler
        self.loss = loss
        self.focal_gamma = focal_gamma
        self.focal_alpha = focal_alpha
        self.callbacks = callbacks
        self.model = model
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ fit

    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` and the binary target ``y``.

        Everything is validated before any learned attribute changes: a fit
        that fails on bad input leaves a fitted estimator as it was. On Ctrl-C
        (KeyboardInterrupt) the estimator keeps the weights reached so far (the
        best on validation with early stopping), warns, sets
        ``interrupted_=True`` and re-raises the interrupt.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; pandas DataFrames keep their column names.
        y : array-like of shape (n_samples,)
            Two distinct labels (ints, bools or strings).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights, multiplied by ``class_weight``.

        Returns
        -------
        self : KerasBinaryClassifier
            The fitted estimator.
        """
        check_params(self)
        _tf.import_tensorflow()
        saved = {k: self.__dict__[k] for k in ("n_features_in_", "feature_names_in_")
                 if k in self.__dict__}
        try:
            return self._fit(X, y, sample_weight)
        except Exception:
            # validate_data already reset these two; put the fitted ones back.
            for k in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(k, None)
            self.__dict__.update(saved)
            raise

    def _fit(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE,
                             dtype=[np.float64, np.float32])
        classes, y_enc = check_binary_target(y)
        weights = self._sample_weights(sample_weight, classes, y_enc)
        n_features = X.shape[1]
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

        X32 = _as_float32(X)
        y32 = y_enc.astype(np.float32)
        w32 = weights.astype(np.float32)
        validation = None
        early_stopping = self._early_stopping_on(len(y32))
        objective = check_threshold(self.threshold)
        train_idx = val_idx = None
        if early_stopping or objective is not None:
            train_idx, val_idx = self._validation_split(y_enc, seed)
            validation = (X32[val_idx], y32[val_idx], w32[val_idx])
            X32, y32, w32 = X32[train_idx], y32[train_idx], w32[train_idx]
        scoring = _watched_score(self.scoring, validation)
        callbacks = self._callbacks(early_stopping, scoring)
        epoch_data, n_rows, batch_rows = None, None, len(y32)
        if self.sampler is not None:
            epoch_data, n_rows = self._epoch_sampler(
                X if train_idx is None else X[train_idx], classes, X32, y32, w32, seed)
            batch_rows = n_rows[0]
            if validation is not None:
                validation = _sampler_weighted(validation, y32, epoch_data(0)[1])

        architecture = self._current_architecture() if self.model is None else None
        if self.model is None:
            key, trainer = self._builtin_trainer(n_features, seed, architecture, X32)
        else:
            key, trainer = None, self._custom_trainer(n_features, classes, seed)
        try:
            with _tf.own_graphs():
                history, interrupted = _engine.train(
                    trainer, X32, y32, w32,
                    epochs=self.epochs, batch_size=self._batch_size(batch_rows), seed=seed,
                    validation=validation, metrics=self._validation_metrics(scoring),
                    callbacks=callbacks, epoch_data=epoch_data,
                )
            if key is not None:
                weights_ = trainer.model.get_weights()
                params_ = _network.forward_plan(trainer.model)
            if objective is not None:
                val_proba = _positive_proba(
                    params_ if key is not None else _network.forward_plan(trainer.model),
                    trainer.model, X[val_idx])[0]
        finally:
            if key is not None:
                _engine.release(key, trainer)
        if n_rows is not None:
            history["n_rows"] = n_rows[: len(history.get("loss", []))]
        threshold = float(self.threshold) if objective is None else self._learn_threshold(
            objective, val_proba, y_enc[val_idx],
            None if sample_weight is None
            else check_sample_weight(sample_weight, len(y_enc))[val_idx])

        # Learned state is set only now, all at once.
        self.__dict__.pop("_partial_trainer", None)
        self.__dict__.pop("_partial_optimizer", None)
        self._set_learned(trainer, key is None, classes, history, interrupted,
                          weights_ if key is not None else None,
                          params_ if key is not None else None, architecture)
        self.threshold_ = threshold
        self._threshold_for = copy.deepcopy(self.threshold)
        if interrupted:
            # The estimator is usable; let the interrupt stop the caller's loop
            # (a GridSearchCV, a script) as Ctrl-C should.
            raise KeyboardInterrupt
        return self

    def _set_learned(self, trainer, custom, classes, history, interrupted,
                     weights=None, params=None, architecture=None):
        self.classes_ = classes
        self.history_ = history
        self.n_iter_ = len(history.get("loss", []))
        if custom:
            self._custom_model = trainer.model
            self._forward = _network.forward_plan(trainer.model)  # None: call Keras
            self.__dict__.pop("_weights", None)
            self.__dict__.pop("_architecture", None)
        else:
            if architecture is not None:
                self._architecture = architecture
            self._weights = weights if weights is not None else trainer.model.get_weights()
            self._forward = params if params is not None else _network.forward_plan(
                trainer.model)
            self._keras_model = None
            self.__dict__.pop("_custom_model", None)
        self.interrupted_ = interrupted

    def _learn_threshold(self, objective, proba, y_val, sample_weight):
        """The threshold ``choose_threshold`` picks on the held-out rows."""
        try:
            return choose_threshold(y_val, proba, pos_label=1, sample_weight=sample_weight,
                                    **objective).threshold
        except ValueError as exc:
            raise ValueError(
                f"threshold={self.threshold!r} cannot be learned on the {len(y_val)} "
                f"held-out rows ({int(np.sum(y_val))} positive): {exc}"
            ) from None

    def _epoch_sampler(self, X, classes, X32, y32, w32, seed):
        """``epoch_data`` for ``_engine.train`` resampling the training rows each epoch.

        Returns the callable and the list of rows per epoch it fills; epoch 0
        is drawn now, so that a failing sampler fails before training.
        """
        from sklearn.base import clone

        y_enc = y32.astype(np.intp)
        labels = classes[y_enc]
        counts = ", ".join(f"{label!r}: {n}" for label, n in
                           zip(classes.tolist(), np.bincount(y_enc, minlength=2)))
        class_weight = np.array([w32[y_enc == k].mean() for k in (0, 1)], np.float32)
        n_rows = []

        def resample(epoch):
            sampler = clone(self.sampler)
            if "random_state" in sampler.get_params(deep=False):
                state = np.random.SeedSequence([seed, epoch]).generate_state(1)[0]
                sampler.set_params(random_state=int(state >> 1))
            try:
                Xr, yr = sampler.fit_resample(X, labels)
            except Exception as exc:
                raise ValueError(
                    f"The sampler {self.sampler!r} failed on the {len(y_enc)} training "
                    f"rows (class counts {{{counts}}}): {exc}"
                ) from exc
            idx = getattr(sampler, "sample_indices_", None)
            if idx is not None:  # kept or repeated rows keep their weight
                Xe, ye, we = X32[idx], y32[idx], w32[idx]
            else:
                Xe = np.ascontiguousarray(
                    Xr.toarray() if sp.issparse(Xr) else Xr, dtype=np.float32)
                ye = np.searchsorted(classes, np.asarray(yr)).astype(np.float32)
                we = class_weight[ye.astype(np.intp)]  # made-up rows: class mean
                n = len(y32)
                if (len(ye) >= n and np.array_equal(ye[:n], y32)
                        and np.array_equal(Xe[:n], X32)):  # originals first (SMOTE)
                    we[:n] = w32
            n_rows.append(int(len(ye)))
            return Xe, ye, (we * (len(we) / we.sum())).astype(np.float32)

        first = resample(0)
        return (lambda epoch: first if epoch == 0 else resample(epoch)), n_rows

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one pass over a chunk of data (out-of-core learning).

        As ``MLPClassifier.partial_fit``: each call runs one epoch of minibatch
        updates on ``X, y``, continuing from the current weights and optimizer
        state. The first call needs ``classes``; a chunk may hold a single
        class. ``early_stopping`` and ``epochs`` are not used, and
        ``class_weight="balanced"`` is refused (a dict works). This is what
        ``dask_ml.wrappers.Incremental`` calls for each block of a dask array.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its labels, all among ``classes``.
        classes : array-like of shape (2,), default=None
            Both labels; required on the first call, checked on later ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : KerasBinaryClassifier
            The estimator, trained one more epoch.
        """
        check_params(self)
        _tf.import_tensorflow()
        if self.sampler is not None or check_threshold(self.threshold) is not None:
            raise ValueError(
                "partial_fit trains one epoch on a chunk: it supports neither a "
                f"sampler (got sampler={self.sampler!r}) nor a threshold learned "
                f"on held-out rows (got threshold={self.threshold!r}); use fit."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the class "
                "frequencies of the whole data are unknown. Pass a dict instead."
            )
        first = not hasattr(self, "classes_")
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            all_classes, _ = check_binary_target(np.asarray(classes))
        else:
            all_classes = self.classes_
            if classes is not None and not np.array_equal(np.unique(classes), all_classes):
                raise ValueError(
                    f"classes={list(classes)!r} is not the same as on the first call to "
                    f"partial_fit ({list(all_classes)!r})."
                )
        X, y = validate_data(self, X, y, reset=first, accept_sparse=_ACCEPT_SPARSE,
                             dtype=[np.float64, np.float32])
        unknown = ~np.isin(y, all_classes)
        if unknown.any():
            raise ValueError(
                f"y contains labels {list(np.unique(y[unknown]))!r} that are not in "
                f"classes {list(all_classes)!r}."
            )
        y_enc = np.searchsorted(all_classes, y)
        weights = check_sample_weight(sample_weight, y_enc.shape[0])
        if isinstance(self.class_weight, dict):
            weights = weights * compute_class_weight(
                self.class_weight, classes=all_classes, y=all_classes)[y_enc]
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        X32 = _as_float32(X)
        trainer = self.__dict__.get("_partial_trainer")
        if trainer is None:
            trainer = self._incremental_trainer(X.shape[1], all_classes, seed, first, X32)
        with _tf.own_graphs():
            history, interrupted = _engine.train(
                trainer, X32, y_enc.astype(np.float32), weights.astype(np.float32),
                epochs=1, batch_size=self._batch_size(X32.shape[0]),
                seed=seed + (0 if first else self.n_iter_),
                callbacks=self._callbacks(False),
            )
        previous = {} if first else self.history_
        merged = {k: list(previous.get(k, [])) + v for k, v in history.items()}
        custom = self.model is not None if first else "_custom_model" in self.__dict__
        self._set_learned(trainer, custom, all_classes, merged, interrupted,
                          architecture=None if custom else self._fitted_architecture())
        self.threshold_ = float(self.threshold)
        self._threshold_for = self.threshold
        self._partial_trainer = trainer
        if interrupted:
            raise KeyboardInterrupt
        return self

    def _incremental_trainer(self, n_features, classes, seed, first, X_first=None):
        """A trainer owned by this estimator, for partial_fit."""
        if not first and "_custom_model" in self.__dict__:
            trainer = _engine.Trainer(self._custom_model, self._make_optimizer(),
                                      self._make_loss())
        elif first and self.model is not None:
            trainer = self._custom_trainer(n_features, classes, seed)
        else:  # the built-in network: as fitted, or as the parameters say on a first call
            _engine.configure_threads()
            trainer = self._new_builtin_trainer(n_features, self._fitted_architecture())
            if first:
                _network.initialize_weights(trainer.model, seed, X_first)
            else:
                trainer.model.set_weights(self._weights)
        trainer.reset_optimizer(self._float_learning_rate())
        saved = self.__dict__.pop("_partial_optimizer", None)
        if not first and saved is not None:
            # Resume Adam's moments etc. where the pickled estimator left them.
            for var, value in zip(trainer.optimizer.variables, saved):
                var.assign(value)
            if self._float_learning_rate() is not None:
                trainer.optimizer.learning_rate = self._float_learning_rate()
        return trainer

    def _sample_weights(self, sample_weight, classes, y_enc):
        sw = check_sample_weight(sample_weight, y_enc.shape[0])
        if self.class_weight is not None:
            cw = compute_class_weight(self.class_weight, classes=classes, y=classes[y_enc])
            sw = sw * cw[y_enc]
        present = np.unique(y_enc[sw > 0])
        if len(present) < 2:
            raise ValueError(
                "Only one class has a positive sample weight: the classifier needs "
                f"samples of 2 classes, got only class {classes[present[0]]!r} after "
                "removing zero-weight samples."
            )
        # Mean weight 1 keeps the effective learning rate that of unweighted data.
        return sw * (len(sw) / sw.sum())

    def _validation_split(self, y_enc, seed):
        idx = np.arange(y_enc.shape[0])
        try:
            return train_test_split(idx, test_size=self.validation_fraction,
                                    stratify=y_enc, random_state=seed)
        except ValueError as exc:
            raise ValueError(
                "early_stopping (or a threshold learned in fit) cannot hold out "
                "validation_fraction="
                f"{self.validation_fraction} of {len(idx)} samples with both classes "
                f"in each part ({exc}). Use more data, a larger validation_fraction, "
                "or early_stopping=False."
            ) from None

    def _current_architecture(self):
        """What the parameters say the built-in network is: fixed at ``fit``."""
        return {
            "hidden_layer_sizes": check_hidden_layer_sizes(self.hidden_layer_sizes),
            "activation": self.activation,
            "dropout": float(self.dropout),
            "l2": float(self.l2),
            "batch_norm": bool(self.batch_norm),
            "input_scaling": self.input_scaling,
            "ensemble_size": int(self.ensemble_size),
        }

    def _fitted_architecture(self):
        """The built-in network as fitted (the parameters' before the first fit)."""
        return self.__dict__.get("_architecture") or self._current_architecture()

    def _builtin_key(self, n_features, architecture):
        lr = self.learning_rate
        return (
            n_features,
            *architecture.values(),
            self.optimizer,
            float(self.weight_decay),
            # A schedule is part of the compiled step; a float rate is a variable.
            None if isinstance(lr, numbers.Real) else schedule_key(lr),
            self._loss_key(),
        )

    def _loss_key(self):
        """The training loss and its parameters (part of the compiled epoch)."""
        if self.loss == "focal":
            alpha = None if self.focal_alpha is None else float(self.focal_alpha)
            return ("focal", float(self.focal_gamma), alpha)
        return (self.loss,)

    def _make_loss(self):
        """Per-sample Keras loss for the trainer; None is binary cross-entropy."""
        if self.loss != "focal":
            return None
        import keras

        return keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=self.focal_alpha is not None,
            alpha=0.25 if self.focal_alpha is None else float(self.focal_alpha),
            gamma=float(self.focal_gamma), reduction=None,
        )

    def _float_learning_rate(self):
        """The learning rate as a float, or None for a schedule."""
        lr = self.learning_rate
        return float(lr) if isinstance(lr, numbers.Real) else None

    def _make_optimizer(self):
        import keras

        cls = type(keras.optimizers.get(self.optimizer))
        lr = self.learning_rate
        return cls(learning_rate=float(lr) if isinstance(lr, numbers.Real) else lr,
                   weight_decay=float(self.weight_decay) or None)

    @staticmethod
    def _build_network(n_features, architecture):
        return _network.build_network(n_features, **architecture)

    def _new_builtin_trainer(self, n_features, architecture):
        with _global_rng_preserved():
            model = self._build_network(n_features, architecture)
            return _engine.Trainer(model, self._make_optimizer(), self._make_loss(),
                                   members=_network.ensemble_size_of(model) > 1,
                                   grad_masks=_network.member_masks(model))

    def _builtin_trainer(self, n_features, seed, architecture, X):
        key = self._builtin_key(n_features, architecture)

        trainer = _engine.acquire(
            key, lambda: self._new_builtin_trainer(n_features, architecture))
        _network.initialize_weights(trainer.model, seed, X)
        trainer.reset_optimizer(self._float_learning_rate())
        return key, trainer

    def _early_stopping_on(self, n_samples):
        """Whether this fit holds out a validation split and stops early."""
        if self.early_stopping == "auto":
            return n_samples >= _AUTO_EARLY_STOPPING_MIN_SAMPLES
        return bool(self.early_stopping)

    def _batch_size(self, n_samples):
        """Minibatch size for ``n_samples`` training rows."""
        if self.batch_size == "auto":
            return int(np.clip(n_samples // _AUTO_BATCHES_PER_EPOCH, *_AUTO_BATCH_RANGE))
        return int(self.batch_size)

    @staticmethod
    def _validation_metrics(scoring):
        """Metrics logged on the validation split as ``val_<name>``."""
        metrics = {"loss": _engine.weighted_log_loss}
        if scoring != "loss":
            fn = _SCORES[scoring]
            metrics[scoring] = lambda yv, pv, wv: fn(yv, pv, sample_weight=wv)
        return metrics

    def _callbacks(self, early_stopping, scoring="loss"):
        """Fresh copies of the user's callbacks, then progress and early stopping."""
        from . import _hooks

        callbacks = [_hooks.fresh_copy(cb) for cb in (self.callbacks or ())]
        _hooks.warn_batch_hooks(callbacks)
        if self.verbose:
            callbacks.append(_hooks.ProgressLogger(self.verbose))
        if early_stopping:
            callbacks.append(_hooks.BestEpochStopping(
                f"val_{scoring}", scoring != "loss", self.n_iter_no_change,
                stream=sys.stdout if self.verbose == 2 and not _hooks.in_worker_process()
                else None))
        return callbacks

    def _custom_trainer(self, n_features, classes, seed):
        _engine.configure_threads()
        meta = {"n_features_in_": n_features, "classes_": classes, "n_classes_": 2,
                "target_type_": "binary", "n_outputs_": 1, "n_outputs_expected_": 1}
        accepted = inspect.signature(self.model).parameters
        available = {"n_features_in": lambda: n_features, "meta": lambda: meta,
                     "compile_kwargs": lambda: {"optimizer": self._make_optimizer(),
                                                "loss": self._make_loss()
                                                or "binary_crossentropy"}}
        kwargs = {k: make() for k, make in available.items() if k in accepted}
        # Seeding TensorFlow clears its kernel cache (the next fit pays ~0.1 s):
        # only do it when the user asked for reproducibility.
        with _global_rng_preserved(seed if self.random_state is not None else None):
            model = self.model(**kwargs)
        if not hasattr(model, "input_shape") or not callable(model):
            raise TypeError(
                "The 'model' callable must return a Keras model, got "
                f"{type(model).__name__}."
            )
        if not _network.has_sigmoid_output(model):
            raise ValueError(
                "The 'model' callable must return a Keras model with one sigmoid output "
                f"of shape (None, 1); {_network.describe_output(model)}. End it with "
                "keras.layers.Dense(1, activation='sigmoid')."
            )
        if model.input_shape[-1] != n_features:
            raise ValueError(
                f"The Keras model expects {model.input_shape[-1]} features, but X has "
                f"{n_features} features."
            )
        compiled = getattr(model, "optimizer", None)
        return _engine.Trainer(model, compiled if compiled is not None else self._make_optimizer(),
                               self._make_loss())

    @classmethod
    def from_scikeras(cls, fitted):
        """Adopt a fitted binary scikeras ``KerasClassifier``.

        Its Keras model (one sigmoid unit), ``classes_``, feature names and
        history are taken over, so the model gains scikit-learn's classifier
        tags (ROC-AUC scoring, threshold tuning, calibration, soft voting
        work), fast prediction and the report. Its ``epochs``, ``batch_size``,
        ``random_state``, optimizer name, ``optimizer__learning_rate``,
        ``class_weight`` and build function (with the hyperparameters scikeras
        routed to it bound by ``functools.partial``; for a model instance, a
        ``KerasArchitecture`` that rebuilds it) become this estimator's
        parameters, so it can be refitted.

        Parameters
        ----------
        fitted : scikeras.wrappers.KerasClassifier
            A fitted binary classifier whose model ends in ``Dense(1,
            activation="sigmoid")``.

        Returns
        -------
        estimator : KerasBinaryClassifier
            Fitted, predicting what ``fitted.predict_proba`` predicts.

        Raises
        ------
        ValueError
            If ``fitted`` is not fitted, not binary, or its network does not end
            in one sigmoid unit (for example a two-unit softmax).
        """
        model = getattr(fitted, "model_", None)
        if model is None or not hasattr(fitted, "classes_"):
            raise ValueError("from_scikeras needs a fitted scikeras KerasClassifier.")
        classes = np.asarray(fitted.classes_)
        if len(classes) != 2:
            raise ValueError(
                "Only binary classification is supported: the scikeras model has "
                f"{len(classes)} classes."
            )
        if not _network.has_sigmoid_output(model):
            raise ValueError(
                "Only a network ending in one sigmoid unit can be adopted; this one has "
                f"output shape {tuple(model.output_shape)} and last layer "
                f"{model.layers[-1].__class__.__name__}. Rebuild it with "
                "Dense(1, activation='sigmoid') and loss='binary_crossentropy'."
            )
        params = fitted.get_params()
        build = params.get("model")
        if callable(build) and not hasattr(build, "fit"):
            accepted = inspect.signature(build).parameters
            bound = {k: v for k, v in params.items() if k in accepted
                     and k not in ("meta", "compile_kwargs", "model")}
            bound.update({k[len("model__"):]: v for k, v in params.items()
                          if k.startswith("model__") and k[len("model__"):] in accepted})
            build = functools.partial(build, **bound) if bound else build
        else:  # a model instance or build_fn: rebuild its architecture on refit
            build = _network.KerasArchitecture.of(model)
        rs, opt = params.get("random_state"), params.get("optimizer")
        cw = params.get("class_weight")
        est = cls(
            model=build,
            epochs=int(params.get("epochs") or 1),
            batch_size=int(params.get("batch_size") or 32),
            random_state=rs if isinstance(rs, (int, np.integer)) else None,
            optimizer=opt.lower() if isinstance(opt, str) and opt.lower() in OPTIMIZERS
            else "adam",
            learning_rate=float(params.get("optimizer__learning_rate", 1e-3)),
            class_weight=cw if cw is None or cw == "balanced" or isinstance(cw, dict)
            else None,
        )
        history = getattr(fitted, "history_", {}) or {}
        est._restore(
            model=model, custom=True, classes=classes,
            n_features_in=int(fitted.n_features_in_),
            feature_names_in=getattr(fitted, "feature_names_in_", None),
            history={k: [float(v) for v in vals] for k, vals in dict(history).items()},
            n_iter=len(dict(history).get("loss", [])),
        )
        return est

    # -------------------------------------------------------------- predict

    @property
    def model_(self):
        """The trained Keras model (sigmoid output).

        For the built-in network it is built from the trained weights on first
        access and kept; prediction does not use it (it runs a float64 numpy
        forward pass of the same weights).
        """
        if "_custom_model" in self.__dict__:
            return self._custom_model
        if "_weights" not in self.__dict__:
            raise AttributeError("'model_' is set by fit; this estimator is not fitted yet.")
        if self.__dict__.get("_keras_model") is None:
            _tf.import_tensorflow()
            with _global_rng_preserved():
                model = self._build_network(self.n_features_in_, self._fitted_architecture())
            model.set_weights(self._weights)
            self._keras_model = model
        return self._keras_model

    def _check_X(self, X):
        check_is_fitted(self)
        # Fast path for serving: a finite float ndarray of the right width, on an
        # estimator fitted without feature names, is exactly what validate_data
        # would return, unchanged. It costs ~3 us instead of ~90 us a call.
        if (type(X) is np.ndarray and X.ndim == 2 and X.dtype in _FAST_DTYPES
                and X.shape[0] > 0 and X.shape[1] == self.n_features_in_
                and "feature_names_in_" not in self.__dict__ and np.isfinite(X).all()):
            return X
        return validate_data(self, X, reset=False, accept_sparse=_ACCEPT_SPARSE,
                             dtype=[np.float64, np.float32])

    def _proba_positive(self, X):
        """Positive-class probability (float64) and logit for validated ``X``."""
        return _positive_proba(self.__dict__.get("_forward"),
                               self.__dict__.get("_custom_model"), X)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Columns in ``classes_`` order: ``[:, 1]`` is the positive class.
        """
        p, _ = self._proba_positive(self._check_X(X))
        return np.column_stack([1.0 - p, p])

    def decision_function(self, X):
        """Logit of the positive class (the sigmoid's input).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        logit : ndarray of shape (n_samples,)
            Positive means ``classes_[1]`` is more likely than ``classes_[0]``.
        """
        _, logit = self._proba_positive(self._check_X(X))
        return logit

    def predict(self, X):
        """Predict labels: ``classes_[1]`` where its probability >= ``threshold_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_threshold(self.threshold)  # set_params may have changed it since fit
        p, _ = self._proba_positive(self._check_X(X))
        return self.classes_[(p >= self._decision_threshold()).astype(int)]

    def _decision_threshold(self):
        """The threshold ``predict`` applies.

        A float ``threshold`` is used as it is (``set_params`` takes effect at
        once); an objective uses ``threshold_``, learned in ``fit`` for it.
        """
        if isinstance(self.threshold, numbers.Real):
            return self.threshold
        if self.__dict__.get("_threshold_for") != self.threshold:
            raise ValueError(
                f"threshold={self.threshold!r} is learned in fit, but this estimator "
                f"was fitted with threshold={self.__dict__.get('_threshold_for')!r}: "
                "call fit again."
            )
        return self.threshold_

    # ---------------------------------------------------------- persistence

    def save(self, path):
        """Save the fitted estimator to one file, loadable without pickle.

        The file holds the parameters (not ``callbacks`` nor ``sampler``: a
        loaded estimator has None), ``classes_``, feature names, ``threshold_``,
        training history and the Keras network in Keras' native format, plus
        the skbinary, Keras and scikit-learn versions. :func:`skbinary.load`
        reads it with Keras' ``safe_mode``, so opening it cannot run code. The
        write is atomic: a temporary file renamed over ``path``.

        Use this format to share or deploy a model; ``pickle``/``joblib`` keep
        working for scikit-learn workflows but must only be loaded from trusted
        sources.

        Parameters
        ----------
        path : str or path-like
            Where to write (conventionally ``*.skb``).

        Returns
        -------
        self : KerasBinaryClassifier
            The estimator, unchanged.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import make_classification
        >>> from skbinary import KerasBinaryClassifier, load
        >>> X, y = make_classification(n_samples=100, random_state=0)
        >>> clf = KerasBinaryClassifier(hidden_layer_sizes=(8,), epochs=5,
        ...                             random_state=0).fit(X, y)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.skb")
        >>> _ = clf.save(path)
        >>> bool((load(path).predict_proba(X) == clf.predict_proba(X)).all())
        True
        """
        from ._persistence import save

        save(self, path)
        return self

    def to_onnx(self, X, *, zipmap=False, target_opset=None):
        """Export the fitted estimator to ONNX (labels, probabilities, threshold).

        The same as :func:`skbinary.to_onnx` applied to this estimator alone; to
        export it with its preprocessing, pass the whole pipeline to
        :func:`skbinary.to_onnx`. Needs the ``onnx`` extra.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A few input rows: their dtype (float32 or float64) is the graph's.
        zipmap : bool or "columns", default=False
            skl2onnx's ``zipmap`` option: False gives a probability tensor.
        target_opset : int, default=None
            ONNX opset; None for the latest skl2onnx supports.

        Returns
        -------
        onx : onnx.ModelProto
            Outputs ``label`` and ``probabilities``.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from skbinary import KerasBinaryClassifier
        >>> X, y = make_classification(n_samples=100, random_state=0)
        >>> clf = KerasBinaryClassifier(hidden_layer_sizes=(8,), epochs=5,
        ...                             random_state=0).fit(X, y)
        >>> onx = clf.to_onnx(X[:1].astype("float32"))
        >>> [out.name for out in onx.graph.output]
        ['label', 'probabilities']
        """
        from ._onnx import to_onnx

        return to_onnx(self, X, zipmap=zipmap, target_opset=target_opset)

    def _restore(self, *, model, custom, classes, n_features_in, feature_names_in,
                 history, n_iter, architecture=None, threshold=None):
        """Set learned state from a loaded model file (used by ``skbinary.load``)."""
        self.classes_ = classes
        self.n_features_in_ = n_features_in
        if feature_names_in is not None:
            self.feature_names_in_ = np.asarray(feature_names_in, dtype=object)
        self.history_ = history
        self.n_iter_ = n_iter
        self.interrupted_ = False
        self.threshold_ = float(self.threshold if threshold is None else threshold)
        self._threshold_for = copy.deepcopy(self.threshold)
        self._forward = _network.forward_plan(model)
        if custom:
            self._custom_model = model
        else:
            self._weights = model.get_weights()
            self._keras_model = model
            self._architecture = architecture or self._current_architecture()

    # ------------------------------------------------------------- pickling

    def __getstate__(self):
        state = self.__dict__.copy()
        # The Keras copy of the built-in network is rebuilt from the weights;
        # partial_fit's trainer is rebuilt, its optimizer state restored.
        state.pop("_keras_model", None)
        trainer = state.pop("_partial_trainer", None)
        if trainer is not None:
            state["_partial_optimizer"] = [v.numpy() for v in trainer.optimizer.variables]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_weights" in state:
            self._keras_model = None

