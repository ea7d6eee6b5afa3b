"""Signed fixed-point encoding of real numbers as the integers Paillier encrypts.

A real x is stored as the integer m = round(x * 2**frac_bits) (the scale is 2**-frac_bits). Every fresh
value must satisfy |m| <= 2**value_bits - 1; this declared range, not the value itself, is what the
encrypted types track, so an overflow is reported *before* it happens and reveals nothing about the
data (python-paillier reports it at decryption, if at all: its issues #74, #110).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np


@dataclass(frozen=True)
class FixedPoint:
    """Encoding parameters of an encrypted value or array.

    ``frac_bits``: fractional bits, the scale is ``2**-frac_bits`` (0 encodes integers exactly).
    ``value_bits``: every fresh value satisfies ``|round(x * 2**frac_bits)| < 2**value_bits``.
    ``max_additions``: headroom of a packed slot: the sum of ``max_additions + 1`` fresh values always fits
    (the headroom is whole bits, so up to the next power of two of terms actually fit).
    """

    frac_bits: int = 32
    value_bits: int = 64
    max_additions: int = 1023

    def __post_init__(self) -> None:
        for name, low in (("frac_bits", 0), ("value_bits", 1), ("max_additions", 0)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
                raise ValueError(f"FixedPoint.{name} must be an integer >= {low}, got {value!r}")

    @classmethod
    def for_bound(cls, max_abs: float, frac_bits: int, max_additions: int) -> "FixedPoint":
        """The narrowest encoding for values with ``|x| <= max_abs`` (a public bound, not the data)."""
        if not math.isfinite(max_abs) or max_abs <= 0:
            raise ValueError(f"max_abs must be a positive finite number, got {max_abs!r}")
        return cls(frac_bits, max(1, math.ceil(math.ldexp(max_abs, frac_bits)).bit_length()), max_additions)

    @property
    def max_int(self) -> int:
        """The largest |m| of one fresh encoded value."""
        return (1 << self.value_bits) - 1

    @property
    def slot_bits(self) -> int:
        """Width of a packed slot: value bits, headroom for ``max_additions`` additions, one sign bit."""
        return self.value_bits + self.max_additions.bit_length() + 1

    def encode(self, values: Iterable, frac_bits: int | None = None) -> list[int]:
        """Encode reals (ints exactly, floats rounded to the nearest multiple of ``2**-frac_bits``).

        Raises ``OverflowError`` when a value needs more than ``value_bits`` bits at that scale.
        """
        frac = self.frac_bits if frac_bits is None else frac_bits
        limit = self.max_int << (frac - self.frac_bits)
        flat = np.asarray(values, dtype=object).ravel().tolist()
        encoded = [_scale(x, frac) for x in flat]
        for i, m in enumerate(encoded):
            if abs(m) > limit:
                raise OverflowError(
                    f"value {flat[i]!r} (index {i}) encodes to a {abs(m).bit_length()}-bit integer at "
                    f"frac_bits={frac}, beyond value_bits={self.value_bits}: raise value_bits "
                    f"(FixedPoint.for_bound helps) or lower frac_bits")
        return encoded

    @staticmethod
    def decode(ints: list[int], frac_bits: int) -> np.ndarray:
        """Integers at scale ``2**-frac_bits`` back to numbers: int64 (or Python ints) when
        ``frac_bits == 0``, else correctly rounded float64."""
        if frac_bits == 0:
            fits = all(-(1 << 63) <= m < (1 << 63) for m in ints)
            return np.array(ints, dtype=np.int64 if fits else object)
        scale = 1 << frac_bits
        return np.array([m / scale for m in ints], dtype=np.float64)


def multiplier(values: Iterable) -> tuple[list[int], int]:
    """Encode plaintext multipliers exactly: ints as they are, a float as the dyadic rational it is.

    Returns the integers and their common number of fractional bits.
    """
    flat = np.asarray(values, dtype=object).ravel().tolist()
    frac = max((_exact_frac_bits(x) for x in flat), default=0)
    return [_scale(x, frac) for x in flat], frac


def _exact_frac_bits(x: object) -> int:
    if isinstance(x, Integral):
        return 0
    _check_real(x)
    return float(x).as_integer_ratio()[1].bit_length() - 1


def _check_real(x: object) -> None:
    if not isinstance(x, Real) or isinstance(x, complex):
        raise TypeError(f"can only encode real numbers, got {x!r} of type {type(x).__name__}")
    if not math.isfinite(x):
        raise ValueError(f"cannot encode {x!r}: only finite numbers have a fixed-point encoding")


def _scale(x: object, frac_bits: int) -> int:
    """round(x * 2**frac_bits) exactly, with Python ints (never numpy's fixed-width ones)."""
    if isinstance(x, Integral):
        return int(x) << frac_bits
    _check_real(x)
    try:
        return round(math.ldexp(float(x), frac_bits))
    except OverflowError:
        raise OverflowError(f"value {x!r} is too large to encode at frac_bits={frac_bits}") from None
