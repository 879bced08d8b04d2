"""KerasBinaryClassifier: a Keras sigmoid network as a scikit-learn classifier.

The estimator's public face: its parameters, ``fit``/``partial_fit`` (one data
path), prediction and saving. What a fit builds lives below it:
:mod:`skbinary._trainers` (optimizer, loss, network, callbacks),
:mod:`skbinary._fitdata` (weights, validation split, batches, resampling),
:mod:`skbinary._engine` (the training loop) and :mod:`skbinary._fitted` (the
learned network and how it predicts).
"""

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _engine, _fitdata, _onnx, _persistence, _scikeras, _tf, _trainers
from ._checks import (
    check_binary_target,
    check_params,
    check_sample_weight,
    check_threshold,
    predicted_positive,
)
from ._fitted import FittedNetwork, as_float32

_ACCEPT_SPARSE = ["csr", "csc"]
_DTYPES = [np.float64, np.float32]
_FAST_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


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
        X, y = validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=_DTYPES)
        classes, y_enc = check_binary_target(y)
        X32, y32, w32 = self._training_rows(X, y_enc, classes, sample_weight)
        seed = self._seed()
        early_stopping = _fitdata.early_stopping_on(self.early_stopping, len(y32))
        objective = check_threshold(self.threshold)
        train_idx = val_idx = validation = None
        if early_stopping or objective is not None:
            train_idx, val_idx = _fitdata.validation_split(
                y_enc, self.validation_fraction, seed)
            validation = (X32[val_idx], y32[val_idx], w32[val_idx])
            X32, y32, w32 = X32[train_idx], y32[train_idx], w32[train_idx]
        scoring = _trainers.watched_score(self.scoring, validation)
        epoch_data = n_rows = None
        if self.sampler is not None:
            epoch_data, n_rows = _fitdata.epoch_sampler(
                self.sampler, X if train_idx is None else X[train_idx], classes,
                X32, y32, w32, seed)
            if validation is not None:
                validation = _fitdata.sampler_weighted(validation, y32, epoch_data(0)[1])
        fitted, history, interrupted = _trainers.train_network(
            self, X32, y32, w32, classes, seed, validation=validation, scoring=scoring,
            callbacks=_trainers.callbacks(self, early_stopping, scoring),
            epoch_data=epoch_data, batch_rows=len(y32) if n_rows is None else n_rows[0])
        if n_rows is not None:
            history["n_rows"] = n_rows[: len(history.get("loss", []))]
        threshold = self.threshold
        if objective is not None:
            threshold = _fitdata.learned_threshold(
                self.threshold, fitted.positive_proba(X[val_idx])[0], y_enc[val_idx],
                None if sample_weight is None
                else check_sample_weight(sample_weight, len(y_enc))[val_idx])
        self._set_learned(fitted, classes, history, interrupted, threshold)
        if interrupted:
            # The estimator is usable; let the interrupt stop the caller's loop
            # (a GridSearchCV, a script) as Ctrl-C should.
            raise KeyboardInterrupt
        return self

    def _seed(self):
        """A fresh seed of this fit, drawn from ``random_state``."""
        return check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

    def _training_rows(self, X, y_enc, classes, sample_weight, *, incremental=False):
        """float32 ``(X, y, w)`` to train on: the one data path of fit and partial_fit."""
        weights = _fitdata.sample_weights(sample_weight, self.class_weight, classes, y_enc,
                                          incremental=incremental)
        return as_float32(X), y_enc.astype(np.float32), weights.astype(np.float32)

    def _set_learned(self, fitted, classes, history, interrupted, threshold):
        """Set the whole learned state at once (fit, partial_fit, load).

        Besides the public attributes ending in ``_``, the state is two named
        private ones: ``_fitted`` (the network, a
        :class:`~skbinary._fitted.FittedNetwork`) and ``_threshold_for`` (the
        ``threshold`` parameter that ``threshold_`` was learned for).
        """
        self.classes_ = classes
        self.history_ = history
        self.n_iter_ = len(history.get("loss", []))
        self.interrupted_ = interrupted
        self.threshold_ = float(threshold)
        self._threshold_for = copy.deepcopy(self.threshold)
        self._fitted = fitted

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
        _fitdata.check_incremental(self)
        fitted = self.__dict__.get("_fitted")
        all_classes = _fitdata.partial_classes(
            classes, None if fitted is None else self.classes_)
        X, y = validate_data(self, X, y, reset=fitted is None, accept_sparse=_ACCEPT_SPARSE,
                             dtype=_DTYPES)
        unknown = ~np.isin(y, all_classes)
        if unknown.any():
            raise ValueError(
                f"y contains labels {list(np.unique(y[unknown]))!r} that are not in "
                f"classes {list(all_classes)!r}."
            )
        y_enc = np.searchsorted(all_classes, y)
        X32, y32, w32 = self._training_rows(X, y_enc, all_classes, sample_weight,
                                            incremental=True)
        seed = self._seed()
        custom = self.model is not None if fitted is None else fitted.custom
        architecture = None if custom else self._fitted_architecture()
        trainer = fitted.trainer if fitted is not None else None
        if trainer is None:
            trainer = _trainers.incremental_trainer(
                self, fitted, X.shape[1], all_classes, seed, X32, architecture)
        with _tf.own_graphs():
            history, interrupted = _engine.train(
                trainer, X32, y32, w32, epochs=1,
                batch_size=_fitdata.batch_size(self.batch_size, X32.shape[0]),
                seed=seed + (0 if fitted is None else self.n_iter_),
                callbacks=_trainers.callbacks(self, False),
            )
        previous = {} if fitted is None else self.history_
        merged = {k: list(previous.get(k, [])) + v for k, v in history.items()}
        self._set_learned(
            FittedNetwork(trainer.model, custom=custom, architecture=architecture,
                          trainer=trainer),
            all_classes, merged, interrupted, self.threshold)
        if interrupted:
            raise KeyboardInterrupt
        return self

    def _fitted_architecture(self):
        """The built-in network as fitted (the parameters' before the first fit)."""
        fitted = self.__dict__.get("_fitted")
        if fitted is not None and fitted.architecture is not None:
            return fitted.architecture
        return _trainers.architecture_of(self)

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
        self.n_features_in_ = n_features_in
        if feature_names_in is not None:
            self.feature_names_in_ = np.asarray(feature_names_in, dtype=object)
        fitted = FittedNetwork(model, custom=custom, owned=True, architecture=None if custom
                               else architecture or _trainers.architecture_of(self))
        self._set_learned(fitted, classes, history, False,
                          self.threshold if threshold is None else threshold)
        self.n_iter_ = n_iter

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
        return self._fitted.keras_model()

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
        p, _ = self._fitted.positive_proba(X)
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
        X = self._check_X(X)
        _, logit = self._fitted.positive_proba(X)
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
        p, _ = self._fitted.positive_proba(X)
        return self.classes_[predicted_positive(p, self._decision_threshold()).astype(int)]

    def _decision_threshold(self):
        """The threshold ``predict`` applies.

        A float ``threshold`` is used as it is (``set_params`` takes effect at
        once); an objective uses ``threshold_``, learned in ``fit`` for it.
        """
        if isinstance(self.threshold, numbers.Real):
            return self.threshold
        if self._threshold_for != self.threshold:
            raise ValueError(
                f"threshold={self.threshold!r} is learned in fit, but this estimator "
                f"was fitted with threshold={self._threshold_for!r}: call fit again."
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
