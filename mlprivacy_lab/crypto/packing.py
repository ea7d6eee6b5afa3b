"""Packing many signed integers into one Paillier plaintext.

Slot i of a plaintext holds x_i at weight 2**(i * slot_bits): P = sum_i x_i * 2**(i * slot_bits), stored as
P mod n. Adding plaintexts adds every slot at once, and multiplying by an integer scales every slot,
as long as each slot stays within +-(2**(slot_bits - 1) - 1), which keeps |P| < n / 2. This is the
composite signal representation of Bianchi, Piva and Barni, "Composite signal representation for fast and
storage-efficient processing of encrypted signals", IEEE TIFS 5(1), 2010, here with signed slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotLayout:
    """``slots`` signed slots of ``slot_bits`` bits each in one plaintext."""

    slot_bits: int
    slots: int

    @classmethod
    def for_modulus(cls, n: int, slot_bits: int | None = None) -> "SlotLayout":
        """The layout for modulus ``n``: as many ``slot_bits``-bit slots as fit, or one slot spanning the
        whole signed plaintext range when ``slot_bits`` is None (no packing)."""
        usable = int(n).bit_length() - 1  # 2**usable <= n, so |P| < 2**(usable - 1) <= n / 2
        if slot_bits is None:
            return cls(usable, 1)
        if slot_bits > usable:
            raise ValueError(f"a {slot_bits}-bit slot does not fit a {usable + 1}-bit modulus: lower "
                             f"value_bits or max_additions, or use a larger key")
        return cls(slot_bits, usable // slot_bits)

    @property
    def capacity(self) -> int:
        """The largest |value| a slot can hold."""
        return (1 << (self.slot_bits - 1)) - 1

    def n_plaintexts(self, count: int) -> int:
        return -(-count // self.slots)

    def pack(self, ints: Sequence[int]) -> list[int]:
        """Signed integers (each within ``capacity``) to one signed packed integer per ``slots`` values."""
        packed = []
        for start in range(0, len(ints), self.slots):
            p = 0
            for x in reversed(ints[start:start + self.slots]):  # Horner: P = x_0 + 2**w (x_1 + 2**w (...))
                p = (p << self.slot_bits) + x
            packed.append(p)
        return packed

    def unpack(self, packed: Sequence[int], count: int) -> list[int]:
        """Signed packed integers back to ``count`` signed slot values.

        Adding the offset 2**(w-1) to every slot makes each one a non-negative w-bit digit, read off by
        shifts. Raises ``OverflowError`` when the integer is not a valid packing (a slot overflowed).
        """
        w, half, mask = self.slot_bits, 1 << (self.slot_bits - 1), (1 << self.slot_bits) - 1
        offset = sum(half << (i * w) for i in range(self.slots))
        out: list[int] = []
        for p in packed:
            u = p + offset
            if u < 0 or u >> (self.slots * w):
                raise OverflowError("a packed plaintext is outside the range of its slots: a value or a sum "
                                    "overflowed (encrypt with a larger FixedPoint.max_additions/value_bits)")
            out.extend(((u >> (i * w)) & mask) - half for i in range(self.slots))
        if len(out) < count:
            raise ValueError(f"{len(packed)} packed plaintexts hold {len(out)} slots, fewer than {count}")
        return out[:count]
