"""From the estimator's parameters to a trainer, its callbacks and its metrics.

Every function here reads the checked parameters ``params`` it is given
(:func:`skbinary._params.resolve`: ``params.optimizer``, ``params.learning_rate``, ...,
plain Python values) and never an estimator's learned state; the estimator
module imports this one, never the other way round. The built-in
network comes from :mod:`skbinary._engine`'s pool of compiled trainers; a
user's build function is called under the global-RNG lock.
"""

import inspect
import sys
import warnings

from sklearn.metrics import average_precision_score, roc_auc_score

from . import _engine, _network, _params, _tf
from ._fitdata import batch_size
from ._fitted import FittedNetwork

# Scores early stopping may watch besides the loss (all: greater is better).
SCORES = {"roc_auc": roc_auc_score, "average_precision": average_precision_score}

def float_learning_rate(params):
    """The learning rate as a float, or None for a schedule."""
    lr = params.learning_rate
    return lr if isinstance(lr, float) else None


def make_optimizer(params):
    """A fresh Keras optimizer of ``params.optimizer``, rate and weight decay."""
    import keras

    cls = type(keras.optimizers.get(params.optimizer))
    lr = float_learning_rate(params)
    return cls(learning_rate=params.learning_rate if lr is None else lr,
               weight_decay=float(params.weight_decay) or None)


def make_loss(params):
    """Per-sample Keras loss for the trainer; None is binary cross-entropy."""
    if params.loss != "focal":
        return None
    import keras

    return keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=params.focal_alpha is not None,
        alpha=0.25 if params.focal_alpha is None else float(params.focal_alpha),
        gamma=float(params.focal_gamma), reduction=None,
    )


def _new_builtin_trainer(params, n_features, architecture):
    model = _network.new_network(n_features, architecture)
    return _engine.Trainer(model, make_optimizer(params), make_loss(params),
                           members=_network.ensemble_size_of(model) > 1,
                           grad_masks=_network.member_masks(model),
                           member_logit=_network.member_logit, autograph=False)


def builtin_trainer(params, n_features, architecture, seed, X):
    """``(pool key, trainer)``: a pooled built-in trainer, freshly initialised."""
    key = _params.trainer_key(params, n_features)
    trainer = _engine.acquire(key, lambda: _new_builtin_trainer(
        params, n_features, architecture))
    _network.initialize_weights(trainer.model, seed, X)
    trainer.reset_optimizer(float_learning_rate(params))
    return key, trainer


