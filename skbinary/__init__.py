"""skbinary: a Keras neural network that scikit-learn treats as a binary classifier."""

from ._classifier import KerasBinaryClassifier

__version__ = "0.1.0"

__all__ = ["KerasBinaryClassifier", "__version__"]
