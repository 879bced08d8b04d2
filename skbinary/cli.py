"""Command line: train, apply and evaluate a skbinary model on CSV files.

::

    python -m skbinary fit data.csv --target COLUMN [--positive LABEL] [--hidden 64,32]
        [--dropout 0.2] [--epochs N] [--class-weight balanced] [--search]
        [--random-state N] [--drop COLUMNS] [--out MODEL]
    python -m skbinary predict MODEL data.csv [--threshold T] [--out predictions.csv]
    python -m skbinary report MODEL data.csv [--target COLUMN] [--threshold T] [--plots DIR]

``fit`` trains a :class:`sklearn.pipeline.Pipeline`: a ``ColumnTransformer``
(numeric columns: median imputation and standard scaling; text and boolean
columns: most-frequent imputation and one-hot encoding that ignores unknown
values) followed by :class:`~skbinary.KerasBinaryClassifier`. The target is
relabelled 0/1 internally (1 is the positive label); the model file keeps the
original labels, so ``predict`` and ``report`` print them. Target values that
are numbers are one label when equal as numbers (``1`` and ``1.0``), in every
command. Columns with a different value in every row (identifiers) are left
out with a note. Every command takes ``--sep CHAR``; without it the separator
is detected among ``,`` ``;`` tab ``|``, with a note when it is not a comma.

The model file is a zip archive that loads without pickle:

``preprocess.json``
    The fitted preprocessing in plain JSON (columns and their kinds, imputation
    values, scaler means/scales/variances, one-hot categories), the two labels,
    the positive label, the decision threshold and a summary of the training.
``network.skb``
    The fitted classifier, written by :meth:`KerasBinaryClassifier.save` and
    read back by :func:`skbinary.load` (Keras ``safe_mode``: loading cannot run
    code).

Use :func:`load_model` to open one from Python.

Progress goes to stderr (silence it with ``--quiet``); results to stdout.
Errors are one line on stderr, and the exit status says what went wrong:

==== ======================================================================
0    success
1    an unexpected error (a bug: please report the traceback), or pandas /
     matplotlib not installed
2    usage error: unknown option, missing or malformed argument (argparse)
3    an input file is missing or cannot be opened (no such file, a folder,
     no permission), or an output file cannot be written
4    bad data: empty or unparseable CSV, missing target column, a target
     without exactly two values, a ``--positive`` label that is not one of
     them, non-numeric values in a numeric column, infinite values, missing
     feature columns, target values the model does not know, or training
     that fails on the data
5    the model file is not a readable skbinary command-line model: not a zip
     archive, truncated or corrupted, parts missing, a newer format, or a
     network that could only be loaded by running code
130  interrupted (Ctrl-C)
141  stdout closed early (``predict`` piped into ``head``, say)
==== ======================================================================
"""

import argparse
import collections
import contextlib
import csv
import json
import math
import os
import re
import sys
import tempfile
import time
import warnings
import zipfile

import numpy as np

from . import _tf
from ._container import ModelFileError, atomic_write

__all__ = ["DataError", "TabularModel", "fit_model", "load_model", "main", "read_csv"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_DATA = 4
EXIT_MODEL = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

FORMAT = "skbinary-cli-model"
FORMAT_VERSION = 1
PREPROCESS_JSON = "preprocess.json"
NETWORK_FILE = "network.skb"

NUMERIC, CATEGORICAL = "numeric", "categorical"
DEFAULT_HIDDEN = (64, 32)
SEARCH_HIDDEN = ((64, 32), (32,))
SEARCH_DROPOUT = (0.0, 0.2)
SEARCH_FOLDS = 3

_EPILOG = """\
exit status:
  0    success
  1    unexpected error (a bug), or pandas/matplotlib not installed
  2    usage error (bad or missing arguments)
  3    an input file is missing or cannot be opened, or an output cannot be written
  4    bad data: unparseable CSV, missing target or feature columns, a target
       without exactly two values, non-numeric values in a numeric column, ...
  5    the model file is not a readable skbinary model (not a zip, truncated,
       corrupted, parts missing)
  130  interrupted
  141  stdout closed early (output piped into head, say)

The model file is a zip of preprocess.json (the fitted preprocessing as JSON)
and network.skb (the network, see skbinary.load); it loads without pickle.
"""


class DataError(ValueError):
    """The data cannot be used: the command line exits with status 4."""


class _MissingDependency(RuntimeError):
    """pandas or matplotlib is not installed: exit status 1."""


class _OutputError(OSError):
    """An output file cannot be written: exit status 3."""


# --------------------------------------------------------------------------- #
# Progress and messages
# --------------------------------------------------------------------------- #
class _Progress:
    """Per-stage lines on stderr: ``start("Reading x.csv")`` ... ``done("120 rows")``."""

    def __init__(self, quiet):
        self.quiet = quiet
        self._open = False
        self._t0 = None

    def start(self, message):
        self.close_line()
        if not self.quiet:
            print(f"{message} ...", end=" ", file=sys.stderr, flush=True)
            self._open = True
            self._t0 = time.perf_counter()

    def done(self, result="done", timed=False):
        if self.quiet:
            return
        if timed and self._t0 is not None:
            result = f"{result} ({time.perf_counter() - self._t0:.1f} s)"
        if self._open:
            print(result, file=sys.stderr, flush=True)
        else:
            print(f"  {result}", file=sys.stderr, flush=True)
        self._open = False

    def line(self, message):
        """A line of its own (a note, or the training's per-epoch output)."""
        self.close_line()
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def close_line(self, word=""):
        if self._open:
            print(word, file=sys.stderr, flush=True)
            self._open = False


def _start_tensorflow(progress):
    """Import TensorFlow and Keras as a timed stage, without their start-up chatter.

    See :func:`skbinary._tf.import_tensorflow`: with TF_CPP_MIN_LOG_LEVEL=0
    TensorFlow's logs are shown.
    """
    if "tensorflow" in sys.modules:
        return
    progress.start("Starting TensorFlow")
    _tf.import_tensorflow()
    progress.done(timed=True)


def _count(n, noun):
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _quote_list(values, limit=8):
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


# --------------------------------------------------------------------------- #
# Reading CSV files
# --------------------------------------------------------------------------- #
def _import_pandas():
    try:
        import pandas as pd
    except ImportError:
        raise _MissingDependency(
            "the command line reads CSV files with pandas, which is not installed: "
            "pip install pandas"
        ) from None
    return pd


SEPARATORS = ",;\t|"


def sniff_separator(path):
    """The field separator of a CSV file: ``,``, ``;``, tab or ``|``.

    Decided by :class:`csv.Sniffer` on the first 64 KiB (whole lines), among
    these four only; ``,`` when the file has one column, cannot be read, or
    the sniffer cannot tell.

    Parameters
    ----------
    path : str or path-like
        A CSV file.

    Returns
    -------
    sep : str
        One character.
    """
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            sample = fh.read(65536)
    except OSError:
        return ","  # read_csv reports it
    if len(sample) == 65536 and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","


def read_csv(path, *, sep=None, na_values=(), progress=None):
    """Read a CSV file as the command line does: every column as strings.

    Columns are typed later, the same way at training and at prediction:
    numeric columns parsed by ``pandas.to_numeric``, the others kept as the
    text in the file (so ``True``, ``1`` or ``01`` stay what they were).

    Parameters
    ----------
    path : str or path-like
        A CSV file with a header row.
    sep : str, default=None
        The field separator (one character). None: detected by
        :func:`sniff_separator`; a separator other than ``,`` is then noted
        on the progress display.
    na_values : sequence of str, default=()
        Strings read as missing besides pandas' defaults (empty, NA, NaN, ...).
    progress : optional
        Progress display (internal).

    Returns
    -------
    frame : pandas.DataFrame
        Columns of strings, ``NaN`` where missing.

    Raises
    ------
    FileNotFoundError, PermissionError, IsADirectoryError
        If the file cannot be opened.
    DataError
        If it is empty, not text, or not well-formed CSV.
    """
    pd = _import_pandas()
    path = os.fspath(path)
    if progress is not None:
        progress.start(f"Reading {path}")
    # index_col=False: a row with more fields than the header is an error, not
    # a silent index column.
    detected = sep is None
    if detected:
        sep = sniff_separator(path)
    kwargs = {"dtype": str, "index_col": False, "sep": sep}
    if na_values:
        kwargs["na_values"] = list(na_values)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, **kwargs)
    except pd.errors.ParserWarning:
        raise DataError(f"{path} has rows with more fields than its header row") from None
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise exc.__class__(f"cannot read {path}: {exc.strerror or exc}") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty: expected a CSV file with a header row") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(f"{path} is not a well-formed CSV file: {detail}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text: is it a CSV file?") from None
    except (ValueError, OSError) as exc:
        raise DataError(f"cannot parse {path} as CSV: {exc}") from None
    if frame.shape[0] == 0:
        raise DataError(f"{path} has a header but no data rows")
    if progress is not None:
        progress.done(f"{_count(frame.shape[0], 'row')}, {_count(frame.shape[1], 'column')}")
        if detected and sep != ",":
            progress.line(f"note: reading {path} with separator {sep!r} (detected; "
                          "set it with --sep)")
    return frame


