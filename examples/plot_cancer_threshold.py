"""
A cancer detector that must not miss: choosing the threshold for recall >= 0.98
===============================================================================

On scikit-learn's bundled breast-cancer data (malignant = positive), a missed
cancer costs far more than a false alarm, so we ask for recall of at least
0.98 and accept the precision that buys. The threshold is chosen on
out-of-fold predictions of the *training* data (never on the test set, which
would leak), applied with the estimator's own ``threshold`` parameter, checked
against scikit-learn's ``FixedThresholdClassifier``, and judged once on the
held-out test split. Figures go to ``examples/figures/``.
"""

# %%
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib

matplotlib.use("Agg")
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import (
    FixedThresholdClassifier,
    StratifiedKFold,
    cross_val_predict,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbinary import KerasBinaryClassifier
from skbinary.metrics import binary_report, choose_threshold
from skbinary.plotting import (
    plot_confusion_matrix,
    plot_history,
    plot_precision_recall,
    plot_threshold_curves,
)

# sphinx-gallery runs the examples from their folder, without __file__.
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
FIGURES = HERE / "figures"
FIGURES.mkdir(exist_ok=True)

# %%
data = load_breast_cancer()
y = np.where(data.target == 0, "malignant", "benign")  # "malignant" is classes_[1]
X_train, X_test, y_train, y_test = train_test_split(
    data.data, y, test_size=0.25, stratify=y, random_state=0)
model = make_pipeline(
    StandardScaler(),
    KerasBinaryClassifier(hidden_layer_sizes=(32,), dropout=0.2, epochs=200,
                          early_stopping=True, n_iter_no_change=15, random_state=0),
)

# %%
# Out-of-fold scores on the training data, then the highest threshold that
# still reaches recall 0.98 there.
oof = cross_val_predict(model, X_train, y_train, method="predict_proba",
                        cv=StratifiedKFold(5, shuffle=True, random_state=0))[:, 1]
choice = choose_threshold(y_train, oof, target_recall=0.98, pos_label="malignant")
t = choice.threshold
print(f"Threshold for recall >= 0.98 (out-of-fold, training data): {t:.4f}")
print(f"  there: precision {choice.precision:.3f}, recall {choice.recall:.3f}, "
      f"F1 {choice.f1:.3f}")

# %%
# Fit on all training data, set the threshold, and compare with sklearn's tool.
model.fit(X_train, y_train)
at_half = binary_report(y_test, model.predict_proba(X_test)[:, 1], pos_label="malignant")
model.set_params(kerasbinaryclassifier__threshold=t)
fixed = FixedThresholdClassifier(clone(model), threshold=t, pos_label="malignant",
                                 response_method="predict_proba").fit(X_train, y_train)
assert np.array_equal(fixed.predict(X_test), model.predict(X_test)), "threshold mismatch"

score = model.predict_proba(X_test)[:, 1]
report = binary_report(y_test, score, threshold=t, pos_label="malignant",
                       y_train_true=y_train, y_train_score=model.predict_proba(X_train)[:, 1],
                       X_train=X_train, X_test=X_test)
print("\nHeld-out test set at the default threshold 0.5:")
print(f"  recall {at_half.recall:.3f}, precision {at_half.precision:.3f}, "
      f"missed cancers (FN) {at_half.fn}")
print(f"\nHeld-out test set at threshold {t:.4f} (same predictions as "
      "FixedThresholdClassifier):")
print(report)

# %%
net = model[-1]
plot_precision_recall(y_test, score, threshold=t, pos_label="malignant",
                      path=FIGURES / "cancer_precision_recall.png")
plot_threshold_curves(y_test, score, threshold=t, pos_label="malignant",
                      path=FIGURES / "cancer_threshold_curves.png")
plot_confusion_matrix(y_test, score, threshold=t, pos_label="malignant",
                      path=FIGURES / "cancer_confusion_matrix.png")
plot_history(net, path=FIGURES / "cancer_history.png")
print(f"\nFigures written to {FIGURES}")
