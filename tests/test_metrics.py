"""skbinary.metrics: the report, its warnings, and threshold choice."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV

from skbinary.metrics import binary_report, choose_threshold


def _from_counts(tp, fp, fn, tn, pos="spam", neg="ham"):
    y_true = np.array([pos] * tp + [neg] * fp + [pos] * fn + [neg] * tn)
    y_pred = np.array([pos] * tp + [pos] * fp + [neg] * fn + [neg] * tn)
    return y_true, y_pred


def test_textbook_confusion_matrix():
    y_true, y_pred = _from_counts(70, 10, 20, 100, pos=1, neg=0)
    r = binary_report(y_true, y_pred=y_pred)
    assert (r.tp, r.fp, r.fn, r.tn) == (70, 10, 20, 100)
    assert r.precision == pytest.approx(0.875)
    assert round(r.recall, 3) == 0.778
    assert round(r.f1, 3) == 0.824
    assert r.accuracy == pytest.approx(0.85)
    assert r.specificity == pytest.approx(100 / 110)
    assert r.prevalence == pytest.approx(90 / 200)
    np.testing.assert_array_equal(r.confusion_matrix, [[100, 10], [20, 70]])
    assert r.roc_auc is None  # only predictions were given


def test_string_labels_and_pos_label():
    y_true, y_pred = _from_counts(70, 10, 20, 100)
    r = binary_report(y_true, y_pred=y_pred, pos_label="spam")
    assert r.pos_label == "spam" and r.neg_label == "ham" and r.tp == 70
    # sklearn's default positive is the greater label: "spam" > "ham"
    assert binary_report(y_true, y_pred=y_pred).tp == 70
    flipped = binary_report(y_true, y_pred=y_pred, pos_label="ham")
    assert flipped.tp == 100 and flipped.fn == 10


def test_scores_are_thresholded_with_greater_or_equal():
    y_true = np.array([0, 0, 1, 1])
    y_score = np.array([0.1, 0.5, 0.5, 0.9])
    r = binary_report(y_true, y_score, threshold=0.5)
    assert (r.tp, r.fp, r.fn, r.tn) == (2, 1, 0, 1)
    assert r.roc_auc == pytest.approx(0.875)
    assert 0 < r.log_loss and 0 < r.brier_score < 1 and 0 < r.average_precision <= 1
    assert binary_report(y_true, y_score, threshold=0.6).tp == 1


def test_text_dict_and_frame():
    pd = pytest.importorskip("pandas")
    y_true, y_pred = _from_counts(70, 10, 20, 100)
    r = binary_report(y_true, y_pred=y_pred)
    text = str(r)
    for piece in ("TP = 70", "FP = 10", "FN = 20", "TN = 100", "actual spam",
                  "predicted ham", "precision", "0.875"):
        assert piece in text
    d = r.to_dict()
    assert d["tp"] == 70 and d["precision"] == 0.875 and d["pos_label"] == "spam"
    assert isinstance(d["warnings"], list)
    frame = r.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame.loc["recall", "value"] == pytest.approx(70 / 90)


def _good_balanced():
    rng = np.random.RandomState(0)
    y = np.array([0, 1] * 100)
    score = np.clip(np.where(y == 1, 0.7, 0.3) + rng.normal(0, 0.2, 200), 0, 1)
    return y, score


def test_no_warning_for_a_good_balanced_model():
    y, score = _good_balanced()
    r = binary_report(y, score, y_train_true=y, y_train_score=score)
    assert 0.8 < r.f1 < 0.99
    assert r.warnings == []


def test_accuracy_paradox_fraud():
    # 98% accuracy, 12% recall on fraud: useless
    y_true, y_pred = _from_counts(3, 1, 22, 1224, pos="fraud", neg="ok")
    r = binary_report(y_true, y_pred=y_pred, pos_label="fraud")
    assert r.accuracy > 0.98
    text = " ".join(r.warnings)
    assert "Accuracy paradox" in text and "0.120" in text
    assert "Strong class imbalance" in text


def test_accuracy_paradox_threshold_is_a_parameter():
    y_true, y_pred = _from_counts(3, 1, 22, 1224, pos="fraud", neg="ok")
    r = binary_report(y_true, y_pred=y_pred, pos_label="fraud", low_recall=0.1,
                      paradox_margin=0.0, imbalance_ratio=0.01)
    assert r.warnings == []


def test_one_class_only():
    y_true = np.array([0] * 90 + [1] * 10)
    r = binary_report(y_true, y_pred=np.zeros(100, int), pos_label=1)
    assert any("One class only" in w and "100 samples" in w for w in r.warnings)


def test_overfitting_warning():
    y, score = _good_balanced()
    r = binary_report(y, score, y_train_true=y, y_train_score=(y == 1).astype(float))
    assert any(w.startswith("Overfitting") and "F1" in w for w in r.warnings)
    assert not any("Overfitting" in w for w in
                   binary_report(y, score, y_train_true=y, y_train_score=score,
                                 overfit_gap=0.5).warnings)


def test_perfection_and_shared_rows_suggest_leakage():
    y = np.array([0, 1] * 50)
    r = binary_report(y, y.astype(float))
    assert any(w.startswith("Suspiciously perfect") for w in r.warnings)
    X_train = np.arange(40).reshape(20, 2)
    X_test = np.vstack([X_train[:5], np.arange(100, 110).reshape(5, 2)])
    y10 = np.array([0, 1] * 5)
    r = binary_report(y10, np.linspace(0.2, 0.8, 10), X_train=X_train, X_test=X_test)
    assert any("5 of 10 test rows (50.0%)" in w for w in r.warnings)


def test_report_errors():
    with pytest.raises(ValueError, match="exactly one"):
        binary_report([0, 1], [0.2, 0.8], y_pred=[0, 1])
    with pytest.raises(ValueError, match="exactly one"):
        binary_report([0, 1])
    with pytest.raises(ValueError, match="Only binary classification"):
        binary_report([0, 1, 2], y_pred=[0, 1, 2])


@pytest.fixture(scope="module")
def scored():
    X, y = make_classification(n_samples=400, weights=[0.7], random_state=0)
    model = LogisticRegression().fit(X[:200], y[:200])
    return model, X[200:], y[200:], model.predict_proba(X[200:])[:, 1]


def test_threshold_for_target_recall(scored):
    model, X, y, score = scored
    c = choose_threshold(y, score, target_recall=0.95)
    assert c.recall >= 0.95
    # it is the highest such threshold: nudging it up loses the recall
    higher = score[score > c.threshold]
    if len(higher):
        assert recall_score(y, score >= higher.min()) < 0.95
    # sklearn's FixedThresholdClassifier at that threshold agrees
    fixed = FixedThresholdClassifier(FrozenEstimator(model), threshold=c.threshold,
                                     response_method="predict_proba").fit(X, y)
    pred = fixed.predict(X)
    assert recall_score(y, pred) == pytest.approx(c.recall)
    assert precision_score(y, pred) == pytest.approx(c.precision)


def test_threshold_for_target_precision(scored):
    _, _, y, score = scored
    c = choose_threshold(y, score, target_precision=0.9)
    assert c.precision >= 0.9
    lower = score[score < c.threshold]
    if len(lower):
        # it is the lowest such threshold: one candidate lower loses the precision
        assert precision_score(y, score >= lower.max()) < 0.9


def test_f1_threshold_agrees_with_tuned_threshold_classifier(scored):
    model, X, y, score = scored
    c = choose_threshold(y, score)
    assert c.f1 == pytest.approx(f1_score(y, score >= c.threshold))
    # same data, same candidates: sklearn's tuner finds the same best F1
    tuned = TunedThresholdClassifierCV(FrozenEstimator(model), scoring="f1",
                                       thresholds=np.unique(score), cv=_AllData(len(y)),
                                       refit=False).fit(X, y)
    assert tuned.best_score_ == pytest.approx(c.f1)
    assert f1_score(y, score >= tuned.best_threshold_) == pytest.approx(c.f1)


class _AllData:
    """A CV splitter with one split that trains and evaluates on all rows."""

    def __init__(self, n):
        self.n = n

    def split(self, X=None, y=None, groups=None):
        idx = np.arange(self.n)
        yield idx, idx

    def get_n_splits(self, X=None, y=None, groups=None):
        return 1


def test_unreachable_target_says_the_best():
    with pytest.raises(ValueError, match="best is"):
        choose_threshold([0, 1, 0, 1], [0.9, 0.1, 0.8, 0.2], target_precision=0.99)
    with pytest.raises(ValueError, match="at most one"):
        choose_threshold([0, 1], [0.1, 0.9], target_recall=0.9, target_precision=0.9)


def test_string_labels_in_threshold_choice():
    y = np.array(["ham", "spam", "ham", "spam", "spam"])
    c = choose_threshold(y, [0.1, 0.4, 0.35, 0.8, 0.9], target_recall=1.0)
    assert c.threshold == pytest.approx(0.4) and c.report.pos_label == "spam"
