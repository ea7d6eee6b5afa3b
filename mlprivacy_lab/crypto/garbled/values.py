"""``GarbledInt``: arrays of secret integers and fixed-point numbers with numpy-style operators.

Each operator runs a circuit of ``circuits.py`` on the value's engine, over all lanes at once; lanes
broadcast like numpy arrays. Semantics match numpy's fixed-width integers: + − * wrap modulo 2^width;
fixed-point * keeps ⌊a·b / 2^frac⌋; / truncates toward zero (C semantics, not numpy's floor) and x / 0 = 0;
sqrt of a negative number is 0; comparisons give 1-bit unsigned values usable in ``where``.
"""

from __future__ import annotations

import numbers
from functools import partial

import numpy as np

from ..fixed_point import RING_BITS, check_range, from_fixed, to_fixed
from . import circuits as C

MAX_WIDTH = RING_BITS  # values are decoded into 64-bit words
#: Multiplications, divisions and square roots run over at most this many lanes at a time, so that each
#: layer's labels stay in the CPU cache (512 was fastest on the development machine; see bench ``gc``).
LANE_BLOCK = 512


def check_format(width: int, frac: int, signed: bool) -> None:
    """``ValueError`` unless width is an integer in 1..MAX_WIDTH, frac in 0..width-1 and signed a bool."""
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"width must be an integer in 1..{MAX_WIDTH}, got {width!r}")
    if isinstance(frac, bool) or not isinstance(frac, numbers.Integral) or not 0 <= frac < width:
        raise ValueError(f"frac (fractional bits) must be in 0..width-1, got {frac!r} for width {width}")
    if not isinstance(signed, (bool, np.bool_)):
        raise ValueError(f"signed must be True or False, got {signed!r}")


def encode(values, width: int, frac: int = 0, signed: bool = True) -> np.ndarray:
    """Two's-complement bits (width, *shape), least significant first, of integers or reals·2^frac, rounded by
    the rules of ``fixed_point.py``; the carrier is a ``width``-bit circuit word, so the range is
    [-2^(width-1), 2^(width-1)) (signed) or [0, 2^width) and the bits wrap modulo 2^width."""
    check_format(width, frac, signed)
    x, m = to_fixed(values, frac)
    low, high = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
    kind = f"{'a signed' if signed else 'an unsigned'} {width}-bit" + (f" with {frac} fractional bits" if frac else "")
    check_range(x, m, low, high, frac, f"{kind} number", "widen the format or rescale")
    words = m.astype(np.int64 if signed else np.uint64).astype(np.uint64) & np.uint64((1 << width) - 1)
    shifts = np.arange(width, dtype=np.uint64).reshape(-1, *([1] * x.ndim))
    return ((words[None] >> shifts) & np.uint64(1)).astype(np.uint8)


def decode(bits: np.ndarray, frac: int = 0, signed: bool = True) -> np.ndarray:
    """Inverse of ``encode``: int64 values, or float64 when ``frac`` > 0."""
    width = bits.shape[0]
    words = np.zeros(bits.shape[1:], dtype=np.uint64)
    for i in range(width):
        words |= bits[i].astype(np.uint64) << np.uint64(i)
    if signed and width < MAX_WIDTH:
        ints = words.astype(np.int64) - (((words >> np.uint64(width - 1)) & np.uint64(1)).astype(np.int64) << width)
    else:
        ints = words.view(np.int64) if signed else words
    return from_fixed(ints, frac)


