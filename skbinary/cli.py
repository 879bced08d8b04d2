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

The model file (a zip archive that loads without pickle) and the data rules
are described in :mod:`skbinary.tabular`, the library these commands call;
:func:`skbinary.tabular.load_model` opens a model file from Python.

Progress goes to stderr (silence it with ``--quiet``); results to stdout.
Errors are one line on stderr, and the exit status says what went wrong:

==== ======================================================================
0    success
1    an unexpected error (a bug: please report the traceback), or pandas /
     matplotlib not installed
2    usage error: unknown option, missing or malformed argument (argparse)
3    an input file is missing or cannot be opened (no such file, a folder,
     no permission), or an output file cannot be written
4    bad data: empty or unparseable CSV, two columns of the same name, missing
     target column, a target without exactly two values, a ``--positive``
     label that is not one of them, non-numeric values in a numeric column,
     infinite values, missing feature columns, target values the model does
     not know, or training that fails on the data
5    the model file is not a readable skbinary command-line model: not a zip
     archive, truncated or corrupted, parts missing, a newer format, or a
     network that could only be loaded by running code
130  interrupted (Ctrl-C)
141  stdout closed early (``predict`` piped into ``head``, say)
==== ======================================================================
"""

import argparse
import contextlib
import json
import os
import sys
import time
import warnings

import numpy as np

from ._checks import check_threshold_value, predicted_positive
from ._container import ModelFileError, write_text
from ._csvdata import (
    CATEGORICAL,
    NUMERIC,
    DataError,
    _import_pandas,
    _match_labels,
    _MissingDependency,
    _quote_list,
    target_values,
)
from .tabular import (
    DEFAULT_HIDDEN,
    SEARCH_DROPOUT,
    SEARCH_FOLDS,
    SEARCH_HIDDEN,
    _ModelFile,
    _start_tensorflow,
    fit_model,
    load_model,
    read_csv,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_DATA = 4
EXIT_MODEL = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

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


def _fraction(what, *, one_included):
    """An argparse type: a number in [0, 1] (or [0, 1) when not ``one_included``)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (0.0 <= value <= 1.0 and (one_included or value < 1.0)):
            interval = "[0, 1]" if one_included else "[0, 1)"
            raise argparse.ArgumentTypeError(f"{text}: {what} must be in {interval}")
        return value

    return parse


_dropout = _fraction("dropout", one_included=False)


def _threshold(text):
    """An argparse type: a decision threshold, a finite number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    try:
        return check_threshold_value(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: the threshold must be in [0, 1]") from None


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
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="skbinary",
        description="Train, apply and evaluate a Keras binary classifier on CSV files.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skbinary {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _common_options()
    _add_fit(commands, common)
    _add_predict(commands, common)
    _add_report(commands, common)
    return parser


def _common_options():
    """The options every command takes: --quiet, --sep, --na-values."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no progress messages on stderr")
    common.add_argument("--sep", type=_separator, metavar="CHAR",
                        help="the field separator, e.g. ';' or tab (default: detected "
                             "among , ; tab |, with a note when it is not a comma)")
    common.add_argument("--na-values", metavar="TOKENS", type=_names, default=[],
                        help="comma-separated strings that mean 'missing' in the CSV "
                             "(besides empty cells, NA, NaN, n/a, null, ...)")
    return common


def _add_command(commands, common, name, summary, description, *, data, model=True):
    """A subcommand taking ``[MODEL] DATA.csv`` and the common options."""
    command = commands.add_parser(
        name, parents=[common], epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help=summary, description=description,
    )
    if model:
        command.add_argument("model", metavar="MODEL", help="a model file written by fit")
    command.add_argument("data", metavar="DATA.csv", help=data)
    return command


def _add_fit(commands, common):
    fit = _add_command(
        commands, common, "fit", "train a model on a labelled CSV file",
        "Train imputation, scaling, one-hot encoding and a Keras network\n"
        "on a CSV file, and save them in one model file (no pickle).",
        data="training data with a header row", model=False)
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


def _add_predict(commands, common):
    predict = _add_command(
        commands, common, "predict", "predict labels and probabilities for a CSV file",
        "Write a CSV with one row per input row: the predicted label and\n"
        "the probability of the positive label. Columns the model does not\n"
        "use (the target, say) are ignored.", data="rows to predict")
    predict.add_argument("--threshold", type=_threshold, metavar="T",
                         help="predict the positive label where its probability >= T "
                              "(default: the model's, 0.5)")
    predict.add_argument("--out", "-o", metavar="PREDICTIONS.csv",
                         help="where to write (default: stdout)")
    predict.set_defaults(func=_cmd_predict)


def _add_report(commands, common):
    report = _add_command(
        commands, common, "report", "evaluate a model on a labelled CSV file",
        "Print the evaluation report (confusion matrix, precision, recall,\n"
        "F1, ROC-AUC, ...) of a model on labelled data, and optionally\n"
        "write the evaluation plots.", data="labelled rows")
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
    try:
        model.save(out)
    except OSError as exc:
        raise _OutputError(str(exc)) from None
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
    positive = predicted_positive(proba, threshold)
    out = pd.DataFrame({
        "prediction": np.where(positive, pos, neg),
        f"probability_{pos}": proba,
    })
    progress.done(f"{int(positive.sum()):,} of {len(proba):,} rows "
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
        write_text(path, text)
    except OSError as exc:
        raise _OutputError(exc.strerror or str(exc)) from None


def _cmd_report(args, progress):
    if args.plots:
        _import_pyplot()  # fail early, before the work, when matplotlib is missing
    model_file = _open_model(args.model, progress)
    target = args.target or model_file.target
    na_values = list(dict.fromkeys(model_file.na_values + args.na_values))
    frame = read_csv(args.data, sep=args.sep, na_values=na_values, progress=progress)
    y, keep = target_values(frame, target, args.data, progress)
    frame, y = frame.loc[keep], y.astype(str)
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
            # strerror: the message without the "[Errno 2] " an errno puts before it
            return fail(EXIT_INPUT, exc.strerror or str(exc))
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
