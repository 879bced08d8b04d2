"""Matplotlib plots for evaluating a binary classifier.

Every function draws on ``ax`` (a new figure when ``ax=None``), optionally saves
the figure to ``path`` and returns ``(fig, ax)``. The curves are built on the
displays and curve functions of :mod:`sklearn.metrics`.

matplotlib is an optional dependency, installed with the ``plot`` extra::

    pip install 'skbinary[plot]'

It is imported only when a plotting function is called.

The labels follow the one rule of :func:`skbinary.metrics.binary_report` (the
positive class defaults to the greater label; a single label 0, 1 or -1 is
completed by the standard sets {0, 1} and {-1, 1}), and the operating point
marked at a threshold is computed by the same code as the report, so the two
agree (precision 0.0 when nothing is predicted positive). Importing this
module does not start TensorFlow.
"""

from collections.abc import Mapping

import numpy as np
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
)
from sklearn.utils import check_consistent_length

from ._checks import (
    binary_labels,
    check_1d,
    check_scores,
    check_threshold_value,
    predicted_positive,
)
from ._report import is_label, metrics_at
from ._thresholds import threshold_curves

__all__ = [
    "plot_confusion_matrix",
    "plot_history",
    "plot_precision_recall",
    "plot_roc",
    "plot_threshold_curves",
]

_SAVE_DPI = 100
# History entries that are not drawn: the learning rate is no metric.
_SKIPPED_HISTORY_KEYS = {"lr", "learning_rate"}


