"""Saving and loading a fitted estimator without pickle.

The file is a zip archive holding ``metadata.json`` (parameters, ``classes_``,
feature names, history, versions) and ``model.keras`` (the network in Keras'
native format). :func:`load` reads the JSON and loads the network with Keras'
``safe_mode=True``, so opening a model file cannot run code: a file that would
need it (a ``Lambda`` layer, say) is refused. Writes go to a temporary file in
the same folder that is then renamed over the target
(:func:`skbinary._container.atomic_write`), so
a crash during ``save`` never leaves a broken file where a good one was.

Everything learned is fixed at ``fit``, the architecture included: the file
stores the network as fitted (``model.keras``) and, for the built-in network,
its fitted architecture (``architecture``); :func:`load` rebuilds the network
from that architecture and the stored weights. ``params`` holds the
estimator's *current* parameters (what ``get_params`` says, as for a pickle),
which may differ from the fitted architecture after a ``set_params``; they
only matter for the next ``fit``.

:func:`load` checks the whole file, as ``fit`` checks its input: anything
unreadable, corrupted or inconsistent is a :class:`ModelFileError` naming the
file and what is wrong. A file that would inflate beyond the limits of
:func:`skbinary._container.read_archive` (64 MiB for ``metadata.json``, 1 GiB in
all, ``model.keras``'s own members included) is refused before it is inflated.
"""

import json
import os
import tempfile

import numpy as np

from . import _params, _tf
from ._checks import check_threshold_value, py_scalar
from ._container import (
    ModelFileError,
    check_archive_sizes,
    check_format,
    read_archive,
    versions,
    write_archive,
)
from ._network import (
    KerasArchitecture,
    check_layers,
    describe_output,
    forward_plan,
    has_sigmoid_output,
    new_network,
    steps_read_as,
    with_scaling_gamma,
)

FORMAT = "skbinary-model"
FORMAT_VERSION = 1

# Architecture arguments that files written before they existed lack, and the
# network those files hold.
_ABSENT_MEANS = {"input_scaling": None, "ensemble_size": 1, "numeric_embedding": None}


def _versions():
    return versions("keras", "sklearn")


def save(est, path):
    """Write the fitted estimator ``est`` to ``path`` atomically."""
    import keras
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    state = est._fitted
    custom = state.network.custom  # as fitted, whatever the params say now
    architecture = None if custom else {
        name: _params.BY_NAME[name].encode(value)
        for name, value in state.network.architecture.items()}
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "custom_model": custom,
        "architecture": architecture,
        "params": _params.encode(_params.resolve(est)),
        "classes": [py_scalar(c) for c in state.classes],
        "classes_dtype": state.classes.dtype.str,
        "n_features_in": int(est.n_features_in_),
        "feature_names_in": (
            [str(n) for n in est.feature_names_in_] if hasattr(est, "feature_names_in_") else None
        ),
        "history": state.history,
        "n_iter": state.n_iter,
        "threshold_": state.threshold,
    }
    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        keras.saving.save_model(est.model_, keras_file)
        with open(keras_file, "rb") as fh:
            network = fh.read()
    write_archive(path, {"metadata.json": json.dumps(meta, indent=1), "model.keras": network})


def load(path, estimator_class):
    """Read the model file at ``path`` into a new ``estimator_class`` (see :func:`skbinary.load`)."""
    path = os.fspath(path)
    meta, keras_bytes = _read_archive(path)
    _tf.import_tensorflow()
    _check_metadata(meta, path)
    model = _load_network(keras_bytes, path)
    custom = meta["custom_model"]
    n_features = meta["n_features_in"]
    if not has_sigmoid_output(model):
        raise ModelFileError(
            f"{path!r} is corrupted: its network must end in one sigmoid unit; "
            f"{describe_output(model)}."
        )
    if model.input_shape[-1] != n_features:
        raise ModelFileError(
            f"{path!r} is corrupted: n_features_in is {n_features} but its network "
            f"takes {model.input_shape[-1]} features."
        )
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise ModelFileError(f"{path!r} is corrupted: its network has non-finite weights.")
    try:
        est = estimator_class(**_params.decode(meta["params"]))
        if custom:
            # refitting rebuilds the same architecture with fresh weights
            est.set_params(model=KerasArchitecture.of(model))
        params = _params.resolve(est)
        classes = np.array(meta["classes"], dtype=np.dtype(meta["classes_dtype"]))
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"{path!r} holds invalid parameters: {exc}") from None
    if len(np.unique(classes)) != 2:
        raise ModelFileError(f"{path!r} is corrupted: classes {meta['classes']!r} are not "
                             "two distinct labels.")
    threshold = meta.get("threshold_")  # absent in files from before learned thresholds
    if threshold is not None:
        try:
            threshold = check_threshold_value(threshold, "threshold_", interval="(0, 1)")
        except (TypeError, ValueError):
            raise ModelFileError(f"{path!r} is corrupted: 'threshold_' must be a number "
                                 f"in (0, 1), got {threshold!r:.100}.") from None
    architecture = None if custom else _architecture(meta, params, path)
    if not custom:
        model = _rebuilt(model, architecture, n_features, path)
    est._restore(
        model=model,
        custom=custom,
        classes=classes,
        n_features_in=n_features,
        feature_names_in=meta["feature_names_in"],
        history=meta["history"],
        n_iter=meta["n_iter"],
        architecture=architecture,
        threshold=threshold,
    )
    return est


