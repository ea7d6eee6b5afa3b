"""Half-gates garbling (Zahur, Rosulek, Evans, *Two Halves Make a Whole*, EUROCRYPT 2015, Fig. 2), vectorized.

Free-XOR (Kolesnikov–Schneider, ICALP 2008): every wire w has keys W⁰ and W¹ = W⁰ ⊕ R for one global secret
R, so XOR gates cost nothing. Point-and-permute (Beaver–Micali–Rogaway 1990): lsb(R) = 1, so the colour bit
lsb(W) of the key the evaluator holds tells it which row to use, independent of the value. Half-gates: an AND
gate a∧b = (a∧r) ⊕ (a∧(r⊕b)) with r = lsb(B⁰) splits into a garbler half-gate and an evaluator half-gate,
each one ciphertext, so a garbled AND table is two 128-bit rows — 32 bytes — and four hashes to garble,
two to evaluate (ZRE15 §3, Fig. 2):

    garbler:   T_G = H(A⁰,j) ⊕ H(A¹,j) ⊕ p_b·R         W_G⁰ = H(A⁰,j) ⊕ p_a·T_G
               T_E = H(B⁰,j') ⊕ H(B¹,j') ⊕ A⁰          W_E⁰ = H(B⁰,j') ⊕ p_b·(T_E ⊕ A⁰)
               C⁰  = W_G⁰ ⊕ W_E⁰, table (T_G, T_E)
    evaluator: W_G = H(A,j) ⊕ s_a·T_G,  W_E = H(B,j') ⊕ s_b·(T_E ⊕ A),  C = W_G ⊕ W_E

with p = colour of the 0-key, s = colour of the held key, j = 2g and j' = 2g+1 for gate g. Every step below
runs on a whole chunk of gates at once: one numpy call per step, one AES-ECB call for all hashes of the chunk.
Label arrays have shape (n, 2) uint64; the kernels touch inputs and outputs only by word columns, so any row
stride works (the one-process engine hands small batches over in place, both parties' labels side by side).
"""

from __future__ import annotations

import sys

import numpy as np

from ..ot.aes import U64, AesPrg, FixedKeyHash, sigma_into

#: Gates per kernel call: big enough to amortize numpy's per-call cost, small enough that a chunk's buffers
#: stay in the core's L2 cache (measured best on this machine; see benchmarks.py).
CHUNK = 8192
TABLE_WORDS = 4  # two 128-bit rows per AND gate
if sys.byteorder != "little":  # _colour reads the low byte of the low word
    raise ImportError("the vectorized garbling kernels assume a little-endian machine")
_TWEAK_STEP = 2 * np.arange(CHUNK, dtype=U64)