# --------------------------------------------------------------------------- #
# Private helpers
# --------------------------------------------------------------------------- #
def _import_pyplot():
    """Import :mod:`matplotlib.pyplot`, or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting requires matplotlib, which is not installed. Install it "
            "with: pip install 'skbinary[plot]'"
        ) from exc
    return plt


def _get_fig_ax(ax):
    """Return ``(fig, ax)``, creating a new figure when ``ax`` is None."""
    plt = _import_pyplot()
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    return fig, ax


def _finish(fig, path):
    """Save ``fig`` to ``path`` when a path is given."""
    if path is not None:
        fig.savefig(path, dpi=_SAVE_DPI, bbox_inches="tight")


def _fmt(value):
    """Format a threshold compactly (``0.5``, ``0.35``, ``1.2e-05``)."""
    return f"{value:.3g}"


def _check_threshold(threshold):
    # any finite number: the plots also draw decision_function scores
    return check_threshold_value(threshold, interval=None)


def _curve_data(y_true, y_score, threshold, pos_label):
    """Validate inputs of the curve plots.

    Returns ``(threshold, is_pos, y_score, pos_label)``.
    """
    threshold = _check_threshold(threshold)
    y_true = check_1d(y_true, "y_true")
    y_score = check_scores(y_score, "y_score", probabilities=False)
    check_consistent_length(y_true, y_score)
    _, pos_label = binary_labels(y_true, pos_label=pos_label)
    is_pos = is_label(y_true, pos_label)
    if is_pos.all() or not is_pos.any():
        raise ValueError(
            "y_true must contain both the positive and the negative class to "
            "draw this curve."
        )
    return threshold, is_pos, y_score, pos_label


def _thresholded_labels(y_true, y_score, threshold, pos_label, labels):
    """The labels that ``y_score >= threshold`` predicts, for the confusion matrix."""
    y_score = check_scores(y_score, "y_score", probabilities=False)
    check_consistent_length(y_true, y_score)
    neg_label, pos_label = binary_labels(y_true, pos_label=pos_label, labels=labels,
                                         accepts_labels=True)
    if neg_label is None:
        raise ValueError(
            f"y_true holds only the positive label {pos_label!r}, so the negative "
            "class is unknown: pass labels=[negative_label, positive_label]."
        )
    return np.where(predicted_positive(y_score, threshold), pos_label, neg_label)


def _mark_point(ax, x, y, label):
    """Mark the operating point ``(x, y)`` of the threshold on a curve."""
    ax.plot([x], [y], marker="o", linestyle="none", color="C3", zorder=3, label=label)


def _name_axes(ax, xlabel, ylabel, title, legend_loc):
    """Set the axis labels and the title, and draw the legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc=legend_loc)


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #
def plot_confusion_matrix(
    y_true, y_score=None, *, y_pred=None, threshold=0.5, pos_label=None, labels=None,
    normalize=None, ax=None, path=None,
):
    """Plot the confusion matrix of a binary classifier.

    Give either scores, which are thresholded as ``y_score >= threshold`` to
    predict the positive class, or hard predictions ``y_pred``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples,), default=None
        Scores of the positive class, such as ``predict_proba(X)[:, 1]`` or
        ``decision_function(X)``. Exactly one of ``y_score`` and ``y_pred``
        must be given.
    y_pred : array-like of shape (n_samples,), default=None
        Predicted labels.
    threshold : float, default=0.5
        Samples with ``y_score >= threshold`` are predicted positive. Only used
        with ``y_score``.
    pos_label : int, float, bool or str, default=None
        The positive class. Defaults to the greater of the two sorted labels,
        like ``classes_[1]`` of a fitted classifier. Only used with ``y_score``.
    labels : array-like of shape (2,), default=None
        Labels to index the matrix with, in display order. Defaults to the
        sorted labels of ``y_true`` (and ``y_pred``).
    normalize : {"true", "pred", "all"}, default=None
        Normalize counts over the true labels (rows), the predicted labels
        (columns) or all samples; see :func:`sklearn.metrics.confusion_matrix`.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.
    path : str or path-like, default=None
        When given, the figure is saved there (PNG unless the file extension
        names another format) at 100 dpi with a tight bounding box.

    Returns
    -------
    fig : matplotlib Figure
        The figure holding ``ax``.
    ax : matplotlib Axes
        The axes with the matrix. Rows are true labels, columns predicted
        labels; the cell values are in ``ax.texts``. When scores were given,
        the title shows the threshold.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : The display drawn here.
    plot_threshold_curves : Precision, recall and F1 against the threshold.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skbinary.plotting import plot_confusion_matrix
    >>> y_true = ["ham", "ham", "spam", "spam", "ham", "spam"]
    >>> y_score = [0.1, 0.6, 0.7, 0.4, 0.2, 0.9]
    >>> fig, ax = plot_confusion_matrix(y_true, y_score, threshold=0.5)
    >>> ax.get_title()
    'Confusion matrix (threshold = 0.5)'
    >>> [tick.get_text() for tick in ax.get_xticklabels()]
    ['ham', 'spam']
    >>> plt.close(fig)
    """
    if (y_score is None) == (y_pred is None):
        raise ValueError("Pass exactly one of y_score and y_pred.")
    y_true = check_1d(y_true, "y_true")
    if y_score is not None:
        threshold = _check_threshold(threshold)
        y_pred = _thresholded_labels(y_true, y_score, threshold, pos_label, labels)
        title = f"Confusion matrix (threshold = {_fmt(threshold)})"
    else:
        y_pred = check_1d(y_pred, "y_pred")
        check_consistent_length(y_true, y_pred)
        binary_labels(y_true, y_pred, labels=labels, accepts_labels=True)
        title = "Confusion matrix"

    fig, ax = _get_fig_ax(ax)
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=labels, normalize=normalize, ax=ax
    )
    ax.set_title(title)
    _finish(fig, path)
    return fig, ax


