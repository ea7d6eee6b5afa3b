"""Engines run one circuit program as one party: plaintext, garbler, evaluator, or both in one process.

A *wire array* has shape ``(*shape, *trailer)``: one entry per wire, where the trailer is () for plaintext
bits (``PlainEngine``), (2,) for a 128-bit label held by one party (``GarblerEngine`` holds 0-keys,
``EvaluatorEngine`` the active keys), and (2, 2) for the garbler's and the evaluator's labels side by side
(``LocalEngine``, both parties in one process). Circuits (``circuits.py``) only call ``xor``, ``not_``,
``and_`` and ``const``; every call handles whole arrays of wires, so one AND call garbles every gate of a
layer, across every lane, at once.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..ot import Channel, InProcessOTExtension, OTExtensionReceiver, OTExtensionSender
from ..aes import LABEL_BYTES, U64
from .halfgates import CHUNK, TABLE_WORDS, EvaluatorCore, GarblerCore
from .values import GarbledInt, check_format, encode

OWNERS = ("garbler", "evaluator")
_MAX_DIMS = 64  # numpy's limit on array dimensions
TABLE_BYTES = 8 * TABLE_WORDS  # 32 bytes per AND gate


class Engine:
    """Common interface; subclasses define the gate operations on their wire arrays."""

    party = "none"
    trailer: tuple[int, ...] = ()

    def __init__(self) -> None:
        self.and_gates = 0
        self.and_layers = 0  # calls of and_: the circuit's sequential AND depth as this program runs it
        self.xor_gates = 0
        self.table_bytes = 0

    # --- gates -------------------------------------------------------------------------------------
    def xor(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Free-XOR: the XOR of the keys is a key of the XOR."""
        out = np.bitwise_xor(a, b)
        self.xor_gates += self._wires(out)
        return out

    def and_(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def not_(self, a: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def const(self, bits: np.ndarray) -> np.ndarray:
        """Wires carrying public constant bits (free: no table, no OT)."""
        raise NotImplementedError

    # --- typed values ------------------------------------------------------------------------------
    def input(self, owner: str, values=None, *, shape: tuple[int, ...] | None = None, width: int = 32,
              frac: int = 0, signed: bool = True) -> GarbledInt:
        """A private input of ``owner`` ("garbler" or "evaluator"): integers, or reals encoded with ``frac``
        fractional bits. The party that does not own it passes ``values=None`` and the ``shape``."""
        if owner not in OWNERS:
            raise ValueError(f"owner must be 'garbler' or 'evaluator', not {owner!r}")
        knows = self.party in (owner, "local", "plain")
        if knows and values is None:
            raise ValueError(f"the {owner} must supply the values of its own input")
        if not knows and values is not None:
            raise ValueError(f"the {self.party} cannot supply the {owner}'s private input; pass shape= only")
        if shape is not None:
            shape = _check_shape(shape)
        if values is None:
            if shape is None:
                raise ValueError("pass shape= for an input the other party supplies")
            check_format(width, frac, signed)
            bits = None
        else:
            bits = encode(values, width, frac, signed)
            if shape is not None and shape != bits.shape[1:]:
                raise ValueError(f"values have shape {bits.shape[1:]} but shape={shape} was given")
            shape = bits.shape[1:]
        self._agree(owner, (int(width), int(frac), int(bool(signed)), *shape))
        return GarbledInt(self, self._input(owner, bits, (width, *shape)), signed=signed, frac=frac)

    def constant(self, values, *, width: int = 32, frac: int = 0, signed: bool = True) -> GarbledInt:
        """A public constant both parties know."""
        return GarbledInt(self, self.const(encode(values, width, frac, signed)), signed=signed, frac=frac)

    def reveal(self, x: GarbledInt) -> np.ndarray:
        """Open ``x`` to both parties: integers, or floats when ``x`` is fixed-point."""
        if not isinstance(x, GarbledInt):
            raise TypeError(f"reveal() opens a GarbledInt of this engine, got a {type(x).__name__} object")
        if x.engine is not self:
            raise ValueError(f"this GarbledInt lives on another engine ({x.engine.party}, a different session): "
                             "its keys mean nothing here; reveal it with the engine that made it")
        return x.decode(self._reveal(x.wires))

    def stats(self) -> dict:
        return {"and_gates": self.and_gates, "and_layers": self.and_layers, "xor_gates": self.xor_gates,
                "table_bytes": self.table_bytes}

    # --- party-specific ----------------------------------------------------------------------------
    def _agree(self, owner: str, declared: tuple[int, ...]) -> None:
        """Make both parties agree on an input's public (width, frac, signed, *shape); nothing to do in one
        process (``TwoPartyEngine`` checks it over the channel)."""

    def _input(self, owner: str, bits: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def _reveal(self, wires: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _wires(self, a: np.ndarray) -> int:
        return a.size // max(1, math.prod(self.trailer))

    def _check(self, a: np.ndarray) -> None:
        if not isinstance(a, np.ndarray) or a.shape[a.ndim - len(self.trailer):] != self.trailer \
                or a.dtype != (np.uint8 if not self.trailer else U64):
            raise ValueError(f"{type(self).__name__} wires have trailing shape {self.trailer}; got "
                             f"{getattr(a, 'shape', type(a))}: mixing values from different engines?")

    def _flatten(self, a: np.ndarray, b: np.ndarray) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
        self._check(a)
        self._check(b)
        flat = (-1, *self.trailer)
        if a.shape == b.shape:
            return a.shape, a.reshape(flat), b.reshape(flat)
        shape = np.broadcast_shapes(a.shape, b.shape)
        return shape, np.broadcast_to(a, shape).reshape(flat), np.broadcast_to(b, shape).reshape(flat)


class PlainEngine(Engine):
    """Plaintext bits: the reference semantics of every circuit and its exact AND-gate count. Not secure."""

    party = "plain"

    def and_(self, a, b):
        out = np.bitwise_and(a, b)
        self.and_gates += out.size
        self.and_layers += 1
        return out

    def not_(self, a):
        return a ^ np.uint8(1)

    def const(self, bits):
        return np.asarray(bits, dtype=np.uint8)

    def _input(self, owner, bits, shape):
        return bits

    def _reveal(self, wires):
        return wires


class TwoPartyEngine(Engine):
    """One party of a two-party run over ``channel``: the garbler or the evaluator."""

    trailer = (2,)
    channel: Channel

    def _agree(self, owner, declared):
        """The owner of an input sends its public format (width, frac, signed, *shape) in the same flight as
        the input's first message; the other party compares it with its own declaration, so two programs that
        declare an input differently fail with this error instead of misreading each other's labels."""
        if owner == self.party:
            self.channel.send(np.array([len(declared), *declared], dtype=np.int64))
            return
        n = int(self.channel.recv_into(np.empty(1, dtype=np.int64))[0])
        if not 3 <= n <= 3 + _MAX_DIMS:
            raise ValueError(f"malformed input header from the {owner} ({n} words): the two parties' programs "
                             "are out of step (did both run the same program?)")
        theirs = tuple(self.channel.recv_into(np.empty(n, dtype=np.int64)).tolist())
        if theirs != declared:
            raise ValueError(f"the {owner}'s input is {_describe(theirs)} but the {self.party} declared "
                             f"{_describe(declared)}: both parties must pass the same width=, frac=, signed= "
                             "and shape")

    def stats(self):
        return {**super().stats(), **self.channel.traffic.as_dict()}


class GarblerEngine(TwoPartyEngine):
    """The garbler of a two-party run: makes the keys, streams the garbled tables over ``channel``."""

    party = "garbler"

    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self.channel = channel
        self.core = GarblerCore()
        self._zero = self.core.zero_labels(1)[0]  # 0-key of the public constant wire
        channel.send(self._zero)  # its value is 0, so this is the key the evaluator holds
        self._table = np.empty(TABLE_WORDS * CHUNK, dtype=U64)
        self._ot: OTExtensionSender | None = None

    def and_(self, a, b):
        shape, a, b = self._flatten(a, b)
        out = np.empty_like(a)
        for s in range(0, len(a), CHUNK):
            e = min(len(a), s + CHUNK)
            table = self._table[:TABLE_WORDS * (e - s)].reshape(2, e - s, 2)
            self.core.garble_and(a[s:e], b[s:e], out[s:e], table)
            self.channel.send(table)
        self.and_gates += len(a)
        self.and_layers += 1
        self.table_bytes += TABLE_BYTES * len(a)
        return out.reshape(shape)

    def not_(self, a):
        return _xor_delta(a, self.core.delta)

    def const(self, bits):
        bits = np.asarray(bits, dtype=U64)
        return (self._zero ^ (bits[..., None] * self.core.delta)).astype(U64)

    def _input(self, owner, bits, shape):
        zero = self.core.zero_labels(math.prod(shape))
        if owner == "garbler":
            self.channel.send(zero ^ (bits.reshape(-1, 1).astype(U64) * self.core.delta))
        else:
            if self._ot is None:
                self._ot = OTExtensionSender(self.channel)
            self._ot.send(zero, zero ^ self.core.delta)
        return zero.reshape(*shape, 2)

    def _reveal(self, wires):
        colour = (wires[..., 0] & U64(1)).astype(np.uint8)
        self.channel.send(np.packbits(colour))
        raw = self.channel.recv_into(np.empty(-(-colour.size // 8), dtype=np.uint8))
        return np.unpackbits(raw, count=colour.size).reshape(colour.shape)


class EvaluatorEngine(TwoPartyEngine):
    """The evaluator of a two-party run: receives tables as they stream in and evaluates them."""

    party = "evaluator"

    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self.channel = channel
        self.core = EvaluatorCore()
        self._zero = channel.recv_into(np.empty(2, dtype=U64))
        self._table = np.empty(TABLE_WORDS * CHUNK, dtype=U64)
        self._ot: OTExtensionReceiver | None = None

    def and_(self, a, b):
        shape, a, b = self._flatten(a, b)
        out = np.empty_like(a)
        for s in range(0, len(a), CHUNK):
            e = min(len(a), s + CHUNK)
            table = self.channel.recv_into(self._table[:TABLE_WORDS * (e - s)].reshape(2, e - s, 2))
            self.core.evaluate_and(a[s:e], b[s:e], out[s:e], table)
        self.and_gates += len(a)
        self.and_layers += 1
        self.table_bytes += TABLE_BYTES * len(a)
        return out.reshape(shape)

    def not_(self, a):
        return a  # the garbler swapped the meaning of the two keys; the evaluator's key stays

    def const(self, bits):
        return np.broadcast_to(self._zero, (*np.shape(bits), 2))

    def _input(self, owner, bits, shape):
        n = math.prod(shape)
        if owner == "garbler":
            return self.channel.recv_into(np.empty((*shape, 2), dtype=U64))
        if self._ot is None:
            self._ot = OTExtensionReceiver(self.channel)
        return self._ot.receive(bits.reshape(n)).reshape(*shape, 2)

    def _reveal(self, wires):
        colour = (wires[..., 0] & U64(1)).astype(np.uint8)
        raw = self.channel.recv_into(np.empty(-(-colour.size // 8), dtype=np.uint8))
        bits = colour ^ np.unpackbits(raw, count=colour.size).reshape(colour.shape)
        self.channel.send(np.packbits(bits))
        return bits


class LocalEngine(Engine):
    """Both parties in one process (for notebooks and the one-process benchmark).

    The garbler's code and the evaluator's code both run — each AND chunk is garbled, then evaluated from
    the table alone — but the table and the garbler's input keys are handed over in memory instead of a
    socket (their bytes are counted as if sent). Evaluator inputs go through real OT (base OT + IKNP)
    between two threads over a socketpair. ``reveal`` also checks that every key the evaluator holds is one
    of the wire's two keys, so a corrupted table or label is caught.
    """

    party = "local"
    trailer = (2, 2)

    def __init__(self) -> None:
        super().__init__()
        self.garbler = GarblerCore()
        self.evaluator = EvaluatorCore()
        self._zero = self.garbler.zero_labels(1)[0]
        self._table = np.empty(TABLE_WORDS * CHUNK, dtype=U64)
        self._ot: InProcessOTExtension | None = None
        self.label_bytes = LABEL_BYTES
        self.reveal_bytes = 0

    def and_(self, a, b):
        shape, a, b = self._flatten(a, b)
        out = np.empty(a.shape, dtype=U64)
        for s in range(0, len(a), CHUNK):  # the kernels read and write each party's labels in place
            e = min(len(a), s + CHUNK)
            table = self._table[:TABLE_WORDS * (e - s)].reshape(2, e - s, 2)
            self.garbler.garble_and(a[s:e, 0], b[s:e, 0], out[s:e, 0], table)
            self.evaluator.evaluate_and(a[s:e, 1], b[s:e, 1], out[s:e, 1], table)
        return self._count(shape, out)

    def _count(self, shape, out):
        self.and_gates += len(out)
        self.and_layers += 1
        self.table_bytes += TABLE_BYTES * len(out)
        return out.reshape(shape)

    def not_(self, a):
        out = np.array(a, dtype=U64)  # the garbler swaps its two keys (0-key ⊕ R); the evaluator's key stays
        out[..., 0, 0] ^= self.garbler.delta[0]
        out[..., 0, 1] ^= self.garbler.delta[1]
        return out

    def const(self, bits):
        bits = np.asarray(bits, dtype=U64)
        out = np.empty((*bits.shape, 2, 2), dtype=U64)
        out[..., 0, :] = self._zero ^ (bits[..., None] * self.garbler.delta)
        out[..., 1, :] = self._zero
        return out

    def _input(self, owner, bits, shape):
        zero = self.garbler.zero_labels(math.prod(shape))
        one = zero ^ self.garbler.delta
        if owner == "garbler":
            held = np.where(bits.reshape(-1, 1).astype(bool), one, zero)
            self.label_bytes += held.nbytes
        else:
            held = self._oblivious_transfer(zero, one, bits.reshape(-1))
        return np.stack([zero, held], axis=1).reshape(*shape, 2, 2)

    def _oblivious_transfer(self, zero, one, bits):
        if self._ot is None:
            self._ot = InProcessOTExtension()
        return self._ot.transfer(zero, one, bits)

    def _reveal(self, wires):
        g, e = wires[..., 0, :], wires[..., 1, :]
        valid = np.all(e == g, axis=-1) | np.all(e == (g ^ self.garbler.delta), axis=-1)
        if not np.all(valid):
            raise ValueError(f"{np.size(valid) - np.count_nonzero(valid)} evaluator key(s) match neither key of "
                             "their wire: a garbled table or an input label was corrupted or mismatched")
        self.reveal_bytes += 2 * -(-valid.size // 8)
        return ((g[..., 0] ^ e[..., 0]) & U64(1)).astype(np.uint8)

    def stats(self):
        ot = self._ot.bytes_sent if self._ot else 0
        return {**super().stats(), "label_bytes": self.label_bytes, "ot_bytes": ot,
                "reveal_bytes": self.reveal_bytes,
                "bytes_total": self.table_bytes + self.label_bytes + ot + self.reveal_bytes}


def _describe(declared: tuple[int, ...]) -> str:
    width, frac, signed, *shape = declared
    return f"(width={width}, frac={frac}, signed={bool(signed)}, shape={tuple(shape)})"


def _check_shape(shape: object) -> tuple[int, ...]:
    """``shape`` as a tuple of non-negative ints (an int n is the shape (n,))."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    if not isinstance(dims, (tuple, list)) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0 for n in dims):
        raise ValueError(f"shape= must be a tuple of non-negative integers, got {shape!r}")
    return tuple(int(n) for n in dims)


def _xor_delta(a: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """a ⊕ R for label arrays (..., 2), word by word (broadcasting a (2,) array over rows is slow in numpy)."""
    out = np.array(a, dtype=U64)
    out[..., 0] ^= delta[0]
    out[..., 1] ^= delta[1]
    return out
