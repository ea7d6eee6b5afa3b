import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from mlprivacy_lab.api import PredictionAPI
from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.models import mlp, predict_proba, train_classifier


@pytest.fixture(scope="module")
def digits_model():
    data = load_dataset("digits", test_size=0.3, seed=0)
    torch.manual_seed(0)
    model = train_classifier(mlp(data.n_features, data.n_classes, (32,)), data.X_train, data.y_train,
                             epochs=5, progress=False)
    return data, model


def test_full_mode_returns_model_confidences(digits_model):
    data, model = digits_model
    api = PredictionAPI(model, data.n_classes)
    out = api.query(data.X_test)
    np.testing.assert_allclose(out, predict_proba(model, data.X_test))
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-6)
    assert np.mean(api.predict(data.X_test) == data.y_test) > 0.8


@pytest.mark.parametrize("decimals", [0, 1, 2, 4])
def test_rounded_mode(digits_model, decimals):
    data, model = digits_model
    out = PredictionAPI(model, data.n_classes, "rounded", decimals=decimals).query(data.X_test)
    full = predict_proba(model, data.X_test)
    np.testing.assert_array_equal(out, np.round(full, decimals))
    scaled = out * 10**decimals
    np.testing.assert_allclose(scaled, np.round(scaled), atol=1e-6)


@pytest.mark.parametrize("k", [1, 3, 9])
def test_top_k_reveals_only_the_k_largest(digits_model, k):
    data, model = digits_model
    out = PredictionAPI(model, data.n_classes, "top_k", k=k).query(data.X_test)
    full = predict_proba(model, data.X_test)
    assert np.all((out > 0).sum(1) <= k)
    kept = out > 0
    np.testing.assert_allclose(out[kept], full[kept])
    kth_largest = -np.sort(-full, axis=1)[:, k - 1]
    assert np.all(full[kept] >= np.repeat(kth_largest, kept.sum(1)) - 1e-12)
    np.testing.assert_array_equal(out.argmax(1), full.argmax(1))


def test_top_k_with_rounding(digits_model):
    data, model = digits_model
    out = PredictionAPI(model, data.n_classes, "top_k", k=2, decimals=1).query(data.X_test)
    assert np.all((out > 0).sum(1) <= 2)
    np.testing.assert_allclose(out * 10, np.round(out * 10), atol=1e-9)


def test_label_mode_reveals_one_class(digits_model):
    data, model = digits_model
    api = PredictionAPI(model, data.n_classes, "label")
    out = api.query(data.X_test)
    assert set(np.unique(out)) == {0.0, 1.0}
    np.testing.assert_array_equal(out.sum(1), 1.0)
    np.testing.assert_array_equal(out.argmax(1), predict_proba(model, data.X_test).argmax(1))


def test_counts_queries(digits_model):
    data, model = digits_model
    api = PredictionAPI(model, data.n_classes)
    api.query(data.X_test[:7])
    api.predict(data.X_test[0])
    assert (api.queries, api.calls) == (8, 2)
    api.reset_counter()
    assert api.queries == 0 and "queries=0" in repr(api)


def test_accepts_sklearn_and_callables():
    data = load_dataset("breast_cancer", seed=0)
    clf = LogisticRegression(max_iter=5000).fit(data.X_train, data.y_train)
    api = PredictionAPI(clf, 2, "rounded", decimals=2)
    np.testing.assert_array_equal(api.query(data.X_test), np.round(clf.predict_proba(data.X_test).astype(np.float64), 2))
    uniform = PredictionAPI(lambda X: np.full((len(X), 3), 1 / 3), 3)
    np.testing.assert_allclose(uniform.query(np.zeros((2, 4))), 1 / 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "confidences"}, "unknown mode"),
    ({"mode": "rounded"}, "needs decimals"),
    ({"mode": "rounded", "decimals": -1}, "non-negative"),
    ({"mode": "rounded", "decimals": 1.5}, "non-negative"),
    ({"mode": "full", "decimals": 2}, "decimals applies"),
    ({"mode": "top_k"}, "needs an integer k"),
    ({"mode": "top_k", "k": 10}, "needs an integer k"),
    ({"mode": "top_k", "k": 0}, "needs an integer k"),
    ({"mode": "label", "k": 2}, "k applies"),
])
def test_invalid_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PredictionAPI(lambda X: X, 10, **kwargs)


def test_invalid_model_and_shapes():
    with pytest.raises(ValueError, match="predict_proba"):
        PredictionAPI(42, 3)
    with pytest.raises(ValueError, match="n_classes"):
        PredictionAPI(lambda X: X, 1)
    api = PredictionAPI(lambda X: np.full((len(X), 3), 1 / 3), 3)
    with pytest.raises(ValueError, match="shape"):
        api.query(np.zeros((2, 2, 2)))
    wrong = PredictionAPI(lambda X: np.ones((len(X), 4)) / 4, 3)
    with pytest.raises(ValueError, match="expected"):
        wrong.query(np.zeros((2, 5)))