def plot_precision_recall(
    y_true, y_score, *, threshold=0.5, pos_label=None, ax=None, path=None
):
    """Plot the precision-recall curve with the chosen threshold marked.

    The curve's legend entry shows the average precision (AP). The operating
    point of ``y_score >= threshold`` is marked, and a horizontal line shows
    the prevalence of the positive class: the precision of a no-skill
    classifier.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; both classes must be present.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class, such as ``predict_proba(X)[:, 1]``.
    threshold : float, default=0.5
        Decision threshold to mark: samples with ``y_score >= threshold`` are
        predicted positive.
    pos_label : int, float, bool or str, default=None
        The positive class. Defaults to the greater of the two sorted labels.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.
    path : str or path-like, default=None
        When given, the figure is saved there (PNG unless the file extension
        names another format) at 100 dpi with a tight bounding box.

    Returns
    -------
    fig : matplotlib Figure
        The figure holding ``ax``.
    ax : matplotlib Axes
        The axes with the curve. The threshold marker is the line labelled
        ``"threshold = ..."``; its single point is ``(recall, precision)``.
        Its precision is that of :func:`skbinary.metrics.binary_report`: 0.0
        when nothing is predicted positive (``zero_division=0``), so the
        marker is then at ``(0, 0)``, off the curve, whose last point is
        ``(0, 1)``.

    See Also
    --------
    sklearn.metrics.PrecisionRecallDisplay : The display drawn here.
    plot_roc : The ROC curve with the same threshold marked.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skbinary.plotting import plot_precision_recall
    >>> y_true = [0, 0, 1, 1, 0, 1]
    >>> y_score = [0.1, 0.6, 0.7, 0.4, 0.2, 0.9]
    >>> fig, ax = plot_precision_recall(y_true, y_score, threshold=0.5)
    >>> marker = ax.get_lines()[-1]
    >>> [float(v) for v in marker.get_xydata()[0]]  # recall, precision
    [0.6666666666666666, 0.6666666666666666]
    >>> plt.close(fig)
    """
    threshold, is_pos, y_score, pos_label = _curve_data(
        y_true, y_score, threshold, pos_label
    )
    at = metrics_at(is_pos, y_score, threshold)
    precision, recall = at["precision"], at["recall"]

    fig, ax = _get_fig_ax(ax)
    PrecisionRecallDisplay.from_predictions(
        is_pos,
        y_score,
        pos_label=True,
        ax=ax,
        plot_chance_level=True,
        chance_level_kw={"label": f"No skill (prevalence = {at['prevalence']:.2f})"},
    )
    _mark_point(
        ax, recall, precision,
        f"threshold = {_fmt(threshold)} (P = {precision:.2f}, R = {recall:.2f})",
    )
    _name_axes(
        ax,
        f"Recall (positive label: {pos_label})",
        f"Precision (positive label: {pos_label})",
        "Precision-recall curve",
        "lower left",
    )
    _finish(fig, path)
    return fig, ax


def plot_roc(y_true, y_score, *, threshold=0.5, pos_label=None, ax=None, path=None):
    """Plot the ROC curve with the chosen threshold marked.

    The curve's legend entry shows the area under the curve (AUC); the
    diagonal is the chance level and the operating point of
    ``y_score >= threshold`` is marked.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; both classes must be present.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class, such as ``predict_proba(X)[:, 1]``.
    threshold : float, default=0.5
        Decision threshold to mark: samples with ``y_score >= threshold`` are
        predicted positive.
    pos_label : int, float, bool or str, default=None
        The positive class. Defaults to the greater of the two sorted labels.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.
    path : str or path-like, default=None
        When given, the figure is saved there (PNG unless the file extension
        names another format) at 100 dpi with a tight bounding box.

    Returns
    -------
    fig : matplotlib Figure
        The figure holding ``ax``.
    ax : matplotlib Axes
        The axes with the curve. The threshold marker is the line labelled
        ``"threshold = ..."``; its single point is ``(FPR, TPR)``.

    See Also
    --------
    sklearn.metrics.RocCurveDisplay : The display drawn here.
    plot_precision_recall : The precision-recall curve, better suited to
        imbalanced classes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skbinary.plotting import plot_roc
    >>> y_true = [0, 0, 1, 1, 0, 1]
    >>> y_score = [0.1, 0.6, 0.7, 0.4, 0.2, 0.9]
    >>> fig, ax = plot_roc(y_true, y_score, threshold=0.5)
    >>> marker = ax.get_lines()[-1]
    >>> [round(float(v), 3) for v in marker.get_xydata()[0]]  # FPR, TPR
    [0.333, 0.667]
    >>> plt.close(fig)
    """
    threshold, is_pos, y_score, pos_label = _curve_data(
        y_true, y_score, threshold, pos_label
    )
    at = metrics_at(is_pos, y_score, threshold)
    fpr, tpr = at["fpr"], at["recall"]

    fig, ax = _get_fig_ax(ax)
    RocCurveDisplay.from_predictions(
        is_pos, y_score, pos_label=True, ax=ax, plot_chance_level=True
    )
    _mark_point(
        ax, fpr, tpr,
        f"threshold = {_fmt(threshold)} (FPR = {fpr:.2f}, TPR = {tpr:.2f})",
    )
    _name_axes(
        ax,
        f"False positive rate (positive label: {pos_label})",
        f"True positive rate (positive label: {pos_label})",
        "ROC curve",
        "lower right",
    )
    _finish(fig, path)
    return fig, ax


