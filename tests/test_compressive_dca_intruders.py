"""DCA (Kung 2017) and the intruders of chapter 8, against their closed forms (scipy, numpy)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import eigh

from mlprivacy_lab.compressive import (DCA, UNPROTECTED, FourierRidgeIntruder, PrivacyUtility, RidgeIntruder,
                                       dominance, scatter_matrices, strongest_attack)
from mlprivacy_lab.data import make_gaussian_mixture


@pytest.fixture(scope="module")
def small():
    return make_gaussian_mixture(300, n_features=6, n_classes=3, components_per_class=1, test_size=60, seed=2)


def test_scatter_matrices_match_their_definitions(small):
    X, y = small.X_train.astype(np.float64), small.y_train
    between, total = scatter_matrices(X, y)
    np.testing.assert_allclose(total, (len(X) - 1) * np.cov(X, rowvar=False), rtol=1e-8)
    within = sum((X[y == c] - X[y == c].mean(0)).T @ (X[y == c] - X[y == c].mean(0)) for c in np.unique(y))
    np.testing.assert_allclose(between + within, total, rtol=1e-8, atol=1e-8)  # S = S_B + S_W
    assert np.linalg.matrix_rank(between) == 2  # L - 1 for L = 3 classes


@pytest.mark.parametrize("rho", [1e-4, 0.1, 10.0])
def test_dca_is_the_generalized_eigenproblem_of_kung_2017(small, rho):
    X, y = small.X_train, small.y_train
    dca = DCA(2, rho).fit(X, y)
    between, total = scatter_matrices(X, y)
    regularised = total + rho * np.trace(total) / len(total) * np.eye(len(total))
    values, vectors = eigh(between, regularised)
    np.testing.assert_allclose(dca.discriminant_power_, values[::-1][:2], rtol=1e-6)
    for w, ref in zip(dca.components_, vectors[:, ::-1].T):
        assert abs(abs(w @ ref) / (np.linalg.norm(w) * np.linalg.norm(ref)) - 1) < 1e-6  # same direction
    W = dca.components_.T
    np.testing.assert_allclose(W.T @ regularised @ W, np.eye(2), atol=1e-6)  # W^T (S + rho I) W = I
    np.testing.assert_allclose(dca.transform(X), (X - X.mean(0)) @ W, rtol=1e-4, atol=1e-4)


def test_dca_keeps_the_classes_apart_better_than_its_null_directions(small):
    dca = DCA(4, 1e-3).fit(small.X_train, small.y_train)
    assert np.all(dca.discriminant_power_[:2] > 0.5) and np.all(np.abs(dca.discriminant_power_[2:]) < 1e-8)


@pytest.mark.parametrize("kwargs, match", [({"n_components": 0}, "n_components"), ({"rho": -1.0}, "rho"),
                                           ({"rho": float("inf")}, "rho")])
def test_dca_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DCA(**{"n_components": 2, **kwargs})


def test_dca_bad_inputs(small):
    with pytest.raises(ValueError, match="not fitted"):
        DCA(2).transform(small.X_test)
    with pytest.raises(ValueError, match="two classes"):
        DCA(2).fit(small.X_train, np.zeros(len(small.X_train), dtype=int))
    with pytest.raises(ValueError, match="exceeds"):
        DCA(7).fit(small.X_train, small.y_train)
    with pytest.raises(ValueError, match="singular"):
        DCA(2, rho=0).fit(np.c_[small.X_train, np.zeros(len(small.X_train))], small.y_train)
    with pytest.raises(ValueError, match="features"):
        DCA(2).fit(small.X_train, small.y_train).transform(small.X_test[:, :3])


def test_ridge_intruder_with_alpha_zero_is_least_squares(small):
    rng = np.random.default_rng(0)
    Z = small.X_train[:, :3] + 0.1 * rng.normal(size=(len(small.X_train), 3))
    ours = RidgeIntruder(alpha=0).fit(Z, small.X_train)
    A = np.c_[Z, np.ones(len(Z))].astype(np.float64)
    coef = np.linalg.lstsq(A, small.X_train.astype(np.float64), rcond=None)[0]
    Z_test = small.X_test[:, :3]
    np.testing.assert_allclose(ours.predict(Z_test), np.c_[Z_test, np.ones(len(Z_test))] @ coef, rtol=1e-4, atol=1e-4)


@settings(max_examples=20, deadline=None)
@given(alpha=st.floats(0.0, 10.0), seed=st.integers(0, 1000), width=st.sampled_from([3, 60]))
def test_ridge_intruder_solves_the_penalised_normal_equations(alpha, seed, width):
    """Narrow releases by the normal equations, wide ones (more columns than rows) by the dual: same equations."""
    if width > 40:
        alpha = max(alpha, 1e-3)  # a wide design needs a penalty: least squares has no unique solution there
    rng = np.random.default_rng(seed)
    Z, X = rng.normal(size=(40, width)), rng.normal(size=(40, 5))
    fit = RidgeIntruder(alpha).fit(Z, X)
    Zc, Xc = Z - Z.mean(0), X - X.mean(0)
    ridge = alpha * np.trace(Zc.T @ Zc) / width
    residual_gradient = Zc.T @ (Zc @ fit.coef_ - Xc) + ridge * fit.coef_
    assert np.abs(residual_gradient).max() < 1e-6 * (1 + np.abs(Zc.T @ Xc).max())


def test_fourier_intruder_is_ridge_least_squares_on_its_features(small):
    Z, X = small.X_train[:, :2], small.X_train.astype(np.float64)
    intruder = FourierRidgeIntruder(n_features=50, alpha=1e-3, seed=1).fit(Z, small.X_train)
    F = intruder.features(Z)
    F_mean, X_mean = F.mean(0), X.mean(0)
    ridge = 1e-3 * np.trace((F - F_mean).T @ (F - F_mean)) / F.shape[1]
    # ridge as one augmented least-squares problem: [Fc; sqrt(r) I] w ~ [Xc; 0]
    coef = np.linalg.lstsq(np.r_[F - F_mean, np.sqrt(ridge) * np.eye(F.shape[1])],
                           np.r_[X - X_mean, np.zeros((F.shape[1], X.shape[1]))], rcond=None)[0]
    expected = (intruder.features(small.X_test[:, :2]) - F_mean) @ coef + X_mean
    np.testing.assert_allclose(intruder.predict(small.X_test[:, :2]), expected, rtol=1e-3, atol=1e-3)
    # the features approximate the Gaussian kernel: E[phi(u) . phi(v)] = exp(-|u - v|^2 / (2 sigma^2))
    many = FourierRidgeIntruder(n_features=20000, seed=0).fit(Z, small.X_train)
    phi = many.features(Z[:2])
    sigma = 1 / many.omega_.std()
    u, v = (Z[:2] - many.z_mean_) / many.z_scale_
    assert phi[0] @ phi[1] == pytest.approx(np.exp(-np.sum((u - v) ** 2) / (2 * sigma ** 2)), abs=0.03)


def test_nonlinear_release_is_undone_by_the_kernel_intruder_not_the_linear_one():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(2000, 1))
    Z, X = (x ** 3).astype(np.float32), np.sin(2 * x).astype(np.float32)  # an invertible, nonlinear release
    report = strongest_attack(Z[:1500], X[:1500], Z[1500:], X[1500:],
                              {"linear ridge": RidgeIntruder(), "kernel ridge (RFF)": FourierRidgeIntruder(seed=0)})
    assert report.best == "kernel ridge (RFF)" and report.best_mse < 0.5 * report.mses["linear ridge"]
    assert report.reconstruction.shape == X[1500:].shape


def test_dominance_names_the_dominating_cpgan_point():
    points = [PrivacyUtility(UNPROTECTED, 0.95, 0.0), PrivacyUtility("PCA", 0.93, 0.1),
              PrivacyUtility("noisy PCA (sigma=3)", 0.5, 0.9), PrivacyUtility("DCA (rho=1)", 0.94, 0.5),
              PrivacyUtility("CPGAN (lambda=1)", 0.93, 0.3, lam=1.0), PrivacyUtility("CPGAN (lambda=10)", 0.95, 0.2, lam=10.0)]
    assert dominance(points) == {"PCA": "CPGAN (lambda=1)", "DCA (rho=1)": None}
