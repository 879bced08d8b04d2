"""The built-in Keras network and its numpy forward pass.

This module knows Keras and numpy, nothing of scikit-learn. It holds:

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

# scikit-learn style activation names -> Keras activation names.
KERAS_ACTIVATIONS = {
    "relu": "relu",
    "tanh": "tanh",
    "logistic": "sigmoid",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "silu": "silu",
    "identity": "linear",
}

_EPSILON = 1e-12  # of the frozen input-scaling layers

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


# numpy twins of the Keras activations, in float64.
NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": _sigmoid,
    "elu": _elu,
    "selu": lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))),
    "silu": lambda z: z * _sigmoid(z),
    "identity": lambda z: z,
}


# input_scaling="standard": inputs are centred on the mean and divided by the
# standard deviation, as StandardScaler does. "robust": centred on the median,
# divided by a robust spread, then softly clipped to +-CLIP by CLIP * tanh(x / CLIP).
CLIP = 3.0
INPUT_SCALINGS = ("standard", "robust", None)


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
                  input_scaling=None, ensemble_size=1):
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

    Returns
    -------
    model : keras.Sequential
        The built (not compiled) model.
    """
    import keras

    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    layers = [keras.Input(shape=(n_features,), name="features")]
    if input_scaling is not None:
        names = (("input_scale", "input_clip", "input_unscale")
                 if input_scaling == "robust" else ("input_scale",))
        for name in names:
            if name == "input_clip":
                layers.append(keras.layers.Activation("tanh", name=name))
                continue
            bn = keras.layers.BatchNormalization(center=False,
                                                 scale=name == "input_scale",
                                                 epsilon=_EPSILON, name=name)
            bn.trainable = False  # a frozen BN is a fixed per-feature affine map
            layers.append(bn)
    for i, units in enumerate(hidden_layer_sizes):
        layers.append(keras.layers.Dense(units * ensemble_size, kernel_regularizer=reg,
                                         name=f"dense_{i}"))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"batch_norm_{i}"))
        layers.append(keras.layers.Activation(KERAS_ACTIVATIONS[activation], name=f"{activation}_{i}"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    if ensemble_size > 1:
        layers.append(keras.layers.Dense(ensemble_size, kernel_regularizer=reg,
                                         name=MEMBER_LOGITS))
        mean = keras.layers.Dense(1, activation="sigmoid", name="output")
        mean.trainable = False  # the mean of the members' logits, set by initialize_weights
        layers.append(mean)
    else:
        layers.append(
            keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg, name="output")
        )
    return keras.Sequential(layers, name="skbinary_network")


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


def _block_mask(n_in, n_out, k):
    """Block-diagonal 0/1 matrix: ``k`` blocks of ``(n_in / k, n_out / k)``."""
    return np.kron(np.eye(k, dtype="float32"), np.ones((n_in // k, n_out // k), "float32"))


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
    import keras

    k = ensemble_size_of(model)
    if k == 1:
        return None
    dense = [layer for layer in model.layers
             if isinstance(layer, keras.layers.Dense) and layer.trainable]
    by_id = {}
    for layer in dense[1:]:
        fan_in, fan_out = layer.kernel.shape
        by_id[id(layer.kernel)] = _block_mask(fan_in, fan_out, k)
    return [by_id.get(id(v)) for v in model.trainable_variables]


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
    normalisation, and dropout generators reseeded. Uses a private
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
    """
    import keras

    rng = np.random.RandomState(seed)
    k = ensemble_size_of(model)
    first = True
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            fan_in, fan_out = layer.kernel.shape
            if not layer.trainable:  # an ensemble's mean of member logits
                layer.kernel.assign(np.full((fan_in, fan_out), 1.0 / fan_in, "float32"))
                layer.bias.assign(np.zeros(fan_out, dtype="float32"))
                continue
            # Glorot-uniform for each member's block (the whole layer when k == 1).
            block_in = fan_in if first else fan_in // k
            limit = np.sqrt(6.0 / (block_in + fan_out // k))
            kernel = rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32")
            if k > 1 and not first:
                kernel *= _block_mask(fan_in, fan_out, k)
            layer.kernel.assign(kernel)
            layer.bias.assign(np.zeros(fan_out, dtype="float32"))
            first = False
        elif isinstance(layer, keras.layers.BatchNormalization):
            if not layer.trainable:
                continue  # the input scaling, set from X below
            n = layer.gamma.shape[0]
            layer.gamma.assign(np.ones(n, "float32"))
            layer.beta.assign(np.zeros(n, "float32"))
            layer.moving_mean.assign(np.zeros(n, "float32"))
            layer.moving_variance.assign(np.ones(n, "float32"))
        elif isinstance(layer, keras.layers.Dropout):
            state = layer.seed_generator.state
            state.assign(np.array([rng.randint(2**31 - 1), 0], dtype=str(state.dtype)))
    if X is not None:
        set_input_scaling(model, X)


# Keras activation names -> keys of NUMPY_ACTIVATIONS.
_KERAS_TO_NUMPY = {keras_name: ours for ours, keras_name in KERAS_ACTIVATIONS.items()}
_KERAS_TO_NUMPY["swish"] = "silu"


def _activation_name(fn):
    """Keras activation function -> our numpy name, or None if unsupported."""
    import keras

    try:
        name = keras.activations.serialize(fn)
    except Exception:  # noqa: BLE001 (a custom callable)
        return None
    return _KERAS_TO_NUMPY.get(name) if isinstance(name, str) else None


def has_sigmoid_output(model):
    """Whether ``model`` ends in one unit with a sigmoid activation."""
    out = tuple(model.output_shape) if hasattr(model, "output_shape") else ()
    if len(out) != 2 or out[-1] != 1:
        return False
    last = model.layers[-1] if getattr(model, "layers", None) else None
    act = getattr(last, "activation", None)
    return act is not None and _activation_name(act) == "logistic"


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
    sigmoid. The built-in network always qualifies; many user-built networks do
    too. Anything else returns None and is predicted by calling Keras.

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
        offset)`` (``x * scale + offset``, per feature) and ``("act", name)``
        that map the input to the logit (the final sigmoid left out).
    """
    import keras

    if not isinstance(model, keras.Sequential):
        return None
    steps = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            W = np.asarray(layer.kernel, dtype=np.float64)
            b = (np.asarray(layer.bias, dtype=np.float64) if layer.use_bias
                 else np.zeros(W.shape[1]))
            steps.append(("affine", W, b))
            name = _activation_name(layer.activation)
            if name is None:
                return None
            if name != "identity":
                steps.append(("act", name))
        elif isinstance(layer, keras.layers.BatchNormalization):
            if layer.axis not in (-1, 1):
                return None
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
        elif isinstance(layer, keras.layers.Activation):
            name = _activation_name(layer.activation)
            if name is None:
                return None
            if name != "identity":
                steps.append(("act", name))
        elif isinstance(layer, keras.layers.Dropout):
            continue
        else:
            return None
    if not steps or steps[-1] != ("act", "logistic"):
        return None
    return _group_blocks(_fold_diagonals(steps[:-1]), ensemble_size_of(model))


def _group_blocks(steps, k):
    """Turn an ensemble's block-diagonal ``affine`` steps into ``grouped`` ones.

    ``("grouped", W, b)`` with ``W`` of shape ``(k, n_in / k, n_out / k)``
    computes the ``k`` members' products apart: ``k`` times fewer operations
    (and weights) than the block-diagonal matrix with its zeros.
    """
    if k == 1:
        return steps
    out = []
    for step in steps:
        if step[0] == "affine":
            W, b = step[1], step[2]
            n_in, n_out = W.shape
            if n_in % k == 0 and n_out % k == 0 and n_out > 1:
                i, o = n_in // k, n_out // k
                blocks = np.stack([W[j * i:(j + 1) * i, j * o:(j + 1) * o] for j in range(k)])
                if np.count_nonzero(W) == np.count_nonzero(blocks):  # zeros off the blocks
                    step = ("grouped", blocks, b)
        out.append(step)
    return out


def _fold_diagonals(steps):
    """Fold each ``diag`` step that comes right before an ``affine`` into it."""
    out = []
    for step in steps:
        if step[0] == "affine" and out and out[-1][0] == "diag":
            _, scale, offset = out.pop()
            _, W, b = step
            step = ("affine", W * scale[:, None], b + offset @ W)
        out.append(step)
    return out


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
    """
    h, owned = X, False  # never write into the caller's X
    for step in plan:
        if step[0] == "affine":
            h = np.asarray(h @ step[1])
            h += step[2]  # in place: saves a copy of every layer's output
            owned = True
        elif step[0] == "grouped":
            W = step[1]
            k, i, o = W.shape
            h = np.matmul(np.asarray(h).reshape(-1, k, i).transpose(1, 0, 2), W)
            h = h.transpose(1, 0, 2).reshape(-1, k * o)
            h += step[2]
            owned = True
        elif step[0] == "diag":
            h = (h.toarray() if hasattr(h, "toarray") else np.asarray(h)) * step[1]
            h += step[2]
            owned = True
        elif step[1] == "relu" and owned:
            np.maximum(h, 0.0, out=h)
        else:
            h = NUMPY_ACTIVATIONS[step[1]](h)
            owned = True
    return np.asarray(h, dtype=np.float64).reshape(-1)
