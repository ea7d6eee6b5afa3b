"""Chapter 4 exercises: Paillier by hand with a toy key (p = 11, q = 13), where every number fits on a slide."""

from __future__ import annotations

import math

from ..crypto.paillier import PaillierPrivateKey, PaillierPublicKey
from .core import Exercise, Mistake

P, Q = 11, 13
N = P * Q
MESSAGE, OTHER = 42, 57
R1, R2 = 5, 8


def toy_keys() -> tuple[PaillierPublicKey, PaillierPrivateKey]:
    """The exercises' 8-bit key pair (``insecure_demo``: for hand computation only)."""
    public = PaillierPublicKey(N, insecure_demo=True)
    return public, PaillierPrivateKey(public, P, Q)


def _ciphertext(m: int, r: int) -> int:
    return toy_keys()[0].raw_encrypt(m, r_value=r)


def _decrypt() -> int:
    return toy_keys()[1].raw_decrypt(_ciphertext(MESSAGE, R1))


def _integer(answer: object) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise ValueError(f"expected an integer, got {answer!r}")
    return answer


def _decrypts_to_sum(answer: int, _solution: object) -> bool:
    return 0 < answer < N * N and math.gcd(answer, N) == 1 and \
        toy_keys()[1].raw_decrypt(answer) == (MESSAGE + OTHER) % N


def _sum_ciphertext() -> int:
    return _ciphertext(MESSAGE, R1) * _ciphertext(OTHER, R2) % (N * N)


C = _ciphertext(MESSAGE, R1)
C2 = _ciphertext(OTHER, R2)
LAM = math.lcm(P - 1, Q - 1)
MU = pow((pow(N + 1, LAM, N * N) - 1) // N, -1, N)
EXERCISES = [
    Exercise(
        "04", "decrypt_by_hand",
        f"A toy Paillier key has p = {P}, q = {Q}, n = {N}, g = n + 1. Decrypt c = {C}: with lambda = "
        "lcm(p - 1, q - 1), L(u) = (u - 1) / n and mu = L(g^lambda mod n^2)^(-1) mod n, the message is "
        "m = L(c^lambda mod n^2) * mu mod n. Python's pow(x, e, m) and pow(x, -1, m) help.",
        _decrypt,
        hint="compute lambda, then u = c^lambda mod n^2, then L(u), and multiply by mu (the inverse), mod n.",
        common_mistakes=[
            Mistake((pow(C, LAM, N * N) - 1) // N * LAM % N,
                    "you multiplied by lambda instead of mu: mu = L(g^lambda mod n^2)^(-1) mod n undoes the "
                    "factor lambda that L(c^lambda) carries."),
            Mistake((pow(C, LAM, N * N) - 1) // N % N,
                    "L(c^lambda mod n^2) is lambda * m mod n: multiply it by mu to remove lambda."),
            Mistake((pow(C, LAM, N) - 1) // N * MU % N,
                    "reduce c^lambda modulo n^2, not n: the message lives in the multiple of n that L reads."),
        ],
        prepare=_integer,
        explanation="the CRT decryption in mlprivacy_lab.crypto.paillier computes the same m faster.",
        given={"p": P, "q": Q, "n": N, "c": C},
    ),
    Exercise(
        "04", "homomorphic_addition",
        f"With the same key, c1 = {C} encrypts {MESSAGE} and c2 = {C2} encrypts {OTHER}. Without the private "
        f"key, give a ciphertext of {MESSAGE} + {OTHER} (mod n). It is checked by decrypting it.",
        _sum_ciphertext,
        hint="adding plaintexts is multiplying ciphertexts, modulo n^2.",
        common_mistakes=[
            Mistake(C + C2, "adding ciphertexts does not add plaintexts: Paillier's homomorphism multiplies "
                            "them, E(m1) * E(m2) = E(m1 + m2) mod n^2."),
            Mistake(C * C2 % N, "reduce the product modulo n^2, the ciphertext space, not n."),
            Mistake(C * C2, "right operation; now reduce it modulo n^2 so it is a ciphertext again."),
        ],
        prepare=_integer,
        accept=_decrypts_to_sum,
        explanation="anyone holding the public key can add; in chapter 6 the data user adds the owners' "
                    "encrypted shares this way.",
        given={"n": N, "c1": C, "c2": C2},
    ),
]
