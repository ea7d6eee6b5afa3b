"""Laplace and Gaussian mechanisms: the calibration formulas, exact privacy loss and empirical checks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from mlprivacy_lab.privacy import GaussianMechanism, LaplaceMechanism, gaussian_delta, gaussian_epsilon, gaussian_sigma


def test_laplace_scale_and_samples():
    mech = LaplaceMechanism(epsilon=0.5, sensitivity=2.0)
    assert mech.scale == 4.0 and mech.delta == 0.0
    out = mech(np.full(200_000, 3.0), rng=0)
    assert abs(np.median(out) - 3.0) < 0.05
    assert np.std(out) == pytest.approx(math.sqrt(2) * 4.0, rel=0.01)  # Var Laplace(b) = 2 b^2
    assert np.array_equal(mech(1.0, rng=7), mech(1.0, rng=7))  # seeded


def test_laplace_privacy_loss_is_bounded_by_epsilon():
    mech = LaplaceMechanism(epsilon=0.8, sensitivity=1.0)
    grid = np.linspace(-20, 20, 4001)
    loss = mech.privacy_loss(grid, 0.0, 1.0)
    assert np.all(np.abs(loss) <= 0.8 + 1e-12)
    assert np.allclose(loss[grid <= 0], 0.8) and np.allclose(loss[grid >= 1], -0.8)  # attained outside [0, 1]


def test_laplace_empirical_likelihood_ratio():
    """Histogram the outputs on neighbouring inputs: every well-populated bin has ratio <= e^epsilon (up to noise)."""
    eps, n = 1.0, 400_000
    mech = LaplaceMechanism(epsilon=eps)
    a, b = mech(np.zeros(n), rng=1), mech(np.ones(n), rng=2)
    bins = np.linspace(-4, 5, 37)
    ca, cb = np.histogram(a, bins)[0], np.histogram(b, bins)[0]
    ok = (ca > 2000) & (cb > 2000)
    ratio = ca[ok] / cb[ok]
    slack = 1 + 5 * np.sqrt(1 / ca[ok] + 1 / cb[ok])
    assert np.all(ratio <= math.exp(eps) * slack) and np.all(1 / ratio <= math.exp(eps) * slack)
    assert np.any(ratio > math.exp(eps) / slack)  # and the bound is tight on the left tail


def test_classic_gaussian_formula():
    sigma = gaussian_sigma(0.5, 1e-5, sensitivity=3.0, calibration="classic")
    assert sigma == pytest.approx(3.0 * math.sqrt(2 * math.log(1.25 / 1e-5)) / 0.5)


def test_analytic_gaussian_is_tight_and_beats_classic():
    # Balle & Wang (2018), Table/Fig. 1: epsilon = 1, delta = 1e-5 needs sigma ~ 3.73 (classic is undefined there)
    assert gaussian_sigma(1.0, 1e-5) == pytest.approx(3.7306, abs=1e-3)
    for eps in (0.05, 0.3, 0.9):
        for delta in (1e-3, 1e-6, 1e-10):
            analytic = gaussian_sigma(eps, delta)
            assert gaussian_delta(eps, analytic) == pytest.approx(delta, rel=1e-9)
            assert gaussian_delta(eps, analytic) <= delta
            assert analytic < gaussian_sigma(eps, delta, calibration="classic")


@settings(max_examples=60, deadline=None)
@given(eps=st.floats(0.01, 20.0), log_delta=st.floats(-14, -0.5), sens=st.floats(0.01, 100.0))
def test_analytic_sigma_round_trip(eps, log_delta, sens):
    delta = 10.0 ** log_delta
    sigma = gaussian_sigma(eps, delta, sensitivity=sens)
    assert gaussian_delta(eps, sigma, sens) <= delta
    assert gaussian_delta(eps, sigma * (1 - 1e-6), sens) > delta * (1 - 1e-9)  # the smallest such sigma
    assert gaussian_epsilon(sigma, delta, sens) == pytest.approx(eps, rel=1e-6, abs=1e-9)


def test_gaussian_delta_monte_carlo():
    """delta(eps) = E_{o ~ M(X)} [(1 - e^(eps - L(o)))_+] for the privacy loss L (Balle & Wang 2018, Thm. 5)."""
    mech = GaussianMechanism(epsilon=0.5, delta=1e-2, sensitivity=1.0)
    out = mech(np.zeros(1_000_000), rng=3)
    loss = mech.privacy_loss(out, 0.0, 1.0)
    mu = 1 / (2 * mech.sigma ** 2)  # L ~ N(mu, 2 mu) (Dwork & Roth 2014, proof of Thm. A.1)
    assert loss.mean() == pytest.approx(mu, abs=5 * math.sqrt(2 * mu / len(loss)))
    assert loss.var() == pytest.approx(2 * mu, rel=0.01)
    terms = np.clip(1 - np.exp(0.5 - loss), 0, None)
    assert terms.mean() == pytest.approx(1e-2, abs=5 * terms.std() / math.sqrt(len(terms)))
    assert gaussian_delta(0.5, mech.sigma) == pytest.approx(1e-2, rel=1e-9)


def test_gaussian_delta_at_zero_is_total_variation():
    sigma = 2.0
    assert gaussian_delta(0.0, sigma) == pytest.approx(norm.cdf(0.5 / sigma) - norm.cdf(-0.5 / sigma))


@pytest.mark.parametrize("make, error, match", [
    (lambda: LaplaceMechanism(epsilon=0.0), ValueError, "epsilon"),
    (lambda: LaplaceMechanism(epsilon=-1.0), ValueError, "epsilon"),
    (lambda: LaplaceMechanism(epsilon=float("inf")), ValueError, "epsilon"),
    (lambda: LaplaceMechanism(epsilon=1.0, sensitivity=0.0), ValueError, "sensitivity"),
    (lambda: LaplaceMechanism(epsilon="1"), TypeError, "epsilon"),
    (lambda: GaussianMechanism(epsilon=1.0, delta=0.0), ValueError, "delta"),
    (lambda: GaussianMechanism(epsilon=1.0, delta=1.0), ValueError, "delta"),
    (lambda: GaussianMechanism(epsilon=1.0, delta=1e-5, calibration="classic"), ValueError, "epsilon < 1"),
    (lambda: GaussianMechanism(epsilon=0.5, delta=1e-5, calibration="fancy"), ValueError, "calibration"),
    (lambda: LaplaceMechanism(epsilon=1.0).privacy_loss(0.0, 0.0, 2.0), ValueError, "sensitivity"),
])
def test_bad_input_is_rejected(make, error, match):
    with pytest.raises(error, match=match):
        make()