def custom_trainer(params, n_features, classes, seed):
    """A trainer of the network ``params.model`` builds; checks what it returns."""
    _engine.configure_threads()
    meta = {"n_features_in_": n_features, "classes_": classes, "n_classes_": 2,
            "target_type_": "binary", "n_outputs_": 1, "n_outputs_expected_": 1}
    accepted = inspect.signature(params.model).parameters
    available = {"n_features_in": lambda: n_features, "meta": lambda: meta,
                 "compile_kwargs": lambda: {"optimizer": make_optimizer(params),
                                            "loss": make_loss(params) or "binary_crossentropy"}}
    kwargs = {k: make() for k, make in available.items() if k in accepted}
    # Seeding TensorFlow clears its kernel cache (the next fit pays ~0.1 s):
    # only do it when the user asked for reproducibility.
    with _network.global_rng_preserved(seed if params.random_state is not None else None):
        model = params.model(**kwargs)
    if not hasattr(model, "input_shape") or not callable(model):
        raise TypeError(
            f"The 'model' callable must return a Keras model, got {type(model).__name__}."
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
    return _engine.Trainer(model, compiled if compiled is not None else make_optimizer(params),
                           make_loss(params))


def incremental_trainer(params, fitted, n_features, classes, seed, X_first, architecture):
    """``partial_fit``'s own trainer: a new network, or one continuing ``fitted``.

    ``fitted`` is the estimator's :class:`~skbinary._fitted.FittedNetwork`, or
    None on a first call; ``architecture`` that of the built-in network. An
    optimizer state a pickle kept is restored.
    """
    if fitted is not None and fitted.custom:
        trainer = _engine.Trainer(fitted.keras_model(), make_optimizer(params), make_loss(params))
    elif fitted is None and params.model is not None:
        trainer = custom_trainer(params, n_features, classes, seed)
    else:  # the built-in network: as fitted, or as the parameters say on a first call
        _engine.configure_threads()
        trainer = _new_builtin_trainer(params, n_features, architecture)
        if fitted is None:
            _network.initialize_weights(trainer.model, seed, X_first)
        else:
            trainer.model.set_weights(fitted.weights)
    trainer.reset_optimizer(float_learning_rate(params))
    saved = None if fitted is None else fitted.take_optimizer_state()
    if saved is not None:  # resume Adam's moments etc. where the pickle left them
        for var, value in zip(trainer.optimizer.variables, saved):
            var.assign(value)
        if float_learning_rate(params) is not None:
            trainer.optimizer.learning_rate = float_learning_rate(params)
    return trainer


def watched_score(scoring, validation):
    """``scoring``, or "loss" when the score is undefined on the validation split.

    ROC-AUC and average precision need both classes with a positive weight
    among the held-out rows; otherwise early stopping watches the validation
    loss, with a warning that says so.
    """
    if scoring == "loss" or validation is None:
        return scoring
    y_val, w_val = validation[1], validation[2]
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


def validation_metrics(scoring):
    """Metrics logged on the validation split as ``val_<name>``."""
    metrics = {"loss": _engine.weighted_log_loss}
    if scoring != "loss":
        fn = SCORES[scoring]
        metrics[scoring] = lambda yv, pv, wv: fn(yv, pv, sample_weight=wv)
    return metrics


def callbacks(params, early_stopping, scoring="loss"):
    """Fresh copies of the user's callbacks, then progress and early stopping."""
    from . import _hooks

    found = [_hooks.fresh_copy(cb) for cb in (params.callbacks or ())]
    _hooks.warn_batch_hooks(found)
    if params.verbose:
        found.append(_hooks.ProgressLogger(params.verbose))
    if early_stopping:
        found.append(_hooks.BestEpochStopping(
            f"val_{scoring}", scoring != "loss", params.n_iter_no_change, tol=params.tol,
            stream=sys.stdout if params.verbose == 2 and not _hooks.in_worker_process()
            else None))
    return found


def train_network(params, X32, y32, w32, classes, seed, *, batch_rows, scoring, **train_kwargs):
    """Train a new network for ``fit``.

    The built-in network comes from the pool and goes back to it; a user's
    network is built by ``params.model``. ``train_kwargs`` (validation, callbacks,
    epoch_data) go to :func:`skbinary._engine.train`.

    Returns
    -------
    fitted : FittedNetwork
    history : dict of list of float
    interrupted : bool
    held_out : ndarray or None
        With cross-fitted members (a ``validation`` that names each row's
        member), each validation row's probability by the member that left
        it out, after training; else None.
    """
    n_features = X32.shape[1]
    built_in = key = None
    if params.model is None:
        built_in = _params.architecture(params)
        key, trainer = builtin_trainer(params, n_features, built_in, seed, X32)
    else:
        trainer = custom_trainer(params, n_features, classes, seed)
    from . import _hooks

    for cb in train_kwargs.get("callbacks", ()):  # its best weights copied in one call
        if isinstance(cb, _hooks.BestEpochStopping):
            cb.read_weights = trainer.read_weights
    try:
        with _tf.own_graphs():
            history, interrupted = _engine.train(
                trainer, X32, y32, w32, epochs=params.epochs, seed=seed,
                batch_size=batch_size(params.batch_size, batch_rows),
                metrics=validation_metrics(scoring), **train_kwargs)
        # The built-in network is read before its pooled trainer goes back.
        fitted = FittedNetwork(trainer.model, custom=key is None, architecture=built_in)
        validation = train_kwargs.get("validation")
        held_out = (trainer.held_out_proba(validation[0], validation[3])
                    if validation is not None and len(validation) == 4 else None)
    finally:
        if key is not None:
            _engine.release(key, trainer)
    return fitted, history, interrupted, held_out
