"""Checks of hyperparameters, targets, labels and sample weights, in scikit-learn's words.

This module is the one home of the rules the estimator, the metrics, the plots
and the command line share: which label is positive (:func:`binary_labels`),
which scores are predicted positive (:func:`predicted_positive`) and what a valid
sample weight is (:func:`check_sample_weight`). It imports numpy and
scikit-learn only; Keras is imported inside :func:`check_callbacks`.
"""

import numbers

import numpy as np
from sklearn.utils import check_scalar, column_or_1d
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)

OPTIMIZERS = ("adam", "adamw", "nadam", "adamax", "rmsprop", "sgd", "adagrad")
SCORINGS = ("loss", "roc_auc", "average_precision")
LOSSES = ("binary_crossentropy", "focal")
# threshold objectives: {"recall": r} -> choose_threshold(target_recall=r), ...
THRESHOLD_TARGETS = {"recall": "target_recall", "precision": "target_precision"}


def py_scalar(value):
    """A plain Python scalar for a numpy scalar; any other value unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> type(py_scalar(np.int64(3))).__name__
    'int'
    """
    return value.item() if isinstance(value, np.generic) else value


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


def check_number(value, name, target_type=numbers.Real, *, allow_bool=False, **bounds):
    """``check_scalar`` that also refuses NaN and infinity, naming the parameter.

    ``check_scalar`` compares with the bounds, and every comparison with NaN is
    False, so NaN would pass any range. Every numeric parameter goes through here.

    Raises
    ------
    TypeError or ValueError
        Naming the parameter, the value and what it accepts.
    """
    if isinstance(value, (bool, np.bool_)) and not allow_bool:
        raise TypeError(f"The '{name}' parameter must be a number, not a bool. Got {value!r}.")
    if isinstance(value, numbers.Real) and not np.isfinite(float(value)):
        raise ValueError(f"The '{name}' parameter must be a finite number. Got {value!r}.")
    return check_scalar(value, name, target_type, **bounds)


def check_model_param(model):
    """Refuse a ``model`` that is not a function returning a new Keras model.

    Raises
    ------
    TypeError
        For a Keras model instance (the scikeras habit), a class, or anything
        not callable; the message says what to pass instead.
    """
    if model is None:
        return
    if isinstance(model, type):
        raise TypeError(
            f"The 'model' parameter must be a function that builds and returns a Keras "
            f"model, not the class {model.__name__} itself: pass e.g. "
            f"model=lambda: keras.Sequential([keras.Input((n_features,)), ..., "
            "keras.layers.Dense(1, activation='sigmoid')]).")
    if hasattr(model, "layers") and hasattr(model, "get_weights"):
        raise TypeError(
            "The 'model' parameter must be a function returning a new Keras model, not a "
            "model instance (every fit needs fresh weights, and clones in a grid search "
            "must not share one network): pass model=lambda: "
            "keras.models.clone_model(my_model).")
    if not callable(model):
        raise TypeError(
            "The 'model' parameter must be None or a callable returning a Keras model "
            f"with one sigmoid output. Got an object of type {type(model).__name__}.")


_THRESHOLD_INTERVALS = {
    "[0, 1]": {"min_val": 0.0, "max_val": 1.0, "include_boundaries": "both"},
    "(0, 1)": {"min_val": 0.0, "max_val": 1.0, "include_boundaries": "neither"},
    None: {},
}
# The same intervals as comparisons, each False for NaN and infinity.
_THRESHOLD_INSIDE = {
    "[0, 1]": lambda t: 0.0 <= t <= 1.0,
    "(0, 1)": lambda t: 0.0 < t < 1.0,
    None: lambda t: -np.inf < t < np.inf,
}


def check_threshold_value(value, name="threshold", *, interval="[0, 1]"):
    """Check a decision threshold: a real number, not a bool, finite, in ``interval``.

    The one rule for a threshold given as a number, wherever one is given: the
    estimator's ``threshold``, the metrics, the plots, the command line and
    the model files.

    Parameters
    ----------
    value : object
        The threshold.
    name : str, default="threshold"
        Its name, for the messages.
    interval : {"[0, 1]", "(0, 1)"} or None, default="[0, 1]"
        ``"[0, 1]"`` for a threshold on probabilities (the metrics, the
        command line), ``"(0, 1)"`` for the estimator's ``threshold``
        parameter and ``threshold_``, None for any finite number (the plots,
        which also draw ``decision_function`` scores).

    Returns
    -------
    threshold : float

    Raises
    ------
    TypeError
        If ``value`` is not a real number, or is a bool.
    ValueError
        If it is NaN, infinite or outside ``interval``.

    Examples
    --------
    >>> check_threshold_value(0.25)
    0.25
    >>> check_threshold_value(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: The 'threshold' parameter must be a finite number. Got nan.
    """
    if type(value) is float and _THRESHOLD_INSIDE[interval](value):  # the common case, cheaply
        return value
    return float(check_number(value, name, numbers.Real, **_THRESHOLD_INTERVALS[interval]))


