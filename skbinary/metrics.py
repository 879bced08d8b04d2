"""The truth about a binary classifier: a report, its warnings, and thresholds.

Built on :mod:`sklearn.metrics` and numpy; no Keras import. Works with any
binary classifier's scores or predictions, not only skbinary's.
"""

__all__ = ["BinaryReport", "ThresholdChoice", "binary_report", "choose_threshold"]

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
)

_FIELDS = ("tp", "fp", "fn", "tn", "precision", "recall", "f1", "accuracy",
           "balanced_accuracy", "specificity", "prevalence", "roc_auc",
           "average_precision", "log_loss", "brier_score")


def _ratio(num, den):
    """``num / den``, or 0.0 where the denominator is zero (``zero_division=0``)."""
    return float(num) / float(den) if den else 0.0


def _labels(y_true, y_other, pos_label):
    """The (negative, positive) labels; raise for more than two."""
    values = np.unique(np.concatenate([np.asarray(y_true).ravel(),
                                       np.asarray(y_other).ravel()]))
    if len(values) > 2:
        raise ValueError(
            "Only binary classification is supported: found labels "
            f"{list(values)!r}."
        )
    if pos_label is None:
        if len(values) == 2:
            pos_label = values[1]
        elif len(values) == 1 and values[0] in (1, True):
            pos_label = values[0]
        else:
            raise ValueError(
                f"y_true holds the single label {values[0]!r}: pass pos_label to say "
                "which label is positive."
            )
    others = [v for v in values if v != pos_label]
    neg_label = others[0] if others else None
    return neg_label, pos_label


