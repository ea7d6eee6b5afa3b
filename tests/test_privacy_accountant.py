"""The RDP accountant against Opacus's (a test-only dependency) and against high-precision arithmetic."""

import math
import sys
import warnings

import mpmath as mp
import numpy as np
import pytest

from mlprivacy_lab.privacy import CompositionAccountant, RDPAccountant, create_accountant, get_noise_multiplier
from mlprivacy_lab.privacy.rdp import DEFAULT_ALPHAS, compute_rdp, rdp_to_dp, sgm_rdp

opacus_rdp = pytest.importorskip("opacus.accountants.rdp")
opacus_utils = pytest.importorskip("opacus.accountants.utils")

SIGMAS = (0.5, 0.8, 1.1, 2.0, 5.0)
RATES = (1e-3, 0.01, 0.064, 0.3, 1.0)
STEPS = (1, 50, 3000)
DELTAS = (1e-3, 1e-5, 1e-8)


def _opacus_epsilon(history, delta):
    acc = opacus_rdp.RDPAccountant()
    acc.history = list(history)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Opacus warns when the best order is at the end of the grid
        return acc.get_epsilon(delta)


def test_package_does_not_import_opacus_at_import_time():
    import subprocess

    code = ("import sys, mlprivacy_lab.privacy, mlprivacy_lab.bench_registry as r; r.discover(); "
            "print('opacus' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("sigma", SIGMAS)
@pytest.mark.parametrize("q", RATES)
def test_epsilon_matches_opacus(sigma, q):
    for steps in STEPS:
        ours = RDPAccountant()
        for _ in range(2):  # two calls: the history merges equal steps
            ours.step(noise_multiplier=sigma, sample_rate=q, steps=steps)
        assert len(ours) == 1
        for delta in DELTAS:
            theirs = _opacus_epsilon([(sigma, q, 2 * steps)], delta)
            assert ours.get_epsilon(delta) == pytest.approx(theirs, rel=1e-6), (sigma, q, steps, delta)


def test_heterogeneous_history_matches_opacus():
    ours = RDPAccountant()
    history = [(1.0, 0.01, 100), (2.0, 0.05, 30), (1.0, 0.01, 5), (0.7, 1.0, 2)]
    for sigma, q, steps in history:
        for _ in range(steps):
            ours.step(noise_multiplier=sigma, sample_rate=q)
    assert ours.history == history
    for delta in DELTAS:
        assert ours.get_epsilon(delta) == pytest.approx(_opacus_epsilon(history, delta), rel=1e-6)
    eps, alpha = ours.get_privacy_spent(delta=1e-5)
    assert alpha in DEFAULT_ALPHAS and eps == ours.get_epsilon(1e-5)


def test_rdp_matches_50_digit_arithmetic():
    """Integer orders by the binomial sum, fractional orders by numerical integration of
    A_alpha = E_{z ~ N(0, sigma^2)} [((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha]."""
    mp.mp.dps = 50
    for q, sigma in ((1e-4, 10.0), (0.064, 1.0), (0.5, 0.7)):
        qm, sm = mp.mpf(q), mp.mpf(sigma)
        for alpha in (2, 7, 32):
            a = mp.fsum(mp.binomial(alpha, k) * (1 - qm) ** (alpha - k) * qm ** k * mp.exp((k * k - k) / (2 * sm * sm))
                        for k in range(alpha + 1))
            assert sgm_rdp(q, sigma, alpha) == pytest.approx(float(mp.log(a) / (alpha - 1)), rel=1e-9)
        for alpha in (1.5, 3.7):
            am = mp.mpf(alpha)
            a = mp.quad(lambda z: mp.npdf(z, 0, sm) * ((1 - qm) + qm * mp.exp((2 * z - 1) / (2 * sm * sm))) ** am,
                        [-mp.inf, 0, mp.inf])
            assert sgm_rdp(q, sigma, alpha) == pytest.approx(float(mp.log(a) / (alpha - 1)), rel=1e-7, abs=1e-14)


def test_full_batch_is_the_gaussian_mechanism():
    assert np.allclose(compute_rdp(1.0, 2.0, 3, (2.0, 10.0)), [3 * 2 / 8, 3 * 10 / 8])


def test_epsilon_grows_with_steps_and_shrinks_with_noise():
    eps = [RDPAccountant() for _ in range(3)]
    for acc, (sigma, steps) in zip(eps, ((1.0, 100), (1.0, 400), (2.0, 400))):
        acc.step(noise_multiplier=sigma, sample_rate=0.05, steps=steps)
    e100, e400, e400_more_noise = (a.get_epsilon(1e-5) for a in eps)
    assert e100 < e400 and e400_more_noise < e400
    assert RDPAccountant().get_epsilon(1e-5) == 0.0


@pytest.mark.parametrize("target", (0.5, 1.0, 3.0, 8.0))
def test_get_noise_multiplier_round_trip(target):
    q, steps, delta = 256 / 4000, 300, 1e-5
    sigma = get_noise_multiplier(target_epsilon=target, target_delta=delta, sample_rate=q, steps=steps)
    acc = RDPAccountant()
    acc.step(noise_multiplier=sigma, sample_rate=q, steps=steps)
    assert target - 0.01 <= acc.get_epsilon(delta) <= target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = opacus_utils.get_noise_multiplier(target_epsilon=target, target_delta=delta, sample_rate=q, steps=steps)
    assert sigma == pytest.approx(theirs, rel=0.02)
    by_epochs = get_noise_multiplier(target_epsilon=target, target_delta=delta, sample_rate=q, epochs=steps * q)
    assert by_epochs == pytest.approx(sigma, rel=0.02)


def test_composition_accountant_is_looser_than_rdp():
    """Advanced composition of per-step guarantees is valid but far looser: the point of Abadi et al."""
    rdp, comp = RDPAccountant(), CompositionAccountant()
    for acc in (rdp, comp):
        acc.step(noise_multiplier=1.1, sample_rate=0.01, steps=1000)
    assert comp.get_epsilon(1e-5) > 2 * rdp.get_epsilon(1e-5)
    one = CompositionAccountant()
    one.step(noise_multiplier=3.0, sample_rate=1.0)
    from mlprivacy_lab.privacy import gaussian_epsilon

    assert one.get_epsilon(1e-5) == pytest.approx(gaussian_epsilon(3.0, 1e-5))  # one step: basic composition is exact


def test_conversion_is_theorem_21():
    alphas = np.array([2.0, 8.0, 32.0])
    rdp = np.array([0.5, 1.0, 3.0])
    eps, alpha = rdp_to_dp(rdp, 1e-5, alphas)
    expected = rdp + np.log((alphas - 1) / alphas) - (math.log(1e-5) + np.log(alphas)) / (alphas - 1)
    assert eps == pytest.approx(expected.min()) and alpha == alphas[expected.argmin()]


@pytest.mark.parametrize("kwargs, error", [
    ({"noise_multiplier": 0.0, "sample_rate": 0.1}, ValueError),
    ({"noise_multiplier": -1.0, "sample_rate": 0.1}, ValueError),
    ({"noise_multiplier": 1.0, "sample_rate": 0.0}, ValueError),
    ({"noise_multiplier": 1.0, "sample_rate": 1.5}, ValueError),
    ({"noise_multiplier": "1", "sample_rate": 0.1}, TypeError),
    ({"noise_multiplier": 1.0, "sample_rate": 0.1, "steps": 0}, ValueError),
])
def test_step_rejects_bad_input(kwargs, error):
    with pytest.raises(error, match="noise_multiplier|sample_rate|steps"):
        RDPAccountant().step(**kwargs)


@pytest.mark.parametrize("delta", (0.0, 1.0, -1e-5, float("nan")))
def test_get_epsilon_rejects_bad_delta(delta):
    acc = RDPAccountant()
    acc.step(noise_multiplier=1.0, sample_rate=0.1)
    with pytest.raises(ValueError, match="delta"):
        acc.get_epsilon(delta)


@pytest.mark.parametrize("kwargs, match", [
    ({"target_epsilon": 0.0}, "target_epsilon"),
    ({"target_epsilon": -2.0}, "target_epsilon"),
    ({"target_delta": 1.0}, "target_delta"),
    ({"sample_rate": 0.0}, "sample_rate"),
    ({"steps": None}, "exactly one"),
    ({"epochs": 3}, "exactly one"),
    ({"target_epsilon": 1e-4, "steps": 10 ** 6, "sample_rate": 1.0}, "out of reach"),
])
def test_get_noise_multiplier_rejects_bad_input(kwargs, match):
    args = {"target_epsilon": 1.0, "target_delta": 1e-5, "sample_rate": 0.01, "steps": 100, **kwargs}
    with pytest.raises(ValueError, match=match):
        get_noise_multiplier(**args)


def test_unknown_accountant():
    with pytest.raises(ValueError, match="rdp"):
        create_accountant("moments")