def _read_archive(path):
    """``(metadata dict, network bytes)`` of the model file at ``path``."""
    members = read_archive(path, ("metadata.json", "model.keras"))
    try:
        meta = json.loads(members["metadata.json"].decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError
        raise ModelFileError(
            f"{path!r} is not a readable skbinary model file (truncated or corrupted?): "
            f"{type(exc).__name__}: {exc}"
        ) from None
    return meta, members["model.keras"]


def _is_int(value, low=0):
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _check_metadata(meta, path):
    """Raise ModelFileError naming what is missing or malformed in ``meta``."""
    check_format(meta, path, format=FORMAT, version=FORMAT_VERSION)

    def bad(key, expected):
        raise ModelFileError(f"{path!r} is corrupted: {key!r} must be {expected}, got "
                             f"{meta.get(key)!r:.200}.")

    if not isinstance(meta.get("params"), dict):
        bad("params", "a dict of the estimator's parameters")
    unknown = sorted(set(meta["params"]) - set(_params.STORED))
    if unknown:
        raise ModelFileError(f"{path!r} is corrupted: unknown parameter(s) {unknown} in "
                             "'params'.")
    if not isinstance(meta.get("custom_model"), bool):
        bad("custom_model", "true or false")
    scalar = (str, int, float, bool)
    classes = meta.get("classes")
    if not (isinstance(classes, list) and len(classes) == 2
            and all(isinstance(c, scalar) for c in classes)):
        bad("classes", "a list of two labels")
    if not isinstance(meta.get("classes_dtype"), str):
        bad("classes_dtype", "a numpy dtype string")
    if not _is_int(meta.get("n_features_in"), 1):
        bad("n_features_in", "a positive int")
    names = meta.get("feature_names_in")
    if names is not None and not (isinstance(names, list)
                                  and len(names) == meta["n_features_in"]
                                  and all(isinstance(n, str) for n in names)):
        bad("feature_names_in", f"null or a list of {meta['n_features_in']} strings")
    history = meta.get("history")
    if not (isinstance(history, dict) and all(
            isinstance(v, list) and all(isinstance(x, (int, float)) for x in v)
            for v in history.values())):
        bad("history", "a dict of lists of numbers")
    if not _is_int(meta.get("n_iter")):
        bad("n_iter", "an int >= 0")
    arch = meta.get("architecture")
    if not meta["custom_model"] and arch is not None and not isinstance(arch, dict):
        bad("architecture", "the built-in network's build arguments")


def _load_network(keras_bytes, path):
    import keras

    # model.keras is itself a zip archive, inflated by Keras: the same limits
    check_archive_sizes(keras_bytes, path, what="model.keras")
    with tempfile.TemporaryDirectory() as tmp:
        keras_file = os.path.join(tmp, "model.keras")
        with open(keras_file, "wb") as fh:
            fh.write(keras_bytes)
        try:
            return keras.saving.load_model(keras_file, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 (whatever Keras raises on a bad network)
            raise ModelFileError(
                f"The network in {path!r} cannot be loaded safely: {exc}"
            ) from None


def _architecture(meta, params, path):
    """The fitted architecture a file stores, checked as ``fit`` checks parameters.

    Files from before architectures (or some of their arguments) were stored
    take the missing ones from the stored parameters.
    """
    stored = meta.get("architecture")
    if stored is None:
        return _params.architecture(params)
    unknown = sorted(set(stored) - set(_params.ARCHITECTURE))
    if unknown:
        raise ModelFileError(f"{path!r} is corrupted: bad 'architecture': unknown "
                             f"argument(s) {unknown}.")
    missing = sorted(set(_params.ARCHITECTURE) - set(stored) - set(_ABSENT_MEANS))
    if missing:
        raise ModelFileError(f"{path!r} is corrupted: bad 'architecture': missing "
                             f"argument(s) {missing}.")
    try:
        return {name: _params.BY_NAME[name].check(_params.BY_NAME[name].decode(
                    stored[name] if name in stored else _ABSENT_MEANS[name]))
                for name in _params.ARCHITECTURE}
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path!r} is corrupted: bad 'architecture': {exc}") from None


def _same_parts(parts, others):
    """Whether two plan steps' parts (arrays, or tuples of them) are equal."""
    return len(parts) == len(others) and all(
        _same_parts(x, y) if isinstance(x, tuple) else np.array_equal(x, y)
        for x, y in zip(parts, others))


def _rebuilt(model, arch, n_features, path):
    """The built-in network rebuilt from ``arch`` with ``model``'s weights."""
    try:
        network = new_network(n_features, arch)
        network.set_weights(with_scaling_gamma(model))
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"{path!r} is corrupted: its 'architecture' does not match "
                             f"its network: {exc}") from None
    plan, stored = forward_plan(network), steps_read_as(model, network)
    same = stored is not None and len(plan) == len(stored) and all(
        a[0] == b[0] and _same_parts(a[1:], b[1:]) for a, b in zip(plan, stored))
    if not same:
        raise ModelFileError(f"{path!r} is corrupted: its 'architecture' does not match "
                             "its network.")
    try:
        check_layers(network)  # each layer as its kind requires
    except ValueError as exc:
        raise ModelFileError(f"{path!r} is corrupted: {exc}.") from None
    return network
