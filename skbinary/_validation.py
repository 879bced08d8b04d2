"""Checks of hyperparameters, targets and sample weights, in scikit-learn's words."""

import numbers

import numpy as np
from sklearn.utils import check_scalar
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ._network import INPUT_SCALINGS, KERAS_ACTIVATIONS

OPTIMIZERS = ("adam", "adamw", "nadam", "adamax", "rmsprop", "sgd", "adagrad")
SCORINGS = ("loss", "roc_auc", "average_precision")
LOSSES = ("binary_crossentropy", "focal")
# threshold objectives: {"recall": r} -> choose_threshold(target_recall=r), ...
THRESHOLD_TARGETS = {"recall": "target_recall", "precision": "target_precision"}


def _choice(value, name, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"The '{name}' parameter must be one of {sorted(allowed)}. Got {value!r} instead."
        )


def check_hidden_layer_sizes(value):
    """Return ``hidden_layer_sizes`` as a tuple of positive ints, or raise."""
    sizes = (value,) if isinstance(value, numbers.Integral) else value
    try:
        sizes = tuple(sizes)
    except TypeError:
        sizes = None
    if sizes is None or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in sizes
    ):
        raise ValueError(
            "The 'hidden_layer_sizes' parameter must be a positive int or a tuple of "
            f"positive ints, e.g. (64, 32). Got {value!r} instead."
        )
    return tuple(int(s) for s in sizes)


