"""Training callbacks that skbinary adds to what Keras offers.

Any ``keras.callbacks.Callback`` instance works in
``KerasBinaryClassifier(callbacks=[...])``; this module holds the ones that
skbinary itself uses. Importing it imports Keras.
"""

from ._hooks import ProgressLogger

__all__ = ["ProgressLogger"]
