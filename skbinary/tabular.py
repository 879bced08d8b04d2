"""The command line's library: CSV files in, a fitted tabular model out.

What ``python -m skbinary`` does with data, as functions: :func:`read_csv`
reads a CSV file as strings (separator detected among ``,`` ``;`` tab ``|``),
the columns are typed (numeric, categorical, identifiers left out), a
``ColumnTransformer`` (numeric: median imputation and standard scaling; text
and booleans: most-frequent imputation and one-hot encoding that ignores
unknown values) feeds :class:`~skbinary.KerasBinaryClassifier`, and
:func:`fit_model` returns a :class:`TabularModel`. The target is relabelled 0/1
internally (1 is the positive label, chosen by the package's one rule,
:func:`skbinary._checks.binary_labels`); target values that are numbers are one
label when equal as numbers (``1`` and ``1.0``).

The model file is a zip archive (:mod:`skbinary._container`) that loads
without pickle:

``preprocess.json``
    The fitted preprocessing in plain JSON (columns and their kinds, imputation
    values, scaler means/scales/variances, one-hot categories), the two labels,
    the positive label, the decision threshold and a summary of the training.
``network.skb``
    The fitted classifier, written by :meth:`KerasBinaryClassifier.save` and
    read back by :func:`skbinary.load` (Keras ``safe_mode``: loading cannot run
    code).

Nothing here parses arguments or prints: stages and notes go to the
``progress`` object the caller passes (the command line's).
"""

import contextlib
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

from . import _tf
from ._checks import (
    binary_labels,
    check_threshold_value,
    predicted_positive,
    py_scalar,
)
from ._container import (
    ModelFileError,
    check_format,
    read_archive,
    versions,
    write_archive,
)
from ._csvdata import (
    CATEGORICAL,
    NUMERIC,
    DataError,
    _count,
    _import_pandas,
    _infer_columns,
    _label_key,
    _label_order,
    _prepare,
    _quote_list,
    _sorted_labels,
    _spellings,
    read_csv,
    sniff_separator,
    target_values,
)

__all__ = ["DataError", "TabularModel", "fit_model", "load_model", "read_csv",
           "sniff_separator"]

FORMAT = "skbinary-cli-model"
FORMAT_VERSION = 1
PREPROCESS_JSON = "preprocess.json"
NETWORK_FILE = "network.skb"

