"""What the training loop's options cost: callbacks and input scaling.

Fits skbinary on ``benchmarks/run.py``'s data and network (32 -> 64 -> 32 -> 1,
10 epochs, batch 256, no early stopping), alternating the variants repeat by
repeat in one process after a warm-up, and prints median fit times and their
ratio to the plain fit:

* ``plain``        the run.py configuration (input scaling on, the default);
* ``callback``     plus one epoch-level Keras callback (a ``LambdaCallback``
                   reading the logs), to check the hooks cost nothing much;
* ``csv_logger``   plus ``keras.callbacks.CSVLogger`` writing a file;
* ``no_scaling``   ``input_scaling=None``: what the default's scaling costs.

Run ``python benchmarks/loop_overhead.py [--rows 100000] [--repeats 7]``.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from skbinary._tf import import_tensorflow  # noqa: E402

import_tensorflow()  # TensorFlow's start-up lines dropped, as skbinary drops them
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from run import make_data, make_estimator  # noqa: E402


def variants(log_dir):
    """Name -> function returning a fresh, unfitted estimator."""
    seen = []
    return {
        "plain": lambda: make_estimator("skbinary"),
        "callback": lambda: make_estimator("skbinary").set_params(callbacks=[
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: seen.append(logs["loss"]))]),
        "csv_logger": lambda: make_estimator("skbinary").set_params(callbacks=[
            keras.callbacks.CSVLogger(os.path.join(log_dir, "log.csv"))]),
        "no_scaling": lambda: make_estimator("skbinary").set_params(input_scaling=None),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    X, y = make_data(args.rows)
    with tempfile.TemporaryDirectory() as log_dir:
        make = variants(log_dir)
        for build in make.values():  # warm-up: imports, pooled trainers
            build().fit(X[:2000], y[:2000])
        times = {name: [] for name in make}
        names = list(make)
        for rep in range(args.repeats):
            for name in names[rep % len(names):] + names[:rep % len(names)]:
                est = make[name]()
                start = time.perf_counter()
                est.fit(X, y)
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times["plain"])
    print(f"fit of {args.rows} rows x 32, 10 epochs, batch 256; median of "
          f"{args.repeats} (best)")
    print("| variant | median s | best s | / plain |")
    print("|---|---|---|---|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| {name} | {med:.3f} | {min(values):.3f} | {med / base:.3f} |")


if __name__ == "__main__":
    main()
