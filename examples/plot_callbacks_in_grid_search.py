"""
Keras callbacks inside a grid search: ReduceLROnPlateau and CSVLogger
=====================================================================

Keras users bring their callbacks. Here ``ReduceLROnPlateau`` halves the
learning rate whenever the validation loss stalls and ``CSVLogger`` writes one
row per epoch, inside a ``GridSearchCV`` over the network's width on
scikit-learn's bundled breast-cancer data. Every fit of the search (each
candidate on each fold, then the refit) works on fresh copies of the
callbacks, so no state leaks from one fold to the next; the CSV file is
rewritten by each fit and ends up holding the refit of the best candidate.
The training curves are then plotted from that file: the loss on the
training and validation parts, and the learning rate stepping down.
"""

# %%
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbinary import KerasBinaryClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

log_file = Path(tempfile.mkdtemp()) / "training.csv"
net = KerasBinaryClassifier(
    epochs=300,
    early_stopping=True,
    n_iter_no_change=30,
    callbacks=[
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=8),
        keras.callbacks.CSVLogger(log_file),
    ],
    random_state=0,
)
search = GridSearchCV(
    make_pipeline(StandardScaler(), net),
    {"kerasbinaryclassifier__hidden_layer_sizes": [(16,), (64, 32)]},
    scoring="roc_auc",
    cv=3,
).fit(X_train, y_train)
print("best:", search.best_params_, f"CV ROC-AUC {search.best_score_:.3f}")
print(f"test ROC-AUC {search.score(X_test, y_test):.3f}")

# %%
# The refit's log: one row per epoch, with the rate ``ReduceLROnPlateau`` set.
log = pd.read_csv(log_file)
best = search.best_estimator_[-1]
assert len(log) == best.n_iter_  # one row per epoch run
print(log[["epoch", "loss", "val_loss", "learning_rate"]].iloc[::10].to_string(index=False))
rates = sorted(log["learning_rate"].unique(), reverse=True)
print("learning rates used:", ", ".join(f"{r:.2g}" for r in rates))

# %%
fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(9, 3.5))
ax_loss.plot(log["epoch"] + 1, log["loss"], label="training loss")
ax_loss.plot(log["epoch"] + 1, log["val_loss"], label="validation loss")
ax_loss.set(xlabel="epoch", ylabel="log loss", title="Refit of the best candidate")
ax_loss.legend()
ax_lr.step(log["epoch"] + 1, log["learning_rate"], where="post")
ax_lr.set(xlabel="epoch", ylabel="learning rate", yscale="log",
          title="ReduceLROnPlateau")
fig.tight_layout()
