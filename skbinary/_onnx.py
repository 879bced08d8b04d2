"""ONNX export of a fitted KerasBinaryClassifier, alone or inside a pipeline.

The ONNX graph is emitted from the steps of :func:`skbinary._network.forward_plan`,
the same float64 plan the numpy forward pass runs, by each step's layer kind
(``skbinary._network.LAYER_KINDS``, whose ``emit`` sits next to its numpy
step): the network's math has one definition. ``skl2onnx`` is
imported only when a function here is called, so ``import skbinary`` never
imports it.

The converter is registered with ``skl2onnx`` under the alias
``"SkbinaryKerasBinaryClassifier"`` with skl2onnx's own classifier parser (the
one ``LogisticRegression`` uses), so a pipeline ending in the estimator converts
with ``skl2onnx.to_onnx`` and gets the usual ``label`` and ``probabilities``
outputs, honouring the ``zipmap`` and ``output_class_labels`` options.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._network import KERAS_ACTIVATIONS, STEP_KINDS

_ALIAS = "SkbinaryKerasBinaryClassifier"

# The estimator classes this converter serves. The estimator module marks its
# class with @exportable, so this module never imports the estimator module.
_EXPORTABLE = []


def exportable(cls):
    """Class decorator: :func:`register_onnx_converter` registers ``cls``."""
    _EXPORTABLE.append(cls)
    return cls


# --------------------------------------------------------------- emitters
# Each step kind's emitter is its layer kind's ``emit`` (skbinary._network's
# LAYER_KINDS): it adds nodes computing one plan step from the tensor named
# ``x`` and returns the name of its output. ``g`` is a small graph writer
# (below) that knows the dtype of the graph, so constants match the data.


class _Graph:
    """Adds nodes and constants of one dtype to a skl2onnx container."""

    FLOAT = 1  # onnx TensorProto.FLOAT

    def __init__(self, scope, container, proto_dtype, numpy_dtype):
        self.scope, self.container = scope, container
        self.proto_dtype, self.numpy_dtype = proto_dtype, numpy_dtype

    def const(self, value, hint, proto_dtype=None):
        """A constant: in the graph's float dtype, or as given with ``proto_dtype``."""
        value = np.asarray(value, dtype=self.numpy_dtype if proto_dtype is None else None)
        name = self.scope.get_unique_variable_name(hint)
        self.container.add_initializer(name, proto_dtype or self.proto_dtype,
                                       list(value.shape), value.ravel().tolist())
        return name

    def node(self, op_type, inputs, hint=None, **attrs):
        out = self.scope.get_unique_variable_name(hint or op_type.lower())
        self.container.add_node(op_type, inputs, out,
                                name=self.scope.get_unique_operator_name(op_type), **attrs)
        return out

    def float_node(self, op_type, inputs, hint=None, **attrs):
        """A node that ONNX Runtime implements for float32 only (Erf).

        In a float64 graph its one input is cast to float32 and its output
        back: a relative error of about 6e-8 on that op's result.
        """
        if self.proto_dtype == self.FLOAT:
            return self.node(op_type, inputs, hint, **attrs)
        x32 = self.node("Cast", inputs, "to_float", to=self.FLOAT)
        return self.node("Cast", [self.node(op_type, [x32], hint, **attrs)], "to_double",
                         to=self.proto_dtype)


def emit_plan(g, x, plan):
    """Emit the nodes of a forward plan; return the name of the logit tensor."""
    for step in plan:
        kind = step[0]
        if kind not in STEP_KINDS:
            raise ValueError(
                f"Cannot export a network step of kind {kind!r} to ONNX: supported "
                f"kinds are {sorted(STEP_KINDS)}."
            )
        x = STEP_KINDS[kind].emit(g, x, step)
    return x


