"""Privacy accountants for DP-SGD, with the interface Opacus users know.

Each step of DP-SGD is one run of the sampled Gaussian mechanism (noise multiplier sigma, Poisson sampling
rate q). An accountant records the steps and answers ``get_epsilon(delta)``: the epsilon for which the whole
training run is (epsilon, delta)-DP. One small class per accounting method, behind ``Accountant``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from .mechanisms import gaussian_epsilon
from .rdp import DEFAULT_ALPHAS, compute_rdp, rdp_to_dp
from .validation import check_count, check_delta, check_epsilon, check_noise_multiplier, check_sample_rate

MAX_NOISE_MULTIPLIER = 1e6


class Accountant(ABC):
    """Records DP-SGD steps as ``history = [(noise_multiplier, sample_rate, steps), ...]``."""

    def __init__(self) -> None:
        self.history: list[tuple[float, float, int]] = []

    def step(self, *, noise_multiplier: float, sample_rate: float, steps: int = 1) -> None:
        """Account for ``steps`` steps of the sampled Gaussian mechanism (runs of equal steps are merged)."""
        sigma, q = check_noise_multiplier(noise_multiplier), check_sample_rate(sample_rate)
        steps = check_count(steps, "steps")
        if self.history and self.history[-1][:2] == (sigma, q):
            steps += self.history.pop()[2]
        self.history.append((sigma, q, steps))

    @abstractmethod
    def get_epsilon(self, delta: float) -> float:
        """The epsilon spent so far at this delta."""

    @classmethod
    @abstractmethod
    def mechanism(cls) -> str:
        """Short name of the accounting method."""

    def __len__(self) -> int:
        return len(self.history)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(steps={sum(s for _, _, s in self.history)})"


class RDPAccountant(Accountant):
    """Renyi-DP accounting of the sampled Gaussian mechanism (Mironov, Talwar & Zhang 2019, Sec. 3.3),
    composed additively over steps (Mironov, CSF 2017, Prop. 1) and converted to (epsilon, delta) by
    Balle et al. (AISTATS 2020, Theorem 21). The successor of the moments accountant of Abadi et al. (CCS 2016)."""

    DEFAULT_ALPHAS = DEFAULT_ALPHAS

    def get_privacy_spent(self, *, delta: float, alphas: tuple[float, ...] | None = None) -> tuple[float, float]:
        """(epsilon, best RDP order) for the steps so far."""
        delta = check_delta(delta)
        if not self.history:
            return 0.0, float("nan")
        alphas = self.DEFAULT_ALPHAS if alphas is None else tuple(alphas)
        rdp = sum(compute_rdp(q, sigma, steps, alphas) for sigma, q, steps in self.history)
        return rdp_to_dp(rdp, delta, alphas)

    def get_epsilon(self, delta: float, alphas: tuple[float, ...] | None = None) -> float:
        return self.get_privacy_spent(delta=delta, alphas=alphas)[0]

    @classmethod
    def mechanism(cls) -> str:
        return "rdp"


class CompositionAccountant(Accountant):
    """The accounting Abadi et al. (CCS 2016, Sec. 3.1) improve on: each step is an (eps0, delta0)-DP Gaussian
    mechanism (exact calibration of Balle & Wang, ICML 2018, Thm. 8), amplified by Poisson sampling to
    eps' = ln(1 + q (e^eps0 - 1)), delta' = q delta0 (Balle, Barthe & Gaboardi, NeurIPS 2018, Thm. 8), then
    composed over T steps by the better of basic composition (T eps', T delta') and advanced composition
    (Dwork, Rothblum & Vadhan, FOCS 2010; Dwork & Roth 2014, Thm. 3.20):
    eps = sqrt(2 T ln(1/delta'')) eps' + T eps' (e^eps' - 1) at delta = T delta' + delta''."""

    def get_epsilon(self, delta: float) -> float:
        delta = check_delta(delta)
        if not self.history:
            return 0.0
        share = delta / len(self.history)  # each run of equal steps gets an equal part of delta
        return float(sum(self._run_epsilon(sigma, q, steps, share) for sigma, q, steps in self.history))

    @staticmethod
    def _run_epsilon(sigma: float, q: float, steps: int, delta: float) -> float:
        def amplified(delta0: float) -> float:
            return math.log1p(q * math.expm1(gaussian_epsilon(sigma, delta0)))

        basic = steps * amplified(min(delta / (steps * q), 0.5))
        eps1 = amplified(min(delta / (2 * steps * q), 0.5))
        advanced = math.sqrt(2 * steps * math.log(2 / delta)) * eps1 + steps * eps1 * math.expm1(eps1)
        return min(basic, advanced)

    @classmethod
    def mechanism(cls) -> str:
        return "composition"


ACCOUNTANTS: dict[str, type[Accountant]] = {cls.mechanism(): cls for cls in (RDPAccountant, CompositionAccountant)}


def create_accountant(mechanism: str = "rdp") -> Accountant:
    """A fresh accountant by name: ``"rdp"`` or ``"composition"``."""
    if mechanism not in ACCOUNTANTS:
        raise ValueError(f"unknown accountant {mechanism!r}; choose one of {', '.join(ACCOUNTANTS)}")
    return ACCOUNTANTS[mechanism]()


def get_noise_multiplier(*, target_epsilon: float, target_delta: float, sample_rate: float,
                         steps: int | None = None, epochs: float | None = None, accountant: str = "rdp",
                         epsilon_tolerance: float = 0.01) -> float:
    """The smallest noise multiplier (to within a bisection) whose run of ``steps`` steps (or ``epochs`` epochs,
    i.e. int(epochs / sample_rate) steps) at ``sample_rate`` spends at most ``target_epsilon`` at ``target_delta``;
    the epsilon reached lies in [target_epsilon - epsilon_tolerance, target_epsilon]. Same signature as Opacus's."""
    target_epsilon, target_delta = check_epsilon(target_epsilon, "target_epsilon"), check_delta(target_delta, "target_delta")
    sample_rate = check_sample_rate(sample_rate)
    epsilon_tolerance = check_epsilon(epsilon_tolerance, "epsilon_tolerance")
    if (steps is None) == (epochs is None):
        raise ValueError("give exactly one of steps or epochs")
    if steps is None:
        if not epochs > 0:
            raise ValueError(f"epochs must be > 0, got {epochs}")
        steps = max(int(epochs / sample_rate), 1)
    steps = check_count(steps, "steps")

    def epsilon(sigma: float) -> float:
        return epsilon_for(sigma, sample_rate, steps, target_delta, accountant)

    sigma_low, sigma_high = 0.0, 10.0  # invariant: epsilon(sigma_low) > target >= epsilon(sigma_high)
    eps_high = epsilon(sigma_high)
    while eps_high > target_epsilon:
        sigma_low, sigma_high = sigma_high, 2 * sigma_high
        if sigma_high > MAX_NOISE_MULTIPLIER:
            raise ValueError(f"target_epsilon={target_epsilon} at target_delta={target_delta} is out of reach "
                             f"even with noise multiplier {MAX_NOISE_MULTIPLIER:g}; raise the budget or take fewer steps")
        eps_high = epsilon(sigma_high)
    while target_epsilon - eps_high > epsilon_tolerance and sigma_high - sigma_low > 1e-12 * sigma_high:
        sigma = (sigma_low + sigma_high) / 2
        eps = epsilon(sigma)
        if eps <= target_epsilon:
            sigma_high, eps_high = sigma, eps
        else:
            sigma_low = sigma
    return float(sigma_high)


def epsilon_for(noise_multiplier: float, sample_rate: float, steps: int, delta: float,
                accountant: str = "rdp") -> float:
    """Shortcut: epsilon after ``steps`` steps at one noise multiplier and sample rate."""
    acc = create_accountant(accountant)
    acc.step(noise_multiplier=noise_multiplier, sample_rate=sample_rate, steps=steps)
    return acc.get_epsilon(delta)

