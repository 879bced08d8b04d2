"""The built-in Keras network, its layer kinds and its numpy forward pass.

This module knows Keras and numpy, nothing of scikit-learn (nor of ONNX: its
emitters only call the small graph writer they are given). It holds:

* :data:`LAYER_KINDS`, the registry of the network's kinds of layer (dense,
  an ensemble's block-diagonal dense, input scaling, batch normalisation,
  activations, dropout): one class each, owning its Keras build, seeded
  initialisation, numpy step, ONNX emitter and load check. Everything below
  iterates over it;
* :func:`build_network`, the dense sigmoid network built from flat
  hyperparameters, and :func:`new_network`, the same under
  :func:`global_rng_preserved` (the lock every network build and seeding
  holds);
* :func:`initialize_weights`, a seeded re-initialisation that touches no global
  random state (so a seeded fit leaves TensorFlow and numpy as it found them);
* :func:`forward_plan` and :func:`forward_logit`, a float64 numpy forward pass
  of a trained sequential network with batch normalisation folded into the dense layers,
  used for prediction: microseconds per row, and exactly the same answer for a
  row whether it is predicted alone or inside a batch.
"""

import contextlib
import random
import threading

import numpy as np
from scipy.special import erf

# input_scaling="standard": inputs are centred on the mean and divided by the
# standard deviation, as StandardScaler does. "robust": centred on the median,
# divided by a robust spread, then softly clipped to +-CLIP by CLIP * tanh(x / CLIP).
CLIP = 3.0
INPUT_SCALINGS = ("standard", "robust", None)
NUMERIC_EMBEDDINGS = (None, "piecewise")


def standard_scaling(X):
    """Per-feature mean and standard deviation (1 for a constant column).

    Columns whose values are all 0 or 1 (one-hot and other indicators) are
    left as they are: standardising a rare category's indicator would turn it
    into a large input (1 / sqrt(p) for a share p), which cost up to 0.02
    ROC-AUC on the benchmark's datasets with categorical columns. As in a
    ``ColumnTransformer`` that scales the numeric columns only.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    center, spread : ndarray of shape (n_features,), float64
    """
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # values near 1e308
        center = X.mean(axis=0)
        spread = X.std(axis=0)
    indicator = ((X == 0) | (X == 1)).all(axis=0)
    center = np.where(indicator | ~np.isfinite(center), 0.0, center)
    spread = np.where(indicator | ~(np.isfinite(spread) & (spread > 0)), 1.0, spread)
    return center, spread


_NORMAL_IQR = 1.3489795003921634  # IQR of a standard normal: spread 1 for normal data


def robust_scaling(X):
    """Per-feature centre and spread of ``X`` for ``input_scaling="robust"``.

    The centre is the median; the spread the interquartile range divided by
    1.349 (the standard deviation for normal data). Where the quartiles
    coincide (binary or mostly constant columns) half the range is used, and
    1 for a constant column, as in RealMLP (Holzmüller et al., 2024).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    center, spread : ndarray of shape (n_features,), float64
    """
    X = np.asarray(X, dtype=np.float64)
    q25, center, q75 = np.percentile(X, [25, 50, 75], axis=0)
    spread = (q75 - q25) / _NORMAL_IQR
    half_range = X.max(axis=0) / 2 - X.min(axis=0) / 2  # no overflow near 1e308
    spread = np.where(spread > 0, spread, half_range)
    spread = np.where(spread > 0, spread, 1.0)
    return center, spread


def build_network(n_features, hidden_layer_sizes, activation, dropout, l2, batch_norm,
                  input_scaling=None, ensemble_size=1, numeric_embedding=None):
    """Build the built-in dense network with one sigmoid output.

    With ``input_scaling="standard"`` the network starts with a frozen
    ``BatchNormalization`` that standardises each feature with the training
    data's mean and standard deviation (set by :func:`initialize_weights`),
    which is what ``StandardScaler`` would do. With ``"robust"`` it starts
    with a frozen
    ``BatchNormalization`` (per-feature centre and spread, set from the data
    by :func:`initialize_weights`), ``tanh`` and a second frozen
    ``BatchNormalization`` that multiply to ``CLIP * tanh((x - center) /
    (CLIP * spread))``: a smooth clip of robustly scaled inputs, so features
    of any scale and outliers are harmless. The first of these layers
    multiplies by ``1 / spread`` (its ``gamma``; its variance is 1), which
    float32 holds for any spread of float32 data: a variance ``spread ** 2``
    would not (beyond 1.8e19 it overflows, below about 1e-6 it is lost in
    the layer's epsilon). Built-in layers only, so the model
    saves and loads safely. Each hidden layer is ``Dense ->
    [BatchNormalization] -> activation -> [Dropout]``; the output is
    ``Dense(1, activation="sigmoid")``. L2 penalises every kernel.

    With ``ensemble_size=k > 1`` the network holds ``k`` independent members
    side by side (TabM's cheap ensemble, Gorishniy et al. 2024): each hidden
    layer is ``k`` times wider, its kernel block-diagonal (member ``j`` only
    sees member ``j``'s units; :func:`member_masks` keeps it so during
    training), a ``Dense(k)`` layer gives each member's logit, and a frozen
    ``Dense(1, activation="sigmoid")`` averages them. Each member is trained
    on its own loss; the prediction is the sigmoid of the mean logit.

    Parameters
    ----------
    n_features : int
        Number of input columns.
    hidden_layer_sizes : tuple of int
        Units of each hidden layer; empty for a logistic-regression network.
    activation : str
        A key of ``KERAS_ACTIVATIONS``.
    dropout : float
        Dropout rate after each hidden layer (0 for none).
    l2 : float
        L2 penalty on the kernels (0 for none).
    batch_norm : bool
        Whether to add batch normalisation before each hidden activation.
    input_scaling : {"standard", "robust", None}, default=None
        How the network scales its inputs itself (None: it does not).
    ensemble_size : int, default=1
        Number of members trained side by side.
    numeric_embedding : {None, "piecewise"}, default=None
        ``"piecewise"``: each feature enters as its piecewise-linear encoding
        (:class:`Piecewise`, bins from the training data's quantiles) instead
        of its scaled value; ``input_scaling`` is then not used (the encoding
        does not depend on the features' scale).

    Returns
    -------
    model : keras.Sequential
        The built (not compiled) model.
    """
    import keras

    reg = keras.regularizers.L2(l2) if l2 > 0 else None  # one, shared by the kernels
    layers = [keras.Input(shape=(n_features,), name="features")]
    layers += [kind.build(**spec) for kind, spec in _layer_specs(
        n_features, hidden_layer_sizes, activation, dropout, reg, batch_norm, input_scaling,
        ensemble_size, numeric_embedding)]
    return keras.Sequential(layers, name="skbinary_network")


