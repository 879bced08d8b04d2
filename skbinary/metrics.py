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

The module and its private parts (``_report``, ``_thresholds`` and the checks
of ``_checks``) use numpy, scipy.sparse and scikit-learn only: importing it
never starts TensorFlow. pandas is imported when :meth:`BinaryReport.to_frame`
is called.
"""

from dataclasses import dataclass, field, fields

import numpy as np

from ._checks import check_threshold_value, py_scalar
from ._report import (
    check_test_data,
    check_warning_settings,
    confusion_counts,
    count_shared_rows,
    is_label,
    label_metrics,
    label_text,
    number_text,
    predictions,
    report_warnings,
    score_metrics,
    table_lines,
    train_metrics,
)
from ._thresholds import best_index, check_objective, threshold_curves

__all__ = [
    "BinaryReport",
    "ThresholdChoice",
    "binary_report",
    "choose_threshold",
]


def _number(shown=None):
    """A field of :class:`BinaryReport` that holds one of its numbers.

    The numbers are the keys of ``to_dict()`` after the labels and the rows of
    ``to_frame()``, in field order. ``shown`` says where ``str(report)`` puts
    it: None in the header or the table, ``"always"`` a row of the metrics
    block, ``"given"`` a row of that block when it is not None.
    """
    return field(metadata={"number": True, "shown": shown})


def _numbers(*shown):
    """Names of the report's numbers, in order; those ``shown`` so when given."""
    return tuple(
        f.name for f in fields(BinaryReport)
        if f.metadata.get("number") and (not shown or f.metadata["shown"] in shown)
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

    # The one definition of the report's fields: to_dict(), to_frame() and
    # str(report) follow their order and their _number() markers.
    pos_label: object
    neg_label: object
    n_samples: int = _number()
    threshold: object = _number()
    confusion_matrix: np.ndarray
    tp: object = _number()
    fp: object = _number()
    fn: object = _number()
    tn: object = _number()
    precision: float = _number("always")
    recall: float = _number("always")
    f1: float = _number("always")
    accuracy: float = _number("always")
    balanced_accuracy: float = _number("always")
    specificity: float = _number("always")
    prevalence: float = _number("always")
    roc_auc: object = _number("always")
    average_precision: object = _number("always")
    log_loss: object = _number("always")
    brier_score: object = _number("always")
    train_f1: object = _number("given")
    train_roc_auc: object = _number("given")
    n_duplicate_rows: object = _number("given")
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
        out = {"pos_label": py_scalar(self.pos_label),
               "neg_label": py_scalar(self.neg_label)}
        for name in _numbers():
            out[name] = py_scalar(getattr(self, name))
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
        names = _numbers()
        values = [
            np.nan if getattr(self, name) is None else float(getattr(self, name))
            for name in names
        ]
        return pd.DataFrame({"value": values}, index=pd.Index(names, name="metric"))

    def __str__(self):
        header = (
            f"Binary classification report: positive class "
            f"{label_text(self.pos_label)}, {self.n_samples} samples, "
        )
        if self.threshold is None:
            header += "predicted labels"
        else:
            header += f"threshold {self.threshold:g}"
        table = table_lines(self.pos_label, self.neg_label,
                            self.tp, self.fp, self.fn, self.tn)
        lines = [header, "", *table, ""]
        for name in _numbers("always", "given"):
            value = getattr(self, name)
            if value is not None or name in _numbers("always"):
                lines.append(f"  {name:<18} {number_text(value)}")
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
        label is 0, 1 or -1 (or a bool): the positive class is then 1 (True)
        and the negative the other label of {0, 1} or {-1, 1}, the rule
        :mod:`skbinary.plotting` follows too.
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
    threshold = check_threshold_value(threshold)
    settings = check_warning_settings(
        imbalance_ratio, paradox_margin, low_recall, overfit_gap, perfect_score
    )
    y_true, y_score, y_pred, sample_weight, labels = check_test_data(
        y_true, y_score, y_pred, sample_weight, pos_label
    )
    is_pos = is_label(y_true, labels[1])
    pred_pos = predictions(y_score, y_pred, threshold, labels[1])
    cm, counts = confusion_counts(is_pos, pred_pos, sample_weight)
    values = dict(
        n_samples=y_true.shape[0],
        threshold=None if y_score is None else float(threshold),
        **counts,
        **label_metrics(**counts),
        **score_metrics(is_pos, y_score, sample_weight),
        **train_metrics(y_train_true, y_train_score, y_train_pred, labels,
                        threshold, test_scores=y_score is not None),
    )
    values["n_duplicate_rows"], n_test_rows = count_shared_rows(X_train, X_test)
    warnings = report_warnings(values, labels, pred_pos, y_score, n_test_rows, settings)
    return BinaryReport(
        pos_label=py_scalar(labels[1]),
        neg_label=py_scalar(labels[0]),
        confusion_matrix=cm,
        warnings=warnings,
        **values,
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
    objective, target = check_objective(target_recall, target_precision)
    y_true, y_score, _, sample_weight, (_, pos_label) = check_test_data(
        y_true, y_score, None, sample_weight, pos_label
    )
    curves = threshold_curves(is_label(y_true, pos_label), y_score, sample_weight)
    i = best_index(curves, objective, target, pos_label)
    threshold = float(curves["thresholds"][i])
    report = binary_report(
        y_true, y_score, threshold=threshold, pos_label=pos_label,
        sample_weight=sample_weight,
    )
    return ThresholdChoice(
        threshold=threshold,
        precision=float(curves["precision"][i]),
        recall=float(curves["recall"][i]),
        f1=float(curves["f1"][i]),
        objective=objective,
        target=None if target is None else float(target),
        report=report,
    )
