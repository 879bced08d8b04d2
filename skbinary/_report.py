"""The pieces of :func:`skbinary.metrics.binary_report`: checks, metrics, warnings.

Private: :mod:`skbinary.metrics` is the public face. Like it, this module uses
numpy, scipy.sparse and scikit-learn only (never TensorFlow). The plots compute
their operating points here too (:func:`metrics_at`), so a report and a plot at
the same threshold show the same numbers.
"""

import numbers

import numpy as np
from scipy.sparse import issparse
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    roc_auc_score,
)
from sklearn.utils import check_consistent_length
from sklearn.utils.multiclass import type_of_target

from ._checks import (
    binary_labels,
    check_1d,
    check_number,
    check_sample_weight,
    check_scores,
    predicted_positive,
    py_scalar,
)


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #
def label_text(value):
    """Format a class label for a message: ``'spam'``, ``1`` or ``True``."""
    return repr(py_scalar(value))


def count_text(value):
    """Format a confusion-matrix count: ``70`` or, when weighted, ``69.5``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def number_text(value):
    """Format a number of the report: ``n/a``, an int, or a float to 3 places."""
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, numbers.Integral) else f"{value:.3f}"


def table_lines(pos_label, neg_label, tp, fp, fn, tn):
    """The confusion matrix as lines of text, labelled with the class names."""
    pos = str(py_scalar(pos_label))
    neg = f"not {pos}" if neg_label is None else str(py_scalar(neg_label))
    rows = [f"actual {neg}", f"actual {pos}"]
    cols = [f"predicted {neg}", f"predicted {pos}"]
    cells = [
        [f"TN = {count_text(tn)}", f"FP = {count_text(fp)}"],
        [f"FN = {count_text(fn)}", f"TP = {count_text(tp)}"],
    ]
    w0 = max(map(len, rows))
    w1, w2 = (max(len(cols[j]), len(cells[0][j]), len(cells[1][j])) for j in (0, 1))
    lines = [f"{'':<{w0}}  {cols[0]:>{w1}}  {cols[1]:>{w2}}"]
    for row, (left, right) in zip(rows, cells):
        lines.append(f"{row:<{w0}}  {left:>{w1}}  {right:>{w2}}")
    return lines


def div(numerator, denominator):
    """``numerator / denominator``, or 0.0 when the denominator is 0."""
    return float(numerator / denominator) if denominator > 0 else 0.0


# --------------------------------------------------------------------------- #
# Checks
# --------------------------------------------------------------------------- #
def check_fraction(value, name, *, low_open=False):
    """Check that ``value`` is a real number in [0, 1] (or (0, 1]); NaN is refused."""
    return check_number(
        value,
        name,
        numbers.Real,
        min_val=0.0,
        max_val=1.0,
        include_boundaries="right" if low_open else "both",
    )


def check_warning_settings(
    imbalance_ratio, paradox_margin, low_recall, overfit_gap, perfect_score
):
    """The settings of the warnings, checked, as a dict keyed by their names."""
    imbalance_ratio = check_number(
        imbalance_ratio, "imbalance_ratio", numbers.Real,
        min_val=0.0, max_val=0.5, include_boundaries="right",
    )
    return dict(
        imbalance_ratio=imbalance_ratio,
        paradox_margin=check_fraction(paradox_margin, "paradox_margin"),
        low_recall=check_fraction(low_recall, "low_recall"),
        overfit_gap=check_fraction(overfit_gap, "overfit_gap"),
        perfect_score=check_fraction(perfect_score, "perfect_score", low_open=True),
    )


def check_labels_1d(y, name):
    """``y`` as a 1-D array of class labels; refuse continuous values."""
    y = check_1d(y, name)
    if y.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed.")
    kind = type_of_target(y, input_name=name)
    if kind.startswith("continuous"):
        hint = (
            " Pass probabilities of the positive class as y_score=."
            if name == "y_pred"
            else ""
        )
        raise ValueError(
            f"{name} must hold class labels, but it holds continuous values "
            f"(type of target: {kind!r}).{hint}"
        )
    if kind != "binary":
        labels = np.unique(y).tolist()
        raise ValueError(
            "Only binary classification is supported. The type of the target "
            f"is {kind}: {name} has {len(labels)} labels {labels}."
        )
    return y


def check_test_data(y_true, y_score, y_pred, sample_weight, pos_label):
    """Check the test data of a report or a threshold choice.

    Returns ``(y_true, y_score, y_pred, sample_weight, (neg_label, pos_label))``;
    ``sample_weight`` stays None when none was given, so the counts stay ints.
    """
    y_true = check_labels_1d(y_true, "y_true")
    if y_score is not None:
        y_score = check_scores(y_score, "y_score")
        check_consistent_length(y_true, y_score)
    else:
        y_pred = check_labels_1d(y_pred, "y_pred")
        check_consistent_length(y_true, y_pred)
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, y_true.shape[0])
    ys = (y_true,) if y_pred is None else (y_true, y_pred)
    labels = binary_labels(*ys, pos_label=pos_label)
    return y_true, y_score, y_pred, sample_weight, labels


def is_label(y, label):
    """Boolean mask of the samples of ``y`` equal to ``label``."""
    return np.asarray(y == label, dtype=bool).reshape(-1)


def check_known_labels(y, name, neg_label, pos_label):
    """Refuse labels of ``y`` that are neither the positive nor the negative."""
    if neg_label is None:
        return
    known = [py_scalar(neg_label), py_scalar(pos_label)]
    unknown = [c for c in np.unique(y).tolist() if c not in known]
    if unknown:
        raise ValueError(
            f"{name} has labels {unknown} that are not among the labels of the "
            f"test data {known}."
        )


def predictions(y_score, y_pred, threshold, pos_label):
    """Where the positive class is predicted: from the scores or the labels."""
    if y_score is not None:
        return predicted_positive(y_score, threshold)
    return is_label(y_pred, pos_label)


# --------------------------------------------------------------------------- #
# Counts and metrics
# --------------------------------------------------------------------------- #
def confusion_counts(is_pos, pred_pos, sample_weight=None):
    """``(matrix, counts)``: the 2x2 matrix and ``{"tp", "fp", "fn", "tn"}``.

    Ints without weights; sums of weights (floats) with them.
    """
    cm = confusion_matrix(
        is_pos, pred_pos, labels=[False, True], sample_weight=sample_weight
    )
    if sample_weight is not None:
        cm = cm.astype(np.float64)
    tn, fp, fn, tp = (py_scalar(v) for v in cm.ravel())
    return cm, dict(tp=tp, fp=fp, fn=fn, tn=tn)


def label_metrics(tp, fp, fn, tn):
    """The metrics of the predicted labels; 0.0 where undefined (zero_division=0)."""
    total = tn + fp + fn + tp
    recall = div(tp, tp + fn)
    specificity = div(tn, tn + fp)
    present = [r for r, n in ((recall, tp + fn), (specificity, tn + fp)) if n > 0]
    return dict(
        precision=div(tp, tp + fp),
        recall=recall,
        f1=div(2 * tp, 2 * tp + fp + fn),
        accuracy=div(tp + tn, total),
        balanced_accuracy=float(np.mean(present)),
        specificity=specificity,
        prevalence=div(tp + fn, total),
    )


def metrics_at(is_pos, y_score, threshold):
    """Counts and metrics of ``y_score >= threshold``, and the false positive rate.

    What the plots mark: the same numbers as :func:`skbinary.metrics.binary_report`
    at that threshold (precision 0.0 when nothing is predicted positive).
    """
    _, counts = confusion_counts(is_pos, predicted_positive(y_score, threshold))
    fpr = div(counts["fp"], counts["fp"] + counts["tn"])
    return dict(counts, **label_metrics(**counts), fpr=fpr)


def both_classes(is_pos, sample_weight=None):
    """Whether both classes have weight in ``is_pos``."""
    w = np.ones(is_pos.shape[0]) if sample_weight is None else sample_weight
    return w[is_pos].sum() > 0 and w[~is_pos].sum() > 0


def score_metrics(is_pos, y_score, sample_weight):
    """The metrics of the scores; None without scores (or one class, for AUCs)."""
    out = dict.fromkeys(("roc_auc", "average_precision", "log_loss", "brier_score"))
    if y_score is None:
        return out
    kw = dict(sample_weight=sample_weight)
    if both_classes(is_pos, sample_weight):
        out["roc_auc"] = float(roc_auc_score(is_pos, y_score, **kw))
        out["average_precision"] = float(average_precision_score(is_pos, y_score, **kw))
    out["log_loss"] = float(log_loss(is_pos, y_score, labels=[False, True], **kw))
    out["brier_score"] = float(brier_score_loss(is_pos, y_score, pos_label=True, **kw))
    return out


def train_metrics(y_train_true, y_train_score, y_train_pred, labels, threshold,
                  test_scores):
    """``{"train_f1", "train_roc_auc"}``, None where the data were not given.

    ``labels`` is ``(neg_label, pos_label)`` of the test data; ROC-AUC is
    compared only when ``test_scores`` (the test data has scores too).
    """
    out = dict(train_f1=None, train_roc_auc=None)
    if all(y is None for y in (y_train_true, y_train_score, y_train_pred)):
        return out
    if y_train_true is None or (y_train_score is None) == (y_train_pred is None):
        raise ValueError(
            "To check for overfitting, pass y_train_true together with "
            "exactly one of y_train_score and y_train_pred."
        )
    neg_label, pos_label = labels
    y_train_true = check_labels_1d(y_train_true, "y_train_true")
    check_known_labels(y_train_true, "y_train_true", neg_label, pos_label)
    is_pos = is_label(y_train_true, pos_label)
    if y_train_score is not None:
        y_train_score = check_scores(y_train_score, "y_train_score")
        check_consistent_length(y_train_true, y_train_score)
        if test_scores and both_classes(is_pos):
            out["train_roc_auc"] = float(roc_auc_score(is_pos, y_train_score))
    else:
        y_train_pred = check_labels_1d(y_train_pred, "y_train_pred")
        check_consistent_length(y_train_true, y_train_pred)
        check_known_labels(y_train_pred, "y_train_pred", neg_label, pos_label)
    pred_pos = predictions(y_train_score, y_train_pred, threshold, pos_label)
    _, counts = confusion_counts(is_pos, pred_pos)
    out["train_f1"] = label_metrics(**counts)["f1"]
    return out


# --------------------------------------------------------------------------- #
# Rows shared by the training and the test data
# --------------------------------------------------------------------------- #
def _dense_rows(X, name):
    """``X`` as a 2-D numpy array (numpy or pandas input)."""
    if issparse(X):
        raise TypeError(
            f"{name} must be dense (numpy or pandas) to look for duplicated "
            f"rows; convert it with {name}.toarray()."
        )
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}."
        )
    return X


def count_shared_rows(X_train, X_test):
    """``(n_shared, n_test)``: rows of ``X_test`` equal to a row of ``X_train``.

    ``(None, None)`` when neither is given. Numeric rows are compared as float64
    bytes (so ``1`` equals ``1.0`` and ``-0.0`` equals ``0.0``); other rows as
    tuples of Python values. Each row is hashed once, so this is linear in the
    number of rows.
    """
    if (X_train is None) != (X_test is None):
        raise ValueError("Pass X_train and X_test together to look for shared rows.")
    if X_train is None:
        return None, None
    A = _dense_rows(X_train, "X_train")
    B = _dense_rows(X_test, "X_test")
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"X_train has {A.shape[1]} features but X_test has {B.shape[1]}."
        )
    if A.dtype.kind in "biuf" and B.dtype.kind in "biuf":
        A = np.ascontiguousarray(A, dtype=np.float64) + 0.0  # -0.0 -> 0.0
        B = np.ascontiguousarray(B, dtype=np.float64) + 0.0
        seen = {row.tobytes() for row in A}
        return sum(row.tobytes() in seen for row in B), B.shape[0]
    seen = {tuple(row) for row in A.tolist()}
    return sum(tuple(row) in seen for row in B.tolist()), B.shape[0]


# --------------------------------------------------------------------------- #
# Warnings
# --------------------------------------------------------------------------- #
def _imbalance_warning(prevalence, neg_label, pos_label, imbalance_ratio):
    if prevalence in (0.0, 1.0):
        present = pos_label if prevalence == 1.0 else neg_label
        missing = neg_label if prevalence == 1.0 else pos_label
        missing = "" if missing is None else f" (no {label_text(missing)})"
        return (
            f"One class only in y_true: every sample is {label_text(present)}"
            f"{missing}, so ROC-AUC and average precision are undefined and "
            "these data cannot show how well the classes are told apart."
        )
    minority_rate = min(prevalence, 1.0 - prevalence)
    if minority_rate >= imbalance_ratio:
        return None
    minority = pos_label if prevalence <= 0.5 else neg_label
    return (
        f"Strong class imbalance: {label_text(minority)} is only "
        f"{minority_rate:.1%} of y_true (imbalance_ratio={imbalance_ratio:g}). "
        "Judge the model by precision, recall, F1 and average precision, not "
        "accuracy."
    )


def _paradox_warning(
    accuracy, prevalence, recall, specificity, neg_label, pos_label,
    paradox_margin, low_recall,
):
    if prevalence in (0.0, 1.0):
        return None  # one class only: said by the imbalance warning
    if prevalence > 0.5:
        majority_rate, majority, minority = prevalence, pos_label, neg_label
        minority_recall = specificity
    else:
        majority_rate, majority, minority = 1.0 - prevalence, neg_label, pos_label
        minority_recall = recall
    barely = accuracy <= majority_rate + paradox_margin
    blind = accuracy >= majority_rate and minority_recall < low_recall
    if not (barely or blind):
        return None
    always = f"always predicting {label_text(majority)}"
    baseline = f"the {majority_rate:.3f} you get by {always}"
    if np.isclose(accuracy, majority_rate):
        head = f"accuracy {accuracy:.3f} is no better than {baseline}"
    elif accuracy < majority_rate:
        head = f"accuracy {accuracy:.3f} is below {baseline}"
    elif barely:
        head = f"accuracy {accuracy:.3f} is barely above {baseline}"
    else:
        head = (
            f"accuracy {accuracy:.3f} looks high, but {always} already gives "
            f"{majority_rate:.3f}"
        )
    only = "only " if minority_recall < low_recall else ""
    return (
        f"Accuracy paradox: {head}; recall on {label_text(minority)} is "
        f"{only}{minority_recall:.3f}."
    )


def _single_prediction_warning(pred_pos, y_score, threshold, neg_label, pos_label):
    if pred_pos.all():
        predicted = label_text(pos_label)
    elif not pred_pos.any():
        predicted = (
            f"not {label_text(pos_label)}" if neg_label is None
            else label_text(neg_label)
        )
    else:
        return None
    message = (
        f"One class only in the predictions: all {pred_pos.shape[0]} samples "
        f"are predicted {predicted}, so the model does not separate the classes"
    )
    if y_score is None:
        return message + "."
    return (
        f"{message} at threshold {threshold:g} (the scores range from "
        f"{y_score.min():.3g} to {y_score.max():.3g})."
    )


def _overfit_warning(f1, train_f1, roc_auc, train_roc_auc, overfit_gap):
    parts = []
    pairs = (("F1", f1, train_f1), ("ROC-AUC", roc_auc, train_roc_auc))
    for name, test, train in pairs:
        if test is not None and train is not None and train - test > overfit_gap:
            parts.append(
                f"{name} is {train:.3f} on the training data but {test:.3f} on "
                f"the test data (gap {train - test:.3f})"
            )
    if not parts:
        return None
    return (
        f"Overfitting: {'; '.join(parts)}, more than overfit_gap={overfit_gap:g}. "
        "Regularise more (dropout, l2, early stopping) or use a smaller model."
    )


def _perfection_warning(f1, roc_auc, perfect_score):
    parts = [
        f"{name} {value:.3f}"
        for name, value in (("F1", f1), ("ROC-AUC", roc_auc))
        if value is not None and value >= perfect_score
    ]
    if not parts:
        return None
    return (
        f"Suspiciously perfect: {' and '.join(parts)} on the test data "
        f"(>= perfect_score={perfect_score:g}). Check for leakage: a feature "
        "computed from the target, rows shared by the training and test data, "
        "or preprocessing fitted on all the data."
    )


def _duplicate_warning(n_duplicates, n_test):
    if not n_duplicates:
        return None
    return (
        f"Possible leakage: {n_duplicates} of {n_test} test rows "
        f"({n_duplicates / n_test:.1%}) also appear in the training data "
        "(exact duplicates of X_train rows in X_test)."
    )




def report_warnings(values, labels, pred_pos, y_score, n_test_rows, settings):
    """The warnings of a report, in order, each with its numbers.

    ``values`` holds the report's numbers (metrics, training metrics and
    ``n_duplicate_rows``), ``labels`` is ``(neg_label, pos_label)``,
    ``n_test_rows`` the rows of ``X_test`` (None without it) and ``settings``
    the dict of :func:`check_warning_settings`.
    """
    neg_label, pos_label = labels
    prevalence, f1, roc_auc = values["prevalence"], values["f1"], values["roc_auc"]
    found = [
        _imbalance_warning(prevalence, *labels, settings["imbalance_ratio"]),
        _paradox_warning(
            values["accuracy"], prevalence, values["recall"], values["specificity"],
            *labels, settings["paradox_margin"], settings["low_recall"],
        ),
        _single_prediction_warning(
            pred_pos, y_score, values["threshold"], neg_label, pos_label
        ),
        _overfit_warning(
            f1, values["train_f1"], roc_auc, values["train_roc_auc"],
            settings["overfit_gap"],
        ),
        _perfection_warning(f1, roc_auc, settings["perfect_score"]),
        _duplicate_warning(values["n_duplicate_rows"], n_test_rows),
    ]
    return [warning for warning in found if warning is not None]
