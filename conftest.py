"""Quiet TensorFlow's start-up logs for the tests and the doctests."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
