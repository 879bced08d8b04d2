"""The estimator's parameters, each declared once.

:data:`PARAMETERS` lists every constructor parameter of
:class:`~skbinary.KerasBinaryClassifier` as one :class:`Param`: its name, its
default, the check that accepts its values (numpy scalars included, returned
as plain Python values), what it shapes and how a model file stores it.
Everything else derives from that list:

* the estimator's ``__init__`` (:func:`make_init`), so ``get_params``,
  ``set_params``, ``clone`` and ``GridSearchCV`` see each parameter;
* the validation at the start of ``fit`` (:func:`resolve`), which returns the
  checked values that the fit then reads, never the raw attributes;
* the built-in network's architecture (:func:`architecture`) and the key of
  the pool of compiled trainers (:func:`trainer_key`): every parameter that
  shapes the network or the compiled trainer is part of the key;
* the model file's ``params`` (:func:`encode`, :func:`decode`);
* the parameter table of the documentation (:func:`parameter_table`).

Adding a hyperparameter is one entry here plus the code that uses it.

What a parameter shapes (``Param.shapes``):

``"network"``
    The built-in network's architecture: fixed at ``fit``, stored with the
    fitted network, part of the trainer pool's key.
``"trainer"``
    The compiled training step (optimizer, loss): part of the trainer pool's key.
``"data"``
    What ``fit`` trains on and for how long (weights, validation split,
    minibatches, resampling, epochs, callbacks, seeds).
``"decision"``
    How ``predict`` turns probabilities into labels.
``"nothing"``
    Nothing learned (output only).
"""

import inspect
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from ._checks import (
    LOSSES,
    OPTIMIZERS,
    SCORINGS,
    check_callbacks,
    check_hidden_layer_sizes,
    check_model_param,
    check_number,
    check_sampler,
    check_threshold,
    py_scalar,
    schedule_key,
)
from ._network import INPUT_SCALINGS, KERAS_ACTIVATIONS, NUMERIC_EMBEDDINGS

SHAPES = ("network", "trainer", "data", "decision", "nothing")
VALIDATIONS = ("auto", "holdout", "cross_fit")


def _same(value):
    return value


