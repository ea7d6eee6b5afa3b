"""Argument checks shared by the mechanisms, the accountants and DP-SGD: clear errors on bad input."""

from __future__ import annotations

import math
import numbers


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} is NaN; pass a number")
    return value


def check_epsilon(epsilon: object, name: str = "epsilon") -> float:
    """epsilon > 0 and finite (epsilon = inf would be no privacy at all)."""
    epsilon = _real(name, epsilon)
    if not 0.0 < epsilon < math.inf:
        raise ValueError(f"{name} must be a finite number > 0 (smaller is more private), got {epsilon}")
    return epsilon


def check_delta(delta: object, name: str = "delta") -> float:
    """delta in (0, 1); in practice well below 1/n for n records."""
    delta = _real(name, delta)
    if not 0.0 < delta < 1.0:
        raise ValueError(f"{name} must lie in (0, 1) (typically below 1/n for n records), got {delta}")
    return delta


def check_positive(value: object, name: str) -> float:
    """A finite real number > 0 (sensitivity, noise multiplier, clipping norm, noise scale)."""
    value = _real(name, value)
    if not 0.0 < value < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def check_noise_multiplier(noise_multiplier: object) -> float:
    """sigma / C > 0: with no noise there is no privacy to account for."""
    return check_positive(noise_multiplier, "noise_multiplier")


def check_sample_rate(sample_rate: object) -> float:
    """The Poisson sampling probability q in (0, 1]; q = 1 means full-batch steps."""
    sample_rate = _real("sample_rate", sample_rate)
    if not 0.0 < sample_rate <= 1.0:
        raise ValueError(f"sample_rate must lie in (0, 1] (expected batch size / data set size), got {sample_rate}")
    return sample_rate


def check_count(value: object, name: str) -> int:
    """A positive integer (steps, epochs, batch size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)
