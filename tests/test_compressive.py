"""CPGAN and its baselines (chapter 8): reconstruction, utility and the privacy-utility trade-off."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from mlprivacy_lab.compressive import (CPGAN, NoisyPCA, evaluate, intruder_mse, mean_guess_mse, reconstruct,
                                       train_reconstructor, utility_accuracy)
from mlprivacy_lab.config import setup_torch
from mlprivacy_lab.data import make_gaussian_mixture


@pytest.fixture(scope="module")
def mixture():
    setup_torch(seed=0)
    return make_gaussian_mixture(2200, n_features=10, components_per_class=2, test_size=200, seed=0)


def test_intruder_recovers_x_from_an_invertible_release_near_perfectly(mixture):
    setup_torch(seed=0)
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(10, 10)))  # an orthogonal, invertible "G"
    Z_train, Z_test = mixture.X_train @ q, mixture.X_test @ q
    mse = intruder_mse(Z_train, mixture.X_train, Z_test, mixture.X_test, hidden=(), epochs=30, lr=1e-2)
    assert mse < 0.01 * mean_guess_mse(mixture), mse
    # ...while a 2-D PCA release loses most of what is outside its plane
    pca = PCA(2).fit(mixture.X_train)
    lossy = intruder_mse(pca.transform(mixture.X_train), mixture.X_train, pca.transform(mixture.X_test),
                         mixture.X_test, hidden=(), epochs=30, lr=1e-2)
    assert lossy > 50 * mse


def test_linear_intruder_matches_the_pca_reconstruction_error(mixture):
    setup_torch(seed=0)
    pca = PCA(2).fit(mixture.X_train)
    exact = np.mean((pca.inverse_transform(pca.transform(mixture.X_test)) - mixture.X_test) ** 2)
    model = train_reconstructor(pca.transform(mixture.X_train), mixture.X_train, hidden=(), epochs=30, lr=1e-2)
    ours = np.mean((reconstruct(model, pca.transform(mixture.X_test)) - mixture.X_test) ** 2)
    assert ours == pytest.approx(exact, rel=0.05)


def test_logistic_utility_classifier_on_pca_matches_sklearn(mixture):
    setup_torch(seed=0)
    pca = PCA(2).fit(mixture.X_train)
    Z_train, Z_test = pca.transform(mixture.X_train), pca.transform(mixture.X_test)
    ours = utility_accuracy(Z_train, mixture.y_train, Z_test, mixture.y_test, hidden=(), epochs=30, lr=1e-2)
    ref = LogisticRegression().fit(Z_train, mixture.y_train).score(Z_test, mixture.y_test)
    assert abs(ours - ref) <= 0.02, (ours, ref)


def test_cpgan_hides_x_better_than_pca_at_the_same_dimension_and_keeps_utility(mixture):
    setup_torch(seed=0)
    pca = evaluate("PCA", PCA(2), mixture, epochs=10)
    cpgan = evaluate("CPGAN", CPGAN(2, lam=10.0, epochs=10), mixture, epochs=10)
    assert cpgan.intruder_mse > 1.5 * pca.intruder_mse, (cpgan, pca)
    assert cpgan.utility_accuracy >= pca.utility_accuracy - 0.02, (cpgan, pca)


def test_lambda_weighs_utility(mixture):
    """lambda=0 asks G for privacy only: C's loss stays high; lambda=10 keeps C near-perfect. (On these
    well-separated clusters a lambda=0 release may still carry much of the class: hiding x is not hiding t.)"""
    setup_torch(seed=0)
    private = CPGAN(2, lam=0.0, epochs=10).fit(mixture.X_train, mixture.y_train)
    setup_torch(seed=0)
    useful = CPGAN(2, lam=10.0, epochs=10).fit(mixture.X_train, mixture.y_train)
    acc = {name: np.mean(m.predict(mixture.X_test) == mixture.y_test) for name, m in (("private", private), ("useful", useful))}
    assert acc["useful"] >= 0.98 and acc["useful"] >= acc["private"], acc
    assert private.history[-1]["train_ce_C"] > 10 * useful.history[-1]["train_ce_C"]
    assert private.history[-1]["train_mse_R"] > useful.history[-1]["train_mse_R"]


def test_cpgan_is_seeded_and_releases_the_compressed_dimension(mixture):
    a = CPGAN(3, lam=1.0, epochs=2, seed=4).fit(mixture.X_train, mixture.y_train)
    b = CPGAN(3, lam=1.0, epochs=2, seed=4).fit(mixture.X_train, mixture.y_train)
    Z = a.transform(mixture.X_test)
    assert Z.shape == (len(mixture.X_test), 3) and np.all(np.abs(Z) <= 1)
    np.testing.assert_array_equal(Z, b.transform(mixture.X_test))
    assert a.predict(mixture.X_test).shape == mixture.y_test.shape and len(a.history) == 2


def test_noisy_pca_adds_noise_of_the_stated_scale(mixture):
    clean = PCA(2, random_state=0).fit(mixture.X_train).transform(mixture.X_train)
    np.testing.assert_allclose(NoisyPCA(2, 0.0).fit(mixture.X_train).transform(mixture.X_train), clean, atol=1e-4)
    noise = NoisyPCA(2, 0.5).fit(mixture.X_train).transform(mixture.X_train) - clean
    assert np.std(noise) == pytest.approx(0.5, rel=0.05) and abs(np.mean(noise)) < 0.03


@pytest.mark.parametrize("kwargs, match", [({"lam": -1.0}, "lam"), ({"lam": float("nan")}, "lam"),
                                           ({"n_components": 0}, "n_components"), ({"epochs": 0}, "epochs")])
def test_bad_parameters_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CPGAN(**{"n_components": 2, **kwargs})


def test_bad_shapes_raise_clear_errors(mixture):
    X, y = mixture.X_train[:50], mixture.y_train[:50]
    with pytest.raises(ValueError, match="2-D"):
        CPGAN(2).fit(X.reshape(-1), y)
    with pytest.raises(ValueError, match="one label per row"):
        CPGAN(2).fit(X, y[:-1])
    with pytest.raises(ValueError, match="below the input dimension"):
        CPGAN(10).fit(X, y)
    with pytest.raises(ValueError, match="not fitted"):
        CPGAN(2).transform(X)
    fitted = CPGAN(2, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.transform(X[:, :5])
    with pytest.raises(ValueError, match="rows"):
        train_reconstructor(X[:, :2], X[:-1])
    with pytest.raises(ValueError, match="sigma"):
        NoisyPCA(2, -0.1)


def test_small_lambda_does_not_collapse_on_a_wide_scale_mixture(mixture):
    """Regression: on raw mixture rows (variance ~6) R's error swamped the cross-entropy for lambda <= 1, G's
    tanh saturated and every such lambda gave the same majority-class accuracy. Scaled, lambda=1 keeps the class."""
    setup_torch(seed=0)
    model = CPGAN(2, lam=1.0, epochs=8).fit(mixture.X_train, mixture.y_train)
    assert np.mean(model.predict(mixture.X_test) == mixture.y_test) > 0.9
    assert np.mean(np.abs(model.transform(mixture.X_test)) > 0.999) < 0.5, "the release must not be saturated"
    assert model.history[-1]["train_mse_R"] < 1.5, "R's error is reported as a fraction of the data's variance"


def test_kernel_ridge_error_is_the_cross_fitted_ridge_error_computed_in_numpy():
    from mlprivacy_lab.compressive.cpgan import kernel_ridge_error

    rng = np.random.default_rng(0)
    z, x = rng.normal(size=(40, 3)), rng.normal(size=(40, 5))
    omega, phase = rng.normal(size=(3, 16)), rng.uniform(0, 2 * np.pi, 16)
    v = (z - z.mean(0)) / (z.std(0, ddof=1) + 1e-6)
    F = np.hstack([z, np.ones((40, 1)), np.sqrt(2 / 16) * np.cos(v @ omega + phase)])
    expected = 0.0
    for fit, score in ((slice(0, 20), slice(20, None)), (slice(20, None), slice(0, 20))):
        W = np.linalg.solve(F[fit].T @ F[fit] + 1e-2 * 20 * np.eye(F.shape[1]), F[fit].T @ x[fit])
        expected += np.mean((F[score] @ W - x[score]) ** 2) / 2
    got = kernel_ridge_error(*(torch.tensor(a) for a in (z, x, omega, phase)))
    assert float(got) == pytest.approx(expected, rel=1e-9)
    zt = torch.tensor(z, requires_grad=True)
    kernel_ridge_error(zt, *(torch.tensor(a) for a in (x, omega, phase))).backward()
    assert torch.isfinite(zt.grad).all() and zt.grad.abs().sum() > 0