def _row_examples(series, mask, limit=3):
    """``'abc' (row 7), '?' (row 9)`` for the first rows where ``mask`` holds."""
    idx = np.flatnonzero(np.asarray(mask))[:limit]
    values = series.to_numpy(dtype=object)
    return ", ".join(f"{values[i]!r} (row {i + 1})" for i in idx)


def _clean_labels(series):
    """Target values as stripped strings; ``None`` where missing or empty."""
    values = series.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out[i] = None
        else:
            text = str(v).strip()
            out[i] = text if text else None
    return out


def _label_key(label):
    """What makes two target values one label, in every command.

    Values that parse as finite numbers are compared as numbers (``"1"``,
    ``"1.0"`` and ``"01"`` are one label); any other value as its text.
    """
    try:
        number = float(label)
    except (TypeError, ValueError):
        return label
    return number if math.isfinite(number) else label


def _sorted_labels(labels):
    """Sort labels numerically when they all are numbers, else as strings."""
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


# --------------------------------------------------------------------------- #
# Feature columns: kinds, preparation, the ColumnTransformer
# --------------------------------------------------------------------------- #
_ID_NAME = re.compile(r"^(id|ID|Id)$|[\W_](id|ID|Id)$|[a-z](ID|Id)$|^(id|ID|Id)[\W_]")
MIN_ROWS_FOR_IDS = 20


def _looks_like_id(series, kind, name):
    """Whether a column is an identifier: a different value in every row.

    Text that is unique per row (``"C00017"``) tells nothing about a new row
    (one-hot encoding it memorises the training rows; every value is unseen
    at prediction). Unique integers are an identifier when the name says so
    (``CustomerID``, ``user_id``) or they count the rows (0, 1, 2, ... in some
    order, like a saved pandas index). Columns with missing values and files
    of fewer than ``MIN_ROWS_FOR_IDS`` rows are never taken for identifiers.
    """
    pd = _import_pandas()
    n = len(series)
    if n < MIN_ROWS_FOR_IDS or series.isna().any() or series.nunique() != n:
        return False
    if kind == CATEGORICAL:
        return True
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
    if not np.all(numbers == np.round(numbers)):
        return False
    ordered = np.sort(numbers)
    return bool(_ID_NAME.search(str(name))) or bool(np.all(np.diff(ordered) == 1))


def _infer_columns(frame, target, drop, source, progress):
    """``[(name, kind)]`` of the feature columns, the empty and the ID-like columns.

    Empty columns and identifiers (:func:`_looks_like_id`) are left out, each
    with a note.
    """
    pd = _import_pandas()
    columns, empty, ids = [], [], []
    for name in frame.columns:
        if name == target or name in drop:
            continue
        series = frame[name]
        if series.isna().all():
            empty.append(name)
            continue
        if pd.api.types.is_bool_dtype(series):
            kind = CATEGORICAL
        elif pd.api.types.is_numeric_dtype(series):
            kind = NUMERIC
        else:
            present = series.notna()
            numbers = pd.to_numeric(series, errors="coerce").notna()
            n_present, n_numbers = int(present.sum()), int(numbers.sum())
            kind = NUMERIC if n_numbers == n_present else CATEGORICAL
            if 2 * n_numbers > n_present and n_numbers < n_present:
                bad = present & ~numbers
                raise DataError(
                    f"{source}: column {name!r} looks numeric ({n_numbers:,} of "
                    f"{n_present:,} values are numbers) but also holds "
                    f"{_row_examples(series, bad)}. Fix the file, pass --na-values if "
                    f"these mean 'missing', or leave the column out with --drop"
                )
        if _looks_like_id(series, kind, name):
            ids.append(name)
            continue
        columns.append((name, kind))
    if empty and progress is not None:
        progress.line(f"note: ignoring column(s) with no values: {_quote_list(empty)}")
    if ids and progress is not None:
        progress.line(f"note: leaving out ID-like column(s), a different value in every "
                      f"row, which tell nothing about new rows: {_quote_list(ids)} "
                      "(name them with --drop to silence this note)")
    if not columns:
        raise DataError(f"{source}: no feature columns besides the target {target!r}"
                        + (f" and the ID-like column(s) {_quote_list(ids)}" if ids else ""))
    return columns, empty, ids