class GarbledInt:
    """A batch of secret numbers on an engine: ``wires`` has shape (width, *shape, *engine.trailer)."""

    __array_ufunc__ = None  # numpy scalars and arrays defer to our reflected operators
    __hash__ = None

    def __init__(self, engine, wires: np.ndarray, *, signed: bool = True, frac: int = 0) -> None:
        self.engine, self.wires, self.signed, self.frac = engine, wires, bool(signed), int(frac)

    # --- shape -------------------------------------------------------------------------------------
    @property
    def width(self) -> int:
        return self.wires.shape[0]

    @property
    def shape(self) -> tuple[int, ...]:
        return self.wires.shape[1:self.wires.ndim - len(self.engine.trailer)]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a scalar GarbledInt")
        return self.shape[0]

    def __bool__(self):
        raise TypeError("a GarbledInt has no truth value in the clear: reveal it, or branch with where()")

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        kind = f"Q{self.width - self.frac}.{self.frac}" if self.frac else ("int" if self.signed else "uint")
        return f"GarbledInt({kind}{'' if self.frac else self.width}, shape={self.shape}, {self.engine.party})"

    def _like(self, wires: np.ndarray, signed: bool | None = None, frac: int | None = None) -> "GarbledInt":
        return GarbledInt(self.engine, wires, signed=self.signed if signed is None else signed,
                          frac=self.frac if frac is None else frac)

    def _lane_index(self, index) -> tuple:
        index = index if isinstance(index, tuple) else (index,)
        if any(i is Ellipsis for i in index):
            at = next(k for k, i in enumerate(index) if i is Ellipsis)
            fill = self.ndim - (len(index) - 1 - sum(i is None for i in index))
            index = index[:at] + (slice(None),) * fill + index[at + 1:]
        used = sum(np.ndim(i) if isinstance(i, np.ndarray) and i.dtype == bool else i is not None for i in index)
        if used > self.ndim:
            raise IndexError(f"too many indices for a GarbledInt of shape {self.shape}")
        return (slice(None), *index)

    def __getitem__(self, index) -> "GarbledInt":
        """Index lanes like a numpy array (never bits: use ``bits`` for those)."""
        return self._like(self.wires[self._lane_index(index)])

    def reshape(self, *shape) -> "GarbledInt":
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape
        return self._like(self.wires.reshape(self.width, *shape, *self.engine.trailer))

    def transpose(self, *axes: int) -> "GarbledInt":
        """Permute lane axes like ``numpy.transpose`` (default: reverse them)."""
        axes = axes or tuple(range(self.ndim))[::-1]
        tail = tuple(range(self.ndim + 1, self.wires.ndim))
        return self._like(self.wires.transpose(0, *(a % self.ndim + 1 for a in axes), *tail))

    @property
    def T(self) -> "GarbledInt":
        return self.transpose()

    def broadcast_to(self, shape: tuple[int, ...]) -> "GarbledInt":
        lead = (1,) * (len(shape) - self.ndim)
        wires = self.wires.reshape(self.width, *lead, *self.shape, *self.engine.trailer)
        return self._like(np.broadcast_to(wires, (self.width, *shape, *self.engine.trailer)))

    def bits(self) -> list["GarbledInt"]:
        """The individual bits as 1-bit unsigned values, least significant first."""
        return [self._like(self.wires[i:i + 1], signed=False, frac=0) for i in range(self.width)]

    # --- operands ----------------------------------------------------------------------------------
    def _operand(self, other) -> "GarbledInt":
        if isinstance(other, GarbledInt):
            if other.engine is not self.engine:
                raise ValueError("operands live on different engines (sessions); their labels do not match")
            if other.width != self.width:
                raise ValueError(f"bit widths differ ({self.width} vs {other.width}): use .resize(width) first")
            if other.frac != self.frac or other.signed != self.signed:
                raise ValueError(f"number formats differ ({self!r} vs {other!r}): convert one with .resize/"
                                 "as_fixed first")
            return other
        if isinstance(other, (numbers.Number, np.ndarray, list, tuple)):
            return self.engine.constant(other, width=self.width, frac=self.frac, signed=self.signed)
        return NotImplemented

    def _pair(self, other):
        other = self._operand(other)
        if other is NotImplemented:
            return None
        shape = np.broadcast_shapes(self.shape, other.shape)
        return self.broadcast_to(shape).wires, other.broadcast_to(shape).wires

    def _binary(self, other, fn, **kw):
        pair = self._pair(other)
        return NotImplemented if pair is None else self._like(fn(self.engine, *pair, **kw))

    def _blocked(self, fn, *operands: np.ndarray) -> np.ndarray:
        """fn(engine, *operands) over blocks of at most LANE_BLOCK lanes (same result, cache-sized layers)."""
        trailer = self.engine.trailer
        lanes = operands[0].shape[1:operands[0].ndim - len(trailer)]
        n = int(np.prod(lanes, dtype=np.int64))
        if n <= LANE_BLOCK:
            return fn(self.engine, *operands)
        flat = [x.reshape(x.shape[0], n, *trailer) for x in operands]
        out = np.concatenate([fn(self.engine, *(x[:, s:s + LANE_BLOCK] for x in flat))
                              for s in range(0, n, LANE_BLOCK)], axis=1)
        return out.reshape(out.shape[0], *lanes, *trailer)

    # --- arithmetic --------------------------------------------------------------------------------
    def __add__(self, other):
        return self._binary(other, C.add)

    __radd__ = __add__

    def __sub__(self, other):
        return self._binary(other, C.sub)

    def __rsub__(self, other):
        other = self._operand(other)
        return NotImplemented if other is NotImplemented else other - self

    def __neg__(self):
        return self._like(C.negate_if(self.engine, self.wires, C.const_bits(self.engine, 1, 1, self.wires)[0]))

    def __mul__(self, other):
        pair = self._pair(other)
        if pair is None:
            return NotImplemented
        product = self._blocked(partial(C.multiply, signed=self.signed), *pair)
        return self._like(product[self.frac:self.frac + self.width])

    __rmul__ = __mul__

    def __matmul__(self, other: "GarbledInt") -> "GarbledInt":
        """Matrix product (2-D @ 2-D or 2-D @ 1-D): all products in one multiplication, then adder trees."""
        other = self._operand(other)
        if self.ndim != 2 or other.ndim not in (1, 2) or self.shape[1] != other.shape[0]:
            raise ValueError(f"matmul needs shapes (n, k) @ (k,) or (k, m), got {self.shape} @ {other.shape}")
        if other.ndim == 1:
            return (self * other.reshape(1, -1)).sum(axis=1)
        return (self.reshape(self.shape[0], self.shape[1], 1) * other.reshape(1, *other.shape)).sum(axis=1)

    def __truediv__(self, other):
        pair = self._pair(other)
        if pair is None:
            return NotImplemented
        return self._like(self._blocked(partial(C.divide, frac=self.frac, signed=self.signed), *pair))

    def __rtruediv__(self, other):
        other = self._operand(other)
        return NotImplemented if other is NotImplemented else other / self

    def sqrt(self) -> "GarbledInt":
        """⌊√x⌋ in the same fixed-point format (negative x → 0)."""
        return self._like(self._blocked(partial(C.square_root, frac=self.frac, signed=self.signed), self.wires))

    def __abs__(self):
        return self._like(C.absolute(self.engine, self.wires)) if self.signed else self

    # --- bitwise -----------------------------------------------------------------------------------
    def __and__(self, other):
        return self._binary(other, lambda e, a, b: e.and_(a, b))

    __rand__ = __and__

    def __xor__(self, other):
        return self._binary(other, lambda e, a, b: e.xor(a, b))

    __rxor__ = __xor__

    def __or__(self, other):
        return self._binary(other, lambda e, a, b: e.xor(e.xor(a, b), e.and_(a, b)))

    __ror__ = __or__

    def __invert__(self):
        return self._like(self.engine.not_(self.wires))

    def __lshift__(self, k: int):
        k = _shift(k, self.width)
        return self._like(np.concatenate([C.const_bits(self.engine, 0, k, self.wires), self.wires[:self.width - k]]))

    def __rshift__(self, k: int):
        """Arithmetic shift for signed values (floor division by 2^k), logical for unsigned."""
        k = _shift(k, self.width)
        if self.signed:
            return self._like(C.shift_right(self.wires, k))
        return self._like(np.concatenate([self.wires[k:], C.const_bits(self.engine, 0, k, self.wires)]))

    def resize(self, width: int) -> "GarbledInt":
        """Sign- (or zero-) extend or truncate to ``width`` bits, keeping the fractional bits."""
        if width <= self.width:
            return self._like(self.wires[:width])
        fill = np.broadcast_to(self.wires[-1:], (width - self.width, *self.wires.shape[1:])) if self.signed \
            else C.const_bits(self.engine, 0, width - self.width, self.wires)
        return self._like(np.concatenate([self.wires, fill]))

    # --- comparisons (1-bit unsigned results) ------------------------------------------------------
    def _bit(self, wire: np.ndarray) -> "GarbledInt":
        return GarbledInt(self.engine, wire[None], signed=False, frac=0)

    def _compare(self, other, swap: bool, negate: bool):
        pair = self._pair(other)
        if pair is None:
            return NotImplemented
        a, b = pair[::-1] if swap else pair
        bit = C.less_than(self.engine, a, b, self.signed)
        return self._bit(self.engine.not_(bit) if negate else bit)

    def __lt__(self, other):
        return self._compare(other, swap=False, negate=False)

    def __gt__(self, other):
        return self._compare(other, swap=True, negate=False)

    def __le__(self, other):
        return self._compare(other, swap=True, negate=True)

    def __ge__(self, other):
        return self._compare(other, swap=False, negate=True)

    def __eq__(self, other):
        pair = self._pair(other)
        return NotImplemented if pair is None else self._bit(C.equal(self.engine, *pair))

    def __ne__(self, other):
        eq = self.__eq__(other)
        return NotImplemented if eq is NotImplemented else ~eq

    # --- reductions and opening --------------------------------------------------------------------
    def sum(self, axis: int | None = None) -> "GarbledInt":
        """Sum over a lane axis (or all lanes) with a balanced tree of adders."""
        x = self.reshape(-1) if axis is None else self
        axis = 0 if axis is None else axis % x.ndim
        while x.shape[axis] > 1:
            half = x.shape[axis] // 2
            cut = [slice(None)] * x.ndim
            lo, hi, rest = (cut[:axis] + [slice(0, half)], cut[:axis] + [slice(half, 2 * half)],
                            cut[:axis] + [slice(2 * half, None)])
            x = concatenate([x[tuple(lo)] + x[tuple(hi)], x[tuple(rest)]], axis=axis)
        return x[tuple([slice(None)] * axis + [0])]

    def decode(self, bits: np.ndarray) -> np.ndarray:
        return decode(bits, self.frac, self.signed)

    def reveal(self) -> np.ndarray:
        """Open the value to both parties (see ``Engine.reveal``)."""
        return self.engine.reveal(self)


