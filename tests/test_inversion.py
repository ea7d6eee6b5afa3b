"""Model inversion: the SVM leak is exact, MI-Face recovers recognisable classes, remedies hurt it."""

import numpy as np
import pytest
from sklearn.svm import SVC

from mlprivacy_lab.api import PredictionAPI
from mlprivacy_lab.attacks import inversion as inv
from mlprivacy_lab.config import setup_torch
from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.models import mlp, train_classifier

CLASSES = np.arange(10)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", test_size=0.25, seed=0)


@pytest.fixture(scope="module")
def softmax_regression(digits):
    setup_torch(0)
    return train_classifier(mlp(64, 10, hidden=()), digits.X_train, digits.y_train, epochs=30, seed=0,
                            progress=False)


def test_support_vectors_are_training_rows(digits):
    svc = SVC(kernel="rbf", gamma=0.05).fit(digits.X_train, digits.y_train)
    found = inv.support_vector_leak(svc, digits.X_train)
    assert (found >= 0).all()
    np.testing.assert_array_equal(digits.X_train[found], svc.support_vectors_)
    # scikit-learn's own record of which rows they are agrees (up to duplicate images)
    np.testing.assert_array_equal(digits.X_train[found], digits.X_train[svc.support_])


def test_match_rows_is_exact():
    X = np.array([[0.0, 1.0], [0.5, 0.25], [1.0, 1.0]])
    candidates = np.array([[0.5, 0.25], [0.5, 0.25 + 1e-12], [1.0, 1.0]])
    np.testing.assert_array_equal(inv.match_rows(candidates, X), [1, -1, 2])


def test_quality_of_the_class_means_themselves(digits):
    means = np.stack([digits.X_train[digits.y_train == c].mean(0) for c in CLASSES])
    q = inv.reconstruction_quality(means, CLASSES, digits.X_train, digits.y_train)
    np.testing.assert_allclose(q["corr_class_mean"], 1.0)
    assert q["identification_rate"] == 1.0 and (q["corr_nearest"] < 1).all()


def test_whitebox_mi_face_recovers_every_class(softmax_regression, digits):
    result = inv.mi_face_whitebox(softmax_regression, CLASSES, 64, steps=300, lr=1.0)
    assert result.queries == 0 and result.images.shape == (10, 64)
    assert result.images.min() >= 0 and result.images.max() <= 1
    assert (result.confidences > 0.9).all()
    q = inv.reconstruction_quality(result.images, CLASSES, digits.X_train, digits.y_train)
    assert q["identification_rate"] >= 0.9 and q["mean_corr_class_mean"] > 0.3


def test_blackbox_mi_face_through_the_api_and_the_label_only_remedy(softmax_regression, digits):
    quality = {}
    for mode in ("full", "label"):
        api = PredictionAPI(softmax_regression, 10, mode=mode)
        result = inv.mi_face_blackbox(api, CLASSES, 64, steps=150, lr=0.2, directions=20, seed=0)
        assert result.queries == api.queries > 0
        assert result.queries <= 10 * (1 + result.steps * (2 * 20 + 1))
        quality[mode] = inv.reconstruction_quality(result.images, CLASSES, digits.X_train, digits.y_train)
    assert quality["full"]["identification_rate"] >= 0.8 and quality["full"]["mean_corr_class_mean"] > 0.3
    assert quality["label"]["mean_corr_class_mean"] < quality["full"]["mean_corr_class_mean"] - 0.1


def test_blackbox_stalls_when_the_endpoint_hides_the_target(softmax_regression):
    api = PredictionAPI(softmax_regression, 10, mode="top_k", k=1)
    start_class = int(api.predict(np.zeros((1, 64)))[0])
    hidden = (start_class + 1) % 10
    result = inv.mi_face_blackbox(api, [hidden], 64, steps=50, sigma=0.01, patience=10)
    assert result.confidences[0] == 0.0 and not result.images.any()  # no signal: x stays at x_0 = 0


