"""Yao's garbled gate as the lecture tells it, and the first two optimisations on the way to half-gates.

The lecture's story (Yao, FOCS 1986; the formal version is Lindell & Pinkas, *A Proof of Security of Yao's
Protocol for Two-Party Computation*, J. Cryptology 2009, Sec. 3.1): Alice draws a random key for each value
of each wire, locks each case's output key with the pair of input keys of that case — a double encryption
E_{k_a}(E_{k_b}(k_out ‖ 0^κ)), the κ zero bits being the redundancy that tells a right pair of keys from a
wrong one (L&P's "verifiable range") — and shuffles the four cases. Bob, holding one key per input wire,
tries every case; exactly one opens.

- ``garble_gate`` / ``open_gate``: that textbook gate, four 32-byte rows, trial decryption.
- ``garble_permuted`` / ``open_permuted``: point-and-permute (Beaver, Micali, Rogaway, STOC 1990): the last
  bit of a key is a random *colour*, the rows are sorted by the colours of their keys, so Bob opens exactly
  the row his colours point to — no redundancy, no trial decryption, 16-byte rows. ``row_reduction=True``
  adds garbled row reduction GRR3 (Naor, Pinkas, Sumner, EC 1999, Sec. 4.1): the first row's output key is
  *defined* as its pad, so that row is all zeros and is not sent: three rows.

The lock is the fixed-key-AES hash H(K, t) = π(σ(K) ⊕ t) ⊕ σ(K) ⊕ t of ``crypto/aes.py`` (Guo, Katz, Wang,
Yu, IEEE S&P 2020), used as a PRF keyed by K: a row at position i is masked with H(k_a, t) ⊕ H(k_b, t') for
tweaks t ≠ t' unique to (gate, position, block), so a key used in two rows never reuses a pad. Keys come from
``secrets``. Half-gates (two rows, free XOR) are ``halfgates.py``, which the engine uses.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..aes import LABEL_BYTES, U64, FixedKeyHash

#: A textbook row: the output key followed by LABEL_BYTES zero bytes (the redundancy check).
TEXTBOOK_ROW_BYTES = 2 * LABEL_BYTES
#: Gate ids must keep every tweak below 2^63 (the upper half of the tweak space is the OT hash's).
MAX_GATE_ID = (1 << 55) - 1


class Lock:
    """Row pads from the tweakable hash, counted: ``calls`` is the number of row pads computed (one pad of a
    row = one H call per key and 16-byte block)."""

    def __init__(self) -> None:
        self._hash = FixedKeyHash()
        self.calls = 0

    def pad(self, alice_key: bytes, bob_key: bytes, gate_id: int, position: int, blocks: int) -> bytes:
        """H(k_a, t_j) ⊕ H(k_b, t_j + 1) for blocks j = 0..blocks-1, t_j = 2·(64·gate_id + 8·position + j)."""
        self.calls += 1
        keys = np.frombuffer(alice_key + bob_key, dtype=U64).reshape(2, 2)
        first = 2 * (64 * gate_id + 8 * position + np.arange(blocks, dtype=np.int64))
        tweaks = np.concatenate([first, first + 1]).astype(U64)
        hashed = self._hash(np.repeat(keys, blocks, axis=0), tweaks).reshape(2, blocks * 2)
        return (hashed[0] ^ hashed[1]).tobytes()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _check_table(table: Sequence[Sequence[int]]) -> tuple[tuple[int, int], tuple[int, int]]:
    """A 2x2 truth table ``table[a][b]`` of bits, as tuples; a clear error otherwise."""
    if isinstance(table, np.ndarray):
        table = table.tolist()
    if not isinstance(table, Sequence) or len(table) != 2 or any(
            not isinstance(row, (Sequence, np.ndarray)) or len(row) != 2 for row in table):
        raise ValueError(f"table must be 2x2, table[a][b] = output for Alice's bit a and Bob's bit b, "
                         f"e.g. AND = [[0, 0], [0, 1]]; got {table!r}")
    bits = [[row[0], row[1]] for row in table]
    if any(isinstance(v, (Sequence, np.ndarray)) or v not in (0, 1) for row in bits for v in row):
        raise ValueError(f"table entries must be output bits 0 or 1, got {table!r}")
    return (int(bits[0][0]), int(bits[0][1])), (int(bits[1][0]), int(bits[1][1]))


def _check_gate_id(gate_id: int) -> int:
    if isinstance(gate_id, bool) or int(gate_id) != gate_id or not 0 <= gate_id <= MAX_GATE_ID:
        raise ValueError(f"gate_id must be an integer in [0, 2^55 - 1] (one per gate of a circuit), got {gate_id!r}")
    return int(gate_id)


def _check_key(key: bytes, whose: str) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) != LABEL_BYTES:
        raise ValueError(f"{whose} must be a {LABEL_BYTES}-byte key (one of the gate's keys), got {key!r:.60}")
    return bytes(key)


def _shuffled_positions() -> list[int]:
    """A uniformly random permutation of the four cases (Fisher-Yates with ``secrets``)."""
    order = [0, 1, 2, 3]
    for i in range(3, 0, -1):
        j = secrets.randbelow(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


@dataclass(frozen=True)
class TextbookGate:
    """Alice's garbled gate. ``rows`` (what Bob receives) are the four locked cases in shuffled order;
    ``alice_keys[a]``, ``bob_keys[b]`` and ``output_keys[v]`` are the keys meaning bit a, b and v (Alice's
    secrets: she sends Bob ``alice_keys[her bit]`` and offers ``bob_keys`` by oblivious transfer);
    ``positions[2a + b]`` is where case (a, b) landed in the shuffle (Alice's secret too)."""

    rows: tuple[bytes, bytes, bytes, bytes]
    alice_keys: tuple[bytes, bytes]
    bob_keys: tuple[bytes, bytes]
    output_keys: tuple[bytes, bytes]
    table: tuple[tuple[int, int], tuple[int, int]]
    positions: tuple[int, int, int, int]
    gate_id: int = 0


def garble_gate(table: Sequence[Sequence[int]], gate_id: int = 0, lock: Lock | None = None) -> TextbookGate:
    """Yao's textbook garbling of a 2x2 gate (Lindell & Pinkas 2009, Sec. 3.1): fresh 128-bit keys from
    ``secrets``; case (a, b) becomes the row (k_out[table[a][b]] ‖ 0^128) ⊕ H(k_a, t) ⊕ H(k_b, t'), and the
    four rows are shuffled. The tweaks depend on the row's shuffled position, which Bob sees."""
    table = _check_table(table)
    gate_id = _check_gate_id(gate_id)
    lock = Lock() if lock is None else lock
    alice_keys, bob_keys, output_keys = ((secrets.token_bytes(LABEL_BYTES), secrets.token_bytes(LABEL_BYTES))
                                         for _ in range(3))
    cases = [(a, b) for a in (0, 1) for b in (0, 1)]
    positions = _shuffled_positions()
    rows: list[bytes] = [b""] * 4
    for position, (a, b) in zip(positions, cases):
        plaintext = output_keys[table[a][b]] + bytes(LABEL_BYTES)
        rows[position] = _xor(plaintext, lock.pad(alice_keys[a], bob_keys[b], gate_id, position, 2))
    return TextbookGate(tuple(rows), alice_keys, bob_keys, output_keys, table, tuple(positions), gate_id)


def open_gate(gate: TextbookGate, alice_key: bytes, bob_key: bytes, lock: Lock | None = None
              ) -> tuple[int, bytes | None]:
    """Bob's trial decryption: unlock every row with his two keys and keep those whose last 16 bytes are the
    zero redundancy. Returns (how many rows opened, the output key of the one that did, or None if none did).
    With right keys exactly one row opens; a wrong key opens a row only with probability 2^-128."""
    alice_key, bob_key = _check_key(alice_key, "alice_key"), _check_key(bob_key, "bob_key")
    if len(gate.rows) != 4 or any(len(row) != TEXTBOOK_ROW_BYTES for row in gate.rows):
        raise ValueError(f"a textbook gate has 4 rows of {TEXTBOOK_ROW_BYTES} bytes; this one has "
                         f"{[len(r) for r in gate.rows]}")
    lock = Lock() if lock is None else lock
    opened = []
    for position, row in enumerate(gate.rows):
        plaintext = _xor(row, lock.pad(alice_key, bob_key, gate.gate_id, position, 2))
        if plaintext[LABEL_BYTES:] == bytes(LABEL_BYTES):
            opened.append(plaintext[:LABEL_BYTES])
    return len(opened), (opened[0] if len(opened) == 1 else None)


def colour(key: bytes) -> int:
    """The point-and-permute colour of a key: its last bit."""
    return key[-1] & 1


def _coloured_pair() -> tuple[bytes, bytes]:
    """Two fresh keys with opposite colours, the colour of the 0-key uniformly random."""
    zero = bytearray(secrets.token_bytes(LABEL_BYTES))
    one = bytearray(secrets.token_bytes(LABEL_BYTES))
    one[-1] = (one[-1] & 0xFE) | (1 - colour(bytes(zero)))
    return bytes(zero), bytes(one)


@dataclass(frozen=True)
class PermutedGate:
    """A point-and-permute gate: ``rows[p]`` belongs to the keys of colours (p // 2, p % 2) — with row
    reduction the row of colours (0, 0) is not sent, and ``rows`` holds positions 1..3."""

    rows: tuple[bytes, ...]
    alice_keys: tuple[bytes, bytes]
    bob_keys: tuple[bytes, bytes]
    output_keys: tuple[bytes, bytes]
    table: tuple[tuple[int, int], tuple[int, int]]
    row_reduction: bool
    gate_id: int = 0


def garble_permuted(table: Sequence[Sequence[int]], row_reduction: bool = False, gate_id: int = 0,
                    lock: Lock | None = None) -> PermutedGate:
    """Point-and-permute garbling (Beaver, Micali, Rogaway 1990): row 2·colour(k_a) + colour(k_b) is
    k_out ⊕ H(k_a, t) ⊕ H(k_b, t'), 16 bytes. ``row_reduction``: GRR3 (Naor, Pinkas, Sumner 1999, Sec. 4.1),
    the output key of the colour-(0, 0) case is its pad itself, so that row is zero and dropped; the other
    output key gets the opposite colour."""
    table = _check_table(table)
    gate_id = _check_gate_id(gate_id)
    lock = Lock() if lock is None else lock
    alice_keys, bob_keys = _coloured_pair(), _coloured_pair()
    value_at = {2 * colour(alice_keys[a]) + colour(bob_keys[b]): (a, b) for a in (0, 1) for b in (0, 1)}
    pads = {p: lock.pad(alice_keys[a], bob_keys[b], gate_id, p, 1) for p, (a, b) in sorted(value_at.items())}
    if row_reduction:
        first = table[value_at[0][0]][value_at[0][1]]
        keys = [b"", b""]
        keys[first] = pads[0]
        other = bytearray(secrets.token_bytes(LABEL_BYTES))
        other[-1] = (other[-1] & 0xFE) | (1 - colour(pads[0]))
        keys[1 - first] = bytes(other)
        output_keys = (keys[0], keys[1])
    else:
        output_keys = _coloured_pair()
    rows = tuple(_xor(output_keys[table[a][b]], pads[p]) for p, (a, b) in sorted(value_at.items()))
    return PermutedGate(rows[1:] if row_reduction else rows, alice_keys, bob_keys, output_keys, table,
                        row_reduction, gate_id)


def open_permuted(gate: PermutedGate, alice_key: bytes, bob_key: bytes, lock: Lock | None = None) -> bytes:
    """Bob's evaluation with point-and-permute: the colours of his keys point to one row; one pad, no trial
    decryption. (There is no redundancy: a wrong key yields a random-looking key, caught only at decoding.)"""
    alice_key, bob_key = _check_key(alice_key, "alice_key"), _check_key(bob_key, "bob_key")
    expected = 3 if gate.row_reduction else 4
    if len(gate.rows) != expected or any(len(row) != LABEL_BYTES for row in gate.rows):
        raise ValueError(f"this gate should have {expected} rows of {LABEL_BYTES} bytes; it has "
                         f"{[len(r) for r in gate.rows]}")
    lock = Lock() if lock is None else lock
    position = 2 * colour(alice_key) + colour(bob_key)
    pad = lock.pad(alice_key, bob_key, gate.gate_id, position, 1)
    if gate.row_reduction:
        return pad if position == 0 else _xor(gate.rows[position - 1], pad)
    return _xor(gate.rows[position], pad)


#: The four gates of the tests and the chapter, as table[a][b].
GATES = {"AND": [[0, 0], [0, 1]], "OR": [[0, 1], [1, 1]], "XOR": [[0, 1], [1, 0]], "NAND": [[1, 1], [1, 0]]}
