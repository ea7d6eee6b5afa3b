"""Base oblivious transfer: the "simplest OT" of Chou and Orlandi (LATINCRYPT 2015, Fig. 1).

Run in the order-q subgroup of quadratic residues modulo the 3072-bit safe prime p = 2q + 1 of RFC 3526
(group 15, generator 2, about 128-bit security) with 256-bit secret exponents (RFC 3526 §8: twice the
security level):

    sender:   a ← Z_q,  A = g^a                                  → A
    receiver: b ← Z_q,  B = g^b·A^c (c its choice bit)             ← B
    keys:     sender k₀ = H(A, B, B^a), k₁ = H(A, B, (B/A)^a);  receiver k_c = H(A, B, A^b)

The receiver learns k_c only (k_{1−c} needs the Diffie–Hellman value of A and B/A or B·A), and B is a
uniform group element whatever c is, so the sender learns nothing. Secure against semi-honest parties.
These 128 random OTs seed the IKNP extension (``extension.py``); ``ot_send``/``ot_receive`` turn them into
chosen-message OT for the lecture's one-gate story.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from numbers import Integral

import gmpy2
import numpy as np

from ..aes import LABEL_BYTES
from .channel import Channel

P = gmpy2.mpz(int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16))
G = gmpy2.mpz(2)  # a quadratic residue (p ≡ 7 mod 8), so it generates the order-q subgroup
ELEMENT_BYTES = 384
EXPONENT_BITS = 256


def _encode(x: gmpy2.mpz) -> bytes:
    return int(x).to_bytes(ELEMENT_BYTES, "big")


def _decode(raw: bytes, what: str) -> gmpy2.mpz:
    x = gmpy2.mpz(int.from_bytes(raw, "big"))
    if not 1 < x < P - 1 or gmpy2.jacobi(x, P) != 1:
        raise ValueError(f"received {what} is not an element of the prime-order subgroup: abort the OT")
    return x


def _kdf(index: int, a: gmpy2.mpz, b: gmpy2.mpz, shared: gmpy2.mpz) -> bytes:
    data = b"mlprivacy-lab simplest OT" + index.to_bytes(8, "big") + _encode(a) + _encode(b) + _encode(shared)
    return hashlib.sha256(data).digest()[:LABEL_BYTES]


def check_choice_bits(choices: Sequence[int] | np.ndarray) -> np.ndarray:
    """The receiver's choice bits as a 1-D uint8 array, if ``choices`` is a 1-D sequence of the integers 0 and 1
    or of booleans (Python or numpy); otherwise ``ValueError`` naming the first bad index and value (a float,
    even 1.0, is not a bit: it would otherwise be truncated into a silently wrong choice)."""
    bits = np.asarray(choices)
    if bits.ndim != 1:
        raise ValueError(f"OT choices must be a 1-D sequence of bits (0 or 1), got shape {bits.shape} "
                         f"({type(choices).__name__})")
    if bits.dtype.kind in "biu":
        if bits.dtype.kind != "b" and bits.size and (bits.min() < 0 or bits.max() > 1):
            i = int(np.argmax((bits < 0) | (bits > 1)))
            raise ValueError(f"OT choice {i} is {bits[i].item()!r}: choices must be bits, 0 or 1")
        return bits.astype(np.uint8)
    items = choices if isinstance(choices, (list, tuple)) else bits.tolist()
    for i, c in enumerate(items):
        if not isinstance(c, (Integral, np.bool_)) or c not in (0, 1):
            raise ValueError(f"OT choice {i} is {c!r} ({type(c).__name__}, in an array of dtype {bits.dtype}): "
                             "choices must be bits, the integers 0 or 1 or booleans")
    return np.array(items, dtype=np.uint8).reshape(-1)


def _check_count(count: object) -> int:
    if isinstance(count, (bool, np.bool_)) or not isinstance(count, Integral) or count < 0:
        raise ValueError(f"the number of OTs must be a non-negative integer, got {count!r}")
    return int(count)


def random_ot_send(channel: Channel, count: int) -> list[tuple[bytes, bytes]]:
    """Sender side of ``count`` random OTs: returns the key pairs (k₀, k₁) of 16 bytes each (none, and no
    message, for ``count = 0``)."""
    count = _check_count(count)
    if not count:
        return []
    a = gmpy2.mpz(secrets.randbits(EXPONENT_BITS))
    big_a = gmpy2.powmod(G, a, P)
    channel.send(_encode(big_a))
    raw = channel.recv(count * ELEMENT_BYTES)
    a_to_minus_a = gmpy2.invert(gmpy2.powmod(big_a, a, P), P)
    pairs = []
    for i in range(count):
        big_b = _decode(raw[i * ELEMENT_BYTES:(i + 1) * ELEMENT_BYTES], "B")
        b_to_a = gmpy2.powmod(big_b, a, P)
        pairs.append((_kdf(i, big_a, big_b, b_to_a), _kdf(i, big_a, big_b, b_to_a * a_to_minus_a % P)))
    return pairs


def random_ot_receive(channel: Channel, choices: Sequence[int]) -> list[bytes]:
    """Receiver side of random OTs with the given choice bits: returns k_c for each (none, and no message,
    for no choices)."""
    bits = check_choice_bits(choices).tolist()
    if not bits:
        return []
    big_a = _decode(channel.recv(ELEMENT_BYTES), "A")
    secrets_b = [gmpy2.mpz(secrets.randbits(EXPONENT_BITS)) for _ in bits]
    points = [gmpy2.powmod(G, b, P) * (big_a if c else 1) % P for b, c in zip(secrets_b, bits)]
    channel.send(b"".join(_encode(x) for x in points))
    return [_kdf(i, big_a, x, gmpy2.powmod(big_a, b, P)) for i, (x, b) in enumerate(zip(points, secrets_b))]


def _xor(x: bytes, y: bytes) -> bytes:
    return (np.frombuffer(x, np.uint8) ^ np.frombuffer(y, np.uint8)).tobytes()


def ot_send(channel: Channel, messages: Sequence[tuple[bytes, bytes]]) -> None:
    """Chosen-message 1-out-of-2 OT of 16-byte messages: each pair is sent masked with the random-OT keys.
    Every pair is checked before anything is sent; no pairs send nothing."""
    messages = list(messages)
    for i, pair in enumerate(messages):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"OT message {i} must be a pair (m0, m1) of {LABEL_BYTES}-byte strings, got {pair!r}")
        for m in pair:
            if not isinstance(m, (bytes, bytearray)) or len(m) != LABEL_BYTES:
                size = f"{len(m)} bytes" if isinstance(m, (bytes, bytearray)) else type(m).__name__
                raise ValueError(f"OT messages must be {LABEL_BYTES} bytes each; pair {i} holds {size}")
    if not messages:
        return
    keys = random_ot_send(channel, len(messages))
    channel.send(b"".join(_xor(m0, k0) + _xor(m1, k1) for (m0, m1), (k0, k1) in zip(messages, keys)))


def ot_receive(channel: Channel, choices: Sequence[int]) -> list[bytes]:
    """Receiver of chosen-message OT: gets message ``choices[i]`` of pair i and nothing about the other."""
    bits = check_choice_bits(choices).tolist()
    if not bits:
        return []
    keys = random_ot_receive(channel, bits)
    raw = channel.recv(2 * LABEL_BYTES * len(bits))
    return [_xor(raw[(2 * i + c) * LABEL_BYTES:(2 * i + c + 1) * LABEL_BYTES], k)
            for i, (c, k) in enumerate(zip(bits, keys))]
