"""skbinary: a Keras neural network that scikit-learn treats as a binary classifier."""

from ._classifier import KerasBinaryClassifier
from ._onnx import register_onnx_converter, to_onnx
from ._persistence import ModelFileError, load

__version__ = "0.1.0"

__all__ = [
    "KerasBinaryClassifier",
    "ModelFileError",
    "load",
    "register_onnx_converter",
    "to_onnx",
    "__version__",
]
