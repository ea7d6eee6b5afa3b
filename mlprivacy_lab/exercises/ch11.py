"""Chapter 11 exercises: choosing a method for a threat, and reading a cost off the benchmarks."""

from __future__ import annotations

from ..synthesis import METHODS, PROTECTION_LEVELS, cached_benchmark
from .core import Exercise, Mistake

SCENARIO = ("A hospital publishes a model trained on its patients and wants a proof that the model reveals "
            "little about whether any one patient was in the training data, whoever attacks it.")


def _method(answer: object) -> str:
    if not isinstance(answer, str) or not answer.strip():
        raise ValueError(f"expected a method's name as a string, one of: {', '.join(m.name for m in METHODS)}")
    matches = [m.name for m in METHODS if m.name.lower().startswith(answer.strip().lower())]
    if len(matches) != 1:
        raise ValueError(f"{answer!r} names {'no' if not matches else 'more than one'} method; write one of: "
                         f"{', '.join(m.name for m in METHODS)}")
    return matches[0]


def _provable_against_membership() -> str:
    (name,) = [m.name for m in METHODS
               if PROTECTION_LEVELS[m.level] == "provable bound" and "membership" in m.threat]
    return name


def _secure_over_plain() -> float:
    smpc = cached_benchmark("smpc").data
    return smpc["secure_s_per_epoch"] / smpc["plain_s_per_epoch"]


def _number(answer: object) -> float:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise ValueError(f"expected one number, got {answer!r}")
    return float(answer)


def _name_of(prefix: str) -> str:
    return next(m.name for m in METHODS if m.name.startswith(prefix))


EXERCISES = [
    Exercise(
        "11", "choose_a_method",
        SCENARIO + " Which method of the closing table gives that guarantee? Answer with its name (the start "
        "of it is enough, e.g. 'Secret').",
        _provable_against_membership,
        hint="the hospital needs a bound that holds against every attacker, about the trained model itself.",
        common_mistakes=[
            Mistake(_name_of("Paillier"), "encryption protects the data while it is computed on; the published "
                                          "model is decrypted and can still leak its training data."),
            Mistake(_name_of("Rounding"), "rounding and top-k slow some attacks but prove nothing: a label-only "
                                          "attack still infers membership."),
            Mistake(_name_of("CPGAN"), "CPGAN's protection is measured against the intruders we trained, not "
                                       "proved, and it protects a data release, not a model."),
        ],
        prepare=_method,
        accept=lambda value, solution: value == solution,
        explanation="DP-SGD bounds every attacker's membership advantage by e^epsilon - 1 + delta.",
    ),
    Exercise(
        "11", "secure_over_plain",
        "Training the lecture's network on secret shares costs more compute than in the clear. From "
        "`results['smpc'].data` (the cached `bench smpc` JSON), how many times longer does one epoch take on "
        "shares (all parties' compute) than in plaintext?",
        _secure_over_plain,
        hint="divide the secure seconds per epoch by the plain seconds per epoch.",
        common_mistakes=[
            Mistake(1 / _secure_over_plain(), "that is plain over secure: the ratio asked for is above 1."),
            Mistake(4 * 60 / 0.009, "that is the lecture's SecureML ratio (4 min against 9 ms), not ours: read "
                                    "the benchmark's numbers."),
        ],
        prepare=_number,
        explanation="the ring arithmetic is within a small factor of plain BLAS; the network, not the compute, "
                    "dominates a real deployment (see the LAN and WAN estimates).",
    ),
]
