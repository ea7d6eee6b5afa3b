"""The Laplace and Gaussian mechanisms with explicit sensitivity.

A mechanism M releases f(X) + noise. It is (epsilon, delta)-DP when, for every pair of
neighbouring data sets X, X' (one record changed) and every set S of outputs,
P[M(X) in S] <= e^epsilon P[M(X') in S] + delta (Dwork & Roth 2014, Def. 2.4).
The noise is calibrated to the sensitivity Delta = max |f(X) - f(X')| over neighbours.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr, ndtr

from .validation import check_delta, check_epsilon, check_positive

CALIBRATIONS = ("analytic", "classic")


def gaussian_delta(epsilon: float, sigma: float, sensitivity: float = 1.0) -> float:
    """The exact (tight) delta of the Gaussian mechanism N(f(X), sigma^2) at a given epsilon.

    Balle & Wang, "Improving the Gaussian mechanism for differential privacy", ICML 2018, Theorem 8:
    delta(epsilon) = Phi(Delta/(2 sigma) - epsilon sigma/Delta) - e^epsilon Phi(-Delta/(2 sigma) - epsilon sigma/Delta).
    """
    epsilon = float(epsilon)
    if epsilon < 0:
        raise ValueError(f"epsilon must be >= 0, got {epsilon}")
    s = check_positive(sigma, "sigma") / check_positive(sensitivity, "sensitivity")
    a, b = 0.5 / s - epsilon * s, -0.5 / s - epsilon * s
    return max(float(ndtr(a) - math.exp(epsilon + log_ndtr(b))), 0.0)


def _smallest_root(f, low: float, high: float) -> float:
    """The point where a decreasing f crosses 0, rounded up so that f(x) <= 0 holds exactly there."""
    while f(high) > 0:
        low, high = high, 2 * high
    root = brentq(f, low, high, xtol=1e-14, rtol=1e-13, maxiter=500)
    while f(root) > 0:
        root = root * (1 + 1e-13) + 1e-300
    return root


def gaussian_sigma(epsilon: float, delta: float, sensitivity: float = 1.0, calibration: str = "analytic") -> float:
    """The noise standard deviation that makes the Gaussian mechanism (epsilon, delta)-DP.

    ``calibration="classic"``: sigma = Delta sqrt(2 ln(1.25/delta)) / epsilon, proved for epsilon < 1 only
    (Dwork & Roth 2014, Theorem A.1). ``calibration="analytic"``: the smallest sigma whose exact delta of
    Balle & Wang (ICML 2018, Theorem 8) is at most ``delta``, found by root finding (their Algorithm 1 solves the
    same equation); valid for every epsilon > 0 and never larger than the classic one.
    """
    epsilon, delta = check_epsilon(epsilon), check_delta(delta)
    sensitivity = check_positive(sensitivity, "sensitivity")
    if calibration == "classic":
        if epsilon >= 1:
            raise ValueError(f"the classic Gaussian calibration is proved for epsilon < 1 only, got epsilon={epsilon}; "
                             "use calibration='analytic'")
        return sensitivity * math.sqrt(2 * math.log(1.25 / delta)) / epsilon
    if calibration != "analytic":
        raise ValueError(f"unknown calibration {calibration!r}; choose one of {', '.join(CALIBRATIONS)}")
    return _smallest_root(lambda s: gaussian_delta(epsilon, s, sensitivity) - delta, 1e-3 * sensitivity, sensitivity)


def gaussian_epsilon(sigma: float, delta: float, sensitivity: float = 1.0) -> float:
    """The smallest epsilon at which N(f(X), sigma^2) is (epsilon, delta)-DP (inverse of ``gaussian_delta``)."""
    delta = check_delta(delta)
    sigma, sensitivity = check_positive(sigma, "sigma"), check_positive(sensitivity, "sensitivity")
    if gaussian_delta(0.0, sigma, sensitivity) <= delta:
        return 0.0
    return _smallest_root(lambda e: gaussian_delta(e, sigma, sensitivity) - delta, 0.0, 1.0)


class Mechanism(ABC):
    """Additive noise mechanism: ``M(value) = value + noise`` with a known density, so that the
    privacy loss L(o) = ln p(o | f(X)) / p(o | f(X')) can be computed exactly."""

    epsilon: float
    delta: float
    sensitivity: float

    @abstractmethod
    def sample_noise(self, size: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Draw noise of the given shape."""

    @abstractmethod
    def log_pdf(self, output: np.ndarray, value: np.ndarray | float) -> np.ndarray:
        """Log density of releasing ``output`` when the true answer is ``value``."""

    def __call__(self, value: np.ndarray | float, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Release ``value`` plus fresh noise (``rng``: a numpy Generator or a seed)."""
        value = np.asarray(value, dtype=np.float64)
        return value + self.sample_noise(value.shape, np.random.default_rng(rng))

    def privacy_loss(self, output: np.ndarray, value: float, neighbour_value: float) -> np.ndarray:
        """L(o) = ln p(o | value) - ln p(o | neighbour_value) (Dwork & Roth 2014, Sec. 3.5)."""
        if abs(value - neighbour_value) > self.sensitivity * (1 + 1e-9):
            raise ValueError(f"|value - neighbour_value| = {abs(value - neighbour_value):.4g} exceeds the "
                             f"sensitivity {self.sensitivity:.4g}: these answers cannot come from neighbours")
        return self.log_pdf(output, value) - self.log_pdf(output, neighbour_value)


class LaplaceMechanism(Mechanism):
    """Laplace noise of scale b = Delta / epsilon: epsilon-DP for an L1-sensitivity Delta
    (Dwork, McSherry, Nissim & Smith, TCC 2006; Dwork & Roth 2014, Theorem 3.6)."""

    def __init__(self, epsilon: float, sensitivity: float = 1.0) -> None:
        self.epsilon = check_epsilon(epsilon)
        self.sensitivity = check_positive(sensitivity, "sensitivity")
        self.delta = 0.0
        self.scale = self.sensitivity / self.epsilon

    def __repr__(self) -> str:
        return f"LaplaceMechanism(epsilon={self.epsilon:g}, sensitivity={self.sensitivity:g}, scale={self.scale:.4g})"

    def sample_noise(self, size: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.laplace(0.0, self.scale, size)

    def log_pdf(self, output: np.ndarray, value: np.ndarray | float) -> np.ndarray:
        return -np.abs(np.asarray(output, dtype=np.float64) - value) / self.scale - math.log(2 * self.scale)


class GaussianMechanism(Mechanism):
    """Gaussian noise N(0, sigma^2) with sigma calibrated by ``gaussian_sigma``: (epsilon, delta)-DP for an
    L2-sensitivity Delta (Dwork & Roth 2014, Theorem A.1; Balle & Wang, ICML 2018, Theorem 8 for ``analytic``)."""

    def __init__(self, epsilon: float, delta: float, sensitivity: float = 1.0, calibration: str = "analytic") -> None:
        self.sigma = gaussian_sigma(epsilon, delta, sensitivity, calibration)
        self.epsilon, self.delta = float(epsilon), float(delta)
        self.sensitivity = float(sensitivity)
        self.calibration = calibration
        self.scale = self.sigma

    def __repr__(self) -> str:
        return (f"GaussianMechanism(epsilon={self.epsilon:g}, delta={self.delta:g}, sensitivity={self.sensitivity:g}, "
                f"calibration={self.calibration!r}, sigma={self.sigma:.4g})")

    def sample_noise(self, size: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.normal(0.0, self.sigma, size)

    def log_pdf(self, output: np.ndarray, value: np.ndarray | float) -> np.ndarray:
        z = (np.asarray(output, dtype=np.float64) - value) / self.sigma
        return -0.5 * z * z - math.log(self.sigma * math.sqrt(2 * math.pi))