DEFAULT_HIDDEN = (64, 32)
SEARCH_HIDDEN = ((64, 32), (32,))
SEARCH_DROPOUT = (0.0, 0.2)
SEARCH_FOLDS = 3


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
        Default decision threshold on the positive-class probability, in
        [0, 1].
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
        self.threshold = check_threshold_value(threshold)
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
        t = self.threshold if threshold is None else check_threshold_value(threshold)
        p = self.predict_proba(frame, source)[:, 1]
        return np.where(predicted_positive(p, t), self.labels[1],
                        self.labels[0]).astype(object)

    def _step(self, group, step):
        ct = self.pipeline.named_steps["preprocess"]
        if group not in ct.named_transformers_:
            return None
        return ct.named_transformers_[group].named_steps[step]

    # ------------------------------------------------------------- saving
    def to_json(self):
        """The preprocessing state and labels as a JSON-ready dict."""
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
            "versions": versions("sklearn"),
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
            with open(network, "rb") as fh:
                write_archive(path, {PREPROCESS_JSON: text, NETWORK_FILE: fh.read()})
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
        kind = "skbinary command-line model file"
        members = read_archive(path, kind=kind)
        if {"metadata.json", "model.keras"} <= set(members) and PREPROCESS_JSON not in members:
            raise ModelFileError(
                f"{path} holds a bare KerasBinaryClassifier (written by its save "
                "method), not a command-line model: open it with skbinary.load"
            )
        missing = [n for n in (PREPROCESS_JSON, NETWORK_FILE) if n not in members]
        if missing:
            raise ModelFileError(
                f"{path} is not a skbinary model file: it lacks {', '.join(missing)}"
            )
        try:
            state = json.loads(members[PREPROCESS_JSON].decode("utf-8"))
        except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError
            raise ModelFileError(
                f"{path} is a corrupted model file (truncated or damaged?): {exc}"
            ) from None
        self.network = members[NETWORK_FILE]
        check_format(state, path, format=FORMAT, version=FORMAT_VERSION, kind=kind)
        labels = _checked(state, "labels", list, path)
        if len(labels) != 2 or not all(isinstance(v, str) for v in labels) \
                or labels[0] == labels[1]:
            raise ModelFileError(f"{path} is corrupted: 'labels' must be two strings")
        self.state = state
        self.labels = tuple(labels)
        self.target = _checked(state, "target", str, path)
        try:
            self.threshold = check_threshold_value(state.get("threshold"))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{path} is corrupted: bad 'threshold' in "
                                 f"{PREPROCESS_JSON}: {exc}") from None
        self.na_values = [str(v) for v in state.get("na_values") or []]
        self.records = _parse_records(state, path)
        self.columns = [(r["name"], r["kind"]) for r in self.records]

    def prepare(self, frame, source):
        return _prepare(frame, self.columns, source)

    def build(self):
        """Load the network and rebuild the pipeline: the :class:`TabularModel`."""
        from sklearn.pipeline import Pipeline

        from ._classifier import load as load_estimator

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
    """``(labels, y01, keep)``: (negative, positive), the 0/1 target, rows kept.

    The positive label is ``--positive`` or, by the package's one rule
    (:func:`skbinary._checks.binary_labels`), the greater of the two labels:
    compared as numbers when both are, else as text.
    """
    y, keep = target_values(frame, target, source, progress)
    keys = [_label_key(v) for v in y]
    label_of, counts = _spellings(keys, y)
    if len(label_of) != 2:
        values = _sorted_labels(list(label_of.values()))
        found = ", ".join(f"{v!r} ({_count(counts[_label_key(v)], 'row')})"
                          for v in values[:6])
        if len(values) == 1:
            raise DataError(
                f"{source}: the target column {target!r} has only one value, {found}: "
                "a classifier needs rows of two classes"
            )
        raise DataError(
            f"{source}: the target column {target!r} has {len(values)} values "
            f"({found}{', ...' if len(values) > 6 else ''}); skbinary trains binary "
            "(two-class) classifiers"
        )
    # labels= rather than the values: sklearn's target check calls "0.5"/"1.5" continuous
    order = _label_order(list(label_of.values()))
    key_of = dict(zip(order, label_of))
    wanted = None
    if positive is not None:
        wanted = _label_key(str(positive).strip())
        if wanted not in label_of:
            neg, pos = _sorted_labels(list(label_of.values()))
            raise DataError(
                f"--positive {positive!r} is not a value of the target column "
                f"{target!r}; its values are {neg!r} and {pos!r}"
            )
        wanted = order[list(label_of).index(wanted)]
    neg, pos = (key_of[py_scalar(v)] for v in binary_labels(labels=order, pos_label=wanted))
    y01 = np.array([key == pos for key in keys], dtype=np.int64)
    return (label_of[neg], label_of[pos]), y01, keep


def _f1(y01, p, threshold):
    from sklearn.metrics import f1_score

    return float(f1_score(y01, predicted_positive(p, threshold).astype(np.int64),
                          zero_division=0))


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
    from ._classifier import KerasBinaryClassifier

    unknown_drop = [c for c in drop if c not in frame.columns]
    if unknown_drop:
        raise DataError(f"--drop: {source} has no column(s) {_quote_list(unknown_drop)}")
    if target in drop:
        raise DataError(f"--drop names the target column {target!r}")
    labels, y01, keep = _target_labels(frame, target, positive, source, progress)
    frame = frame.loc[keep]
    columns, empty, ids = _infer_columns(frame, target, set(drop), source, progress)
    X = _prepare(frame, columns, source)
    classifier = KerasBinaryClassifier(
        hidden_layer_sizes=tuple(hidden_layer_sizes), dropout=float(dropout),
        epochs=int(epochs), class_weight=class_weight, random_state=random_state,
    )
    pipeline = _make_pipeline(columns, classifier)
    training = _training_summary(labels, y01, keep, columns, empty, drop, ids,
                                 epochs=int(epochs), class_weight=class_weight,
                                 random_state=random_state)
    quiet = progress is None or progress.quiet
    if progress is not None:
        _start_tensorflow(progress)
    if not (quiet or search):  # after TensorFlow started: the logger imports Keras
        classifier.set_params(callbacks=[_progress_logger()])
    try:
        if search:
            pipeline = _search(pipeline, X, y01, search, training, source=source,
                               epochs=epochs, random_state=random_state, progress=progress)
        else:
            _timed(progress, f"Training on {len(y01):,} rows, {epochs} epochs ...",
                   "Training done", pipeline.fit, X, y01)
    except DataError:
        raise
    except ValueError as exc:
        raise DataError(f"training on {source} failed: {exc}") from None
    fitted = pipeline.named_steps["classifier"]
    if not search:
        training["f1"] = _f1(y01, pipeline.predict_proba(X)[:, 1], fitted.threshold_)
        training["f1_kind"] = "training-data"
    training.update(
        hidden_layer_sizes=list(fitted._fitted.network.architecture["hidden_layer_sizes"]),
        dropout=fitted._fitted.network.architecture["dropout"],
        epochs_run=int(fitted.n_iter_),
        interrupted=bool(getattr(fitted, "interrupted_", False)),
    )
    model = TabularModel(pipeline, columns, target, labels, threshold=fitted.threshold_,
                         na_values=na_values, training=training)
    model._training_X = X  # for the save-and-reload check
    return model