def _prepare(frame, columns, source):
    """The feature columns of ``frame`` as the pipeline expects them.

    Numeric columns become float64 (an error names non-numeric or infinite
    values), the others object columns of strings with ``np.nan`` where
    missing. Other columns (the target, say) are left out.
    """
    pd = _import_pandas()
    missing = [name for name, _ in columns if name not in frame.columns]
    if missing:
        raise DataError(
            f"{source} lacks feature column(s) the model was trained on: "
            f"{_quote_list(missing)}"
        )
    data = {}
    for name, kind in columns:
        series = frame[name]
        if kind == NUMERIC:
            if pd.api.types.is_numeric_dtype(series):
                values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                coerced = pd.to_numeric(series, errors="coerce")
                bad = coerced.isna() & series.notna()
                if bad.any():
                    raise DataError(
                        f"{source}: column {name!r} must be numeric but holds "
                        f"{_row_examples(series, bad)}. Fix the file, or pass "
                        "--na-values if these mean 'missing'"
                    )
                values = coerced.to_numpy(dtype=np.float64, na_value=np.nan)
            if np.isinf(values).any():
                raise DataError(
                    f"{source}: column {name!r} has infinite values: "
                    f"{_row_examples(series, np.isinf(values))}"
                )
        else:
            raw = series.to_numpy(dtype=object)
            present = series.notna().to_numpy()
            values = np.full(len(raw), np.nan, dtype=object)
            values[present] = [str(v) for v in raw[present]]
        data[name] = values
    return pd.DataFrame(data, index=frame.index)


def _column_transformer(columns):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [name for name, kind in columns if kind == NUMERIC]
    categorical = [name for name, kind in columns if kind == CATEGORICAL]
    transformers = []
    if numeric:
        transformers.append((NUMERIC, Pipeline([
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
        ]), numeric))
    if categorical:
        transformers.append((CATEGORICAL, Pipeline([
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]), categorical))
    # sparse_threshold=0: always dense, so the output layout depends on nothing
    # but the stored state.
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def _progress_logger():
    """One line per epoch on stderr (stdout carries results)."""
    from .callbacks import ProgressLogger

    return ProgressLogger(2, stream=sys.stderr)


def _make_pipeline(columns, classifier):
    from sklearn.pipeline import Pipeline

    return Pipeline([("preprocess", _column_transformer(columns)),
                     ("classifier", classifier)])


# --------------------------------------------------------------------------- #
# The model: a fitted pipeline plus the user's labels
# --------------------------------------------------------------------------- #
class TabularModel:
    """A fitted preprocessing + network pipeline for one CSV layout.

    Made by :func:`fit_model` or :func:`load_model`. The pipeline's classifier
    is trained on the target relabelled 0/1 (1 = ``positive_label``).

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        ``ColumnTransformer`` then ``KerasBinaryClassifier``.
    columns : list of (str, str)
        Feature column names and kinds (``"numeric"`` or ``"categorical"``).
    target : str
        Name of the target column at training.
    labels : tuple of (str, str)
        ``(negative_label, positive_label)`` as written in the CSV file.
    threshold : float
        Default decision threshold on the positive-class probability.
    na_values : list of str
        Extra strings read as missing at training, also used when predicting.
    training : dict
        Summary of the training (rows, epochs run, F1, search results).
    """

    def __init__(self, pipeline, columns, target, labels, *, threshold=0.5,
                 na_values=(), training=None):
        self.pipeline = pipeline
        self.columns = [(str(n), str(k)) for n, k in columns]
        self.target = target
        self.labels = (str(labels[0]), str(labels[1]))
        self.threshold = float(threshold)
        self.na_values = list(na_values)
        self.training = dict(training or {})

    @property
    def positive_label(self):
        return self.labels[1]

    def prepare(self, frame, source="the data"):
        """The feature columns of ``frame``, converted as at training."""
        return _prepare(frame, self.columns, source)

    def predict_proba(self, frame, source="the data"):
        """Probabilities, columns ``(negative, positive)`` as in :attr:`labels`."""
        return self.pipeline.predict_proba(self.prepare(frame, source))

    def predict(self, frame, threshold=None, source="the data"):
        """Labels: the positive label where its probability >= ``threshold``."""
        t = self.threshold if threshold is None else float(threshold)
        p = self.predict_proba(frame, source)[:, 1]
        return np.where(p >= t, self.labels[1], self.labels[0]).astype(object)

    def _step(self, group, step):
        ct = self.pipeline.named_steps["preprocess"]
        if group not in ct.named_transformers_:
            return None
        return ct.named_transformers_[group].named_steps[step]

    # ------------------------------------------------------------- saving
    def to_json(self):
        """The preprocessing state and labels as a JSON-ready dict."""
        import sklearn

        from . import __version__

        feature_records = []
        state = {}
        for group in (NUMERIC, CATEGORICAL):
            imputer = self._step(group, "impute")
            if imputer is None:
                continue
            names = [str(n) for n in imputer.feature_names_in_]
            state.update({n: (group, i) for i, n in enumerate(names)})
        for name, kind in self.columns:
            group, i = state[name]
            if group != kind:
                raise RuntimeError(f"column {name!r} is {kind} but sits in {group}")
            record = {"name": name, "kind": kind}
            imputer = self._step(kind, "impute")
            if kind == NUMERIC:
                scaler = self._step(NUMERIC, "scale")
                record.update(
                    impute=float(imputer.statistics_[i]),
                    mean=float(scaler.mean_[i]),
                    scale=float(scaler.scale_[i]),
                    var=float(scaler.var_[i]),
                )
            else:
                encoder = self._step(CATEGORICAL, "onehot")
                record.update(
                    impute=str(imputer.statistics_[i]),
                    categories=[str(c) for c in encoder.categories_[i]],
                )
            feature_records.append(record)
        scaler = self._step(NUMERIC, "scale")
        seen = None
        if scaler is not None:
            seen = scaler.n_samples_seen_
            seen = int(seen) if np.ndim(seen) == 0 else [int(s) for s in seen]
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "versions": {"skbinary": __version__, "sklearn": sklearn.__version__},
            "target": self.target,
            "labels": list(self.labels),
            "positive_label": self.positive_label,
            "threshold": self.threshold,
            "na_values": self.na_values,
            "columns": feature_records,
            "scaler_n_samples_seen": seen,
            "training": self.training,
        }

    def save(self, path):
        """Write the model to ``path`` atomically (temporary file, then rename)."""
        text = json.dumps(self.to_json(), indent=1, allow_nan=False)
        with tempfile.TemporaryDirectory() as tmp:
            network = os.path.join(tmp, NETWORK_FILE)
            self.pipeline.named_steps["classifier"].save(network)
            try:
                with atomic_write(path) as fh, \
                        zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
                    zf.writestr(PREPROCESS_JSON, text)
                    zf.write(network, NETWORK_FILE)
            except OSError as exc:
                raise _OutputError(exc.strerror or str(exc)) from None
        return self


