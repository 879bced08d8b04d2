"""skbinary: a Keras neural network that scikit-learn treats as a binary classifier."""

from ._classifier import KerasBinaryClassifier, load
from ._container import ModelFileError
from ._onnx import register_onnx_converter, to_onnx
from ._version import __version__

__all__ = [
    "KerasBinaryClassifier",
    "ModelFileError",
    "load",
    "register_onnx_converter",
    "to_onnx",
    "__version__",
]
