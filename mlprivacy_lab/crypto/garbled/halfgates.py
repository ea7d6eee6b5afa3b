"""Half-gates garbling (Zahur, Rosulek, Evans, *Two Halves Make a Whole*, EUROCRYPT 2015, Fig. 2), vectorized.

Free-XOR (Kolesnikov–Schneider, ICALP 2008): every wire w has keys W⁰ and W¹ = W⁰ ⊕ R for one global secret
R, so XOR gates cost nothing. Point-and-permute (Beaver–Micali–Rogaway 1990): lsb(R) = 1, so the colour bit
lsb(W) of the key the evaluator holds tells it which row to use, independent of the value. Half-gates: an AND
gate a∧b = (a∧r) ⊕ (a∧(r⊕b)) with r = lsb(B⁰) splits into a garbler half-gate and an evaluator half-gate,
each one ciphertext, so a garbled AND table is two 128-bit rows — 32 bytes — and four hashes to garble,
two to evaluate (eq. numbers of ZRE15 §3):

    garbler:   T_G = H(A⁰,j) ⊕ H(A¹,j) ⊕ p_b·R         W_G⁰ = H(A⁰,j) ⊕ p_a·T_G
               T_E = H(B⁰,j') ⊕ H(B¹,j') ⊕ A⁰          W_E⁰ = H(B⁰,j') ⊕ p_b·(T_E ⊕ A⁰)
               C⁰  = W_G⁰ ⊕ W_E⁰, table (T_G, T_E)
    evaluator: W_G = H(A,j) ⊕ s_a·T_G,  W_E = H(B,j') ⊕ s_b·(T_E ⊕ A),  C = W_G ⊕ W_E

with p = colour of the 0-key, s = colour of the held key, j = 2g and j' = 2g+1 for gate g. Every step below
runs on a whole chunk of gates at once: one numpy call per step, one AES-ECB call for all hashes of the chunk.
Label arrays have shape (n, 2) uint64; the kernels touch inputs and outputs only by word columns, so any row
stride works (the one-process engine keeps both parties' labels side by side).
"""

from __future__ import annotations

import numpy as np

from ..ot.aes import U64, AesPrg, FixedKeyHash, sigma_into

#: Gates per kernel call: big enough to amortize numpy's per-call cost, small enough that a chunk's buffers
#: stay in the core's L2 cache (measured best on this machine; see benchmarks.py).
CHUNK = 4096
TABLE_WORDS = 4  # two 128-bit rows per AND gate
_TWEAK_STEP = 2 * np.arange(CHUNK, dtype=U64)


