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
runs on a whole chunk of gates at once: one numpy call per step, one AES-ECB call for all hashes of the chunk,
into buffers reused from chunk to chunk; colour bits become 128-bit masks (x & mask = bit·x) by table lookup.
Label arrays have shape (n, 2) uint64; the kernels touch inputs and outputs only by word columns, so any row
stride works (the one-process engine hands its labels over in place, both parties' side by side).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..aes import PERMUTE_MAX_BLOCKS, U64, AesPrg, fixed_key_aes, sigma_into

#: Gates per kernel call: big enough to amortize numpy's per-call cost (~25 µs per kernel call), small enough
#: for the cache; 16384 = one AND layer of a 512-lane block (values.LANE_BLOCK) was fastest here (bench gc).
CHUNK = 16384
TABLE_WORDS = 4  # two 128-bit rows per AND gate
_TWEAK_STEP = np.stack([2 * np.arange(CHUNK, dtype=U64), 2 * np.arange(CHUNK, dtype=U64) + U64(1)])
_ONE = U64(1)
#: A colour bit → a 128-bit mask (one complex128 scalar per 16-byte label, picked with np.take).
_MASKS = np.array([[0, 0], [2**64 - 1, 2**64 - 1]], dtype=U64).view(np.complex128)[:, 0]


def _as_scalars(labels: np.ndarray) -> np.ndarray:
    """An (n, 2) label array (any row stride) viewed as n complex128 scalars, one per 16-byte label, so that
    numpy moves each label in one step."""
    return labels.view(np.complex128)[:, 0]


def _store(labels: np.ndarray, out: np.ndarray) -> None:
    """Copy contiguous labels into ``out`` of any row stride (one 16-byte move per label)."""
    np.copyto(_as_scalars(out), _as_scalars(labels))


class _Scratch:
    """Per-chunk working memory of a kernel, reused so that no chunk allocates, and its views for a chunk of n
    gates, made once per n (building numpy views costs about as much as the arithmetic on a small chunk)."""

    def __init__(self, blocks_per_gate: int, labels: int, tile: np.ndarray | None = None) -> None:
        if blocks_per_gate * CHUNK > PERMUTE_MAX_BLOCKS:
            raise ValueError(f"CHUNK={CHUNK} gates need {blocks_per_gate * CHUNK} AES blocks per call, more than "
                             f"the {PERMUTE_MAX_BLOCKS} fixed_key_aes allows: lower CHUNK")
        self._aes = fixed_key_aes()
        self._blocks_per_gate = blocks_per_gate
        self._keys = np.empty((blocks_per_gate * CHUNK, 2), dtype=U64)
        self._out = np.empty((blocks_per_gate * CHUNK + 1, 2), dtype=U64)  # update_into: room for one more
        self._out_bytes = self._out.view(np.uint8).reshape(-1)
        self._tweaks = np.empty((2, CHUNK), dtype=U64)
        self._colours = np.empty((2, CHUNK), dtype=U64)
        self._labels = np.empty((labels, CHUNK, 2), dtype=U64)
        self._gathered = np.empty((CHUNK, 2), dtype=U64)
        self._tile = tile  # a constant label repeated 2·CHUNK times (the garbler's σ(R)), or None
        self._views: dict[int, SimpleNamespace] = {}

    def views(self, n: int) -> SimpleNamespace:
        """The buffers cut to n gates: keys/perm (blocks, n, 2), tweak and colour rows, labels, gathered A."""
        v = self._views.get(n)
        if v is None:
            if len(self._views) > 8:  # chunk sizes repeat; keep the cache small anyway
                self._views.clear()
            blocks = self._blocks_per_gate * n
            keys, perm = self._keys[:blocks].reshape(-1, n, 2), self._out[:blocks].reshape(-1, n, 2)
            labels, gathered = self._labels[:, :n], self._gathered[:n]
            v = self._views[n] = SimpleNamespace(
                keys=keys, key_rows=tuple(keys), keys_bytes=self._keys[:blocks].view(np.uint8).reshape(-1),
                perm=perm, perm_rows=tuple(perm), step=_TWEAK_STEP[:, :n], tweaks=self._tweaks[:, :n],
                tweak_rows=tuple(self._tweaks[:, :n]), colour_rows=tuple(self._colours[:, :n]),
                indices=tuple(self._colours[:, :n].view(np.int64)), labels=tuple(labels),
                scalars=tuple(_as_scalars(x) for x in labels), gathered=gathered,
                gathered_scalars=_as_scalars(gathered), gathered_words=(gathered[:, 0], gathered[:, 1]),
                tile=None if self._tile is None else self._tile[:n],
                tile2=None if self._tile is None else self._tile[:2 * n].reshape(2, n, 2))
        return v

    def prepare(self, v: SimpleNamespace, gate: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Gather A into a contiguous copy (one 16-byte move per label, cheaper than strided word-by-word
        arithmetic) and write the hash inputs K(A) = σ(A) ⊕ j, K(B) = σ(B) ⊕ j' with tweaks j = 2g, j' = 2g+1
        for gates g = gate, ..., gate+n-1 into the first two key rows, and the colour bits lsb(A), lsb(B) as
        0/1 indices into the colour rows. Returns the gathered A."""
        np.add(v.step, U64(2 * gate), out=v.tweaks)
        np.copyto(v.gathered_scalars, _as_scalars(a))
        a_lo, a_hi = v.gathered_words
        b_lo = b[:, 0]
        sigma_into(a_lo, a_hi, v.key_rows[0], v.tweak_rows[0])
        sigma_into(b_lo, b[:, 1], v.key_rows[1], v.tweak_rows[1])
        np.bitwise_and(a_lo, _ONE, out=v.colour_rows[0])
        np.bitwise_and(b_lo, _ONE, out=v.colour_rows[1])
        return v.gathered

    def permute(self, v: SimpleNamespace) -> np.ndarray:
        """π(K) = AES-128(FIXED_KEY, K) of all hash inputs K = σ(x) ⊕ j of the chunk, in one AES call.
        The tweakable hash of ``aes.FixedKeyHash`` is H(x, j) = π(K) ⊕ K (Guo, Katz, Wang, Yu, IEEE S&P
        2020); the kernels keep π(K) and K apart so that sums of hashes fold the K terms into constants."""
        self._aes.update_into(v.keys_bytes, self._out_bytes)
        return v.perm


def _masks(indices: np.ndarray, out_scalars: np.ndarray) -> None:
    """Colour bits → 128-bit masks, all ones where the bit is 1 (so x & mask = bit·x)."""
    np.take(_MASKS, indices, out=out_scalars, mode="clip")


class GarblerCore:
    """The garbler's secret state — R and a label PRG seeded from ``secrets`` — and its AND kernel."""

    def __init__(self) -> None:
        self.prg = AesPrg()
        delta = self.prg.labels(1)[0]
        delta[0] |= _ONE  # point-and-permute: lsb(R) = 1
        self.delta = delta
        sigma_delta = np.array([delta[1], delta[0] ^ delta[1]], dtype=U64)  # σ(R)
        self._offsets = _as_scalars(np.array([sigma_delta, sigma_delta ^ delta]))  # σ(R) ⊕ p_b·R by p_b
        self._s = _Scratch(4, 4, tile=np.tile(sigma_delta, (2 * CHUNK, 1)))
        self.gates = 0

    def zero_labels(self, n: int) -> np.ndarray:
        """Fresh 0-keys for ``n`` wires (the 1-key of each is the 0-key ⊕ R)."""
        return self.prg.labels(n)

    def garble_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Garble n ≤ CHUNK AND gates: 0-keys ``a``, ``b`` (n, 2) in; 0-keys into ``c``, rows into ``table``.

        With K = σ(x) ⊕ j and P = π(K), so H = P ⊕ K, and K(x⊕R) = K(x) ⊕ σ(R) (σ is linear):
        H(X⁰) ⊕ H(X¹) = P(X⁰) ⊕ P(X¹) ⊕ σ(R), and C⁰ = W_G⁰ ⊕ W_E⁰ = H(A⁰) ⊕ H(B⁰) ⊕ p_a·T_G ⊕ p_b·(T_E ⊕ A⁰).
        ``a``, ``b``, ``c`` may have any row stride (they are read by word column or as 16-byte scalars)."""
        n, s = len(a), self._s
        v = s.views(n)  # keys and P rows: A⁰, B⁰, A¹, B¹
        a = s.prepare(v, self.gates, a, b)
        self.gates += n
        k = v.keys
        np.bitwise_xor(k[:2], v.tile2, out=k[2:])
        p = s.permute(v)
        m_a, m_b, u, w = v.labels
        _masks(v.indices[0], v.scalars[0])
        _masks(v.indices[1], v.scalars[1])
        np.take(self._offsets, v.indices[1], out=v.scalars[2], mode="clip")  # σ(R) ⊕ p_b·R
        t_g, t_e = table
        np.bitwise_xor(p[:2], p[2:], out=table)
        np.bitwise_xor(t_g, u, out=t_g)  # T_G = H(A⁰) ⊕ H(A¹) ⊕ p_b·R
        np.bitwise_xor(t_e, v.tile, out=t_e)  # H(B⁰) ⊕ H(B¹)
        np.bitwise_and(t_e, m_b, out=u)  # p_b·(T_E ⊕ A⁰)
        np.bitwise_xor(t_e, a, out=t_e)  # T_E = H(B⁰) ⊕ H(B¹) ⊕ A⁰
        np.bitwise_and(t_g, m_a, out=w)  # p_a·T_G
        h = v.perm_rows[0]
        np.bitwise_xor(p[:2], k[:2], out=p[:2])  # H(A⁰), H(B⁰)
        np.bitwise_xor(h, v.perm_rows[1], out=h)
        np.bitwise_xor(u, w, out=u)
        _store(np.bitwise_xor(h, u, out=h), c)  # C⁰


class EvaluatorCore:
    """The evaluator's AND kernel: it sees one key per wire and two table rows per gate."""

    def __init__(self) -> None:
        self._s = _Scratch(2, 3)
        self.gates = 0

    def evaluate_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Evaluate n ≤ CHUNK AND gates on held keys ``a``, ``b`` with rows ``table``; output keys into ``c``:
        C = W_G ⊕ W_E = H(A) ⊕ H(B) ⊕ s_a·T_G ⊕ s_b·(T_E ⊕ A). Any row stride for ``a``, ``b``, ``c``."""
        n, s = len(a), self._s
        v = s.views(n)
        a = s.prepare(v, self.gates, a, b)
        self.gates += n
        p = s.permute(v)
        np.bitwise_xor(p, v.keys, out=p)  # H(A), H(B)
        h = v.perm_rows[0]
        np.bitwise_xor(h, v.perm_rows[1], out=h)
        m, u, w = v.labels
        t_g, t_e = table
        np.bitwise_xor(t_e, a, out=u)  # T_E ⊕ A
        _masks(v.indices[1], v.scalars[0])
        np.bitwise_and(u, m, out=u)  # s_b·(T_E ⊕ A)
        _masks(v.indices[0], v.scalars[0])
        np.bitwise_and(t_g, m, out=w)  # s_a·T_G
        np.bitwise_xor(u, w, out=u)
        _store(np.bitwise_xor(h, u, out=h), c)  # C
