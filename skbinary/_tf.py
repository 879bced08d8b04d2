"""TensorFlow without its noise: a quiet first import, no warnings about our graphs.

Two kinds of TensorFlow output reach a user who did nothing wrong:

* at import, TensorFlow's C++ start-up lines (oneDNN notices, "Could not find
  cuda drivers on your machine", a failed ``cuInit``). They are written before
  TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL``, so that variable cannot silence
  them. :func:`import_tensorflow` imports TensorFlow and Keras with file
  descriptor 2 captured, drops exactly those lines and passes every other line
  on to ``sys.stderr``. With ``TF_CPP_MIN_LOG_LEVEL=0`` (asking for TensorFlow's
  logs) nothing is captured.
* "N out of the last M calls to ... triggered tf.function retracing": each
  ``partial_fit`` estimator and each custom network gets its own compiled
  epoch function, traced once, which TensorFlow counts as retracing. Inside
  :func:`own_graphs` (skbinary's training calls) that warning is dropped; the
  same warning about the user's own functions elsewhere still shows.

Environment variables and the global logging configuration are left as they are.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading

# TensorFlow's native start-up lines (oneDNN, CUDA probing).
CHATTER = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|[IW]\d{4} "
    r"|E\d{4} .*(cuInit|cuda|CUDA|cuDNN|cuFFT|cuBLAS))"
)
_LOG_LINE = re.compile(r"^([IWEF]\d{4} |Traceback|\w+(Error|Warning)\b)")

_import_lock = threading.Lock()
_inside = threading.local()


def wants_tf_logs():
    """Whether the user asked for TensorFlow's logs (``TF_CPP_MIN_LOG_LEVEL=0``)."""
    return os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() == "0"


def drop_chatter(lines):
    """The lines of captured stderr that are not TensorFlow start-up chatter."""
    kept, dropping = [], False
    for line in lines:
        if CHATTER.match(line):
            dropping = True
        elif dropping and not _LOG_LINE.match(line):
            continue  # the rest of a dropped multi-line message
        elif line.strip():
            dropping = False
            kept.append(line)
    return kept


def import_tensorflow():
    """Import TensorFlow and Keras once, without their start-up chatter on stderr."""
    if "tensorflow" in sys.modules:
        return
    with _import_lock:
        if "tensorflow" in sys.modules:
            return
        if wants_tf_logs():
            import keras  # noqa: F401
            return
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no usable stderr to capture
            import keras  # noqa: F401
            return
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                import keras  # noqa: F401
                import tensorflow as tf

                tf.config.list_physical_devices("GPU")  # probes CUDA: more chatter
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                captured.seek(0)
                lines = captured.read().decode("utf-8", "replace").splitlines()
                for line in drop_chatter(lines):
                    print(line, file=sys.stderr)


class _OwnRetracingFilter(logging.Filter):
    def filter(self, record):
        return not (getattr(_inside, "depth", 0)
                    and "triggered tf.function retracing" in record.getMessage())


@contextlib.contextmanager
def own_graphs():
    """Drop TensorFlow's retracing warning for skbinary's graphs run in this block."""
    depth = getattr(_inside, "depth", 0)
    _inside.depth = depth + 1
    try:
        yield
    finally:
        _inside.depth = depth


logging.getLogger("tensorflow").addFilter(_OwnRetracingFilter())