def plan_to_onnx(plan, n_features, dtype=np.float64):
    """A standalone ONNX model of plan steps: input ``X``, output ``Y``.

    The same emitters as the converter, without skl2onnx: for checking one
    layer kind's ONNX twin against its numpy step.
    """
    from onnx import TensorProto, helper

    nodes, initializers = [], []
    names = {}

    class Scope:
        def get_unique_variable_name(self, hint):
            names[hint] = names.get(hint, -1) + 1
            return f"{hint}_{names[hint]}"

        get_unique_operator_name = get_unique_variable_name

    class Container:
        def add_initializer(self, name, proto_dtype, shape, values):
            initializers.append(helper.make_tensor(name, proto_dtype, shape, values))

        def add_node(self, op_type, inputs, output, name, **attrs):
            nodes.append(helper.make_node(op_type, inputs, [output], name=name, **attrs))

    proto = TensorProto.DOUBLE if np.dtype(dtype) == np.float64 else TensorProto.FLOAT
    g = _Graph(Scope(), Container(), proto, np.dtype(dtype).type)
    nodes.append(helper.make_node("Identity", [emit_plan(g, "X", plan)], ["Y"]))
    graph = helper.make_graph(nodes, "plan", [helper.make_tensor_value_info(
        "X", proto, [None, n_features])], [helper.make_tensor_value_info("Y", proto, None)],
        initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


# ------------------------------------------------------ skl2onnx plumbing


def _plan_of(estimator):
    """The fitted estimator's forward plan, or a clear error."""
    check_is_fitted(estimator)
    plan = estimator._fitted.network.forward
    if plan is None:
        raise ValueError(
            "Cannot export this KerasBinaryClassifier to ONNX: its model is not a "
            "plain keras.Sequential of Dense, BatchNormalization, Activation and "
            "Dropout layers ending in one sigmoid unit, with activations among "
            f"{sorted(KERAS_ACTIVATIONS.values())}. The built-in network "
            "(model=None) always exports."
        )
    return plan


def _label_tensor(scope, estimator):
    """The label output's (proto type, classes array).

    ``classes_``, or ``[0, 1]`` with skl2onnx's ``nocl`` option.
    """
    from skl2onnx.common.utils_classifier import get_label_classes
    from skl2onnx.proto import onnx_proto

    classes = np.asarray(get_label_classes(scope, estimator))
    if classes.dtype.kind in "biuf":  # float labels are whole numbers (sklearn's rule)
        return onnx_proto.TensorProto.INT64, classes.astype(np.int64)
    if classes.dtype.kind in "US" or (
            classes.dtype.kind == "O" and all(isinstance(c, str) for c in classes)):
        return onnx_proto.TensorProto.STRING, np.array([str(c) for c in classes])
    raise ValueError(
        "Cannot export labels to ONNX: classes_ must be integers, booleans or "
        f"strings (ONNX label tensors are int64 or string), got {classes!r}."
    )


def _shape_calculator(operator):
    """Output types: label (n_samples,) int64 or string; probabilities (n_samples, 2)."""
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import check_input_and_output_numbers
    from skl2onnx.proto import onnx_proto

    # several inputs: a DataFrame's columns given straight to the estimator
    check_input_and_output_numbers(operator, input_count_range=[1, None],
                                   output_count_range=2)
    est = operator.raw_operator
    _plan_of(est)  # a clear error before anything is emitted
    zipmap = operator.scope_inst.get_options(est, {"zipmap": True})["zipmap"]
    if zipmap is True and isinstance(operator.outputs[1].type, DoubleTensorType):
        # skl2onnx would write a graph that ONNX Runtime refuses to load.
        raise ValueError(
            "skl2onnx's option zipmap=True needs a float32 graph (ONNX's ZipMap has "
            "no float64 version): pass float32 rows, or use zipmap=False "
            "(skbinary.to_onnx's default) or zipmap='columns'."
        )
    label_type, _ = _label_tensor(operator.scope_inst, est)
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].set_type(Int64TensorType([n]) if label_type
                                 == onnx_proto.TensorProto.INT64 else StringTensorType([n]))
    operator.outputs[1].type.shape = [n, 2]


def _converter(scope, operator, container):
    from skl2onnx.common.data_types import DoubleTensorType
    from skl2onnx.proto import onnx_proto

    est = operator.raw_operator
    plan = _plan_of(est)
    # the dtype skl2onnx's parser gave the probabilities (that of the first input)
    if isinstance(operator.outputs[1].type, DoubleTensorType):
        g = _Graph(scope, container, onnx_proto.TensorProto.DOUBLE, np.float64)
    else:
        g = _Graph(scope, container, onnx_proto.TensorProto.FLOAT, np.float32)

    columns = [g.node("Cast", [v.full_name], "input", to=g.proto_dtype)
               for v in operator.inputs]
    x = columns[0] if len(columns) == 1 else g.node("Concat", columns, "input", axis=1)
    p = g.node("Sigmoid", [emit_plan(g, x, plan)], "proba_positive")  # (N, 1)
    q = g.node("Sub", [g.const(1.0, "one"), p], "proba_negative")
    container.add_node("Concat", [q, p], operator.outputs[1].full_name, axis=1,
                       name=scope.get_unique_operator_name("Concat"))

    # label = classes_[1] where p >= threshold, as predict.
    label_type, classes = _label_tensor(scope, est)
    positive = g.node("GreaterOrEqual", [p, g.const(est._decision_threshold(), "threshold")])
    index = g.node("Cast", [positive], "label_index", to=onnx_proto.TensorProto.INT64)
    flat = g.const([-1], "flat", proto_dtype=onnx_proto.TensorProto.INT64)
    index = g.node("Reshape", [index, flat], "label_index")  # (N,)
    container.add_node("Gather", [g.const(classes, "classes", proto_dtype=label_type), index],
                       operator.outputs[0].full_name, axis=0,
                       name=scope.get_unique_operator_name("Gather"))