def _shift(k, width: int) -> int:
    if not isinstance(k, numbers.Integral) or not 0 <= k <= width:
        raise ValueError(f"shift amounts are public integers in 0..{width}, got {k!r}")
    return int(k)


def where(condition: GarbledInt, x, y) -> GarbledInt:
    """Elementwise ``condition ? x : y`` (condition: a 1-bit value such as a comparison result)."""
    if not isinstance(condition, GarbledInt) or condition.width != 1:
        raise ValueError("where() needs a 1-bit GarbledInt condition, such as the result of a < b")
    base = x if isinstance(x, GarbledInt) else y
    if not isinstance(base, GarbledInt):
        raise TypeError("where() needs at least one GarbledInt branch")
    x, y = base._operand(x), base._operand(y)
    if condition.engine is not base.engine:
        raise ValueError("condition and branches live on different engines")
    shape = np.broadcast_shapes(condition.shape, x.shape, y.shape)
    s = condition.broadcast_to(shape).wires[0]
    return base._like(C.mux(base.engine, s, x.broadcast_to(shape).wires, y.broadcast_to(shape).wires))


def _same_format(values: list[GarbledInt], what: str) -> GarbledInt:
    """The first of ``values``, if all are ``GarbledInt`` of one engine and one number format."""
    values = list(values)
    if not values or not all(isinstance(v, GarbledInt) for v in values):
        raise TypeError(f"{what}() needs a non-empty list of GarbledInt values, got "
                        f"{[type(v).__name__ for v in values]}")
    for v in values[1:]:
        values[0]._operand(v)
    return values[0]


def concatenate(values: list[GarbledInt], axis: int = 0) -> GarbledInt:
    """Join values of the same format along a lane axis."""
    first = _same_format(values, "concatenate")
    axis = axis % max(1, first.ndim)
    return first._like(np.concatenate([v.wires for v in values], axis=axis + 1))


def stack(values: list[GarbledInt], axis: int = 0) -> GarbledInt:
    """Stack values of the same format and shape along a new lane axis."""
    first = _same_format(values, "stack")
    axis = axis % (first.ndim + 1)
    return first._like(np.stack([v.wires for v in values], axis=axis + 1))