def plot_threshold_curves(
    y_true, y_score, *, threshold=0.5, pos_label=None, ax=None, path=None
):
    """Plot precision, recall and F1 against the decision threshold.

    Each curve is a step function of the threshold ``t``: its value at ``t`` is
    the metric of ``y_score >= t``. A vertical line marks the chosen
    threshold, which helps to pick one that trades precision for recall.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; both classes must be present.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class, such as ``predict_proba(X)[:, 1]``.
    threshold : float, default=0.5
        Decision threshold to mark with a vertical line.
    pos_label : int, float, bool or str, default=None
        The positive class. Defaults to the greater of the two sorted labels.
    ax : matplotlib Axes, default=None
        Axes to draw on. A new figure is created when None.
    path : str or path-like, default=None
        When given, the figure is saved there (PNG unless the file extension
        names another format) at 100 dpi with a tight bounding box.

    Returns
    -------
    fig : matplotlib Figure
        The figure holding ``ax``.
    ax : matplotlib Axes
        The axes with the lines labelled ``"Precision"``, ``"Recall"``,
        ``"F1"`` (x: the distinct scores, as returned by
        :func:`sklearn.metrics.precision_recall_curve`) and the vertical line
        labelled ``"threshold = ..."``.

    See Also
    --------
    sklearn.metrics.precision_recall_curve : The values plotted here.
    sklearn.model_selection.TunedThresholdClassifierCV : Tune the threshold
        by cross-validation.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skbinary.plotting import plot_threshold_curves
    >>> y_true = [0, 0, 1, 1, 0, 1]
    >>> y_score = [0.1, 0.6, 0.7, 0.4, 0.2, 0.9]
    >>> fig, ax = plot_threshold_curves(y_true, y_score, threshold=0.5)
    >>> [line.get_label() for line in ax.get_lines()]
    ['Precision', 'Recall', 'F1', 'threshold = 0.5']
    >>> plt.close(fig)
    """
    threshold, is_pos, y_score, pos_label = _curve_data(
        y_true, y_score, threshold, pos_label
    )
    curves = threshold_curves(is_pos, y_score)

    fig, ax = _get_fig_ax(ax)
    # "steps-pre": the value at thresholds[i] holds on (thresholds[i-1],
    # thresholds[i]], where y_score >= t selects the same samples.
    for key, name in [("precision", "Precision"), ("recall", "Recall"), ("f1", "F1")]:
        ax.plot(curves["thresholds"], curves[key], drawstyle="steps-pre", label=name)
    ax.axvline(
        threshold,
        color="k",
        linestyle="--",
        linewidth=1,
        label=f"threshold = {_fmt(threshold)}",
    )
    ax.set_ylim(-0.02, 1.02)
    _name_axes(
        ax,
        f"Threshold on y_score (positive label: {pos_label})",
        "Score",
        "Precision, recall and F1 by threshold",
        "best",
    )
    _finish(fig, path)
    return fig, ax


def _history_dict(history, _depth=0):
    """Find the dict of per-epoch lists in ``history``."""
    if isinstance(history, Mapping):
        return history
    if _depth < 3:
        # A fitted skbinary estimator (history_), a keras.callbacks.History
        # (history) or a keras Model after fit (history.history).
        for attr in ("history_", "history"):
            value = getattr(history, attr, None)
            if value is not None and value is not history:
                return _history_dict(value, _depth + 1)
    raise TypeError(
        "history must be a dict of per-epoch lists or an object with a "
        f"history_ attribute holding one (a fitted estimator); got "
        f"{type(history).__name__}."
    )


def _history_curves(history):
    """The non-empty per-epoch series of ``history`` as float arrays, by name."""
    hist = _history_dict(history)
    if "loss" not in hist:
        raise ValueError(
            f"history has no 'loss' entry; found keys {sorted(map(str, hist))}."
        )
    curves = {}
    for key, values in hist.items():
        values = np.asarray(values, dtype=float).reshape(-1)
        if values.size:
            curves[str(key)] = values
    return curves


def _plot_epochs(ax, curves, keys, first_colour=0):
    """Draw ``curves[key]`` per epoch: "x" solid and "val_x" dashed, one colour each.

    The pairs are coloured in order of first appearance, from ``first_colour``.
    """
    bases = list(dict.fromkeys(k.removeprefix("val_") for k in keys))
    for i, base in enumerate(bases):
        for key in (base, f"val_{base}"):
            if key not in keys:
                continue
            values = curves[key]
            ax.plot(
                np.arange(1, values.size + 1),
                values,
                color=f"C{(i + first_colour) % 10}",
                linestyle="--" if key.startswith("val_") else "-",
                marker=".",
                label=key,
            )
    return len(bases)


