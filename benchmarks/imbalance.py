"""Imbalance handled inside training (issue 13): check its targets on real data.

On each dataset (the loaders of ``benchmarks/datasets.py``, data shipped in
packages), under the same stratified 5-fold split for every candidate, with the
same column preprocessing (``quality.preprocessor``: imputation and one-hot
encoding; the network scales its inputs itself):

* ``RandomUnderSampler`` in an imbalanced-learn ``Pipeline`` (one draw per fit)
  vs ``sampler=RandomUnderSampler()`` (a new draw every epoch): PR-AUC;
* ``threshold={"recall": target}`` (learned in the one fit, on the held-out
  split) vs ``TunedThresholdClassifierCV(cv=5)`` maximising precision subject
  to the same recall (five inner fits and a refit): recall, precision, fit time.

Targets (issue 13): per-epoch PR-AUC >= pipeline PR-AUC on every dataset and
better on average; learned-threshold recall within 0.03 of the target on
average; its precision no more than 0.02 below the tuned one's; its fit time at
most 1/4 of the tuned one's.

    python benchmarks/imbalance.py                      # default datasets
    python benchmarks/imbalance.py --datasets caravan,hmda --target-recall 0.7
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import datasets  # noqa: E402
import numpy as np  # noqa: E402
from imblearn.pipeline import Pipeline  # noqa: E402
from imblearn.under_sampling import RandomUnderSampler  # noqa: E402
from quality import limit_threads, preprocessor  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    make_scorer,
    precision_score,
    recall_score,
)
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV  # noqa: E402

from skbinary import KerasBinaryClassifier  # noqa: E402

DEFAULT_DATASETS = ("caravan", "lending_club", "default", "hmda", "mlc_churn")


# Training length; --epochs/--patience change it (200/20 are the estimator's defaults).
TRAINING = {"epochs": 50, "n_iter_no_change": 10}


def network(**params):
    return KerasBinaryClassifier(hidden_layer_sizes=(32,), random_state=0,
                                 **TRAINING, **params)


def precision_at_recall(target):
    """Scorer: precision where recall >= target, else recall - 1 (always lower)."""
    def score(y_true, y_pred):
        recall = recall_score(y_true, y_pred)
        if recall < target:
            return recall - 1.0
        return precision_score(y_true, y_pred, zero_division=0)
    return make_scorer(score)


def candidates(target):
    return {
        "pipeline_rus": [("rus", RandomUnderSampler(random_state=0)), ("model", network())],
        "epoch_rus": [("model", network(sampler=RandomUnderSampler()))],
        "learned": [("model", network(threshold={"recall": target},
                                      validation_fraction=0.2))],
        "tuned": [("model", TunedThresholdClassifierCV(
            network(), scoring=precision_at_recall(target), cv=5))],
    }


def run_dataset(dataset, target, n_splits):
    X, y = dataset.X, dataset.y
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=0).split(X, y)
    out = {}
    for train, test in folds:
        for name, steps in candidates(target).items():
            pipe = Pipeline([("prep", preprocessor(dataset, scale=False)), *steps])
            start = time.perf_counter()
            pipe.fit(X.iloc[train], y[train])
            fit_s = time.perf_counter() - start
            proba = pipe.predict_proba(X.iloc[test])[:, 1]
            pred = pipe.predict(X.iloc[test])
            row = {
                "pr_auc": average_precision_score(y[test], proba),
                "recall": recall_score(y[test], pred, zero_division=0),
                "precision": precision_score(y[test], pred, zero_division=0),
                "fit_s": fit_s,
            }
            for key, value in row.items():
                out.setdefault(name, {}).setdefault(key, []).append(value)
    return {name: {k: float(np.mean(v)) for k, v in m.items()} for name, m in out.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS))
    parser.add_argument("--target-recall", type=float, default=0.7)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"])
    parser.add_argument("--patience", type=int, default=TRAINING["n_iter_no_change"])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per library (0: their defaults)")
    args = parser.parse_args(argv)
    limit_threads(args.threads)
    TRAINING.update(epochs=args.epochs, n_iter_no_change=args.patience)
    warnings.filterwarnings("ignore", category=UserWarning)
    target = args.target_recall
    results = {}
    for name in args.datasets.split(","):
        dataset = datasets.load(name)
        start = time.perf_counter()
        results[name] = run_dataset(dataset, target, args.splits)
        print(f"{name}: {dataset.n_rows} rows, {dataset.positive_rate:.1%} positive, "
              f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)

    print(f"Per-epoch vs pipeline under-sampling, PR-AUC ({args.splits}-fold means)\n")
    print("| dataset | pipeline RUS | sampler=RUS (per epoch) | difference |")
    print("|---|---|---|---|")
    diffs = []
    for name, r in results.items():
        a, b = r["pipeline_rus"]["pr_auc"], r["epoch_rus"]["pr_auc"]
        diffs.append(b - a)
        print(f"| {name} | {a:.4f} | {b:.4f} | {b - a:+.4f} |")
    print(f"\nper-epoch >= pipeline on {sum(d >= 0 for d in diffs)}/{len(diffs)} datasets; "
          f"mean difference {np.mean(diffs):+.4f}\n")

    print(f"Threshold for recall {target}: learned in fit vs TunedThresholdClassifierCV(cv=5)\n")
    print("| dataset | recall learned | recall tuned | precision learned | precision tuned "
          "| fit s learned | fit s tuned | time ratio |")
    print("|---|---|---|---|---|---|---|---|")
    rec, prec_gap, ratios = [], [], []
    for name, r in results.items():
        lr, tu = r["learned"], r["tuned"]
        rec.append(lr["recall"])
        prec_gap.append(lr["precision"] - tu["precision"])
        ratios.append(lr["fit_s"] / tu["fit_s"])
        print(f"| {name} | {lr['recall']:.3f} | {tu['recall']:.3f} | {lr['precision']:.3f} "
              f"| {tu['precision']:.3f} | {lr['fit_s']:.2f} | {tu['fit_s']:.2f} "
              f"| {ratios[-1]:.2f} |")
    print(f"\nmean recall learned {np.mean(rec):.3f} (target {target}, "
          f"off by {np.mean(rec) - target:+.3f}; needs |.| <= 0.03); "
          f"mean precision learned - tuned {np.mean(prec_gap):+.3f} (needs >= -0.02); "
          f"mean fit time ratio {np.mean(ratios):.2f} (needs <= 0.25)")


if __name__ == "__main__":
    main()
