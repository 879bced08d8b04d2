"""skbinary: a Keras neural network that scikit-learn treats as a binary classifier."""

__version__ = "0.1.0"

__all__ = ["__version__"]
