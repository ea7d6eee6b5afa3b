"""Exact matrix products in the ring Z_{2^64} by float64 BLAS on balanced 22-bit limbs.

numpy's uint64 ``@`` has no BLAS kernel (a plain loop). A ring element a is written a = a0 + a1 2^22 + a2 2^44
(mod 2^64) with balanced digits |a0|, |a1| <= 2^21 and |a2| <= 2^19; then

    a @ b = A0 B0 + 2^22 (A0 B1 + A1 B0) + 2^44 (A0 B2 + A1 B1 + A2 B0)   (mod 2^64)

because every other term carries 2^66. Each bracket is a sum of float64 BLAS products whose entries stay below k * 2^43 < 2^53 for k <= 1024, so BLAS computes it
exactly; longer inner dimensions are split into chunks of 1024. That is 6 limb products instead of the 10 of
16-bit limbs (same idea, the Karatsuba-free schoolbook split of e.g. Knuth, TAOCP vol. 2, 4.3.1, with digits
kept balanced so that products of signed digits stay small).
"""

from __future__ import annotations

import numpy as np

LIMB_BITS = 22
#: the largest inner dimension one BLAS call takes exactly: 2 k 2^42 + ... < 2^53
MAX_EXACT_INNER = 1024
_HALF = np.uint64(1 << (LIMB_BITS - 1))
_MASK = np.uint64((1 << LIMB_BITS) - 1)
_TOP_HALF, _TOP_MASK = np.uint64(1 << 19), np.uint64((1 << 20) - 1)  # bits 44..63


def limbs(a: np.ndarray) -> list[np.ndarray]:
    """Balanced limbs (float64) a0, a1, a2 with a = a0 + a1 2^22 + a2 2^44 mod 2^64.

    With t = a + 2^21, the digit is (t mod 2^22) - 2^21 and the rest floor(t / 2^22) (mod 2^42)."""
    t = np.asarray(a, dtype=np.uint64) + _HALF
    out = []
    for half, mask in ((_HALF, _MASK), (_HALF, _MASK), (_TOP_HALF, _TOP_MASK)):
        if out:
            t = (t >> np.uint64(LIMB_BITS)) + half
        out.append((t & mask).astype(np.float64) - float(half))
    return out


def _to_ring(x: np.ndarray) -> np.ndarray:
    return x.astype(np.int64).view(np.uint64)


def _matmul_exact(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    """Ring product from limbs when the inner dimension is at most MAX_EXACT_INNER (float sums stay exact)."""
    out = _to_ring(a[0] @ b[0])
    out += _to_ring(a[0] @ b[1] + a[1] @ b[0]) << np.uint64(LIMB_BITS)
    out += _to_ring(a[0] @ b[2] + a[1] @ b[1] + a[2] @ b[0]) << np.uint64(2 * LIMB_BITS)
    return out


def ring_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b in Z_{2^64}, exact, for uint64 arrays of shapes (..., m, k) and (..., k, n) (numpy broadcasting)."""
    a, b = np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
        raise ValueError(f"ring_matmul needs shapes (..., m, k) @ (..., k, n), got {a.shape} @ {b.shape}")
    k = a.shape[-1]
    if k <= MAX_EXACT_INNER:
        return _matmul_exact(limbs(a), limbs(b))
    out = None
    for start in range(0, k, MAX_EXACT_INNER):
        part = ring_matmul(a[..., start:start + MAX_EXACT_INNER], b[..., start:start + MAX_EXACT_INNER, :])
        out = part if out is None else out + part
    return out
