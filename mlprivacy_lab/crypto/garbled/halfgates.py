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

with p = colour of the 0-key, s = colour of the held key, j = 2g and j' = 2g+1 for gate g. A chunk of gates
is three calls: a compiled loop (numba) writes every hash input K = σ(x) ⊕ j of the chunk, one AES call
permutes them all, a second compiled loop combines the results into tables and keys. Three calls per layer,
not the two dozen numpy passes of an array formulation, matter for the latency-bound circuits (few lanes, many
layers); one pass over memory instead of many helps wide ones. Label arrays have shape (n, 2) uint64, any row
stride (the one-process engine hands its labels over in place, both parties' side by side).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..aes import PERMUTE_MAX_BLOCKS, U64, AesPrg, fixed_key_aes

#: Gates per kernel call: big enough to amortize the per-call cost, small enough for the cache; 16384 = one
#: AND layer of a 512-lane block (values.LANE_BLOCK) was fastest here (bench gc).
CHUNK = 16384
TABLE_WORDS = 4  # two 128-bit rows per AND gate
_ONE = U64(1)


def _hash_inputs(labels, count, first_tweak, offset, keys):  # pragma: no cover - compiled
    """keys[k, i] = σ(labels[k][i]) ⊕ (first_tweak + 2i + k) for the A and B rows k = 0, 1 (σ(lo, hi) =
    (hi, lo ⊕ hi), the tweak in the low word); with ``offset`` (σ(R)) also rows 2, 3 = rows 0, 1 ⊕ σ(R):
    K(x ⊕ R) = K(x) ⊕ σ(R), σ being linear."""
    a, b = labels
    for i in range(count):
        j = first_tweak + np.uint64(2 * i)
        k0_lo, k0_hi = a[i, 1] ^ j, a[i, 0] ^ a[i, 1]
        k1_lo, k1_hi = b[i, 1] ^ (j + np.uint64(1)), b[i, 0] ^ b[i, 1]
        keys[0, i, 0], keys[0, i, 1], keys[1, i, 0], keys[1, i, 1] = k0_lo, k0_hi, k1_lo, k1_hi
        if offset.size:
            keys[2, i, 0], keys[2, i, 1] = k0_lo ^ offset[0], k0_hi ^ offset[1]
            keys[3, i, 0], keys[3, i, 1] = k1_lo ^ offset[0], k1_hi ^ offset[1]


def _garble(a, b, keys, perm, delta, offset, c, table):  # pragma: no cover - compiled
    """ZRE15 Fig. 2 garbler from P = π(K): H(X⁰) ⊕ H(X¹) = P(X⁰) ⊕ P(X¹) ⊕ σ(R) and H(X⁰) = P(X⁰) ⊕ K(X⁰);
    p·(T_E ⊕ A⁰) = p·(H(B⁰) ⊕ H(B¹))."""
    for i in range(a.shape[0]):
        p_a, p_b = a[i, 0] & np.uint64(1), b[i, 0] & np.uint64(1)
        for w in range(2):
            t_g = perm[0, i, w] ^ perm[2, i, w] ^ offset[w] ^ (delta[w] * p_b)  # T_G = H(A⁰) ⊕ H(A¹) ⊕ p_b·R
            hb = perm[1, i, w] ^ perm[3, i, w] ^ offset[w]  # H(B⁰) ⊕ H(B¹)
            t_e = hb ^ a[i, w]  # T_E = H(B⁰) ⊕ H(B¹) ⊕ A⁰
            h = perm[0, i, w] ^ keys[0, i, w] ^ perm[1, i, w] ^ keys[1, i, w]  # H(A⁰) ⊕ H(B⁰)
            c[i, w] = h ^ (t_g * p_a) ^ (hb * p_b)  # C⁰ = W_G⁰ ⊕ W_E⁰
            table[0, i, w], table[1, i, w] = t_g, t_e


def _evaluate(a, b, keys, perm, c, table):  # pragma: no cover - compiled
    """ZRE15 Fig. 2 evaluator: C = H(A) ⊕ H(B) ⊕ s_a·T_G ⊕ s_b·(T_E ⊕ A)."""
    for i in range(a.shape[0]):
        s_a, s_b = a[i, 0] & np.uint64(1), b[i, 0] & np.uint64(1)
        for w in range(2):
            h = perm[0, i, w] ^ keys[0, i, w] ^ perm[1, i, w] ^ keys[1, i, w]
            c[i, w] = h ^ (table[0, i, w] * s_a) ^ ((table[1, i, w] ^ a[i, w]) * s_b)


@lru_cache(maxsize=None)
def _compiled(kernel):
    """The kernel compiled by numba (imported on first use, so a process that never garbles — or an evaluator
    still connecting — does not pay for it; compiled code is cached on disk)."""
    import numba
    return numba.njit(cache=True, nogil=True)(kernel)


class _Scratch:
    """Per-chunk working memory of a kernel (hash inputs K and their permutations π(K)), reused so that no
    chunk allocates."""

    def __init__(self, blocks_per_gate: int) -> None:
        if blocks_per_gate * CHUNK > PERMUTE_MAX_BLOCKS:
            raise ValueError(f"CHUNK={CHUNK} gates need {blocks_per_gate * CHUNK} AES blocks per call, more than "
                             f"the {PERMUTE_MAX_BLOCKS} fixed_key_aes allows: lower CHUNK")
        self._aes = fixed_key_aes()
        self._rows = blocks_per_gate
        self._keys = np.empty(blocks_per_gate * CHUNK * 2, dtype=U64)
        self._out = np.empty(blocks_per_gate * CHUNK * 2 + 2, dtype=U64)  # update_into: room for one block more

    def hash_inputs(self, n: int, gate: int, a: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
        """The hash inputs K(A) = σ(A) ⊕ j, K(B) = σ(B) ⊕ j' (j = 2g, j' = 2g+1 for gates g = gate, ...,
        gate+n−1), and K(A ⊕ R), K(B ⊕ R) when ``offset`` = σ(R) is given: shape (rows, n, 2)."""
        keys = self._keys[:self._rows * n * 2].reshape(self._rows, n, 2)
        _compiled(_hash_inputs)((a, b), n, U64(2 * gate), offset, keys)
        return keys

    def permute(self, keys: np.ndarray) -> np.ndarray:
        """π(K) = AES-128(FIXED_KEY, K) of all hash inputs of the chunk, in one AES call. The tweakable hash of
        ``aes.FixedKeyHash`` is H(x, j) = π(K) ⊕ K (Guo, Katz, Wang, Yu, IEEE S&P 2020); the kernels keep π(K)
        and K apart so that sums of hashes fold the K terms into constants."""
        self._aes.update_into(keys.reshape(-1).view(np.uint8), self._out.view(np.uint8))
        return self._out[:keys.size].reshape(keys.shape)


_NO_OFFSET = np.empty(0, dtype=U64)


class GarblerCore:
    """The garbler's secret state — R and a label PRG seeded from ``secrets`` — and its AND kernel."""

    def __init__(self) -> None:
        self.prg = AesPrg()
        delta = self.prg.labels(1)[0]
        delta[0] |= _ONE  # point-and-permute: lsb(R) = 1
        self.delta = delta
        self._sigma_delta = np.array([delta[1], delta[0] ^ delta[1]], dtype=U64)  # σ(R)
        self._s = _Scratch(4)
        self.gates = 0

    def zero_labels(self, n: int) -> np.ndarray:
        """Fresh 0-keys for ``n`` wires (the 1-key of each is the 0-key ⊕ R)."""
        return self.prg.labels(n)

    def garble_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Garble n ≤ CHUNK AND gates: 0-keys ``a``, ``b`` (n, 2) in; 0-keys into ``c``, rows into ``table``
        (2, n, 2). ``a``, ``b``, ``c`` may have any row stride."""
        n = len(a)
        keys = self._s.hash_inputs(n, self.gates, a, b, self._sigma_delta)
        self.gates += n
        _compiled(_garble)(a, b, keys, self._s.permute(keys), self.delta, self._sigma_delta, c, table)


class EvaluatorCore:
    """The evaluator's AND kernel: it sees one key per wire and two table rows per gate."""

    def __init__(self) -> None:
        self._s = _Scratch(2)
        self.gates = 0

    def evaluate_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Evaluate n ≤ CHUNK AND gates on held keys ``a``, ``b`` with rows ``table``; output keys into ``c``.
        Any row stride for ``a``, ``b``, ``c``."""
        n = len(a)
        keys = self._s.hash_inputs(n, self.gates, a, b, _NO_OFFSET)
        self.gates += n
        _compiled(_evaluate)(a, b, keys, self._s.permute(keys), c, table)