def check_params(est):
    """Validate every constructor parameter of a ``KerasBinaryClassifier``.

    Raises
    ------
    ValueError or TypeError
        Naming the parameter and what it accepts.
    """
    check_hidden_layer_sizes(est.hidden_layer_sizes)
    _choice(est.activation, "activation", KERAS_ACTIVATIONS)
    check_scalar(est.dropout, "dropout", numbers.Real, min_val=0.0, max_val=1.0,
                 include_boundaries="left")
    check_scalar(est.l2, "l2", numbers.Real, min_val=0.0)
    if not isinstance(est.batch_norm, (bool, np.bool_)):
        raise TypeError(f"The 'batch_norm' parameter must be a bool. Got {est.batch_norm!r}.")
    if est.input_scaling not in INPUT_SCALINGS:
        raise ValueError(
            "The 'input_scaling' parameter must be 'robust' or None. Got "
            f"{est.input_scaling!r} instead."
        )
    _choice(est.optimizer, "optimizer", OPTIMIZERS)
    if isinstance(est.learning_rate, numbers.Real):
        check_scalar(est.learning_rate, "learning_rate", numbers.Real, min_val=0.0,
                     include_boundaries="neither")
    else:
        schedule_key(est.learning_rate)
    check_scalar(est.weight_decay, "weight_decay", numbers.Real, min_val=0.0)
    if est.batch_size != "auto":
        check_scalar(est.batch_size, "batch_size", numbers.Integral, min_val=1)
    check_scalar(est.epochs, "epochs", numbers.Integral, min_val=1)
    if not (isinstance(est.early_stopping, (bool, np.bool_)) or est.early_stopping == "auto"):
        raise TypeError(
            "The 'early_stopping' parameter must be a bool or 'auto'. Got "
            f"{est.early_stopping!r}."
        )
    check_scalar(est.validation_fraction, "validation_fraction", numbers.Real,
                 min_val=0.0, max_val=1.0, include_boundaries="neither")
    check_scalar(est.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
    _choice(est.scoring, "scoring", SCORINGS)
    cw = est.class_weight
    if not (cw is None or cw == "balanced" or isinstance(cw, dict)):
        raise ValueError(
            "The 'class_weight' parameter must be None, 'balanced' or a dict mapping "
            f"labels to weights. Got {cw!r} instead."
        )
    check_threshold(est.threshold)
    _choice(est.loss, "loss", LOSSES)
    check_scalar(est.focal_gamma, "focal_gamma", numbers.Real, min_val=0.0)
    if est.focal_alpha is not None:
        check_scalar(est.focal_alpha, "focal_alpha", numbers.Real, min_val=0.0,
                     max_val=1.0, include_boundaries="neither")
    check_sampler(est.sampler)
    if est.model is not None and not callable(est.model):
        raise TypeError(
            "The 'model' parameter must be None or a callable returning a Keras model "
            f"with one sigmoid output. Got an object of type {type(est.model).__name__}."
        )
    check_scalar(est.verbose, "verbose", numbers.Integral, min_val=0, max_val=2)
    check_callbacks(est.callbacks)


def check_threshold(threshold):
    """Check ``threshold``; return None for a float, else ``choose_threshold`` kwargs.

    A float in (0, 1) is the threshold itself. An objective is learned in
    ``fit``: ``"f1"`` (best F1), ``{"recall": r}`` or ``{"precision": p}``
    (one key, a target in (0, 1]).

    Raises
    ------
    ValueError
        Naming ``threshold`` and the accepted forms.
    """
    if isinstance(threshold, numbers.Real) and not isinstance(threshold, (bool, np.bool_)):
        check_scalar(threshold, "threshold", numbers.Real, min_val=0.0, max_val=1.0,
                     include_boundaries="neither")
        return None
    if isinstance(threshold, str) and threshold == "f1":
        return {}
    if isinstance(threshold, dict) and len(threshold) == 1:
        (name, target), = threshold.items()
        if (name in THRESHOLD_TARGETS and isinstance(target, numbers.Real)
                and not isinstance(target, (bool, np.bool_)) and 0 < target <= 1):
            return {THRESHOLD_TARGETS[name]: float(target)}
    raise ValueError(
        "The 'threshold' parameter must be a float in (0, 1), 'f1', {'recall': r} or "
        "{'precision': p} with a target in (0, 1] (learned in fit on held-out rows). "
        f"Got {threshold!r} instead."
    )


def check_sampler(sampler):
    """Check ``sampler`` is None or an unfitted imbalanced-learn-style sampler."""
    if sampler is None:
        return
    if isinstance(sampler, type) or not (
        callable(getattr(sampler, "fit_resample", None))
        and callable(getattr(sampler, "get_params", None))
    ):
        hint = (f" Pass {sampler.__name__}(...) instead." if isinstance(sampler, type)
                else "")
        raise TypeError(
            "The 'sampler' parameter must be None or an imbalanced-learn sampler "
            "instance with fit_resample and get_params (RandomUnderSampler(), "
            f"SMOTE(), ...). Got {sampler!r} of type {type(sampler).__name__}.{hint}"
        )


def schedule_key(schedule):
    """A hashable key of a Keras ``LearningRateSchedule``, or raise naming ``learning_rate``."""
    import json

    import keras

    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        raise TypeError(
            "The 'learning_rate' parameter must be a positive float or a "
            "keras.optimizers.schedules.LearningRateSchedule instance (e.g. "
            f"CosineDecay(1e-3, decay_steps=1000)). Got {schedule!r} instead."
        )
    config = json.dumps(schedule.get_config(), sort_keys=True, default=repr)
    return type(schedule).__qualname__, config


def check_callbacks(callbacks):
    """Check ``callbacks`` is None or a list of Keras callback instances."""
    if callbacks is None:
        return
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            "The 'callbacks' parameter must be None or a list of Keras callback "
            f"instances. Got {type(callbacks).__name__}."
        )
    if not callbacks:
        return
    import keras

    for cb in callbacks:
        if isinstance(cb, type) and issubclass(cb, keras.callbacks.Callback):
            raise TypeError(
                f"The 'callbacks' parameter needs instances, got the class "
                f"{cb.__name__}: pass {cb.__name__}(...) instead."
            )
        if not isinstance(cb, keras.callbacks.Callback):
            raise TypeError(
                "The 'callbacks' parameter must hold keras.callbacks.Callback "
                f"instances. Got {cb!r} of type {type(cb).__name__}."
            )


def check_binary_target(y):
    """Encode a binary target; return ``(classes, y_encoded)``.

    Raises
    ------
    ValueError
        For a continuous, multiclass, multilabel or single-class target.
    """
    check_classification_targets(y)
    kind = type_of_target(y, input_name="y", raise_unknown=True)
    if kind != "binary":
        raise ValueError(
            "Only binary classification is supported. The type of the target "
            f"is {kind}."
        )
    classes, y_encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but the "
            f"data contains only one class: {classes[0]!r}."
        )
    return classes, y_encoded


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight``; return a new float64 array (ones when None).

    Raises
    ------
    ValueError
        For a wrong shape, NaN/inf, negative values or weights summing to zero.
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float64)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, float(sample_weight))
    sw = np.array(sample_weight, dtype=np.float64)  # a copy: never modify the caller's
    if sw.ndim != 1:
        raise ValueError(f"Sample weights must be 1D array or scalar, got shape {sw.shape}.")
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected {(n_samples,)}!"
        )
    if not np.all(np.isfinite(sw)):
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if np.any(sw < 0):
        raise ValueError("Negative values in data passed to sample_weight.")
    if sw.sum() <= 0:
        raise ValueError("Sample weights must not all be zero: sample_weight sums to zero.")
    return sw