def register_onnx_converter():
    """Register the ONNX converter of :class:`KerasBinaryClassifier` with skl2onnx.

    After this call ``skl2onnx.to_onnx`` (or ``convert_sklearn``) converts a
    fitted :class:`KerasBinaryClassifier`, alone or at the end of a
    scikit-learn pipeline, like a ``LogisticRegression``: outputs ``label``
    (``classes_[1]`` where the positive probability is ``>= threshold``) and
    ``probabilities`` (columns in ``classes_`` order), with skl2onnx's
    ``zipmap`` and ``output_class_labels`` options. Calling it again does
    nothing new; :func:`to_onnx` calls it for you.

    The built-in network always converts; a user-built ``model`` converts when
    it is a plain ``keras.Sequential`` of ``Dense``, ``BatchNormalization``,
    ``Activation`` and ``Dropout`` layers ending in one sigmoid unit (otherwise
    conversion raises a ``ValueError``).

    Requires the ``onnx`` extra: ``pip install "skbinary[onnx]"``.

    See Also
    --------
    to_onnx : Convert an estimator or a pipeline in one call.

    Examples
    --------
    >>> import skl2onnx
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skbinary import KerasBinaryClassifier, register_onnx_converter
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> X = X.astype("float32")
    >>> pipe = make_pipeline(StandardScaler(), KerasBinaryClassifier(
    ...     hidden_layer_sizes=(8,), epochs=5, random_state=0)).fit(X, y)
    >>> register_onnx_converter()
    >>> onx = skl2onnx.to_onnx(pipe, X[:1])
    >>> [out.name for out in onx.graph.output]
    ['output_label', 'output_probability']
    """
    from skl2onnx import update_registered_converter

    for cls in _EXPORTABLE:
        update_registered_converter(
            cls, _ALIAS, _shape_calculator, _converter,
            options={"zipmap": [True, False, "columns"], "output_class_labels": [False, True],
                     "nocl": [False, True]},
        )


def to_onnx(estimator, X, *, zipmap=False, target_opset=None):
    """Convert a fitted estimator or pipeline holding a KerasBinaryClassifier to ONNX.

    A thin wrapper of ``skl2onnx.to_onnx`` that registers the converter first
    (:func:`register_onnx_converter`) and, by default, asks for plain tensor
    outputs: ``label`` of shape ``(n_samples,)`` and ``probabilities`` of shape
    ``(n_samples, 2)`` in ``classes_`` order. The whole pipeline is exported:
    preprocessing, the network, the label mapping and the decision
    ``threshold``.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Fitted; a :class:`KerasBinaryClassifier` or any scikit-learn model that
        ``skl2onnx`` converts and that contains one.
    X : array-like or pandas DataFrame
        A few input rows, which fix the graph's inputs: their dtype and number
        of columns (a DataFrame gives one input per column, named after it).
        float32 rows give a float32 graph (the ONNX norm, fastest); float64
        rows a float64 graph, whose probabilities match ``predict_proba`` to
        about 1e-12.
    zipmap : bool or "columns", default=False
        skl2onnx's ``zipmap`` option for the classifier: False for a
        probability tensor, True for a list of ``{label: probability}``
        dicts (float32 graphs only, as for every skl2onnx classifier).
    target_opset : int, default=None
        ONNX opset; None for the latest skl2onnx supports.

    Returns
    -------
    onx : onnx.ModelProto
        Save it with ``onx.SerializeToString()``; run it with ONNX Runtime.

    Raises
    ------
    ValueError
        For a user-built network that is not a plain dense ``Sequential``.

    See Also
    --------
    KerasBinaryClassifier.to_onnx : The same, for the estimator alone.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import make_classification
    >>> from skbinary import KerasBinaryClassifier, to_onnx
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> X = X.astype("float32")
    >>> clf = KerasBinaryClassifier(hidden_layer_sizes=(8,), epochs=5,
    ...                             random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X[:1])
    >>> sess = ort.InferenceSession(onx.SerializeToString(),
    ...                             providers=["CPUExecutionProvider"])
    >>> label, proba = sess.run(None, {"X": X})
    >>> bool((label == clf.predict(X)).all())
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X), atol=1e-5))
    True
    """
    import skl2onnx

    register_onnx_converter()
    return skl2onnx.to_onnx(estimator, X, target_opset=target_opset,
                            options={cls: {"zipmap": zipmap} for cls in _EXPORTABLE})
