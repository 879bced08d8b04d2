"""Shared fixtures: small datasets and a small, fast, seeded estimator."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skbinary import KerasBinaryClassifier


def small_classifier(**params):
    """A network small and fast enough for tests, that still learns easy data."""
    defaults = dict(hidden_layer_sizes=(16,), epochs=30, batch_size=16, early_stopping=False,
                    learning_rate=0.01, random_state=0)
    defaults.update(params)
    return KerasBinaryClassifier(**defaults)


def in_threads(work, n):
    """``[work(0), ..., work(n - 1)]``, each called in its own thread, all at once."""
    import threading

    results = [None] * n

    def run(i):
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture(scope="session")
def binary_data():
    """300 rows, 8 features, two balanced classes; (X, y) with labels 0/1."""
    X, y = make_classification(n_samples=300, n_features=8, n_informative=4,
                               random_state=0)
    return X, y


@pytest.fixture(scope="session")
def spam_data(binary_data):
    """The same rows with string labels: 'spam' (positive) and 'ham'."""
    X, y = binary_data
    return X, np.where(y == 1, "spam", "ham")