def _layer_specs(n_features, hidden_layer_sizes, activation, dropout, reg, batch_norm,
                 input_scaling, k, numeric_embedding):
    """``(kind, build arguments)`` of each layer of :func:`build_network`, in order."""
    if numeric_embedding == "piecewise":
        yield Piecewise, {"name": "numeric_embedding", "features": n_features,
                          "bins": PIECEWISE_BINS}
    elif input_scaling is not None:
        yield Diag, {"name": "input_scale"}
        if input_scaling == "robust":
            yield Activation, {"name": "input_clip", "activation": "tanh"}
            yield Diag, {"name": "input_unscale"}
    for i, units in enumerate(hidden_layer_sizes):
        # an ensemble's first layer sees every input; the later ones, their member's units
        dense = Grouped if k > 1 and i > 0 else Affine
        yield dense, {"name": f"dense_{i}", "units": units * k, "members": k,
                       "regularizer": reg}
        if batch_norm:
            yield BatchNorm, {"name": f"batch_norm_{i}"}
        yield Activation, {"name": f"{activation}_{i}", "activation": activation}
        if dropout > 0:
            yield Dropout, {"name": f"dropout_{i}", "rate": dropout}
    if k > 1:
        yield (Grouped if hidden_layer_sizes else Affine), {
            "name": MEMBER_LOGITS, "units": k, "members": k, "regularizer": reg}
        # the mean of the members' logits, set by initialize_weights
        yield Affine, {"name": "output", "units": 1, "activation": "logistic", "frozen": True}
    else:
        yield Affine, {"name": "output", "units": 1, "activation": "logistic",
                      "regularizer": reg}


# Serialises every use of the global generators (network builds, seeding):
# concurrent fits then equal serial ones and leave the globals as they were.
_GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def global_rng_preserved(seed=None):
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


def new_network(n_features, architecture):
    """The built-in network of ``architecture``, built under the global-RNG lock."""
    with global_rng_preserved():
        return build_network(n_features, **architecture)


MEMBER_LOGITS = "member_logits"


def ensemble_size_of(model):
    """Number of members of a network built by :func:`build_network` (1: none)."""
    for layer in model.layers:
        if layer.name == MEMBER_LOGITS:
            return int(layer.units)
    return 1


def member_masks(model):
    """Masks that keep an ensemble's members apart, one per trainable variable.

    ``None`` for a variable every member may use (biases, the first layer's
    kernel, whose columns are already split by member); a block-diagonal 0/1
    array for the kernels after it. Multiplying the gradients by these keeps
    the zero blocks at zero (Adam moves no weight whose gradient was always 0).

    Returns
    -------
    masks : list or None
        Aligned with ``model.trainable_variables``; None for a single network.
    """
    if ensemble_size_of(model) == 1:
        return None
    by_id = {}
    for layer in model.layers:
        kind = kind_of(layer)
        if kind is not None:
            by_id.update(kind.gradient_masks(layer))
    return [by_id.get(id(v)) for v in model.trainable_variables]


def member_logit(model, h, j):
    """Member ``j``'s logit on the rows ``h``: TensorFlow, inference, shape ``(n,)``.

    Each layer before the ensemble's mean computes member ``j``'s part only
    (:meth:`LayerKind.member_call`): ``members`` times fewer products than
    the block-diagonal layers, for rows that only member ``j`` is asked about
    (the rows it left out, with cross-fitted members).
    """
    for layer in model.layers[:-1]:
        h = kind_of(layer).member_call(layer, h, j)
    return h[:, 0]


class KerasArchitecture:
    """A model-building callable that rebuilds a Keras network's architecture.

    Holds the network's Keras config (plain data, no weights); calling it
    returns a new, untrained model of the same architecture. Used as the
    ``model`` parameter of an estimator loaded from a file or adopted from
    scikeras, so that it can be refitted.

    Parameters
    ----------
    config : dict
        ``keras.saving.serialize_keras_object(model)``.
    """

    def __init__(self, config):
        self.config = config

    @classmethod
    def of(cls, model):
        """The architecture of ``model``."""
        import keras

        return cls(keras.saving.serialize_keras_object(model))

    def __call__(self):
        import keras

        return keras.saving.deserialize_keras_object(self.config, safe_mode=True)

    def __repr__(self):
        name = self.config.get("config", {}).get("name", "model")
        return f"KerasArchitecture({name!r})"


def _scaling_weights(center, spread):
    """``[gamma, moving_mean, moving_variance]`` of ``x -> (x - center) / spread``.

    The layer computes ``gamma * (x - mean) / sqrt(variance + epsilon)``; with
    a variance of 1 (``1 - epsilon``, which is 1 in float32) ``gamma`` is
    ``1 / spread``, computed in float64 and held by float32 for any spread
    from about 1.2e-38 to 8.5e37. A smaller spread, of values float32 holds
    only as subnormal numbers (which Keras flushes to zero), counts as a
    constant column's (1); an inverse of a larger one is held at float32's
    smallest normal number (the column is divided by about 8.5e37).
    """
    f32 = np.finfo(np.float32)
    spread = np.asarray(spread, np.float64)
    gamma = 1.0 / np.where(spread >= f32.tiny, spread, 1.0)
    gamma = np.maximum(gamma, f32.tiny)
    variance = np.full(gamma.shape, 1.0 - _EPSILON)
    return [gamma.astype("float32"), np.asarray(center, np.float64).astype("float32"),
            variance.astype("float32")]


def set_input_scaling(model, X):
    """Set the frozen input-scaling layers of ``model`` (if any) from the data ``X``."""
    layers = {layer.name: layer for layer in model.layers}
    if "input_scale" not in layers:
        return
    if "input_clip" not in layers:  # standard
        layers["input_scale"].set_weights(_scaling_weights(*standard_scaling(X)))
        return
    center, spread = robust_scaling(X)
    layers["input_scale"].set_weights(_scaling_weights(center, CLIP * spread))
    # BN computes (x - mean) / sqrt(var + eps): here x * CLIP.
    n = center.shape[0]
    layers["input_unscale"].moving_mean.assign(np.zeros(n, "float32"))
    layers["input_unscale"].moving_variance.assign(
        np.full(n, CLIP ** -2 - _EPSILON, "float32"))


def with_scaling_gamma(model):
    """The weights of ``model``, laid out for :func:`build_network`'s layers.

    An ``input_scale`` layer without a ``gamma`` (one that scales by its
    variance alone, as in files of earlier skbinary versions) gets
    ``gamma = 1``, with which the layer computes exactly what it did.

    Parameters
    ----------
    model : keras.Model
        A built-in network, as fitted by this or an earlier skbinary.

    Returns
    -------
    weights : list of ndarray
        For ``set_weights`` of the network :func:`build_network` builds.
    """
    import keras

    weights = []
    for layer in model.layers:
        own = layer.get_weights()
        if (layer.name == "input_scale" and isinstance(layer, keras.layers.BatchNormalization)
                and not layer.scale):
            own = [np.ones_like(own[0]), *own]
        weights.extend(own)
    return weights


