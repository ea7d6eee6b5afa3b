"""Renyi differential privacy of the sampled Gaussian mechanism, and its conversion to (epsilon, delta).

The sampled Gaussian mechanism (SGM) adds N(0, sigma^2 C^2) to the sum of clipped per-sample gradients
of a Poisson sample (each record kept with probability q). Its RDP of order alpha is
eps_alpha = ln(A_alpha) / (alpha - 1) (Mironov, Talwar & Zhang, "Renyi differential privacy of the sampled
Gaussian mechanism", 2019, Sec. 3.3), and RDP composes additively over steps (Mironov, CSF 2017, Prop. 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import binom, gammaln, log_ndtr, logsumexp

from .validation import check_count, check_delta, check_noise_multiplier, check_sample_rate

DEFAULT_ALPHAS: tuple[float, ...] = tuple([1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)))
"""RDP orders searched for the best conversion; the same grid as Opacus and TF Privacy."""


def _log_a_integer(q: float, sigma: float, alpha: int) -> float:
    """ln A_alpha for integer alpha: the binomial expansion of Mironov et al. (2019), Sec. 3.3,
    A_alpha = sum_k C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2)).

    The binomial weights sum to 1, so A_alpha - 1 = sum_{k >= 2} C(alpha, k) (1 - q)^(alpha - k) q^k
    (exp((k^2 - k) / (2 sigma^2)) - 1): a sum of positive terms, accurate even when A_alpha is within 1e-12 of 1."""
    k = np.arange(2, alpha + 1, dtype=np.float64)
    x = (k * k - k) / (2 * sigma ** 2)
    log_expm1 = x + np.log(-np.expm1(-x))
    log_binom = gammaln(alpha + 1) - gammaln(k + 1) - gammaln(alpha - k + 1)
    log_a_minus_1 = logsumexp(log_binom + k * math.log(q) + (alpha - k) * math.log1p(-q) + log_expm1)
    return float(np.logaddexp(0.0, log_a_minus_1))


def _log_a_fractional(q: float, sigma: float, alpha: float) -> float:
    """ln A_alpha for fractional alpha: Mironov et al. (2019), Sec. 3.3, the two series A_alpha = A_0 + A_1 of
    integrals over (-inf, z0] and [z0, inf) with z0 = sigma^2 ln(1/q - 1) + 1/2, summed up to the first index
    whose terms are both below e^-30 (as TF Privacy and Opacus do)."""
    z0 = sigma ** 2 * math.log(1 / q - 1) + 0.5
    n = 64
    while True:
        i = np.arange(n, dtype=np.float64)
        j = alpha - i
        coef = binom(alpha, i)
        with np.errstate(divide="ignore"):
            log_coef = np.log(np.abs(coef))
        log_s0 = log_coef + i * math.log(q) + j * math.log1p(-q) + (i * i - i) / (2 * sigma ** 2) \
            + log_ndtr((z0 - i) / sigma)  # ln P[N(i, sigma^2) <= z0]
        log_s1 = log_coef + j * math.log(q) + i * math.log1p(-q) + (j * j - j) / (2 * sigma ** 2) \
            + log_ndtr((j - z0) / sigma)  # ln P[N(j, sigma^2) >= z0]
        below = np.flatnonzero(np.maximum(log_s0, log_s1) < -30)
        if below.size:
            last = int(below[0]) + 1
            break
        n *= 2
    sign = np.sign(coef[:last])
    return float(logsumexp(np.concatenate([log_s0[:last], log_s1[:last]]), b=np.concatenate([sign, sign])))


def sgm_rdp(q: float, noise_multiplier: float, alpha: float) -> float:
    """RDP of order ``alpha`` of one step of the sampled Gaussian mechanism (sensitivity 1)."""
    if q == 1.0:
        return alpha / (2 * noise_multiplier ** 2)  # the plain Gaussian mechanism (Mironov 2017, Prop. 7)
    log_a = (_log_a_integer(q, noise_multiplier, int(alpha)) if float(alpha).is_integer()
             else _log_a_fractional(q, noise_multiplier, alpha))
    return log_a / (alpha - 1)


def compute_rdp(q: float, noise_multiplier: float, steps: int, alphas: Sequence[float] = DEFAULT_ALPHAS) -> np.ndarray:
    """RDP at every order of ``steps`` compositions of the SGM with sampling rate q and noise multiplier sigma."""
    q, sigma = check_sample_rate(q), check_noise_multiplier(noise_multiplier)
    steps = check_count(steps, "steps")
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.ndim != 1 or not np.all(alphas > 1):
        raise ValueError("alphas must be a 1-D list of RDP orders > 1")
    return steps * np.array([sgm_rdp(q, sigma, float(a)) for a in alphas])


def rdp_to_dp(rdp: np.ndarray, delta: float, alphas: Sequence[float] = DEFAULT_ALPHAS) -> tuple[float, float]:
    """(epsilon, best alpha): the smallest epsilon such that RDP at some order gives (epsilon, delta)-DP.

    Balle, Barthe, Gaboardi, Hsu & Sato, "Hypothesis testing interpretations and Renyi differential privacy",
    AISTATS 2020, Theorem 21: epsilon = eps_alpha + ln((alpha - 1) / alpha) - (ln delta + ln alpha) / (alpha - 1).
    """
    delta = check_delta(delta)
    alphas = np.asarray(alphas, dtype=np.float64)
    rdp = np.asarray(rdp, dtype=np.float64)
    if rdp.shape != alphas.shape:
        raise ValueError(f"rdp has shape {rdp.shape} but alphas has shape {alphas.shape}; give one value per order")
    eps = rdp + np.log((alphas - 1) / alphas) - (math.log(delta) + np.log(alphas)) / (alphas - 1)
    best = int(np.argmin(eps))
    return float(max(eps[best], 0.0)), float(alphas[best])