def _checked(state, key, kind, path):
    value = state.get(key) if isinstance(state, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ModelFileError(f"{path} is corrupted: {key!r} is missing or malformed "
                             f"in {PREPROCESS_JSON}")
    return value


def _rebuild_transformer(records, n_seen, path):
    """A fitted ColumnTransformer set from the JSON ``records``.

    It is first fitted on a small frame with the same columns (and, for each
    categorical column, exactly its categories) so that scikit-learn sets its
    internal attributes; then the learned values are overwritten.
    """
    pd = _import_pandas()
    columns = [(r["name"], r["kind"]) for r in records]
    n_rows = max([2] + [len(r["categories"]) for r in records if r["kind"] == CATEGORICAL])
    dummy = {}
    for r in records:
        if r["kind"] == NUMERIC:
            dummy[r["name"]] = np.arange(n_rows, dtype=np.float64)
        else:
            cats = r["categories"]
            dummy[r["name"]] = np.array([cats[i % len(cats)] for i in range(n_rows)],
                                        dtype=object)
    ct = _column_transformer(columns)
    ct.fit(pd.DataFrame(dummy))
    for group in (NUMERIC, CATEGORICAL):
        group_records = [r for r in records if r["kind"] == group]
        if not group_records:
            continue
        steps = ct.named_transformers_[group].named_steps
        if group == NUMERIC:
            steps["impute"].statistics_ = np.array([r["impute"] for r in group_records],
                                                   dtype=np.float64)
            scaler = steps["scale"]
            scaler.mean_ = np.array([r["mean"] for r in group_records], dtype=np.float64)
            scaler.scale_ = np.array([r["scale"] for r in group_records], dtype=np.float64)
            scaler.var_ = np.array([r["var"] for r in group_records], dtype=np.float64)
            if isinstance(n_seen, list):
                scaler.n_samples_seen_ = np.array(n_seen, dtype=np.int64)
            elif isinstance(n_seen, int):
                scaler.n_samples_seen_ = n_seen
            else:
                raise ModelFileError(f"{path} is corrupted: scaler state is missing")
        else:
            steps["impute"].statistics_ = np.array([r["impute"] for r in group_records],
                                                   dtype=object)
            steps["onehot"].categories_ = [np.array(r["categories"], dtype=object)
                                           for r in group_records]
    return ct


def _parse_records(state, path):
    records = _checked(state, "columns", list, path)
    if not records:
        raise ModelFileError(f"{path} is corrupted: no feature columns")
    for r in records:
        _checked(r, "name", str, path)
        kind = _checked(r, "kind", str, path)
        if kind == NUMERIC:
            for key in ("impute", "mean", "scale", "var"):
                value = r.get(key)
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ModelFileError(f"{path} is corrupted: {key!r} of column "
                                         f"{r['name']!r} is not a number")
        elif kind == CATEGORICAL:
            _checked(r, "impute", str, path)
            cats = _checked(r, "categories", list, path)
            if not cats or not all(isinstance(c, str) for c in cats) \
                    or cats != sorted(set(cats)):
                raise ModelFileError(f"{path} is corrupted: bad categories of column "
                                     f"{r['name']!r}")
        else:
            raise ModelFileError(f"{path} is corrupted: unknown column kind {kind!r}")
    return records


def load_model(path):
    """Load a model file written by ``python -m skbinary fit``; no pickle.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    model : TabularModel
        Predicting exactly as the model that was saved.

    Raises
    ------
    FileNotFoundError, PermissionError, IsADirectoryError
        If the file cannot be opened.
    skbinary.ModelFileError
        If it is not a zip archive, is truncated or corrupted, lacks a part,
        has an unknown format, or its network cannot be loaded safely.
    """
    return _ModelFile(path).build()


class _ModelFile:
    """A model file read and checked, before its network is loaded.

    Reading the zip and the JSON needs neither Keras nor TensorFlow, so the
    commands check the data against :attr:`columns` before paying for them.
    """

    def __init__(self, path):
        path = self.path = os.fspath(path)
        try:
            zf = zipfile.ZipFile(path)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise exc.__class__(f"cannot read {path}: {exc.strerror or exc}") from None
        except Exception as exc:  # whatever zipfile makes of the bytes
            raise ModelFileError(
                f"{path} is not a skbinary model file: not a zip archive, or "
                f"truncated ({exc})"
            ) from None
        with zf:
            names = set(zf.namelist())
            if {"metadata.json", "model.keras"} <= names and PREPROCESS_JSON not in names:
                raise ModelFileError(
                    f"{path} holds a bare KerasBinaryClassifier (written by its save "
                    "method), not a command-line model: open it with skbinary.load"
                )
            missing = [n for n in (PREPROCESS_JSON, NETWORK_FILE) if n not in names]
            if missing:
                raise ModelFileError(
                    f"{path} is not a skbinary model file: it lacks {', '.join(missing)}"
                )
            try:
                state = json.loads(zf.read(PREPROCESS_JSON).decode("utf-8"))
                self.network = zf.read(NETWORK_FILE)
            except Exception as exc:  # zlib.error, BadZipFile (CRC), NotImplementedError...
                raise ModelFileError(
                    f"{path} is a corrupted model file (truncated or damaged?): {exc}"
                ) from None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a skbinary command-line model file")
        if state.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(
                f"{path} has model format version {state.get('format_version')!r}; this "
                f"skbinary reads version {FORMAT_VERSION} (it was written by "
                f"{state.get('versions')})"
            )
        labels = _checked(state, "labels", list, path)
        if len(labels) != 2 or not all(isinstance(v, str) for v in labels) \
                or labels[0] == labels[1]:
            raise ModelFileError(f"{path} is corrupted: 'labels' must be two strings")
        self.state = state
        self.labels = tuple(labels)
        self.target = _checked(state, "target", str, path)
        self.threshold = float(_checked(state, "threshold", (int, float), path))
        self.na_values = [str(v) for v in state.get("na_values") or []]
        self.records = _parse_records(state, path)
        self.columns = [(r["name"], r["kind"]) for r in self.records]

    def prepare(self, frame, source):
        return _prepare(frame, self.columns, source)

    def build(self):
        """Load the network and rebuild the pipeline: the :class:`TabularModel`."""
        from sklearn.pipeline import Pipeline

        from . import load as load_estimator

        path = self.path
        with tempfile.TemporaryDirectory() as tmp:
            network_path = os.path.join(tmp, NETWORK_FILE)
            with open(network_path, "wb") as fh:
                fh.write(self.network)
            try:
                classifier = load_estimator(network_path)
            except ModelFileError as exc:
                raise ModelFileError(f"{path}: its {NETWORK_FILE} part is unusable: "
                                     f"{exc}") from None
        if list(getattr(classifier, "classes_", [])) != [0, 1]:
            raise ModelFileError(f"{path} is corrupted: the network's classes are "
                                 f"{list(classifier.classes_)!r}, not [0, 1]")
        transformer = _rebuild_transformer(
            self.records, self.state.get("scaler_n_samples_seen"), path)
        width = sum(1 if r["kind"] == NUMERIC else len(r["categories"])
                    for r in self.records)
        if classifier.n_features_in_ != width:
            raise ModelFileError(
                f"{path} is corrupted: the preprocessing makes {width} features but the "
                f"network expects {classifier.n_features_in_}"
            )
        pipeline = Pipeline([("preprocess", transformer), ("classifier", classifier)])
        return TabularModel(pipeline, self.columns, self.target, self.labels,
                            threshold=self.threshold, na_values=self.na_values,
                            training=self.state.get("training") or {})


# --------------------------------------------------------------------------- #
# Training
# --------------------------------------------------------------------------- #
def _target_labels(frame, target, positive, source, progress):
    """``(labels, y01, keep)``: (negative, positive), the 0/1 target, rows kept."""
    if target not in frame.columns:
        raise DataError(
            f"{source} has no target column {target!r}; its columns are "
            f"{_quote_list([str(c) for c in frame.columns])}"
        )
    y = _clean_labels(frame[target])
    keep = np.array([v is not None for v in y])
    if not keep.any():
        raise DataError(f"{source}: the target column {target!r} has no values")
    if not keep.all() and progress is not None:
        progress.line(f"note: leaving out {int((~keep).sum()):,} row(s) with no "
                      f"{target!r} value")
    y = y[keep]
    keys = [_label_key(v) for v in y]
    # each label is written as its most frequent spelling ("1" rather than "1.0")
    spellings = collections.defaultdict(collections.Counter)
    for key, value in zip(keys, y):
        spellings[key][value] += 1
    label_of = {key: max(sorted(c), key=c.get) for key, c in spellings.items()}
    values = _sorted_labels(list(label_of.values()))
    counts = [sum(spellings[_label_key(v)].values()) for v in values]
    found = ", ".join(f"{v!r} ({_count(int(c), 'row')})"
                      for v, c in list(zip(values, counts))[:6])
    if len(values) == 1:
        raise DataError(
            f"{source}: the target column {target!r} has only one value, {found}: "
            "a classifier needs rows of two classes"
        )
    if len(values) > 2:
        raise DataError(
            f"{source}: the target column {target!r} has {len(values)} values "
            f"({found}{', ...' if len(values) > 6 else ''}); skbinary trains binary "
            "(two-class) classifiers"
        )
    labels = values
    if positive is not None:
        wanted = _label_key(str(positive).strip())
        if wanted not in label_of:
            raise DataError(
                f"--positive {positive!r} is not a value of the target column "
                f"{target!r}; its values are {labels[0]!r} and {labels[1]!r}"
            )
        labels = [v for v in labels if v != label_of[wanted]] + [label_of[wanted]]
    positive_key = _label_key(labels[1])
    y01 = np.array([key == positive_key for key in keys], dtype=np.int64)
    return (labels[0], labels[1]), y01, keep


def _f1(y01, p, threshold):
    from sklearn.metrics import f1_score

    return float(f1_score(y01, (p >= threshold).astype(np.int64), zero_division=0))


def fit_model(frame, target, *, positive=None, drop=(), hidden_layer_sizes=DEFAULT_HIDDEN,
              dropout=0.0, epochs=100, class_weight=None, random_state=None,
              search=None, na_values=(), source="the data", progress=None):
    """Train the preprocessing + network pipeline on a DataFrame read from CSV.

    Parameters
    ----------
    frame : pandas.DataFrame
        Features and the target column, best read by :func:`read_csv` (the
        command line's reader). Numeric columns, and text columns whose values
        all parse as numbers, are numeric features; the others categorical.
        Target values are compared as stripped strings.
    target : str
        Name of the target column; it must hold exactly two distinct values.
    positive : str, default=None
        The positive label; default the greater of the two sorted labels.
    drop : collection of str, default=()
        Columns to leave out of the features.
    hidden_layer_sizes, dropout, epochs, class_weight, random_state
        Passed to :class:`~skbinary.KerasBinaryClassifier`.
    search : dict, default=None
        ``{"hidden_layer_sizes": [...], "dropout": [...]}``: choose them by a
        3-fold ``GridSearchCV`` on the F1 score of the positive class.
    na_values : sequence of str, default=()
        Extra strings that were read as missing (kept for prediction).
    source : str, default="the data"
        Name of the data in error messages.
    progress : _Progress, default=None
        Where to report stages and per-epoch lines.

    Returns
    -------
    model : TabularModel
        Fitted; ``model.training`` summarises the training.

    Raises
    ------
    DataError
        If the data cannot be trained on; the message says why.
    """
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from ._classifier import KerasBinaryClassifier

    quiet = progress is None or progress.quiet
    unknown_drop = [c for c in drop if c not in frame.columns]
    if unknown_drop:
        raise DataError(f"--drop: {source} has no column(s) {_quote_list(unknown_drop)}")
    if target in drop:
        raise DataError(f"--drop names the target column {target!r}")
    labels, y01, keep = _target_labels(frame, target, positive, source, progress)
    frame = frame.loc[keep]
    columns, empty, ids = _infer_columns(frame, target, set(drop), source, progress)
    X = _prepare(frame, columns, source)
    n_numeric = sum(kind == NUMERIC for _, kind in columns)
    classifier = KerasBinaryClassifier(
        hidden_layer_sizes=tuple(hidden_layer_sizes), dropout=float(dropout),
        epochs=int(epochs), class_weight=class_weight, random_state=random_state,
    )
    pipeline = _make_pipeline(columns, classifier)
    training = {
        "rows": len(y01),
        "rows_without_target": int((~keep).sum()),
        "feature_columns": len(columns),
        "numeric_columns": n_numeric,
        "categorical_columns": len(columns) - n_numeric,
        "ignored_empty_columns": [str(c) for c in empty],
        "dropped_columns": [str(c) for c in drop],
        "ignored_id_columns": [str(c) for c in ids],
        "class_counts": {labels[0]: int((y01 == 0).sum()), labels[1]: int((y01 == 1).sum())},
        "epochs": int(epochs),
        "class_weight": class_weight,
        "random_state": random_state,
    }
    stream = contextlib.nullcontext() if quiet else contextlib.redirect_stdout(sys.stderr)
    if progress is not None:
        _start_tensorflow(progress)
    if not (quiet or search):  # after TensorFlow started: the logger imports Keras
        classifier.set_params(callbacks=[_progress_logger()])
    try:
        if search:
            grid = {"classifier__hidden_layer_sizes": [tuple(h) for h in
                                                       search["hidden_layer_sizes"]],
                    "classifier__dropout": [float(d) for d in search["dropout"]]}
            n_candidates = len(grid["classifier__hidden_layer_sizes"]) * len(
                grid["classifier__dropout"])
            minority = int(min((y01 == 0).sum(), (y01 == 1).sum()))
            if minority < SEARCH_FOLDS:
                raise DataError(
                    f"{source}: --search runs {SEARCH_FOLDS}-fold cross-validation, which "
                    f"needs at least {SEARCH_FOLDS} rows of each class; the rarer class "
                    f"has {minority}"
                )
            cv = StratifiedKFold(SEARCH_FOLDS, shuffle=True, random_state=random_state)
            searcher = GridSearchCV(
                pipeline, grid, cv=cv, refit=True, verbose=0 if quiet else 2,
                scoring=make_scorer(f1_score, zero_division=0),
            )
            if progress is not None:
                progress.line(
                    f"Searching {n_candidates} candidates x {SEARCH_FOLDS} folds "
                    f"(+1 refit on all rows), {epochs} epochs each ...")
            t0 = time.perf_counter()
            with stream:
                searcher.fit(X, y01)
            pipeline = searcher.best_estimator_
            results = searcher.cv_results_
            best = searcher.best_index_
            training["search"] = {
                "folds": SEARCH_FOLDS,
                "scoring": "f1 of the positive label",
                "best_params": {
                    "hidden_layer_sizes": list(searcher.best_params_[
                        "classifier__hidden_layer_sizes"]),
                    "dropout": float(searcher.best_params_["classifier__dropout"]),
                },
                "candidates": [
                    {"hidden_layer_sizes": list(params["classifier__hidden_layer_sizes"]),
                     "dropout": float(params["classifier__dropout"]),
                     "mean_f1": _json_float(results["mean_test_score"][i]),
                     "std_f1": _json_float(results["std_test_score"][i])}
                    for i, params in enumerate(results["params"])
                ],
            }
            training["f1"] = _json_float(results["mean_test_score"][best])
            training["f1_std"] = _json_float(results["std_test_score"][best])
            training["f1_kind"] = f"{SEARCH_FOLDS}-fold cross-validated"
            if progress is not None:
                progress.line(f"Search done ({time.perf_counter() - t0:.1f} s)")
        else:
            if progress is not None:
                progress.line(f"Training on {len(y01):,} rows, {epochs} epochs ...")
            t0 = time.perf_counter()
            with stream:
                pipeline.fit(X, y01)
            if progress is not None:
                progress.line(f"Training done ({time.perf_counter() - t0:.1f} s)")
    except DataError:
        raise
    except ValueError as exc:
        raise DataError(f"training on {source} failed: {exc}") from None
    fitted = pipeline.named_steps["classifier"]
    p = pipeline.predict_proba(X)[:, 1]
    if not search:
        training["f1"] = _f1(y01, p, fitted.threshold)
        training["f1_kind"] = "training-data"
    training.update(
        hidden_layer_sizes=list(fitted.hidden_layer_sizes),
        dropout=float(fitted.dropout),
        epochs_run=int(fitted.n_iter_),
        interrupted=bool(getattr(fitted, "interrupted_", False)),
    )
    model = TabularModel(pipeline, columns, target, labels, threshold=fitted.threshold,
                         na_values=na_values, training=training)
    model._training_X = X  # for the save-and-reload check
    return model


def _json_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- #
# Argument parsing
# --------------------------------------------------------------------------- #
def _hidden(text):
    text = text.strip()
    if text.lower() in ("none", "0", ""):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of layer sizes, like 64,32"
        ) from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: layer sizes must be positive")
    return sizes