def check_threshold(threshold):
    """Check ``threshold``; return None for a float, else ``choose_threshold`` kwargs.

    A float in (0, 1) is the threshold itself (checked by
    :func:`check_threshold_value`). An objective is learned in ``fit``:
    ``"f1"`` (best F1), ``{"recall": r}`` or ``{"precision": p}`` (one key, a
    target in (0, 1]).

    Raises
    ------
    ValueError
        Naming ``threshold`` and the accepted forms.
    """
    if isinstance(threshold, numbers.Real) and not isinstance(threshold, (bool, np.bool_)):
        # also checked by predict, since set_params may change it
        check_threshold_value(threshold, interval="(0, 1)")
        return None
    if isinstance(threshold, str) and threshold == "f1":
        return {}
    if isinstance(threshold, dict) and len(threshold) == 1:
        (name, target), = threshold.items()
        if (name in THRESHOLD_TARGETS and isinstance(target, numbers.Real)
                and not isinstance(target, (bool, np.bool_)) and 0 < target <= 1):
            return {THRESHOLD_TARGETS[name]: float(target)}
    wrong_type = not isinstance(threshold, (numbers.Real, str, dict)) or isinstance(
        threshold, (bool, np.bool_))
    raise (TypeError if wrong_type else ValueError)(
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


# The standard label sets {0, 1} and {-1, 1} name both classes when only one
# occurs: the other member of each label's set.
_OTHER_LABEL = {0: 1, 1: 0, -1: 1}


def _standard_single_label(classes):
    """``True`` when the one label in ``classes`` is 0, 1 or -1 (or a bool)."""
    if classes.dtype.kind not in "biuf":
        return False
    only = py_scalar(classes[0])
    return only in _OTHER_LABEL and not (isinstance(only, float) and only % 1)


def binary_labels(*ys, pos_label=None, labels=None, names=("y_true", "y_pred"),
                  accepts_labels=False):
    """Return ``(neg_label, pos_label)`` of a binary problem: the one rule.

    The estimator, :mod:`skbinary.metrics`, :mod:`skbinary.plotting` and the
    command line all decide the positive class here.

    Parameters
    ----------
    *ys : array-like
        Label arrays (``y_true``, and ``y_pred`` where there is one).
    pos_label : int, float, bool or str, default=None
        The positive class. By default the greater of the two sorted labels,
        like ``classes_[1]`` of a fitted scikit-learn classifier.
    labels : array-like, default=None
        The two labels of the problem, when the data may hold only one.
    names : tuple of str, default=("y_true", "y_pred")
        Names of ``ys`` for the error messages.
    accepts_labels : bool, default=False
        Whether the caller takes ``labels=``, which the messages then suggest.

    Returns
    -------
    neg_label, pos_label : scalars
        Spelled as in the data (``True`` rather than ``1``). When the data hold
        one label, the sets {0, 1} (numbers or bools) and {-1, 1} complete it:
        the positive is 1 and the negative the other member. ``neg_label`` is
        None when one label occurs, it is the given ``pos_label`` and it is
        not 0, 1 or -1: the negative class is then unknown.

    Raises
    ------
    ValueError
        For more than two labels, a ``pos_label`` that is not a label, or a
        single label from which the positive class cannot be inferred.

    Examples
    --------
    >>> print(*binary_labels(["ham", "spam", "ham"]))
    ham spam
    >>> print(*binary_labels([-1, -1, -1]))
    -1 1
    >>> print(*binary_labels([0, 1, 1], pos_label=0))
    1 0
    """
    classes = unique_labels(*ys) if labels is None else np.unique(np.asarray(labels))
    source = (
        "labels" if labels is not None
        else f"{names[0]} has" if len(ys) == 1
        else " and ".join(names[: len(ys)]) + " together hold"
    )
    if classes.size > 2:
        raise ValueError(
            "Only binary classification is supported. "
            f"{source} {classes.size} labels: {classes.tolist()}."
        )
    if classes.size == 2:
        if pos_label is None:
            return classes[0], classes[1]
        for index, label in enumerate(classes.tolist()):
            if label == pos_label:  # the label as spelled in the data
                return classes[1 - index], classes[index]
        raise ValueError(
            f"pos_label={pos_label!r} is not a valid label. It should be one "
            f"of {classes.tolist()}."
        )
    only, standard = classes[0], _standard_single_label(classes)
    if pos_label is None:
        if not standard:
            also = " (or labels=[negative_label, positive_label])" if accepts_labels else ""
            raise ValueError(
                f"{names[0]} holds a single label {py_scalar(only)!r}, so the positive "
                f"class cannot be inferred: pass pos_label={also}."
            )
        pos_label = classes.dtype.type(1)
    if pos_label != only:
        return only, pos_label
    if standard:
        return classes.dtype.type(_OTHER_LABEL[py_scalar(only)]), only
    return None, pos_label


def predicted_positive(y_score, threshold):
    """Where ``y_score >= threshold``: the one thresholding rule.

    Parameters
    ----------
    y_score : array-like
        Scores of the positive class (probabilities or decision values).
    threshold : float
        Scores at or above it are predicted positive.

    Returns
    -------
    mask : ndarray of bool

    Examples
    --------
    >>> predicted_positive([0.2, 0.5, 0.9], 0.5)
    array([False,  True,  True])
    """
    return np.asarray(y_score) >= threshold


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
    classes, y_encoded = np.unique(y, return_inverse=True)  # classes_[1] positive
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
    if isinstance(sample_weight, numbers.Number):  # a scalar weighs every row alike
        sw = np.full(n_samples, float(sample_weight))
    else:
        sw = np.array(sample_weight, dtype=np.float64)  # a copy: never modify the caller's
        if sw.ndim != 1:
            raise ValueError(
                f"Sample weights must be 1D array or scalar, got shape {sw.shape}.")
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


# --------------------------------------------------------------------------- #
# Label and score arrays of the metrics and the plots
# --------------------------------------------------------------------------- #


def check_1d(values, name):
    """``values`` as a 1-D array; a clear error for an estimator or a 2-D array.

    Raises
    ------
    TypeError
        For an estimator (``plot_roc(clf, X)`` instead of labels and scores).
    ValueError
        For a 2-D array with more than one column, such as the output of
        ``predict_proba``; the message names its positive-class column.
    """
    if hasattr(values, "fit") and hasattr(values, "get_params"):
        raise TypeError(
            f"{name} must be an array, not an estimator ({type(values).__name__}): "
            "the metrics and plot functions take the true labels and the scores, not "
            "a model and X. Pass y_true=y and y_score=clf.predict_proba(X)[:, 1]."
        )
    if np.ndim(values) == 2 and np.shape(values)[1] != 1:
        hint = (": for predict_proba's output pass the probability of the positive "
                "class, predict_proba(X)[:, 1]" if name == "y_score" else "")
        raise ValueError(f"{name} must be 1-D, got shape {np.shape(values)}{hint}.")
    return column_or_1d(values)


def check_scores(y_score, name="y_score", *, probabilities=True):
    """``y_score`` as a non-empty 1-D float64 array of finite scores.

    Parameters
    ----------
    y_score : array-like of shape (n_samples,)
        Scores of the positive class.
    name : str, default="y_score"
        The argument's name, for the messages.
    probabilities : bool, default=True
        Require probabilities, in [0, 1] (the metrics); otherwise any finite
        number, such as ``decision_function`` values (the plots).

    Returns
    -------
    y_score : ndarray of shape (n_samples,), dtype float64

    Raises
    ------
    TypeError or ValueError
        See :func:`check_1d`; for values that are not numbers, an empty array,
        NaN or infinity, and (with ``probabilities``) values outside [0, 1].
    """
    y_score = check_1d(y_score, name)
    try:
        y_score = y_score.astype(np.float64)
    except (TypeError, ValueError):
        what, hint = (
            ("probabilities (floats in [0, 1])",
             " To evaluate predicted labels, pass them as y_pred=.")
            if probabilities else ("numbers", "")
        )
        raise ValueError(
            f"{name} must hold {what}, got values of dtype {y_score.dtype}.{hint}"
        ) from None
    if y_score.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed.")
    if not np.all(np.isfinite(y_score)):
        raise ValueError(f"{name} contains NaN or infinity.")
    low, high = y_score.min(), y_score.max()
    if probabilities and (low < 0 or high > 1):
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], such as "
            f"predict_proba(X)[:, 1]; got values from {low:.4g} to {high:.4g}."
        )
    return y_score