def test_bad_input_raises_clear_errors(softmax_regression, digits):
    api = PredictionAPI(softmax_regression, 10)
    with pytest.raises(ValueError, match="class indices in"):
        inv.mi_face_whitebox(softmax_regression, [10], 64)
    with pytest.raises(ValueError, match="non-empty"):
        inv.mi_face_blackbox(api, [], 64)
    with pytest.raises(ValueError, match="positive integers"):
        inv.mi_face_blackbox(api, [1], 64, steps=0)
    with pytest.raises(ValueError, match="lr must be positive"):
        inv.mi_face_whitebox(softmax_regression, [1], 64, lr=-1)
    with pytest.raises(ValueError, match="sigma"):
        inv.mi_face_blackbox(api, [1], 64, sigma=0)
    with pytest.raises(ValueError, match="fitted"):
        inv.support_vector_leak(SVC(), digits.X_train)
    with pytest.raises(ValueError, match="same number of columns"):
        inv.match_rows(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="one row per target"):
        inv.reconstruction_quality(np.zeros((2, 64)), [1], digits.X_train, digits.y_train)


def test_starting_points(digits):
    np.testing.assert_array_equal(inv.starting_points("zeros", 3, 64), np.zeros((3, 64)))
    mean = inv.starting_points("mean", 2, 64, X=digits.X_train)
    np.testing.assert_allclose(mean, np.repeat(digits.X_train.mean(0, keepdims=True), 2, axis=0), rtol=1e-6)
    noise = inv.starting_points("noise", 4, 64, seed=1)
    assert noise.shape == (4, 64) and 0 <= noise.min() and noise.max() <= 1 and len(np.unique(noise)) == 256
    np.testing.assert_array_equal(noise, inv.starting_points("noise", 4, 64, seed=1))  # seeded
    with pytest.raises(ValueError, match="unknown start"):
        inv.starting_points("ones", 1, 64)
    with pytest.raises(ValueError, match="needs the attacker's data"):
        inv.starting_points("mean", 1, 64)


def test_mi_face_on_an_mlp_from_each_start(digits):
    setup_torch(0)
    deep = train_classifier(mlp(64, 10, hidden=(64,)), digits.X_train, digits.y_train, epochs=30, seed=0,
                            progress=False)
    found = {}
    for start in inv.STARTS:
        x0 = inv.starting_points(start, 10, 64, X=digits.X_train, seed=0)
        result = inv.mi_face_whitebox(deep, CLASSES, 64, steps=300, lr=1.0, x0=x0)
        found[start] = inv.reconstruction_quality(result.images, CLASSES, digits.X_train, digits.y_train)
        assert result.images.min() >= 0 and result.images.max() <= 1
    assert found["zeros"]["identification_rate"] >= 0.8
    api = PredictionAPI(deep, 10)
    black = inv.mi_face_blackbox(api, CLASSES, 64, steps=100, lr=0.2, directions=20, seed=0,
                                 x0=inv.starting_points("zeros", 10, 64))
    assert black.queries == api.queries > 0
    assert inv.reconstruction_quality(black.images, CLASSES, digits.X_train, digits.y_train)[
        "identification_rate"] >= 0.7


def test_x0_is_where_the_search_starts(softmax_regression):
    x0 = np.full(64, 0.5)
    result = inv.mi_face_whitebox(softmax_regression, [3], 64, steps=1, lr=1e-12, patience=1, x0=x0)
    np.testing.assert_allclose(result.images[0], x0, atol=1e-9)  # one negligible step from x0
    with pytest.raises(ValueError, match="x0 must have shape"):
        inv.mi_face_whitebox(softmax_regression, [3, 4], 64, x0=np.zeros((3, 64)))
    with pytest.raises(ValueError, match="x0 must have shape"):
        inv.mi_face_blackbox(PredictionAPI(softmax_regression, 10), [3], 64, x0=np.zeros(10))