def _training_summary(labels, y01, keep, columns, empty, drop, ids, **settings):
    """The ``training`` dict a model file keeps: rows, columns, classes, settings."""
    n_numeric = sum(kind == NUMERIC for _, kind in columns)
    return {
        "rows": len(y01),
        "rows_without_target": int((~keep).sum()),
        "feature_columns": len(columns),
        "numeric_columns": n_numeric,
        "categorical_columns": len(columns) - n_numeric,
        "ignored_empty_columns": [str(c) for c in empty],
        "dropped_columns": [str(c) for c in drop],
        "ignored_id_columns": [str(c) for c in ids],
        "class_counts": {labels[0]: int((y01 == 0).sum()), labels[1]: int((y01 == 1).sum())},
        **settings,
    }


def _timed(progress, before, after, fit, *args):
    """``fit(*args)`` between two progress lines; Keras' own output goes to stderr."""
    quiet = progress is None or progress.quiet
    if progress is not None:
        progress.line(before)
    t0 = time.perf_counter()
    with contextlib.nullcontext() if quiet else contextlib.redirect_stdout(sys.stderr):
        result = fit(*args)
    if progress is not None:
        progress.line(f"{after} ({time.perf_counter() - t0:.1f} s)")
    return result


def _search(pipeline, X, y01, search, training, *, source, epochs, random_state, progress):
    """Choose ``hidden_layer_sizes`` and ``dropout`` by a cross-validated F1 grid search.

    Returns the best pipeline, refitted on all rows; ``training`` gets the results.
    """
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

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
    quiet = progress is None or progress.quiet
    searcher = GridSearchCV(
        pipeline, grid, cv=StratifiedKFold(SEARCH_FOLDS, shuffle=True,
                                           random_state=random_state),
        refit=True, verbose=0 if quiet else 2, scoring=make_scorer(f1_score, zero_division=0),
    )
    _timed(progress, f"Searching {n_candidates} candidates x {SEARCH_FOLDS} folds "
           f"(+1 refit on all rows), {epochs} epochs each ...", "Search done",
           searcher.fit, X, y01)
    results, best = searcher.cv_results_, searcher.best_index_
    training["search"] = {
        "folds": SEARCH_FOLDS,
        "scoring": "f1 of the positive label",
        "best_params": _search_params(searcher.best_params_),
        "candidates": [
            {**_search_params(params),
             "mean_f1": _json_float(results["mean_test_score"][i]),
             "std_f1": _json_float(results["std_test_score"][i])}
            for i, params in enumerate(results["params"])
        ],
    }
    training["f1"] = _json_float(results["mean_test_score"][best])
    training["f1_std"] = _json_float(results["std_test_score"][best])
    training["f1_kind"] = f"{SEARCH_FOLDS}-fold cross-validated"
    return searcher.best_estimator_


def _search_params(params):
    """A grid point as JSON: ``{"hidden_layer_sizes": [...], "dropout": ...}``."""
    return {"hidden_layer_sizes": list(params["classifier__hidden_layer_sizes"]),
            "dropout": float(params["classifier__dropout"])}


def _json_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


