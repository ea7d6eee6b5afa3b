"""Signed fixed-point encoding of real numbers as the integers Paillier encrypts.

A real x is stored as the integer m = round(x * 2**frac_bits) (the scale is 2**-frac_bits), by the rules of
``fixed_point.py`` that secret sharing and garbled circuits share. Every fresh value must satisfy
|m| <= 2**value_bits - 1; this declared range, not the value itself, is what the encrypted types track, so
an overflow is reported *before* it happens and reveals nothing about the data (python-paillier reports it
at decryption, if at all: its issues #74, #110).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from .fixed_point import check_range, from_fixed, to_fixed

#: Upper limit on every bit count of an encoding (and on a Paillier modulus): 16,384 bits, eight times the
#: 2048-bit default key. It keeps a hostile or mistyped parameter from allocating 2^value_bits.
MAX_BITS = 1 << 14
MAX_ADDITIONS_BITS = 64  # headroom of at most 64 bits: 2^64 additions is more than anyone will perform


@dataclass(frozen=True)
class FixedPoint:
    """Encoding parameters of an encrypted value or array. Unlike the ring and garbled carriers it has no
    word size: the plaintext space Z_n is ~2^1024, so m stays an exact Python int and only the declared
    ``value_bits`` bounds it.

    ``frac_bits``: fractional bits, the scale is ``2**-frac_bits`` (0 encodes integers exactly).
    ``value_bits``: every fresh value satisfies ``|round(x * 2**frac_bits)| < 2**value_bits``.
    ``max_additions``: headroom of a packed slot: the sum of ``max_additions + 1`` fresh values always fits
    (the headroom is whole bits, so up to the next power of two of terms actually fit).
    ``frac_bits`` and ``value_bits`` are at most ``MAX_BITS``, ``max_additions`` below 2^64.
    """

    frac_bits: int = 32
    value_bits: int = 64
    max_additions: int = 1023

    def __post_init__(self) -> None:
        for name, low, high in (("frac_bits", 0, MAX_BITS), ("value_bits", 1, MAX_BITS),
                                ("max_additions", 0, (1 << MAX_ADDITIONS_BITS) - 1)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"FixedPoint.{name} must be an integer in [{low}, {high}], got {value!r}")

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
        """Width of a packed slot: value bits, headroom for ``max_additions`` additions, one sign bit and one
        guard bit (``packing.SlotLayout``: the guard detects a slot that overflowed)."""
        return self.value_bits + self.max_additions.bit_length() + 2

    def encode(self, values: Iterable, frac_bits: int | None = None) -> list[int]:
        """Encode reals (ints exactly, floats rounded to the nearest multiple of ``2**-frac_bits``).

        Raises ``OverflowError`` when a value needs more than ``value_bits`` bits at that scale.
        """
        frac = self.frac_bits if frac_bits is None else frac_bits
        limit = self.max_int << (frac - self.frac_bits)
        x, m = to_fixed(np.asarray(values, dtype=object), frac)
        check_range(x, m, -limit, limit, frac, f"value_bits={self.value_bits}",
                    "raise value_bits (FixedPoint.for_bound helps) or lower frac_bits")
        return m.ravel().tolist()

    @staticmethod
    def decode(ints: list[int], frac_bits: int) -> np.ndarray:
        """Integers at scale ``2**-frac_bits`` back to numbers: int64 (or Python ints) when
        ``frac_bits == 0``, else correctly rounded float64."""
        return from_fixed(np.array(ints, dtype=object), frac_bits)


def multiplier(values: Iterable) -> tuple[list[int], int]:
    """Encode plaintext multipliers exactly: ints as they are, a float as the dyadic rational it is.

    Returns the integers and their common number of fractional bits.
    """
    flat = np.asarray(values, dtype=object).ravel()
    frac = max((_exact_frac_bits(x) for x in flat), default=0)
    return to_fixed(flat, frac)[1].tolist(), frac


def _exact_frac_bits(x: object) -> int:
    """Fractional bits of a finite real's binary expansion (0 for what ``to_fixed`` rejects or keeps exact)."""
    if isinstance(x, Integral) or not isinstance(x, Real) or not math.isfinite(x):
        return 0
    return float(x).as_integer_ratio()[1].bit_length() - 1