def initialize_weights(model, seed, X=None):
    """Re-initialise the built-in network in place from ``seed`` (and ``X``).

    Glorot-uniform kernels and zero biases (Keras' defaults), identity batch
    normalisation, and dropout generators reseeded: each layer as its kind
    (:data:`LAYER_KINDS`) says. Uses a private
    ``numpy.random.RandomState``, so no global random state is read or changed.
    With input scaling, its statistics are computed from ``X``.

    Parameters
    ----------
    model : keras.Model
        A model returned by :func:`build_network`.
    seed : int
        Seed in ``[0, 2**31 - 1)``.
    X : ndarray of shape (n_samples, n_features), default=None
        Training rows; needed when the network scales its inputs.

    Raises
    ------
    TypeError
        For a layer of no known kind (a pooled network would keep its old
        weights there).
    """
    init = _Init(seed, model, X)
    for layer in model.layers:
        kind = kind_of(layer)
        if kind is None:
            raise TypeError(f"Cannot initialise layer {layer.name!r}: a "
                            f"{type(layer).__name__} is of no known layer kind.")
        kind.initialize(layer, init)


def has_sigmoid_output(model):
    """Whether ``model`` ends in one unit with a sigmoid activation."""
    out = tuple(model.output_shape) if hasattr(model, "output_shape") else ()
    if len(out) != 2 or out[-1] != 1:
        return False
    last = model.layers[-1] if getattr(model, "layers", None) else None
    act = getattr(last, "activation", None)
    return act is not None and Activation.name_of(act) == "logistic"


def describe_output(model):
    """Say what ``model`` ends in, for an error message about its output."""
    import keras

    shape = tuple(model.output_shape) if hasattr(model, "output_shape") else None
    last = model.layers[-1] if getattr(model, "layers", None) else None
    act = getattr(last, "activation", None)
    try:
        name = keras.activations.serialize(act) if act is not None else None
    except Exception:  # noqa: BLE001 (a custom callable)
        name = getattr(act, "__name__", repr(act))
    text = f"its output shape is {shape}"
    if last is not None:
        text += f" and its last layer is {type(last).__name__}"
        if name is not None:
            text += f" with activation {name!r}"
    return text


def forward_plan(model):
    """A float64 numpy plan of a plain sequential network, or None.

    Supported: a ``keras.Sequential`` of ``Dense``, ``Activation``,
    ``BatchNormalization`` (folded into the preceding ``Dense``) and
    ``Dropout`` layers with activations in ``NUMPY_ACTIVATIONS``, ending in a
    sigmoid, each layer read by its kind (:data:`LAYER_KINDS`). The built-in
    network always qualifies; many user-built networks do too. Anything else
    returns None and is predicted by calling Keras.

    Parameters
    ----------
    model : keras.Model
        A trained model with one sigmoid output.

    Returns
    -------
    plan : list of tuple or None
        Steps ``("affine", W, b)`` (``x @ W + b``), ``("grouped", W, b)``
        (an ensemble's block-diagonal layer: ``W`` of shape ``(k, n_in / k,
        n_out / k)``, member ``j``'s slice of ``x`` times ``W[j]``), ``("diag", scale,
        offset)`` (``x * scale + offset``, per feature), ``("piecewise", ...)``
        (the piecewise encoding, with the product after it: :class:`Piecewise`)
        and ``("act", name)`` that map the input to the logit (the final sigmoid
        left out).
    """
    import keras

    if not isinstance(model, keras.Sequential):
        return None
    steps = _read_steps(model.layers)
    if not steps or steps[-1] != ("act", "logistic"):
        return None
    return _simplified(steps[:-1], ensemble_size_of(model))


# Rows of a forward pass are padded to a multiple of this (see forward_logit).
# With BLAS on one thread, OpenBLAS's x86 kernels (OPENBLAS_CORETYPE=SkylakeX,
# Haswell, Zen, Sandybridge, Excavator, Core2, Prescott, Nehalem, Atom) gave a
# row the same bits in any batch once batches were a multiple of 2 rows
# (Nehalem and Atom, CPUs without AVX, which TensorFlow's wheels need: of 4).
# A lone row costs 4 rows' products: with the piecewise encoding's wide first
# layer, 8 rows took 42-54 us a forward pass against 30-35 us for 4 (one row).
ROW_TILE = 4


