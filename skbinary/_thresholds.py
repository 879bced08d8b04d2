"""Metrics at every threshold, and the choice of a decision threshold.

Private: :mod:`skbinary.metrics` is the public face. The candidate thresholds
are the distinct scores, those of :func:`sklearn.metrics.precision_recall_curve`;
:func:`skbinary.plotting.plot_threshold_curves` draws the same curves.
"""

import numpy as np

from ._report import check_fraction, label_text


def threshold_counts(is_pos, y_score, sample_weight=None):
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


def threshold_curves(is_pos, y_score, sample_weight=None):
    """Precision, recall and F1 of ``y_score >= t`` at every distinct score ``t``.

    Returns a dict of arrays ``thresholds`` (ascending), ``precision``,
    ``recall``, ``f1`` and the positive weight ``n_pos`` (recall is 0.0 where
    ``n_pos`` is 0). F1 is sklearn's formula, exact on integer counts.
    """
    thresholds, tps, fps, n_pos = threshold_counts(is_pos, y_score, sample_weight)
    predicted = tps + fps

    def ratio(numerator, denominator):  # 0.0 where the denominator is 0
        out = np.zeros(len(tps))
        return np.divide(numerator, denominator, out=out, where=denominator > 0)

    return dict(
        thresholds=thresholds,
        precision=ratio(tps, predicted),
        recall=ratio(tps, np.full(len(tps), n_pos)),
        f1=ratio(2.0 * tps, n_pos + predicted),
        n_pos=n_pos,
    )


def check_objective(target_recall, target_precision):
    """``(objective, target)`` of :func:`skbinary.metrics.choose_threshold`."""
    if target_recall is not None and target_precision is not None:
        raise ValueError(
            "Pass at most one of target_recall and target_precision (neither "
            "maximises F1)."
        )
    if target_recall is not None:
        return "target_recall", check_fraction(target_recall, "target_recall")
    if target_precision is not None:
        return "target_precision", check_fraction(target_precision, "target_precision")
    return "f1", None


def _best(ok, *keys):
    """Index of the best candidate in ``ok``, by ``keys`` in priority order."""
    idx = np.flatnonzero(ok)
    order = np.lexsort(tuple(key[idx] for key in reversed(keys)))
    return idx[order[-1]]


def best_index(curves, objective, target, pos_label):
    """Index in ``curves`` of the threshold that meets ``objective`` best.

    Raises
    ------
    ValueError
        When there is no positive sample or no threshold reaches the target;
        the message gives the best achievable value.
    """
    if not curves["n_pos"] > 0:
        raise ValueError(
            f"y_true has no sample of the positive class {label_text(pos_label)}: "
            "recall, and so the threshold, is undefined."
        )
    thresholds, precision, recall = (
        curves["thresholds"], curves["precision"], curves["recall"]
    )
    if objective == "target_recall":
        ok = recall >= target
        if not ok.any():  # only possible with zero weights
            raise ValueError(
                f"No threshold reaches recall {target:g}: the best achievable "
                f"recall is {recall.max():.3f}."
            )
        return _best(ok, precision, recall, thresholds)
    if objective == "target_precision":
        ok = precision >= target
        if not ok.any():
            j = int(np.argmax(precision))
            raise ValueError(
                f"No threshold reaches precision {target:g}: the best achievable "
                f"precision is {precision[j]:.3f} (at threshold "
                f"{thresholds[j]:.4g}, recall {recall[j]:.3f})."
            )
        return _best(ok, recall, precision, thresholds)
    return int(np.argmax(curves["f1"]))
