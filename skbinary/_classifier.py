"""KerasBinaryClassifier: a Keras sigmoid network as a scikit-learn classifier.

The estimator's public face: its parameters, ``fit``/``partial_fit`` (one data
path), prediction and saving. What a fit builds lives below it:
:mod:`skbinary._trainers` (optimizer, loss, network, callbacks),
:mod:`skbinary._fitdata` (weights, validation split, batches, resampling),
:mod:`skbinary._engine` (the training loop) and :mod:`skbinary._fitted` (the
learned network and how it predicts).
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import (
    _engine,
    _fitdata,
    _onnx,
    _params,
    _persistence,
    _scikeras,
    _tf,
    _trainers,
)
from ._checks import (
    check_binary_target,
    check_sample_weight,
    check_threshold,
    predicted_positive,
)
from ._fitted import FittedNetwork, FittedState, as_float32

_ACCEPT_SPARSE = ["csr", "csc"]
_DTYPES = [np.float64, np.float32]
_FAST_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
# What validate_data sets on the estimator; a failed fit puts the old ones back.
_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")


def _trained(params, X, rows, classes, y_enc, sample_weight, seed):
    """``fit``'s training: a new network on ``rows``; returns its ``FittedState``.

    Holds out the validation split (early stopping, a learned threshold), or
    with ``validation="cross_fit"`` one fold for each ensemble member;
    resamples each epoch with a ``sampler``, and learns the threshold on the
    held-out rows (of ``X`` as given, float64; out-of-fold probabilities of
    the cross-fitted members).
    """
    X32, y32, w32 = rows
    early_stopping = _fitdata.early_stopping_on(params.early_stopping, y_enc)
    objective = check_threshold(params.threshold)
    _fitdata.check_cross_fit(params)
    train_idx = val_idx = validation = folds = None
    if early_stopping or objective is not None:
        folds = _fitdata.member_folds(params, y_enc, seed)
    if folds is not None:
        # every row trains all members but one, and validates that one
        validation = (X32, y32, w32, folds)
        w32 = _fitdata.member_weights(w32, folds, params.ensemble_size)
    elif early_stopping or objective is not None:
        train_idx, val_idx = _fitdata.validation_split(
            y_enc, params.validation_fraction, seed)
        validation = (X32[val_idx], y32[val_idx], w32[val_idx])
        X32, y32, w32 = X32[train_idx], y32[train_idx], w32[train_idx]
    scoring = _trainers.watched_score(params.scoring, validation)
    epoch_data = n_rows = None
    if params.sampler is not None:
        epoch_data, n_rows = _fitdata.epoch_sampler(
            params.sampler, X if train_idx is None else X[train_idx], classes,
            X32, y32, w32, seed)
        if validation is not None:
            validation = _fitdata.sampler_weighted(validation, y32, epoch_data(0)[1])
    batch_rows = len(y32) if n_rows is None else n_rows[0]
    network, history, interrupted, held_out = _trainers.train_network(
        params, X32, y32, w32, classes, seed, validation=validation, scoring=scoring,
        callbacks=_trainers.callbacks(params, early_stopping, scoring),
        epoch_data=epoch_data, batch_rows=batch_rows)
    if n_rows is not None:
        history["n_rows"] = n_rows[: len(history.get("loss", []))]
    threshold = params.threshold
    if objective is not None:
        rows = np.arange(len(y_enc)) if val_idx is None else val_idx
        threshold = _fitdata.learned_threshold(
            params.threshold,
            network.positive_proba(X[val_idx])[0] if held_out is None
            else held_out.astype(np.float64),
            y_enc[rows],
            None if sample_weight is None
            else check_sample_weight(sample_weight, len(y_enc))[rows])
    return FittedState(
        network, classes, history=history, interrupted=interrupted,
        threshold=threshold, threshold_for=params.threshold,
        resolved={"early_stopping": early_stopping,
                  "validation": None if validation is None
                  else "holdout" if folds is None else "cross_fit",
                  "batch_size": _fitdata.batch_size(params.batch_size, batch_rows),
                  "numeric_embedding": params.numeric_embedding,
                  "training_rows": len(y32)})


def _continued(params, previous, rows, classes, seed):
    """``partial_fit``'s training: one epoch on ``rows``, continuing ``previous``.

    ``previous`` is the estimator's ``FittedState``, or None on a first call;
    the network keeps the architecture it was fitted with, whatever the
    parameters say now.
    """
    X32, y32, w32 = rows
    fitted = None if previous is None else previous.network
    custom = params.model is not None if fitted is None else fitted.custom
    architecture = None if custom else (
        _params.architecture(params) if fitted is None else fitted.architecture)
    trainer = None if fitted is None else fitted.trainer
    if trainer is None:
        trainer = _trainers.incremental_trainer(
            params, fitted, X32.shape[1], classes, seed, X32, architecture)
    batch_size = _fitdata.batch_size(params.batch_size, X32.shape[0])
    with _tf.own_graphs():
        history, interrupted = _engine.train(
            trainer, X32, y32, w32, epochs=1, batch_size=batch_size,
            seed=seed + (0 if previous is None else previous.n_iter),
            callbacks=_trainers.callbacks(params, False),
        )
    before = {} if previous is None else previous.history
    merged = {k: list(before.get(k, [])) + v for k, v in history.items()}
    network = FittedNetwork(trainer.model, custom=custom, architecture=architecture,
                            trainer=trainer)
    return FittedState(network, classes, history=merged, interrupted=interrupted,
                       threshold=params.threshold, threshold_for=params.threshold,
                       resolved={"early_stopping": False, "batch_size": batch_size,
                                 "training_rows": len(y32)})


@_onnx.exportable
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
        data, in frozen layers that are part of ``model_``, when they are not
        piecewise-encoded (``numeric_embedding``). ``"standard"``:
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
    numeric_embedding : {"auto", None, "piecewise"}, default="auto"
        How each feature enters the network. ``"auto"``: ``"piecewise"`` when
        ``fit`` gets 500 rows or more, else None (on smaller tables the bins
        overfit; chosen on the benchmark's balanced and imbalanced suites, see
        :ref:`defaults`); ``partial_fit`` takes None for it. None: its value
        (scaled by ``input_scaling``). ``"piecewise"``: its piecewise-linear encoding
        (Gorishniy et al. 2022), ``clip((x - e_t) / (e_{t+1} - e_t), 0, 1)``
        for the edges ``e_t`` of up to 8 bins at the training data's
        quantiles, so that step-like effects of a feature are linear in its
        encoding; the encoding does not depend on the feature's scale (so
        ``input_scaling`` is not used) and clips outliers. Part of ``model_``,
        the saved file, the numpy prediction and the ONNX export.
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
        Set rows aside for validation (see ``validation``), stop when the
        validation ``scoring`` has not improved by more than ``tol`` for
        ``n_iter_no_change`` epochs, and restore the weights of the best
        epoch. ``"auto"`` does so from 100 training rows on, unless a class
        has a single row (it then trains without early stopping, and warns).
    validation_fraction : float in (0, 1), default=0.2
        Share of the training data held out for early stopping (and for a
        learned ``threshold``) where ``validation`` holds out a split. A fifth judges the best epoch more reliably
        than a tenth on small data; in our benchmark it was better on the
        mean log loss and ROC-AUC despite the smaller training part.
    validation : {"auto", "holdout", "cross_fit"}, default="auto"
        What early stopping (and a learned ``threshold``) judges on.
        ``"holdout"``: a stratified split of ``validation_fraction`` of the
        rows, which the network does not train on. ``"cross_fit"``: the rows
        are dealt into ``ensemble_size`` stratified folds and each member of
        the ensemble leaves out its own fold, so every row trains all members
        but one and validates that one: no row is lost to validation. The
        validation scores in ``history_`` and a learned threshold then come
        from these out-of-fold probabilities, and ``validation_fraction`` is
        not used. It needs ``ensemble_size >= 2``, the built-in network, no
        ``sampler`` and ``ensemble_size`` rows of each class. ``"auto"``
        cross-fits where it can and holds out otherwise (a single network, a
        network of your own, a sampler, or too few rows of a class). On the
        44 datasets of our benchmark cross-fitting ranked first on ROC-AUC,
        PR-AUC and log loss.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs. With cross-fitted members 10
        gave the ranks of 20 on our 44 datasets in two thirds of the fit time.
    tol : float, default=1e-4
        Least improvement of the watched validation score that counts, as in
        ``MLPClassifier``: early stopping stops when ``n_iter_no_change``
        epochs in a row do not beat the best score so far by more than
        ``tol`` (the weights of the best epoch are restored all the same).
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
        An objective is learned in ``fit`` by
        :func:`skbinary.metrics.choose_threshold`: ``"f1"`` (best F1),
        ``{"recall": r}`` (the best precision with recall >= ``r``) or
        ``{"precision": p}`` (the best recall with precision >= ``p``), on the
        rows early stopping validates on (see ``validation``: by default the
        cross-fitted members' out-of-fold probabilities of every row); without
        early stopping, ``fit`` still sets these rows aside. They are weighted
        by ``sample_weight`` (not by ``class_weight``). A target no threshold
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
        float, else the one learned in ``fit`` on the held-out rows (midway
        between the held-out score chosen and the next lower one).
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

    __init__ = _params.make_init()

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
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative per-sample weights, multiplied by ``class_weight``.

        Returns
        -------
        self : KerasBinaryClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one pass over a chunk of data (out-of-core learning).

        As ``MLPClassifier.partial_fit``: each call runs one epoch of minibatch
        updates on ``X, y``, continuing from the current weights and optimizer
        state. The first call needs ``classes``; a chunk may hold a single
        class. ``early_stopping`` and ``epochs`` are not used, and
        ``class_weight="balanced"`` is refused (a dict works). This is what
        ``dask_ml.wrappers.Incremental`` calls for each block of a dask array.
        Input is checked as ``fit`` checks it, by the same code.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its labels, all among ``classes``.
        classes : array-like of shape (2,), default=None
            Both labels; required on the first call, checked on later ones.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : KerasBinaryClassifier
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, classes=classes, incremental=True)

    def _fit(self, X, y, sample_weight, *, classes=None, incremental):
        """The one path of ``fit`` and ``partial_fit``: checks, rows, training, state.

        ``incremental`` (``partial_fit``) continues the fitted network for one
        epoch on a chunk whose labels are among ``classes``; otherwise a new
        network is trained. Nothing learned changes unless training starts:
        on an error, the input attributes ``validate_data`` reset are put back.
        """
        params = _params.resolve(self)
        previous = self.__dict__.get("_fitted") if incremental else None
        if incremental:
            _fitdata.check_incremental(params)
            classes = _fitdata.partial_classes(
                classes, None if previous is None else previous.classes)
        _tf.import_tensorflow()
        saved = {k: self.__dict__[k] for k in _INPUT_ATTRIBUTES if k in self.__dict__}
        try:
            X, y = validate_data(self, X, y, reset=previous is None,
                                 accept_sparse=_ACCEPT_SPARSE, dtype=_DTYPES)
            if incremental:
                y_enc = _fitdata.encode_chunk(y, classes)
            else:
                classes, y_enc = check_binary_target(y)
            weights = _fitdata.sample_weights(sample_weight, params.class_weight, classes,
                                              y_enc, incremental=incremental)
            params.numeric_embedding = _fitdata.numeric_embedding_on(
                params.numeric_embedding, len(y_enc), incremental=incremental)
            rows = as_float32(X), y_enc.astype(np.float32), weights.astype(np.float32)
            seed = check_random_state(params.random_state).randint(np.iinfo(np.int32).max)
            if incremental:
                state = _continued(params, previous, rows, classes, seed)
            else:
                state = _trained(params, X, rows, classes, y_enc, sample_weight, seed)
        except Exception:
            for k in _INPUT_ATTRIBUTES:
                self.__dict__.pop(k, None)
            self.__dict__.update(saved)
            raise
        self._set_state(state)
        if state.interrupted:
            # The estimator is usable; let the interrupt stop the caller's loop
            # (a GridSearchCV, a script) as Ctrl-C should.
            raise KeyboardInterrupt
        return self

    def _set_state(self, state):
        """Set the whole learned state at once (fit, partial_fit, load).

        ``_fitted`` is the one :class:`~skbinary._fitted.FittedState` that
        prediction, saving and export read; the public attributes ending in
        ``_`` show its parts.
        """
        self._fitted = state
        self.classes_ = state.classes
        self.history_ = state.history
        self.n_iter_ = state.n_iter
        self.interrupted_ = state.interrupted
        self.threshold_ = state.threshold

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
        params, learned = _scikeras.adopt(fitted)
        est = cls(**params)
        est._restore(**learned)
        return est

    def _restore(self, *, model, custom, classes, n_features_in, feature_names_in,
                 history, n_iter, architecture=None, threshold=None):
        """Set the learned state of a loaded file or an adopted scikeras model."""
        params = _params.resolve(self)
        self.n_features_in_ = n_features_in
        if feature_names_in is not None:
            self.feature_names_in_ = np.asarray(feature_names_in, dtype=object)
        network = FittedNetwork(model, custom=custom, owned=True, architecture=None if custom
                                else architecture or _params.architecture(params))
        self._set_state(FittedState(
            network, classes, history=history, n_iter=n_iter,
            threshold=params.threshold if threshold is None else threshold,
            threshold_for=params.threshold))

    # -------------------------------------------------------------- predict

    @property
    def model_(self):
        """The trained Keras model (sigmoid output).

        For the built-in network it is built from the trained weights on first
        access and kept; prediction does not use it (it runs a float64 numpy
        forward pass of the same weights).
        """
        if "_fitted" not in self.__dict__:
            raise AttributeError("'model_' is set by fit; this estimator is not fitted yet.")
        _tf.import_tensorflow()
        return self._fitted.network.keras_model()

    def _check_X(self, X):
        check_is_fitted(self)
        if "_fitted" not in self.__dict__:  # fitted attributes, but no fitted network
            raise NotFittedError(
                f"This {type(self).__name__} has fitted attributes but no fitted "
                "network: it was probably unpickled from an older skbinary, whose "
                "fitted state this version cannot read. Fit it again; models saved "
                "with save() are loaded across versions by skbinary.load()."
            )
        # Fast path for serving: a finite float ndarray of the right width, on an
        # estimator fitted without feature names, is exactly what validate_data
        # would return, unchanged. It costs ~3 us instead of ~90 us a call.
        if (type(X) is np.ndarray and X.ndim == 2 and X.dtype in _FAST_DTYPES
                and X.shape[0] > 0 and X.shape[1] == self.n_features_in_
                and "feature_names_in_" not in self.__dict__ and np.isfinite(X).all()):
            return X
        return validate_data(self, X, reset=False, accept_sparse=_ACCEPT_SPARSE,
                             dtype=_DTYPES)

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
        X = self._check_X(X)
        p, _ = self._fitted.network.positive_proba(X)
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class.

        As in ``LogisticRegression`` and ``MLPClassifier``: the log of
        :meth:`predict_proba` (a probability that rounds to 0 gives ``-inf``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            Columns in ``classes_`` order.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

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
        X = self._check_X(X)
        _, logit = self._fitted.network.positive_proba(X)
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
        X = self._check_X(X)
        p, _ = self._fitted.network.positive_proba(X)
        return self.classes_[predicted_positive(p, self._decision_threshold()).astype(int)]

    def _decision_threshold(self):
        """The threshold ``predict`` applies (see ``FittedState.decision_threshold``)."""
        check_threshold(self.threshold)  # set_params may have changed it since fit
        return self._fitted.decision_threshold(self.threshold)

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
        _persistence.save(self, path)
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
        return _onnx.to_onnx(self, X, zipmap=zipmap, target_opset=target_opset)


def load(path):
    """Load an estimator written by :meth:`KerasBinaryClassifier.save`.

    Parameters
    ----------
    path : str or path-like
        A file written by ``save``.

    Returns
    -------
    estimator : KerasBinaryClassifier
        Fitted, predicting exactly as when it was saved.

    Raises
    ------
    FileNotFoundError, PermissionError, IsADirectoryError
        If the file cannot be opened; the message names it.
    ModelFileError
        If the file is not a skbinary model file, is truncated, corrupted or
        inconsistent (its metadata is checked against its network, its
        parameters as ``fit`` checks them), has an unknown format version, or
        would need code execution to load. The message names the file and
        what is wrong.

    See Also
    --------
    KerasBinaryClassifier.save : Writes the file; its example loads it back.
    """
    return _persistence.load(path, KerasBinaryClassifier)