def _stored(value):
    """The JSON form of a checked plain value (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Param:
    """One constructor parameter.

    Parameters
    ----------
    name : str
        The argument's name.
    default : object
        Its default value (immutable).
    accepts : str
        What it accepts, in words, for the documentation.
    check : callable
        ``check(value)`` returns the value as the fit uses it (plain Python
        scalars for numpy ones), or raises ``ValueError``/``TypeError``
        naming the parameter.
    shapes : str
        One of :data:`SHAPES`.
    key : callable or None, default=_same
        For ``"network"`` and ``"trainer"`` parameters: the checked value's
        part of the trainer pool's key. None: not part of it.
    encode : callable or None, default=_stored
        Checked value -> JSON value of the model file. None: not stored (code,
        not data: a loaded estimator has the default).
    decode : callable, default=_same
        JSON value -> value to pass to the constructor.
    """

    name: str
    default: Any
    accepts: str
    check: Callable
    shapes: str
    key: Callable | None = _same
    encode: Callable | None = _stored
    decode: Callable = _same


# ------------------------------------------------------------------ checks


def _choice(name, allowed, *, none=False):
    def check(value):
        if value is None and none:
            return None
        if not isinstance(value, str) or value not in allowed:
            shown = sorted(a for a in allowed if a is not None) + ([None] if none else [])
            raise ValueError(
                f"The '{name}' parameter must be one of {shown}. Got {value!r} instead.")
        return str(value)
    return check


def _number(name, kind=numbers.Real, *, none=False, allow_bool=False, **bounds):
    cast = int if kind is numbers.Integral else float

    def check(value):
        if value is None and none:
            return None
        check_number(value, name, kind, allow_bool=allow_bool, **bounds)
        return cast(value)
    return check


def _flag(name, *, auto=False):
    def check(value):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if auto and isinstance(value, str) and value == "auto":
            return "auto"
        what = "a bool or 'auto'" if auto else "a bool"
        raise TypeError(f"The '{name}' parameter must be {what}. Got {value!r}.")
    return check


def _positive_int_or_auto(name):
    number = _number(name, numbers.Integral, min_val=1)

    def check(value):
        if isinstance(value, str) and value == "auto":
            return "auto"
        return number(value)
    return check


def _learning_rate(value):
    if isinstance(value, numbers.Real):
        return _number("learning_rate", min_val=0.0, include_boundaries="neither")(value)
    schedule_key(value)  # raises naming the parameter
    return value


def _learning_rate_key(value):
    # A float rate is a variable of the compiled step; a schedule is part of it.
    return None if isinstance(value, float) else schedule_key(value)


def _encode_learning_rate(value):
    if isinstance(value, float):
        return value
    import keras

    return {"schedule": keras.optimizers.schedules.serialize(value)}


def _decode_learning_rate(value):
    if not isinstance(value, dict):
        return value
    if set(value) != {"schedule"}:
        raise ValueError(f"malformed learning_rate {value!r:.200}")
    import keras

    return keras.optimizers.schedules.deserialize(value["schedule"])


def _class_weight(value):
    if value is None or (isinstance(value, str) and value == "balanced"):
        return value
    if not isinstance(value, dict):
        raise ValueError(
            "The 'class_weight' parameter must be None, 'balanced' or a dict mapping "
            f"labels to weights. Got {value!r} instead.")
    return {py_scalar(label): _number(f"class_weight[{label!r}]", min_val=0.0)(weight)
            for label, weight in value.items()}


def _encode_class_weight(value):
    if not isinstance(value, dict):
        return value
    return {"keys": list(value), "values": list(value.values())}


def _decode_class_weight(value):
    if not isinstance(value, dict):
        return value
    if set(value) != {"keys", "values"} or not all(
            isinstance(value[k], list) for k in value) or len(value["keys"]) != len(
            value["values"]):
        raise ValueError(f"malformed class_weight {value!r:.200}")
    return dict(zip(value["keys"], value["values"]))


def _threshold(value):
    check_threshold(value)
    if isinstance(value, dict):
        ((name, target),) = value.items()
        return {name: float(target)}
    return value if isinstance(value, str) else float(value)


def _random_state(value):
    if value is None or isinstance(value, np.random.RandomState):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        check_number(value, "random_state", numbers.Integral, min_val=0,
                     max_val=2**32 - 1)
        return int(value)
    raise ValueError(
        "The 'random_state' parameter must be None, an int in [0, 2**32 - 1] or a "
        f"numpy RandomState. Got {value!r} instead.")


def _encode_random_state(value):
    # A RandomState instance is a stream, not a seed: a file cannot reproduce it.
    return value if isinstance(value, int) else None


def _words(values):
    return ", ".join(repr(v) for v in values)


def _checked_by(check):
    def run(value):
        check(value)
        return value
    return run


# ---------------------------------------------------------- the parameters

PARAMETERS = (
    Param("hidden_layer_sizes", (64, 32), "int or tuple of int > 0",
          check_hidden_layer_sizes, "network", decode=lambda v: tuple(v)
          if isinstance(v, list) else v),
    Param("activation", "relu", _words(sorted(KERAS_ACTIVATIONS)),
          _choice("activation", KERAS_ACTIVATIONS), "network"),
    Param("dropout", 0.0, "float in [0, 1)",
          _number("dropout", min_val=0.0, max_val=1.0, include_boundaries="left"),
          "network"),
    Param("l2", 0.0, "float >= 0", _number("l2", min_val=0.0), "network"),
    Param("batch_norm", False, "bool", _flag("batch_norm"), "network"),
    Param("input_scaling", "standard", _words(INPUT_SCALINGS),
          _choice("input_scaling", INPUT_SCALINGS, none=True), "network"),
    Param("ensemble_size", 4, "int >= 1",
          _number("ensemble_size", numbers.Integral, min_val=1), "network"),
    Param("numeric_embedding", "auto", _words((*NUMERIC_EMBEDDINGS, "auto")),
          _choice("numeric_embedding", (*NUMERIC_EMBEDDINGS, "auto"), none=True),
          "network"),
    Param("optimizer", "adam", _words(OPTIMIZERS), _choice("optimizer", OPTIMIZERS),
          "trainer"),
    Param("learning_rate", 1e-3, "float > 0 or a Keras LearningRateSchedule",
          _learning_rate, "trainer", key=_learning_rate_key,
          encode=_encode_learning_rate, decode=_decode_learning_rate),
    Param("weight_decay", 0.0, "float >= 0", _number("weight_decay", min_val=0.0),
          "trainer"),
    Param("batch_size", "auto", "int >= 1 or 'auto'", _positive_int_or_auto("batch_size"),
          "data"),
    Param("epochs", 200, "int >= 1", _number("epochs", numbers.Integral, min_val=1),
          "data"),
    Param("early_stopping", "auto", "bool or 'auto'", _flag("early_stopping", auto=True),
          "data"),
    Param("validation_fraction", 0.2, "float in (0, 1)",
          _number("validation_fraction", min_val=0.0, max_val=1.0,
                  include_boundaries="neither"), "data"),
    Param("validation", "auto", _words(VALIDATIONS),
          _choice("validation", VALIDATIONS), "data"),
    Param("n_iter_no_change", 10, "int >= 1",
          _number("n_iter_no_change", numbers.Integral, min_val=1), "data"),
    Param("tol", 1e-4, "float >= 0", _number("tol", min_val=0.0), "data"),
    Param("scoring", "loss", _words(SCORINGS), _choice("scoring", SCORINGS), "data"),
    Param("class_weight", None, "None, 'balanced' or dict label -> weight", _class_weight,
          "data", encode=_encode_class_weight, decode=_decode_class_weight),
    Param("threshold", 0.5, "float in (0, 1), 'f1', {'recall': r} or {'precision': p}",
          _threshold, "decision"),
    Param("sampler", None, "None or an imbalanced-learn sampler",
          _checked_by(check_sampler), "data", encode=None),
    Param("loss", "binary_crossentropy", _words(LOSSES), _choice("loss", LOSSES),
          "trainer"),
    Param("focal_gamma", 2.0, "float >= 0", _number("focal_gamma", min_val=0.0),
          "trainer"),
    Param("focal_alpha", None, "None or float in (0, 1)",
          _number("focal_alpha", none=True, min_val=0.0, max_val=1.0,
                  include_boundaries="neither"), "trainer"),
    Param("callbacks", None, "None or list of Keras callbacks",
          _checked_by(check_callbacks), "data", encode=None),
    # A user's network is never pooled, so ``model`` is no part of the key.
    Param("model", None, "None or a function returning a Keras model",
          _checked_by(check_model_param), "network", key=None, encode=None),
    Param("random_state", None, "None, int or RandomState", _random_state, "data",
          encode=_encode_random_state),
    Param("verbose", 0, "0, 1 or 2",
          _number("verbose", numbers.Integral, allow_bool=True, min_val=0, max_val=2),
          "nothing"),
)
BY_NAME = {p.name: p for p in PARAMETERS}

# The built-in network's build arguments, in this order.
ARCHITECTURE = tuple(p.name for p in PARAMETERS if p.shapes == "network"
                     and p.key is not None)
# The parameters a model file stores.
STORED = tuple(p.name for p in PARAMETERS if p.encode is not None)
# What makes two compiled built-in trainers interchangeable.
_POOLED = tuple(p for p in PARAMETERS if p.shapes in ("network", "trainer")
                and p.key is not None)


# ------------------------------------------------------------- derivations


def make_init():
    """The estimator's ``__init__``: stores each parameter, with its default.

    Its signature (what ``get_params`` reads) lists :data:`PARAMETERS` in order.
    """
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [inspect.Parameter("self", kind)]
        + [inspect.Parameter(p.name, kind, default=p.default) for p in PARAMETERS])

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def resolve(est):
    """Check every parameter of ``est``; return the checked values.

    Returns
    -------
    params : types.SimpleNamespace
        One attribute per parameter, as the fit uses it: plain Python scalars
        (numpy ones converted), ``hidden_layer_sizes`` a tuple.

    Raises
    ------
    ValueError or TypeError
        Naming the first invalid parameter and what it accepts.
    """
    return SimpleNamespace(**{p.name: p.check(getattr(est, p.name)) for p in PARAMETERS})


def architecture(params):
    """The built-in network's build arguments from resolved ``params``."""
    return {name: getattr(params, name) for name in ARCHITECTURE}


def trainer_key(params, n_features):
    """What makes two built-in trainers interchangeable in the pool."""
    return (n_features, *(p.key(getattr(params, p.name)) for p in _POOLED))


def encode(params):
    """The model file's ``params``: the stored parameters' JSON values."""
    return {p.name: p.encode(getattr(params, p.name)) for p in PARAMETERS
            if p.encode is not None}


def decode(stored):
    """Constructor arguments from a model file's ``params`` (``encode``'s inverse).

    Raises
    ------
    ValueError
        For a parameter the estimator does not have or does not store, or a
        malformed value.
    """
    unknown = sorted(set(stored) - set(STORED))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}")
    return {name: BY_NAME[name].decode(value) for name, value in stored.items()}


def parameter_table():
    """The parameters as a reStructuredText table (name, default, accepts, shapes)."""
    rows = [("Parameter", "Default", "Accepts", "Shapes")]
    rows += [(f"``{p.name}``", f"``{p.default!r}``", p.accepts, p.shapes)
             for p in PARAMETERS]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(c.ljust(w) for c, w in zip(rows[0], widths)).rstrip(), rule]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows[1:]]
    return "\n".join(lines + [rule]) + "\n"
