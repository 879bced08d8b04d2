"""The data a fit trains on: weights, the validation split, minibatches, resampling.

``fit`` and ``partial_fit`` prepare their rows through these functions (one
path, two differences, each said where it is made): ``partial_fit`` keeps a
chunk's weights as given, and only ``fit`` holds out a validation split,
resamples and learns a threshold on the held-out rows (``learned_threshold``).
``partial_fit``'s own checks (``check_incremental``, ``partial_classes``) are
here too. Nothing here knows Keras.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.utils.class_weight import compute_class_weight

from ._checks import (
    check_binary_target,
    check_sample_weight,
    check_threshold,
    py_scalar,
)
from ._fitted import as_float32
from .metrics import choose_threshold

# early_stopping="auto" holds out a validation split from this many rows on.
AUTO_EARLY_STOPPING_MIN_SAMPLES = 100
# numeric_embedding="auto": the piecewise encoding from this many rows on (its 8
# quantile bins a feature overfit smaller tables: issue 26's two suites).
AUTO_PIECEWISE_MIN_SAMPLES = 500
# batch_size="auto": about this many minibatches an epoch, within this range.
_AUTO_BATCHES_PER_EPOCH = 64
_AUTO_BATCH_RANGE = (32, 512)


def check_incremental(params):
    """Refuse the parameters ``partial_fit`` cannot honour on one chunk.

    ``params`` are the estimator's checked parameters (``_params.resolve``).
    """
    if params.sampler is not None or check_threshold(params.threshold) is not None:
        raise ValueError(
            "partial_fit trains one epoch on a chunk: it supports neither a "
            f"sampler (got sampler={params.sampler!r}) nor a threshold learned "
            f"on held-out rows (got threshold={params.threshold!r}); use fit."
        )
    if params.class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit: the class "
            "frequencies of the whole data are unknown. Pass a dict instead."
        )


def partial_classes(classes, fitted_classes):
    """Both labels of ``partial_fit``: ``classes`` on a first call (``fitted_classes``
    None), else ``fitted_classes``, which a given ``classes`` must equal."""
    if fitted_classes is None:
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return check_binary_target(np.asarray(classes))[0]
    if classes is not None and not np.array_equal(np.unique(classes), fitted_classes):
        raise ValueError(
            f"classes={list(classes)!r} is not the same as on the first call to "
            f"partial_fit ({list(fitted_classes)!r})."
        )
    return fitted_classes


def encode_chunk(y, classes):
    """``partial_fit``'s chunk labels as 0/1 codes of ``classes``; all must be known."""
    unknown = ~np.isin(y, classes)
    if unknown.any():
        raise ValueError(
            f"y contains labels {list(np.unique(y[unknown]))!r} that are not in "
            f"classes {list(classes)!r}."
        )
    return np.searchsorted(classes, y)


def learned_threshold(threshold, proba, y_val, sample_weight):
    """The threshold the objective ``threshold`` picks on the held-out rows.

    ``choose_threshold`` returns the score of a held-out row; the threshold
    learned is the midpoint between it and the next lower held-out score. The
    held-out rows get the same labels, and a row at the chosen score is not
    left on the edge, where a computation rounded differently (an exported
    float32 graph) would label it otherwise.
    """
    try:
        chosen = choose_threshold(y_val, proba, pos_label=1, sample_weight=sample_weight,
                                  **check_threshold(threshold)).threshold
    except ValueError as exc:
        raise ValueError(
            f"threshold={threshold!r} cannot be learned on the {len(y_val)} "
            f"held-out rows ({int(np.sum(y_val))} positive): {exc}"
        ) from None
    below = proba[proba < chosen]
    return float((chosen + (below.max() if below.size else 0.0)) / 2)


def early_stopping_on(early_stopping, y_enc):
    """Whether a fit on the encoded labels ``y_enc`` validates and stops early.

    ``"auto"`` does from ``AUTO_EARLY_STOPPING_MIN_SAMPLES`` rows on, unless a
    class has a single row, which cannot both train and validate: then it
    trains without early stopping and warns, as ``LogisticRegression`` would
    fit such data where a validation split cannot be made.
    """
    if early_stopping != "auto":
        return bool(early_stopping)
    if len(y_enc) < AUTO_EARLY_STOPPING_MIN_SAMPLES:
        return False
    if np.bincount(y_enc, minlength=2).min() < 2:
        warnings.warn(
            "early_stopping='auto' trains without early stopping: one class has a "
            "single sample, which cannot be both trained on and held out for "
            "validation. All epochs are run.",
            UserWarning, stacklevel=5,  # the user's fit
        )
        return False
    return True


