"""Packing many signed integers into one Paillier plaintext, with a guard bit per slot.

Slot i of a plaintext holds x_i at weight 2**(i * w), w = ``slot_bits``: P = sum_i x_i * 2**(i * w), stored as
P mod n. Adding plaintexts adds every slot at once, and multiplying by an integer scales every slot, as long as
each slot stays within the capacity |x_i| <= C = 2**(w - 2) - 1. This is the composite signal representation
of Bianchi, Piva and Barni, "Composite signal representation for fast and storage-efficient processing of
encrypted signals", IEEE TIFS 5(1), 2010, here with signed slots.

Each slot reserves one guard bit above its sign bit: a valid slot value needs only w - 1 bits, so its offset
digit x_i + 2**(w - 1) lies in the middle half (2**(w - 2), 3 * 2**(w - 2)) of the w-bit digits. What
``unpack`` detects, exactly:

- detected (``OverflowError`` naming the slot): any slot with C < |x_i| < 2**(w - 1), whatever the other
  slots hold, as long as every slot satisfies |x_j| < 2**(w - 1) (then no slot carries into the next, so each
  digit is exactly x_j + 2**(w - 1)). That is every overflow by up to a factor of two in each slot: a sum with
  up to twice the declared terms, a wrong declared bound, a hand-built packing with a too-large slot;
- detected: a packed integer outside the range of all the slots together (the top slot overflowed);
- not detected: a plaintext that is a valid packing of *other* values, such as a slot beyond three times
  the capacity, |x_i| > 3 * 2**(w - 2) (its digit wraps to a valid one and the carry makes its neighbour one
  larger or smaller), or a tampered ciphertext
  Enc[P] * Enc[2**(i * w)] that adds 1 to slot i. Paillier is malleable: anyone with the public key can add
  any valid packing, and no check on the plaintext can tell; integrity needs a signature or a MAC.

The encrypted types never get there on their own: they track a public bound per slot and refuse an operation
that could exceed C before computing it (``paillier.EncryptedArray``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotLayout:
    """``slots`` signed slots of ``slot_bits`` bits each in one plaintext (one guard bit, one sign bit and
    ``slot_bits - 2`` magnitude bits per slot)."""

    slot_bits: int
    slots: int

    def __post_init__(self) -> None:
        for name, low in (("slot_bits", 3), ("slots", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"SlotLayout.{name} must be an integer >= {low} (a slot holds a guard bit, a "
                                 f"sign bit and at least one magnitude bit), got {value!r}")

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
        """The largest |value| a slot can hold: C = 2**(slot_bits - 2) - 1 (below the guard bit)."""
        return (1 << (self.slot_bits - 2)) - 1

    def n_plaintexts(self, count: int) -> int:
        return -(-count // self.slots)

    def pack(self, ints: Sequence[int]) -> list[int]:
        """Signed integers, each within ``capacity``, to one signed packed integer per ``slots`` values.

        Raises ``OverflowError`` naming the first value beyond the capacity.
        """
        for i, x in enumerate(ints):
            if abs(x) > self.capacity:
                raise OverflowError(f"value {x} (index {i}) does not fit a {self.slot_bits}-bit slot, which "
                                    f"holds |x| <= {self.capacity}: use wider slots (a larger "
                                    f"FixedPoint.value_bits or max_additions)")
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
        shifts; a digit outside the middle half (its guard bit differs from its sign bit) is a slot beyond
        the capacity. Raises ``OverflowError`` then, or when the integer is outside the range of all the
        slots; see the module docstring for exactly which overflows this catches and which no check can.
        """
        w, half, mask = self.slot_bits, 1 << (self.slot_bits - 1), (1 << self.slot_bits) - 1
        offset = sum(half << (i * w) for i in range(self.slots))
        out: list[int] = []
        for j, p in enumerate(packed):
            u = p + offset
            if u < 0 or u >> (self.slots * w):
                raise OverflowError(f"packed plaintext {j} is outside the range of its {self.slots} slots: a "
                                    "value or a sum overflowed (encrypt with a larger FixedPoint.max_additions/"
                                    "value_bits), or the ciphertext is not one of this array")
            for i in range(self.slots):
                x = ((u >> (i * w)) & mask) - half
                if abs(x) > self.capacity:
                    raise OverflowError(f"slot {i} of packed plaintext {j} overflowed (its guard bit is set): "
                                        f"it exceeds the capacity {self.capacity} of a {w}-bit slot, so the "
                                        "ciphertext does not hold values of this packing (tampered, hand-built, "
                                        "or a wrong encoding or bound)")
                out.append(x)
        if len(out) < count:
            raise ValueError(f"{len(packed)} packed plaintexts hold {len(out)} slots, fewer than {count}")
        return out[:count]
