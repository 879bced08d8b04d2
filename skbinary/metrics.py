"""Evaluate a binary classifier honestly, and choose its decision threshold.

:func:`binary_report` computes the confusion matrix and the usual metrics of
the positive class, and warns in plain language about the ways a binary model
fools its author: the accuracy paradox, strong class imbalance, predictions of
a single class, overfitting and suspiciously perfect scores (leakage).
:func:`choose_threshold` picks the decision threshold that reaches a target
recall or precision, or that maximises F1.

Both work on the labels the user has (ints, bools or strings such as
``"spam"``/``"ham"``) and follow scikit-learn's conventions: the positive class
defaults to the greater of the two sorted labels (``classes_[1]`` of a fitted
classifier), and a score predicts the positive class when
``y_score >= threshold`` (the rule of
:class:`sklearn.model_selection.FixedThresholdClassifier` and of
:func:`sklearn.metrics.precision_recall_curve`).

The module depends on numpy and :mod:`sklearn.metrics` only; pandas is
imported when :meth:`BinaryReport.to_frame` is called.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.sparse import issparse
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    roc_auc_score,
)
from sklearn.utils import check_consistent_length, check_scalar, column_or_1d
from sklearn.utils.multiclass import type_of_target, unique_labels

__all__ = [
    "BinaryReport",
    "ThresholdChoice",
    "binary_report",
    "choose_threshold",
]

# Keys of BinaryReport.to_dict() that hold numbers (the rows of to_frame()).
_NUMERIC_FIELDS = (
    "n_samples",
    "threshold",
    "tp",
    "fp",
    "fn",
    "tn",
    "precision",
    "recall",
    "f1",
    "accuracy",
    "balanced_accuracy",
    "specificity",
    "prevalence",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier_score",
    "train_f1",
    "train_roc_auc",
    "n_duplicate_rows",
)

# Rows of the metrics block of str(report), in order.
_PRINTED_METRICS = (
    "precision",
    "recall",
    "f1",
    "accuracy",
    "balanced_accuracy",
    "specificity",
    "prevalence",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier_score",
)


# --------------------------------------------------------------------------- #
# Private helpers: conversion and formatting
# --------------------------------------------------------------------------- #
def _py(value):
    """Return a plain Python scalar for a numpy scalar (other values unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


def _label(value):
    """Format a class label for a message: ``'spam'``, ``1`` or ``True``."""
    return repr(_py(value))


def _count(value):
    """Format a confusion-matrix count: ``70`` or, when weighted, ``69.5``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _div(numerator, denominator):
    """``numerator / denominator``, or 0.0 when the denominator is 0."""
    return float(numerator / denominator) if denominator > 0 else 0.0


# --------------------------------------------------------------------------- #
# Private helpers: validation
# --------------------------------------------------------------------------- #
def _check_fraction(value, name, *, low_open=False):
    """Check that ``value`` is a real number in [0, 1] (or (0, 1])."""
    return check_scalar(
        value,
        name,
        target_type=numbers.Real,
        min_val=0.0,
        max_val=1.0,
        include_boundaries="right" if low_open else "both",
    )


def _check_labels_1d(y, name):
    """``y`` as a 1-D array of class labels; refuse continuous values."""
    y = column_or_1d(y)
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


def _check_scores(y_score, name):
    """``y_score`` as a 1-D float array of probabilities in [0, 1]."""
    y_score = np.asarray(y_score)
    if y_score.ndim == 2 and y_score.shape[1] != 1:
        raise ValueError(
            f"{name} must be 1-D: the probability of the positive class, such "
            f"as predict_proba(X)[:, 1]. Got an array of shape {y_score.shape}."
        )
    y_score = column_or_1d(y_score)
    try:
        y_score = y_score.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must hold probabilities (floats in [0, 1]), got values of "
            f"dtype {y_score.dtype}. To evaluate predicted labels, pass them as "
            "y_pred=."
        ) from None
    if y_score.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed.")
    if not np.all(np.isfinite(y_score)):
        raise ValueError(f"{name} contains NaN or infinity.")
    low, high = y_score.min(), y_score.max()
    if low < 0 or high > 1:
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], such as "
            f"predict_proba(X)[:, 1]; got values from {low:.4g} to {high:.4g}."
        )
    return y_score


def _check_sample_weight(sample_weight, n_samples):
    """``None``, or a 1-D float array of non-negative, finite weights."""
    if sample_weight is None:
        return None
    sample_weight = column_or_1d(sample_weight).astype(np.float64)
    if sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sample_weight.shape[0]} values for "
            f"{n_samples} samples."
        )
    if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight must not be all zero.")
    return sample_weight


def _contains(classes, label):
    return any(label == c for c in np.asarray(classes).tolist())


def _binary_labels(y_true, y_pred, pos_label):
    """Return ``(neg_label, pos_label)``; ``neg_label`` is None if unknown.

    The labels are those of ``y_true`` (and ``y_pred`` when given). The
    positive class defaults to the greater of the two sorted labels, like
    ``classes_[1]`` of a fitted scikit-learn classifier. When only one label
    occurs, ``pos_label`` must be given unless the label is 0/1 or a bool, in
    which case the positive class is 1 (True).
    """
    arrays = [y_true] if y_pred is None else [y_true, y_pred]
    classes = unique_labels(*arrays)
    if classes.size > 2:
        names = "y_true and y_pred together hold" if y_pred is not None else (
            "y_true has"
        )
        raise ValueError(
            "Only binary classification is supported. "
            f"{names} {classes.size} labels: {classes.tolist()}."
        )
    if classes.size == 2:
        if pos_label is None:
            pos_label = classes[1]
        elif not _contains(classes, pos_label):
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label. It should be one "
                f"of {classes.tolist()}."
            )
        else:  # the label as spelled in the data: True rather than 1
            pos_label = classes[0] if pos_label == classes[0] else classes[1]
        neg_label = classes[0] if pos_label == classes[1] else classes[1]
        return neg_label, pos_label

    only = classes[0]
    zero_one = classes.dtype.kind in "biuf" and _py(only) in (0, 1)
    if pos_label is None:
        if not zero_one:
            raise ValueError(
                f"y_true holds a single label {_label(only)}, so the positive "
                "class cannot be inferred: pass pos_label=."
            )
        pos_label = classes.dtype.type(1)
    if pos_label != only:
        return only, pos_label
    if zero_one:
        return classes.dtype.type(1 - _py(only)), pos_label
    return None, pos_label


def _is_label(y, label):
    """Boolean mask of the samples of ``y`` equal to ``label``."""
    return np.asarray(y == label, dtype=bool).reshape(-1)


def _check_known_labels(y, name, neg_label, pos_label):
    """Refuse labels of ``y`` that are neither the positive nor the negative."""
    known = [pos_label] if neg_label is None else [neg_label, pos_label]
    unknown = [c for c in np.unique(y).tolist() if not _contains(known, c)]
    if neg_label is not None and unknown:
        raise ValueError(
            f"{name} has labels {unknown} that are not among the labels of the "
            f"test data {[_py(c) for c in known]}."
        )


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


def _count_shared_rows(X_train, X_test):
    """``(n_shared, n_test)``: rows of ``X_test`` equal to a row of ``X_train``.

    Numeric rows are compared as float64 bytes (so ``1`` equals ``1.0`` and
    ``-0.0`` equals ``0.0``); other rows as tuples of Python values. Each row
    is hashed once, so this is linear in the number of rows.
    """
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
# Private helpers: metrics
# --------------------------------------------------------------------------- #
def _f1(is_pos, pred_pos):
    """F1 of the positive class (0.0 when there is no positive at all)."""
    tp = np.sum(is_pos & pred_pos)
    return _div(2 * tp, np.sum(is_pos) + np.sum(pred_pos))


def _both_classes(is_pos, sample_weight):
    w = np.ones(is_pos.shape[0]) if sample_weight is None else sample_weight
    return w[is_pos].sum() > 0 and w[~is_pos].sum() > 0


def _threshold_curve(is_pos, y_score, sample_weight):
    """Counts at every distinct score used as threshold, ascending.

    Returns ``(thresholds, tps, fps, n_pos)`` where ``tps[i]`` (``fps[i]``) is
    the weight of the positives (negatives) with ``y_score >= thresholds[i]``.
    The thresholds are the distinct values of ``y_score``, the thresholds of
    :func:`sklearn.metrics.precision_recall_curve`. Without weights the counts
    are integers, so precision, recall and F1 computed from them equal those
    of :func:`sklearn.metrics.precision_score` and friends to the last bit.
    """
    if sample_weight is None:
        weight = np.ones(is_pos.shape[0], dtype=np.int64)
    else:
        weight = sample_weight
    order = np.argsort(y_score, kind="stable")
    sorted_score = y_score[order]
    pos_weight = np.where(is_pos, weight, 0)[order]
    neg_weight = np.where(is_pos, 0, weight)[order]
    # Weight at or above each position: cumulative sums from the top.
    tp_above = np.cumsum(pos_weight[::-1])[::-1]
    fp_above = np.cumsum(neg_weight[::-1])[::-1]
    thresholds, first = np.unique(sorted_score, return_index=True)
    return thresholds, tp_above[first], fp_above[first], pos_weight.sum()


# --------------------------------------------------------------------------- #
# Private helpers: warnings
# --------------------------------------------------------------------------- #
def _imbalance_warning(prevalence, neg_label, pos_label, imbalance_ratio):
    if prevalence in (0.0, 1.0):
        present = pos_label if prevalence == 1.0 else neg_label
        missing = neg_label if prevalence == 1.0 else pos_label
        missing = "" if missing is None else f" (no {_label(missing)})"
        return (
            f"One class only in y_true: every sample is {_label(present)}"
            f"{missing}, so ROC-AUC and average precision are undefined and "
            "these data cannot show how well the classes are told apart."
        )
    minority_rate = min(prevalence, 1.0 - prevalence)
    if minority_rate >= imbalance_ratio:
        return None
    minority = pos_label if prevalence <= 0.5 else neg_label
    return (
        f"Strong class imbalance: {_label(minority)} is only "
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
    always = f"always predicting {_label(majority)}"
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
        f"Accuracy paradox: {head}; recall on {_label(minority)} is "
        f"{only}{minority_recall:.3f}."
    )


def _single_prediction_warning(pred_pos, y_score, threshold, neg_label, pos_label):
    if pred_pos.all():
        predicted = _label(pos_label)
    elif not pred_pos.any():
        predicted = (
            f"not {_label(pos_label)}" if neg_label is None else _label(neg_label)
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


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #
@dataclass(frozen=True, eq=False, repr=False)
class BinaryReport:
    """Metrics and warnings for a binary classifier on one data set.

    Returned by :func:`binary_report` (and, at the chosen threshold, by
    :func:`choose_threshold`); not meant to be built directly. Print it for a
    readable summary, or use :meth:`to_dict` and :meth:`to_frame`.

    Attributes
    ----------
    pos_label : int, float, bool or str
        The positive class.
    neg_label : int, float, bool, str or None
        The negative class; None when ``y_true`` (and ``y_pred``) hold only
        the positive label, so the other label is unknown.
    threshold : float or None
        Threshold applied to the scores (``y_score >= threshold`` is
        positive); None when hard predictions were given.
    n_samples : int
        Number of samples.
    confusion_matrix : ndarray of shape (2, 2)
        Counts in scikit-learn's layout: rows are the true classes
        ``[neg_label, pos_label]``, columns the predicted ones, so
        ``[[tn, fp], [fn, tp]]``. Floats when ``sample_weight`` was given.
    tp, fp, fn, tn : int or float
        True positives, false positives, false negatives, true negatives
        (sums of weights when ``sample_weight`` was given).
    precision, recall, f1, specificity : float
        Of the positive class (specificity is the recall of the negative
        class); 0.0 where undefined (``zero_division=0``).
    accuracy : float
        Fraction of correct predictions.
    balanced_accuracy : float
        Mean recall over the classes present in ``y_true``, as
        :func:`sklearn.metrics.balanced_accuracy_score`.
    prevalence : float
        Fraction of positives in ``y_true``.
    roc_auc, average_precision : float or None
        ROC-AUC and average precision (PR-AUC) of the scores; None without
        scores or when ``y_true`` holds one class.
    log_loss, brier_score : float or None
        Log loss and Brier score of the scores; None without scores.
    train_f1, train_roc_auc : float or None
        The same metrics on the training data, when it was given.
    n_duplicate_rows : int or None
        Rows of ``X_test`` that also occur in ``X_train``; None unless both
        were given.
    warnings : list of str
        Plain-language warnings, each with its numbers; empty when nothing
        looks wrong.

    See Also
    --------
    binary_report : Build the report.

    Examples
    --------
    >>> from skbinary.metrics import binary_report
    >>> report = binary_report([0, 0, 1, 1], y_pred=[0, 1, 1, 1])
    >>> report.confusion_matrix
    array([[1, 1],
           [0, 2]])
    >>> report.to_dict()["precision"]
    0.6666666666666666
    """

    pos_label: object
    neg_label: object
    threshold: object
    n_samples: int
    confusion_matrix: np.ndarray
    tp: object
    fp: object
    fn: object
    tn: object
    precision: float
    recall: float
    f1: float
    accuracy: float
    balanced_accuracy: float
    specificity: float
    prevalence: float
    roc_auc: object
    average_precision: object
    log_loss: object
    brier_score: object
    train_f1: object
    train_roc_auc: object
    n_duplicate_rows: object
    warnings: list

    def to_dict(self):
        """Return the report as a dict of plain Python values.

        Numpy scalars become Python ``int``, ``float``, ``bool`` or ``str``, so
        the dict can be written with :func:`json.dumps` or sent to a logger.

        Returns
        -------
        report : dict
            Keys ``pos_label``, ``neg_label``, then the counts and metrics
            (``tp`` ... ``n_duplicate_rows``, None where not computed) as
            Python ``int``/``float``, and ``warnings`` as a list of str.

        See Also
        --------
        BinaryReport.to_frame : The numbers as a pandas DataFrame.

        Examples
        --------
        >>> from skbinary.metrics import binary_report
        >>> y_true, y_pred = ["ham", "spam", "spam"], ["ham", "spam", "ham"]
        >>> d = binary_report(y_true, y_pred=y_pred).to_dict()
        >>> d["pos_label"], d["tp"], d["fn"], round(d["recall"], 2)
        ('spam', 1, 1, 0.5)
        """
        out = {"pos_label": _py(self.pos_label), "neg_label": _py(self.neg_label)}
        for name in _NUMERIC_FIELDS:
            out[name] = _py(getattr(self, name))
        out["warnings"] = list(self.warnings)
        return out

    def to_frame(self):
        """Return the numbers of the report as a pandas DataFrame.

        Requires pandas, which is imported only here.

        Returns
        -------
        frame : pandas.DataFrame
            One row per count or metric (index ``metric``), one float column
            ``"value"``; NaN where a metric was not computed. The labels and
            warnings are in :meth:`to_dict`.

        See Also
        --------
        BinaryReport.to_dict : The report as plain Python values.

        Examples
        --------
        >>> from skbinary.metrics import binary_report
        >>> frame = binary_report([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6]).to_frame()
        >>> frame.loc[["recall", "roc_auc"], "value"].round(3).tolist()
        [0.5, 0.75]
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the test extra
            raise ImportError(
                "BinaryReport.to_frame requires pandas: pip install pandas"
            ) from exc
        values = [
            np.nan if getattr(self, name) is None else float(getattr(self, name))
            for name in _NUMERIC_FIELDS
        ]
        return pd.DataFrame(
            {"value": values}, index=pd.Index(_NUMERIC_FIELDS, name="metric")
        )

    def _table(self):
        """The confusion matrix as lines of text, labelled with the class names."""
        pos = str(_py(self.pos_label))
        neg = f"not {pos}" if self.neg_label is None else str(_py(self.neg_label))
        rows = [f"actual {neg}", f"actual {pos}"]
        cols = [f"predicted {neg}", f"predicted {pos}"]
        cells = [
            [f"TN = {_count(self.tn)}", f"FP = {_count(self.fp)}"],
            [f"FN = {_count(self.fn)}", f"TP = {_count(self.tp)}"],
        ]
        w0 = max(map(len, rows))
        w1, w2 = (max(len(cols[j]), len(cells[0][j]), len(cells[1][j])) for j in (0, 1))
        lines = [f"{'':<{w0}}  {cols[0]:>{w1}}  {cols[1]:>{w2}}"]
        for row, (left, right) in zip(rows, cells):
            lines.append(f"{row:<{w0}}  {left:>{w1}}  {right:>{w2}}")
        return lines

    def __str__(self):
        header = (
            f"Binary classification report: positive class {_label(self.pos_label)}, "
            f"{self.n_samples} samples, "
        )
        if self.threshold is None:
            header += "predicted labels"
        else:
            header += f"threshold {self.threshold:g}"
        lines = [header, "", *self._table(), ""]
        train = [m for m in ("train_f1", "train_roc_auc")
                 if getattr(self, m) is not None]
        names = list(_PRINTED_METRICS) + train
        for name in names:
            value = getattr(self, name)
            lines.append(f"  {name:<18} {'n/a' if value is None else f'{value:.3f}'}")
        if self.n_duplicate_rows is not None:
            lines.append(f"  {'n_duplicate_rows':<18} {self.n_duplicate_rows}")
        lines.append("")
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {warning}" for warning in self.warnings]
        else:
            lines.append("Warnings: none")
        return "\n".join(lines)

    __repr__ = __str__


def binary_report(
    y_true,
    y_score=None,
    *,
    y_pred=None,
    threshold=0.5,
    pos_label=None,
    sample_weight=None,
    y_train_true=None,
    y_train_score=None,
    y_train_pred=None,
    X_train=None,
    X_test=None,
    imbalance_ratio=0.2,
    paradox_margin=0.02,
    low_recall=0.5,
    overfit_gap=0.1,
    perfect_score=0.999,
):
    """Evaluate a binary classifier: confusion matrix, metrics and warnings.

    Give either scores ``y_score`` (the probability of the positive class,
    such as ``predict_proba(X)[:, 1]``) or hard predictions ``y_pred``. Scores
    predict the positive class when ``y_score >= threshold``: the convention
    of :class:`sklearn.model_selection.FixedThresholdClassifier` and of
    :func:`sklearn.metrics.precision_recall_curve`, so the report at
    ``threshold=t`` describes exactly the predictions of
    ``FixedThresholdClassifier(estimator, threshold=t)``.

    Metrics that are undefined (a zero denominator: precision without
    predicted positives, recall without actual positives, ...) are 0.0, the
    ``zero_division=0`` of :func:`sklearn.metrics.precision_score`.

    Read more in the user guide (:ref:`evaluation`).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: two distinct values (ints, bools or strings).
    y_score : array-like of shape (n_samples,), default=None
        Probabilities of the positive class, in [0, 1]. Exactly one of
        ``y_score`` and ``y_pred`` must be given.
    y_pred : array-like of shape (n_samples,), default=None
        Predicted labels, the same kind of labels as ``y_true``.
    threshold : float, default=0.5
        Decision threshold in [0, 1]: ``y_score >= threshold`` is positive.
        Ignored with ``y_pred`` (the report's ``threshold`` is then None);
        also applied to ``y_train_score``. For a fitted
        ``KerasBinaryClassifier``, pass its ``threshold_`` (the threshold its
        ``predict`` applies, learned in ``fit`` for an objective).
    pos_label : int, float, bool or str, default=None
        The positive class. Defaults to the greater of the two sorted labels,
        ``classes_[1]`` of a fitted scikit-learn classifier. When ``y_true``
        (and ``y_pred``) hold a single label it must be given, unless that
        label is 0/1 or a bool: the positive class is then 1 (True).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the test samples; the counts become sums of weights.
        The training metrics are not weighted.
    y_train_true : array-like of shape (n_train,), default=None
        True labels of the training data. Give it with ``y_train_score`` or
        ``y_train_pred`` to check for overfitting.
    y_train_score : array-like of shape (n_train,), default=None
        Probabilities of the positive class on the training data.
    y_train_pred : array-like of shape (n_train,), default=None
        Predicted labels on the training data.
    X_train, X_test : array-like of shape (n_train, n_features) and \
(n_samples, n_features), default=None
        Dense feature matrices (numpy or pandas). When both are given, the
        rows of ``X_test`` that also occur in ``X_train`` (exact matches of
        whole rows, found by hashing) are counted.
    imbalance_ratio : float, default=0.2
        Warn about strong class imbalance when the minority class is less
        than this fraction of ``y_true``.
    paradox_margin : float, default=0.02
        Warn about the accuracy paradox when the accuracy is at most the
        majority-class rate (the accuracy of always predicting the majority
        class) plus this margin.
    low_recall : float, default=0.5
        Also warn about the accuracy paradox when the accuracy is at least
        the majority-class rate but the recall of the minority class (the
        positive class in the usual setup) is below this value.
    overfit_gap : float, default=0.1
        Warn about overfitting when the training F1 (or ROC-AUC, when both
        training and test scores are given) exceeds the test one by more than
        this.
    perfect_score : float, default=0.999
        Warn about possible leakage when the test F1 or ROC-AUC is at least
        this.

    Returns
    -------
    report : BinaryReport
        Counts, metrics and the list of warnings. ``print(report)`` shows the
        confusion matrix labelled with the class names, the metrics and the
        warnings.

    Raises
    ------
    ValueError
        If neither or both of ``y_score`` and ``y_pred`` are given, if the
        labels are not binary, if ``pos_label`` is not one of them, or if the
        scores are not probabilities.

    See Also
    --------
    choose_threshold : Choose the threshold for a target recall or precision.
    sklearn.metrics.classification_report : Per-class text report.
    sklearn.metrics.confusion_matrix : The matrix in ``report.confusion_matrix``.

    Notes
    -----
    The warnings, each with its numbers:

    * Accuracy paradox: the accuracy is at most the majority-class rate plus
      ``paradox_margin``, or it is at least that rate while the recall of the
      minority class is below ``low_recall``.
    * Strong class imbalance: the minority class is less than
      ``imbalance_ratio`` of ``y_true`` (or ``y_true`` holds one class).
    * One class only: every sample is predicted the same class.
    * Overfitting: training minus test F1 (and ROC-AUC) is more than
      ``overfit_gap``.
    * Suspiciously perfect: test F1 or ROC-AUC at least ``perfect_score``;
      and, separately, any row of ``X_test`` found in ``X_train``.

    Examples
    --------
    >>> from skbinary.metrics import binary_report
    >>> y_true = ["ham"] * 6 + ["spam"] * 4
    >>> y_score = [0.1, 0.2, 0.2, 0.3, 0.4, 0.7, 0.3, 0.6, 0.8, 0.9]
    >>> report = binary_report(y_true, y_score, pos_label="spam")
    >>> print(report)
    Binary classification report: positive class 'spam', 10 samples, threshold 0.5
    <BLANKLINE>
                 predicted ham  predicted spam
    actual ham          TN = 5          FP = 1
    actual spam         FN = 1          TP = 3
    <BLANKLINE>
      precision          0.750
      recall             0.750
      f1                 0.750
      accuracy           0.800
      balanced_accuracy  0.792
      specificity        0.833
      prevalence         0.400
      roc_auc            0.854
      average_precision  0.830
      log_loss           0.467
      brier_score        0.153
    <BLANKLINE>
    Warnings: none
    >>> report.tp, report.fp, round(report.precision, 3)
    (3, 1, 0.75)

    A model that ignores a rare class:

    >>> report = binary_report([0] * 95 + [1] * 5, y_pred=[0] * 100)
    >>> for warning in report.warnings:
    ...     print(warning.split(":")[0])
    Strong class imbalance
    Accuracy paradox
    One class only in the predictions
    >>> print(report.warnings[1])  # doctest: +NORMALIZE_WHITESPACE
    Accuracy paradox: accuracy 0.950 is no better than the 0.950 you get by
    always predicting 0; recall on 1 is only 0.000.
    """
    if (y_score is None) == (y_pred is None):
        given = "neither" if y_score is None else "both"
        raise ValueError(
            "Pass exactly one of y_score (probabilities of the positive class, "
            "such as predict_proba(X)[:, 1]) and y_pred (predicted labels); got "
            f"{given}."
        )
    threshold = _check_fraction(threshold, "threshold")
    imbalance_ratio = check_scalar(
        imbalance_ratio, "imbalance_ratio", target_type=numbers.Real,
        min_val=0.0, max_val=0.5, include_boundaries="right",
    )
    paradox_margin = _check_fraction(paradox_margin, "paradox_margin")
    low_recall = _check_fraction(low_recall, "low_recall")
    overfit_gap = _check_fraction(overfit_gap, "overfit_gap")
    perfect_score = _check_fraction(perfect_score, "perfect_score", low_open=True)

    y_true = _check_labels_1d(y_true, "y_true")
    if y_score is not None:
        y_score = _check_scores(y_score, "y_score")
        check_consistent_length(y_true, y_score)
    else:
        y_pred = _check_labels_1d(y_pred, "y_pred")
        check_consistent_length(y_true, y_pred)
    n_samples = y_true.shape[0]
    sample_weight = _check_sample_weight(sample_weight, n_samples)
    neg_label, pos_label = _binary_labels(y_true, y_pred, pos_label)

    # --- test metrics -------------------------------------------------------
    is_pos = _is_label(y_true, pos_label)
    if y_score is not None:
        pred_pos = y_score >= threshold
    else:
        pred_pos = _is_label(y_pred, pos_label)
    cm = confusion_matrix(is_pos, pred_pos, labels=[False, True],
                          sample_weight=sample_weight)
    if sample_weight is not None:
        cm = cm.astype(np.float64)
    tn, fp, fn, tp = (_py(v) for v in cm.ravel())
    total = tn + fp + fn + tp
    recall = _div(tp, tp + fn)
    specificity = _div(tn, tn + fp)
    prevalence = _div(tp + fn, total)
    present = [r for r, n in ((recall, tp + fn), (specificity, tn + fp)) if n > 0]
    metrics = dict(
        precision=_div(tp, tp + fp),
        recall=recall,
        f1=_div(2 * tp, 2 * tp + fp + fn),
        accuracy=_div(tp + tn, total),
        balanced_accuracy=float(np.mean(present)),
        specificity=specificity,
        prevalence=prevalence,
        roc_auc=None,
        average_precision=None,
        log_loss=None,
        brier_score=None,
    )
    if y_score is not None:
        if _both_classes(is_pos, sample_weight):
            metrics["roc_auc"] = float(
                roc_auc_score(is_pos, y_score, sample_weight=sample_weight)
            )
            metrics["average_precision"] = float(
                average_precision_score(is_pos, y_score, sample_weight=sample_weight)
            )
        metrics["log_loss"] = float(
            log_loss(is_pos, y_score, labels=[False, True], sample_weight=sample_weight)
        )
        metrics["brier_score"] = float(
            brier_score_loss(
                is_pos, y_score, sample_weight=sample_weight, pos_label=True
            )
        )

    # --- training metrics ---------------------------------------------------
    train_f1 = train_roc_auc = None
    if any(y is not None for y in (y_train_true, y_train_score, y_train_pred)):
        if y_train_true is None or (y_train_score is None) == (y_train_pred is None):
            raise ValueError(
                "To check for overfitting, pass y_train_true together with "
                "exactly one of y_train_score and y_train_pred."
            )
        y_train_true = _check_labels_1d(y_train_true, "y_train_true")
        _check_known_labels(y_train_true, "y_train_true", neg_label, pos_label)
        train_is_pos = _is_label(y_train_true, pos_label)
        if y_train_score is not None:
            y_train_score = _check_scores(y_train_score, "y_train_score")
            check_consistent_length(y_train_true, y_train_score)
            train_pred_pos = y_train_score >= threshold
            if y_score is not None and _both_classes(train_is_pos, None):
                train_roc_auc = float(roc_auc_score(train_is_pos, y_train_score))
        else:
            y_train_pred = _check_labels_1d(y_train_pred, "y_train_pred")
            check_consistent_length(y_train_true, y_train_pred)
            _check_known_labels(y_train_pred, "y_train_pred", neg_label, pos_label)
            train_pred_pos = _is_label(y_train_pred, pos_label)
        train_f1 = _f1(train_is_pos, train_pred_pos)

    # --- duplicated rows ----------------------------------------------------
    n_duplicate_rows = n_test_rows = None
    if (X_train is None) != (X_test is None):
        raise ValueError("Pass X_train and X_test together to look for shared rows.")
    if X_train is not None:
        n_duplicate_rows, n_test_rows = _count_shared_rows(X_train, X_test)

    # --- warnings -----------------------------------------------------------
    found = [
        _imbalance_warning(prevalence, neg_label, pos_label, imbalance_ratio),
        _paradox_warning(
            metrics["accuracy"], prevalence, recall, specificity, neg_label,
            pos_label, paradox_margin, low_recall,
        ),
        _single_prediction_warning(pred_pos, y_score, threshold, neg_label, pos_label),
        _overfit_warning(
            metrics["f1"], train_f1, metrics["roc_auc"], train_roc_auc, overfit_gap
        ),
        _perfection_warning(metrics["f1"], metrics["roc_auc"], perfect_score),
        _duplicate_warning(n_duplicate_rows, n_test_rows),
    ]

    return BinaryReport(
        pos_label=_py(pos_label),
        neg_label=_py(neg_label),
        threshold=float(threshold) if y_score is not None else None,
        n_samples=n_samples,
        confusion_matrix=cm,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        **metrics,
        train_f1=train_f1,
        train_roc_auc=train_roc_auc,
        n_duplicate_rows=n_duplicate_rows,
        warnings=[w for w in found if w is not None],
    )


@dataclass(frozen=True, eq=False, repr=False)
class ThresholdChoice:
    """A decision threshold chosen by :func:`choose_threshold`, and its metrics.

    Not meant to be built directly.

    Attributes
    ----------
    threshold : float
        The chosen threshold, one of the score values: predict the positive
        class when ``y_score >= threshold`` (as
        ``FixedThresholdClassifier(estimator, threshold=threshold)`` does).
    precision, recall, f1 : float
        Of the positive class at that threshold, on the data given.
    objective : {"target_recall", "target_precision", "f1"}
        What was asked for.
    target : float or None
        The target recall or precision; None for ``"f1"``.
    report : BinaryReport
        The full report at the chosen threshold (same data, labels and
        weights, default warning settings).

    See Also
    --------
    choose_threshold : Make the choice.

    Examples
    --------
    >>> from skbinary.metrics import choose_threshold
    >>> choice = choose_threshold([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.8])
    >>> choice
    ThresholdChoice(threshold=0.4, precision=0.6667, recall=1.0, f1=0.8, objective='f1')
    >>> choice.report.fp
    1
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    objective: str
    target: object
    report: BinaryReport

    def __repr__(self):
        def short(value):
            return repr(round(value, 4))

        target = "" if self.target is None else f", target={short(self.target)}"
        return (
            f"ThresholdChoice(threshold={short(self.threshold)}, "
            f"precision={short(self.precision)}, recall={short(self.recall)}, "
            f"f1={short(self.f1)}, objective={self.objective!r}{target})"
        )


def choose_threshold(
    y_true,
    y_score,
    *,
    target_recall=None,
    target_precision=None,
    pos_label=None,
    sample_weight=None,
):
    """Choose a decision threshold for a target recall or precision, or best F1.

    The candidates are the distinct values of ``y_score`` (the thresholds of
    :func:`sklearn.metrics.precision_recall_curve`); a sample is predicted
    positive when ``y_score >= threshold``. One of three modes:

    * ``target_recall=r``: among the thresholds with recall >= ``r``, the one
      with the best precision. This is the highest threshold that reaches
      ``r``, unless a lower one has strictly better precision (and so better
      recall as well).
    * ``target_precision=p``: among the thresholds with precision >= ``p``,
      the one with the best recall, that is the lowest threshold reaching
      ``p``, moved up past samples that are only negatives (same recall,
      better precision).
    * neither: the threshold that maximises F1; ties go to the lowest
      threshold, as ``TunedThresholdClassifierCV(scoring="f1",
      thresholds=candidates)`` does with ascending candidates.

    Choose the threshold on data the model was not trained on (a validation
    set or out-of-fold predictions), never on the test set.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: two distinct values (ints, bools or strings).
    y_score : array-like of shape (n_samples,)
        Probabilities of the positive class, in [0, 1], such as
        ``predict_proba(X)[:, 1]``.
    target_recall : float, default=None
        Minimum recall of the positive class, in [0, 1].
    target_precision : float, default=None
        Minimum precision of the positive class, in [0, 1]. At most one of
        ``target_recall`` and ``target_precision`` may be given.
    pos_label : int, float, bool or str, default=None
        The positive class; defaults to the greater of the two sorted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    choice : ThresholdChoice
        ``threshold``, ``precision``, ``recall`` and ``f1`` at the threshold,
        and ``report``, the :class:`BinaryReport` there.

    Raises
    ------
    ValueError
        If both targets are given, if the target cannot be reached (the
        message gives the best achievable value), or if ``y_true`` holds no
        positive sample.

    See Also
    --------
    binary_report : The report at a given threshold.
    sklearn.model_selection.TunedThresholdClassifierCV : Tune the threshold
        for a score by cross-validation.
    sklearn.model_selection.FixedThresholdClassifier : Apply the chosen
        threshold to a classifier.

    Examples
    --------
    >>> from skbinary.metrics import choose_threshold
    >>> y_true = [0, 0, 0, 0, 1, 0, 1, 1, 0, 1]
    >>> y_score = [0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    >>> choose_threshold(y_true, y_score, target_recall=0.75)
    ... # doctest: +NORMALIZE_WHITESPACE
    ThresholdChoice(threshold=0.6, precision=0.75, recall=0.75, f1=0.75,
                    objective='target_recall', target=0.75)
    >>> choose_threshold(y_true, y_score, target_precision=0.7).threshold
    0.6
    >>> choose_threshold(y_true, y_score).threshold
    0.4
    """
    if target_recall is not None and target_precision is not None:
        raise ValueError(
            "Pass at most one of target_recall and target_precision (neither "
            "maximises F1)."
        )
    if target_recall is not None:
        objective = "target_recall"
        target = _check_fraction(target_recall, "target_recall")
    elif target_precision is not None:
        objective = "target_precision"
        target = _check_fraction(target_precision, "target_precision")
    else:
        objective, target = "f1", None

    y_true = _check_labels_1d(y_true, "y_true")
    y_score = _check_scores(y_score, "y_score")
    check_consistent_length(y_true, y_score)
    sample_weight = _check_sample_weight(sample_weight, y_true.shape[0])
    _, pos_label = _binary_labels(y_true, None, pos_label)
    is_pos = _is_label(y_true, pos_label)

    thresholds, tps, fps, n_pos = _threshold_curve(is_pos, y_score, sample_weight)
    if not n_pos > 0:
        raise ValueError(
            f"y_true has no sample of the positive class {_label(pos_label)}: "
            "recall, and so the threshold, is undefined."
        )
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros(len(tps)), where=predicted > 0)
    recall = tps / n_pos
    f1 = 2.0 * tps / (n_pos + predicted)  # sklearn's formula: exact on counts

    def best(ok, *keys):
        """Index of the best candidate in ``ok``, by ``keys`` in priority order."""
        idx = np.flatnonzero(ok)
        order = np.lexsort(tuple(key[idx] for key in reversed(keys)))
        return idx[order[-1]]

    if objective == "target_recall":
        ok = recall >= target
        if not ok.any():  # only possible with zero weights
            raise ValueError(
                f"No threshold reaches recall {target:g}: the best achievable "
                f"recall is {recall.max():.3f}."
            )
        i = best(ok, precision, recall, thresholds)
    elif objective == "target_precision":
        ok = precision >= target
        if not ok.any():
            j = int(np.argmax(precision))
            raise ValueError(
                f"No threshold reaches precision {target:g}: the best achievable "
                f"precision is {precision[j]:.3f} (at threshold "
                f"{thresholds[j]:.4g}, recall {recall[j]:.3f})."
            )
        i = best(ok, recall, precision, thresholds)
    else:
        i = int(np.argmax(f1))

    threshold = float(thresholds[i])
    report = binary_report(
        y_true, y_score, threshold=threshold, pos_label=pos_label,
        sample_weight=sample_weight,
    )
    return ThresholdChoice(
        threshold=threshold,
        precision=float(precision[i]),
        recall=float(recall[i]),
        f1=float(f1[i]),
        objective=objective,
        target=None if target is None else float(target),
        report=report,
    )
