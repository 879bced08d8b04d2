"""Cross-fitted members: every row trains all members but one and validates that one."""

import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler
from sklearn.datasets import make_classification

from conftest import skip_net, small_classifier


def cross_fit(**params):
    return small_classifier(**{"ensemble_size": 4, "validation": "cross_fit",
                               "early_stopping": True, **params})


@pytest.fixture(scope="module")
def rare():
    """400 rows, 6% positive: a fifth held out would take 5 of 24 positives."""
    return make_classification(n_samples=400, n_features=6, weights=[0.94],
                               random_state=3)


def test_no_row_is_lost_to_validation(rare):
    X, y = rare
    clf = cross_fit(epochs=40, n_iter_no_change=5).fit(X, y)
    assert clf._fitted.resolved["training_rows"] == len(y)
    holdout = small_classifier(ensemble_size=4, early_stopping=True,
                               validation="holdout").fit(X, y)
    assert holdout._fitted.resolved["training_rows"] == len(y) - len(y) // 5
    assert len(clf.history_["val_loss"]) == clf.n_iter_ <= 40


def test_a_member_never_trains_on_its_own_fold(binary_data):
    # The engine's per-member weights: a member whose weights are all zero does
    # not move, while the others learn.
    from skbinary import _engine, _network, _params
    from skbinary._trainers import _new_builtin_trainer

    X, y = binary_data
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    params = _params.resolve(cross_fit(hidden_layer_sizes=(4,)))
    trainer = _new_builtin_trainer(params, X.shape[1], _params.architecture(params))
    _network.initialize_weights(trainer.model, 0, X32)
    before = [w.copy() for w in trainer.model.get_weights()]
    w = np.ones((len(y), 4), np.float32)
    w[:, 0] = 0.0
    _engine.train(trainer, X32, y32, w, epochs=2, batch_size=32, seed=0)
    after = trainer.model.get_weights()
    # the members' output kernel: block-diagonal, member 0's logit in column 0
    out = [i for i, w in enumerate(before) if w.ndim == 2 and w.shape[1] == 4][0]
    np.testing.assert_array_equal(after[out][:, 0], before[out][:, 0])
    assert not np.array_equal(after[out][:, 1:], before[out][:, 1:])


def test_learned_threshold_comes_from_out_of_fold_probabilities(rare):
    X, y = rare
    clf = cross_fit(epochs=20, threshold={"recall": 0.9}).fit(X, y)
    assert 0 < clf.threshold_ < 0.5
    p = clf.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(clf.predict(X), (p >= clf.threshold_).astype(int))


def test_seeded_cross_fit_is_reproducible(rare):
    X, y = rare
    a = cross_fit(epochs=10).fit(X, y).predict_proba(X)
    b = cross_fit(epochs=10).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("params, message", [
    ({"ensemble_size": 1}, "ensemble_size >= 2"),
    ({"sampler": RandomUnderSampler()}, "sampler"),
    ({"model": lambda: skip_net(6)}, "model="),
])
def test_cross_fit_where_members_cannot_says_why(rare, params, message):
    X, y = rare
    with pytest.raises(ValueError, match=message):
        cross_fit(epochs=1, **params).fit(X, y)


def test_auto_cross_fits_where_it_can_and_holds_out_elsewhere(rare):
    X, y = rare
    auto = {"validation": "auto", "epochs": 2}
    assert cross_fit(**auto).fit(X, y)._fitted.resolved["validation"] == "cross_fit"
    for where_not in ({"ensemble_size": 1}, {"sampler": RandomUnderSampler()}):
        clf = cross_fit(**auto, **where_not).fit(X, y)
        assert clf._fitted.resolved["validation"] == "holdout"
    few = y.copy()
    few[np.flatnonzero(y == 1)[3:]] = 0  # 3 positives: too few for 4 folds
    clf = cross_fit(**auto, threshold="f1").fit(X, few)
    assert clf._fitted.resolved["validation"] == "holdout"


def test_too_few_positives_for_the_folds_says_so():
    X = np.random.RandomState(0).normal(size=(200, 3))
    y = np.zeros(200, int)
    y[:3] = 1  # 3 positives cannot reach 4 folds
    with pytest.raises(ValueError, match="both classes in each"):
        cross_fit(epochs=1).fit(X, y)


def test_cross_fit_takes_what_fit_takes(rare):
    # string labels, a DataFrame, a sparse matrix, weights of both kinds
    pd = pytest.importorskip("pandas")
    import scipy.sparse as sp

    X, y = rare
    labels = np.where(y == 1, "spam", "ham")
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    for data in (pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]),
                 sp.csr_matrix(X)):
        clf = cross_fit(epochs=5, class_weight="balanced").fit(data, labels, sample_weight=w)
        assert clf._fitted.resolved["validation"] == "cross_fit"
        assert set(clf.predict(data)) <= {"ham", "spam"}
        assert clf.predict_proba(data).shape == (len(y), 2)