def _tweaks(gate: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash tweaks j = 2g (A side) and j' = 2g+1 (B side) for gates gate, ..., gate+n-1."""
    tw_a = _TWEAK_STEP[:n] + U64(2 * gate)
    return tw_a, tw_a | U64(1)


def _colour(x: np.ndarray) -> np.ndarray:
    """The colour bit lsb(W) of each label as a bool array (the low byte of the little-endian low word)."""
    return (x.view(np.uint8)[:, 0] & np.uint8(1)).view(bool)


def _c(x: np.ndarray) -> np.ndarray:
    """A label array (n, 2) viewed as n complex128 scalars, so numpy moves each 16-byte label in one step."""
    return x.view(np.complex128)[:, 0]


def _xor_labels(x: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
    """out = x ⊕ y; word column by word column when rows are not adjacent (numpy is slow on 2-word rows)."""
    if x.flags.c_contiguous and y.flags.c_contiguous and out.flags.c_contiguous:
        np.bitwise_xor(x, y, out=out)
    else:
        for w in (0, 1):
            np.bitwise_xor(x[:, w], y[:, w], out=out[:, w])


class GarblerCore:
    """The garbler's secret state — R and a label PRG seeded from ``secrets`` — and its AND kernel."""

    def __init__(self) -> None:
        self.prg = AesPrg()
        delta = self.prg.labels(1)[0]
        delta[0] |= U64(1)  # point-and-permute: lsb(R) = 1
        self.delta = delta
        self._sigma_delta = np.tile(np.array([delta[1], delta[0] ^ delta[1]], dtype=U64), (CHUNK, 1))
        self._delta = np.tile(delta, (CHUNK, 1))
        self.hash = FixedKeyHash()
        self._keys = np.empty(8 * CHUNK, dtype=U64)
        self._hashes = np.empty(8 * CHUNK, dtype=U64)
        self._x = np.empty((CHUNK, 2), dtype=U64)
        self.gates = 0

    def zero_labels(self, n: int) -> np.ndarray:
        """Fresh 0-keys for ``n`` wires (the 1-key of each is the 0-key ⊕ R)."""
        return self.prg.labels(n)

    def garble_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Garble n ≤ CHUNK AND gates: 0-keys ``a``, ``b`` (n, 2) in; 0-keys into ``c``, rows into ``table``."""
        n = len(a)
        keys, h = self._keys[:8 * n].reshape(4, n, 2), self._hashes[:8 * n].reshape(4, n, 2)
        tw_a, tw_b = _tweaks(self.gates, n)
        self.gates += n
        sigma_into(a[:, 0], a[:, 1], keys[0], tw_a)
        np.bitwise_xor(keys[0], self._sigma_delta[:n], out=keys[1])  # σ is linear: σ(A⁰⊕R) = σ(A⁰) ⊕ σ(R)
        sigma_into(b[:, 0], b[:, 1], keys[2], tw_b)
        np.bitwise_xor(keys[2], self._sigma_delta[:n], out=keys[3])
        self.hash.hash_inplace(keys, h)
        p_a, p_b = _colour(a), _colour(b)
        t_g, t_e, x = table[0], table[1], self._x[:n]
        np.bitwise_xor(h[0], h[1], out=x)
        np.bitwise_xor(x, self._delta[:n], out=t_g)
        np.putmask(_c(t_g), ~p_b, _c(x))  # T_G = H(A⁰) ⊕ H(A¹) ⊕ p_b·R
        np.bitwise_xor(h[0], t_g, out=x)
        np.putmask(_c(h[0]), p_a, _c(x))  # W_G⁰ = H(A⁰) ⊕ p_a·T_G
        np.bitwise_xor(h[2], h[3], out=x)
        _xor_labels(x, a, t_e)  # T_E = H(B⁰) ⊕ H(B¹) ⊕ A⁰
        np.putmask(_c(h[2]), p_b, _c(h[3]))  # W_E⁰ = H(B⁰) ⊕ p_b·(T_E ⊕ A⁰) = H(B^{p_b})
        _xor_labels(h[0], h[2], c)  # C⁰ = W_G⁰ ⊕ W_E⁰


class EvaluatorCore:
    """The evaluator's AND kernel: it sees one key per wire and two table rows per gate."""

    def __init__(self) -> None:
        self.hash = FixedKeyHash()
        self._keys = np.empty(4 * CHUNK, dtype=U64)
        self._hashes = np.empty(4 * CHUNK, dtype=U64)
        self._u = np.empty((CHUNK, 2), dtype=U64)
        self.gates = 0

    def evaluate_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Evaluate n ≤ CHUNK AND gates on held keys ``a``, ``b`` with rows ``table``; output keys into ``c``."""
        n = len(a)
        keys, h = self._keys[:4 * n].reshape(2, n, 2), self._hashes[:4 * n].reshape(2, n, 2)
        tw_a, tw_b = _tweaks(self.gates, n)
        self.gates += n
        sigma_into(a[:, 0], a[:, 1], keys[0], tw_a)
        sigma_into(b[:, 0], b[:, 1], keys[1], tw_b)
        self.hash.hash_inplace(keys, h)
        t_g, t_e, u = table[0], table[1], self._u[:n]
        np.bitwise_xor(h[0], t_g, out=u)
        np.putmask(_c(h[0]), _colour(a), _c(u))  # W_G = H(A) ⊕ s_a·T_G
        _xor_labels(t_e, a, u)
        np.bitwise_xor(u, h[1], out=u)
        np.putmask(_c(h[1]), _colour(b), _c(u))  # W_E = H(B) ⊕ s_b·(T_E ⊕ A)
        _xor_labels(h[0], h[1], c)  # C = W_G ⊕ W_E
