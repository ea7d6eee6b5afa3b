"""Fixed point, one set of rules for every carrier: Paillier plaintexts, the secret-sharing ring, garbled words.

A real x with ``frac_bits`` fractional bits is the integer m = x·2^frac_bits rounded half to even (IEEE 754
roundTiesToEven, ``np.rint``; Python's ``round`` agrees). x·2^frac_bits is exact in binary floating point, so
m is the correctly rounded nearest integer. Integers (Python or numpy) encode exactly, at any size. NaN and ±inf
have no encoding (``ValueError``), non-numbers raise ``TypeError``. Each carrier then checks m against its
range with ``check_range`` (``OverflowError`` naming the value, the range of reals allowed at that scale and
the knob to change) and decodes with ``from_fixed``. The carriers differ only in where m lives:

* ``encoding.FixedPoint`` (Paillier): unbounded Python ints; |m| <= 2^value_bits - 1, a declared bound;
* ``secret_sharing.FixedPointRing``: two's complement in Z_{2^RING_BITS}; |m| < 2^max_bits;
* ``garbled.values.encode``: two's complement at ``width`` <= RING_BITS bits; -2^(width-1) <= m < 2^(width-1).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

#: Z_{2^64}: numpy uint64 arithmetic wraps, so the ring of additive shares and of masked sums is native.
RING_BITS = 64


def to_fixed(values: object, frac_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """``(x, m)``: the input as an array and its fixed-point integers m = round(x·2^frac_bits), same shape.

    ``m`` keeps x's integer dtype (integers at ``frac_bits = 0``), holds Python ints (an object array, or
    integers at ``frac_bits > 0``: exact at any size) or integral float64 values (real input).
    """
    x = np.asarray(values)
    if x.dtype == object:
        return x, _objects_to_fixed(x, frac_bits)
    if x.dtype.kind in "biu":
        return x, x if frac_bits == 0 else np.asarray(x.astype(object) << frac_bits, dtype=object)
    if x.dtype.kind != "f":
        raise TypeError(f"can only encode real numbers, got an array of dtype {x.dtype}")
    return x, _round(x, frac_bits)


def _objects_to_fixed(x: np.ndarray, frac_bits: int) -> np.ndarray:
    """``to_fixed`` of an object array, element by element: ints exactly, other reals through ``_round``."""
    flat = x.ravel()
    for v in flat:
        if not isinstance(v, Real):
            raise TypeError(f"can only encode real numbers, got {v!r} of type {type(v).__name__}")
    exact = [isinstance(v, Integral) for v in flat]
    reals = _round(np.array([0.0 if e else float(v) for v, e in zip(flat, exact)]), frac_bits).tolist()
    m = np.empty(flat.size, dtype=object)
    m[:] = [int(v) << frac_bits if e else int(r) for v, e, r in zip(flat, exact, reals)]
    return m.reshape(x.shape)


def _round(x: np.ndarray, frac_bits: int) -> np.ndarray:
    """round_half_even(x·2^frac_bits) in float64 (integral values)."""
    with np.errstate(over="ignore", invalid="ignore"):
        m = np.asarray(np.rint(np.ldexp(x.astype(np.float64, copy=False), frac_bits)))
    finite = np.isfinite(m)
    if not finite.all():
        i = int(np.argmin(finite.ravel()))
        v = _py(x.ravel()[i])
        if not math.isfinite(v):
            raise ValueError(f"cannot encode {v!r} (flat index {i}): NaN and infinity have no fixed-point "
                             "encoding, only finite numbers do")
        raise OverflowError(f"value {v!r} (flat index {i}) is too large to encode at frac_bits={frac_bits}: "
                            "x·2^frac_bits overflows float64; rescale the data or lower frac_bits")
    return m


def check_range(x: np.ndarray, m: np.ndarray, low: int, high: int, frac_bits: int, what: str, knob: str) -> None:
    """``OverflowError`` unless ``low <= m <= high`` everywhere, for m the fixed-point integers of x.

    The message names the most extreme value outside, the reals [low, high]·2^-frac_bits that fit ``what``,
    and ``knob``, what the caller can change. A public magnitude bound tracked through a computation (never
    the data) is checked the same way, passed as both x and m.
    """
    flat = np.asarray(m).ravel()
    if flat.size == 0:
        return
    for i in (int(np.argmin(flat)), int(np.argmax(flat))):
        if not low <= _py(flat[i]) <= high:
            raise OverflowError(
                f"value {_py(np.asarray(x).ravel()[i])!r} (flat index {i}) does not fit {what}: the fixed-point "
                f"range at frac_bits={frac_bits} is [{_real(low, frac_bits)}, {_real(high, frac_bits)}]; {knob}")


def check_magnitude(x: np.ndarray, m: np.ndarray, bits: int, frac_bits: int, what: str, knob: str) -> None:
    """``check_range`` for a budget of ``bits`` magnitude bits: |m| < 2^bits."""
    check_range(x, m, -((1 << bits) - 1), (1 << bits) - 1, frac_bits, what, knob)


def from_fixed(m: np.ndarray, frac_bits: int) -> np.ndarray:
    """m·2^-frac_bits correctly rounded to float64 when ``frac_bits > 0``; else a copy of the integers (int64
    for Python ints that fit it, Python ints beyond)."""
    m = np.asarray(m)
    if m.dtype == object:
        if frac_bits:  # Python's int / int rounds correctly at any size
            scale = 1 << frac_bits
            return np.array([v / scale for v in m.ravel()], dtype=np.float64).reshape(m.shape)
        fits = all(-(1 << 63) <= v < (1 << 63) for v in m.ravel())
        return m.astype(np.int64) if fits else m.copy()
    return m.astype(np.float64) / math.ldexp(1.0, frac_bits) if frac_bits else m.copy()


def _py(v: object) -> object:
    """A numpy scalar as the Python number it holds (exact comparisons with Python ints)."""
    return v.item() if isinstance(v, np.generic) else v


def _real(k: int, frac_bits: int) -> str:
    try:
        return f"{k / (1 << frac_bits):.10g}"
    except OverflowError:
        return f"{k}·2^-{frac_bits}"
