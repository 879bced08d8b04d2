"""The estimator inside the scikit-learn and imbalanced-learn tools users reach for."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
    average_precision_score,
    classification_report,
    f1_score,
    make_scorer,
    precision_score,
    recall_score,
)
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import small_classifier


def test_pipeline_with_scaler(spam_data):
    X, y = spam_data
    pipe = make_pipeline(StandardScaler(), small_classifier()).fit(X * 100 + 5, y)
    assert pipe.score(X * 100 + 5, y) > 0.85
    assert list(pipe.classes_) == ["ham", "spam"]


@pytest.mark.parametrize("scoring", ["f1", "precision", "recall", "roc_auc"])
def test_grid_search_scores_are_finite(binary_data, scoring):
    X, y = binary_data
    search = GridSearchCV(
        make_pipeline(StandardScaler(), small_classifier(epochs=10)),
        {"kerasbinaryclassifier__hidden_layer_sizes": [(8,), (16, 8)],
         "kerasbinaryclassifier__dropout": [0.0, 0.2]},
        scoring=scoring, cv=3,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 4
    assert np.all(np.isfinite(scores)) and np.all(scores > 0.6)
    assert search.best_params_["kerasbinaryclassifier__dropout"] in (0.0, 0.2)


def test_grid_search_with_string_labels_and_roc_auc(spam_data):
    # scikeras on sklearn >= 1.6 silently gives NaN here: not a classifier to sklearn
    X, y = spam_data
    search = GridSearchCV(small_classifier(epochs=10), {"dropout": [0.0, 0.3]},
                          scoring="roc_auc", cv=3).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ > 0.85


def test_cross_validate_several_metrics(spam_data):
    X, y = spam_data
    # with string labels sklearn's precision/recall/F1/AP scorers need pos_label;
    # ROC-AUC takes classes_[1] ("spam") as positive
    scoring = {
        "accuracy": "accuracy",
        "precision": make_scorer(precision_score, pos_label="spam"),
        "recall": make_scorer(recall_score, pos_label="spam"),
        "f1": make_scorer(f1_score, pos_label="spam"),
        "roc_auc": "roc_auc",
        "average_precision": make_scorer(average_precision_score, pos_label="spam",
                                         response_method="predict_proba"),
        "neg_log_loss": "neg_log_loss",
    }
    res = cross_validate(small_classifier(epochs=10), X, y, cv=StratifiedKFold(3),
                         scoring=scoring)
    for key in ("test_accuracy", "test_precision", "test_recall", "test_f1",
                "test_roc_auc", "test_average_precision", "test_neg_log_loss"):
        assert np.all(np.isfinite(res[key]))
    assert res["test_roc_auc"].mean() > 0.85


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(n_samples=400, weights=[0.9], class_sep=0.8,
                               random_state=1)
    return X, np.where(y == 1, "fraud", "ok")


@pytest.mark.parametrize("sampler", ["SMOTE", "RandomUnderSampler"])
def test_imblearn_pipeline_with_resampler(imbalanced, sampler):
    imblearn = pytest.importorskip("imblearn")
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline as make_imb_pipeline
    from imblearn.under_sampling import RandomUnderSampler

    X, y = imbalanced
    resampler = {"SMOTE": SMOTE, "RandomUnderSampler": RandomUnderSampler}[sampler]
    pipe = make_imb_pipeline(StandardScaler(), resampler(random_state=0),
                             small_classifier(epochs=15))
    # labels sort as ["fraud", "ok"]: name the minority as the positive label
    f1_fraud = make_scorer(f1_score, pos_label="fraud")
    res = cross_validate(pipe, X, y, cv=3, scoring={"f1": f1_fraud})
    assert np.all(np.isfinite(res["test_f1"])) and res["test_f1"].mean() > 0.3
    pipe.fit(X, y)
    plain = make_imb_pipeline(StandardScaler(), small_classifier(epochs=15)).fit(X, y)
    r_resampled = recall_score(y, pipe.predict(X), pos_label="fraud")
    r_plain = recall_score(y, plain.predict(X), pos_label="fraud")
    assert imblearn is not None and r_resampled >= r_plain


def test_fixed_and_tuned_threshold(binary_data):
    X, y = binary_data
    base = small_classifier(epochs=10)
    fixed = FixedThresholdClassifier(base, threshold=0.3).fit(X, y)
    proba = fixed.estimator_.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(fixed.predict(X), (proba >= 0.3).astype(int))
    tuned = TunedThresholdClassifierCV(base, scoring="recall", cv=3,
                                       thresholds=np.linspace(0.1, 0.9, 9)).fit(X, y)
    assert 0.0 < tuned.best_threshold_ < 1.0
    assert np.isfinite(tuned.best_score_)


def test_calibrated_classifier(spam_data):
    X, y = spam_data
    cal = CalibratedClassifierCV(small_classifier(epochs=10), cv=3).fit(X, y)
    proba = cal.predict_proba(X)
    assert proba.shape == (len(X), 2) and list(cal.classes_) == ["ham", "spam"]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_soft_voting_and_stacking_next_to_logistic_regression(spam_data):
    X, y = spam_data
    members = [("net", small_classifier(epochs=10)), ("lr", LogisticRegression())]
    voting = VotingClassifier(members, voting="soft").fit(X, y)
    assert voting.predict_proba(X).shape == (len(X), 2)
    assert voting.score(X, y) > 0.85
    stacking = StackingClassifier(members, final_estimator=LogisticRegression(),
                                  cv=3).fit(X, y)
    assert stacking.score(X, y) > 0.85


def test_displays_and_classification_report(spam_data):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = spam_data
    clf = small_classifier(epochs=10).fit(X, y)
    pr = PrecisionRecallDisplay.from_estimator(clf, X, y, pos_label="spam")
    roc = RocCurveDisplay.from_estimator(clf, X, y, pos_label="spam")
    cm = ConfusionMatrixDisplay.from_estimator(clf, X, y)
    assert 0.8 < pr.average_precision <= 1.0
    assert 0.8 < roc.roc_auc <= 1.0
    assert cm.confusion_matrix.sum() == len(y)
    report = classification_report(y, clf.predict(X), output_dict=True)
    assert set(report) >= {"ham", "spam", "accuracy"}
    plt.close("all")
