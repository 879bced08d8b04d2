"""scikit-learn's estimator checks: the contract of a classifier."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from conftest import small_classifier
from skbinary import KerasBinaryClassifier

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch SGD: a weight of 2 is not the same as a duplicated row, since "
        "duplicates change the batches and the epoch length"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "minibatch SGD: a weight of 2 is not the same as a duplicated row, since "
        "duplicates change the batches and the epoch length"
    ),
}


@parametrize_with_checks(
    # a small, fast network; every parameter at its default (early stopping
    # from 100 rows, 4 ensemble members, input scaling, 200 epochs); and the
    # defaults with the piecewise encoding, which "auto" turns on from 500
    # rows, more than the checks' data has
    [small_classifier(), KerasBinaryClassifier(random_state=0),
     KerasBinaryClassifier(numeric_embedding="piecewise", random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
