import numpy as np
import pytest

from mlprivacy_lab.data import available, load_dataset, make_gaussian_mixture


@pytest.mark.parametrize("name", ["mnist5k", "digits", "breast_cancer", "wine"])
def test_shipped_datasets_split_reproducibly(name):
    a = load_dataset(name, test_size=0.25, seed=3)
    b = load_dataset(name, test_size=0.25, seed=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    n = len(a.y_train) + len(a.y_test)
    assert abs(len(a.y_test) - 0.25 * n) <= 1
    assert a.X_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert set(np.unique(a.y_test)) == set(range(a.n_classes))  # stratified: every class in the test split
    c = load_dataset(name, test_size=0.25, seed=4)
    assert not np.array_equal(a.y_test, c.y_test)


def test_mnist5k_shape_and_range():
    d = load_dataset("mnist5k", test_size=1000)
    assert d.X_train.shape == (4000, 784) and d.X_test.shape == (1000, 784)
    assert 0.0 <= d.X_train.min() and d.X_train.max() <= 1.0
    assert d.images(d.X_test[:3]).shape == (3, 28, 28)
    assert np.bincount(d.y_test).min() >= 90  # stratified 10 classes


def test_tabular_has_no_images():
    d = load_dataset("breast_cancer")
    assert d.n_features == 30 and len(d.feature_names) == 30
    with pytest.raises(ValueError, match="tabular"):
        d.images(d.X_test)


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(ValueError, match="available: .*mnist5k"):
        load_dataset("cifar10")
    assert "digits" in available()


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.1, 0, 1797, "0.2", True])
def test_bad_split_sizes(bad):
    with pytest.raises(ValueError, match="test_size"):
        load_dataset("digits", test_size=bad)


def test_gaussian_mixture_is_seeded_and_separable():
    a = make_gaussian_mixture(n_samples=1000, n_features=5, n_classes=3, separation=6.0, seed=1)
    b = make_gaussian_mixture(n_samples=1000, n_features=5, n_classes=3, separation=6.0, seed=1)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert a.n_classes == 3 and a.n_features == 5
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=1000).fit(a.X_train, a.y_train)
    assert clf.score(a.X_test, a.y_test) > 0.9


@pytest.mark.parametrize("kwargs", [{"n_samples": 3}, {"n_classes": 1}, {"separation": 0},
                                    {"n_features": 0}, {"components_per_class": 1.5}])
def test_gaussian_mixture_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_gaussian_mixture(**kwargs)
