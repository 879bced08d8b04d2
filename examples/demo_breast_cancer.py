"""
A cancer detector: grid search and an honest report
====================================================

The main job of ``make demo``. On scikit-learn's bundled breast-cancer data
(569 tumours, malignant = positive), a ``Pipeline(StandardScaler(),
KerasBinaryClassifier())`` is tuned by ``GridSearchCV`` over hidden layers and
dropout with ``scoring="f1"`` and 5-fold cross-validation, then judged on a
held-out test split: precision, recall, F1, accuracy, the confusion matrix and
the report's warnings. No network access; about a minute on 2 cores.
"""

# %%
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbinary import KerasBinaryClassifier
from skbinary.metrics import binary_report

# %%
# Data: sklearn codes malignant as 0; name the labels so the positive class is
# explicit. Labels sort as ["benign", "malignant"]: "malignant" is classes_[1].
data = load_breast_cancer()
y = np.where(data.target == 0, "malignant", "benign")
X_train, X_test, y_train, y_test = train_test_split(
    data.data, y, test_size=0.2, stratify=y, random_state=0
)
print(f"{len(y_train)} training and {len(y_test)} test tumours, "
      f"{np.mean(y == 'malignant'):.0%} malignant, {data.data.shape[1]} features")

# %%
# The search: a small grid over the architecture and dropout, scored by the F1
# of the malignant class, 5-fold stratified cross-validation.
pipe = Pipeline([
    ("scale", StandardScaler()),
    # The defaults: early stopping with the best epoch restored, an ensemble
    # of 4 networks averaged, inputs standardised inside the network.
    ("net", KerasBinaryClassifier(random_state=0)),
])
grid = {
    "net__hidden_layer_sizes": [(32,), (64, 32)],
    "net__dropout": [0.0, 0.3],
}
search = GridSearchCV(pipe, grid, scoring=make_scorer(f1_score, pos_label="malignant"),
                      cv=StratifiedKFold(5, shuffle=True, random_state=0))
start = time.perf_counter()
search.fit(X_train, y_train)
elapsed = time.perf_counter() - start
n_fits = len(search.cv_results_["params"]) * 5 + 1
print(f"\nGridSearchCV: {n_fits} fits in {elapsed:.1f} s")
for params, mean, std in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"],
                             search.cv_results_["std_test_score"]):
    print(f"  F1 {mean:.3f} +/- {std:.3f}  {params}")
print(f"Best parameters: {search.best_params_} (CV F1 {search.best_score_:.3f})")

# %%
# The truth on held-out data: the report, with training scores passed too so it
# can warn about overfitting, and both feature matrices so it can check leakage.
best = search.best_estimator_
report = binary_report(
    y_test, best.predict_proba(X_test)[:, 1], pos_label="malignant",
    y_train_true=y_train, y_train_score=best.predict_proba(X_train)[:, 1],
    X_train=X_train, X_test=X_test,
)
print("\nHeld-out test set\n" + str(report))
print(f"\nEpochs run by the refit network: {best['net'].n_iter_} "
      f"(early stopping, best weights restored)")