def forward_logit(plan, X):
    """Logit of the positive class for ``X``, computed in float64 numpy.

    Parameters
    ----------
    plan : list of tuple
        Output of :func:`forward_plan`.
    X : ndarray or scipy sparse matrix of shape (n_samples, n_features)
        Input rows.

    Returns
    -------
    logit : ndarray of shape (n_samples,)

    Notes
    -----
    A row's logit is exactly the same alone as inside a batch of any size, on
    any CPU's BLAS kernels, provided BLAS runs one thread (the caller's job:
    :class:`~skbinary._fitted.FittedNetwork` holds it to one):

    * the rows are padded to a multiple of :data:`ROW_TILE` (at least one
      tile) before any matrix product. BLAS computes a product in tiles of
      rows; on some CPUs the kernel for a partial tile (the last rows of a
      batch whose size is not a multiple of the tile) adds a row's terms in
      another order than a full tile does: OpenBLAS's Haswell and Zen
      kernels moved the last bits of the last row of an odd-sized batch,
      its Nehalem and Atom kernels those of a batch not a multiple of 4. A lone row
      is padded too, which also keeps numpy from handing it to a
      matrix-vector routine;
    * BLAS threads would split the rows among themselves at places that
      depend on the batch size, each piece ending in a partial tile (on the
      Haswell kernel with 2 threads: rows 124, 249, 374 and 499 of a
      500-row batch moved);
    * a product with one output column is numpy's own multiply-and-sum,
      which adds each row's terms in the same order for any number of rows.
    """
    n = X.shape[0]
    if n == 0:
        return np.empty(0)
    padded = -(-n // ROW_TILE) * ROW_TILE
    if not hasattr(X, "toarray"):  # dense: the layout and dtype BLAS takes as it is
        X = np.ascontiguousarray(X, dtype=np.float64)
        if padded != n:
            X = np.concatenate((X, np.zeros((padded - n, X.shape[1]))))
    elif padded != n:  # sparse: the last row repeated (rows are independent)
        X = X[np.minimum(np.arange(padded), n - 1)]
    return np.asarray(run_steps(plan, X), dtype=np.float64).reshape(-1)[:n]


# ------------------------------------------------------------------ layer kinds
# Each kind of layer of the built-in network is one class below: its Keras
# build, its seeded initialisation, how a trained layer reads into the float64
# plan, its numpy step, its ONNX emitter and its load check. The builder,
# initialize_weights, forward_plan, forward_logit, the ONNX export
# (skbinary._onnx) and load (skbinary._persistence) iterate over LAYER_KINDS, so
# a new kind of layer is one new class here, added to LAYER_KINDS.

_EPSILON = 1e-12  # of the frozen input-scaling layers

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _Init:
    """What the layers of one network draw on while initialised from a seed."""

    def __init__(self, seed, model, X):
        self.rng = np.random.RandomState(seed)  # private: no global state read or changed
        self.model, self.X = model, X
        self.scaled = False  # whether the input scaling is set from X yet


def _mark(layer, kind, members=1):
    """Record on a built Keras layer its kind and its number of ensemble members."""
    layer._skbinary_kind = kind.name
    layer._skbinary_members = int(members)
    return layer


def _members(layer):
    return getattr(layer, "_skbinary_members", 1)


class LayerKind:
    """A kind of layer: the base of the classes in :data:`LAYER_KINDS`.

    Class attributes: ``name`` (also the tag of the plan steps the kind
    computes, when ``has_step``), ``keras_class`` (the Keras layer class read
    as this kind in any user's ``Sequential``; None for kinds only the builder
    makes) and ``example`` (build arguments of a small instance, which the
    layer contract test in ``tests/test_layers.py`` builds).
    """

    name = None
    keras_class = None
    has_step = False
    example = {}

    @classmethod
    def build(cls, *, name, **spec):
        """A new Keras layer of this kind, named ``name``, marked as this kind."""
        raise NotImplementedError

    @classmethod
    def initialize(cls, layer, init):
        """Set the layer's weights from ``init.rng`` (and ``init.X``); none by default."""

    @classmethod
    def read(cls, layer, steps):
        """Append the float64 plan steps of a trained layer; False if unsupported."""
        return True

    @classmethod
    def simplify(cls, steps, members):
        """A pass over a whole plan that rewrites steps into this kind's; none by default."""
        return steps

    @staticmethod
    def forward(step, h, owned):
        """``(output, owned)`` of the step on ``h`` (``owned``: h may be written in place)."""
        raise NotImplementedError

    @staticmethod
    def emit(g, x, step):
        """Add to graph writer ``g`` the ONNX nodes of the step on ``x``; their output."""
        raise NotImplementedError

    @classmethod
    def gradient_masks(cls, layer):
        """``{id(variable): multiplier of its gradients}`` during training; none by default."""
        return {}

    @classmethod
    def member_call(cls, layer, h, j):
        """Ensemble member ``j``'s part of the layer on ``h``, in TensorFlow (inference).

        ``h`` holds the inputs, or after the first split layer member ``j``'s
        units only. By default the whole layer: one every member shares
        (input scaling, an embedding) or one that acts unit by unit.
        """
        return layer(h, training=False)

    @classmethod
    def check(cls, layer):
        """Raise ValueError if a loaded layer's weights or settings are corrupted."""
        if not all(np.isfinite(w).all() for w in layer.get_weights()):
            raise ValueError("non-finite weights")


class Affine(LayerKind):
    """A dense layer, ``x @ W + b``: Keras ``Dense``; plan step ``("affine", W, b)``.

    Glorot-uniform kernel and zero bias (Keras' defaults); in an ensemble of
    ``members`` (the first layer, whose columns are split by member) the
    fan-out is one member's. A frozen one averages its inputs (an ensemble's
    mean of member logits).
    """

    name = "affine"
    keras_class = "Dense"
    has_step = True
    example = {"units": 3}

    @classmethod
    def build(cls, *, name, units, members=1, regularizer=None, activation=None,
              frozen=False):
        import keras

        layer = keras.layers.Dense(
            units, activation=None if activation is None else Activation.keras_name(activation),
            kernel_regularizer=regularizer, name=name)
        if frozen:
            layer.trainable = False
        return _mark(layer, cls, members)

    @classmethod
    def initialize(cls, layer, init):
        fan_in, fan_out = layer.kernel.shape
        if not layer.trainable:  # the mean of its inputs
            layer.kernel.assign(np.full((fan_in, fan_out), 1.0 / fan_in, "float32"))
            layer.bias.assign(np.zeros(fan_out, dtype="float32"))
            return
        limit = np.sqrt(6.0 / (fan_in + fan_out // _members(layer)))
        layer.kernel.assign(init.rng.uniform(-limit, limit, size=(fan_in, fan_out))
                            .astype("float32"))
        layer.bias.assign(np.zeros(fan_out, dtype="float32"))

    @classmethod
    def read(cls, layer, steps):
        W = np.asarray(layer.kernel, dtype=np.float64)
        b = (np.asarray(layer.bias, dtype=np.float64) if layer.use_bias
             else np.zeros(W.shape[1]))
        steps.append(("affine", W, b))
        return Activation.read_function(layer.activation, steps)

    @classmethod
    def simplify(cls, steps, members):
        """Fold each ``affine`` step that comes right after another into it.

        Nothing between them (an ensemble's member logits and their mean): one
        product instead of two, and the same map up to rounding.
        """
        out = []
        for step in steps:
            if step[0] == "affine" and out and out[-1][0] == "affine":
                _, W1, b1 = out.pop()
                _, W2, b2 = step
                step = ("affine", W1 @ W2, b1 @ W2 + b2)
            out.append(step)
        return out

    @staticmethod
    def forward(step, h, owned):
        W = step[1]
        if W.shape[1] == 1 and isinstance(h, np.ndarray):
            # one output column: numpy's own sum of products adds each row's
            # terms in the same order for any number of rows (BLAS's
            # matrix-vector product does not: it moved a lone row's last bits)
            h = np.einsum("ni,i->n", h, W[:, 0])[:, None]
        else:
            h = np.asarray(h @ W)
        h += step[2]  # in place: saves a copy of every layer's output
        return h, True

    @staticmethod
    def emit(g, x, step):
        _, W, b = step
        return g.node("Gemm", [x, g.const(W, "W"), g.const(b, "b")], "affine")

    @classmethod
    def member_call(cls, layer, h, j):
        k = _members(layer)
        if k == 1:
            return layer(h, training=False)
        units = layer.kernel.shape[1] // k  # an ensemble's first layer: member j's columns
        return _dense_part(layer, h, layer.kernel[:, j * units:(j + 1) * units],
                           slice(j * units, (j + 1) * units))

    @classmethod
    def check(cls, layer):
        super().check(layer)
        if not layer.trainable:
            kernel, bias = layer.get_weights()
            if (kernel != np.float32(1.0 / kernel.shape[0])).any() or bias.any():
                raise ValueError("the frozen layer does not average its inputs")


def _dense_part(layer, h, kernel, columns):
    """A Keras ``Dense`` with only ``kernel`` (its part) and its bias's ``columns``."""
    import keras

    return layer.activation(keras.ops.matmul(h, kernel) + layer.bias[columns])


def _block_mask(n_in, n_out, k):
    """Block-diagonal 0/1 matrix: ``k`` blocks of ``(n_in / k, n_out / k)``."""
    return np.kron(np.eye(k, dtype="float32"), np.ones((n_in // k, n_out // k), "float32"))


class Grouped(Affine):
    """An ensemble's block-diagonal dense layer: a Keras ``Dense``; step ``("grouped", W, b)``.

    Member ``j`` only sees member ``j``'s units: the kernel is ``members``
    Glorot-uniform blocks on its diagonal, zero elsewhere, and its gradients
    are masked so that the zeros stay. In the plan, ``W`` has shape
    ``(members, n_in / members, n_out / members)``: member ``j``'s slice of
    ``x`` times ``W[j]``, ``members`` times fewer operations (and weights) than
    the block-diagonal matrix with its zeros.
    """

    name = "grouped"
    keras_class = None  # a Dense, read as Affine; simplify() finds its blocks
    example = {"units": 4, "members": 2}

    @classmethod
    def initialize(cls, layer, init):
        fan_in, fan_out = layer.kernel.shape
        k = _members(layer)
        limit = np.sqrt(6.0 / (fan_in // k + fan_out // k))  # Glorot-uniform for each block
        kernel = init.rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32")
        kernel *= _block_mask(fan_in, fan_out, k)
        layer.kernel.assign(kernel)
        layer.bias.assign(np.zeros(fan_out, dtype="float32"))

    @classmethod
    def simplify(cls, steps, members):
        """Turn an ensemble's block-diagonal ``affine`` steps into ``grouped`` ones."""
        k = members
        if k == 1:
            return steps
        out = []
        for step in steps:
            if step[0] == "affine":
                W, b = step[1], step[2]
                n_in, n_out = W.shape
                if n_in % k == 0 and n_out % k == 0 and n_out > 1:
                    i, o = n_in // k, n_out // k
                    blocks = np.stack([W[j * i:(j + 1) * i, j * o:(j + 1) * o]
                                       for j in range(k)])
                    if np.count_nonzero(W) == np.count_nonzero(blocks):  # zeros off the blocks
                        step = ("grouped", blocks, b)
            out.append(step)
        return out

    @staticmethod
    def forward(step, h, owned):
        W = step[1]
        k, i, o = W.shape
        h = np.asarray(h)
        n = h.shape[0]
        by_member = h.reshape(n, k, i).transpose(1, 0, 2)  # (k, n, i), a view
        if o == 1:  # as in Affine: numpy's sum of products, no matrix-vector product
            out = np.einsum("kni,ki->nk", by_member, W[:, :, 0])
        elif n <= 64:  # few rows: one batched call costs least
            out = np.matmul(by_member, W).transpose(1, 0, 2).reshape(n, k * o)
        else:  # member j's product written in place: no copy of the layer's output
            out = np.empty((n, k * o), dtype=np.result_type(h, W))
            for j in range(k):
                np.matmul(by_member[j], W[j], out=out[:, j * o:(j + 1) * o])
        out += step[2]
        return out, True

    @staticmethod
    def emit(g, x, step):
        """``k`` independent products, as a batched MatMul."""
        _, W, b = step
        k, n_in, n_out = W.shape
        INT64 = 7  # onnx TensorProto.INT64
        groups = g.node("Reshape", [x, g.const([-1, k, n_in], "shape", INT64)], "groups")
        by_group = g.node("Transpose", [groups], "by_group", perm=[1, 0, 2])
        products = g.node("MatMul", [by_group, g.const(W, "W")], "grouped_matmul")
        by_row = g.node("Transpose", [products], "by_row", perm=[1, 0, 2])
        flat = g.node("Reshape", [by_row, g.const([-1, k * n_out], "shape", INT64)], "flat")
        return g.node("Add", [flat, g.const(b, "b")], "grouped_add")

    @classmethod
    def gradient_masks(cls, layer):
        fan_in, fan_out = layer.kernel.shape
        return {id(layer.kernel): _block_mask(fan_in, fan_out, _members(layer))}

    @classmethod
    def member_call(cls, layer, h, j):
        k = _members(layer)
        i, o = layer.kernel.shape[0] // k, layer.kernel.shape[1] // k
        return _dense_part(layer, h, layer.kernel[j * i:(j + 1) * i, j * o:(j + 1) * o],
                           slice(j * o, (j + 1) * o))

    @classmethod
    def check(cls, layer):
        LayerKind.check(layer)
        fan_in, fan_out = layer.kernel.shape
        if (layer.get_weights()[0] * (1 - _block_mask(fan_in, fan_out, _members(layer)))).any():
            raise ValueError("weights outside its members' blocks: the ensemble's members "
                             "are not independent")


class BatchNorm(LayerKind):
    """Batch normalisation: Keras ``BatchNormalization``, folded into the plan.

    Identity at initialisation. In the plan it is a per-feature affine map,
    folded into the ``affine`` step right before it, or else a ``diag`` step.
    """

    name = "batch_norm"
    keras_class = "BatchNormalization"

    @classmethod
    def build(cls, *, name):
        import keras

        return _mark(keras.layers.BatchNormalization(name=name), cls)

    @classmethod
    def initialize(cls, layer, init):
        n = layer.gamma.shape[0]
        layer.gamma.assign(np.ones(n, "float32"))
        layer.beta.assign(np.zeros(n, "float32"))
        layer.moving_mean.assign(np.zeros(n, "float32"))
        layer.moving_variance.assign(np.ones(n, "float32"))

    @classmethod
    def read(cls, layer, steps):
        if layer.axis not in (-1, 1):
            return False
        mean = np.asarray(layer.moving_mean, np.float64)
        var = np.asarray(layer.moving_variance, np.float64)
        gamma = np.asarray(layer.gamma, np.float64) if layer.scale else 1.0
        beta = np.asarray(layer.beta, np.float64) if layer.center else 0.0
        scale = gamma / np.sqrt(var + layer.epsilon)
        offset = beta - mean * scale
        if steps and steps[-1][0] == "affine":  # fold into the Dense before
            _, W, b = steps[-1]
            steps[-1] = ("affine", W * scale, b * scale + offset)
        else:
            steps.append(("diag", scale * np.ones_like(mean), offset * np.ones_like(mean)))
        return True

    @classmethod
    def member_call(cls, layer, h, j):
        width = h.shape[-1]
        if width == layer.moving_mean.shape[0]:  # before the split (input scaling)
            return layer(h, training=False)
        import keras

        part = slice(j * width, (j + 1) * width)  # after a split layer: member j's units
        return keras.ops.batch_normalization(
            h, layer.moving_mean[part], layer.moving_variance[part], axis=-1,
            offset=layer.beta[part] if layer.center else None,
            scale=layer.gamma[part] if layer.scale else None, epsilon=layer.epsilon)

    @classmethod
    def check(cls, layer):
        super().check(layer)
        if not (np.asarray(layer.moving_variance, np.float64) + layer.epsilon > 0).all():
            raise ValueError("a variance is not positive")


class Diag(BatchNorm):
    """The frozen input scaling, ``x * scale + offset``: step ``("diag", scale, offset)``.

    A frozen Keras ``BatchNormalization`` (no learned scale or centre) whose
    statistics are set from the training rows by :func:`set_input_scaling`.
    In the plan, a ``diag`` step right before an ``affine`` one is folded
    into it.
    """

    name = "diag"
    keras_class = None  # a BatchNormalization, read as BatchNorm
    has_step = True
    example = {"name": "input_scale"}  # the name set_input_scaling sets from X

    @classmethod
    def build(cls, *, name):
        import keras

        # input_scale multiplies by 1 / spread (its gamma), which float32 holds
        # for any spread float32 data can have (see _scaling_weights)
        bn = keras.layers.BatchNormalization(center=False, scale=name == "input_scale",
                                             epsilon=_EPSILON, name=name)
        bn.trainable = False  # a frozen BN is a fixed per-feature affine map
        return _mark(bn, cls)

    @classmethod
    def initialize(cls, layer, init):
        if init.X is not None and not init.scaled:  # all its layers at once
            set_input_scaling(init.model, init.X)
            init.scaled = True

    @classmethod
    def simplify(cls, steps, members):
        """Fold each ``diag`` step that comes right before an ``affine`` into it."""
        out = []
        for step in steps:
            if step[0] == "affine" and out and out[-1][0] == "diag":
                _, scale, offset = out.pop()
                _, W, b = step
                step = ("affine", W * scale[:, None], b + offset @ W)
            out.append(step)
        return out

    @staticmethod
    def forward(step, h, owned):
        h = (h.toarray() if hasattr(h, "toarray") else np.asarray(h)) * step[1]
        h += step[2]
        return h, True

    @staticmethod
    def emit(g, x, step):
        _, scale, offset = step
        scaled = g.node("Mul", [x, g.const(scale, "scale")], "diag_mul")
        return g.node("Add", [scaled, g.const(offset, "offset")], "diag_add")


def _sigmoid(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def _expm1_neg(g, x):
    """ONNX ``exp(min(x, 0)) - 1``, the negative branch of ELU and SELU.

    Built from basic ops because ONNX Runtime has no float64 Elu or Selu.
    """
    zero = g.const(0.0, "zero")
    return g.node("Sub", [g.node("Exp", [g.node("Min", [x, zero])]), g.const(1.0, "one")])


def _onnx_elu(g, x):
    return g.node("Add", [g.node("Relu", [x]), _expm1_neg(g, x)], "elu")


def _onnx_selu(g, x):
    neg = g.node("Mul", [_expm1_neg(g, x), g.const(_SELU_ALPHA, "selu_alpha")])
    z = g.node("Add", [g.node("Relu", [x]), neg])
    return g.node("Mul", [z, g.const(_SELU_SCALE, "selu_scale")], "selu")


def _onnx_gelu(g, x):
    # Exact (erf) GELU, as the numpy step: 0.5 * x * (1 + erf(x / sqrt(2))).
    # Built from Erf so it needs no opset 20 Gelu operator.
    e = g.float_node("Erf", [g.node("Mul", [x, g.const(1.0 / np.sqrt(2.0), "inv_sqrt2")])])
    half_x = g.node("Mul", [x, g.const(0.5, "half")])
    return g.node("Add", [half_x, g.node("Mul", [half_x, e])], "gelu")


class Activation(LayerKind):
    """An activation: Keras ``Activation`` (or a ``Dense``'s); step ``("act", name)``.

    ``TABLE`` maps each scikit-learn style name to its Keras name, its float64
    numpy function and its ONNX emitter: a new activation is one row.
    """

    name = "act"
    keras_class = "Activation"
    has_step = True
    example = {"activation": "tanh"}

    TABLE = {  # name: (Keras name, numpy function, ONNX emitter)
        "relu": ("relu", lambda z: np.maximum(z, 0.0), lambda g, x: g.node("Relu", [x])),
        "tanh": ("tanh", np.tanh, lambda g, x: g.node("Tanh", [x])),
        "logistic": ("sigmoid", _sigmoid, lambda g, x: g.node("Sigmoid", [x])),
        "elu": ("elu", _elu, _onnx_elu),
        "selu": ("selu", lambda z: _SELU_SCALE * np.where(
            z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))), _onnx_selu),
        "gelu": ("gelu", lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))), _onnx_gelu),
        "silu": ("silu", lambda z: z * _sigmoid(z),
                 lambda g, x: g.node("Mul", [x, g.node("Sigmoid", [x])], "silu")),
        "identity": ("linear", lambda z: z, lambda g, x: x),
    }
    # Keras names -> ours ("swish" is Keras' other name of silu).
    _FROM_KERAS = {**{row[0]: ours for ours, row in TABLE.items()}, "swish": "silu"}

    @classmethod
    def keras_name(cls, activation):
        return cls.TABLE[activation][0]

    @classmethod
    def name_of(cls, fn):
        """Keras activation function -> our name, or None if unsupported."""
        import keras

        try:
            name = keras.activations.serialize(fn)
        except Exception:  # a custom callable
            return None
        return cls._FROM_KERAS.get(name) if isinstance(name, str) else None

    @classmethod
    def read_function(cls, fn, steps):
        """Append the step of the Keras activation ``fn`` (none for identity)."""
        name = cls.name_of(fn)
        if name is None:
            return False
        if name != "identity":
            steps.append(("act", name))
        return True

    @classmethod
    def build(cls, *, name, activation):
        import keras

        return _mark(keras.layers.Activation(cls.keras_name(activation), name=name), cls)

    @classmethod
    def read(cls, layer, steps):
        return cls.read_function(layer.activation, steps)

    @staticmethod
    def forward(step, h, owned):
        if step[1] == "relu" and owned:
            np.maximum(h, 0.0, out=h)
            return h, owned
        return Activation.TABLE[step[1]][1](h), True

    @staticmethod
    def emit(g, x, step):
        name = step[1]
        if name not in Activation.TABLE:
            raise ValueError(
                f"Cannot export activation {name!r} to ONNX: supported activations "
                f"are {sorted(Activation.TABLE)}."
            )
        return Activation.TABLE[name][2](g, x)

    @classmethod
    def check(cls, layer):
        if cls.name_of(layer.activation) is None:
            raise ValueError("an unsupported activation")


class Dropout(LayerKind):
    """Dropout: Keras ``Dropout``; nothing at prediction (no plan step).

    Its random generator is reseeded from the network's seed.
    """

    name = "dropout"
    keras_class = "Dropout"
    example = {"rate": 0.5}

    @classmethod
    def build(cls, *, name, rate):
        import keras

        return _mark(keras.layers.Dropout(rate, name=name), cls)

    @classmethod
    def initialize(cls, layer, init):
        state = layer.seed_generator.state
        state.assign(np.array([init.rng.randint(2**31 - 1), 0], dtype=str(state.dtype)))

    @classmethod
    def check(cls, layer):
        if not 0 <= layer.rate < 1:
            raise ValueError(f"a dropout rate {layer.rate!r} outside [0, 1)")


# Bins of the piecewise-linear encoding of each feature (at most: fewer where a
# feature has fewer distinct quantiles).
PIECEWISE_BINS = 8


class Piecewise(LayerKind):
    """Piecewise-linear encoding of each feature (Gorishniy et al. 2022, "PLE").

    Feature ``j`` with bin edges ``e_0 < ... < e_n`` (quantiles of the training
    data, ``n <= bins``) becomes ``bins`` values, ``clip((x_j - e_t) / (e_{t+1} -
    e_t), 0, 1)`` for ``t < n`` and 0 after: step-like effects of a feature
    become linear in its encoding, whatever its scale, and outliers are
    clipped. A frozen Keras ``Dense`` (``features`` inputs, ``features *
    bins`` outputs, each input feeding its own ``bins`` columns) with Keras'
    ``hard_sigmoid`` activation (``clip(z / 6 + 1 / 2, 0, 1)``), its kernel and
    bias set from the data; step ``("piecewise", a, c)``: ``clip(x_j * a[j, t] +
    c[j, t], 0, 1)``, flattened feature by feature.

    The dense layer after it is folded into the step (:meth:`simplify`):
    ``("piecewise", a, c, W, b, fast)``, the encoding times ``W`` plus ``b``,
    computed in float32 (``fast``, see :func:`_piecewise_product`) up to the
    float64 sum with ``b``. The encoding is ``bins`` times wider than the
    inputs, so its product is the network's largest: float32 halves its
    cost (single-precision BLAS does twice the operations a second), and
    Keras computes it in float32 too.
    """

    name = "piecewise"
    keras_class = None  # a Dense, read as Affine unless marked
    has_step = True
    example = {"features": 4, "bins": 3}  # tests/test_layers.py feeds 4 inputs

    @classmethod
    def build(cls, *, name, features, bins):
        import keras

        layer = keras.layers.Dense(features * bins, activation="hard_sigmoid", name=name)
        layer.trainable = False
        return _mark(layer, cls)

    @staticmethod
    def _bins(layer):
        return layer.kernel.shape[1] // layer.kernel.shape[0]

    @classmethod
    def initialize(cls, layer, init):
        n_features, bins = layer.kernel.shape[0], cls._bins(layer)
        a = np.zeros((n_features, bins))
        c = np.zeros((n_features, bins))
        for j in range(n_features):
            if init.X is None:  # no data: even bins over [-2, 2]
                edges = np.linspace(-2.0, 2.0, bins + 1)
            else:
                column = np.asarray(init.X[:, j], dtype=np.float64)
                edges = np.unique(np.quantile(column, np.linspace(0, 1, bins + 1)))
            width = np.diff(edges)
            a[j, : len(width)] = 1.0 / width
            c[j, : len(width)] = -edges[:-1] / width
        # hard_sigmoid(z) = clip(z / 6 + 1/2, 0, 1): z = 6 (x a + c) - 3
        kernel = np.zeros((n_features, n_features * bins))
        for j in range(n_features):
            kernel[j, j * bins : (j + 1) * bins] = 6.0 * a[j]
        bias = (6.0 * c - 3.0).reshape(-1)
        bias[(a == 0).reshape(-1)] = -3.0  # unused bins: always 0
        layer.kernel.assign(kernel.astype("float32"))
        layer.bias.assign(bias.astype("float32"))

    @classmethod
    def read(cls, layer, steps):
        kernel = np.asarray(layer.kernel, dtype=np.float64)
        n_features, bins = kernel.shape[0], cls._bins(layer)
        a = np.stack([kernel[j, j * bins : (j + 1) * bins] for j in range(n_features)]) / 6
        c = (np.asarray(layer.bias, dtype=np.float64).reshape(n_features, bins) + 3) / 6
        steps.append(("piecewise", a, c))
        return True

    @classmethod
    def simplify(cls, steps, members):
        """Fold each ``affine`` step of more than one column right after a ``piecewise`` one.

        ``("piecewise", a, c)`` then ``("affine", W, b)`` become ``("piecewise",
        a, c, W, b, fast)``, ``fast`` the float32 form of
        :func:`_piecewise_product`.
        """
        out = []
        for step in steps:
            if (step[0] == "affine" and step[1].shape[1] > 1 and out
                    and out[-1][0] == "piecewise" and len(out[-1]) == 3):
                _, a, c = out.pop()
                _, W, b = step
                step = ("piecewise", a, c, W, b, _piecewise_product(a, c, W))
            out.append(step)
        return out

    @staticmethod
    def forward(step, h, owned):
        h = h.toarray() if hasattr(h, "toarray") else np.asarray(h)
        if len(step) == 3:
            _, a, c = step
            z = h[:, :, None] * a
            z += c
            np.clip(z, 0.0, 1.0, out=z)
            return z.reshape(h.shape[0], -1), True
        _, _, _, W, b, (center, a32, c32, W32) = step
        n, (n_features, bins) = h.shape[0], a32.shape
        # x - center in float64, then float32: the rounding is relative to the
        # distance from the feature's middle edge, not to the feature's offset
        u = np.subtract(h, center, out=np.empty(h.shape, np.float32))
        z = np.multiply(u[:, :, None], a32)
        z += c32
        # clip(z, 0, 1), and 0 for the NaN of an unused bin (a = 0) of a value
        # beyond float32's range (u infinite); two ufuncs cost less than a clip
        np.fmax(z, 0.0, out=z)
        np.minimum(z, 1.0, out=z)
        z = z.reshape(n, n_features * bins)
        # chunks of at most _GEMM_DEPTH inputs: a BLAS product of one depth for any
        # number of rows (a deeper one is split differently for few rows and many)
        if z.shape[1] <= _GEMM_DEPTH:
            z32 = z @ W32
        else:
            z32 = z[:, :_GEMM_DEPTH] @ W32[:_GEMM_DEPTH]
            for start in range(_GEMM_DEPTH, z.shape[1], _GEMM_DEPTH):
                z32 += z[:, start:start + _GEMM_DEPTH] @ W32[start:start + _GEMM_DEPTH]
        if W32.shape[1] != W.shape[1]:
            z32 = z32[:, :W.shape[1]]
        return np.add(z32, b), True  # float64 from here

    @staticmethod
    def emit(g, x, step):
        if len(step) > 3:  # the folded dense layer after the encoding (in float64)
            x = Piecewise.emit(g, x, step[:3])
            return Affine.emit(g, x, ("affine", step[3], step[4]))
        _, a, c = step
        n_features, bins = a.shape
        INT64 = 7  # onnx TensorProto.INT64
        cells = g.node("Reshape", [x, g.const([-1, n_features, 1], "shape", INT64)],
                       "piecewise_cells")
        z = g.node("Add", [g.node("Mul", [cells, g.const(a, "a")], "piecewise_mul"),
                           g.const(c, "c")], "piecewise_add")
        clipped = g.node("Clip", [z, g.const(np.array(0.0), "zero"),
                                  g.const(np.array(1.0), "one")], "piecewise_clip")
        return g.node("Reshape", [clipped, g.const([-1, n_features * bins], "shape", INT64)],
                      "piecewise")

    @classmethod
    def check(cls, layer):
        super().check(layer)
        kernel = layer.get_weights()[0]
        n_features, bins = kernel.shape[0], cls._bins(layer)
        off_block = kernel.copy()
        for j in range(n_features):
            off_block[j, j * bins : (j + 1) * bins] = 0
        if layer.trainable or off_block.any() or (kernel < 0).any():
            raise ValueError("a piecewise encoding whose features are mixed")


# Deepest product (inputs summed) computed in one BLAS call: OpenBLAS splits a
# deeper one into blocks for many rows but not for few (its small-matrix
# kernels, SkylakeX: from 392 inputs in float64, 456 in float32), which moves
# a row's last bits.
_GEMM_DEPTH = 256
# Outputs of a float32 product are padded to a multiple of this: OpenBLAS's
# SkylakeX kernels compute the last columns of other widths differently for
# few rows and for many.
_GEMM_WIDTH = 16


def _piecewise_product(a, c, W):
    """The float32 form of a piecewise encoding times ``W``: ``(center, a, c, W)``.

    ``center``: each feature's middle bin edge (float64), subtracted before the
    encoding; ``a`` and ``c`` the encoding of ``x - center`` (float32), ``W``
    in float32 with its columns padded with zeros to a multiple of
    ``_GEMM_WIDTH``.
    """
    n_features, bins = a.shape
    used = (a > 0).sum(axis=1)
    middle = np.maximum(used // 2, 0)
    rows = np.arange(n_features)
    center = np.where(used > 0, -c[rows, middle] / np.where(used > 0, a[rows, middle], 1.0),
                      0.0)
    shifted = c + a * center[:, None]  # a (x - center) + shifted = a x + c
    width = -(-W.shape[1] // _GEMM_WIDTH) * _GEMM_WIDTH
    W32 = np.zeros((W.shape[0], width), np.float32)
    W32[:, : W.shape[1]] = W
    return center, a.astype(np.float32), shifted.astype(np.float32), W32


# The registry. Plan passes (simplify) run in this order: Affine's folding of
# consecutive products, then Diag's folding, then Grouped's blocks, then
# Piecewise's folding of the product after the encoding.
LAYER_KINDS = (Affine, Diag, Grouped, BatchNorm, Activation, Dropout, Piecewise)
STEP_KINDS = {kind.name: kind for kind in LAYER_KINDS if kind.has_step}
_FORWARD = {name: kind.forward for name, kind in STEP_KINDS.items()}  # one lookup a step

# scikit-learn style activation names -> Keras names; -> float64 numpy functions.
KERAS_ACTIVATIONS = {name: row[0] for name, row in Activation.TABLE.items()}
NUMPY_ACTIVATIONS = {name: row[1] for name, row in Activation.TABLE.items()}


def kind_of(layer):
    """The kind (a class of LAYER_KINDS) of a Keras layer, or None.

    The kind the builder marked it with; otherwise read from its Keras class.
    """
    marked = getattr(layer, "_skbinary_kind", None)
    for kind in LAYER_KINDS:
        if kind.name == marked:
            return kind
    import keras

    for kind in LAYER_KINDS:
        if kind.keras_class is not None and isinstance(
                layer, getattr(keras.layers, kind.keras_class)):
            return kind
    return None


def check_layers(model):
    """Raise ValueError naming the first layer of ``model`` whose kind's check fails."""
    for layer in model.layers:
        kind = kind_of(layer)
        try:
            if kind is None:
                raise ValueError(f"a {type(layer).__name__} layer, of no known kind")
            kind.check(layer)
        except ValueError as exc:
            raise ValueError(f"layer {layer.name!r} has {exc}") from None


def network_steps(layers, members=1):
    """The float64 plan of a sequence of trained Keras layers, or None if unsupported.

    Each layer read by its kind, then every kind's pass over the whole plan
    (folding, ensemble blocks) for ``members`` ensemble members.
    """
    steps = _read_steps(layers)
    return None if steps is None else _simplified(steps, members)


def _keras_activation(layer):
    """The Keras name of a layer's activation (None for a layer without one)."""
    import keras

    fn = getattr(layer, "activation", None)
    try:
        return None if fn is None else keras.activations.serialize(fn)
    except Exception:  # noqa: BLE001  a custom callable: compared as itself
        return fn


def steps_read_as(model, template):
    """The :func:`forward_plan` of ``model``'s layers read as ``template``'s kinds.

    For a network loaded from a file (whose layers carry no kind) and the
    built-in network its architecture rebuilds: None unless the layers are
    of the same Keras classes and activations, one for one.
    """
    if len(model.layers) != len(template.layers):
        return None
    steps = []
    for layer, like in zip(model.layers, template.layers):
        if type(layer) is not type(like) or _keras_activation(layer) != _keras_activation(like):
            return None
        if not kind_of(like).read(layer, steps):
            return None
    if not steps or steps[-1] != ("act", "logistic"):
        return None
    return _simplified(steps[:-1], ensemble_size_of(template))  # as forward_plan


def _read_steps(layers):
    steps = []
    for layer in layers:
        kind = kind_of(layer)
        if kind is None or not kind.read(layer, steps):
            return None
    return steps


def _simplified(steps, members):
    for kind in LAYER_KINDS:
        steps = kind.simplify(steps, members)
    return steps


def run_steps(steps, X):
    """The output of plan steps for rows ``X`` (never written to), in float64."""
    h, owned = X, False  # never write into the caller's X
    for step in steps:
        h, owned = _FORWARD[step[0]](step, h, owned)
    return h
