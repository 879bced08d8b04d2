"""skbinary.metrics: the report, its warnings, and the choice of a threshold."""

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    make_scorer,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV

from skbinary.metrics import (
    BinaryReport,
    ThresholdChoice,
    binary_report,
    choose_threshold,
)

# Nothing here should emit a Python warning (UndefinedMetricWarning, ...).
pytestmark = pytest.mark.filterwarnings("error")


def from_counts(tp, fp, fn, tn, pos=1, neg=0):
    """Labels and predictions with exactly these confusion-matrix counts."""
    y_true = np.array([pos] * tp + [neg] * fp + [pos] * fn + [neg] * tn)
    y_pred = np.array([pos] * tp + [pos] * fp + [neg] * fn + [neg] * tn)
    return y_true, y_pred


def good_balanced(n=200, seed=0):
    """A decent, not perfect, model on balanced classes: labels and scores."""
    rng = np.random.RandomState(seed)
    y = np.array([0, 1] * (n // 2))
    score = np.clip(np.where(y == 1, 0.7, 0.3) + rng.normal(0, 0.15, n), 0, 1)
    return y, score


@pytest.fixture(scope="module")
def fitted():
    """A prefit LogisticRegression and its scores on held-out rows."""
    X, y = make_classification(n_samples=500, n_features=6, weights=[0.7],
                               flip_y=0.05, random_state=0)
    model = LogisticRegression().fit(X[:300], y[:300])
    X_val, y_val = X[300:], y[300:]
    return model, X_val, y_val, model.predict_proba(X_val)[:, 1]


# --------------------------------------------------------------------------- #
# The numbers
# --------------------------------------------------------------------------- #
def test_textbook_confusion_matrix():
    y_true, y_pred = from_counts(tp=70, fp=10, fn=20, tn=100)
    r = binary_report(y_true, y_pred=y_pred)
    assert (r.tp, r.fp, r.fn, r.tn) == (70, 10, 20, 100)
    assert r.precision == 0.875
    assert round(r.recall, 3) == 0.778
    assert round(r.f1, 3) == 0.824
    assert r.accuracy == 0.85
    assert r.specificity == pytest.approx(100 / 110)
    assert r.prevalence == pytest.approx(90 / 200)
    assert r.n_samples == 200
    # sklearn's layout: rows true [neg, pos], columns predicted
    np.testing.assert_array_equal(r.confusion_matrix, [[100, 10], [20, 70]])
    np.testing.assert_array_equal(r.confusion_matrix, confusion_matrix(y_true, y_pred))
    # only hard predictions: no threshold, no score-based metrics
    assert r.threshold is None
    assert (r.roc_auc, r.average_precision, r.log_loss, r.brier_score) == (None,) * 4


def test_metrics_equal_sklearns_with_scores_and_weights():
    rng = np.random.RandomState(1)
    y, score = good_balanced(seed=1)
    weight = rng.uniform(0.5, 2.0, len(y))
    r = binary_report(y, score, threshold=0.4, sample_weight=weight)
    pred = score >= 0.4
    kw = {"sample_weight": weight}
    assert r.precision == pytest.approx(precision_score(y, pred, **kw))
    assert r.recall == pytest.approx(recall_score(y, pred, **kw))
    assert r.f1 == pytest.approx(f1_score(y, pred, **kw))
    assert r.accuracy == pytest.approx(accuracy_score(y, pred, **kw))
    assert r.balanced_accuracy == pytest.approx(balanced_accuracy_score(y, pred, **kw))
    assert r.roc_auc == pytest.approx(roc_auc_score(y, score, **kw))
    assert r.average_precision == pytest.approx(average_precision_score(y, score, **kw))
    assert r.log_loss == pytest.approx(log_loss(y, score, **kw))
    assert r.brier_score == pytest.approx(brier_score_loss(y, score, **kw))
    np.testing.assert_allclose(r.confusion_matrix, confusion_matrix(y, pred, **kw))
    assert isinstance(r.tp, float)  # weighted counts are sums of weights


def test_string_labels_positive_is_the_greater_unless_named():
    y_true, y_pred = from_counts(70, 10, 20, 100, pos="spam", neg="ham")
    r = binary_report(y_true, y_pred=y_pred)  # sorted ["ham", "spam"]: "spam"
    assert (r.pos_label, r.neg_label) == ("spam", "ham")
    assert (r.tp, r.fp, r.fn, r.tn) == (70, 10, 20, 100)
    flipped = binary_report(y_true, y_pred=y_pred, pos_label="ham")
    assert (flipped.pos_label, flipped.tp, flipped.fn) == ("ham", 100, 10)
    assert flipped.recall == recall_score(y_true, y_pred, pos_label="ham")


def test_bool_labels_positive_is_true():
    y_true = np.array([True, False, True, False])
    r = binary_report(y_true, y_pred=[True, True, True, False])
    assert r.pos_label is True and r.neg_label is False
    assert (r.tp, r.fp) == (2, 1)


def test_scores_predict_positive_at_or_above_the_threshold():
    y_true = np.array([0, 0, 1, 1])
    y_score = np.array([0.1, 0.5, 0.5, 0.9])
    r = binary_report(y_true, y_score, threshold=0.5)
    assert (r.tp, r.fp, r.fn, r.tn) == (2, 1, 0, 1)  # 0.5 >= 0.5 is positive
    assert r.threshold == 0.5
    assert binary_report(y_true, y_score, threshold=0.6).tp == 1


def test_scores_and_the_same_predictions_give_the_same_counts():
    y, score = good_balanced()
    from_scores = binary_report(y, score, threshold=0.55)
    from_preds = binary_report(y, y_pred=(score >= 0.55).astype(int))
    for name in ("tp", "fp", "fn", "tn", "precision", "recall", "f1", "accuracy"):
        assert getattr(from_scores, name) == getattr(from_preds, name)
    assert from_scores.roc_auc is not None and from_preds.roc_auc is None


def test_single_class_in_y_true():
    # 0/1 labels: the positive class is 1 even when it never occurs
    r = binary_report([0, 0, 0], [0.1, 0.2, 0.7])
    assert (r.pos_label, r.neg_label, r.fp, r.tn) == (1, 0, 1, 2)
    assert r.roc_auc is None and r.average_precision is None
    assert r.log_loss is not None  # defined with one class
    assert any(w.startswith("One class only in y_true") for w in r.warnings)
    # strings: say which one is positive
    with pytest.raises(ValueError, match="pass pos_label"):
        binary_report(["ham", "ham"], y_pred=["ham", "ham"])
    r = binary_report(["ham", "ham"], y_pred=["ham", "ham"], pos_label="spam")
    assert (r.pos_label, r.neg_label, r.tn) == ("spam", "ham", 2)


def test_single_label_minus_one_is_the_negative_of_minus_one_and_one():
    # the one label rule of skbinary._checks.binary_labels, which the plots
    # follow too
    r = binary_report([-1, -1, -1], y_pred=[-1, 1, -1])
    assert (r.neg_label, r.pos_label, r.tn, r.fp) == (-1, 1, 2, 1)
    r = binary_report([-1, -1, -1], [0.2, 0.6, 0.9], threshold=0.5)
    assert (r.neg_label, r.pos_label, r.tn, r.fp) == (-1, 1, 1, 2)
    plotting = pytest.importorskip("skbinary.plotting")
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plotting.plot_confusion_matrix([-1, -1, -1], [0.2, 0.6, 0.9])
    assert [int(t.get_text()) for t in ax.texts] == r.confusion_matrix.ravel().tolist()
    plt.close(fig)


# --------------------------------------------------------------------------- #
# The warnings
# --------------------------------------------------------------------------- #
def test_no_warning_for_a_good_balanced_model():
    y, score = good_balanced()
    y_tr, score_tr = good_balanced(seed=2)
    X_train = np.arange(200 * 3, dtype=float).reshape(200, 3)
    r = binary_report(y, score, y_train_true=y_tr, y_train_score=score_tr,
                      X_train=X_train, X_test=X_train + 0.5)
    assert 0.8 < r.f1 < 0.99
    assert r.n_duplicate_rows == 0
    assert r.warnings == []


def test_accuracy_paradox_on_a_rare_class():
    # 98% accuracy, but only 3 of 25 frauds caught
    y_true, y_pred = from_counts(3, 1, 22, 1224, pos="fraud", neg="ok")
    r = binary_report(y_true, y_pred=y_pred, pos_label="fraud")
    paradox = [w for w in r.warnings if w.startswith("Accuracy paradox")]
    assert len(paradox) == 1
    assert "accuracy 0.982" in paradox[0]
    assert "0.980 you get by always predicting 'ok'" in paradox[0]
    assert "recall on 'fraud' is only 0.120" in paradox[0]


def test_accuracy_paradox_when_recall_is_low_despite_a_margin():
    # accuracy 0.95 clearly above the 0.90 majority rate, but recall only 0.4
    y_true, y_pred = from_counts(40, 0, 60, 1100)
    r = binary_report(y_true, y_pred=y_pred, imbalance_ratio=0.05)
    assert r.accuracy > 0.9 + 0.02
    assert r.warnings == [
        (
            "Accuracy paradox: accuracy 0.950 looks high, but always predicting 0 "
            "already gives 0.917; recall on 1 is only 0.400."
        )
    ]
    assert binary_report(y_true, y_pred=y_pred, imbalance_ratio=0.05,
                         low_recall=0.3).warnings == []


def test_accuracy_paradox_thresholds_are_parameters():
    y_true, y_pred = from_counts(3, 1, 22, 1224, pos="fraud", neg="ok")
    r = binary_report(y_true, y_pred=y_pred, pos_label="fraud", low_recall=0.1,
                      paradox_margin=0.0, imbalance_ratio=0.01)
    assert r.warnings == []


def test_strong_imbalance():
    y = np.array([0] * 90 + [1] * 10)
    pred = np.array([0] * 88 + [1] * 2 + [1] * 9 + [0])
    r = binary_report(y, y_pred=pred)
    assert any(w.startswith("Strong class imbalance: 1 is only 10.0% of y_true")
               for w in r.warnings)
    assert not any("imbalance" in w
                   for w in binary_report(y, y_pred=pred, imbalance_ratio=0.1).warnings)


def test_one_class_only_in_the_predictions():
    y, score = good_balanced()
    r = binary_report(y, score * 0.4, threshold=0.5)  # every score below 0.5
    [warning] = [w for w in r.warnings if w.startswith("One class only")]
    assert "all 200 samples are predicted 0" in warning
    assert "at threshold 0.5" in warning and "to 0.4" in warning


def test_overfitting_compares_f1_and_roc_auc():
    y, _ = good_balanced()
    rng = np.random.RandomState(3)
    score = np.clip(np.where(y == 1, 0.6, 0.4) + rng.normal(0, 0.2, len(y)), 0, 1)
    perfect_train = np.where(y == 1, 0.99, 0.01)
    r = binary_report(y, score, y_train_true=y, y_train_score=perfect_train)
    [warning] = [w for w in r.warnings if w.startswith("Overfitting")]
    assert "F1 is 1.000 on the training data" in warning
    assert "ROC-AUC is 1.000 on the training data" in warning
    assert "overfit_gap=0.1" in warning
    assert r.train_f1 == 1.0 and r.train_roc_auc == 1.0
    # with hard training predictions, F1 only
    r = binary_report(y, score, y_train_true=y, y_train_pred=y)
    assert r.train_roc_auc is None
    assert any(w.startswith("Overfitting: F1") for w in r.warnings)
    # a larger allowed gap: no warning
    r = binary_report(y, score, y_train_true=y, y_train_score=perfect_train,
                      overfit_gap=0.5)
    assert not any(w.startswith("Overfitting") for w in r.warnings)


def test_suspiciously_perfect_scores():
    y = np.array([0, 1] * 50)
    r = binary_report(y, np.where(y == 1, 0.9, 0.1))
    [warning] = [w for w in r.warnings if w.startswith("Suspiciously perfect")]
    assert "F1 1.000 and ROC-AUC 1.000" in warning and "leakage" in warning
    assert not any(w.startswith("Suspiciously")
                   for w in binary_report(y, y_pred=y, perfect_score=1.0).warnings
                   if "ROC" in w)


def test_test_rows_found_in_the_training_rows():
    X_train = np.arange(40).reshape(20, 2)  # ints
    X_test = np.vstack([X_train[:5], np.arange(100, 110).reshape(5, 2)]).astype(float)
    y, score = np.array([0, 1] * 5), np.linspace(0.2, 0.8, 10)
    r = binary_report(y, score, X_train=X_train, X_test=X_test)
    assert r.n_duplicate_rows == 5  # 1 and 1.0 are the same value
    assert ("Possible leakage: 5 of 10 test rows (50.0%) also appear in the "
            "training data") in " ".join(r.warnings)


def test_shared_rows_in_pandas_frames_with_mixed_columns():
    pd = pytest.importorskip("pandas")
    X_train = pd.DataFrame({"a": [1.0, 2.0, 3.0], "city": ["x", "y", "z"]})
    X_test = pd.DataFrame({"a": [2.0, 2.0, 9.0, 1.0], "city": ["y", "x", "z", "x"]})
    r = binary_report([0, 1, 0, 1], [0.2, 0.7, 0.4, 0.6],
                      X_train=X_train, X_test=X_test)
    assert r.n_duplicate_rows == 2
    assert any("2 of 4 test rows (50.0%)" in w for w in r.warnings)


# --------------------------------------------------------------------------- #
# The report's forms
# --------------------------------------------------------------------------- #
def test_text_shows_the_labelled_matrix_metrics_and_warnings():
    y_true, y_pred = from_counts(3, 1, 22, 1224, pos="fraud", neg="ok")
    r = binary_report(y_true, y_pred=y_pred, pos_label="fraud")
    lines = str(r).splitlines()
    assert lines[0].startswith("Binary classification report: positive class 'fraud'")
    header, row_neg, row_pos = lines[2:5]
    assert header.split() == ["predicted", "ok", "predicted", "fraud"]
    assert row_neg.split() == ["actual", "ok", "TN", "=", "1224", "FP", "=", "1"]
    assert row_pos.split() == ["actual", "fraud", "FN", "=", "22", "TP", "=", "3"]
    assert "  precision          0.750" in lines
    assert "  recall             0.120" in lines
    start = lines.index("Warnings:")
    assert lines[start + 1:] == [f"  - {w}" for w in r.warnings]
    assert repr(r) == str(r)
    good = binary_report(*good_balanced())
    assert str(good).splitlines()[-1] == "Warnings: none"


def test_to_dict_holds_plain_python_values():
    y_true, y_pred = from_counts(70, 10, 20, 100, pos="spam", neg="ham")
    d = binary_report(y_true, y_pred=y_pred).to_dict()
    assert d["pos_label"] == "spam" and type(d["pos_label"]) is str
    assert type(d["tp"]) is int and d["tp"] == 70
    assert type(d["precision"]) is float and d["precision"] == 0.875
    assert d["roc_auc"] is None and d["threshold"] is None
    assert isinstance(d["warnings"], list)
    assert json.loads(json.dumps(d)) == d  # ready for JSON logs

    y, score = good_balanced()
    d = binary_report(np.where(y == 1, "spam", "ham"), score).to_dict()
    assert type(d["roc_auc"]) is float and d["threshold"] == 0.5


def test_to_frame_one_row_per_metric():
    pd = pytest.importorskip("pandas")
    y, score = good_balanced()
    r = binary_report(y, score)
    frame = r.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["value"]
    for name in ("tp", "precision", "recall", "f1", "accuracy", "roc_auc",
                 "average_precision", "log_loss", "brier_score"):
        assert frame.loc[name, "value"] == pytest.approx(getattr(r, name))
    assert np.isnan(frame.loc["train_f1", "value"])  # not computed


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #
def test_multiclass_is_refused():
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        binary_report([0, 1, 2], y_pred=[0, 1, 2])
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        binary_report([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4])
    # y_true binary, but y_pred brings a third label
    with pytest.raises(ValueError, match="Only binary classification.*3 labels"):
        binary_report([0, 1, 1], y_pred=[0, 1, 2])


def test_exactly_one_of_scores_and_predictions():
    with pytest.raises(ValueError, match="exactly one of y_score .* got both"):
        binary_report([0, 1], [0.2, 0.8], y_pred=[0, 1])
    with pytest.raises(ValueError, match="exactly one of y_score .* got neither"):
        binary_report([0, 1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"y_score": [[0.8, 0.2], [0.3, 0.7]]}, r"predict_proba\(X\)\[:, 1\]"),
        ({"y_score": [-1.5, 2.0]}, r"probabilities in \[0, 1\]"),
        ({"y_score": [0.2, np.nan]}, "NaN"),
        ({"y_pred": [0.2, 0.7]}, "Pass probabilities .* as y_score"),
        ({"y_pred": [0, 1], "pos_label": 3}, "pos_label=3 is not a valid label"),
        ({"y_pred": [0, 1], "y_train_score": [0.1, 0.9]}, "y_train_true"),
        ({"y_pred": [0, 1], "X_train": [[0.0], [1.0]]}, "X_train and X_test together"),
        ({"y_score": [0.2, 0.7], "threshold": 1.5}, "threshold"),
    ],
)
def test_bad_input_gets_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        binary_report([0, 1], **kwargs)


