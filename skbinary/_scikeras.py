"""Translating a fitted scikeras ``KerasClassifier`` into our parameters and state.

Used by :meth:`KerasBinaryClassifier.from_scikeras`. scikeras itself is not
imported: the fitted estimator is read through its public attributes.
"""

import functools
import inspect

import numpy as np

from . import _network
from ._checks import OPTIMIZERS


def _check_adoptable(fitted):
    """Refuse an unfitted, non-binary or non-sigmoid scikeras classifier."""
    model = getattr(fitted, "model_", None)
    if model is None or not hasattr(fitted, "classes_"):
        raise ValueError("from_scikeras needs a fitted scikeras KerasClassifier.")
    if len(fitted.classes_) != 2:
        raise ValueError(
            "Only binary classification is supported: the scikeras model has "
            f"{len(fitted.classes_)} classes."
        )
    if not _network.has_sigmoid_output(model):
        raise ValueError(
            "Only a network ending in one sigmoid unit can be adopted; this one has "
            f"output shape {tuple(model.output_shape)} and last layer "
            f"{model.layers[-1].__class__.__name__}. Rebuild it with "
            "Dense(1, activation='sigmoid') and loss='binary_crossentropy'."
        )
    return model


def _build_function(params, model):
    """The build function with the hyperparameters scikeras routed to it bound.

    For a model instance (or a ``build_fn``), a ``KerasArchitecture`` that
    rebuilds its architecture on refit.
    """
    build = params.get("model")
    if callable(build) and not hasattr(build, "fit"):
        accepted = inspect.signature(build).parameters
        bound = {k: v for k, v in params.items() if k in accepted
                 and k not in ("meta", "compile_kwargs", "model")}
        bound.update({k[len("model__"):]: v for k, v in params.items()
                      if k.startswith("model__") and k[len("model__"):] in accepted})
        return functools.partial(build, **bound) if bound else build
    return _network.KerasArchitecture.of(model)


def adopt(fitted):
    """``(params, learned)`` of a fitted binary scikeras classifier.

    ``params`` are keyword arguments of ``KerasBinaryClassifier``; ``learned``
    those of its ``_restore``.
    """
    model = _check_adoptable(fitted)
    params = fitted.get_params()
    rs, opt, cw = params.get("random_state"), params.get("optimizer"), params.get("class_weight")
    ours = {
        "model": _build_function(params, model),
        "epochs": int(params.get("epochs") or 1),
        "batch_size": int(params.get("batch_size") or 32),
        "random_state": rs if isinstance(rs, (int, np.integer)) else None,
        "optimizer": opt.lower() if isinstance(opt, str) and opt.lower() in OPTIMIZERS
        else "adam",
        "learning_rate": float(params.get("optimizer__learning_rate", 1e-3)),
        "class_weight": cw if cw is None or cw == "balanced" or isinstance(cw, dict) else None,
    }
    history = dict(getattr(fitted, "history_", {}) or {})
    learned = {
        "model": model,
        "custom": True,
        "classes": np.asarray(fitted.classes_),
        "n_features_in": int(fitted.n_features_in_),
        "feature_names_in": getattr(fitted, "feature_names_in_", None),
        "history": {k: [float(v) for v in vals] for k, vals in history.items()},
        "n_iter": len(history.get("loss", [])),
    }
    return ours, learned