def _tweaks(gate: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash tweaks j = 2g (A side) and j' = 2g+1 (B side) for gates gate, ..., gate+n-1."""
    tw_a = _TWEAK_STEP[:n] + U64(2 * gate)
    return tw_a, tw_a | U64(1)


def _colour_mask(lo: np.ndarray) -> np.ndarray:
    """All-ones words where the label's colour bit (lsb of the low word) is 1, zeros elsewhere."""
    return np.negative(lo & U64(1))


def _masked_xor(dst: np.ndarray, src: np.ndarray, mask: np.ndarray, tmp: np.ndarray) -> None:
    """dst ^= mask & src, word column by word column (mask is one word per row)."""
    for c in (0, 1):
        np.bitwise_and(src[:, c], mask, out=tmp)
        np.bitwise_xor(dst[:, c], tmp, out=dst[:, c])


class GarblerCore:
    """The garbler's secret state — R and a label PRG seeded from ``secrets`` — and its AND kernel."""

    def __init__(self) -> None:
        self.prg = AesPrg()
        delta = self.prg.labels(1)[0]
        delta[0] |= U64(1)  # point-and-permute: lsb(R) = 1
        self.delta = delta
        self._sigma_delta = np.tile(np.array([delta[1], delta[0] ^ delta[1]], dtype=U64), (CHUNK, 1))
        self.hash = FixedKeyHash()
        self._keys = np.empty((4, CHUNK, 2), dtype=U64)
        self._hashes = np.empty((4, CHUNK, 2), dtype=U64)
        self._d = np.empty((CHUNK, 2), dtype=U64)
        self._tmp = np.empty(CHUNK, dtype=U64)
        self.gates = 0

    def zero_labels(self, n: int) -> np.ndarray:
        """Fresh 0-keys for ``n`` wires (the 1-key of each is the 0-key ⊕ R)."""
        return self.prg.labels(n)

    def garble_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Garble n ≤ CHUNK AND gates: 0-keys ``a``, ``b`` (n, 2) in, 0-keys into ``c``, rows into ``table`` (2, n, 2)."""
        n = len(a)
        keys, h, d, tmp = self._keys[:, :n], self._hashes[:, :n], self._d[:n], self._tmp[:n]
        tw_a, tw_b = _tweaks(self.gates, n)
        self.gates += n
        sigma_into(a[:, 0], a[:, 1], keys[0], tw_a)
        np.bitwise_xor(keys[0], self._sigma_delta[:n], out=keys[1])  # σ is linear: σ(A⁰⊕R) = σ(A⁰) ⊕ σ(R)
        sigma_into(b[:, 0], b[:, 1], keys[2], tw_b)
        np.bitwise_xor(keys[2], self._sigma_delta[:n], out=keys[3])
        self.hash.hash_inplace(keys, h)
        mask_a, mask_b = _colour_mask(a[:, 0]), _colour_mask(b[:, 0])
        t_g, t_e = table[0], table[1]
        np.bitwise_xor(h[0], h[1], out=t_g)
        for w in (0, 1):  # T_G ^= p_b·R
            np.bitwise_and(mask_b, self.delta[w], out=tmp)
            np.bitwise_xor(t_g[:, w], tmp, out=t_g[:, w])
        np.bitwise_xor(h[2], h[3], out=d)
        for w in (0, 1):
            np.bitwise_xor(d[:, w], a[:, w], out=t_e[:, w])  # T_E = H(B⁰) ⊕ H(B¹) ⊕ A⁰
            np.bitwise_xor(h[0][:, w], h[2][:, w], out=c[:, w])  # C⁰ = H(A⁰) ⊕ H(B⁰) ...
        _masked_xor(c, t_g, mask_a, tmp)  # ... ⊕ p_a·T_G
        _masked_xor(c, d, mask_b, tmp)  # ... ⊕ p_b·(T_E ⊕ A⁰)


class EvaluatorCore:
    """The evaluator's AND kernel: it sees one key per wire and two table rows per gate."""

    def __init__(self) -> None:
        self.hash = FixedKeyHash()
        self._keys = np.empty((2, CHUNK, 2), dtype=U64)
        self._hashes = np.empty((2, CHUNK, 2), dtype=U64)
        self._u = np.empty((CHUNK, 2), dtype=U64)
        self._tmp = np.empty(CHUNK, dtype=U64)
        self.gates = 0

    def evaluate_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Evaluate n ≤ CHUNK AND gates on held keys ``a``, ``b`` with rows ``table``; output keys into ``c``."""
        n = len(a)
        keys, h, u, tmp = self._keys[:, :n], self._hashes[:, :n], self._u[:n], self._tmp[:n]
        tw_a, tw_b = _tweaks(self.gates, n)
        self.gates += n
        sigma_into(a[:, 0], a[:, 1], keys[0], tw_a)
        sigma_into(b[:, 0], b[:, 1], keys[1], tw_b)
        self.hash.hash_inplace(keys, h)
        t_g, t_e = table[0], table[1]
        for w in (0, 1):
            np.bitwise_xor(h[0][:, w], h[1][:, w], out=c[:, w])
            np.bitwise_xor(t_e[:, w], a[:, w], out=u[:, w])
        _masked_xor(c, t_g, _colour_mask(a[:, 0]), tmp)
        _masked_xor(c, u, _colour_mask(b[:, 0]), tmp)