@pytest.mark.parametrize("threshold, error", [
    (float("nan"), ValueError), (float("inf"), ValueError), (-float("inf"), ValueError),
    (True, TypeError), (np.bool_(False), TypeError), ("0.5", TypeError),
])
def test_report_refuses_a_threshold_that_is_not_a_finite_number(threshold, error):
    with pytest.raises(error, match="threshold"):
        binary_report([0, 1], [0.2, 0.7], threshold=threshold)


def test_report_accepts_thresholds_from_zero_to_one():
    assert binary_report([0, 1], [0.2, 0.7], threshold=0).tp == 1
    assert binary_report([0, 1], [0.2, 0.7], threshold=np.float32(1.0)).tp == 0


def test_importing_the_metrics_and_plots_does_not_start_tensorflow():
    code = ("import sys, skbinary.metrics, skbinary.plotting; "
            "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_continuous_y_true_is_refused():
    with pytest.raises(ValueError, match="y_true must hold class labels"):
        binary_report([0.1, 0.7, 0.3], y_pred=[0, 1, 1])


# --------------------------------------------------------------------------- #
# Choosing the threshold
# --------------------------------------------------------------------------- #
def candidates_and_metrics(y, score):
    """Every distinct score as a threshold, and the metrics there (brute force)."""
    cands = np.unique(score)
    pred = score[None, :] >= cands[:, None]  # one row of predictions per threshold
    tp = (pred & (y == 1)).sum(axis=1)
    n_pred, n_pos = pred.sum(axis=1), (y == 1).sum()
    return cands, tp / n_pred, tp / n_pos, 2 * tp / (n_pos + n_pred)


def test_target_recall_on_a_small_example():
    y = [0, 0, 0, 0, 1, 0, 1, 1, 0, 1]
    score = [0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    c = choose_threshold(y, score, target_recall=0.75)
    assert isinstance(c, ThresholdChoice) and isinstance(c.report, BinaryReport)
    assert (c.threshold, c.recall, c.precision) == (0.6, 0.75, 0.75)
    assert (c.objective, c.target) == ("target_recall", 0.75)
    # full recall needs the threshold down to 0.4
    assert choose_threshold(y, score, target_recall=1.0).threshold == 0.4


def test_target_recall_gives_the_best_precision_that_reaches_it(fitted):
    _, _, y, score = fitted
    _, precision, recall, _ = candidates_and_metrics(y, score)
    for target in (0.5, 0.9, 0.98):
        c = choose_threshold(y, score, target_recall=target)
        assert c.recall >= target
        assert c.precision == precision[recall >= target].max()
        # no threshold with that precision has a better recall
        assert c.recall == recall[(recall >= target) & (precision == c.precision)].max()
        assert c.recall == recall_score(y, score >= c.threshold)


def test_target_recall_is_usually_the_highest_threshold_that_reaches_it():
    # precision falls as the threshold falls: the highest feasible threshold wins
    y = np.array([1, 1, 1, 0, 1, 0, 0, 1, 0, 0])
    score = np.linspace(0.95, 0.05, 10)
    c = choose_threshold(y, score, target_recall=0.8)
    higher = score[score > c.threshold]
    assert recall_score(y, score >= higher.min()) < 0.8


def test_target_recall_prefers_a_lower_threshold_that_is_better_on_both_counts():
    y = [0, 1, 1, 1, 0, 0]
    score = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    # 0.8 is the highest threshold with recall >= 0.3 (precision 1/2, recall 1/3),
    # but 0.6 has precision 3/4 and recall 1: better on both counts.
    c = choose_threshold(y, score, target_recall=0.3)
    assert (c.threshold, c.precision, c.recall) == (0.6, 0.75, 1.0)


def test_target_precision_gives_the_best_recall_that_reaches_it(fitted):
    _, _, y, score = fitted
    _, precision, recall, _ = candidates_and_metrics(y, score)
    for target in (0.7, 0.9):
        c = choose_threshold(y, score, target_precision=target)
        ok = precision >= target
        assert c.precision >= target
        assert c.recall == recall[ok].max()
        # no threshold with the same recall has a better precision
        assert c.precision == precision[ok & (recall == c.recall)].max()


def test_target_precision_skips_thresholds_that_only_add_negatives():
    y = [0, 0, 1, 0, 1, 1]
    score = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    # The lowest threshold with precision >= 0.6 is 0.2 (precision 3/5, recall
    # 1), but 0.2 only adds a negative to 0.3 (precision 3/4, recall 1).
    c = choose_threshold(y, score, target_precision=0.6)
    assert (c.threshold, c.precision, c.recall) == (0.3, 0.75, 1.0)
    # at 0.5 and 0.6 precision is 1; 0.5 has the better recall
    c = choose_threshold(y, score, target_precision=0.9)
    assert (c.threshold, c.precision) == (0.5, 1.0)
    assert c.recall == pytest.approx(2 / 3)


def test_best_f1_threshold(fitted):
    _, _, y, score = fitted
    cands, _, _, f1 = candidates_and_metrics(y, score)
    c = choose_threshold(y, score)
    assert c.objective == "f1" and c.target is None
    assert c.f1 == f1.max()
    assert c.threshold == cands[np.argmax(f1)]


def test_choice_matches_fixed_threshold_classifier(fitted):
    model, X, y, _ = fitted
    score = model.predict_proba(X)[:, 1]
    for kwargs in ({"target_recall": 0.9}, {"target_precision": 0.8}, {}):
        c = choose_threshold(y, score, **kwargs)
        fixed = FixedThresholdClassifier(FrozenEstimator(model), threshold=c.threshold,
                                         response_method="predict_proba").fit(X, y)
        pred = fixed.predict(X)
        assert recall_score(y, pred) == c.recall
        assert precision_score(y, pred) == c.precision
        assert f1_score(y, pred) == c.f1
        np.testing.assert_array_equal(c.report.confusion_matrix,
                                      confusion_matrix(y, pred))


def test_best_f1_matches_tuned_threshold_classifier(fitted):
    model, X, y, score = fitted
    c = choose_threshold(y, score)
    # same data (cv="prefit" scores the frozen model on X) and same candidates
    tuned = TunedThresholdClassifierCV(
        FrozenEstimator(model), scoring="f1", cv="prefit", refit=False,
        thresholds=np.unique(score),
    ).fit(X, y)
    assert tuned.best_threshold_ == c.threshold
    assert tuned.best_score_ == c.f1


def test_best_f1_matches_tuned_threshold_classifier_with_string_labels(fitted):
    _, X, y, _ = fitted
    y_str = np.where(y == 1, "spam", "ham")
    model_str = LogisticRegression().fit(X, y_str)
    score = model_str.predict_proba(X)[:, 1]  # classes_[1] is "spam"
    c = choose_threshold(y_str, score)
    assert c.report.pos_label == "spam"
    tuned = TunedThresholdClassifierCV(
        FrozenEstimator(model_str), scoring=make_scorer(f1_score, pos_label="spam"),
        cv="prefit", refit=False, thresholds=np.unique(score),
    ).fit(X, y_str)
    assert tuned.best_threshold_ == c.threshold


def test_the_report_at_the_chosen_threshold():
    y = np.array(["ham", "spam", "ham", "spam", "spam"])
    c = choose_threshold(y, [0.1, 0.4, 0.35, 0.8, 0.9], target_recall=1.0)
    assert c.threshold == 0.4
    assert c.report.threshold == 0.4 and c.report.pos_label == "spam"
    assert (c.report.recall, c.report.precision) == (c.recall, c.precision)


def test_integer_weights_act_like_repeated_rows():
    y = np.array([0, 1, 0, 1, 1, 0])
    score = np.array([0.2, 0.3, 0.4, 0.6, 0.7, 0.8])
    weight = np.array([1, 3, 1, 2, 1, 2])
    weighted = choose_threshold(y, score, sample_weight=weight)
    repeated = choose_threshold(np.repeat(y, weight), np.repeat(score, weight))
    assert weighted.threshold == repeated.threshold
    assert weighted.f1 == pytest.approx(repeated.f1)


def test_unreachable_target_says_the_best_achievable():
    with pytest.raises(ValueError, match="best achievable precision is 0.500"):
        choose_threshold([0, 1, 0, 1], [0.9, 0.1, 0.8, 0.2], target_precision=0.99)


def test_threshold_choice_errors():
    with pytest.raises(ValueError, match="at most one of target_recall"):
        choose_threshold([0, 1], [0.1, 0.9], target_recall=0.9, target_precision=0.9)
    with pytest.raises(ValueError, match="no sample of the positive class"):
        choose_threshold([0, 0], [0.1, 0.9], pos_label=1)
    with pytest.raises(ValueError, match="target_recall"):
        choose_threshold([0, 1], [0.1, 0.9], target_recall=1.5)
    # NaN compares false with both bounds: it must not pass as a fraction
    with pytest.raises(ValueError, match="'target_recall' parameter must be a finite"):
        choose_threshold([0, 1], [0.1, 0.9], target_recall=float("nan"))
    with pytest.raises(ValueError, match="'target_precision' parameter must be a finite"):
        choose_threshold([0, 1], [0.1, 0.9], target_precision=np.nan)
    with pytest.raises(ValueError, match="Only binary classification"):
        choose_threshold([0, 1, 2], [0.1, 0.5, 0.9])



@pytest.mark.parametrize("setting", ["imbalance_ratio", "paradox_margin", "low_recall",
                                     "overfit_gap", "perfect_score"])
def test_report_refuses_a_nan_warning_setting(setting):
    # a NaN setting would silently switch its warning off (every comparison is False)
    with pytest.raises(ValueError, match=f"'{setting}' parameter must be a finite number"):
        binary_report([0, 1, 0, 1], y_pred=[0, 1, 1, 1], **{setting: float("nan")})
