"""The built-in Keras network and its numpy forward pass.

This module knows Keras and numpy, nothing of scikit-learn. It holds:

* :func:`build_network`, the dense sigmoid network built from flat
  hyperparameters;
* :func:`initialize_weights`, a seeded re-initialisation that touches no global
  random state (so a seeded fit leaves TensorFlow and numpy as it found them);
* :func:`forward_plan` and :func:`forward_logit`, a float64 numpy forward pass
  of a trained sequential network with batch normalisation folded into the dense layers,
  used for prediction: microseconds per row, and exactly the same answer for a
  row whether it is predicted alone or inside a batch.
"""

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


def build_network(n_features, hidden_layer_sizes, activation, dropout, l2, batch_norm):
    """Build the built-in dense network with one sigmoid output.

    Each hidden layer is ``Dense -> [BatchNormalization] -> activation ->
    [Dropout]``; the output is ``Dense(1, activation="sigmoid")``. L2 penalises
    every kernel.

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

    Returns
    -------
    model : keras.Sequential
        The built (not compiled) model.
    """
    import keras

    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    layers = [keras.Input(shape=(n_features,), name="features")]
    for i, units in enumerate(hidden_layer_sizes):
        layers.append(keras.layers.Dense(units, kernel_regularizer=reg, name=f"dense_{i}"))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"batch_norm_{i}"))
        layers.append(keras.layers.Activation(KERAS_ACTIVATIONS[activation], name=f"{activation}_{i}"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    layers.append(
        keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg, name="output")
    )
    return keras.Sequential(layers, name="skbinary_network")


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


def initialize_weights(model, seed):
    """Re-initialise the built-in network in place from ``seed``.

    Glorot-uniform kernels and zero biases (Keras' defaults), identity batch
    normalisation, and dropout generators reseeded. Uses a private
    ``numpy.random.RandomState``, so no global random state is read or changed.

    Parameters
    ----------
    model : keras.Model
        A model returned by :func:`build_network`.
    seed : int
        Seed in ``[0, 2**31 - 1)``.
    """
    import keras

    rng = np.random.RandomState(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            fan_in, fan_out = layer.kernel.shape
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            layer.kernel.assign(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32"))
            layer.bias.assign(np.zeros(fan_out, dtype="float32"))
        elif isinstance(layer, keras.layers.BatchNormalization):
            n = layer.gamma.shape[0]
            layer.gamma.assign(np.ones(n, "float32"))
            layer.beta.assign(np.zeros(n, "float32"))
            layer.moving_mean.assign(np.zeros(n, "float32"))
            layer.moving_variance.assign(np.ones(n, "float32"))
        elif isinstance(layer, keras.layers.Dropout):
            state = layer.seed_generator.state
            state.assign(np.array([rng.randint(2**31 - 1), 0], dtype=str(state.dtype)))


# Keras activation names -> keys of NUMPY_ACTIVATIONS.
_KERAS_TO_NUMPY = {keras_name: ours for ours, keras_name in KERAS_ACTIVATIONS.items()}
_KERAS_TO_NUMPY["swish"] = "silu"


def _activation_name(fn):
    """Keras activation function -> our numpy name, or None if unsupported."""
    import keras

    try:
        name = keras.activations.serialize(fn)
    except Exception:  # a custom callable
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
    except Exception:  # a custom callable
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
        Steps ``("affine", W, b)`` and ``("act", name)`` that map the input to
        the logit (the final sigmoid left out).
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
            if not steps or steps[-1][0] != "affine" or layer.axis not in (-1, 1):
                return None
            _, W, b = steps[-1]
            gamma = (np.asarray(layer.gamma, np.float64) if layer.scale
                     else np.ones(W.shape[1]))
            beta = (np.asarray(layer.beta, np.float64) if layer.center
                    else np.zeros(W.shape[1]))
            mean = np.asarray(layer.moving_mean, np.float64)
            var = np.asarray(layer.moving_variance, np.float64)
            scale = gamma / np.sqrt(var + layer.epsilon)
            steps[-1] = ("affine", W * scale, (b - mean) * scale + beta)
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
    return steps[:-1]


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
        elif step[1] == "relu" and owned:
            np.maximum(h, 0.0, out=h)
        else:
            h = NUMPY_ACTIVATIONS[step[1]](h)
            owned = True
    return np.asarray(h, dtype=np.float64).reshape(-1)
