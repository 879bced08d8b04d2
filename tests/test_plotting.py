"""Tests for skbinary.plotting (matplotlib, Agg backend)."""

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from skbinary import plotting
from skbinary.metrics import binary_report
from skbinary.plotting import (
    plot_confusion_matrix,
    plot_history,
    plot_precision_recall,
    plot_roc,
    plot_threshold_curves,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
THRESHOLD = 0.4


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scores():
    """Imbalanced binary labels (0/1) and noisy scores in [0, 1]."""
    rng = np.random.RandomState(0)
    y = (rng.rand(200) < 0.3).astype(int)
    score = np.clip(0.35 * y + rng.normal(0.35, 0.18, size=y.size), 0, 1)
    return y, score


@pytest.fixture(scope="module")
def spam(scores):
    y, score = scores
    return np.where(y == 1, "spam", "ham"), score


def assert_png(path):
    assert path.exists()
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 1000


def line_by_label(ax, prefix):
    matches = [ln for ln in ax.get_lines() if ln.get_label().startswith(prefix)]
    assert len(matches) == 1, [ln.get_label() for ln in ax.get_lines()]
    return matches[0]


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_all_is_exported():
    assert sorted(plotting.__all__) == sorted(
        [
            "plot_confusion_matrix",
            "plot_precision_recall",
            "plot_roc",
            "plot_threshold_curves",
            "plot_history",
        ]
    )


# --------------------------------------------------------------------------- #
# plot_confusion_matrix
# --------------------------------------------------------------------------- #
def test_confusion_matrix_scores_counts_and_title(scores, tmp_path):
    y, score = scores
    path = tmp_path / "cm.png"
    fig, ax = plot_confusion_matrix(y, score, threshold=THRESHOLD, path=path)
    assert_png(path)
    assert ax.figure is fig
    expected = confusion_matrix(y, (score >= THRESHOLD).astype(int))
    texts = [int(t.get_text()) for t in ax.texts]
    assert texts == expected.ravel().tolist()
    assert ax.get_title() == "Confusion matrix (threshold = 0.4)"


def test_confusion_matrix_string_labels(spam, tmp_path):
    y, score = spam
    path = tmp_path / "cm_spam.png"
    _fig, ax = plot_confusion_matrix(y, score, path=path)
    assert_png(path)
    # "spam" > "ham": spam is the positive class, shown second.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["ham", "spam"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ham", "spam"]
    y_pred = np.where(score >= 0.5, "spam", "ham")
    expected = confusion_matrix(y, y_pred, labels=["ham", "spam"])
    assert [int(t.get_text()) for t in ax.texts] == expected.ravel().tolist()


def test_confusion_matrix_pos_label_flips_prediction(spam):
    y, score = spam
    _, ax = plot_confusion_matrix(y, score, pos_label="ham")
    y_pred = np.where(score >= 0.5, "ham", "spam")
    expected = confusion_matrix(y, y_pred, labels=["ham", "spam"])
    assert [int(t.get_text()) for t in ax.texts] == expected.ravel().tolist()


def test_confusion_matrix_y_pred_and_normalize(scores, tmp_path):
    y, score = scores
    y_pred = (score >= 0.5).astype(int)
    path = tmp_path / "cm_pred.png"
    _fig, ax = plot_confusion_matrix(y, y_pred=y_pred, normalize="true", path=path)
    assert_png(path)
    assert ax.get_title() == "Confusion matrix"
    expected = confusion_matrix(y, y_pred, normalize="true")
    values = [float(t.get_text()) for t in ax.texts]
    np.testing.assert_allclose(values, expected.ravel(), atol=0.01)


def test_confusion_matrix_on_given_ax():
    fig, ax = plt.subplots()
    fig_out, ax_out = plot_confusion_matrix([0, 1, 1, 0], [0.2, 0.7, 0.3, 0.9], ax=ax)
    assert fig_out is fig and ax_out is ax
    assert [t.get_text() for t in ax.texts] == ["1", "1", "1", "1"]


def test_confusion_matrix_single_class_with_labels():
    _, ax = plot_confusion_matrix(
        ["ham", "ham"], [0.2, 0.9], labels=["ham", "spam"]
    )
    assert [t.get_text() for t in ax.texts] == ["1", "1", "0", "0"]


def test_confusion_matrix_errors(scores):
    y, score = scores
    with pytest.raises(ValueError, match="exactly one"):
        plot_confusion_matrix(y)
    with pytest.raises(ValueError, match="exactly one"):
        plot_confusion_matrix(y, score, y_pred=y)
    with pytest.raises(ValueError, match="Only binary"):
        plot_confusion_matrix([0, 1, 2], [0.1, 0.5, 0.9])
    with pytest.raises(ValueError, match="pos_label"):
        plot_confusion_matrix(y, score, pos_label=3)


# --------------------------------------------------------------------------- #
# plot_precision_recall
# --------------------------------------------------------------------------- #
def test_precision_recall_marker_and_legend(scores, tmp_path):
    y, score = scores
    path = tmp_path / "pr.png"
    _fig, ax = plot_precision_recall(y, score, threshold=THRESHOLD, path=path)
    assert_png(path)
    y_pred = (score >= THRESHOLD).astype(int)
    marker = line_by_label(ax, "threshold = 0.4")
    recall, precision = marker.get_xydata()[0]
    assert precision == pytest.approx(precision_score(y, y_pred))
    assert recall == pytest.approx(recall_score(y, y_pred))

    texts = legend_texts(ax)
    ap = average_precision_score(y, score)
    assert any(f"AP = {ap:.2f}" in t for t in texts)
    assert any(t.startswith("threshold = 0.4") for t in texts)
    # The marker is a vertex of the drawn curve.
    curve = ax.get_lines()[0].get_xydata()
    assert np.any(np.all(np.isclose(curve, [recall, precision]), axis=1))


def test_precision_recall_prevalence_line(scores):
    y, score = scores
    _, ax = plot_precision_recall(y, score)
    no_skill = line_by_label(ax, "No skill")
    np.testing.assert_allclose(no_skill.get_ydata(), y.mean())
    assert f"prevalence = {y.mean():.2f}" in no_skill.get_label()


def test_precision_recall_string_labels(spam, scores):
    y_str, score = spam
    y, _ = scores
    _, ax = plot_precision_recall(y_str, score)
    assert "spam" in ax.get_xlabel()
    marker = line_by_label(ax, "threshold")
    y_pred = (score >= 0.5).astype(int)
    np.testing.assert_allclose(
        marker.get_xydata()[0], [recall_score(y, y_pred), precision_score(y, y_pred)]
    )


def test_precision_recall_threshold_above_all_scores(scores):
    y, score = scores
    _, ax = plot_precision_recall(y, score, threshold=2.0)
    # Nothing predicted positive: recall 0 and precision 0.0, binary_report's
    # zero_division=0 (not 1.0, the curve's end point).
    assert line_by_label(ax, "threshold").get_xydata()[0].tolist() == [0.0, 0.0]


def test_markers_agree_with_binary_report_when_nothing_is_predicted_positive():
    # at 0.9 nothing is predicted positive: marker and report both say precision 0.0
    y = np.array([0, 1, 0, 1, 1, 0])
    score = np.array([0.1, 0.8, 0.3, 0.6, 0.4, 0.7])
    report = binary_report(y, score, threshold=0.9)
    assert report.tp + report.fp == 0
    _, ax = plot_precision_recall(y, score, threshold=0.9)
    recall, precision = line_by_label(ax, "threshold").get_xydata()[0]
    assert (precision, recall) == (report.precision, report.recall) == (0.0, 0.0)
    _, ax = plot_roc(y, score, threshold=0.9)
    fpr, tpr = line_by_label(ax, "threshold").get_xydata()[0]
    assert (fpr, tpr) == (1 - report.specificity, report.recall) == (0.0, 0.0)
    _, ax = plot_confusion_matrix(y, score, threshold=0.9)
    counts = [int(t.get_text()) for t in ax.texts]
    assert counts == report.confusion_matrix.ravel().tolist()


def test_plots_and_binary_report_follow_one_label_rule():
    # -1 alone is the negative of {-1, 1}, for the report as for the plots
    y_true, y_score = [-1, -1, -1], [0.2, 0.6, 0.9]
    report = binary_report(y_true, y_score)
    assert (report.neg_label, report.pos_label) == (-1, 1)
    _, ax = plot_confusion_matrix(y_true, y_score)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["-1", "1"]
    counts = [int(t.get_text()) for t in ax.texts]
    assert counts == report.confusion_matrix.ravel().tolist()
    # a single label that is no standard one: both ask for pos_label
    with pytest.raises(ValueError, match="cannot be inferred: pass pos_label"):
        binary_report(["ham"] * 3, y_score)
    with pytest.raises(ValueError, match="cannot be inferred: pass pos_label"):
        plot_confusion_matrix(["ham"] * 3, y_score)


def test_curves_need_both_classes():
    with pytest.raises(ValueError, match="both"):
        plot_precision_recall([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="both"):
        plot_roc([0, 0, 0], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="Only binary"):
        plot_threshold_curves([0, 1, 2], [0.2, 0.5, 0.9])


# --------------------------------------------------------------------------- #
# plot_roc
# --------------------------------------------------------------------------- #
def test_roc_marker_auc_and_chance(scores, tmp_path):
    y, score = scores
    path = tmp_path / "roc.png"
    _fig, ax = plot_roc(y, score, threshold=THRESHOLD, path=path)
    assert_png(path)
    fpr, tpr, thresholds = roc_curve(y, score, drop_intermediate=False)
    # The operating point of y_score >= THRESHOLD is that of the smallest
    # score above it.
    idx = np.flatnonzero(thresholds >= THRESHOLD)[-1]
    marker = line_by_label(ax, "threshold = 0.4")
    np.testing.assert_allclose(marker.get_xydata()[0], [fpr[idx], tpr[idx]])

    auc = roc_auc_score(y, score)
    texts = legend_texts(ax)
    assert any(f"AUC = {auc:.2f}" in t for t in texts)
    chance = line_by_label(ax, "Chance")
    np.testing.assert_allclose(chance.get_xydata(), [[0, 0], [1, 1]])


def test_roc_pos_label(spam, scores):
    y_str, score = spam
    y, _ = scores
    # With "ham" positive, scores are still scores of the positive class.
    _, ax = plot_roc(y_str, 1 - score, pos_label="ham")
    auc = roc_auc_score(1 - y, 1 - score)
    assert any(f"AUC = {auc:.2f}" in t for t in legend_texts(ax))
    assert "ham" in ax.get_ylabel()


# --------------------------------------------------------------------------- #
# plot_threshold_curves
# --------------------------------------------------------------------------- #
def test_threshold_curves(scores, tmp_path):
    y, score = scores
    path = tmp_path / "thr.png"
    _fig, ax = plot_threshold_curves(y, score, threshold=THRESHOLD, path=path)
    assert_png(path)
    vline = line_by_label(ax, "threshold = 0.4")
    np.testing.assert_allclose(vline.get_xdata(), THRESHOLD)

    precision, recall, thresholds = precision_recall_curve(y, score)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["Precision"].get_xdata(), thresholds)
    np.testing.assert_allclose(lines["Precision"].get_ydata(), precision[:-1])
    np.testing.assert_allclose(lines["Recall"].get_ydata(), recall[:-1])

    # At the first threshold >= THRESHOLD the curves equal the metrics of
    # y_score >= THRESHOLD.
    idx = np.searchsorted(thresholds, THRESHOLD)
    y_pred = (score >= THRESHOLD).astype(int)
    assert lines["Precision"].get_ydata()[idx] == pytest.approx(
        precision_score(y, y_pred)
    )
    assert lines["Recall"].get_ydata()[idx] == pytest.approx(recall_score(y, y_pred))
    assert lines["F1"].get_ydata()[idx] == pytest.approx(f1_score(y, y_pred))


# --------------------------------------------------------------------------- #
# plot_history
# --------------------------------------------------------------------------- #
HISTORY = {
    "loss": [0.69, 0.55, 0.47, 0.41, 0.37, 0.34, 0.32],
    "val_loss": [0.70, 0.58, 0.51, 0.49, 0.50, 0.53, 0.57],
}


def test_history_dict(tmp_path):
    path = tmp_path / "history.png"
    fig, ax = plot_history(HISTORY, path=path)
    assert_png(path)
    assert len(fig.axes) == 1  # no other metrics: no twin axis
    loss = line_by_label(ax, "loss")
    val_loss = line_by_label(ax, "val_loss")
    n_epochs = len(HISTORY["loss"])
    assert loss.get_xdata().tolist() == list(range(1, n_epochs + 1))
    assert len(val_loss.get_ydata()) == n_epochs
    np.testing.assert_allclose(val_loss.get_ydata(), HISTORY["val_loss"])

    best = line_by_label(ax, "best epoch")
    best_epoch = int(np.argmin(HISTORY["val_loss"])) + 1
    assert best.get_xydata()[0].tolist() == [best_epoch, min(HISTORY["val_loss"])]
    assert f"best epoch = {best_epoch}" in legend_texts(ax)[-1]


class _FittedEstimator:
    def __init__(self, history):
        self.history_ = history


def test_history_from_estimator_with_metrics(tmp_path):
    history = dict(
        HISTORY,
        roc_auc=[0.6, 0.7, 0.75, 0.8, 0.82, 0.84, 0.85],
        val_roc_auc=[0.58, 0.66, 0.7, 0.72, 0.72, 0.71, 0.7],
        learning_rate=[1e-3] * 7,
    )
    path = tmp_path / "history_metrics.png"
    fig, ax = plot_history(_FittedEstimator(history), path=path)
    assert_png(path)
    assert len(fig.axes) == 2
    twin = fig.axes[-1]
    assert [ln.get_label() for ln in twin.get_lines()] == ["roc_auc", "val_roc_auc"]
    np.testing.assert_allclose(twin.get_lines()[1].get_ydata(), history["val_roc_auc"])
    texts = legend_texts(twin)
    assert "learning_rate" not in texts
    assert {"loss", "val_loss", "roc_auc", "val_roc_auc"} <= set(texts)
    assert line_by_label(ax, "best epoch").get_xdata()[0] == 4


def test_history_keras_style_and_loss_only():
    class History:  # like keras.callbacks.History
        def __init__(self):
            self.history = {"loss": [1.0, 0.5, 0.25]}

    _fig, ax = plot_history(History())
    assert [ln.get_label() for ln in ax.get_lines()] == ["loss"]
    assert ax.get_lines()[0].get_xdata().tolist() == [1, 2, 3]


def test_history_errors():
    with pytest.raises(TypeError, match="history_"):
        plot_history([0.5, 0.4])
    with pytest.raises(ValueError, match="'loss'"):
        plot_history({"val_loss": [0.5]})


# --------------------------------------------------------------------------- #
# Optional dependency
# --------------------------------------------------------------------------- #
def test_missing_matplotlib_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'skbinary\[plot\]'"):
        plot_roc([0, 1], [0.2, 0.8])


@pytest.mark.parametrize("plot", [plot_confusion_matrix, plot_precision_recall, plot_roc,
                                  plot_threshold_curves])
def test_estimator_and_X_instead_of_labels_and_scores(plot):
    # plot_*(estimator, X), a natural mistake, says what to pass
    from skbinary import KerasBinaryClassifier

    with pytest.raises(TypeError, match=r"y_true.*estimator.*predict_proba\(X\)\[:, 1\]"):
        plot(KerasBinaryClassifier(), np.zeros((4, 2)))


def test_two_column_scores_name_the_positive_column_labels_do_not():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"y_score must be 1-D.*predict_proba\(X\)\[:, 1\]"):
        plot_roc(y, np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match=r"y_true must be 1-D, got shape \(4, 2\)\.$"):
        plot_roc(np.column_stack([y, y]), np.full(4, 0.5))


def test_nan_threshold_is_refused(scores):
    y, score = scores
    with pytest.raises(ValueError, match="threshold"):
        plot_roc(y, score, threshold=float("nan"))


@pytest.mark.parametrize("threshold, error", [
    (float("inf"), ValueError), (True, TypeError), ("0.5", TypeError),
])
def test_threshold_that_is_not_a_finite_number_is_refused(scores, threshold, error):
    y, score = scores
    with pytest.raises(error, match="threshold"):
        plot_confusion_matrix(y, score, threshold=threshold)


def test_threshold_on_decision_function_scores_may_be_any_number(scores):
    y, score = scores
    fig, ax = plot_confusion_matrix(y, 10 * score - 5, threshold=-2.5)
    assert ax.get_title() == "Confusion matrix (threshold = -2.5)"
    plt.close(fig)