def _mark_best_epoch(ax, val_loss):
    """Mark the epoch of the lowest validation loss, when there is one."""
    if val_loss is None or not np.any(np.isfinite(val_loss)):
        return
    best = int(np.nanargmin(val_loss))
    ax.axvline(best + 1, color="0.5", linestyle=":", linewidth=1)
    ax.plot(
        [best + 1],
        [val_loss[best]],
        marker="o",
        markersize=9,
        markerfacecolor="none",
        markeredgewidth=2,
        linestyle="none",
        color="k",
        zorder=3,
        label=f"best epoch = {best + 1} (val_loss = {val_loss[best]:.3g})",
    )


def _plot_metrics_on_twin(ax, curves, keys, first_colour):
    """Draw the other metrics on a secondary y-axis; it holds both legends.

    The legend goes below the axes: "best" cannot see the lines of the other
    axes.
    """
    twin = ax.twinx()
    _plot_epochs(twin, curves, keys, first_colour)
    twin.set_ylabel("Metric")
    handles, names = ax.get_legend_handles_labels()
    more_handles, more_names = twin.get_legend_handles_labels()
    twin.legend(
        handles + more_handles,
        names + more_names,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=2,
        frameon=False,
    )


def plot_history(history, *, ax=None, path=None):
    """Plot the training history: loss per epoch and the best epoch.

    The training loss is drawn solid and the validation loss dashed, against
    epochs numbered from 1. When ``"val_loss"`` is present, the epoch with the
    lowest validation loss is marked: after it the model starts to overfit.

    Other metrics (for example ``"roc_auc"`` and ``"val_roc_auc"``) share a
    secondary y-axis on the right, created with ``ax.twinx()``; each metric has
    one colour, training solid and validation dashed. Keys ending in ``"loss"``
    are drawn with the loss; learning-rate entries (``"lr"``,
    ``"learning_rate"``) are skipped.

    Parameters
    ----------
    history : dict or object
        A dict mapping names such as ``"loss"`` and ``"val_loss"`` to per-epoch
        values, or an object holding one in ``history_`` (a fitted skbinary
        estimator) or in ``history`` (a ``keras.callbacks.History``). It must
        contain ``"loss"``.
    ax : matplotlib Axes, default=None
        Axes to draw the losses on. A new figure is created when None.
    path : str or path-like, default=None
        When given, the figure is saved there (PNG unless the file extension
        names another format) at 100 dpi with a tight bounding box.

    Returns
    -------
    fig : matplotlib Figure
        The figure holding ``ax``.
    ax : matplotlib Axes
        The axes with the losses. Lines are labelled by their history key;
        the best-epoch marker is the line labelled ``"best epoch = ..."``,
        whose single point is ``(epoch, val_loss)``. The secondary axes for
        other metrics, when drawn, is the last of ``fig.axes`` and holds the
        legend, placed below the plot.

    See Also
    --------
    plot_threshold_curves : Evaluate the fitted model's scores.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skbinary.plotting import plot_history
    >>> history = {
    ...     "loss": [0.69, 0.52, 0.41, 0.35, 0.31],
    ...     "val_loss": [0.70, 0.55, 0.47, 0.49, 0.53],
    ... }
    >>> fig, ax = plot_history(history)
    >>> best = [line for line in ax.get_lines()
    ...         if line.get_label().startswith("best epoch")][0]
    >>> int(best.get_xdata()[0])
    3
    >>> plt.close(fig)
    """
    curves = _history_curves(history)
    loss_keys = [k for k in curves if k.endswith("loss")]
    metric_keys = [
        k for k in curves if k not in loss_keys and k not in _SKIPPED_HISTORY_KEYS
    ]

    fig, ax = _get_fig_ax(ax)
    n_loss_colours = _plot_epochs(ax, curves, loss_keys)
    _mark_best_epoch(ax, curves.get("val_loss"))
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss")
    ax.set_title("Training history")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if metric_keys:
        _plot_metrics_on_twin(ax, curves, metric_keys, n_loss_colours)
    else:
        ax.legend(loc="best")
    _finish(fig, path)
    return fig, ax
