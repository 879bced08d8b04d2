"""Saving and loading a fitted estimator without pickle.

The file is a zip archive holding ``metadata.json`` (parameters, ``classes_``,
feature names, history, versions) and ``model.keras`` (the network in Keras'
native format). :func:`load` reads the JSON and loads the network with Keras'
``safe_mode=True``, so opening a model file cannot run code: a file that would
need it (a ``Lambda`` layer, say) is refused. Writes go to a temporary file in
the same folder that is then renamed over the target, so a crash during
``save`` never leaves a broken file where a good one was.
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from ._network import KerasArchitecture

FORMAT = "skbinary-model"
FORMAT_VERSION = 1

# Parameters whose values are plain JSON; ``model`` (a callable) is not stored.
_JSON_TYPES = (type(None), bool, int, float, str, list, tuple, dict)


class ModelFileError(ValueError):
    """Raised when a file is not a loadable skbinary model file.

    Examples
    --------
    >>> import os, tempfile
    >>> from skbinary import ModelFileError, load
    >>> path = os.path.join(tempfile.mkdtemp(), "junk.skb")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("not a model")
    >>> try:
    ...     load(path)
    ... except ModelFileError:
    ...     print("refused")
    refused
    """


def _versions():
    import keras
    import sklearn

    from . import __version__

    return {"skbinary": __version__, "keras": keras.__version__, "sklearn": sklearn.__version__}


def _json_params(est):
    params = {}
    for name, value in est.get_params(deep=False).items():
        if name in ("model", "callbacks", "sampler"):
            continue  # code, not data: a loaded estimator has None
        if name == "learning_rate" and not isinstance(value, (int, float)):
            import keras

            value = {"schedule": keras.optimizers.schedules.serialize(value)}
        if name == "class_weight" and isinstance(value, dict):
            value = {"keys": [_py(k) for k in value], "values": [float(v) for v in value.values()]}
        if name == "random_state" and not isinstance(value, (int, type(None))):
            value = None  # a RandomState instance is not reproducible from a file
        if not isinstance(value, _JSON_TYPES):
            raise TypeError(f"Parameter {name}={value!r} cannot be saved to a model file.")
        params[name] = list(value) if isinstance(value, tuple) else value
    return params


def _py(value):
    return value.item() if isinstance(value, np.generic) else value


def save(est, path):
    """Write the fitted estimator ``est`` to ``path`` atomically."""
    import keras
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "custom_model": est.model is not None,
        "params": _json_params(est),
        "classes": [_py(c) for c in est.classes_],
        "classes_dtype": est.classes_.dtype.str,
        "n_features_in": int(est.n_features_in_),
        "feature_names_in": (
            [str(n) for n in est.feature_names_in_] if hasattr(est, "feature_names_in_") else None
        ),
        "history": est.history_,
        "n_iter": int(est.n_iter_),
        "threshold_": float(est.threshold_) if hasattr(est, "threshold_") else None,
    }
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        keras.saving.save_model(est.model_, keras_file)
        fd, partial = tempfile.mkstemp(dir=folder, prefix=".skbinary-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("metadata.json", json.dumps(meta, indent=1))
                zf.write(keras_file, "model.keras")
            os.replace(partial, path)
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise


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
    ModelFileError
        If the file is not a skbinary model file, is truncated or corrupted,
        has an unknown format version, or would need code execution to load.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import make_classification
    >>> from skbinary import KerasBinaryClassifier, load
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skb")
    >>> _ = KerasBinaryClassifier(epochs=5, random_state=0).fit(X, y).save(path)
    >>> model = load(path)
    >>> model.predict_proba(X[:3]).shape
    (3, 2)
    """
    import keras

    from ._classifier import KerasBinaryClassifier

    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("metadata.json").decode("utf-8"))
            keras_bytes = zf.read("model.keras")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError,
            EOFError, OSError) as exc:
        raise ModelFileError(
            f"{path!r} is not a readable skbinary model file (truncated or corrupted?): {exc}"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path!r} is not a skbinary model file.")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path!r} has model file format version {meta.get('format_version')!r}; this "
            f"skbinary reads version {FORMAT_VERSION}. It was written by "
            f"{meta.get('versions')}."
        )
    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        with open(keras_file, "wb") as fh:
            fh.write(keras_bytes)
        try:
            model = keras.saving.load_model(keras_file, compile=False, safe_mode=True)
        except Exception as exc:
            raise ModelFileError(
                f"The network in {path!r} cannot be loaded safely: {exc}"
            ) from None
    params = dict(meta["params"])
    cw = params.get("class_weight")
    if isinstance(cw, dict):
        params["class_weight"] = dict(zip(cw["keys"], cw["values"]))
    if isinstance(params.get("learning_rate"), dict):
        params["learning_rate"] = keras.optimizers.schedules.deserialize(
            params["learning_rate"]["schedule"])
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    if meta["custom_model"]:
        # refitting rebuilds the same architecture with fresh weights
        params["model"] = KerasArchitecture.of(model)
    est = KerasBinaryClassifier(**params)
    est._restore(
        model=model,
        custom=meta["custom_model"],
        classes=np.array(meta["classes"], dtype=np.dtype(meta["classes_dtype"])),
        n_features_in=meta["n_features_in"],
        feature_names_in=meta["feature_names_in"],
        history=meta["history"],
        n_iter=meta["n_iter"],
        threshold=meta.get("threshold_"),
    )
    return est

