"""The README's grid search, cold, with ``n_jobs=1`` against ``n_jobs=2``.

Runs the search of the README (breast cancer, ``Pipeline(StandardScaler(),
KerasBinaryClassifier(random_state=0))``, 4 candidates over
``hidden_layer_sizes`` and ``dropout``, ``cv=5``, ``scoring="roc_auc"``, refit)
and the demo's (the same grid scored by F1 on the malignant class), each in a
fresh Python process, so that each pays what a user's first search pays:
TensorFlow's import and one trace per architecture, in the parent and, with
``n_jobs=2``, in each worker process. The two settings alternate,
``--repeats`` times each, and the script prints the median wall times of
``search.fit`` and their ratio (``n_jobs=2 / n_jobs=1``; above 1 the parallel
search is slower).

Usage::

    .venv/bin/python benchmarks/search_cold.py
    .venv/bin/python benchmarks/search_cold.py --repeats 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, {root!r})
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skbinary import KerasBinaryClassifier

X, y = load_breast_cancer(return_X_y=True)
n_jobs, search = int(sys.argv[1]), sys.argv[2]
pipe = make_pipeline(StandardScaler(), KerasBinaryClassifier(random_state=0))
grid = {{"kerasbinaryclassifier__hidden_layer_sizes": [(32,), (64, 32)],
         "kerasbinaryclassifier__dropout": [0.0, 0.3]}}
if search == "readme":
    X_tr, _, y_tr, _ = train_test_split(X, y, stratify=y, random_state=0)
    gs = GridSearchCV(pipe, grid, scoring="roc_auc", cv=5, n_jobs=n_jobs)
else:  # the demo's: 80% for training, F1 of the malignant class (0)
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    gs = GridSearchCV(pipe, grid, scoring=make_scorer(f1_score, pos_label=0),
                      cv=StratifiedKFold(5, shuffle=True, random_state=0), n_jobs=n_jobs)
start = time.perf_counter()
gs.fit(X_tr, y_tr)
print(json.dumps({{"seconds": time.perf_counter() - start, "best": str(gs.best_params_)}}))
"""


def run_once(n_jobs, search):
    """Wall seconds of one cold ``search.fit`` in a fresh process."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=root), str(n_jobs), search],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="cold runs of each setting (default 3)")
    parser.add_argument("--search", choices=("readme", "demo"), default="readme",
                        help="the README's search (default) or make demo's")
    args = parser.parse_args(argv)
    times = {1: [], 2: []}
    for rep in range(args.repeats):
        for n_jobs in ((1, 2) if rep % 2 == 0 else (2, 1)):
            seconds = run_once(n_jobs, args.search)
            times[n_jobs].append(seconds)
            print(f"  run {rep + 1}, n_jobs={n_jobs}: {seconds:.2f} s", flush=True)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"{args.search} search, cold, median of {args.repeats}: n_jobs=1 {one:.2f} s, "
          f"n_jobs=2 {two:.2f} s; n_jobs=2 / n_jobs=1 = {two / one:.2f}x")


if __name__ == "__main__":
    main()
