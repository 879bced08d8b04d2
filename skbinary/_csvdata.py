"""CSV files as data frames of typed feature columns, for the command line.

:func:`read_csv` reads every column as strings (the separator detected among
``,`` ``;`` tab ``|``); :func:`_infer_columns` types the columns the same way at
training and at prediction (numeric when every value parses as a number,
categorical otherwise; identifiers left out) and :func:`_prepare` converts
them. :func:`target_values` and :func:`_label_key` read the target column the
same way in every command: ``"1"``, ``"1.0"`` and ``"01"`` are one label.
Errors are :class:`DataError` naming the file, the column and the rows.
"""

import collections
import csv
import math
import os
import re
import warnings

import numpy as np

NUMERIC, CATEGORICAL = "numeric", "categorical"


class DataError(ValueError):
    """The data cannot be used: the command line exits with status 4."""


class _MissingDependency(RuntimeError):
    """pandas or matplotlib is not installed: exit status 1."""


def _count(n, noun):
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _quote_list(values, limit=8):
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


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
        If it is empty, not text, not well-formed CSV, or names two columns
        alike (which pandas would silently rename ``age`` and ``age.1``).
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
    if any(_RENAMED.search(str(name)) for name in frame.columns):
        _check_unique_names(pd, path, sep)
    if progress is not None:
        progress.done(f"{_count(frame.shape[0], 'row')}, {_count(frame.shape[1], 'column')}")
        if detected and sep != ",":
            progress.line(f"note: reading {path} with separator {sep!r} (detected; "
                          "set it with --sep)")
    return frame


# pandas renames the second column named "age" to "age.1", the third "age.2".
_RENAMED = re.compile(r"\.\d+$")


def _check_unique_names(pd, path, sep):
    """Refuse a header row that names two columns alike, as pandas reads it.

    pandas renames duplicated names (``age``, ``age.1``), so the header is read
    again as it is written. Empty names are not compared (pandas names them
    ``Unnamed: i``, each its own).

    Raises
    ------
    DataError
        Naming each duplicated name and how many columns bear it.
    """
    header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str,
                         na_filter=False, index_col=False).iloc[0].tolist()
    counts = collections.Counter(name for name in header if name != "")
    duplicated = [f"{name!r} ({n} columns)" for name, n in counts.items() if n > 1]
    if duplicated:
        raise DataError(
            f"{path} has duplicated column names: {', '.join(duplicated)}; give each "
            "column its own name"
        )


def _row_examples(series, mask, limit=3):
    """``'abc' (row 7), '?' (row 9)`` for the first rows where ``mask`` holds."""
    idx = np.flatnonzero(np.asarray(mask))[:limit]
    values = series.to_numpy(dtype=object)
    return ", ".join(f"{values[i]!r} (row {i + 1})" for i in idx)


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


# --------------------------------------------------------------------------- #
# The target column: its values, and what makes two values one label
# --------------------------------------------------------------------------- #
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


def _label_order(labels):
    """What orders distinct labels: numbers when every one is a distinct number, else text.

    ``"inf"`` and ``"1e400"`` count as numbers here (as ``float`` reads them),
    so ``"-inf" < "-5"`` and ``"5" < "1e400"``; a NaN spelling or two
    spellings of one infinity make the labels compare as text.
    """
    try:
        numbers = [float(v) for v in labels]
    except ValueError:
        return list(labels)
    if any(math.isnan(n) for n in numbers) or len(set(numbers)) < len(numbers):
        return list(labels)
    return numbers


def _sorted_labels(labels):
    """Sort labels by :func:`_label_order`: numerically when they all are numbers."""
    return [label for _, label in sorted(zip(_label_order(labels), labels))]


def target_values(frame, target, source, progress=None):
    """``(values, keep)``: the target's values as stripped strings, rows that have one.

    Rows without a target value are left out, with a note.
    """
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
    return y[keep], keep


def _spellings(keys, values):
    """Each label key's most frequent spelling (``"1"`` rather than ``"1.0"``), and counts."""
    spellings = collections.defaultdict(collections.Counter)
    for key, value in zip(keys, values):
        spellings[key][value] += 1
    label_of = {key: max(sorted(c), key=c.get) for key, c in spellings.items()}
    return label_of, {key: sum(c.values()) for key, c in spellings.items()}


def _match_labels(values, labels):
    """Encode the true labels 0/1 (-1: unknown) by the rule of ``fit``, :func:`_label_key`."""
    codes = {_label_key(label): code for code, label in enumerate(labels)}
    return np.array([codes.get(_label_key(v), -1) for v in values], dtype=np.int64)
