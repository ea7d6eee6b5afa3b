"""Chapter 3 exercises: calibrating noise and adding up epsilons."""

from __future__ import annotations

import math

from ..privacy import mechanisms
from .core import Exercise, Mistake, number

EPSILON, DELTA = 0.25, 1e-5
QUERIES = 10


def _laplace_scale() -> float:
    return mechanisms.LaplaceMechanism(EPSILON, sensitivity=1.0).scale


def _gaussian_sigma() -> float:
    return mechanisms.gaussian_sigma(EPSILON, DELTA, 1.0, calibration="classic")


def _basic_composition() -> float:
    return sum(mechanisms.LaplaceMechanism(EPSILON / QUERIES).epsilon for _ in range(QUERIES))


EXERCISES = [
    Exercise(
        "03", "laplace_scale",
        f"A counting query ('how many patients have diabetes?') is released with the Laplace mechanism at "
        f"epsilon = {EPSILON}, neighbours differing by adding or removing one person. What scale b must the "
        "noise have?",
        _laplace_scale,
        hint="b = sensitivity / epsilon, and one person changes a count by at most 1.",
        common_mistakes=[
            Mistake(EPSILON / 1.0, "that is epsilon / sensitivity, upside down: a smaller epsilon (more privacy) "
                                   "must mean more noise, b = Delta / epsilon."),
            Mistake(2.0 / EPSILON, "a count's sensitivity is 1 when neighbours add or remove one person (2 is for "
                                   "neighbours that replace one person in a histogram)."),
            Mistake(1.0 / EPSILON ** 2, "the scale is linear in 1/epsilon: b = Delta / epsilon."),
        ],
        prepare=number(),
        explanation="the noise's standard deviation is sqrt(2) b; the count stays useful for large counts.",
    ),
    Exercise(
        "03", "gaussian_sigma_classic",
        f"Release the same count with the Gaussian mechanism at epsilon = {EPSILON}, delta = {DELTA}, using "
        "the classic calibration (Dwork & Roth, Theorem A.1). What sigma?",
        _gaussian_sigma,
        hint="sigma = Delta * sqrt(2 ln(1.25 / delta)) / epsilon.",
        common_mistakes=[
            Mistake(2 * math.log(1.25 / DELTA) / EPSILON, "you forgot the square root around 2 ln(1.25/delta)."),
            Mistake(math.sqrt(2 * math.log(1 / DELTA)) / EPSILON, "the constant inside the logarithm is 1.25/delta, "
                                                                  "not 1/delta."),
            Mistake(math.sqrt(2 * math.log(1.25 / DELTA)) * EPSILON, "divide by epsilon, do not multiply."),
        ],
        prepare=number(),
        explanation="chapter 3's analytic calibration (Balle & Wang 2018) finds a smaller sigma for the same "
                    "guarantee.",
    ),
    Exercise(
        "03", "basic_composition",
        f"An analyst asks {QUERIES} counting queries, each released with the Laplace mechanism at epsilon = "
        f"{EPSILON / QUERIES}. By basic (sequential) composition, what total epsilon has been spent?",
        _basic_composition,
        hint="under basic composition the epsilons of the releases add up.",
        common_mistakes=[
            Mistake(EPSILON / QUERIES, "that is one query's epsilon: each release spends its own, and they add."),
            Mistake(math.sqrt(QUERIES) * EPSILON / QUERIES,
                    "sqrt(k) growth is advanced composition (with a delta); basic composition adds the epsilons."),
        ],
        prepare=number(),
        explanation="DP-SGD's thousands of steps would make this sum useless, which is why chapter 3 accounts "
                    "with RDP instead.",
    ),
]
