"""Chapter 7 exercises: additive shares of a salary, and one Beaver multiplication by hand, in Z_2^64."""

from __future__ import annotations

import numpy as np

from ..crypto.fixed_point import RING_BITS
from ..crypto.secret_sharing import SMPCSession
from .core import Exercise, Mistake

MODULUS = 1 << RING_BITS
SALARY = 100_000
#: Party 0's view of one Beaver multiplication z = x * y (integers, frac_bits = 0): the opened e = x - a and
#: f = y - b, and its shares of the dealer's triple (a, b, c = a b). Drawn once from a seeded generator.
_words = np.random.default_rng(7).integers(0, MODULUS, size=3, dtype=np.uint64, endpoint=False)
A0, B0, C0 = (int(w) for w in _words)
E, F = 12, 30


def _salary_shares() -> list[int]:
    shared = SMPCSession(n_parties=3).share(SALARY, integer=True)
    return [int(share.values.reshape(-1)[0]) for share in shared.party_shares()]


def _three_items(answer: object) -> tuple:
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        raise ValueError(f"expected a list of three shares, got {answer!r}")
    return tuple(answer)


def _valid_split(shares: tuple, _solution: object) -> bool:
    return all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < MODULUS for s in shares) \
        and sum(shares) % MODULUS == SALARY


def _not_reduced(shares: tuple) -> bool:
    return all(isinstance(s, int) for s in shares) and sum(shares) % MODULUS == SALARY \
        and any(not 0 <= s < MODULUS for s in shares)


def _not_integers(shares: tuple) -> bool:
    return any(not isinstance(s, (int, np.integer)) for s in shares)


def _beaver_share() -> int:
    # z_0 = c_0 + e b_0 + f a_0 + e f (party 0 adds the public e f) (Beaver 1991)
    return (C0 + E * B0 + F * A0 + E * F) % MODULUS


def _integer(answer: object) -> int:
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        raise ValueError(f"expected one integer in [0, 2^64), got {answer!r}")
    return int(answer)


EXERCISES = [
    Exercise(
        "07", "salary_shares",
        f"Split the salary {SALARY} into three additive shares in Z_2^64: three integers in [0, 2^64) whose "
        "sum modulo 2^64 is the salary. Draw two of them at random (Python's `secrets.randbelow(2**64)`) and "
        "compute the third.",
        _salary_shares,
        hint="the third share is the salary minus the other two, reduced modulo 2^64.",
        common_mistakes=[
            Mistake([2 ** 63, 2 ** 63 + 5, SALARY - 2 ** 64 - 5],
                    "one share is negative or at least 2^64: reduce every share modulo 2^64, e.g. "
                    "(salary - s1 - s2) % 2**64, so it looks uniformly random.", matches=_not_reduced),
            Mistake([SALARY / 3] * 3, "shares are ring integers, not fractions: split modulo 2^64, where every "
                                      "share on its own is uniformly random.", matches=_not_integers),
        ],
        prepare=_three_items,
        accept=_valid_split,
        explanation="any two shares are uniformly random and independent of the salary; only all three "
                    "together reveal it.",
        given={"salary": SALARY},
    ),
    Exercise(
        "07", "beaver_share",
        f"Parties multiply shared x and y with a dealer's triple (a, b, c = a b). After opening e = x - a = {E} "
        f"and f = y - b = {F}, party 0 holds a_0 = {A0}, b_0 = {B0}, c_0 = {C0}. Party 0 is the one that adds "
        "the public term e f. What is party 0's share z_0 of x y, in [0, 2^64)?",
        _beaver_share,
        hint="x y = c + e b + f a + e f; each party applies it to its own shares, and one party adds e f.",
        common_mistakes=[
            Mistake((C0 + E * B0 + F * A0) % MODULUS, "party 0 is the one that adds the public term e f."),
            Mistake(C0 + E * B0 + F * A0 + E * F, "right terms; now reduce the sum modulo 2^64."),
            Mistake((C0 + E * A0 + F * B0 + E * F) % MODULUS, "e multiplies b and f multiplies a: "
                                                              "x y = (e + a)(f + b)."),
        ],
        prepare=_integer,
        explanation="nothing but e and f was opened, and they are masked by the dealer's random a and b.",
        given={"e": E, "f": F, "a0": A0, "b0": B0, "c0": C0},
    ),
]