@dataclass
class BinaryReport:
    """Metrics of a binary classifier on one data set, with plain-language warnings.

    Created by :func:`binary_report`. Counts are integers (weighted sums when
    ``sample_weight`` was given); every ratio uses ``zero_division=0``. The
    score-based metrics (``roc_auc``, ``average_precision``, ``log_loss``,
    ``brier_score``) are None when only predictions were given, or when
    ``y_true`` holds one class.

    Attributes
    ----------
    tp, fp, fn, tn : int or float
        Confusion-matrix counts for the positive class.
    precision, recall, f1, accuracy, balanced_accuracy, specificity : float
    prevalence : float
        Share of positive rows in ``y_true``.
    roc_auc, average_precision, log_loss, brier_score : float or None
    threshold : float or None
        Threshold applied to the scores (None for predictions).
    pos_label, neg_label : label
        The positive label and the other one.
    n_samples : int
    warnings : list of str
        The traps this data shows, each with its numbers.
    """

    tp: float
    fp: float
    fn: float
    tn: float
    precision: float
    recall: float
    f1: float
    accuracy: float
    balanced_accuracy: float
    specificity: float
    prevalence: float
    roc_auc: object = None
    average_precision: object = None
    log_loss: object = None
    brier_score: object = None
    threshold: object = None
    pos_label: object = None
    neg_label: object = None
    n_samples: int = 0
    warnings: list = field(default_factory=list)

    @property
    def confusion_matrix(self):
        """ndarray of shape (2, 2): rows true [neg, pos], columns predicted."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]])

    def to_dict(self):
        """The report as plain Python values (warnings as a list of str)."""
        out = {name: _plain(getattr(self, name)) for name in _FIELDS}
        out.update(threshold=_plain(self.threshold), pos_label=_plain(self.pos_label),
                   neg_label=_plain(self.neg_label), n_samples=int(self.n_samples),
                   warnings=list(self.warnings))
        return out

    def to_frame(self):
        """The metrics as a pandas DataFrame: one row per metric, column "value"."""
        import pandas as pd

        values = {name: getattr(self, name) for name in _FIELDS}
        return pd.DataFrame({"value": list(values.values())}, index=list(values))

    def __str__(self):
        pos, neg = str(self.pos_label), str(self.neg_label)
        rows = [f"actual {neg}", f"actual {pos}"]
        cols = [f"predicted {neg}", f"predicted {pos}"]
        cells = [[f"TN = {_fmt_count(self.tn)}", f"FP = {_fmt_count(self.fp)}"],
                 [f"FN = {_fmt_count(self.fn)}", f"TP = {_fmt_count(self.tp)}"]]
        w0 = max(map(len, rows)) + 2
        w1, w2 = (max(len(cols[j]), *(len(r[j]) for r in cells)) + 2 for j in (0, 1))
        lines = [f"{'':<{w0}}{cols[0]:>{w1}}{cols[1]:>{w2}}"]
        lines += [f"{rows[i]:<{w0}}{cells[i][0]:>{w1}}{cells[i][1]:>{w2}}" for i in (0, 1)]
        lines.append("")
        header = f"positive class {pos!r}, {self.n_samples} samples"
        if self.threshold is not None:
            header += f", threshold {self.threshold:.4g}"
        lines.insert(0, header)
        for name in _FIELDS[4:]:
            value = getattr(self, name)
            if value is not None:
                lines.append(f"  {name:<18} {value:.3f}")
        lines.append("")
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  - {w}" for w in self.warnings)
        else:
            lines.append("Warnings: none")
        return "\n".join(lines)

    def __repr__(self):
        return (f"BinaryReport(precision={self.precision:.3f}, recall={self.recall:.3f}, "
                f"f1={self.f1:.3f}, accuracy={self.accuracy:.3f}, "
                f"warnings={len(self.warnings)})")


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _fmt_count(value):
    return f"{int(value)}" if float(value).is_integer() else f"{value:.2f}"


def _counts(is_pos_true, is_pos_pred, w):
    """TP, FP, FN, TN: ints, or weighted float sums when ``w`` is given."""
    cells = (is_pos_true & is_pos_pred, ~is_pos_true & is_pos_pred,
             is_pos_true & ~is_pos_pred, ~is_pos_true & ~is_pos_pred)
    if w is None:
        return [int(np.sum(c)) for c in cells]
    return [float(np.sum(w * c)) for c in cells]


def _scores_of(y_true, y_score, w, pos):
    """Score-based metrics, or Nones when y_true has a single class."""
    if len(np.unique(pos)) < 2:
        return dict(roc_auc=None, average_precision=None, log_loss=None, brier_score=None)
    return dict(
        roc_auc=float(roc_auc_score(pos, y_score, sample_weight=w)),
        average_precision=float(average_precision_score(pos, y_score, sample_weight=w)),
        log_loss=float(log_loss(pos, np.clip(y_score, 1e-15, 1 - 1e-15), sample_weight=w,
                                labels=[False, True])),
        brier_score=float(brier_score_loss(pos, y_score, sample_weight=w)),
    )


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
    """Report precision, recall, F1, the confusion matrix and the traps.

    Give either ``y_score`` (probability of the positive class, e.g.
    ``predict_proba(X)[:, 1]``) or ``y_pred`` (labels). Scores are turned into
    predictions with ``y_score >= threshold`` -> positive, the convention of
    scikit-learn's ``FixedThresholdClassifier`` and ``precision_recall_curve``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: two distinct values (ints, bools or strings).
    y_score : array-like of shape (n_samples,), default=None
        Scores of the positive class in [0, 1].
    y_pred : array-like of shape (n_samples,), default=None
        Predicted labels (instead of ``y_score``).
    threshold : float, default=0.5
        Threshold applied to ``y_score``.
    pos_label : label, default=None
        The positive label; by default the greater of the two sorted labels
        (scikit-learn's ``classes_[1]``).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows; counts become weighted sums.
    y_train_true, y_train_score, y_train_pred : array-like, default=None
        The same for the training data, to compare train and test (overfitting).
    X_train, X_test : array-like of shape (n, n_features), default=None
        Both feature matrices, to count test rows that also occur in training
        (leakage).
    imbalance_ratio : float, default=0.2
        Warn of strong imbalance when the minority class is below this share.
    paradox_margin : float, default=0.02
        Warn of the accuracy paradox when accuracy is at most the majority-class
        rate plus this margin.
    low_recall : float, default=0.5
        Also warn of the paradox when accuracy beats the majority rate but
        recall is below this.
    overfit_gap : float, default=0.1
        Warn of overfitting when a training score exceeds the test score by
        more than this (F1, and ROC-AUC with scores).
    perfect_score : float, default=0.999
        Warn of possible leakage when test F1 or ROC-AUC reaches this.

    Returns
    -------
    report : BinaryReport
        Metrics, confusion matrix and warnings; ``str(report)`` is readable
        text, ``report.to_dict()`` plain values, ``report.to_frame()`` a
        DataFrame.

    Examples
    --------
    >>> from skbinary.metrics import binary_report
    >>> y_true = [1] * 90 + [0] * 110
    >>> y_pred = [1] * 70 + [0] * 20 + [1] * 10 + [0] * 100
    >>> r = binary_report(y_true, y_pred=y_pred)
    >>> r.tp, r.fp, r.fn, r.tn
    (70, 10, 20, 100)
    >>> round(r.precision, 3), round(r.recall, 3), round(r.f1, 3), r.accuracy
    (0.875, 0.778, 0.824, 0.85)
    """
    if (y_score is None) == (y_pred is None):
        raise ValueError("Pass exactly one of y_score (scores) or y_pred (labels).")
    y_true = np.asarray(y_true).ravel()
    n = y_true.shape[0]
    w = None if sample_weight is None else np.asarray(sample_weight, float).ravel()
    if y_score is not None:
        y_score = np.asarray(y_score, dtype=float).ravel()
        if y_score.shape[0] != n:
            raise ValueError(f"y_true has {n} rows but y_score has {y_score.shape[0]}.")
        if not np.all(np.isfinite(y_score)):
            raise ValueError("y_score contains NaN or infinity.")
        neg_label, pos_label = _labels(y_true, [], pos_label)
        is_pred = y_score >= threshold
    else:
        y_pred = np.asarray(y_pred).ravel()
        if y_pred.shape[0] != n:
            raise ValueError(f"y_true has {n} rows but y_pred has {y_pred.shape[0]}.")
        neg_label, pos_label = _labels(y_true, y_pred, pos_label)
        is_pred = y_pred == pos_label
        threshold = None
    is_true = y_true == pos_label
    tp, fp, fn, tn = _counts(is_true, is_pred, w)
    total = tp + fp + fn + tn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    specificity = _ratio(tn, tn + fp)
    report = BinaryReport(
        tp=tp, fp=fp, fn=fn, tn=tn,
        precision=precision, recall=recall,
        f1=_ratio(2 * precision * recall, precision + recall),
        accuracy=_ratio(tp + tn, total),
        balanced_accuracy=(recall + specificity) / 2,
        specificity=specificity,
        prevalence=_ratio(tp + fn, total),
        threshold=threshold, pos_label=_plain(pos_label), neg_label=_plain(neg_label),
        n_samples=n,
        **(_scores_of(y_true, y_score, w, is_true) if y_score is not None else {}),
    )
    report.warnings = _warnings(
        report, is_pred, neg_label, pos_label,
        train=_train_report(y_train_true, y_train_score, y_train_pred, threshold, pos_label),
        X_train=X_train, X_test=X_test, imbalance_ratio=imbalance_ratio,
        paradox_margin=paradox_margin, low_recall=low_recall, overfit_gap=overfit_gap,
        perfect_score=perfect_score,
    )
    return report


def _train_report(y_true, y_score, y_pred, threshold, pos_label):
    if y_true is None or (y_score is None and y_pred is None):
        return None
    if y_score is not None:
        return binary_report(y_true, y_score, threshold=threshold if threshold is not None
                             else 0.5, pos_label=pos_label)
    return binary_report(y_true, y_pred=y_pred, pos_label=pos_label)


def _rows_shared(X_train, X_test):
    """Number of rows of X_test that also occur in X_train (exact match)."""
    a, b = np.asarray(X_train), np.asarray(X_test)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        return 0
    seen = {tuple(row) for row in a.tolist()}
    return sum(tuple(row) in seen for row in b.tolist())


def _warnings(r, is_pred, neg_label, pos_label, *, train, X_train, X_test,
              imbalance_ratio, paradox_margin, low_recall, overfit_gap, perfect_score):
    out = []
    neg_label, pos_label = r.neg_label, r.pos_label
    majority_rate = max(r.prevalence, 1 - r.prevalence)
    majority = pos_label if r.prevalence > 0.5 else neg_label
    if r.accuracy <= majority_rate + paradox_margin:
        out.append(
            f"Accuracy paradox: accuracy {r.accuracy:.3f} is no better than the "
            f"{majority_rate:.3f} you get by always predicting {majority!r} (margin "
            f"{paradox_margin}); judge the model by recall {r.recall:.3f} and "
            f"precision {r.precision:.3f} of {pos_label!r}."
        )
    elif r.recall < low_recall and r.prevalence < 0.5:
        out.append(
            f"Accuracy paradox: accuracy {r.accuracy:.3f} looks good, but recall on "
            f"{pos_label!r} is only {r.recall:.3f}: {r.fn} of {r.tp + r.fn} positives "
            "are missed."
        )
    minority = min(r.prevalence, 1 - r.prevalence)
    if minority < imbalance_ratio:
        out.append(
            f"Strong class imbalance: the minority class is {minority:.1%} of the data "
            f"(below {imbalance_ratio:.0%}); prefer precision, recall, F1 and PR-AUC "
            "to accuracy, and consider class_weight, resampling or a tuned threshold."
        )
    n_pos_pred = int(np.sum(is_pred))
    if n_pos_pred in (0, len(is_pred)) and len(is_pred):
        only = pos_label if n_pos_pred else neg_label
        out.append(f"One class only: the model predicts {only!r} for all "
                   f"{len(is_pred)} samples.")
    if train is not None:
        gaps = [("F1", train.f1, r.f1)]
        if train.roc_auc is not None and r.roc_auc is not None:
            gaps.append(("ROC-AUC", train.roc_auc, r.roc_auc))
        for name, tr, te in gaps:
            if tr - te > overfit_gap:
                out.append(
                    f"Overfitting: training {name} {tr:.3f} vs test {te:.3f} (gap "
                    f"{tr - te:.3f} > {overfit_gap}); try dropout, l2, early stopping "
                    "or a smaller network."
                )
    perfect = [(name, v) for name, v in (("F1", r.f1), ("ROC-AUC", r.roc_auc))
               if v is not None and v >= perfect_score]
    if perfect:
        what = ", ".join(f"{name} {v:.4f}" for name, v in perfect)
        out.append(
            f"Suspiciously perfect: test {what} (>= {perfect_score}); check for "
            "leakage (a feature derived from the target, duplicated rows, or "
            "preprocessing fitted before the split)."
        )
    if X_train is not None and X_test is not None:
        shared = _rows_shared(X_train, X_test)
        if shared:
            n_test = len(np.asarray(X_test))
            out.append(
                f"Possible leakage: {shared} of {n_test} test rows ({shared / n_test:.1%}) "
                "also occur in the training data."
            )
    return out


@dataclass
class ThresholdChoice:
    """A decision threshold and the metrics it gives, from :func:`choose_threshold`.

    Attributes
    ----------
    threshold : float
        Predict positive where ``y_score >= threshold``.
    precision, recall, f1 : float
        On the data the threshold was chosen on.
    report : BinaryReport
        The full report at that threshold.
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    report: BinaryReport


def choose_threshold(y_true, y_score, *, target_recall=None, target_precision=None,
                     pos_label=None, sample_weight=None):
    """Choose a decision threshold for a target recall, a target precision, or F1.

    Candidates are the distinct score values, as in
    ``sklearn.metrics.precision_recall_curve``, with ``y_score >= threshold``
    counted positive. Choose on validation or out-of-fold scores, never on the
    test set. Inside a pipeline, use the result with
    ``FixedThresholdClassifier(estimator, threshold=t)`` or the estimator's
    ``threshold`` parameter; ``TunedThresholdClassifierCV`` does the F1 search
    with cross-validation.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class.
    target_recall : float, default=None
        Return the highest threshold whose recall is at least this (the best
        precision among them): the cancer-screening case.
    target_precision : float, default=None
        Return the lowest threshold whose precision is at least this (the best
        recall among them): the spam-filter case.
    pos_label : label, default=None
        The positive label (default: the greater of the two sorted labels).
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    choice : ThresholdChoice
        The threshold, its precision, recall and F1, and the full report.
        With neither target, the threshold maximising F1.

    Raises
    ------
    ValueError
        If both targets are given, or the target cannot be reached (the message
        gives the best reachable value).

    Examples
    --------
    >>> from skbinary.metrics import choose_threshold
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> s = [0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.7, 0.9]
    >>> c = choose_threshold(y, s, target_recall=1.0)
    >>> c.threshold, c.recall, round(c.precision, 3)
    (0.35, 1.0, 0.8)
    >>> choose_threshold(y, s, target_precision=1.0).threshold
    0.6
    """
    if target_recall is not None and target_precision is not None:
        raise ValueError("Pass at most one of target_recall and target_precision.")
    y_true = np.asarray(y_true).ravel()
    y_score = np.asarray(y_score, dtype=float).ravel()
    _, pos_label = _labels(y_true, [], pos_label)
    precision, recall, thresholds = precision_recall_curve(
        y_true, y_score, pos_label=pos_label, sample_weight=sample_weight)
    precision, recall = precision[:-1], recall[:-1]  # one per threshold, increasing
    if target_recall is not None:
        ok = np.flatnonzero(recall >= target_recall)
        if not len(ok):
            raise ValueError(f"No threshold reaches recall {target_recall}; the best is "
                             f"{recall.max():.3f}.")
        i = ok[-1]  # highest threshold that still reaches the recall
    elif target_precision is not None:
        ok = np.flatnonzero(precision >= target_precision)
        if not len(ok):
            raise ValueError(f"No threshold reaches precision {target_precision}; the best "
                             f"is {precision.max():.3f}.")
        i = ok[0]  # lowest such threshold: the most recall
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(precision + recall > 0,
                          2 * precision * recall / (precision + recall), 0.0)
        i = int(np.argmax(f1))
    t = float(thresholds[i])
    report = binary_report(y_true, y_score, threshold=t, pos_label=pos_label,
                           sample_weight=sample_weight)
    return ThresholdChoice(threshold=t, precision=report.precision, recall=report.recall,
                           f1=report.f1, report=report)