def numeric_embedding_on(setting, n_samples, *, incremental=False):
    """The embedding a fit on ``n_samples`` rows builds (``setting`` checked).

    ``"auto"`` is ``"piecewise"`` from ``AUTO_PIECEWISE_MIN_SAMPLES`` rows on,
    else None; ``partial_fit`` (``incremental``) sees one chunk, not the data
    whose quantiles the bins need, so ``"auto"`` is None there.
    """
    if setting != "auto":
        return setting
    if incremental or n_samples < AUTO_PIECEWISE_MIN_SAMPLES:
        return None
    return "piecewise"


def batch_size(setting, n_samples):
    """Minibatch size for ``n_samples`` training rows (``setting``: int or "auto")."""
    if setting == "auto":
        return int(np.clip(n_samples // _AUTO_BATCHES_PER_EPOCH, *_AUTO_BATCH_RANGE))
    return int(setting)


def sample_weights(sample_weight, class_weight, classes, y_enc, *, incremental=False):
    """Per-row training weights: ``sample_weight`` times ``class_weight``.

    For ``fit`` both classes must keep a positive weight, and the weights are
    scaled to mean 1, which keeps the effective learning rate that of
    unweighted data. A ``partial_fit`` chunk may hold one class, and its
    weights stay as given: scaling each chunk to mean 1 would erase the
    weights' meaning from one chunk to the next.
    """
    sw = check_sample_weight(sample_weight, y_enc.shape[0])
    if class_weight is not None:
        sw = sw * compute_class_weight(class_weight, classes=classes, y=classes[y_enc])[y_enc]
    if incremental:
        return sw
    present = np.unique(y_enc[sw > 0])
    why = "" if class_weight is None else f" (times class_weight={class_weight!r})"
    if len(present) == 0:
        raise ValueError(f"Every sample weight{why} is zero: nothing to train on.")
    if len(present) < 2:
        raise ValueError(
            f"Only one class has a positive sample weight{why}: the classifier needs "
            f"samples of 2 classes, got only class {py_scalar(classes[present[0]])!r} "
            "after removing zero-weight samples."
        )
    return sw * (len(sw) / sw.sum())


def validation_split(y_enc, validation_fraction, seed):
    """``(train_idx, val_idx)``: a stratified hold-out of ``validation_fraction``."""
    idx = np.arange(y_enc.shape[0])
    try:
        return train_test_split(idx, test_size=validation_fraction,
                                stratify=y_enc, random_state=seed)
    except ValueError as exc:
        raise ValueError(
            "early_stopping (or a threshold learned in fit) cannot hold out "
            f"validation_fraction={validation_fraction} of {len(idx)} samples with both "
            f"classes in each part ({exc}). Use more data, a larger validation_fraction, "
            "or early_stopping=False."
        ) from None


def _why_not_cross_fit(params):
    """Why the members of ``params``' network cannot cross-fit, or None."""
    if params.ensemble_size < 2:
        return ("it needs an ensemble (ensemble_size >= 2), each member leaving out "
                "its own fold")
    if params.model is not None:
        return "a network of your own (model=) has no members"
    if params.sampler is not None:
        return "a sampler redraws the training rows each epoch, which have no fold"
    return None


def check_cross_fit(params):
    """Refuse ``validation="cross_fit"`` where the members cannot cross-fit."""
    why = _why_not_cross_fit(params) if params.validation == "cross_fit" else None
    if why is not None:
        raise ValueError(f"validation='cross_fit' cannot be used: {why}. Use "
                         "validation='holdout' or 'auto'.")


def member_folds(params, y_enc, seed):
    """The ensemble member that leaves out each row, or None for a holdout split.

    ``validation="cross_fit"`` deals the rows into ``ensemble_size``
    stratified folds, one a member (:func:`check_cross_fit` has refused
    it where members cannot cross-fit), and raises for too few rows; ``"auto"``
    does so where it can (an ensemble of the built-in network, no sampler,
    both classes in every fold) and otherwise returns None, as ``"holdout"``
    always does.
    """
    if params.validation == "holdout" or _why_not_cross_fit(params) is not None:
        return None
    k = params.ensemble_size
    if np.bincount(y_enc, minlength=2).min() < k:
        if params.validation == "auto":
            return None
        raise ValueError(
            f"validation='cross_fit' needs both classes in each of the {k} folds; the "
            f"rarer class has {np.bincount(y_enc, minlength=2).min()} samples. Use "
            "validation='holdout' or early_stopping=False.")
    folds = np.empty(y_enc.shape[0], dtype=np.intp)
    splits = StratifiedKFold(k, shuffle=True, random_state=seed).split(
        np.zeros((len(y_enc), 1)), y_enc)
    for member, (_, held_out) in enumerate(splits):
        folds[held_out] = member
    return folds


def member_weights(w, folds, n_members):
    """Weights ``(n_rows, n_members)``: member ``m`` gives its own fold weight 0.

    Scaled by ``n_members / (n_members - 1)``, so that each member's weights
    keep a mean of 1 over the rows it trains on.
    """
    keep = folds[:, None] != np.arange(n_members)[None, :]
    return (w[:, None] * keep * (n_members / (n_members - 1))).astype(np.float32)


def sampler_weighted(validation, y_train, y_resampled):
    """Weigh the validation rows' classes as the sampler weighs the training rows.

    Like ``class_weight``, which weighs the validation loss too, so that early
    stopping judges the model on the class balance it is trained for.
    """
    X_val, y_val, w_val = validation
    share = [np.mean(y_resampled == k) / np.mean(y_train == k) for k in (0, 1)]
    factor = np.asarray(share, np.float32)[y_val.astype(np.intp)]
    return X_val, y_val, (w_val * factor).astype(np.float32)


def _resampled_rows(sampler, X, X32, y32, w32, classes):
    """One draw of ``sampler`` as float32 ``(X, y, w)``; weights of mean 1."""
    Xr, yr = sampler.fit_resample(X, classes[y32.astype(np.intp)])
    idx = getattr(sampler, "sample_indices_", None)
    if idx is not None:  # kept or repeated rows keep their weight
        Xe, ye, we = X32[idx], y32[idx], w32[idx]
    else:
        Xe = as_float32(Xr)
        ye = np.searchsorted(classes, np.asarray(yr)).astype(np.float32)
        class_mean = np.array([w32[y32 == k].mean() for k in (0, 1)], np.float32)
        we = class_mean[ye.astype(np.intp)]  # made-up rows: their class's mean weight
        n = len(y32)
        if (len(ye) >= n and np.array_equal(ye[:n], y32)
                and np.array_equal(Xe[:n], X32)):  # originals first (SMOTE)
            we[:n] = w32
    return Xe, ye, (we * (len(we) / we.sum())).astype(np.float32)


def epoch_sampler(sampler, X, classes, X32, y32, w32, seed):
    """``epoch_data`` for ``_engine.train``: the training rows resampled each epoch.

    Returns the callable and the list of rows per epoch it fills; epoch 0 is
    drawn now, so that a failing sampler fails before training.
    """
    y_enc = y32.astype(np.intp)
    counts = ", ".join(f"{label!r}: {n}" for label, n in
                       zip(classes.tolist(), np.bincount(y_enc, minlength=2)))
    n_rows = []

    def resample(epoch):
        drawn = clone(sampler)
        if "random_state" in drawn.get_params(deep=False):
            state = np.random.SeedSequence([seed, epoch]).generate_state(1)[0]
            drawn.set_params(random_state=int(state >> 1))
        try:
            rows = _resampled_rows(drawn, X, X32, y32, w32, classes)
        except Exception as exc:
            raise ValueError(
                f"The sampler {sampler!r} failed on the {len(y_enc)} training "
                f"rows (class counts {{{counts}}}): {exc}"
            ) from exc
        n_rows.append(len(rows[1]))
        return rows

    first = resample(0)
    return (lambda epoch: first if epoch == 0 else resample(epoch)), n_rows