def _dropout(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{text}: dropout must be in [0, 1)")
    return value


def _threshold(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: the threshold must be in [0, 1]")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return value


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _separator(text):
    sep = {"tab": "\t", "\\t": "\t"}.get(text.lower(), text)
    if len(sep) != 1 or sep in "\"\r\n":
        raise argparse.ArgumentTypeError(
            f"{text!r}: the separator must be one character, like ';' or tab")
    return sep


def _names(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _build_parser():
    from . import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no progress messages on stderr")
    common.add_argument("--sep", type=_separator, metavar="CHAR",
                        help="the field separator, e.g. ';' or tab (default: detected "
                             "among , ; tab |, with a note when it is not a comma)")
    common.add_argument("--na-values", metavar="TOKENS", type=_names, default=[],
                        help="comma-separated strings that mean 'missing' in the CSV "
                             "(besides empty cells, NA, NaN, n/a, null, ...)")

    parser = argparse.ArgumentParser(
        prog="skbinary",
        description="Train, apply and evaluate a Keras binary classifier on CSV files.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skbinary {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fit = commands.add_parser(
        "fit", parents=[common], epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="train a model on a labelled CSV file",
        description="Train imputation, scaling, one-hot encoding and a Keras network\n"
                    "on a CSV file, and save them in one model file (no pickle).",
    )
    fit.add_argument("data", metavar="DATA.csv", help="training data with a header row")
    fit.add_argument("--target", required=True, metavar="COLUMN",
                     help="the column to predict; it must hold exactly two values")
    fit.add_argument("--positive", metavar="LABEL",
                     help="the positive label (default: the greater of the two, "
                          "e.g. 'yes' of no/yes, 1 of 0/1)")
    fit.add_argument("--hidden", action="append", type=_hidden, metavar="SIZES",
                     help="hidden layer sizes, comma-separated (default 64,32; 'none' "
                          "for no hidden layer). With --search, repeat it to give the "
                          "candidates (default 64,32 and 32)")
    fit.add_argument("--dropout", action="append", type=_dropout, metavar="RATE",
                     help="dropout rate after each hidden layer (default 0). With "
                          "--search, repeat it to give the candidates (default 0 and 0.2)")
    fit.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                     help="passes over the training data (default 100)")
    fit.add_argument("--class-weight", choices=["none", "balanced"], default="none",
                     help="'balanced' weighs the classes inversely to their frequency")
    fit.add_argument("--search", action="store_true",
                     help=f"choose hidden sizes and dropout by {SEARCH_FOLDS}-fold "
                          "cross-validated grid search on the F1 of the positive label")
    fit.add_argument("--random-state", type=_int, metavar="N",
                     help="seed for reproducible training")
    fit.add_argument("--drop", type=_names, default=[], metavar="COLUMNS",
                     help="comma-separated columns to leave out (an id column, say)")
    fit.add_argument("--out", "-o", metavar="MODEL",
                     help="model file to write (default: DATA.model.zip in the "
                          "current folder)")
    fit.set_defaults(func=_cmd_fit, subparser=fit)

    predict = commands.add_parser(
        "predict", parents=[common], epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="predict labels and probabilities for a CSV file",
        description="Write a CSV with one row per input row: the predicted label and\n"
                    "the probability of the positive label. Columns the model does not\n"
                    "use (the target, say) are ignored.",
    )
    predict.add_argument("model", metavar="MODEL", help="a model file written by fit")
    predict.add_argument("data", metavar="DATA.csv", help="rows to predict")
    predict.add_argument("--threshold", type=_threshold, metavar="T",
                         help="predict the positive label where its probability >= T "
                              "(default: the model's, 0.5)")
    predict.add_argument("--out", "-o", metavar="PREDICTIONS.csv",
                         help="where to write (default: stdout)")
    predict.set_defaults(func=_cmd_predict)

    report = commands.add_parser(
        "report", parents=[common], epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="evaluate a model on a labelled CSV file",
        description="Print the evaluation report (confusion matrix, precision, recall,\n"
                    "F1, ROC-AUC, ...) of a model on labelled data, and optionally\n"
                    "write the evaluation plots.",
    )
    report.add_argument("model", metavar="MODEL", help="a model file written by fit")
    report.add_argument("data", metavar="DATA.csv", help="labelled rows")
    report.add_argument("--target", metavar="COLUMN",
                        help="the column with the true labels (default: the one the "
                             "model was trained on)")
    report.add_argument("--threshold", type=_threshold, metavar="T",
                        help="decision threshold (default: the model's, 0.5)")
    report.add_argument("--plots", metavar="DIR",
                        help="write confusion_matrix.png, precision_recall.png, roc.png "
                             "and threshold_curves.png into DIR")
    report.add_argument("--json", action="store_true",
                        help="print the report as JSON (its to_dict()) instead of text")
    report.set_defaults(func=_cmd_report)
    return parser


# --------------------------------------------------------------------------- #
# Commands
# --------------------------------------------------------------------------- #
def _default_model_path(data):
    stem = os.path.splitext(os.path.basename(data))[0] or "model"
    return f"{stem}.model.zip"


def _cmd_fit(args, progress):
    search = None
    hidden = args.hidden or [DEFAULT_HIDDEN]
    dropout = args.dropout or [0.0]
    if args.search:
        search = {"hidden_layer_sizes": args.hidden or list(SEARCH_HIDDEN),
                  "dropout": args.dropout or list(SEARCH_DROPOUT)}
    out = args.out or _default_model_path(args.data)
    _check_writable(out)
    frame = read_csv(args.data, sep=args.sep, na_values=args.na_values, progress=progress)
    model = fit_model(
        frame, args.target, positive=args.positive, drop=args.drop,
        hidden_layer_sizes=hidden[0], dropout=dropout[0], epochs=args.epochs,
        class_weight=None if args.class_weight == "none" else args.class_weight,
        random_state=args.random_state, search=search, na_values=args.na_values,
        source=args.data, progress=progress,
    )
    model.training["data"] = os.path.basename(args.data)
    progress.start(f"Saving {out}")
    model.save(out)
    # The file must reproduce the in-memory model exactly.
    reloaded = load_model(out)
    X = model._training_X
    if not np.array_equal(reloaded.pipeline.predict_proba(X),
                          model.pipeline.predict_proba(X)):
        raise RuntimeError(f"the saved model {out} does not reproduce the trained one")
    progress.done("done, checked")
    _print_fit_summary(model, args, out)
    return EXIT_OK


def _print_fit_summary(model, args, out):
    t = model.training
    neg, pos = model.labels
    numeric = [n for n, k in model.columns if k == NUMERIC]
    categorical = [n for n, k in model.columns if k == CATEGORICAL]
    lines = [f"Trained on {args.data}"]
    rows = f"{t['rows']:,}"
    if t["rows_without_target"]:
        rows += f" ({t['rows_without_target']:,} without a target value left out)"
    lines.append(f"  rows:            {rows}")
    cols = f"{len(model.columns)}"
    parts = []
    if numeric:
        parts.append(f"{len(numeric)} numeric: {', '.join(numeric[:6])}"
                     + (", ..." if len(numeric) > 6 else ""))
    if categorical:
        parts.append(f"{len(categorical)} categorical: {', '.join(categorical[:6])}"
                     + (", ..." if len(categorical) > 6 else ""))
    lines.append(f"  columns:         {cols} ({'; '.join(parts)})")
    if t.get("ignored_id_columns"):
        lines.append(f"  left out:        ID-like column(s) "
                     f"{', '.join(t['ignored_id_columns'])}")
    counts = t["class_counts"]
    lines.append(f"  target:          {model.target!r}, classes {neg!r} "
                 f"({counts[neg]:,} rows) and {pos!r} ({counts[pos]:,} rows)")
    lines.append(f"  positive label:  {pos!r}")
    hidden = ",".join(str(h) for h in t["hidden_layer_sizes"]) or "none"
    lines.append(f"  network:         hidden {hidden}, dropout {t['dropout']:g}, "
                 f"class weight {t['class_weight'] or 'none'}")
    epochs = f"{t['epochs_run']} of {t['epochs']}"
    if t["interrupted"]:
        epochs += " (interrupted; the model trained so far is saved)"
    lines.append(f"  epochs run:      {epochs}")
    if "search" in t:
        s = t["search"]
        lines.append(f"  search:          {len(s['candidates'])} candidates, "
                     f"{s['folds']}-fold CV on F1 of {pos!r}")
        for c in sorted(s["candidates"], key=lambda c: -(c["mean_f1"] or -1)):
            h = ",".join(str(x) for x in c["hidden_layer_sizes"]) or "none"
            score = "failed" if c["mean_f1"] is None else \
                f"{c['mean_f1']:.3f} +/- {c['std_f1'] or 0:.3f}"
            lines.append(f"                   hidden {h:<10} dropout {c['dropout']:<5g} "
                         f"F1 {score}")
        best = s["best_params"]
        h = ",".join(str(x) for x in best["hidden_layer_sizes"]) or "none"
        lines.append(f"  best params:     hidden {h}, dropout {best['dropout']:g}")
        f1 = "n/a" if t["f1"] is None else f"{t['f1']:.3f} +/- {t['f1_std'] or 0:.3f}"
        lines.append(f"  F1:              {f1} (F1 of {pos!r}, {t['f1_kind']})")
    else:
        lines.append(f"  F1:              {t['f1']:.3f} (F1 of {pos!r} on the training "
                     "data; optimistic)")
    lines.append(f"  model file:      {out}")
    print("\n".join(lines), flush=True)


def _open_model(path, progress):
    """Read and check the model file; its network is loaded later, by ``build``."""
    progress.start(f"Reading model {path}")
    model_file = _ModelFile(path)
    progress.done(f"positive label {model_file.labels[1]!r}, "
                  f"{len(model_file.columns)} feature columns")
    return model_file


def _build(model_file, progress):
    _start_tensorflow(progress)
    progress.start("Loading the network")
    model = model_file.build()
    progress.done(timed=True)
    return model


def _note_unknown(model_file, X, progress):
    """A note for each categorical column with values not seen in training."""
    for r in model_file.records:
        if r["kind"] != CATEGORICAL:
            continue
        values = X[r["name"]]
        unknown = sorted(set(values[values.notna()]) - set(r["categories"]))
        if unknown:
            progress.line(f"note: column {r['name']!r} has value(s) not seen in "
                          f"training, encoded as all zeros: {_quote_list(unknown, 5)}")


def _cmd_predict(args, progress):
    pd = _import_pandas()
    if args.out:
        _check_writable(args.out)
    model_file = _open_model(args.model, progress)
    na_values = list(dict.fromkeys(model_file.na_values + args.na_values))
    frame = read_csv(args.data, sep=args.sep, na_values=na_values, progress=progress)
    X = model_file.prepare(frame, args.data)
    _note_unknown(model_file, X, progress)
    model = _build(model_file, progress)
    threshold = model.threshold if args.threshold is None else args.threshold
    progress.start("Predicting")
    proba = model.pipeline.predict_proba(X)[:, 1]
    neg, pos = model.labels
    out = pd.DataFrame({
        "prediction": np.where(proba >= threshold, pos, neg),
        f"probability_{pos}": proba,
    })
    progress.done(f"{int((proba >= threshold).sum()):,} of {len(proba):,} rows "
                  f"predicted {pos!r} (threshold {threshold:g})")
    if args.out:
        _write_text_atomic(args.out, out.to_csv(index=False))
        progress.line(f"Wrote {args.out}")
    else:
        out.to_csv(sys.stdout, index=False)
        sys.stdout.flush()
    return EXIT_OK


def _check_writable(path):
    """Fail before the work when ``path`` cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise _OutputError(f"cannot write {path}: it is a folder")
    if not os.path.isdir(folder):
        raise _OutputError(f"cannot write {path}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise _OutputError(f"cannot write {path}: no permission to write in {folder}")


def _write_text_atomic(path, text):
    try:
        with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise _OutputError(exc.strerror or str(exc)) from None


def _match_labels(values, labels):
    """Encode the true labels 0/1 (-1: unknown) by the rule of ``fit``, :func:`_label_key`."""
    codes = {_label_key(label): code for code, label in enumerate(labels)}
    return np.array([codes.get(_label_key(v), -1) for v in values], dtype=np.int64)


def _cmd_report(args, progress):
    if args.plots:
        _import_pyplot()  # fail early, before the work, when matplotlib is missing
    model_file = _open_model(args.model, progress)
    target = args.target or model_file.target
    na_values = list(dict.fromkeys(model_file.na_values + args.na_values))
    frame = read_csv(args.data, sep=args.sep, na_values=na_values, progress=progress)
    if target not in frame.columns:
        raise DataError(
            f"{args.data} has no target column {target!r}; its columns are "
            f"{_quote_list([str(c) for c in frame.columns])}"
        )
    y = _clean_labels(frame[target])
    keep = np.array([v is not None for v in y])
    if not keep.any():
        raise DataError(f"{args.data}: the target column {target!r} has no values")
    if not keep.all():
        progress.line(f"note: leaving out {int((~keep).sum()):,} row(s) with no "
                      f"{target!r} value")
    frame, y = frame.loc[keep], y[keep].astype(str)
    labels = model_file.labels
    codes = _match_labels(y, labels)
    if (codes < 0).any():
        unknown = sorted(set(y[codes < 0].tolist()))
        raise DataError(
            f"{args.data}: the target column {target!r} has value(s) the model does not "
            f"know: {_quote_list(unknown, 5)}; the model's labels are "
            f"{labels[0]!r} and {labels[1]!r}"
        )
    y_true = np.asarray(labels, dtype=object)[codes]
    X = model_file.prepare(frame, args.data)
    _note_unknown(model_file, X, progress)
    model = _build(model_file, progress)
    threshold = model.threshold if args.threshold is None else args.threshold
    progress.start("Scoring")
    score = model.pipeline.predict_proba(X)[:, 1]
    progress.done(f"{len(score):,} rows")

    from .metrics import binary_report

    report = binary_report(y_true, score, threshold=threshold,
                           pos_label=model.positive_label)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1), flush=True)
    else:
        print(f"Model {args.model} on {args.data} ({len(score):,} rows); positive "
              f"label {model.positive_label!r}, threshold {threshold:g}")
        print()
        print(str(report), flush=True)
    if args.plots:
        _write_plots(args.plots, y_true, score, threshold, labels, progress)
    return EXIT_OK


def _import_pyplot():
    try:
        import matplotlib
    except ImportError:
        raise _MissingDependency(
            "--plots needs matplotlib, which is not installed: pip install 'skbinary[plot]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _write_plots(folder, y_true, score, threshold, labels, progress):
    from . import plotting

    plt = _import_pyplot()
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise _OutputError(f"cannot create {folder}: {exc.strerror or exc}") from None
    neg, pos = labels
    both = len(set(y_true.tolist())) == 2
    plots = [("confusion_matrix.png", plotting.plot_confusion_matrix,
              {"labels": [neg, pos]})]
    if both:
        plots += [("precision_recall.png", plotting.plot_precision_recall, {}),
                  ("roc.png", plotting.plot_roc, {}),
                  ("threshold_curves.png", plotting.plot_threshold_curves, {})]
    else:
        progress.line("note: the data holds one class only: no precision-recall, ROC "
                      "or threshold plots")
    progress.start(f"Writing plots to {folder}")
    written = []
    for name, plot, extra in plots:
        path = os.path.join(folder, name)
        try:
            fig, _ = plot(y_true, score, threshold=threshold, pos_label=pos,
                          path=path, **extra)
        except OSError as exc:
            raise _OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        plt.close(fig)
        written.append(name)
    progress.done(", ".join(written))


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #
def main(argv=None):
    """Run the command line; return the exit status (see the module docstring).

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 2 usage, 3 input file, 4 data, 5 model file errors.
    """
    # Keep TensorFlow's C++ logs out of the progress display, unless asked for
    # with TF_CPP_MIN_LOG_LEVEL=0.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "fit" and not args.search and (
                len(args.hidden or ()) > 1 or len(args.dropout or ()) > 1):
            args.subparser.error("give --hidden and --dropout once each, or add "
                                 "--search to try several values")
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    progress = _Progress(args.quiet)
    prog = f"skbinary {args.command}"

    def fail(code, message):
        progress.close_line("failed")
        print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
        return code

    def show_warning(message, category, filename, lineno, file=None, line=None):
        progress.line(f"warning: {str(message).splitlines()[0]}")

    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        try:
            return args.func(args, progress)
        except (FileNotFoundError, IsADirectoryError, PermissionError, _OutputError) as exc:
            return fail(EXIT_INPUT, str(exc))
        except DataError as exc:
            return fail(EXIT_DATA, str(exc))
        except ModelFileError as exc:
            return fail(EXIT_MODEL, str(exc))
        except _MissingDependency as exc:
            return fail(EXIT_INTERNAL, str(exc))
        except KeyboardInterrupt:
            return fail(EXIT_INTERRUPTED, "interrupted")
        except BrokenPipeError:
            # stdout was closed early (piped into head, say): stop quietly, with
            # the status a shell gives a command killed by SIGPIPE.
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
